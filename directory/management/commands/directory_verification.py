"""``manage.py directory_verification [--enqueue]``: send "is this still correct?" emails for
services whose review is due, and escalate unanswered ones. Safe to run as often as you like
(it never sends anything twice); run it daily from cron or a systemd timer."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Ask owners to confirm services due for review, and escalate unanswered requests."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the job for the task worker instead of running it here."
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from directory.tasks import run_directory_verification

            result = run_directory_verification.enqueue()
            self.stdout.write(f"Queued the verification job ({result.id}).")
            return
        from directory.verification import run_verification

        run = run_verification()
        self.stdout.write(
            f"Reminders: {run.reminders} ({run.emails} emails). Escalated: {run.escalations}. "
            f"Closed (verified elsewhere): {run.closed}."
        )
