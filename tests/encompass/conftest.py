"""Fixtures for Operation Encompass."""

from __future__ import annotations

import datetime

import pytest


@pytest.fixture(autouse=True)
def _encompass_settings(settings):
    settings.ENCOMPASS_LA_CODE = "394"


LONDON = "Europe/London"


@pytest.fixture
def school(db):
    from tests.encompass.factories import SchoolFactory

    return SchoolFactory(urn=100001, name="Hylton Primary School", la_code="394")


@pytest.fixture
def other_school(db):
    from tests.encompass.factories import SchoolFactory

    return SchoolFactory(urn=100002, name="Castle View Academy", la_code="394")


@pytest.fixture
def key_adult(make_user, school):
    user = make_user("school_key_adult", email="key.adult.a@example.org")
    school.key_adults.add(user)
    return user


@pytest.fixture
def deputy(make_user, school):
    user = make_user("school_deputy", email="deputy.a@example.org")
    school.deputies.add(user)
    return user


def aware(*args) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return datetime.datetime(*args, tzinfo=ZoneInfo(LONDON))
