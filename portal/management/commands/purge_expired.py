"""Enforce every retention period: each app that keeps personal data names a purge function in
RETENTION_STEPS; each takes ``now`` and ``dry_run`` and returns ``(what, count)`` pairs. The
counts (never the content) go to the audit log from the app's own function."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

RETENTION_STEPS = (
    "portal.encompass.services.purge_expired_for_retention",
    "directory.problem_reports.purge_expired",
    "search.retention.purge_expired",
    "portal.audit.services.purge_expired",  # last, so the other steps' purge events are kept
)


class Command(BaseCommand):
    help = (
        "Delete or anonymise records past their retention period: Operation Encompass notifications, "
        "problem reporters' email addresses, search logs and audit events (RETENTION_* settings)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only say what would be deleted")

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        now = timezone.now()
        verb = "Would purge" if dry_run else "Purged"
        for path in RETENTION_STEPS:
            with transaction.atomic():
                results = import_string(path)(now=now, dry_run=dry_run)
            for what, count in results:
                self.stdout.write(f"{verb} {count} {what}")
