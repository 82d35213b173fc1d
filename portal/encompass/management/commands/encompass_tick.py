import datetime
import time

from django.core.management.base import BaseCommand

from portal.encompass import services


class Command(BaseCommand):
    help = (
        "Escalate unacknowledged Operation Encompass notifications and send (or retry) due alerts. "
        "Run it every minute (cron, systemd timer), or with --loop beside the task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running, once a minute")
        parser.add_argument(
            "--abandoned-after",
            type=int,
            default=30,
            metavar="MINUTES",
            help="mark this app's tasks running longer than this as abandoned by a stopped worker (default 30)",
        )

    def handle(self, *args, **options):
        while True:
            recovered = services.recover_abandoned_tasks(
                older_than=datetime.timedelta(minutes=options["abandoned_after"])
            )
            escalated = services.escalate_due()
            sent = services.deliver_due()
            self.stdout.write(
                f"{escalated} escalated; alerts sent {sent['sent']}, to retry {sent['retry']}, given up {sent['failed']}"
                + (f"; {recovered} abandoned task(s) recovered" if recovered else "")
            )
            if not options["loop"]:
                return
            time.sleep(60)
