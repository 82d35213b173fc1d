"""Editorial: the "Directory approval" workflow, organisation scope for service provider
editors, approval and rejection with a comment, scheduled publishing, revisions and the
temporarily-closed banner — exercised through the Wagtail admin as editors use it."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from wagtail.models import GroupPagePermission, Page, TaskState, Workflow, WorkflowState

from directory import services
from directory.models import ServicePage, ServiceStatus
from tests.directory.admin_forms import form_data
from tests.directory.factories import OrganisationFactory, ServicePageFactory, directory_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_org(db):
    return OrganisationFactory(name="Hendon Young Carers")


@pytest.fixture
def own_service(org):
    return ServicePageFactory(title="Wearside parenting group", organisation=org)


@pytest.fixture
def others_service(other_org):
    return ServicePageFactory(title="Hendon young carers club", organisation=other_org)


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def post_edit(client, page, action: str | None = None, **changes):
    data = form_data(client.get(edit_url(page)))
    data.update(changes)
    if action:
        data[f"action-{action}"] = "1"
    return client.post(edit_url(page), data)


# --- Set-up ----------------------------------------------------------------------------------


def test_directory_index_gets_the_approval_workflow_and_role_permissions(own_service):
    index = directory_index()
    workflow = own_service.get_workflow()
    assert workflow is not None and workflow.name == services.DIRECTORY_WORKFLOW_NAME
    task = workflow.tasks.get().specific
    assert [g.name for g in task.groups.all()] == ["Directory manager"]

    def codenames(group_name):
        return set(
            GroupPagePermission.objects.filter(page=index, group__name=group_name).values_list(
                "permission__codename", flat=True
            )
        )

    assert codenames("Service provider editor") == {"add_page", "change_page"}
    assert codenames("Directory manager") == {"add_page", "change_page", "publish_page", "lock_page", "unlock_page"}


def test_ensure_editorial_setup_is_idempotent(own_service):
    index = directory_index()
    before = GroupPagePermission.objects.filter(page=index).count()
    services.ensure_editorial_setup()
    services.ensure_editorial_setup()
    assert GroupPagePermission.objects.filter(page=index).count() == before
    assert Workflow.objects.filter(name=services.DIRECTORY_WORKFLOW_NAME).count() == 1
    assert Workflow.objects.get(name=services.DIRECTORY_WORKFLOW_NAME).workflow_tasks.count() == 1


# --- Scope: an editor sees and touches only their organisation's services ------------------------


def test_editor_explorer_lists_only_their_organisations_services(signed_in, editor, own_service, others_service):
    client = signed_in(editor)
    response = client.get(reverse("wagtailadmin_explore", args=[directory_index().pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wearside parenting group" in html
    assert "Hendon young carers club" not in html


def test_manager_explorer_lists_every_service(signed_in, manager, own_service, others_service):
    html = signed_in(manager).get(reverse("wagtailadmin_explore", args=[directory_index().pk])).content.decode()
    assert "Wearside parenting group" in html and "Hendon young carers club" in html


@pytest.mark.parametrize(
    "url_name",
    [
        "wagtailadmin_pages:edit",
        "wagtailadmin_pages:delete",
        "wagtailadmin_pages:copy",
        "wagtailadmin_pages:history",
        "wagtailadmin_pages:unpublish",
        "wagtailadmin_pages:move",
    ],
)
def test_editor_cannot_open_another_organisations_service(signed_in, editor, others_service, url_name):
    response = signed_in(editor).get(reverse(url_name, args=[others_service.pk]))
    assert response.status_code in (302, 403)
    if response.status_code == 302:  # Wagtail's "Sorry, you do not have permission" redirect
        assert response["Location"].rstrip("/").endswith("/admin")


def test_editor_cannot_post_changes_to_another_organisations_service(signed_in, editor, manager, others_service):
    data = form_data(signed_in(manager).get(edit_url(others_service)))
    data["title"] = "Taken over"
    data["action-submit"] = "1"
    client = signed_in(editor)
    response = client.post(edit_url(others_service), data)
    assert response.status_code in (302, 403)
    others_service.refresh_from_db()
    assert others_service.get_latest_revision_as_object().title == "Hendon young carers club"
    assert not WorkflowState.objects.filter(object_id=str(others_service.pk)).exists()
    delete = client.post(reverse("wagtailadmin_pages:delete", args=[others_service.pk]))
    assert delete.status_code in (302, 403)
    assert ServicePage.objects.filter(pk=others_service.pk).exists()
    client.post(reverse("wagtailadmin_pages:lock", args=[others_service.pk]))
    others_service.refresh_from_db()
    assert not others_service.locked


def test_editor_creating_a_service_can_choose_only_their_organisations(signed_in, editor, org, other_org):
    index = directory_index()
    add_url = reverse("wagtailadmin_pages:add", args=["directory", "servicepage", index.pk])
    client = signed_in(editor)
    response = client.get(add_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wearside Parents Together" in html
    assert "Hendon Young Carers" not in html

    data = form_data(response)
    data.update(title="Dads' group", slug="dads-group", summary="A group for dads.", organisation=str(other_org.pk))
    data["action-submit"] = "1"
    response = client.post(add_url, data)
    assert response.status_code == 200  # the form again, with an error
    assert not ServicePage.objects.filter(slug="dads-group").exists()

    data["organisation"] = str(org.pk)
    response = client.post(add_url, data)
    assert response.status_code == 302
    page = ServicePage.objects.get(slug="dads-group")
    assert page.organisation == org
    assert not page.live
    assert page.workflow_in_progress


# --- Moderation ----------------------------------------------------------------------------------


def test_editor_cannot_publish(signed_in, editor, own_service):
    client = signed_in(editor)
    html = client.get(edit_url(own_service)).content.decode()
    assert 'name="action-publish"' not in html
    assert 'name="action-submit"' in html
    post_edit(client, own_service, "publish", title="Published without approval")
    own_service.refresh_from_db()
    assert own_service.title == "Wearside parenting group"  # live title unchanged


def submit(client, page, **changes):
    response = post_edit(client, page, "submit", **changes)
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert page.workflow_in_progress
    return page


def workflow_action(client, page, action: str, comment: str = ""):
    task_state = TaskState.objects.get(workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])
    return client.post(url, {"comment": comment}), task_state


def test_editor_submits_and_manager_approves_with_a_comment(client, editor, manager, own_service):
    client.force_login(editor)
    submit(client, own_service, title="Wearside parenting group (new times)")
    own_service.refresh_from_db()
    assert own_service.title == "Wearside parenting group"  # still the old version for families

    # The editor cannot approve their own change.
    response, task_state = workflow_action(client, own_service, "approve", "self-approval")
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS

    client.force_login(manager)
    response, task_state = workflow_action(client, own_service, "approve", "Checked with the provider.")
    assert response.status_code == 302
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_APPROVED
    assert task_state.get_comment() == "Checked with the provider."
    own_service.refresh_from_db()
    assert own_service.title == "Wearside parenting group (new times)"
    assert own_service.live and not own_service.has_unpublished_changes


def test_manager_rejects_with_a_comment_and_the_change_stays_a_draft(client, editor, manager, own_service):
    client.force_login(editor)
    submit(client, own_service, summary="Now only on Tuesdays.")
    client.force_login(manager)
    response, task_state = workflow_action(client, own_service, "reject", "Please add the new venue.")
    assert response.status_code == 302
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.get_comment() == "Please add the new venue."
    own_service.refresh_from_db()
    assert own_service.summary != "Now only on Tuesdays."  # families still see the approved version
    assert own_service.get_latest_revision_as_object().summary == "Now only on Tuesdays."
    assert own_service.has_unpublished_changes
    # The editor sees the comment in the workflow history.
    client.force_login(editor)
    workflow_state = WorkflowState.objects.get(object_id=str(own_service.pk))
    url = reverse("wagtailadmin_pages:workflow_history_detail", args=[own_service.pk, workflow_state.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Please add the new venue." in response.content.decode()


def test_manager_can_publish_directly(signed_in, manager, own_service):
    response = post_edit(signed_in(manager), own_service, "publish", title="Renamed by the directory team")
    assert response.status_code == 302
    own_service.refresh_from_db()
    assert own_service.title == "Renamed by the directory team"


def test_revisions_can_be_compared(signed_in, manager, own_service):
    client = signed_in(manager)
    post_edit(client, own_service, None, summary="A new summary for the comparison.")
    own_service.refresh_from_db()
    first, latest = own_service.revisions.order_by("created_at", "pk")[0], own_service.latest_revision
    url = reverse("wagtailadmin_pages:revisions_compare", args=[own_service.pk, first.pk, latest.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "A new summary for the comparison." in response.content.decode()


# --- Scheduled publishing ---------------------------------------------------------------------------


def test_scheduled_publish_and_unpublish(signed_in, manager, own_service):
    client = signed_in(manager)
    tz = timezone.get_current_timezone()
    go_live = (timezone.localtime() + datetime.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    expire = go_live + datetime.timedelta(days=5)
    response = post_edit(
        client,
        own_service,
        "publish",
        summary="From next week: a new evening group.",
        go_live_at=go_live.strftime("%Y-%m-%d %H:%M"),
        expire_at=expire.strftime("%Y-%m-%d %H:%M"),
    )
    assert response.status_code == 302
    own_service.refresh_from_db()
    assert own_service.summary != "From next week: a new evening group."  # scheduled, not yet live
    assert own_service.live  # the current version stays up meanwhile

    with time_machine.travel(go_live + datetime.timedelta(minutes=1), tick=False):
        call_command("publish_scheduled")
    own_service.refresh_from_db()
    assert own_service.summary == "From next week: a new evening group."
    assert own_service.live

    with time_machine.travel(expire + datetime.timedelta(minutes=1), tick=False):
        call_command("publish_scheduled")
    own_service.refresh_from_db()
    assert not own_service.live
    assert own_service.expired
    assert go_live.tzinfo is not None and tz is not None


def test_scheduled_publish_keeps_a_verification_made_meanwhile(signed_in, manager, own_service):
    client = signed_in(manager)
    own_service.assured_date = timezone.localdate() - datetime.timedelta(days=200)
    own_service.save(clean=False, update_fields=["assured_date", "review_due_on"])
    go_live = timezone.now() + datetime.timedelta(days=1)
    post_edit(client, own_service, "publish", go_live_at=timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M"))
    services.record_verification(own_service, user=manager)
    with time_machine.travel(go_live + datetime.timedelta(minutes=5), tick=False):
        call_command("publish_scheduled")
    own_service.refresh_from_db()
    assert own_service.assured_date == timezone.localdate()
    assert own_service.assurer == manager


# --- The temporarily closed banner -------------------------------------------------------------


def test_banner_for_a_temporarily_closed_service():
    page = ServicePageFactory(status=ServiceStatus.TEMPORARILY_CLOSED, alert="Closed for repairs until 3 March.")
    assert page.banner == {
        "title": "Important",
        "heading": "This service is temporarily closed",
        "text": "Closed for repairs until 3 March.",
        "important": True,
    }
    open_with_alert = ServicePageFactory(alert="Meeting in the library this week.")
    assert open_with_alert.banner["text"] == "Meeting in the library this week."
    assert not open_with_alert.banner["important"]
    assert ServicePageFactory(alert="").banner is None


def test_page_is_a_page():
    assert issubclass(ServicePage, Page)


def test_editor_admin_page_search_finds_only_their_organisations_services(
    signed_in, editor, own_service, others_service
):
    client = signed_in(editor)
    html = client.get(reverse("wagtailadmin_pages:search"), {"q": "Wearside Hendon parenting carers"}).content.decode()
    html += client.get(reverse("wagtailadmin_pages:search_results"), {"q": "club"}).content.decode()
    html += client.get(reverse("wagtailadmin_pages:search_results"), {"q": "group"}).content.decode()
    assert "Wearside parenting group" in html
    assert "Hendon young carers club" not in html


def test_manager_admin_page_search_finds_every_service(signed_in, manager, own_service, others_service):
    html = signed_in(manager).get(reverse("wagtailadmin_pages:search_results"), {"q": "club"}).content.decode()
    assert "Hendon young carers club" in html
