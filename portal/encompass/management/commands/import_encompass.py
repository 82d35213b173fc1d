from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.encompass import services


class Command(BaseCommand):
    help = (
        "Import a police force's daily CSV of Operation Encompass notifications (one row per child; rows "
        "with the same police_reference are one incident). All or nothing: any bad row imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv")
        parser.add_argument("--force", required=True, help="the force code the file comes from, e.g. NBR")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, import nothing")

    def handle(self, *args, **options):
        try:
            text = services.decode_csv(Path(options["csv"]).read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {options['csv']}: {exc.strerror}") from None
        except ValueError as exc:
            raise CommandError(f"Cannot read {options['csv']}: {exc}") from None
        report = services.import_notifications_csv(text, force=options["force"], dry_run=options["dry_run"])
        for line in report.errors:
            self.stderr.write(line)
        if report.errors:
            raise CommandError(f"{len(report.errors)} problems in {report.rows} rows; nothing was imported.")
        verb = "Checked" if options["dry_run"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {report.rows} rows: {report.created} new notifications, {report.updated} updated."
            )
        )
