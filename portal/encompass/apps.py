from django.apps import AppConfig


class EncompassConfig(AppConfig):
    name = "portal.encompass"
    label = "encompass"
    verbose_name = "Operation Encompass"

    def ready(self):
        from portal.registry import PortalCard, register_card

        register_card(
            PortalCard(
                key="encompass_notifications",
                title="Operation Encompass notifications",
                description="Read and acknowledge police domestic abuse notifications for your school.",
                url_name="encompass:list",
                permissions=("encompass.view_notifiedchild",),
                order=20,
            )
        )
        register_card(
            PortalCard(
                key="encompass_submit",
                title="Send an Operation Encompass notification",
                description="Tell a child's school about a domestic abuse incident before the next school day.",
                url_name="encompass:submit",
                permissions=("encompass.submit_notification",),
                order=20,
            )
        )
        register_card(
            PortalCard(
                key="encompass_dashboard",
                title="Operation Encompass dashboard",
                description="Unacknowledged and overdue notifications, the triage queue and schools to follow up.",
                url_name="encompass:dashboard",
                permissions=("encompass.view_encompass_dashboard",),
                order=21,
            )
        )
