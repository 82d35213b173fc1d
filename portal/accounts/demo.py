"""Demo accounts: one professional per role, for `make demo` and for trying the portal out.

Only ever in DEMO_MODE (dev and test settings): these accounts share one known password.
Running it again resets their password, names and roles; it never makes duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from .models import Team, User
from .roles import ROLES_BY_SLUG, Role, sync_roles

DEMO_TEAM = "Sunderland North early help team"
DEMO_TEAM_AREA = "Sunderland North"
DEMO_POLICE_FORCE = "NBR"  # Northumbria Police


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    first_name: str
    last_name: str
    job_title: str
    in_team: bool = False
    police_force: str = ""


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "service_provider_editor",
        "provider.editor@example.org",
        "Aisha",
        "Khan",
        "Family support co-ordinator, Wearside Family Hub",
    ),
    DemoAccount(
        "directory_manager", "directory.manager@example.org", "Gareth", "Thompson", "Family information service manager"
    ),
    DemoAccount(
        "lead_professional",
        "lead.professional@example.org",
        "Rachel",
        "Armstrong",
        "Early help practitioner",
        in_team=True,
    ),
    DemoAccount(
        "school_key_adult",
        "key.adult@example.org",
        "David",
        "Robson",
        "Designated safeguarding lead, Castletown Primary School",
    ),
    DemoAccount(
        "school_deputy",
        "deputy.key.adult@example.org",
        "Claire",
        "Nichol",
        "Deputy designated safeguarding lead, Castletown Primary School",
    ),
    DemoAccount(
        "police_encompass_officer",
        "police.officer@example.org",
        "Mark",
        "Hedley",
        "Operation Encompass officer, Northumbria Police",
        police_force=DEMO_POLICE_FORCE,
    ),
    DemoAccount(
        "early_help_manager",
        "early.help.manager@example.org",
        "Joanne",
        "Stoker",
        "Early help team manager",
        in_team=True,
    ),
    DemoAccount("front_door", "front.door@example.org", "Peter", "Dawson", "Social worker, Integrated Front Door"),
    DemoAccount(
        "la_encompass_lead",
        "encompass.lead@example.org",
        "Lisa",
        "Charlton",
        "Operation Encompass lead, Together for Children",
    ),
    DemoAccount(
        "commissioner", "commissioner@example.org", "Simon", "Bell", "Commissioning manager, children's services"
    ),
    DemoAccount(
        "administrator", "administrator@example.org", "Helen", "Wright", "Systems administrator, children's services"
    ),
)
SUPERUSER = DemoAccount("", "superuser@example.org", "Sam", "Fenwick", "System administrator (Django admin)")


def _refuse_unless_demo_mode() -> None:
    if not getattr(settings, "DEMO_MODE", False):
        raise ImproperlyConfigured(
            "Demo accounts share a published password, so they are created only when DEMO_MODE is on "
            "(dev and test settings). Refusing to create them here."
        )


def _upsert(account: DemoAccount, password: str, *, team: Team | None, **extra) -> User:
    user = User.objects.filter(email__iexact=account.email).first() or User(email=account.email)
    user.first_name = account.first_name
    user.last_name = account.last_name
    user.job_title = account.job_title
    user.team = team if account.in_team else None
    user.police_force = account.police_force
    user.is_active = True
    for name, value in extra.items():
        setattr(user, name, value)
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def create_demo_accounts(password: str) -> list[tuple[Role, User]]:
    """Create (or reset) one account per role, plus a superuser for the Django admin.
    Returns (role, user) for the role accounts. Raises ImproperlyConfigured unless
    settings.DEMO_MODE is True."""
    _refuse_unless_demo_mode()
    if not password:
        raise ValueError("A demo password is required.")
    sync_roles()
    team, _ = Team.objects.get_or_create(name=DEMO_TEAM, defaults={"area": DEMO_TEAM_AREA})
    created: list[tuple[Role, User]] = []
    for account in DEMO_ACCOUNTS:
        role = ROLES_BY_SLUG[account.role]
        user = _upsert(account, password, team=team, is_staff=False, is_superuser=False)
        user.groups.set([Group.objects.get(name=role.name)])
        created.append((role, user))
    _upsert(SUPERUSER, password, team=None, is_staff=True, is_superuser=True)
    return created


def load() -> str:
    """The ``load_demo`` step: every demo account, with the password in DEMO_PASSWORD."""
    accounts = create_demo_accounts(settings.DEMO_PASSWORD)
    return f"{len(accounts)} demo accounts (password from DEMO_PASSWORD)"
