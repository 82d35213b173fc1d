"""The assessment pages: my assessments, start (also for a key adult's pupil and from a request
for help), the task list and its statuses, family members, access (404 for assessments the
user may not see, no changes to submitted ones), audit, the portal card, and query counts that
stay the same as the family grows."""

from __future__ import annotations

import datetime

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eh_assessments import steps as registry
from eh_assessments.models import Assessment, Person, Relationship
from portal.audit.models import AuditEvent
from portal.encompass.models import Pupil
from tests.eh_assessments.conftest import date_parts, fill_steps, next_step_of, step_post, step_url, valid_step_data
from tests.eh_assessments.factories import AssessmentFactory, ChildFactory, ReferralFactory, years_ago
from tests.encompass.factories import SchoolFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eh_roles")]


def task_list_url(assessment) -> str:
    return reverse("eh_assessments:task_list", kwargs={"pk": assessment.uuid})


# --- My assessments and starting --------------------------------------------------------------
def test_my_assessments_lists_drafts_first_with_status_tags(client, lead, family):
    submitted = AssessmentFactory(lead_professional=lead, status=Assessment.Status.SUBMITTED)
    draft = AssessmentFactory(lead_professional=lead)
    AssessmentFactory()  # someone else's
    client.force_login(lead)
    page = client.get(reverse("eh_assessments:list")).content.decode()
    assert page.index(draft.reference) < page.index(submitted.reference)
    assert '<strong class="govuk-tag govuk-tag--yellow">Draft</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--blue">Submitted</strong>' in page
    assert page.count("EHA-") == 2
    listed = set(AuditEvent.objects.filter(detail__in_list=True).values_list("object_id", flat=True))
    assert listed == {str(draft.pk), str(submitted.pk)}


def test_starting_an_assessment_goes_to_its_task_list(client, lead):
    client.force_login(lead)
    assert "Start now" in client.get(reverse("eh_assessments:start")).content.decode()
    response = client.post(reverse("eh_assessments:start"))
    assessment = Assessment.objects.get(lead_professional=lead)
    assert response["Location"] == task_list_url(assessment)


def test_starting_from_a_request_for_help(client, lead):
    referral = ReferralFactory(family__created_by=lead)
    client.force_login(lead)
    url = reverse("eh_assessments:start") + f"?referral={referral.uuid}"
    assert referral.reference in client.get(url).content.decode()
    client.post(url)
    assert Assessment.objects.get(lead_professional=lead).family == referral.family


def test_a_request_for_help_of_a_family_the_user_cannot_see_is_not_found(client, lead):
    referral = ReferralFactory()
    client.force_login(lead)
    assert client.get(reverse("eh_assessments:start") + f"?referral={referral.uuid}").status_code == 404


@pytest.fixture
def school(db):
    return SchoolFactory(urn=100001, name="Hylton Primary School", la_code="394")


@pytest.fixture
def key_adult(eh_roles, make_user, school):
    user = make_user("school_key_adult", email="dsl@example.org")
    school.key_adults.add(user)
    return user


def test_a_key_adult_starts_an_assessment_for_a_pupil_of_their_school(client, key_adult, school):
    pupil = Pupil.objects.create(given_name="Rory", family_name="Lee", date_of_birth=years_ago(9), school=school)
    elsewhere = Pupil.objects.create(
        given_name="Other", family_name="Pupil", date_of_birth=years_ago(9), school=SchoolFactory(urn=100002)
    )
    client.force_login(key_adult)
    page = client.get(reverse("eh_assessments:start")).content.decode()
    assert "Rory Lee" in page and "Other Pupil" not in page

    response = client.post(reverse("eh_assessments:start"), {})
    assert "Select the pupil the assessment is for" in response.content.decode()
    response = client.post(reverse("eh_assessments:start"), {"pupil": elsewhere.pk})
    assert "Select a pupil of your school" in response.content.decode()
    assert not Assessment.objects.exists()

    client.post(reverse("eh_assessments:start"), {"pupil": pupil.pk})
    assessment = Assessment.objects.get()
    assert assessment.started_by_school == school and assessment.lead_professional == key_adult
    child = assessment.family.people.get()
    assert (child.full_name, child.kind, child.school) == ("Rory Lee", Person.CHILD, school)


def test_roles_without_assessments_cannot_start_one(client, make_user):
    officer = make_user("police_encompass_officer")
    client.force_login(officer)
    assert client.get(reverse("eh_assessments:start")).status_code == 403
    assert client.get(reverse("eh_assessments:list")).status_code == 403


def test_the_portal_card_shows_for_roles_that_start_assessments(client, lead, make_user):
    client.force_login(lead)
    assert reverse("eh_assessments:list") in client.get(reverse("portal_home")).content.decode()
    client.force_login(make_user("police_encompass_officer"))
    assert reverse("eh_assessments:list") not in client.get(reverse("portal_home")).content.decode()


