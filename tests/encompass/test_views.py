"""The key adult's pages: scoped (another school's notification is a 404), audited (every
read writes an audit row), acknowledged once."""

import pytest

from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.encompass.models import NotifiedChild

from .factories import NotifiedChildFactory


@pytest.fixture
def child(school, key_adult):
    return NotifiedChildFactory(school=school, given_name="Amy", family_name="Jones")


@pytest.fixture
def other_child(other_school):
    return NotifiedChildFactory(school=other_school, given_name="Zoe", family_name="Other")


def views_of(child):
    return AuditEvent.objects.filter(object_type="encompass.notifiedchild", object_id=str(child.pk), action="view")


def test_key_adult_sees_own_school_only(signed_in, key_adult, child, other_child):
    client = signed_in(key_adult)
    page = client.get(reverse("encompass:list"))
    assert page.status_code == 200
    assert "Amy Jones" in page.content.decode() and "Zoe" not in page.content.decode()
    assert views_of(child).get().detail["in_list"] is True
    assert not views_of(other_child).exists()


def test_detail_is_audited(signed_in, key_adult, child):
    response = signed_in(key_adult).get(reverse("encompass:detail", kwargs={"pk": child.pk}))
    assert response.status_code == 200
    assert child.notification.summary in response.content.decode()
    event = views_of(child).get()
    assert event.user_id == key_adult.pk and event.object_repr == child.reference
    assert "Amy" not in event.object_repr


def test_key_adult_of_school_a_gets_404_for_school_b(signed_in, key_adult, other_child):
    client = signed_in(key_adult)
    for name in ("encompass:detail", "encompass:acknowledge"):
        assert client.get(reverse(name, kwargs={"pk": other_child.pk})).status_code == 404
    assert (
        client.post(
            reverse("encompass:acknowledge", kwargs={"pk": other_child.pk}), {"action_taken": "other"}
        ).status_code
        == 404
    )
    assert not views_of(other_child).exists()
    other_child.refresh_from_db()
    assert other_child.acknowledged_at is None


def test_deputy_reads_own_school(signed_in, deputy, child):
    assert signed_in(deputy).get(reverse("encompass:detail", kwargs={"pk": child.pk})).status_code == 200


@pytest.mark.parametrize("role", ["lead_professional", "commissioner", "police_encompass_officer", "administrator"])
def test_other_roles_are_refused(signed_in, make_user, child, role):
    client = signed_in(make_user(role))
    assert client.get(reverse("encompass:list")).status_code == 403
    assert client.get(reverse("encompass:detail", kwargs={"pk": child.pk})).status_code == 403


def test_key_adult_without_a_school_sees_nothing(signed_in, make_user, child):
    client = signed_in(make_user("school_key_adult"))
    assert client.get(reverse("encompass:detail", kwargs={"pk": child.pk})).status_code == 404


def test_la_lead_sees_every_school_and_front_door_only_its_own(signed_in, make_user, child, other_child):
    lead = signed_in(make_user("la_encompass_lead"))
    assert lead.get(reverse("encompass:detail", kwargs={"pk": other_child.pk})).status_code == 200
    front = make_user("front_door")
    ehe = NotifiedChildFactory(school=None, routed_to=NotifiedChild.Route.FRONT_DOOR)
    client = signed_in(front)
    assert client.get(reverse("encompass:detail", kwargs={"pk": ehe.pk})).status_code == 200
    assert client.get(reverse("encompass:detail", kwargs={"pk": child.pk})).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, child):
    response = client.get(reverse("encompass:detail", kwargs={"pk": child.pk}))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_mfa_is_required(signed_in, key_adult, child, settings):
    settings.REQUIRE_MFA = True
    response = signed_in(key_adult).get(reverse("encompass:detail", kwargs={"pk": child.pk}))
    assert response.status_code == 302 and response.url.startswith(settings.MFA_SETUP_URL)


def test_acknowledge_records_action_and_audits(signed_in, key_adult, child):
    client = signed_in(key_adult)
    url = reverse("encompass:acknowledge", kwargs={"pk": child.pk})
    form = client.get(url)
    assert form.status_code == 200 and "What action has the school taken?" in form.content.decode()
    empty = client.post(url, {})
    assert empty.status_code == 200
    body = empty.content.decode()
    assert "<title>Error: " in body and "Select the action the school has taken" in body
    done = client.post(url, {"action_taken": "silent_support", "action_notes": "Checked in with Amy."})
    assert done.status_code == 302 and done.url == reverse("encompass:detail", kwargs={"pk": child.pk})
    child.refresh_from_db()
    assert child.acknowledged_by == key_adult and child.action_taken == "silent_support"
    event = AuditEvent.objects.get(action="acknowledge")
    assert event.object_id == str(child.pk) and event.detail["action_taken"] == "silent_support"
    # A second acknowledgement changes nothing.
    again = client.post(url, {"action_taken": "other"})
    assert again.status_code == 302
    child.refresh_from_db()
    assert child.action_taken == "silent_support"
    assert AuditEvent.objects.filter(action="acknowledge").count() == 1
    page = client.get(reverse("encompass:detail", kwargs={"pk": child.pk})).content.decode()
    assert "Silent support" in page and "Acknowledge this notification" not in page


def test_portal_card_for_key_adults(signed_in, key_adult, make_user):
    assert reverse("encompass:list") in signed_in(key_adult).get(reverse("portal_home")).content.decode()
