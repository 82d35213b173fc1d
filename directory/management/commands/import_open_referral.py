"""manage.py import_open_referral PATH_OR_URL [--dry-run] [--draft] [--since ISO]"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from directory.importers.feed import SourceError, load_records
from directory.importers.oruk import import_services


def parse_since(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since must be an ISO 8601 date or date and time, not '{value}'") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Import Open Referral UK v3 services from a JSON file (a list of full services or an ORUK page) "
        "or a live ORUK API. All or nothing: one bad record and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH_OR_URL")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")
        parser.add_argument("--draft", action="store_true", help="Save changes as drafts for moderation.")
        parser.add_argument("--since", help="Only services changed since this ISO 8601 time (live feeds).")

    def handle(self, *args, source, dry_run, draft, since, **options):
        since_at = parse_since(since) if since else None
        verbosity = options.get("verbosity", 1)

        def progress(number, total, service_id):
            if verbosity > 1:
                self.stdout.write(f"Fetching service {number} of {total}: {service_id}")

        try:
            records = load_records(source, since=since_at, progress=progress)
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        report = import_services(records, dry_run=dry_run, draft=draft)
        for line in report.lines():
            self.stdout.write(line)
        if verbosity > 1:
            for service_id, changed in report.changes.items():
                self.stdout.write(f"  {service_id}: {', '.join(changed)}")
        if not report.ok:
            raise CommandError(f"Import rejected: {report.rejected} record(s) with errors; nothing was written.")
