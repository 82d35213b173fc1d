from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from portal.accounts.roles import ROLES, sync_roles


class Command(BaseCommand):
    help = "Make each role's group hold exactly the permissions listed in portal/accounts/roles.py."

    def handle(self, *args, **options):
        missing = sync_roles()
        groups = Group.objects.filter(name__in=[role.name for role in ROLES]).annotate(held=Count("permissions"))
        counts = {group.name: group.held for group in groups}
        width = max(len(role.name) for role in ROLES)
        for role in ROLES:
            held = counts.get(role.name, 0)
            self.stdout.write(f"{role.name:<{width}}  {held:>3} permission{'' if held == 1 else 's'}  ({role.slug})")
        if missing:
            raise CommandError("These permissions named in roles.py do not exist: " + ", ".join(sorted(set(missing))))
        self.stdout.write(self.style.SUCCESS(f"{len(ROLES)} roles in step with roles.py."))
