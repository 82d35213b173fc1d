from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from portal.registry import PortalCard, register_card

        from . import services

        user_logged_in.connect(services.on_user_logged_in, dispatch_uid="portal.audit.sign_in")
        user_logged_out.connect(services.on_user_logged_out, dispatch_uid="portal.audit.sign_out")
        user_login_failed.connect(services.on_user_login_failed, dispatch_uid="portal.audit.sign_in_failed")

        register_card(
            PortalCard(
                key="audit",
                title="Audit log",
                description="See who viewed or changed records, and export the log.",
                url_name="audit:list",
                permissions=("audit.view_auditevent",),
                order=910,
            )
        )
