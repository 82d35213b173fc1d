"""The threshold document in the Wagtail admin (issue 6 point 5): early help managers edit
drafts and publish them; a published version never changes, so an old assessment keeps the
indicators it was assessed against; nobody else gets in; every change is audited."""

from __future__ import annotations

import pytest

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from eh_assessments import thresholds
from eh_assessments.models import ThresholdDocument, ThresholdIndicator
from portal.accounts.roles import ROLES, ROLES_BY_SLUG
from portal.audit.models import AuditEvent
from tests.eh_assessments.test_selectors import make_assessment

pytestmark = pytest.mark.django_db

URLS = "wagtailsnippets_eh_assessments_thresholddocument"

# What portal/accounts/roles.py gives early help managers for this admin.
MANAGER_PERMISSIONS = ("wagtailadmin.access_admin", "eh_assessments.manage_thresholds")


def url(name: str, document=None) -> str:
    return reverse(f"{URLS}:{name}", args=[document.pk] if document is not None else [])


@pytest.fixture
def manager(make_user):
    group, _ = Group.objects.get_or_create(name=ROLES_BY_SLUG["early_help_manager"].name)
    for name in MANAGER_PERMISSIONS:
        app_label, codename = name.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return make_user("early_help_manager", email="ehm@example.org")


@pytest.fixture
def v1():
    return ThresholdDocument.objects.get(version=1)


def post_data(document, user, **changes):
    """The edit form's current values as a POST body (management forms included)."""
    form_class = ThresholdDocument.snippet_viewset.get_form_class(for_update=True)
    form = form_class(instance=document, for_user=user)
    data: dict[str, object] = {}

    def put(bound_form):
        for field in bound_form:
            value = field.value()
            if isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = value

    put(form)
    for formset in form.formsets.values():
        put(formset.management_form)
        for child in formset.forms:
            put(child)
    data.update(changes)
    return data


def assert_refused(response, target: str) -> None:
    """Wagtail answers a PermissionDenied with a redirect to the dashboard (and a message)."""
    assert response.status_code in (302, 403), target
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home"), target


def new_draft(client, document) -> ThresholdDocument:
    response = client.post(url("new_version", document))
    assert response.status_code == 302
    draft = ThresholdDocument.objects.order_by("-version").first()
    assert response["Location"] == url("edit", draft)
    return draft


