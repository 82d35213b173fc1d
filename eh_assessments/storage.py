"""Where the wizard keeps its answers: the assessment row, never the session.

Two halves:

- :func:`to_json` / :func:`from_json` turn a step form's ``cleaned_data`` into JSON-safe
  values and back (dates as ISO strings, ``Decimal`` as a string, a model instance as its
  ``uuid`` when it has one, otherwise its primary key). Only cleaned values are ever stored:
  never the CSRF token, the management form or anything else that was posted.
- :class:`AssessmentStorage`, a django-formtools storage backend keyed by the assessment.
  Its step data are ``Assessment.sections``; writes go through
  :func:`eh_assessments.services.save_step`, so every Continue is a transaction with the
  optimistic-concurrency check on ``Assessment.version``. The "current step" is the step in
  the URL (NamedUrlWizardView), so nothing about where the user is needs storing: any device,
  any browser, after signing out, the same draft opens where its task list says.

``sections`` holds ``{step name: cleaned values}`` plus one reserved key, ``"_progress"``
(:data:`PROGRESS_KEY`): ``{step name: "in_progress"}`` for steps saved with "Save and come
back later" rather than Continue. Step names never start with an underscore.
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Mapping
from typing import Any

from formtools.wizard.storage.base import BaseStorage

from django import forms
from django.core.files.base import File
from django.db import models

PROGRESS_KEY = "_progress"
IN_PROGRESS = "in_progress"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")


def to_json(cleaned_data: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-safe form of a form's ``cleaned_data`` (see the module docstring).
    Raises ``TypeError`` for anything that cannot be stored faithfully (an uploaded file)."""
    return {str(key): _to_json_value(value) for key, value in cleaned_data.items()}


def _to_json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return str(value)  # a plain str, not a SafeString or another subclass
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        key = getattr(value, "uuid", None)
        return str(key) if isinstance(key, uuid.UUID) else value.pk
    if isinstance(value, File):
        raise TypeError("Uploaded files cannot be kept in an assessment's answers.")
    if isinstance(value, Mapping):
        return to_json(value)
    if isinstance(value, models.QuerySet):
        return [_to_json_value(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((_to_json_value(item) for item in value), key=str)
    if isinstance(value, list | tuple):
        return [_to_json_value(item) for item in value]
    raise TypeError(f"Cannot store a {type(value).__name__} in an assessment's answers.")


def from_json(data: Mapping[str, Any] | None, fields: Mapping[str, forms.Field] | None = None) -> dict[str, Any]:
    """Stored values back as Python values fit for a form's ``initial``.

    With ``fields`` (a form's ``fields``), each value is converted by its field's type: a
    ``DateField`` gets a ``date``, a ``DecimalField`` a ``Decimal`` and so on. Without, a
    string that is exactly an ISO date or date-time becomes one (nested lists and dicts too,
    so a chronology's list of events comes back with dates)."""
    if not data:
        return {}
    result: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(key) if fields is not None else None
        result[key] = _from_json_value(value, field)
    return result


def _from_json_value(value: Any, field: forms.Field | None) -> Any:
    if field is not None:
        return _by_field(value, field)
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                return value
        if _ISO_DATETIME.match(value):
            try:
                return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return value
        return value
    if isinstance(value, Mapping):
        return from_json(value)
    if isinstance(value, list):
        return [_from_json_value(item, None) for item in value]
    return value


def _by_field(value: Any, field: forms.Field) -> Any:
    if value is None:
        return None
    try:
        if isinstance(field, forms.DateTimeField) and isinstance(value, str):
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(field, forms.DateField) and isinstance(value, str):
            return datetime.date.fromisoformat(value[:10])
        if isinstance(field, forms.TimeField) and isinstance(value, str):
            return datetime.time.fromisoformat(value)
        if isinstance(field, forms.DecimalField) and isinstance(value, str | int | float):
            return decimal.Decimal(str(value))
    except (ValueError, decimal.InvalidOperation):
        return value
    if isinstance(value, str):  # a text field's answer stays text, even if it looks like a date
        return value
    return _from_json_value(value, None)


def completed_steps(sections: Mapping[str, Any]) -> set[str]:
    """The steps saved with Continue (answered and not marked "in progress")."""
    progress = sections.get(PROGRESS_KEY) or {}
    return {name for name in sections if not name.startswith("_") and progress.get(name) != IN_PROGRESS}


def in_progress_steps(sections: Mapping[str, Any]) -> set[str]:
    progress = sections.get(PROGRESS_KEY) or {}
    return {name for name, state in progress.items() if state == IN_PROGRESS and name in sections}


class AssessmentStorage(BaseStorage):
    """A formtools storage backend over one assessment (see the module docstring).

    ``get_step_data`` returns ``None`` on purpose: formtools would bind a form to stored raw
    POST data; ours holds cleaned values, which the wizard view passes to forms as
    ``initial`` instead (``AssessmentWizard.get_form_initial``). ``set_step_data`` saves
    through the service with the version the page was loaded at (``expected_version``, set by
    the view from the posted hidden field) and raises ``StaleAssessment`` if someone else saved
    first."""

    def __init__(self, prefix, request=None, file_storage=None, *, assessment, user=None):
        super().__init__(prefix, request, file_storage)
        self.assessment = assessment
        self.user = user if user is not None else getattr(request, "user", None)
        self.expected_version: int | None = None
        self.save_as_in_progress = False
        self.init_data()

    def init_data(self):
        # Only the current step lives here, and only for this request.
        self.data = {self.step_key: None, self.step_data_key: {}, self.step_files_key: {}, self.extra_data_key: {}}

    def reset(self):
        # A formtools reset (start again, or after done()) never deletes a saved draft.
        self.init_data()

    def get_step_data(self, step):
        return None

    def get_cleaned_step_data(self, step: str) -> dict[str, Any] | None:
        """The stored (JSON) values of ``step``, or None if it was never saved."""
        value = (self.assessment.sections or {}).get(step)
        return value if isinstance(value, dict) else None

    def set_step_data(self, step, cleaned_data):
        from . import services

        if self.expected_version is None:
            raise services.StaleAssessment("No version was posted with the step.")
        services.save_step(
            self.assessment,
            step,
            cleaned_data,
            expected_version=self.expected_version,
            user=self.user,
            in_progress=self.save_as_in_progress,
            request=self.request,
        )
        # A second save in the same request (none today) would carry on from the new version.
        self.expected_version = self.assessment.version

    def get_step_files(self, step):
        return None

    def set_step_files(self, step, files):
        if files:
            raise TypeError("Assessment steps do not take file uploads.")

    def update_response(self, response):
        return None
