"""Who sees, edits and starts early help assessments (issue 6 point 4; DESIGN.md §6), with the
role fixtures of tests/conftest.py."""

from __future__ import annotations

import pytest

from eh_assessments import permissions, selectors
from eh_assessments.models import Assessment, Family, ThresholdDocument
from portal.accounts.roles import ROLES
from tests.encompass.factories import SchoolFactory
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_assessment(*, lead=None, team=None, status=Assessment.Status.DRAFT, taf=(), **kwargs) -> Assessment:
    lead = lead or UserFactory(roles=["lead_professional"])
    family = Family.objects.create(team=team, created_by=lead)
    assessment = Assessment.objects.create(
        family=family,
        lead_professional=lead,
        team=team,
        status=status,
        threshold_document=kwargs.pop("threshold_document", None) or ThresholdDocument.objects.current(),
        **kwargs,
    )
    assessment.team_around_family.add(*taf)
    return assessment


@pytest.fixture
def team():
    return TeamFactory(name="North locality")


@pytest.fixture
def other_team():
    return TeamFactory(name="South locality")


@pytest.fixture
def world(make_user, team, other_team):
    """Two teams' worth of assessments and people."""
    lead = make_user("lead_professional", email="lead@example.org", team=team)
    colleague = make_user("lead_professional", email="colleague@example.org", team=team)
    outsider = make_user("lead_professional", email="outsider@example.org", team=other_team)
    health_visitor = make_user("lead_professional", email="hv@example.org", team=other_team)
    manager = make_user("early_help_manager", email="manager@example.org", team=team)
    other_manager = make_user("early_help_manager", email="manager2@example.org", team=other_team)
    own = make_assessment(lead=lead, team=team, taf=[health_visitor])
    colleagues = make_assessment(lead=colleague, team=team)
    submitted = make_assessment(lead=lead, team=team, status=Assessment.Status.SUBMITTED)
    elsewhere = make_assessment(lead=outsider, team=other_team)
    return {
        "lead": lead,
        "colleague": colleague,
        "outsider": outsider,
        "health_visitor": health_visitor,
        "manager": manager,
        "other_manager": other_manager,
        "own": own,
        "colleagues": colleagues,
        "submitted": submitted,
        "elsewhere": elsewhere,
    }


def visible(user) -> set[int]:
    return set(selectors.assessments_for(user).values_list("pk", flat=True))


def test_lead_professional_sees_their_own_only(world):
    assert visible(world["lead"]) == {world["own"].pk, world["submitted"].pk}
    assert selectors.can_view(world["lead"], world["own"])
    assert not selectors.can_view(world["lead"], world["colleagues"])
    assert not selectors.can_view(world["lead"], world["elsewhere"])


def test_team_around_the_family_member_sees_those_from_another_team(world):
    assert visible(world["health_visitor"]) == {world["own"].pk}
    assert selectors.can_view(world["health_visitor"], world["own"])
    assert not selectors.can_view(world["health_visitor"], world["elsewhere"])


def test_early_help_manager_sees_their_teams_and_no_other(world):
    assert visible(world["manager"]) == {world["own"].pk, world["colleagues"].pk, world["submitted"].pk}
    assert visible(world["other_manager"]) == {world["elsewhere"].pk}
    assert not selectors.can_view(world["manager"], world["elsewhere"])


def test_manager_without_a_team_sees_only_what_they_lead(make_user, world):
    manager = make_user("early_help_manager", email="teamless@example.org")
    assert visible(manager) == set()
    led = make_assessment(lead=manager)
    assert visible(manager) == {led.pk}


def test_no_duplicates_when_one_assessment_matches_several_ways(make_user, world, team):
    manager = world["manager"]
    assessment = make_assessment(lead=manager, team=team, taf=[manager, world["lead"]])
    rows = list(selectors.assessments_for(manager).filter(pk=assessment.pk))
    assert len(rows) == 1


def test_list_query_joins_what_list_pages_show(world, django_assert_num_queries):
    with django_assert_num_queries(2):  # the user's roles, then the list
        rows = list(selectors.assessments_for(world["manager"]))
        for row in rows:
            _ = (row.family.reference, row.lead_professional.email, row.team.name)


@pytest.fixture
def school():
    return SchoolFactory(urn=100001, name="Hylton Primary School")


@pytest.fixture
def key_adult(make_user, school):
    user = make_user("school_key_adult", email="dsl@example.org")
    school.key_adults.add(user)
    return user


def test_key_adult_sees_only_assessments_they_lead(key_adult, school, world):
    started = make_assessment(lead=key_adult, started_by_school=school)
    by_someone_else = make_assessment(started_by_school=school)
    assert visible(key_adult) == {started.pk}
    assert not selectors.can_view(key_adult, by_someone_else)
    assert selectors.can_start(key_adult)


