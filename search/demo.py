"""Demo step (``load_demo``, after the directory's step): the Sunderland demo postcodes,
each demo public location's postcode with its coordinates, then a search index rebuild."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command

from directory.models import Location
from search import postcodes
from search.models import Postcode

DEMO_POSTCODES = Path(__file__).resolve().parent / "fixtures" / "sunderland_postcodes.csv"


def load() -> str:
    with open(os.devnull, "w") as devnull:
        call_command("import_postcodes", str(DEMO_POSTCODES), stdout=devnull)
    added = 0
    rows = (
        Location.objects.filter(confidential=False, latitude__isnull=False, longitude__isnull=False)
        .exclude(postal_code="")
        .values_list("postal_code", "latitude", "longitude")
    )
    for raw, lat, lng in rows:
        try:
            postcode = postcodes.normalise(raw)
        except ValidationError:
            continue
        if " " not in postcode:
            continue
        _, created = Postcode.objects.get_or_create(
            postcode=postcode, defaults={"outcode": postcode.split()[0], "latitude": lat, "longitude": lng}
        )
        added += created
    # Both indexes (database, and Elasticsearch when it is the configured backend).
    with open(os.devnull, "w") as devnull:
        call_command("rebuild_search_index", stdout=devnull)
    from search.models import IndexedService

    indexed = IndexedService.objects.count()
    return f"search: {Postcode.objects.count()} postcodes ({added} from demo locations), {indexed} services indexed"
