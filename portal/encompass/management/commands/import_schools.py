from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.encompass import services


class Command(BaseCommand):
    help = "Create or update schools by URN from a DfE Get Information about Schools CSV export; closed schools are closed."

    def add_arguments(self, parser):
        parser.add_argument("csv", help="path to the GIAS CSV (Windows-1252 or UTF-8)")

    def handle(self, *args, **options):
        try:
            text = services.decode_csv(Path(options["csv"]).read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {options['csv']}: {exc.strerror}") from None
        except ValueError as exc:
            raise CommandError(f"Cannot read {options['csv']}: {exc}") from None
        result = services.import_schools(text)
        if result.errors:
            for problem in result.errors[:50]:
                self.stderr.write(problem)
            raise CommandError(f"{len(result.errors)} problems; nothing was imported.")
        self.stdout.write(
            self.style.SUCCESS(f"{result.created} schools added, {result.updated} updated, {result.closed} closed.")
        )