# --- Access ---------------------------------------------------------------------------------------
def test_manager_sees_the_menu_item_and_the_versions(signed_in, manager, v1):
    client = signed_in(manager)
    home = client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    assert url("list") in home.content.decode()
    listing = client.get(url("list"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Levels of need — version 1 (published)" in page
    assert url("new_version", v1) in page
    assert url("publish", v1) not in page  # already published


OTHER_ROLES = [role.slug for role in ROLES if role.slug != "early_help_manager"]


@pytest.mark.parametrize("slug", OTHER_ROLES)
def test_other_roles_get_no_menu_item_and_no_page(signed_in, make_user, slug, v1):
    user = make_user(slug, email=f"{slug}@example.org")
    client = signed_in(user)
    home = client.get(reverse("wagtailadmin_home"))
    if home.status_code == 200:  # roles with the Wagtail admin (directory, LA lead, administrator)
        assert url("list") not in home.content.decode()
    for target in (url("list"), url("add"), url("edit", v1), url("new_version", v1), url("publish", v1)):
        response = client.get(target)
        assert response.status_code in (302, 403), (slug, target)
        if response.status_code == 302:
            assert response["Location"] != target
            assert not response["Location"].startswith(url("list"))
    assert client.post(url("new_version", v1)).status_code in (302, 403)
    assert ThresholdDocument.objects.count() == 1


def test_signed_out_is_sent_to_sign_in(client, v1):
    response = client.get(url("edit", v1))
    assert response.status_code == 302
    assert "login" in response["Location"] or "accounts" in response["Location"]


# --- A published version is read only --------------------------------------------------------------
def test_published_edit_page_is_read_only_and_says_why(signed_in, manager, v1):
    page = signed_in(manager).get(url("edit", v1))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Version 1 is published, so it cannot be changed" in text
    assert "Domestic abuse with a risk of serious harm, or a MARAC referral" in text  # contents shown
    assert url("new_version", v1) in text
    assert 'name="title"' not in text  # no editable fields
    assert "levels-TOTAL_FORMS" not in text


def test_saving_a_published_version_changes_nothing(signed_in, manager, v1):
    client = signed_in(manager)
    before = list(v1.indicators.values_list("code", "text"))
    data = post_data(v1, manager, title="Rewritten")
    data["indicators-0-text"] = "Changed after publication"
    response = client.post(url("edit", v1), data)
    assert response.status_code == 302
    assert response["Location"] == url("edit", v1)
    v1.refresh_from_db()
    assert v1.title == "Levels of need"
    assert list(v1.indicators.values_list("code", "text")) == before
    follow = client.get(response["Location"])
    assert "Version 1 is published, so it cannot be changed" in follow.content.decode()
    assert not AuditEvent.objects.filter(object_type="eh_assessments.thresholddocument").exists()


def test_published_version_cannot_be_deleted(signed_in, manager, v1):
    client = signed_in(manager)
    assert_refused(client.get(url("delete", v1)), "get")
    assert_refused(client.post(url("delete", v1)), "post")
    assert ThresholdDocument.objects.filter(pk=v1.pk).exists()


# --- New version, edit, publish -----------------------------------------------------------------
def test_new_version_copies_levels_and_indicators_into_a_draft(signed_in, manager, v1):
    client = signed_in(manager)
    confirm = client.get(url("new_version", v1))
    assert confirm.status_code == 200
    assert "copies the title, levels and indicators of version 1" in confirm.content.decode()

    draft = new_draft(client, v1)
    assert draft.version == 2 and not draft.is_published
    assert draft.created_by == manager
    assert list(draft.levels.values_list("number", "name", "description", "response")) == list(
        v1.levels.values_list("number", "name", "description", "response")
    )
    fields = ("level", "area", "code", "text", "domestic_abuse", "sort_order")
    assert list(draft.indicators.order_by("sort_order").values_list(*fields)) == list(
        v1.indicators.order_by("sort_order").values_list(*fields)
    )
    assert thresholds.current_document() == v1  # a draft is not current
    event = AuditEvent.objects.get(object_type="eh_assessments.thresholddocument", object_id=str(draft.pk))
    assert event.action == AuditEvent.Action.CREATE
    assert event.user_id == manager.pk
    assert event.detail == {"version": 2, "copied_from": 1}


def test_manager_edits_a_draft(signed_in, manager, v1):
    client = signed_in(manager)
    draft = new_draft(client, v1)
    page = client.get(url("edit", draft))
    assert page.status_code == 200
    assert "levels-TOTAL_FORMS" in page.content.decode()

    data = post_data(draft, manager, title="Sunderland levels of need 2027")
    index = next(
        i
        for i in range(int(data["indicators-TOTAL_FORMS"]))
        if data[f"indicators-{i}-code"] == "l2-attendance-below-90"
    )
    data[f"indicators-{index}-text"] = "Persistent absence: attendance below 92%"
    response = client.post(url("edit", draft), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.title == "Sunderland levels of need 2027"
    assert draft.indicators.get(code="l2-attendance-below-90").text == "Persistent absence: attendance below 92%"
    assert v1.indicators.get(code="l2-attendance-below-90").text == "Persistent absence: school attendance below 90%"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, object_type="eh_assessments.thresholddocument", object_id=str(draft.pk)
    ).exists()


def test_duplicate_codes_and_levels_are_refused_with_a_message(signed_in, manager, v1):
    client = signed_in(manager)
    draft = new_draft(client, v1)
    data = post_data(draft, manager)
    data["indicators-1-code"] = data["indicators-0-code"]
    data["levels-1-number"] = data["levels-0-number"]
    response = client.post(url("edit", draft), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the duplicate data for document and code, which must be unique." in page
    assert "Please correct the duplicate data for document and number, which must be unique." in page
    assert draft.indicators.filter(code=data["indicators-1-code"]).count() == 1


def test_publishing_makes_a_draft_current_and_then_read_only(signed_in, manager, v1):
    client = signed_in(manager)
    draft = new_draft(client, v1)
    confirm = client.get(url("publish", draft))
    assert confirm.status_code == 200
    assert "can no longer be changed" in confirm.content.decode()
    response = client.post(url("publish", draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.published_by == manager
    assert thresholds.current_document() == draft
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, object_id=str(draft.pk), detail__published=True
    ).exists()
    # Now it is as immutable as version 1.
    assert "Version 2 is published, so it cannot be changed" in client.get(url("edit", draft)).content.decode()
    client.post(url("edit", draft), post_data(draft, manager, title="Too late"))
    draft.refresh_from_db()
    assert draft.title == "Levels of need"
    assert client.post(url("publish", draft)).status_code == 302  # refused with a message
    assert ThresholdDocument.objects.get(pk=draft.pk).published_at == draft.published_at


def test_publishing_an_incomplete_draft_is_refused_and_says_why(signed_in, manager, v1):
    client = signed_in(manager)
    draft = new_draft(client, v1)
    draft.levels.filter(number=4).delete()
    confirm = client.get(url("publish", draft))
    assert "level 4 is missing" in confirm.content.decode()
    response = client.post(url("publish", draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert not draft.is_published
    assert thresholds.current_document() == v1
    assert "level 4 is missing" in client.get(response["Location"]).content.decode()


def test_an_older_draft_cannot_be_published_over_a_newer_version(signed_in, manager, v1):
    client = signed_in(manager)
    older = new_draft(client, v1)
    newer = new_draft(client, v1)
    client.post(url("publish", newer))
    client.post(url("publish", older))
    older.refresh_from_db()
    assert not older.is_published
    assert thresholds.current_document() == newer


def test_a_draft_can_be_deleted(signed_in, manager, v1):
    client = signed_in(manager)
    draft = new_draft(client, v1)
    assert client.post(url("delete", draft)).status_code == 302
    assert not ThresholdDocument.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_id=str(draft.pk)).exists()


def test_a_blank_new_document_is_numbered_after_every_version(signed_in, manager, v1):
    client = signed_in(manager)
    new_draft(client, v1)  # version 2
    response = client.post(
        url("add"),
        {
            "title": "Blank",
            "summary": "",
            "levels-TOTAL_FORMS": "0",
            "levels-INITIAL_FORMS": "0",
            "levels-MIN_NUM_FORMS": "0",
            "levels-MAX_NUM_FORMS": "1000",
            "indicators-TOTAL_FORMS": "0",
            "indicators-INITIAL_FORMS": "0",
            "indicators-MIN_NUM_FORMS": "0",
            "indicators-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    blank = ThresholdDocument.objects.get(title="Blank")
    assert blank.version == 3 and not blank.is_published and blank.created_by == manager


# --- An old assessment keeps its document ---------------------------------------------------------
def test_an_old_assessment_keeps_the_indicators_it_was_assessed_against(signed_in, manager, v1):
    assessment = make_assessment(threshold_document=v1)
    before = {area: [(i.code, i.text, i.level) for i in items] for area, items in thresholds.indicators_for(v1).items()}

    client = signed_in(manager)
    draft = new_draft(client, v1)
    changed = draft.indicators.get(code="l2-attendance-below-90")
    changed.level, changed.text = 3, "Attendance below 85%"
    changed.save()
    ThresholdIndicator.objects.create(document=draft, level=2, area="safety", code="l2-new", text="New indicator")
    client.post(url("publish", draft))
    assert thresholds.current_document() == draft

    assessment.refresh_from_db()
    assert assessment.threshold_document_id == v1.pk
    document = ThresholdDocument.objects.get(pk=assessment.threshold_document_id)
    after = {
        area: [(i.code, i.text, i.level) for i in items] for area, items in thresholds.indicators_for(document).items()
    }
    assert after == before
    assert thresholds.recommend_level(document, ["l2-attendance-below-90"]).level == 2
    assert thresholds.recommend_level(draft, ["l2-attendance-below-90"]).level == 3
    # And the version it uses cannot be deleted.
    assert_refused(client.post(url("delete", v1)), "delete")
    assert ThresholdDocument.objects.filter(pk=v1.pk).exists()


def test_the_policy_names_the_managers_who_may_act(manager, make_user):
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(ThresholdDocument)
    make_user("lead_professional", email="not.a.manager@example.org")
    root = make_user(email="root@example.org", is_superuser=True)
    assert set(policy.users_with_any_permission(["change"])) == {manager, root}
    assert not policy.users_with_any_permission(["publish_everything"]).exists()
