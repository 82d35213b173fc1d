"""The access matrix: every named URL of the project × every role (and anonymous) → the
expected outcome. A URL of ours that is missing from the table fails the suite, so no later
URL can skip it.

Every user here has MFA set up and REQUIRE_MFA is on, as in production.
Outcomes: an HTTP status, or LOGIN (a redirect to the sign-in page).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.accounts.roles import ROLES
from tests.conftest import enable_totp
from tests.factories import UserFactory

ANONYMOUS = "anonymous"
LOGIN = "login"
ALL_ROLES = [role.slug for role in ROLES]
EVERYONE = [ANONYMOUS, *ALL_ROLES]
OUR_PACKAGES = ("portal", "directory", "search", "eh_assessments")


@dataclass
class Row:
    """Expected outcomes for one URL. ``default`` applies to every role not listed in
    ``only``; anonymous has its own expectation."""

    name: str
    anonymous: int | str
    default: int | str
    only: dict[str, int | str] = field(default_factory=dict)
    kwargs: Callable[[], dict] | None = None
    method: str = "get"

    def expected(self, who: str) -> int | str:
        if who == ANONYMOUS:
            return self.anonymous
        return self.only.get(who, self.default)


def _admin_only(ok: int = 200) -> dict[str, int]:
    return {"administrator": ok}


# Wagtail admin views: roles without admin access are sent to sign in; the administrator has
# admin access but no directory permissions, so Wagtail redirects it with a message (302).
_DIRECTORY_ADMIN = {
    "service_provider_editor": 200,
    "directory_manager": 200,
    "administrator": 302,
    "la_encompass_lead": 302,
    "early_help_manager": 302,
}
# Early help assessments: started and seen by these roles, scoped to their own (and their
# team's) families; anybody else's, or a missing one, is 404 so its existence is not revealed.
_EH_ROLES = ("lead_professional", "school_key_adult", "school_deputy", "early_help_manager")
_NO_ASSESSMENT = uuid.UUID(int=6)
_ADMIN_ACCESS = (
    "service_provider_editor",
    "directory_manager",
    "administrator",
    "la_encompass_lead",
    "early_help_manager",
)
_MISSING_OBJECT = dict.fromkeys(_ADMIN_ACCESS, 404)

MATRIX: list[Row] = [
    Row("portal_home", anonymous=LOGIN, default=200),
    Row("wagtailadmin_login_redirect", anonymous=LOGIN, default=LOGIN),
    # Accounts: invitations, MFA management (our subclasses of allauth's views), users.
    Row("account_login", anonymous=200, default=302),  # signed in already: onwards
    Row("account_reset_password", anonymous=200, default=200),
    # A wrong key shows the "link is not valid" page, never an error.
    Row(
        "account_reset_password_from_key", anonymous=200, default=200, kwargs=lambda: {"uidb36": "1", "key": "bad-key"}
    ),
    Row("mfa_authenticate", anonymous=LOGIN, default=302),  # no sign-in in progress: back to start
    Row("accept_invitation", anonymous=404, default=200, kwargs=lambda: {"token": "not-a-token"}),
    Row("account_email", anonymous=LOGIN, default=200),
    Row("mfa_index", anonymous=LOGIN, default=200),
    Row("mfa_activate_totp", anonymous=LOGIN, default=302),  # allauth asks for the password again
    Row("mfa_add_webauthn", anonymous=LOGIN, default=302),
    Row("mfa_view_recovery_codes", anonymous=LOGIN, default=404),  # none generated for these users
    Row("api_docs", anonymous=200, default=200),
    Row("healthz", anonymous=200, default=200),  # load balancers and monitors: no sign-in, nothing personal
    # The Open Referral UK API is open data: the same for everybody.
    *[
        Row(f"oruk:{name}", anonymous=200, default=200)
        for name in (
            "api-root",
            "info",
            "services",
            "service_at_locations",
            "taxonomies",
            "taxonomy_terms",
            "openapi-json",
            "openapi-view",
        )
    ],
    *[
        Row(f"oruk:{name}", anonymous=404, default=404, kwargs=lambda: {"id": uuid.UUID(int=7)})
        for name in (
            "service",
            "service_at_location",
            "taxonomy",
            "taxonomy_term",
        )
    ],
    Row("oruk:unknown", anonymous=404, default=404, kwargs=lambda: {"path": "no-such-endpoint"}),
    # Family search is public; the zero-result report is for the directory team.
    Row("services", anonymous=200, default=200),
    Row("services_suggest", anonymous=200, default=200),
    Row(
        "search_zero_results",
        anonymous=LOGIN,
        default=LOGIN,
        only={**_DIRECTORY_ADMIN, "directory_manager": 200, "service_provider_editor": 302},
    ),
    Row("search_make_synonym", anonymous=LOGIN, default=LOGIN, only=dict.fromkeys(_ADMIN_ACCESS, 405)),  # POST only
    # The family's list ("my list"): public, kept in the session; add and remove are POST only.
    Row("directory:shortlist", anonymous=200, default=200),
    Row("directory:shortlist_add", anonymous=405, default=405),
    Row("directory:shortlist_remove", anonymous=405, default=405),
    Row("directory:shortlist_email", anonymous=302, default=302),  # empty list: back to the list
    # Directory editorial and verification (Wagtail admin views).
    Row("directory_services_due_for_review", anonymous=LOGIN, default=LOGIN, only=_DIRECTORY_ADMIN),
    Row("directory_services_due_for_review_results", anonymous=LOGIN, default=LOGIN, only=_DIRECTORY_ADMIN),
    Row(
        "directory_mark_verified",
        anonymous=LOGIN,
        default=LOGIN,
        only=dict.fromkeys(_ADMIN_ACCESS, 405),  # POST only
        kwargs=lambda: {"page_id": 999999},
    ),
    Row("directory_problem_reports:index", anonymous=LOGIN, default=LOGIN, only=_DIRECTORY_ADMIN),
    Row("directory_problem_reports:index_results", anonymous=LOGIN, default=LOGIN, only=_DIRECTORY_ADMIN),
    Row(
        "directory_problem_reports:edit",
        anonymous=LOGIN,
        default=LOGIN,
        only={**_MISSING_OBJECT, "administrator": 302, "la_encompass_lead": 302, "early_help_manager": 302},
        kwargs=lambda: {"pk": 999999},
    ),
    *[
        Row(
            f"directory_problem_reports:{n}",
            anonymous=LOGIN,
            default=LOGIN,
            only=_MISSING_OBJECT,
            kwargs=lambda: {"pk": 999999},
        )
        for n in ("inspect", "history", "history_results", "usage")
    ],
    # "Still correct" links work without signing in; a bad token is simply not found.
    Row("directory_verification:confirm", anonymous=404, default=404, kwargs=lambda: {"token": "not-a-token"}),
    # Operation Encompass: scoped to the user's school (or the LA); missing objects are 404.
    Row(
        "encompass:list",
        anonymous=LOGIN,
        default=403,
        only={"school_key_adult": 200, "school_deputy": 200, "front_door": 200, "la_encompass_lead": 200},
    ),
    *[
        Row(
            f"encompass:{name}",
            anonymous=LOGIN,
            default=403,
            only={"school_key_adult": 404, "school_deputy": 404, "front_door": 404, "la_encompass_lead": 404},
            kwargs=lambda: {"pk": uuid.UUID(int=7)},
        )
        for name in ("detail", "acknowledge")
    ],
    Row("encompass:submit", anonymous=LOGIN, default=403),  # the matrix's police account has no force
    Row(
        "encompass:submitted",
        anonymous=LOGIN,
        default=403,
        only={"police_encompass_officer": 404},
        kwargs=lambda: {"pk": uuid.UUID(int=7)},
    ),
    Row("encompass:dashboard", anonymous=LOGIN, default=403, only={"la_encompass_lead": 200}),
    # The police intake API authenticates by force token, never by session.
    Row("encompass_api:api-root", anonymous=404, default=404),
    Row("encompass_api:notifications", anonymous=405, default=405),  # POST only
    Row(
        "encompass_api:notification",
        anonymous=401,
        default=401,
        kwargs=lambda: {"notification_id": uuid.UUID(int=7)},
    ),
    Row("encompass_api:openapi-json", anonymous=200, default=200),
    Row("encompass_api:openapi-view", anonymous=200, default=200),
    # The threshold document (Wagtail snippet): early help managers only. A missing document is 404
    # for every role with admin access (Wagtail fetches it before checking permissions).
    *[
        Row(
            f"wagtailsnippets_eh_assessments_thresholddocument:{name}",
            anonymous=LOGIN,
            default=LOGIN,
            only={**dict.fromkeys(_ADMIN_ACCESS, 302), "early_help_manager": 200},
        )
        for name in ("list", "list_results", "add")
    ],
    *[
        Row(
            f"wagtailsnippets_eh_assessments_thresholddocument:{name}",
            anonymous=LOGIN,
            default=LOGIN,
            only={**_MISSING_OBJECT, "early_help_manager": 404},
            kwargs=lambda: {"pk": 999999},
        )
        for name in ("edit", "delete", "new_version", "publish")
    ],
    Row("eh_assessments:list", anonymous=LOGIN, default=403, only=dict.fromkeys(_EH_ROLES, 200)),
    Row("eh_assessments:start", anonymous=LOGIN, default=403, only=dict.fromkeys(_EH_ROLES, 200)),
    *[
        Row(
            f"eh_assessments:{name}",
            anonymous=LOGIN,
            default=403,
            only=dict.fromkeys(_EH_ROLES, 404),
            kwargs=lambda: {"pk": _NO_ASSESSMENT},
        )
        for name in ("task_list", "person_add", "confirmation", "print")
    ],
    Row(
        "eh_assessments:step",
        anonymous=LOGIN,
        default=403,
        only=dict.fromkeys(_EH_ROLES, 404),
        kwargs=lambda: {"pk": _NO_ASSESSMENT, "step": "about"},
    ),
    *[
        Row(
            f"eh_assessments:{name}",
            anonymous=LOGIN,
            default=403,
            only=dict.fromkeys(_EH_ROLES, 404),
            kwargs=lambda: {"pk": _NO_ASSESSMENT, "person_pk": uuid.UUID(int=7)},
        )
        for name in ("person_change", "person_remove")
    ],
    # Casework (episodes of help): managers' lists, the front door's requests, and each case's
    # pages, scoped like assessments; a missing or unseen record is 404.
    *[
        Row(f"casework:{name}", anonymous=LOGIN, default=403, only={"early_help_manager": 200})
        for name in ("caseload", "overdue", "sign_offs")
    ],
    Row("casework:requests", anonymous=LOGIN, default=403, only={"early_help_manager": 200, "front_door": 200}),
    *[
        Row(
            f"casework:{name}",
            anonymous=LOGIN,
            default=403,
            only={"early_help_manager": 404},
            kwargs=lambda: {"pk": uuid.UUID(int=7)},
        )
        for name in ("delay_reason", "sign_off")
    ],
    Row(
        "casework:decide_request",
        anonymous=LOGIN,
        default=403,
        only={"early_help_manager": 404, "front_door": 404},
        kwargs=lambda: {"pk": uuid.UUID(int=7)},
    ),
    Row(
        "casework:decide_assessment",
        anonymous=LOGIN,
        default=403,
        only=dict.fromkeys(_EH_ROLES, 404),
        kwargs=lambda: {"pk": uuid.UUID(int=7)},
    ),
    *[
        Row(f"casework:{name}", anonymous=LOGIN, default=404, kwargs=lambda: {"pk": uuid.UUID(int=7)})
        for name in ("case", "decision_done", "signposting_print")
    ],
    *[
        Row(
            f"casework:{name}",
            anonymous=LOGIN,
            default=403,
            only=dict.fromkeys((*_EH_ROLES, "front_door"), 404),
            kwargs=kwargs,
        )
        for name, kwargs in (
            *[
                (n, lambda: {"pk": uuid.UUID(int=7)})
                for n in (
                    "plan",
                    "schedule_meeting",
                    "handover",
                    "review",
                    "close",
                    "step_up",
                    "reopen",
                    "sustained_check",
                    "supervision",
                    "chronology_entry",
                )
            ],
            ("meeting_held", lambda: {"pk": uuid.UUID(int=7), "meeting": 999999}),
            ("scores", lambda: {"pk": uuid.UUID(int=7), "stage": "start"}),
        )
    ],
    Row("users:list", anonymous=LOGIN, default=403, only=_admin_only()),
    Row("users:invite", anonymous=LOGIN, default=403, only=_admin_only()),
    Row("users:resend", anonymous=LOGIN, default=403, only=_admin_only(405), kwargs=lambda: {"uuid": uuid.UUID(int=1)}),
    # Django's own admin (superusers only) signs in through allauth, so MFA applies.
    Row("superadmin:login", anonymous=LOGIN, default=LOGIN),
    Row("audit:list", anonymous=LOGIN, default=403, only=_admin_only()),
    Row("audit:export", anonymous=LOGIN, default=403, only=_admin_only()),
    # Commissioners' insights: aggregates only; early help managers see them, commissioners also export.
    *[
        Row(name, anonymous=LOGIN, default=403, only={"commissioner": 200, "early_help_manager": 200}, kwargs=kwargs)
        for name, kwargs in (
            ("insights:index", None),
            ("insights:dashboard", lambda: {"slug": "early-help"}),
            ("insights:open_data", None),
        )
    ],
    Row(
        "insights:export",
        anonymous=LOGIN,
        default=403,
        only={"commissioner": 200},
        kwargs=lambda: {"slug": "early-help"},
    ),
    Row("users:revoke", anonymous=LOGIN, default=403, only=_admin_only(404), kwargs=lambda: {"uuid": uuid.UUID(int=1)}),
]

# Third-party pages professionals meet, checked as well (they are not ours, so they are not
# required by the completeness check, but their protection matters).
THIRD_PARTY: list[Row] = [
    Row("superadmin:index", anonymous=302, default=302),  # to its own login, which goes to ours
    # Wagtail sends a signed-in user without admin access back to sign-in with a message.
    Row(
        "wagtailadmin_home",
        anonymous=LOGIN,
        default=LOGIN,
        only={
            "service_provider_editor": 200,
            "directory_manager": 200,
            "administrator": 200,
            "la_encompass_lead": 200,
            "early_help_manager": 200,
        },
    ),
]


def _module_name(urlconf) -> str | None:
    if isinstance(urlconf, str):
        return urlconf
    return getattr(urlconf, "__name__", None)  # a module; None for a list of patterns


def _walk(resolver: URLResolver, namespace: str = "", owner: str = ""):
    """Yield (full name, pattern, owner) where owner is the module of the nearest URLconf
    that is a module (an API's list of patterns belongs to the module that includes it)."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, ns, _module_name(entry.urlconf_name) or owner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry, owner


def _is_ours(module: str) -> bool:
    return module.split(".")[0] in OUR_PACKAGES


def our_url_names() -> set[str]:
    names = set()
    root = _module_name(get_resolver().urlconf_name) or ""
    for name, pattern, owner in _walk(get_resolver(), owner=root):
        callback = pattern.callback
        view_class = getattr(callback, "view_class", None)
        module = view_class.__module__ if view_class is not None else getattr(callback, "__module__", "") or ""
        # Ours: our view code, or a pattern declared in one of our URLconfs other than the
        # root (the root only mounts third-party apps such as Wagtail's catch-all).
        if _is_ours(module) or (owner != root and _is_ours(owner)):
            names.add(name)
    return names


def test_every_url_of_ours_is_in_the_matrix():
    listed = {row.name for row in MATRIX}
    missing = sorted(our_url_names() - listed)
    assert not missing, f"URLs missing from the access matrix: {missing}"
    assert "portal_home" in our_url_names()  # the walk itself finds our URLs


@pytest.fixture
def users(db):
    people = {}
    for slug in ALL_ROLES:
        user = UserFactory(roles=[slug], email=f"matrix.{slug}@example.org")
        enable_totp(user)
        people[slug] = user
    return people


def _outcome(response) -> int | str:
    if response.status_code in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("row", MATRIX + THIRD_PARTY, ids=lambda row: row.name)
@override_settings(REQUIRE_MFA=True)
def test_access(row: Row, users, client):
    url = reverse(row.name, kwargs=row.kwargs() if row.kwargs else None)
    problems = []
    for who in EVERYONE:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(users[who])
        response = getattr(client, row.method)(url)
        got = _outcome(response)
        if got != row.expected(who):
            problems.append(f"{who}: expected {row.expected(who)}, got {got}")
    assert not problems, f"{row.name} ({url}):\n" + "\n".join(problems)
