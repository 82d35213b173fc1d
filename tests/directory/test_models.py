"""Directory models: validation, page type rules, stable ids, verification helpers."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.utils import timezone

from wagtail.models import Page

from directory import selectors
from directory.models import (
    ClosureDate,
    CostOption,
    DirectoryIndexPage,
    Location,
    Schedule,
    ServicePage,
    ServiceStatus,
    TaxonomyTerm,
    add_months,
)
from directory.validators import normalise_postcode, validate_language_codes
from portal.home.models import HomePage, StandardPage
from tests.directory.factories import (
    ServicePageFactory,
    TaxonomyTermFactory,
    confidential_location,
    directory_index,
    public_location,
)

pytestmark = pytest.mark.django_db


# --- Validation ------------------------------------------------------------------------------------


def _service(**kwargs) -> ServicePage:
    values = {"title": "A service", "slug": "a-service", "summary": "Help.", "path": "00010001", "depth": 2}
    values.update(kwargs)
    return ServicePage(**values)


@pytest.mark.parametrize(
    ("minimum", "maximum", "field"),
    [(12, 5, "minimum_age"), (-1, 5, "minimum_age"), (0, 121, "maximum_age"), (130, None, "minimum_age")],
)
def test_impossible_ages_are_refused(minimum, maximum, field):
    page = _service(minimum_age=minimum, maximum_age=maximum)
    with pytest.raises(ValidationError) as exc:
        page.clean_fields(exclude=["path", "depth", "content_type", "page_ptr", "organisation", "locale"])
        page.clean()
    assert field in exc.value.message_dict


@pytest.mark.parametrize(("minimum", "maximum"), [(0, 0), (0, 120), (5, 5), (None, 18), (16, None)])
def test_possible_ages_are_accepted(minimum, maximum):
    _service(minimum_age=minimum, maximum_age=maximum).clean()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sr13aa", "SR1 3AA"),
        (" SR1   3AA ", "SR1 3AA"),
        ("ne387sd", "NE38 7SD"),
        ("EC1A1BB", "EC1A 1BB"),
        ("w1a 0ax", "W1A 0AX"),
    ],
)
def test_postcodes_are_normalised(given, expected):
    assert normalise_postcode(given) == expected
    location = Location(postal_code=given)
    location.clean()
    assert location.postal_code == expected


@pytest.mark.parametrize("bad", ["SR1", "12345", "SR1 3A", "SR1 3AAA", "QQ1 1QQ", "not a postcode"])
def test_malformed_postcodes_are_refused(bad):
    with pytest.raises(ValidationError):
        normalise_postcode(bad)
    with pytest.raises(ValidationError) as exc:
        Location(postal_code=bad).full_clean(exclude=["page"])
    assert "postal_code" in exc.value.message_dict


@pytest.mark.parametrize(("lat", "lng", "field"), [(91, 0, "latitude"), (-91, 0, "latitude"), (0, 181, "longitude")])
def test_coordinates_out_of_range_are_refused(lat, lng, field):
    with pytest.raises(ValidationError) as exc:
        Location(latitude=lat, longitude=lng).full_clean(exclude=["page"])
    assert field in exc.value.message_dict


def test_coordinates_come_in_pairs():
    with pytest.raises(ValidationError) as exc:
        Location(latitude=54.9).full_clean(exclude=["page"])
    assert "longitude" in exc.value.message_dict


def test_languages_must_be_iso_639_codes():
    validate_language_codes(["en", "pl", "bfi"])
    for bad in (["english"], ["en", "en"], "en", ["xx"]):
        with pytest.raises(ValidationError):
            validate_language_codes(bad)


def test_schedule_rules():
    Schedule(freq="WEEKLY", byday="mo,we", opens_at=datetime.time(9), closes_at=datetime.time(17)).full_clean(
        exclude=["page"]
    )
    for bad, field in [
        ({"byday": "Monday"}, "byday"),
        ({"bymonthday": "32"}, "bymonthday"),
        ({"opens_at": datetime.time(17), "closes_at": datetime.time(9)}, "closes_at"),
        ({"valid_from": datetime.date(2025, 2, 1), "valid_to": datetime.date(2025, 1, 1)}, "valid_to"),
        ({"freq": "MONTHLY"}, "bymonthday"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ]:
        with pytest.raises(ValidationError) as exc:
            Schedule(**{"freq": "WEEKLY", **bad}).full_clean(exclude=["page"])
        assert field in exc.value.message_dict, bad


def test_schedule_days_are_normalised():
    schedule = Schedule(freq="MONTHLY", byday=" 1mo, -1fr ")
    schedule.full_clean(exclude=["page"])
    assert schedule.byday == "1MO,-1FR"
    assert schedule.days == ["1MO", "-1FR"]


def test_cost_option_rules():
    CostOption(is_free=True).full_clean(exclude=["page"])
    CostOption(amount=3, amount_description="per session").full_clean(exclude=["page"])
    with pytest.raises(ValidationError):
        CostOption().full_clean(exclude=["page"])
    with pytest.raises(ValidationError):
        CostOption(is_free=True, amount=5).full_clean(exclude=["page"])


def test_closure_dates_run_forwards():
    with pytest.raises(ValidationError):
        ClosureDate(start_date=datetime.date(2025, 5, 2), end_date=datetime.date(2025, 5, 1)).full_clean(
            exclude=["page"]
        )
    closure = ClosureDate(start_date=datetime.date(2025, 5, 1), end_date=datetime.date(2025, 5, 2))
    assert closure.covers(datetime.date(2025, 5, 2)) and not closure.covers(datetime.date(2025, 5, 3))


def test_taxonomy_terms_cannot_loop():
    parent = TaxonomyTermFactory()
    child = TaxonomyTermFactory(taxonomy=parent.taxonomy, parent=parent)
    assert child.ancestors() == [parent]
    parent.parent = child
    with pytest.raises(ValidationError):
        parent.full_clean()
    assert isinstance(child, TaxonomyTerm)


# --- Page type rules ---------------------------------------------------------------------------------


def test_service_pages_live_only_under_the_directory_index():
    assert ServicePage.allowed_parent_page_models() == [DirectoryIndexPage]
    assert ServicePage.allowed_subpage_models() == []
    assert DirectoryIndexPage.allowed_subpage_models() == [ServicePage]
    index = directory_index()
    assert ServicePage.can_create_at(index)
    assert not ServicePage.can_create_at(Page.get_first_root_node())
    assert not StandardPage.can_create_at(index)


def test_directory_index_parent_is_the_home_page():
    assert HomePage in DirectoryIndexPage.allowed_parent_page_models()
    assert ServicePage not in HomePage.allowed_subpage_models()


@pytest.mark.skipif(
    "directory.DirectoryIndexPage" not in HomePage.subpage_types,
    reason="needs 'directory.DirectoryIndexPage' in HomePage.subpage_types (portal/home/models.py)",
)
def test_directory_index_can_be_created_under_the_home_page():
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Home", slug="home-test"))
    assert DirectoryIndexPage.can_create_at(home)


def test_only_one_directory_index():
    directory_index()
    assert not DirectoryIndexPage.can_create_at(Page.get_first_root_node().get_children().first())


# --- Stable ids -----------------------------------------------------------------------------------------


def test_every_oruk_entity_has_a_stable_unique_uuid():
    page = ServicePageFactory()
    oruk_id = page.oruk_id
    location = page.locations.get()
    revision = page.get_latest_revision_as_object()
    revision.title = "Renamed"
    revision.save_revision().publish()
    page.refresh_from_db()
    assert page.oruk_id == oruk_id
    assert page.locations.get().oruk_id == location.oruk_id
    assert page.locations.get().service_at_location_id == location.service_at_location_id
    for obj in (page.organisation, page.taxonomy_terms.get(), page.taxonomy_terms.get().taxonomy):
        assert obj.oruk_id is not None


def test_copying_a_service_gives_the_copy_new_ids():
    original = ServicePageFactory(assurer=None)
    copy = original.copy(update_attrs={"slug": "copy-of-service", "title": "Copy"})
    copy = ServicePage.objects.get(pk=copy.pk)
    assert copy.oruk_id != original.oruk_id
    assert copy.assured_date is None  # a copy is not verified
    original_ids = {(loc.oruk_id, loc.service_at_location_id) for loc in original.locations.all()}
    copy_ids = {(loc.oruk_id, loc.service_at_location_id) for loc in copy.locations.all()}
    assert copy.locations.count() == 1
    assert not {i for pair in original_ids for i in pair} & {i for pair in copy_ids for i in pair}
    assert copy.schedules.get().oruk_id != original.schedules.get().oruk_id


def test_publishing_an_old_draft_keeps_the_latest_verification(make_user):
    checker = make_user("directory_manager")
    page = ServicePageFactory(assured_date=datetime.date(2024, 1, 1))
    draft = page.get_latest_revision_as_object()
    draft.summary = "Changed summary"
    revision = draft.save_revision()
    # Meanwhile the listing is verified (as the verification feature will do).
    page.assured_date, page.assurer, page.last_verified_at = timezone.localdate(), checker, timezone.now()
    page.save()
    revision.publish()
    page.refresh_from_db()
    assert page.summary == "Changed summary"
    assert page.assured_date == timezone.localdate()
    assert page.assurer == checker


# --- Verification and visibility helpers --------------------------------------------------------------


def test_add_months_clamps_to_month_end():
    assert add_months(datetime.date(2025, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2025, 1, 15), 12) == datetime.date(2026, 1, 15)
    assert add_months(datetime.date(2024, 11, 30), 3) == datetime.date(2025, 2, 28)


def test_review_due_date_follows_assured_date_and_interval():
    page = ServicePageFactory(assured_date=datetime.date(2025, 1, 10), review_interval_months=3)
    assert page.review_due_on == datetime.date(2025, 4, 10)
    assert ServicePageFactory(verified=False).review_due_on is None


def test_is_verified_matches_the_selector(settings):
    settings.DIRECTORY_VERIFICATION_GRACE_DAYS = 14
    page = ServicePageFactory(assured_date=datetime.date(2025, 1, 1), review_interval_months=6)
    for day, expected in [(datetime.date(2025, 7, 15), True), (datetime.date(2025, 7, 16), False)]:
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)):
            assert page.is_verified is expected
            assert selectors.public_services().filter(pk=page.pk).exists() is expected


def test_public_and_api_selectors():
    active = ServicePageFactory()
    closed = ServicePageFactory(status=ServiceStatus.TEMPORARILY_CLOSED)
    ServicePageFactory(status=ServiceStatus.INACTIVE)
    ServicePageFactory(status=ServiceStatus.DEFUNCT)
    ServicePageFactory(publish=False)
    ServicePageFactory(verified=False)
    assert set(selectors.public_services()) == {active, closed}
    assert set(selectors.api_services()) == {active}
    assert closed.is_temporarily_closed and closed.is_publicly_visible


def test_public_locations_never_include_confidential_ones():
    page = ServicePageFactory(locations=[public_location(), confidential_location()])
    assert [loc.name for loc in page.public_locations()] == ["Sunderland Family Hub"]
    assert page.has_confidential_location()
    prefetched = selectors.with_full_relations(ServicePage.objects.filter(pk=page.pk)).get()
    assert [loc.name for loc in prefetched.public_locations()] == ["Sunderland Family Hub"]


def test_hidden_service_pages_are_not_served(client):
    visible = ServicePageFactory()
    hidden = ServicePageFactory(verified=False)
    assert client.get(hidden.url).status_code == 404
    assert visible.is_publicly_visible


def test_attendance_and_levels_helpers():
    page = ServicePageFactory(attend_in_person=True, attend_online=True, need_universal=True, need_early_help=False)
    assert [m.value for m in page.attendance_modes] == ["in_person", "online"]
    assert [level.value for level in page.levels_of_need] == ["universal"]


def test_services_needing_review():
    overdue = ServicePageFactory(assured_date=timezone.localdate() - datetime.timedelta(days=365))
    never = ServicePageFactory(verified=False)
    ServicePageFactory()
    assert list(selectors.services_needing_review()) == [never, overdue]


def test_placeholder_pages_render_without_confidential_addresses(client):
    refuge = ServicePageFactory(title="Refuge", locations=[confidential_location(), public_location()])
    hidden = ServicePageFactory(title="Hidden service", verified=False)
    html = client.get(refuge.url).content.decode()
    assert "Refuge" in html and "City Hall, Plater Way" in html
    assert "17 Hidden Refuge Terrace" not in html and "SR4 7ZZ" not in html
    index_html = client.get(directory_index().url).content.decode()
    assert "Refuge" in index_html and "Hidden service" not in index_html
    sitemap = client.get("/sitemap.xml").content.decode()
    assert refuge.slug in sitemap and hidden.slug not in sitemap
