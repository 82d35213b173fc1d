from __future__ import annotations

from pathlib import Path

import pytest

from django.utils import timezone

from portal.audit.models import AuditEvent

TEMPLATES_HERE = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def _audit_test_templates(settings):
    """The template of the small views in tests/audit/urls.py."""
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEMPLATES_HERE]
    settings.TEMPLATES = templates


@pytest.fixture
def make_event(db):
    def make(**fields) -> AuditEvent:
        fields.setdefault("action", AuditEvent.Action.VIEW)
        fields.setdefault("at", timezone.now())
        return AuditEvent.objects.create(**fields)

    return make