# --- The task list ----------------------------------------------------------------------------
def _status(page: str, task: str) -> str:
    import re

    match = re.search(rf'id="task-{re.escape(task)}-status">(.*?)</div>', page, re.S)
    assert match, task
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_task_list_statuses(client, lead, assessment):
    client.force_login(lead)
    page = client.get(task_list_url(assessment)).content.decode()
    assert _status(page, "about") == "Not yet started"
    assert _status(page, "children") == "Cannot start yet"  # no children added yet
    assert _status(page, "level-of-need") == "Cannot start yet"
    assert _status(page, "check-answers") == "Cannot start yet"
    assert f'href="{step_url(assessment, "level-of-need")}"' not in page

    child = ChildFactory(family=assessment.family, given_name="Alex")
    fill_steps(assessment, lead, until="parenting")
    page = client.get(task_list_url(assessment)).content.decode()
    assert _status(page, "about") == "Completed"
    assert _status(page, registry.child_step_name(registry.DEVELOPMENT, child)) == "Completed"
    assert "Alex" in page
    assert _status(page, "parenting") == "Not yet started"
    assert _status(page, "level-of-need") == "Cannot start yet"

    fill_steps(assessment, lead, until="level-of-need")
    page = client.get(task_list_url(assessment)).content.decode()
    assert _status(page, "level-of-need") == "Not yet started"
    assert f'href="{step_url(assessment, "level-of-need")}"' in page


def test_a_step_that_cannot_start_yet_sends_back_to_the_task_list(client, lead, assessment):
    client.force_login(lead)
    response = client.get(step_url(assessment, "level-of-need"))
    assert response["Location"] == task_list_url(assessment)


def test_a_step_that_does_not_apply_is_not_found(client, lead, assessment):
    client.force_login(lead)
    assert client.get(step_url(assessment, "domestic-abuse")).status_code == 404
    assert client.get(step_url(assessment, "no-such-step")).status_code == 404


def test_task_list_reads_are_audited(client, lead, assessment):
    client.force_login(lead)
    client.get(task_list_url(assessment))
    event = AuditEvent.objects.get(action="view", object_id=str(assessment.pk))
    assert event.user_id == lead.pk and event.object_repr == assessment.reference


def test_step_reads_are_audited(client, lead, assessment):
    client.force_login(lead)
    client.get(step_url(assessment, "about"))
    assert AuditEvent.objects.filter(action="view", object_id=str(assessment.pk), detail__step="about").exists()


# --- Family members ---------------------------------------------------------------------------
def test_add_change_and_remove_a_family_member(client, lead, assessment):
    client.force_login(lead)
    family_step = step_url(assessment, "family")
    assert "Add a family member" in client.get(family_step).content.decode()
    add = reverse("eh_assessments:person_add", kwargs={"pk": assessment.uuid})
    data = {
        "kind": "child",
        "given_name": "Alex",
        "family_name": "Smith",
        **date_parts("date_of_birth", datetime.date.today().replace(year=datetime.date.today().year - 7)),
        "lives_in_household": "yes",
    }
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:200]
    assert response["Location"] == family_step
    person = Person.objects.get(family=assessment.family)
    page = client.get(family_step).content.decode()
    assert "You have added 1 family member" in page and "Alex Smith" in page

    change = reverse("eh_assessments:person_change", kwargs={"pk": assessment.uuid, "person_pk": person.uuid})
    assert 'value="Alex"' in client.get(change).content.decode()
    client.post(change, {**data, "given_name": "Alexandra"})
    person.refresh_from_db()
    assert person.given_name == "Alexandra"

    remove = reverse("eh_assessments:person_remove", kwargs={"pk": assessment.uuid, "person_pk": person.uuid})
    confirm = client.get(remove).content.decode()
    assert "Are you sure you want to remove Alexandra Smith" in confirm
    assert Person.objects.filter(pk=person.pk).exists()  # asking does not remove
    assert client.post(remove)["Location"] == family_step
    assert not Person.objects.filter(pk=person.pk).exists()


def test_a_family_members_main_carer_is_recorded_changed_and_cleared(client, lead, assessment, kim):
    client.force_login(lead)
    add = reverse("eh_assessments:person_add", kwargs={"pk": assessment.uuid})
    data = {
        "kind": "child",
        "given_name": "Alex",
        "family_name": "Smith",
        **date_parts("date_of_birth", datetime.date.today().replace(year=datetime.date.today().year - 7)),
        "lives_in_household": "yes",
        "main_carer": str(kim.uuid),
        "relationship": "parent",
    }
    assert client.post(add, data).status_code == 302
    alex = Person.objects.get(family=assessment.family, given_name="Alex")
    assert list(Relationship.objects.filter(relative=alex).values_list("person", "kind")) == [(kim.pk, "parent")]

    change = reverse("eh_assessments:person_change", kwargs={"pk": assessment.uuid, "person_pk": alex.uuid})
    page = client.get(change).content.decode()
    assert f'value="{kim.uuid}" selected' in page  # the saved answer is shown back
    client.post(change, {**data, "relationship": "step_parent"})
    assert list(Relationship.objects.filter(relative=alex).values_list("kind", flat=True)) == ["step_parent"]

    client.post(change, {**data, "main_carer": "", "relationship": ""})
    assert not Relationship.objects.filter(relative=alex).exists()


