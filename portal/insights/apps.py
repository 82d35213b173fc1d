from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "portal.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from portal.registry import PortalCard, register_card

        register_card(
            PortalCard(
                key="insights",
                title="Insights",
                description="See which services work, from aggregate figures on early help, outcomes, "
                "Operation Encompass and the directory, and download them.",
                url_name="insights:index",
                permissions=("insights.view_insights",),
                order=30,
            )
        )
