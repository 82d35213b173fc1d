"""import_open_referral, export_open_referral and the ORUK importer behind them."""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest

from django.core.management import CommandError, call_command

from wagtail.models import Revision

from directory.importers.oruk import import_services
from directory.models import (
    DirectoryIndexPage,
    Location,
    Organisation,
    ServicePage,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from tests.directory import oruk_contract
from tests.directory.factories import (
    REFUGE_ADDRESS,
    REFUGE_LAT,
    REFUGE_LNG,
    REFUGE_POSTCODE,
    ServicePageFactory,
    TaxonomyTermFactory,
    confidential_location,
    public_location,
)
from tests.directory.oruk_samples import ORG_ID, PARENT_TERM_ID, TERM_ID, service_record

pytestmark = pytest.mark.django_db


def write_json(tmp_path, data, name="services.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def run(*args) -> str:
    out = StringIO()
    call_command("import_open_referral", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "pages": ServicePage.objects.count(),
        "revisions": Revision.objects.count(),
        "organisations": Organisation.objects.count(),
        "terms": TaxonomyTerm.objects.count(),
        "taxonomies": Taxonomy.objects.count(),
        "locations": Location.objects.count(),
    }


# --- Importing ------------------------------------------------------------------------------------


def test_import_creates_published_services_with_everything(tmp_path):
    output = run(write_json(tmp_path, [service_record(1), service_record(2)]))
    assert "Services: 2 created, 0 updated, 0 unchanged, 0 rejected." in output
    assert DirectoryIndexPage.objects.count() == 1
    page = ServicePage.objects.get(oruk_id=service_record(1)["id"])
    assert page.live and not page.has_unpublished_changes
    assert page.get_parent().specific_class is DirectoryIndexPage
    assert page.organisation.oruk_id == uuid.UUID(ORG_ID)
    assert page.languages == ["en", "ur"]
    assert page.referral_instructions == "Phone or ask your GP to refer you."
    assert page.assured_date == datetime.date(2099, 1, 1)
    location = page.locations.get()
    assert location.postal_code == "NE38 7SD"  # normalised
    assert location.accessibility == "Lift to all floors."
    assert str(location.service_at_location_id) == service_record(1)["service_at_locations"][0]["id"]
    assert page.schedules.get().byday == "TU,TH"
    cost = page.cost_options.get()
    assert (cost.is_free, cost.amount, cost.amount_description) == (False, 2.5, "per session")
    assert page.contacts.get().phone == "0191 498 0222"
    assert {t.oruk_id for t in page.taxonomy_terms.all()} == {uuid.UUID(TERM_ID), uuid.UUID(PARENT_TERM_ID)}
    child = TaxonomyTerm.objects.get(oruk_id=TERM_ID)
    assert child.parent.oruk_id == uuid.UUID(PARENT_TERM_ID)
    assert child.taxonomy.name == "Family support categories"


def test_import_accepts_an_oruk_page(tmp_path):
    page = {"total_items": 1, "contents": [service_record(1)]}
    assert "1 created" in run(write_json(tmp_path, page))


def test_reimport_changes_nothing(tmp_path):
    path = write_json(tmp_path, [service_record(1), service_record(2)])
    run(path)
    before = snapshot()
    stamps = dict(ServicePage.objects.values_list("pk", "last_published_at"))
    output = run(path)
    assert "Services: 0 created, 0 updated, 2 unchanged, 0 rejected." in output
    assert "Organisations: 0 created, 0 updated, 1 unchanged." in output
    assert "Taxonomy terms: 0 created, 0 updated, 2 unchanged." in output
    assert snapshot() == before
    assert dict(ServicePage.objects.values_list("pk", "last_published_at")) == stamps


def test_changed_record_is_updated_with_a_new_published_revision(tmp_path):
    run(write_json(tmp_path, [service_record(1)]))
    page = ServicePage.objects.get()
    location_pk = page.locations.get().pk
    changed = service_record(1, name="Family Wellbeing (new name)", maximum_age=25)
    output = run(write_json(tmp_path, [changed]))
    assert "0 created, 1 updated, 0 unchanged" in output
    page.refresh_from_db()
    assert (page.title, page.maximum_age) == ("Family Wellbeing (new name)", 25)
    assert page.revisions.count() == 2
    assert page.locations.get().pk == location_pk  # matched by ORUK id, not replaced


def test_imported_assured_date_reaches_the_live_page(tmp_path):
    run(write_json(tmp_path, [service_record(1)]))
    run(write_json(tmp_path, [service_record(1, assured_date="2099-06-01")]))
    assert ServicePage.objects.get().assured_date == datetime.date(2099, 6, 1)


def test_an_older_assured_date_in_the_feed_does_not_undo_a_later_check(tmp_path):
    path = write_json(tmp_path, [service_record(1, assured_date="2099-01-01")])
    run(path)
    ServicePage.objects.update(assured_date=datetime.date(2099, 2, 1))
    assert "1 unchanged" in run(path)
    assert ServicePage.objects.get().assured_date == datetime.date(2099, 2, 1)


def test_new_service_without_assured_date_counts_as_checked_today(tmp_path):
    record = service_record(1)
    del record["assured_date"]
    run(write_json(tmp_path, [record]))
    page = ServicePage.objects.get()
    assert page.assured_date is not None and page.is_verified


def test_draft_import_waits_for_moderation(tmp_path):
    path = write_json(tmp_path, [service_record(1)])
    output = run(path, "--draft")
    assert "left as drafts" in output
    page = ServicePage.objects.get()
    assert not page.live
    assert "unchanged" in run(path, "--draft")
    # A normal run publishes the waiting draft.
    assert "1 updated" in run(path)
    page.refresh_from_db()
    assert page.live


def test_draft_update_of_a_live_service_keeps_the_live_content(tmp_path):
    run(write_json(tmp_path, [service_record(1)]))
    run(write_json(tmp_path, [service_record(1, name="Draft name")]), "--draft")
    page = ServicePage.objects.get()
    assert page.live and page.title == "Family Wellbeing Service 1"
    assert page.has_unpublished_changes
    assert page.get_latest_revision_as_object().title == "Draft name"


def test_dry_run_writes_nothing(tmp_path):
    before = snapshot()
    output = run(write_json(tmp_path, [service_record(1), service_record(2)]), "--dry-run")
    assert "Dry run" in output
    assert "Services: 2 would be created" in output
    assert snapshot() == before
    assert DirectoryIndexPage.objects.count() == 0


def test_bad_record_in_the_middle_rolls_everything_back(tmp_path):
    ServicePageFactory()  # something already there stays as it is
    before = snapshot()
    bad = service_record(2, minimum_age=16, maximum_age=5)
    records = [service_record(1), bad, service_record(3)]
    with pytest.raises(CommandError, match="nothing was written"):
        run(write_json(tmp_path, records))
    assert snapshot() == before
    report = import_services(records)
    assert not report.ok and report.rejected == 1
    (error,) = report.errors
    assert error.record_id == bad["id"]
    assert error.record_name == "Family Wellbeing Service 2"
    assert error.field == "minimum_age"
    assert "above the maximum" in error.message
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)


def test_error_report_names_record_and_field(tmp_path):
    bad = service_record(2, status="open-ish")
    with pytest.raises(CommandError):
        out = StringIO()
        call_command("import_open_referral", write_json(tmp_path, [service_record(1), bad]), stdout=out)
    assert f"record {bad['id']} (Family Wellbeing Service 2): status:" in out.getvalue()


def _location(record: dict) -> dict:
    return record["service_at_locations"][0]["location"]


def _with(record: dict, change) -> dict:
    change(record)
    return record


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: service_record(1, status="closed"), "status"),
        (lambda: service_record(1, minimum_age=12, maximum_age=11), "minimum_age"),
        (lambda: service_record(1, minimum_age=-2), "minimum_age"),
        (lambda: service_record(1, maximum_age=130), "maximum_age"),
        (lambda: service_record(1, maximum_age="eighteen"), "maximum_age"),
        (
            lambda: _with(service_record(1), lambda r: _location(r)["addresses"][0].update(postal_code="SW1A 1")),
            "service_at_locations[0].location.addresses[0].postal_code",
        ),
        (
            lambda: _with(service_record(1), lambda r: _location(r).update(latitude=91)),
            "service_at_locations[0].location.latitude",
        ),
        (
            lambda: _with(service_record(1), lambda r: _location(r).update(longitude=-200)),
            "service_at_locations[0].location.longitude",
        ),
        (
            lambda: _with(service_record(1), lambda r: _location(r).update(latitude="north")),
            "service_at_locations[0].location.latitude",
        ),
        (
            lambda: service_record(1, attributes=[{"id": str(uuid.uuid4()), "taxonomy_term_id": str(uuid.uuid4())}]),
            "attributes[0].taxonomy_term_id",
        ),
        (lambda: service_record(1, languages=[{"code": "zz"}]), "languages[0]"),
        (lambda: service_record(1, id="not-a-uuid"), "id"),
        (lambda: _with(service_record(1), lambda r: r.pop("name")), "name"),
        (lambda: service_record(1, email="not an email"), "email"),
        (
            lambda: _with(service_record(1), lambda r: r["organization"].update(website="not a site")),
            "organization.website",
        ),
        (lambda: _with(service_record(1), lambda r: r.pop("organization")), "organization"),
        (
            lambda: _with(service_record(1), lambda r: r["schedules"][0].update(opens_at="18:00", closes_at="09:00")),
            "schedules[0].closes_at",
        ),
        (
            lambda: _with(service_record(1), lambda r: r["schedules"][0].update(byday="Mondays")),
            "schedules[0].byday",
        ),
    ],
)
def test_bad_input_is_a_per_record_error_and_nothing_is_written(make, field):
    before = snapshot()
    report = import_services([make()])
    assert not report.ok
    assert field in [e.field for e in report.errors], report.errors
    assert snapshot() == before


