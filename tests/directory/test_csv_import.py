"""import_directory_csv: one row per service, the documented template, all or nothing."""

from __future__ import annotations

import csv
import io
from io import StringIO
from pathlib import Path

import pytest

from django.conf import settings
from django.core.management import CommandError, call_command

from wagtail.models import Revision

from directory.importers.csv_import import COLUMNS, import_csv_text
from directory.models import Organisation, ServicePage
from tests.directory.factories import OrganisationFactory, TaxonomyTermFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "directory" / "fixtures" / "directory-example.csv"
TEMPLATE_DOC = Path(settings.BASE_DIR) / "docs" / "directory-csv-template.md"


def csv_text(*rows: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def row(**values) -> dict:
    base = {
        "name": "Dads Club",
        "organisation": "Hendon Family Centre",
        "summary": "A Saturday club for dads and their children.",
        "minimum_age": "0",
        "maximum_age": "11",
        "postcode": "sr2 8aa",
        "latitude": "54.8990",
        "longitude": "-1.3700",
        "opening_days": "SA",
        "opens_at": "10:00",
        "closes_at": "12:00",
        "attendance_modes": "in_person",
        "levels_of_need": "universal;early_help",
        "languages": "en;pl",
        "is_free": "yes",
    }
    base.update(values)
    return base


def test_example_file_imports_and_reimports_unchanged():
    out = StringIO()
    call_command("import_directory_csv", str(EXAMPLE), stdout=out)
    assert "Services: 2 created" in out.getvalue()
    revisions = Revision.objects.count()
    out = StringIO()
    call_command("import_directory_csv", str(EXAMPLE), stdout=out)
    assert "0 created, 0 updated, 2 unchanged, 0 rejected" in out.getvalue()
    assert Revision.objects.count() == revisions
    page = ServicePage.objects.get(title="Stay and Play at Millfield")
    assert page.live and page.is_verified
    assert page.languages == ["en", "pl"]
    assert page.locations.get().postal_code == "SR4 7AA"
    assert page.schedules.get().byday == "MO,WE"


def test_every_column_is_documented():
    doc = TEMPLATE_DOC.read_text()
    for column in COLUMNS:
        assert f"`{column}`" in doc, column


def test_row_values_are_mapped():
    term = TaxonomyTermFactory(name="Fathers", code="dads")
    org = OrganisationFactory(name="Hendon Family Centre")
    report = import_csv_text(csv_text(row(categories="dads", location_confidential="no", cost_description="")))
    assert report.ok, report.errors
    page = ServicePage.objects.get()
    assert page.organisation == org  # matched by name
    assert list(page.taxonomy_terms.all()) == [term]
    assert (page.minimum_age, page.maximum_age) == (0, 11)
    assert page.need_universal and page.need_early_help and not page.need_targeted
    assert page.cost_options.get().is_free
    assert page.schedules.get().opens_at.isoformat() == "10:00:00"


def test_bad_row_in_the_middle_rolls_back_and_names_row_and_column():
    before = (ServicePage.objects.count(), Organisation.objects.count())
    text = csv_text(row(name="First"), row(name="Second", minimum_age="12", maximum_age="5"), row(name="Third"))
    report = import_csv_text(text)
    assert not report.ok
    assert [(e.row, e.field) for e in report.errors] == [(3, "minimum_age")]
    assert (ServicePage.objects.count(), Organisation.objects.count()) == before


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"postcode": "SR99"}, "postcode"),
        ({"latitude": "north"}, "latitude"),
        ({"latitude": "95"}, "latitude"),
        ({"minimum_age": "young"}, "minimum_age"),
        ({"status": "open"}, "status"),
        ({"categories": "no-such-category"}, "categories"),
        ({"languages": "english"}, "languages"),
        ({"is_free": "maybe"}, "is_free"),
        ({"name": ""}, "name"),
        ({"attendance_modes": "by pigeon"}, "attendance_modes"),
        ({"website": "not a website"}, "website"),
        ({"opening_days": "Mondays"}, "opening_days"),
    ],
)
def test_row_errors_name_the_column(values, column):
    report = import_csv_text(csv_text(row(**values)))
    assert not report.ok
    assert column in [e.field for e in report.errors], report.errors
    assert report.errors[0].row == 2
    assert ServicePage.objects.count() == 0


def test_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "services.csv"
    path.write_text(csv_text(row()))
    out = StringIO()
    call_command("import_directory_csv", str(path), "--dry-run", stdout=out)
    assert "1 would be created" in out.getvalue()
    assert ServicePage.objects.count() == 0


def test_command_fails_on_bad_rows_and_bad_headers(tmp_path):
    path = tmp_path / "services.csv"
    path.write_text(csv_text(row(postcode="nope")))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_directory_csv", str(path), stdout=StringIO())
    path.write_text("title,organisation\nA,B\n")
    with pytest.raises(CommandError, match="no name column"):
        call_command("import_directory_csv", str(path), stdout=StringIO())
    path.write_text("name,organisation,colour\nA,B,red\n")
    with pytest.raises(CommandError, match="unknown columns: colour"):
        call_command("import_directory_csv", str(path), stdout=StringIO())


def test_confidential_location_from_csv_is_kept_out_of_the_api(client, settings):
    report = import_csv_text(csv_text(row(name="Refuge", address_1="9 Secret Row", location_confidential="yes")))
    assert report.ok, report.errors
    page = ServicePage.objects.get()
    assert page.locations.get().confidential
    body = client.get(f"/api/oruk/services/{page.oruk_id}").content.decode()
    assert "Refuge" in body
    assert "9 Secret Row" not in body and "SR2 8AA" not in body and "54.899" not in body
