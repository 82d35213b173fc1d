from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Early help portal"

    def ready(self) -> None:
        from portal.registry import PortalCard, register_card

        register_card(
            PortalCard(
                key="wagtail_admin",
                title="Manage the directory and website",
                description="Edit service listings and pages, review changes and manage the site in the content admin.",
                url_name="wagtailadmin_home",
                permissions=("wagtailadmin.access_admin",),
                order=20,
            )
        )
