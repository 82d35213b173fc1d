"""The test-side ORUK contract rejects what the standard rejects."""

import pytest
from pydantic import ValidationError

from tests.directory.oruk_contract import validate

SERVICE = {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "Counselling", "status": "active"}
PAGE = {
    "total_items": 1,
    "total_pages": 1,
    "page_number": 1,
    "size": 1,
    "first_page": True,
    "last_page": True,
    "empty": False,
    "contents": [SERVICE],
}


def test_minimal_valid_shapes():
    validate("services", PAGE)
    validate("service", SERVICE)


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "not-a-uuid", "name": "x", "status": "active"},
        {"id": SERVICE["id"], "status": "active"},
        {**SERVICE, "status": "open"},
        {**SERVICE, "email": "nope"},
        {**SERVICE, "url": None},
        {**SERVICE, "minimum_age": "12"},
        {**SERVICE, "assured_date": "01/02/2025"},
        {**SERVICE, "last_modified": "2025-01-01T10:00:00"},
        {**SERVICE, "schedules": [{"id": SERVICE["id"], "opens_at": "9am"}]},
        {**SERVICE, "service_at_locations": [{"id": SERVICE["id"], "location": {"id": SERVICE["id"]}}]},
        {**SERVICE, "organization": {"id": SERVICE["id"], "name": "Org"}},
    ],
)
def test_invalid_services_are_rejected(bad):
    with pytest.raises(ValidationError):
        validate("service", bad)


@pytest.mark.parametrize(
    "bad",
    [
        {k: v for k, v in PAGE.items() if k != "total_pages"},
        {**PAGE, "first_page": "true"},
        {**PAGE, "total_items": 1.5},
    ],
)
def test_invalid_envelopes_are_rejected(bad):
    with pytest.raises(ValidationError):
        validate("services", bad)


def test_size_must_match_contents():
    with pytest.raises(AssertionError):
        validate("services", {**PAGE, "size": 2})