def test_known_term_in_the_database_may_be_referenced_by_id():
    term = TaxonomyTermFactory()
    record = service_record(1, attributes=[{"id": str(uuid.uuid4()), "taxonomy_term_id": str(term.oruk_id)}])
    report = import_services([record])
    assert report.ok, report.errors
    assert list(ServicePage.objects.get().taxonomy_terms.all()) == [term]


def test_duplicate_ids_in_one_payload_are_rejected():
    report = import_services([service_record(1), service_record(1)])
    assert [e.field for e in report.errors] == ["id"]


def test_invalid_json_is_reported(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"id": ')
    with pytest.raises(CommandError, match="invalid JSON at line 1"):
        run(str(path))
    path.write_text('{"services": []}')
    with pytest.raises(CommandError, match="list of ORUK services"):
        run(str(path))
    with pytest.raises(CommandError, match="cannot read"):
        run(str(tmp_path / "missing.json"))


def test_since_needs_a_feed(tmp_path):
    with pytest.raises(CommandError, match="live feed"):
        run(write_json(tmp_path, []), "--since", "2025-01-01")
    with pytest.raises(CommandError, match="ISO 8601"):
        run("http://127.0.0.1:9/", "--since", "yesterday")


def test_reimport_keeps_confidential_locations(tmp_path):
    run(write_json(tmp_path, [service_record(1)]))
    page = ServicePage.objects.get()
    latest = page.get_latest_revision_as_object()
    latest.locations.add(confidential_location())
    latest.save_revision().publish()
    assert "1 unchanged" in run(write_json(tmp_path, [service_record(1)]))
    assert ServicePage.objects.get().locations.filter(confidential=True).count() == 1


def test_shared_location_ids_get_their_own_ids_per_service(tmp_path):
    first, second = service_record(1), service_record(2)
    second["service_at_locations"][0]["location"]["id"] = first["service_at_locations"][0]["location"]["id"]
    path = write_json(tmp_path, [first, second])
    run(path)
    assert Location.objects.count() == 2
    assert "2 unchanged" in run(path)


# --- Export ----------------------------------------------------------------------------------------


def test_export_round_trip_and_no_confidential_locations(tmp_path):
    refuge = ServicePageFactory(title="Refuge", locations=[confidential_location(), public_location()])
    ServicePageFactory(status=ServiceStatus.INACTIVE)
    out_file = tmp_path / "export.json"
    call_command("export_open_referral", "--output", str(out_file), stderr=StringIO())
    text = out_file.read_text()
    data = json.loads(text)
    assert [s["id"] for s in data] == [str(refuge.oruk_id)]
    for service in data:
        oruk_contract.validate("service", service)
    for secret in (REFUGE_ADDRESS, REFUGE_POSTCODE, str(REFUGE_LAT), str(REFUGE_LNG), "Safe house"):
        assert secret not in text
    # Importing the export back changes nothing, and keeps the refuge's location.
    before = snapshot()
    assert "1 unchanged" in run(str(out_file))
    assert snapshot() == before


def test_export_include_hidden(capsys):
    ServicePageFactory(status=ServiceStatus.TEMPORARILY_CLOSED, locations=[confidential_location()])
    call_command("export_open_referral")
    assert json.loads(capsys.readouterr().out) == []
    call_command("export_open_referral", "--include-hidden")
    text = capsys.readouterr().out
    assert len(json.loads(text)) == 1
    assert REFUGE_ADDRESS not in text and REFUGE_POSTCODE not in text


# --- A live feed --------------------------------------------------------------------------------------


class _Feed:
    """A tiny ORUK API on 127.0.0.1 serving ``records``, paginated like the real thing."""

    def __init__(self, records: list[dict], per_page: int = 2):
        self.records = {r["id"]: r for r in records}
        self.per_page = per_page
        self.requests: list[str] = []
        self.missing: set[str] = set()
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                feed.requests.append(self.path)
                url = urlparse(self.path)
                query = parse_qs(url.query)
                if url.path == "/oruk/services":
                    page = int(query.get("page", ["1"])[0])
                    items = list(feed.records.values())
                    total_pages = max(1, -(-len(items) // feed.per_page))
                    chunk = items[(page - 1) * feed.per_page : page * feed.per_page]
                    body = {
                        "total_items": len(items),
                        "total_pages": total_pages,
                        "page_number": page,
                        "size": len(chunk),
                        "first_page": page == 1,
                        "last_page": page >= total_pages,
                        "empty": not chunk,
                        "contents": [{"id": r["id"], "name": r["name"], "status": r["status"]} for r in chunk],
                    }
                    return self._send(200, body)
                if url.path.startswith("/oruk/services/"):
                    service_id = url.path.rsplit("/", 1)[1]
                    record = None if service_id in feed.missing else feed.records.get(service_id)
                    return self._send(200, record) if record else self._send(404, {"message": "Not found"})
                return self._send(404, {"message": "Not found"})

            def _send(self, status, body):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oruk"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_live_feed_walk():
    records = [service_record(n) for n in range(1, 6)]
    with _Feed(records, per_page=2) as feed:
        output = run(feed.url)
        assert "Services: 5 created" in output
        pages = [r for r in feed.requests if r.startswith("/oruk/services?")]
        assert len(pages) == 3
        details = [r for r in feed.requests if r.startswith("/oruk/services/")]
        assert len(details) == 5
        assert "unchanged" in run(feed.url)
        assert ServicePage.objects.count() == 5


def test_live_feed_since_sends_modified_after():
    with _Feed([service_record(1)]) as feed:
        run(feed.url, "--since", "2025-02-01T00:00:00+00:00")
        assert any("modified_after=2025-02-01T00%3A00%3A00%2B00%3A00" in r for r in feed.requests)


def test_live_feed_http_error_is_reported():
    with _Feed([service_record(1)]) as feed:
        feed.missing.add(service_record(1)["id"])  # listed, but its detail 404s
        with pytest.raises(CommandError, match="HTTP 404"):
            run(feed.url)
    assert ServicePage.objects.count() == 0


def test_live_feed_of_our_own_api(live_server, settings):
    """The importer reads this project's own API (another council's instance, say)."""
    service = ServicePageFactory(locations=[public_location(), confidential_location()])
    before = snapshot()
    output = run(f"{live_server.url}/api/oruk", "--dry-run")
    assert "1 unchanged" in output, output
    assert snapshot() == before
    assert service.locations.count() == 2
