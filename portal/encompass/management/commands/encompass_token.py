from django.core.management.base import BaseCommand, CommandError

from portal.encompass import services
from portal.encompass.models import ApiToken


class Command(BaseCommand):
    help = "Issue a bearer token for a police force's use of the intake API (printed once), list or revoke tokens."

    def add_arguments(self, parser):
        parser.add_argument("--force", help="the force code, e.g. NBR: issue a new token for it")
        parser.add_argument("--name", default="", help="what the token is for, e.g. 'Niche RMS'")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the token starting with PREFIX")
        parser.add_argument("--list", action="store_true", help="list tokens (prefixes only)")

    def handle(self, *args, **options):
        if options["revoke"]:
            if not services.revoke_token(options["revoke"]):
                raise CommandError(f"No active token with prefix {options['revoke']}.")
            self.stdout.write(self.style.SUCCESS(f"Token {options['revoke']}… revoked."))
        elif options["list"]:
            for token in ApiToken.objects.order_by("force", "created_at"):
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                self.stdout.write(f"{token.force:<6} {token.prefix}…  {state}  {token.name}")
        elif options["force"]:
            _, plain = services.create_token(options["force"], options["name"])
            self.stdout.write(plain)
            self.stderr.write(f"Token for {options['force'].upper()}: store it now, it is not shown again.")
        else:
            raise CommandError("Give --force CODE, --revoke PREFIX or --list.")
