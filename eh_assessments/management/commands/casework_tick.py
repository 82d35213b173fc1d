import time

from django.core.management.base import BaseCommand

from eh_assessments import casework


class Command(BaseCommand):
    help = (
        "Prompt the sustained-outcome checks that are due (six months after closure, once each) and send "
        "(or retry) the casework emails waiting in the outbox. Run it hourly (cron, systemd timer), or "
        "with --loop beside the task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running, once an hour")

    def handle(self, *args, **options):
        while True:
            prompted = casework.prompt_sustained_checks()
            sent = casework.deliver_due()
            self.stdout.write(
                f"{prompted} sustained-outcome checks prompted; emails sent {sent['sent']}, "
                f"to retry {sent['retry']}, given up {sent['failed']}"
            )
            if not options["loop"]:
                return
            time.sleep(3600)
