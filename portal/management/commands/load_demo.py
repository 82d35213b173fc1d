"""Load the demo: the page tree, one account per role and (as later features land) their
data. Idempotent: running it again brings the demo back to its starting state without
duplicating anything. Refused unless DEMO_MODE is on (dev and test settings only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

# Each step is a callable taking no arguments (or the demo password) and returning a short
# description of what it did. Later features add their steps here, in dependency order.
DEMO_STEPS = (
    "portal.home.demo.build_page_tree",
    "portal.accounts.demo.load",
    "portal.encompass.demo.load",
    "eh_assessments.demo.load",
    "directory.demo.load",
    "directory.verification_demo.load",
    "eh_assessments.casework_demo.load",  # after the directory: plans use its services
    "search.demo.load",
)


class Command(BaseCommand):
    help = "Load demo pages, accounts and data (dev and demo settings only)."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError(
                "Demo data is only loaded with DEMO_MODE on (portal.settings.dev). Production never gets demo accounts."
            )
        with transaction.atomic():
            for path in DEMO_STEPS:
                step = import_string(path)
                summary = step()
                self.stdout.write(f"- {summary or path}")
        self.stdout.write(self.style.SUCCESS("Demo loaded. Demo accounts are listed in README.md."))
