"""Rebuild the directory search index from the published, public services.

The database index is rebuilt in one transaction (searches see the old rows until it
commits). With SEARCH_BACKEND=elasticsearch a new versioned index is built, bulk-loaded,
the alias swapped to it and the old index dropped: search answers throughout."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from search.contract import get_backend
from search.documents import public_page_count


class Command(BaseCommand):
    help = "Rebuild the directory search index (database, and Elasticsearch when configured)."

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=["database", "elasticsearch"], help="Only this backend.")

    def handle(self, *args, backend=None, **options):
        names = (
            [backend]
            if backend
            else ["database"] + ([settings.SEARCH_BACKEND] if settings.SEARCH_BACKEND != "database" else [])
        )
        total = public_page_count()
        for name in names:
            out = self.stdout

            def progress(done, name=name, out=out):
                width = 30
                filled = int(width * done / total) if total else width
                out.write(f"\r{name}: [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
                out.flush()

            count = get_backend(name).rebuild(progress=progress if sys.stdout.isatty() or True else None)
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(f"{name}: indexed {count} public services."))