def test_bad_family_member_input_shows_errors_and_keeps_what_was_typed(client, lead, assessment):
    client.force_login(lead)
    add = reverse("eh_assessments:person_add", kwargs={"pk": assessment.uuid})
    future = datetime.date.today() + datetime.timedelta(days=10)
    response = client.post(
        add,
        {"kind": "child", "given_name": "Alex", "family_name": "", **date_parts("date_of_birth", future)},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert 'value="Alex"' in page
    assert not Person.objects.exists()


def test_the_family_step_needs_a_child(client, lead, assessment, kim):
    client.force_login(lead)
    response = client.post(step_url(assessment, "family"), step_post(assessment, "family", {"add_another": "no"}))
    assert "Add at least one child or young person" in response.content.decode()


# --- Access -----------------------------------------------------------------------------------
def _pages(assessment, person=None):
    pk = assessment.uuid
    urls = [
        task_list_url(assessment),
        step_url(assessment, "about"),
        reverse("eh_assessments:print", kwargs={"pk": pk}),
        reverse("eh_assessments:confirmation", kwargs={"pk": pk}),
        reverse("eh_assessments:person_add", kwargs={"pk": pk}),
    ]
    if person is not None:
        urls += [
            reverse("eh_assessments:person_change", kwargs={"pk": pk, "person_pk": person.uuid}),
            reverse("eh_assessments:person_remove", kwargs={"pk": pk, "person_pk": person.uuid}),
        ]
    return urls


def test_other_users_get_not_found_for_every_page(client, assessment, alex, make_user, eh_roles):
    outsider = make_user("lead_professional", email="outsider@example.org")
    client.force_login(outsider)
    for url in _pages(assessment, alex):
        assert client.get(url).status_code == 404, url
    assert client.post(step_url(assessment, "about"), step_post(assessment, "about", {})).status_code == 404
    assert not AuditEvent.objects.filter(object_id=str(assessment.pk), action="view").exists()


def test_a_manager_sees_a_team_draft_but_cannot_change_it(client, manager, assessment, alex):
    client.force_login(manager)
    page = client.get(task_list_url(assessment)).content.decode()
    assert "You can see this draft but not change it" in page
    assert client.get(step_url(assessment, "about"))["Location"] == task_list_url(assessment)
    assert client.post(step_url(assessment, "about"), step_post(assessment, "about", {})).status_code == 403


def test_a_submitted_assessment_cannot_be_changed(client, lead, assessment, alex):
    fill_steps(assessment, lead)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    client.force_login(lead)
    printable = reverse("eh_assessments:print", kwargs={"pk": assessment.uuid})
    assert client.get(task_list_url(assessment))["Location"] == printable
    assert client.get(step_url(assessment, "about"))["Location"] == printable
    about = registry.steps_for(assessment)[0]
    response = client.post(
        step_url(assessment, "about"), step_post(assessment, "about", valid_step_data(assessment, about))
    )
    assert response.status_code == 403
    assert client.post(reverse("eh_assessments:person_add", kwargs={"pk": assessment.uuid}), {}).status_code == 403


def test_signed_out_users_are_sent_to_sign_in(client, assessment):
    for url in _pages(assessment):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


# --- Query counts as the family grows ---------------------------------------------------------
def _family_of(lead, children: int):
    assessment = AssessmentFactory(lead_professional=lead)
    for i in range(children):
        ChildFactory(family=assessment.family, given_name=f"Child{i}", date_of_birth=years_ago(2 + i))
    fill_steps(assessment, lead, until="risks")
    return assessment


def _queries(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    assert response.status_code in (200, 302)
    return len(ctx.captured_queries)


def test_task_list_and_step_post_queries_stay_the_same_from_1_to_10_children(
    client, lead, django_assert_max_num_queries
):
    small, large = _family_of(lead, 1), _family_of(lead, 10)
    client.force_login(lead)
    client.get(task_list_url(small))  # warm the session and content types
    task_list = _queries(client, "get", task_list_url(small))
    with django_assert_max_num_queries(task_list):
        client.get(task_list_url(large))

    for name in ("risks", "parenting"):
        step = next(s for s in registry.steps_for(small) if s.name == name)
        post = _queries(client, "post", step_url(small, name), step_post(small, name, valid_step_data(small, step)))
        step = next(s for s in registry.steps_for(large) if s.name == name)
        data = step_post(large, name, valid_step_data(large, step))
        with django_assert_max_num_queries(post):
            response = client.post(step_url(large, name), data)
        assert next_step_of(response)
