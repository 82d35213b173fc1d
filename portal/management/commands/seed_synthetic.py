"""Seed synthetic data at scale for benchmarks (``bench/``): directory services, early help
family histories and Operation Encompass notifications. Never for production data.

    python manage.py seed_synthetic --services 2000 --families 100000 --notifications 20000

Every kind is written in bulk (``bulk_create`` in batches, no per-row services), so 100 000
families take minutes, not hours. Each option adds that many more on every run (it does not
top up to N, and it never deletes): callers that want exactly N count first, as
``bench/search/run.py`` does. Seeded random, so the same database and options give the same
data. Services come first when given together, so plans and signposting can point at them;
run ``rebuild_search_index`` (and Wagtail's ``update_index``) after ``--services``.

The code lives beside each app's models: :mod:`directory.synthetic`,
:mod:`eh_assessments.synthetic`, :mod:`portal.encompass.synthetic`."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Seed synthetic data for benchmarks: N directory services, N early help families with two "
        "years of history, N Operation Encompass notifications (with search logs). Each run ADDS "
        "that many more; it never deletes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--services", type=int, default=0, help="Published, verified directory services to add.")
        parser.add_argument(
            "--families",
            type=int,
            default=0,
            help="Families to add, each with two years of early help history (about 12 events a family, plus outcome scores).",
        )
        parser.add_argument(
            "--notifications",
            type=int,
            default=0,
            help="Operation Encompass notifications to add over two years, plus family search logs.",
        )
        parser.add_argument("--seed", type=int, default=2016, help="Random seed (default 2016).")

    def handle(self, *args, services: int, families: int, notifications: int, seed: int, **options):
        if min(services, families, notifications) < 0:
            raise CommandError("Give positive numbers.")
        if not (services or families or notifications):
            raise CommandError("Give at least one of --services, --families, --notifications.")
        if services:
            from directory.synthetic import seed_services

            started = time.monotonic()
            created = seed_services(services, seed=seed, stdout=self.stdout)
            self.stdout.write(
                self.style.SUCCESS(f"Seeded {created} synthetic services in {time.monotonic() - started:.0f} s.")
            )
        if notifications:
            from portal.encompass.synthetic import seed_notifications

            started = time.monotonic()
            counts = seed_notifications(notifications, seed=seed, stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS(f"Seeded {_counts(counts)} in {time.monotonic() - started:.0f} s."))
        if families:
            from eh_assessments.synthetic import seed_families

            started = time.monotonic()
            counts = seed_families(families, seed=seed, stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS(f"Seeded {_counts(counts)} in {time.monotonic() - started:.0f} s."))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())
