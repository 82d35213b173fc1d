from django.apps import AppConfig


class EarlyHelpAssessmentsConfig(AppConfig):
    name = "eh_assessments"
    verbose_name = "Early help assessments"

    def ready(self):
        from portal.registry import PortalCard, register_card

        from . import permissions, signals  # noqa: F401 (connects the re-referral flags' receivers)

        register_card(
            PortalCard(
                key="eh_assessments",
                title="Early help assessments",
                description="Start, continue and submit early help assessments for the families you work with.",
                url_name="eh_assessments:list",
                permissions=(permissions.VIEW,),
                order=10,
                test=permissions.can_start,
            )
        )

        from .case_views import register_cards

        register_cards()
