"""Roles as data.

Each role is a Django group holding exactly the permissions listed here; ``sync_roles`` (run
after every migrate, and by ``manage.py sync_roles``) makes the database match this table.
A role also names the scope that limits what its holders see — the organisation they edit
for, the school they serve, their team or their police force — which the owning app
enforces in its own ``selectors.py``, so permission scoping lives in one place per app.

Later issues add permissions to these roles as their models arrive.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

logger = logging.getLogger(__name__)

WAGTAIL_ADMIN = "wagtailadmin.access_admin"


@dataclass(frozen=True)
class Role:
    slug: str
    name: str
    description: str
    scope: str  # organisation, school, team, police_force, local_authority
    capabilities: tuple[str, ...]
    permissions: tuple[str, ...] = ()


ROLES: tuple[Role, ...] = (
    Role(
        slug="service_provider_editor",
        name="Service provider editor",
        description="Keeps their organisation's service listings accurate in the directory.",
        scope="organisation",
        capabilities=(
            "Edit your organisation's services and submit changes for approval",
            "Confirm that a listing is still correct when asked",
        ),
        permissions=(
            WAGTAIL_ADMIN,
            # Page permissions (add, change: no publish) are given on the directory index by
            # directory.services.ensure_editorial_setup; reported problems are scoped to
            # their organisations' services in directory.selectors.
            "directory.view_problemreport",
            "directory.change_problemreport",
        ),
    ),
    Role(
        slug="directory_manager",
        name="Directory manager",
        description="Runs the directory: approves changes, keeps listings verified, manages categories.",
        scope="local_authority",
        capabilities=(
            "Approve or reject changes to service listings",
            "Follow up listings that are overdue for review and problems reported by the public",
            "Manage organisations, categories and search synonyms",
        ),
        permissions=(
            WAGTAIL_ADMIN,
            # Page permissions (add, change, publish, lock, unlock) and the approval task are
            # set on the directory index by directory.services.ensure_editorial_setup.
            "directory.view_problemreport",
            "directory.change_problemreport",
            "directory.add_organisation",
            "directory.change_organisation",
            "directory.view_organisation",
            "directory.add_taxonomy",
            "directory.change_taxonomy",
            "directory.view_taxonomy",
            "directory.add_taxonomyterm",
            "directory.change_taxonomyterm",
            "directory.view_taxonomyterm",
            "directory_search.view_searchlog",
            "directory_search.view_synonymgroup",
            "directory_search.add_synonymgroup",
            "directory_search.change_synonymgroup",
            "directory_search.delete_synonymgroup",
        ),
    ),
    Role(
        slug="lead_professional",
        name="Lead professional",
        description="Co-ordinates early help for a family: assessment, plan, reviews and outcomes.",
        scope="team",
        capabilities=(
            "Start, save and submit early help assessments",
            "Record plans, reviews and outcome scores for your families",
        ),
        permissions=(
            "eh_assessments.add_assessment",
            "eh_assessments.view_assessment",
            "eh_assessments.change_assessment",
            "eh_assessments.view_episode",
            "eh_assessments.change_episode",
        ),
    ),
    Role(
        slug="school_key_adult",
        name="School key adult",
        description="The designated safeguarding lead who receives Operation Encompass notifications for a school.",
        scope="school",
        capabilities=(
            "Read and acknowledge Operation Encompass notifications for your school",
            "Start an early help assessment for a pupil",
        ),
        permissions=(
            "encompass.view_notifiedchild",
            "encompass.acknowledge_notifiedchild",
            "eh_assessments.add_assessment",
            "eh_assessments.view_assessment",
            "eh_assessments.change_assessment",
            "eh_assessments.view_episode",
            "eh_assessments.change_episode",
        ),
    ),
    Role(
        slug="school_deputy",
        name="School deputy key adult",
        description="Covers for the key adult and is alerted when a notification is not acknowledged in time.",
        scope="school",
        capabilities=(
            "Read and acknowledge Operation Encompass notifications for your school",
            "Start an early help assessment for a pupil",
        ),
        permissions=(
            "encompass.view_notifiedchild",
            "encompass.acknowledge_notifiedchild",
            "eh_assessments.add_assessment",
            "eh_assessments.view_assessment",
            "eh_assessments.change_assessment",
            "eh_assessments.view_episode",
            "eh_assessments.change_episode",
        ),
    ),
    Role(
        slug="police_encompass_officer",
        name="Police Encompass officer",
        description="Submits Operation Encompass notifications on behalf of a police force.",
        scope="police_force",
        capabilities=("Submit Operation Encompass notifications for your force",),
        permissions=("encompass.submit_notification",),
    ),
    Role(
        slug="early_help_manager",
        name="Early help manager",
        description="Oversees early help: decisions, sign-off, timeliness, supervision and thresholds.",
        scope="team",
        capabilities=(
            "Decide and sign off step-up, step-down and closure",
            "See your team's caseload and overdue work, and record supervision",
            "Maintain the threshold document (levels of need and indicators)",
            "See the aggregate, disclosure-controlled dashboards commissioners see",
        ),
        permissions=(
            WAGTAIL_ADMIN,  # the threshold document is a Wagtail snippet
            "eh_assessments.add_assessment",
            "eh_assessments.view_assessment",
            "eh_assessments.change_assessment",
            "eh_assessments.view_team_assessments",
            "eh_assessments.manage_thresholds",
            "eh_assessments.view_episode",
            "eh_assessments.view_team_episodes",
            "eh_assessments.sign_off_decision",
            "eh_assessments.decide_referral",
            "eh_assessments.view_supervision",
            "eh_assessments.add_supervision",
            "insights.view_insights",  # the same aggregates commissioners see
        ),
    ),
    Role(
        slug="front_door",
        name="Front door (children's social care)",
        description="Decides on referrals and step-up requests into children's social care.",
        scope="local_authority",
        capabilities=(
            "Decide on referrals within one working day",
            "Receive child protection step-ups and notifications for children with no school",
        ),
        permissions=(
            "encompass.view_notifiedchild",
            "encompass.acknowledge_notifiedchild",
            "eh_assessments.view_episode",
            "eh_assessments.decide_referral",
        ),
    ),
    Role(
        slug="la_encompass_lead",
        name="Local authority Encompass lead",
        description="Runs Operation Encompass for the local authority: schools, key adults, calendars, triage.",
        scope="local_authority",
        capabilities=(
            "Assign key adults and deputies to schools",
            "Work the triage queue and follow up unacknowledged notifications",
            "Maintain term dates and school calendars",
        ),
        permissions=(
            WAGTAIL_ADMIN,  # schools and calendars are Wagtail snippets
            "encompass.view_notifiedchild",
            "encompass.acknowledge_notifiedchild",
            "encompass.view_encompass_dashboard",
            "encompass.view_school",
            "encompass.change_school",
            "encompass.view_calendar",
            "encompass.add_calendar",
            "encompass.change_calendar",
            "encompass.view_calendarperiod",
            "encompass.add_calendarperiod",
            "encompass.change_calendarperiod",
            "encompass.delete_calendarperiod",
        ),
    ),
    Role(
        slug="commissioner",
        name="Commissioner",
        description="Decides what to fund from aggregate, disclosure-controlled figures; never sees a named family.",
        scope="local_authority",
        capabilities=(
            "See which services work, from aggregated and disclosure-controlled figures",
            "Export those figures as CSV, with the same disclosure control",
        ),
        permissions=("insights.view_insights", "insights.export_insights"),
    ),
    Role(
        slug="administrator",
        name="Administrator",
        description="Invites professionals, assigns roles and reviews the audit log.",
        scope="local_authority",
        capabilities=(
            "Invite professionals and assign their roles",
            "Review and export the audit log",
            "Manage users in the Wagtail admin",
        ),
        permissions=(
            WAGTAIL_ADMIN,
            "accounts.invite_user",
            "accounts.add_user",
            "accounts.change_user",
            "accounts.delete_user",
            "accounts.view_user",
            "auth.add_group",
            "auth.change_group",
            "auth.view_group",
            "audit.view_auditevent",
            "wagtailcore.change_site",
            "wagtailcore.view_site",
        ),
    ),
)

ROLES_BY_SLUG = {role.slug: role for role in ROLES}
ROLES_BY_NAME = {role.name: role for role in ROLES}


def roles_for(user) -> list[Role]:
    if not getattr(user, "is_authenticated", False):
        return []
    names = {g.name for g in user.groups.all()}
    return [role for role in ROLES if role.name in names]


def has_role(user, slug: str) -> bool:
    return any(role.slug == slug for role in roles_for(user))


def _resolve(apps, perm: str):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = perm.split(".", 1)
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def sync_roles(apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Make every role's group hold exactly its listed permissions. Returns the permissions
    that do not exist (a mistake in ROLES, reported by the tests)."""
    Group = apps.get_model("auth", "Group")
    missing: list[str] = []
    for role in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role.name)
        wanted = []
        for perm in role.permissions:
            found = _resolve(apps, perm)
            if found is None:
                missing.append(perm)
            else:
                wanted.append(found)
        group.permissions.set(wanted)
    if missing:
        logger.warning("Roles name permissions that do not exist: %s", ", ".join(sorted(set(missing))))
    return missing


def sync_roles_after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    # post_migrate fires once per app; permissions for every app exist only after the last.
    last = [c for c in global_apps.get_app_configs() if c.models_module is not None][-1]
    if app_config is not None and app_config.label != last.label:
        return
    sync_roles(apps=apps, using=using)