def test_key_adult_and_deputy_can_start_for_pupils_of_their_school_only(make_user, key_adult, school):
    from portal.encompass.models import Pupil

    other = SchoolFactory(urn=100002, name="Castle View Academy")
    deputy = make_user("school_deputy", email="deputy@example.org")
    school.deputies.add(deputy)
    ours = Pupil.objects.create(given_name="Ava", family_name="Brown", date_of_birth="2016-05-01", school=school)
    Pupil.objects.create(given_name="Ben", family_name="Smith", date_of_birth="2015-02-01", school=other)

    assert list(selectors.pupils_for_key_adult(key_adult)) == [ours]
    assert list(selectors.pupils_for_key_adult(deputy)) == [ours]
    assert selectors.can_start_for_school(key_adult, school)
    assert not selectors.can_start_for_school(key_adult, other)
    assert not selectors.can_start_for_school(key_adult, None)


def test_a_key_adult_without_the_role_any_more_gets_no_pupils(make_user, school):
    former = make_user("lead_professional", email="former.dsl@example.org")
    school.key_adults.add(former)  # left on the school, but no longer holds the role
    assert not selectors.pupils_for_key_adult(former).exists()
    assert not selectors.can_start_for_school(former, school)


def test_lead_professional_cannot_start_for_a_school(world, school):
    assert selectors.can_start(world["lead"])
    assert not selectors.can_start_for_school(world["lead"], school)
    assert not selectors.pupils_for_key_adult(world["lead"]).exists()


NO_ACCESS_ROLES = [role.slug for role in ROLES if role.slug not in selectors.ASSESSMENT_ROLES]


def test_no_access_roles_are_the_expected_ones():
    assert set(NO_ACCESS_ROLES) == {
        "service_provider_editor",
        "directory_manager",
        "police_encompass_officer",
        "front_door",
        "la_encompass_lead",
        "commissioner",
        "administrator",
    }


@pytest.mark.parametrize("slug", NO_ACCESS_ROLES)
def test_other_roles_see_none_even_when_named_on_an_assessment(make_user, slug, team):
    user = make_user(slug, email=f"{slug}@example.org", team=team)
    assessment = make_assessment(team=team, taf=[user])
    assert visible(user) == set()
    assert not selectors.families_for(user).exists()
    assert not selectors.can_view(user, assessment)
    assert not selectors.can_edit(user, assessment)
    assert not selectors.can_start(user)


def test_superuser_without_a_role_sees_none(make_user, world):
    admin = make_user(email="root@example.org", is_superuser=True, is_staff=True)
    assert visible(admin) == set()
    assert not selectors.can_view(admin, world["own"])
    assert not selectors.can_start(admin)


def test_anonymous_and_inactive_users_see_none(world, client):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()
    assert not selectors.can_start(AnonymousUser())
    lead = world["lead"]
    lead.is_active = False
    lead.save()
    assert visible(lead) == set()


def test_can_edit_only_drafts_by_lead_or_team_around_family(world):
    own, submitted = world["own"], world["submitted"]
    assert selectors.can_edit(world["lead"], own)
    assert selectors.can_edit(world["health_visitor"], own)
    assert not selectors.can_edit(world["lead"], submitted)  # submitted: read only
    assert not selectors.can_edit(world["manager"], own)  # managers see, they do not write
    assert not selectors.can_edit(world["colleague"], own)
    decided = make_assessment(lead=world["lead"], status=Assessment.Status.DECIDED)
    assert not selectors.can_edit(world["lead"], decided)


def test_families_follow_the_assessments(world, team):
    lead = world["lead"]
    assert set(selectors.families_for(lead)) == {world["own"].family, world["submitted"].family}
    assert set(selectors.families_for(world["health_visitor"])) == {world["own"].family}
    assert world["elsewhere"].family not in set(selectors.families_for(world["manager"]))
    # A family of the manager's team with no assessment yet is theirs to see too.
    fresh = Family.objects.create(team=team)
    assert fresh in set(selectors.families_for(world["manager"]))
    assert fresh not in set(selectors.families_for(lead))


def test_permissions_module_re_exports_the_checks_and_names_real_permissions():
    from django.contrib.auth.models import Permission

    assert permissions.can_view is selectors.can_view
    assert permissions.can_edit is selectors.can_edit
    for name in (
        permissions.ADD,
        permissions.VIEW,
        permissions.CHANGE,
        permissions.VIEW_TEAM,
        permissions.MANAGE_THRESHOLDS,
        *permissions.THRESHOLD_SNIPPET,
    ):
        app_label, codename = name.split(".")
        assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), name
