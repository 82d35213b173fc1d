"""AuditedObjectMixin, @audited and record_list give a view its audit line, on success only."""

from __future__ import annotations

import pytest

from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist

from portal.audit.models import AuditEvent

pytestmark = [pytest.mark.urls("tests.audit.urls"), pytest.mark.django_db]


def _audit_lines(**filters):
    # Signing in is recorded too; these tests are about the view's own lines.
    return list(AuditEvent.objects.exclude(action="sign_in").filter(**filters).order_by("id"))


@pytest.fixture
def viewer(signed_in, make_user):
    return signed_in(make_user("early_help_manager", email="viewer@example.org"))


@pytest.fixture
def subject(make_user):
    return make_user(email="subject@example.org", first_name="Jane", last_name="Smith")


# --- AuditedObjectMixin ----------------------------------------------------------------
def test_the_mixin_records_one_view_of_the_object(viewer, subject):
    response = viewer.get(f"/t/users/{subject.pk}/")
    assert response.status_code == 200
    [line] = _audit_lines()  # get_object() ran twice; one line
    assert (line.action, line.object_type, line.object_id) == ("view", "accounts.user", str(subject.pk))
    assert (line.object_repr, line.user_email, line.request_id) == (
        f"USR-{subject.pk}",
        "viewer@example.org",
        response["X-Request-ID"],
    )


def test_the_mixin_records_nothing_on_404(viewer):
    assert viewer.get("/t/users/999999/").status_code == 404
    assert _audit_lines() == []


def test_the_mixin_records_nothing_when_access_is_refused_after_fetching(viewer, subject):
    assert viewer.get(f"/t/users/{subject.pk}/forbidden/").status_code == 403
    assert _audit_lines() == []


def test_the_mixin_records_nothing_when_a_get_redirects(viewer, subject):
    assert viewer.get(f"/t/users/{subject.pk}/redirect/").status_code == 302
    assert _audit_lines() == []


def test_the_mixin_records_nothing_when_the_page_fails_to_render(viewer, subject):
    with pytest.raises(TemplateDoesNotExist):
        viewer.get(f"/t/users/{subject.pk}/broken/")
    assert _audit_lines() == []


def test_the_mixin_records_a_successful_post_with_its_action_and_the_deleted_id(viewer, subject):
    subject_pk = subject.pk
    response = viewer.post(f"/t/users/{subject_pk}/delete/")
    assert response.status_code == 302
    [line] = _audit_lines()
    assert (line.action, line.object_type, line.object_id) == ("delete", "accounts.user", str(subject_pk))


# --- @audited --------------------------------------------------------------------------
def test_the_decorator_records_a_2xx(viewer, subject):
    assert viewer.get(f"/t/fn/{subject.pk}/").status_code == 200
    [line] = _audit_lines()
    assert (line.action, line.object_type, line.object_id, line.path) == (
        "view",
        "accounts.user",
        str(subject.pk),
        f"/t/fn/{subject.pk}/",
    )


def test_the_decorator_records_a_template_response_once_rendered(viewer, subject):
    assert viewer.get(f"/t/fn/{subject.pk}/", {"status": "template"}).status_code == 200
    assert len(_audit_lines(object_id=str(subject.pk))) == 1


@pytest.mark.parametrize(("query", "status"), [({"status": "403"}, 403), ({"status": "302"}, 302)])
def test_the_decorator_records_nothing_for_a_refusal_or_a_redirected_get(viewer, subject, query, status):
    assert viewer.get(f"/t/fn/{subject.pk}/", query).status_code == status
    assert _audit_lines() == []


def test_the_decorator_records_nothing_on_404(viewer):
    assert viewer.get("/t/fn/999999/").status_code == 404
    assert _audit_lines() == []


def test_the_decorator_records_a_post_that_redirects(viewer, subject):
    assert viewer.post(f"/t/fn/{subject.pk}/acknowledge/").status_code == 302
    [line] = _audit_lines()
    assert (line.action, line.object_type, line.object_id) == ("acknowledge", "accounts.user", str(subject.pk))


def test_the_decorator_fails_loudly_when_the_url_lacks_its_keyword(viewer, subject):
    with pytest.raises(ImproperlyConfigured, match="'id'"):
        viewer.get(f"/t/fn/{subject.pk}/wrong/")
    assert _audit_lines() == []


def test_the_decorator_refuses_an_object_type_that_is_not_a_label():
    from portal.audit.decorators import audited

    with pytest.raises(ImproperlyConfigured):
        audited("view", object_type="notification")


# --- record_list -----------------------------------------------------------------------
def test_a_list_view_records_each_listed_object(viewer, make_user):
    others = [make_user() for _ in range(2)]
    response = viewer.get("/t/list/")
    assert response.status_code == 200
    listed = {line.object_id for line in _audit_lines(object_type="accounts.user")}
    assert {str(u.pk) for u in others} <= listed
    assert {line.request_id for line in _audit_lines()} == {response["X-Request-ID"]}
