"""manage.py export_open_referral [--output FILE] [--include-hidden]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from directory import selectors
from directory.api import serializers


def export_json(*, include_hidden: bool = False) -> str:
    services = [serializers.service_full(page) for page in selectors.export_services(include_hidden=include_hidden)]
    return json.dumps(services, indent=2, ensure_ascii=False)


class Command(BaseCommand):
    help = (
        "Write the published directory as Open Referral UK v3 JSON: a list of fully nested services. "
        "Confidential locations are never included."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument(
            "--include-hidden",
            action="store_true",
            help="Every published service, including inactive, temporarily closed and unverified ones "
            "(by default: the same services as the API).",
        )

    def handle(self, *args, output=None, include_hidden=False, **options):
        text = export_json(include_hidden=include_hidden)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text)
