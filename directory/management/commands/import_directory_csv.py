"""manage.py import_directory_csv CSV [--dry-run] [--draft]"""

from django.core.management.base import BaseCommand, CommandError

from directory.importers.csv_import import import_csv


class Command(BaseCommand):
    help = (
        "Import services from a CSV file, one row per service (columns: docs/directory-csv-template.md). "
        "All or nothing: one bad row and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", metavar="CSV")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")
        parser.add_argument("--draft", action="store_true", help="Save changes as drafts for moderation.")

    def handle(self, *args, csv_path, dry_run, draft, **options):
        try:
            report = import_csv(csv_path, dry_run=dry_run, draft=draft)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"Import rejected: {report.rejected} row(s) with errors; nothing was written.")
