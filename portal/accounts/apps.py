from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from portal.registry import PortalCard, register_card

        from . import roles

        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="portal.accounts.sync_roles")

        register_card(
            PortalCard(
                key="accounts.users",
                title="Professionals and invitations",
                description="Invite professionals, choose their roles, and resend or withdraw invitations.",
                url_name="users:list",
                permissions=("accounts.invite_user",),
                order=900,
            )
        )
        register_card(
            PortalCard(
                key="accounts.mfa",
                title="Two-factor authentication",
                description="Set up or change your authenticator app, security keys and recovery codes.",
                url_name="mfa_index",
                order=950,
            )
        )
