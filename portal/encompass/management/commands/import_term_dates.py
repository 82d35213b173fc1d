from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.encompass import ics, services
from portal.encompass.models import School


class Command(BaseCommand):
    help = (
        "Replace a local authority's (--la) or one school's (--urn) term dates with the all-day "
        "VEVENTs of an iCalendar file: CATEGORIES TERM for term time, CLOSURE for closures."
    )

    def add_arguments(self, parser):
        parser.add_argument("ics", help="path to the .ics file")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--la", help="the local authority's DfE code, e.g. 394")
        target.add_argument("--urn", type=int, help="a school's URN, for a school with its own calendar")

    def handle(self, *args, **options):
        try:
            text = Path(options["ics"]).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {options['ics']}: {exc}") from None
        try:
            result = services.import_term_dates(text, la_code=options["la"] or "", urn=options["urn"])
        except ics.ICSError as exc:
            raise CommandError(f"Not imported: {exc}") from None
        except School.DoesNotExist:
            raise CommandError(f"No school with URN {options['urn']}; run import_schools first.") from None
        for note in result.skipped:
            self.stderr.write(f"Skipped {note}")
        self.stdout.write(self.style.SUCCESS(f"{result.terms} term periods and {result.closures} closures imported."))
