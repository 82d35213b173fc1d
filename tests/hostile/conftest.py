"""Fixtures for the hostile-input suite: a modest, repeatable hypothesis profile (CI runs
the same examples every time) and seeded directory data so GETs by id hit real rows."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "hostile",
    max_examples=60,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def hostile(**overrides) -> settings:
    """The profile, applied per test (loading it globally would change other suites)."""
    return settings(settings.get_profile("hostile"), **overrides)


HOSTILE = hostile()


@pytest.fixture
def seeded_directory(db):
    """Three published services with locations, schedules and taxonomy terms."""
    from tests.directory.factories import ServicePageFactory, TaxonomyTermFactory

    terms = [TaxonomyTermFactory(), TaxonomyTermFactory()]
    return [ServicePageFactory(terms=terms), ServicePageFactory(terms=terms[:1]), ServicePageFactory()]
