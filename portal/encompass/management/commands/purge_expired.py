from django.core.management.base import BaseCommand

from portal.encompass import conf, services


class Command(BaseCommand):
    help = "Delete Operation Encompass notifications acknowledged more than RETENTION_ENCOMPASS_DAYS ago (counts are audited)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only say what would be deleted")

    def handle(self, *args, **options):
        counts = services.purge_expired(dry_run=options["dry_run"])
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(
            f"Operation Encompass: {verb} {counts['notifications']} notifications "
            f"({counts['children']} children) acknowledged more than {conf.retention_days()} days ago."
        )
