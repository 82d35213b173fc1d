"""Demo step (``load_demo``, after the directory's step): the Sunderland demo postcodes,
each demo public location's postcode with its coordinates, a search index rebuild, and two
years of family searches (``SearchLog``) for the commissioners' directory dashboard.

The searches are a sample (20–40 a day, fewer at weekends; a council's portal would log
more): common terms, misspellings, searches by postcode district or category only, and
terms that find nothing, several of them searched again on many days (unmet demand). Only
the words below and postcode districts: never a name, a full postcode or anything a family
typed. They carry ``backend="demo"``, so loading the demo again replaces them rather than
adding more; a family's real searches in the demo are never touched."""

from __future__ import annotations

import datetime
import os
import random
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from directory.models import Location
from search import postcodes
from search.models import Postcode

DEMO_POSTCODES = Path(__file__).resolve().parent / "fixtures" / "sunderland_postcodes.csv"
DEMO_BACKEND = "demo"
SEED = 2027
HISTORY_DAYS = 730
PER_DAY = (20, 40)  # searches a weekday; weekends have two thirds as many
OUTCODES = ("SR1", "SR2", "SR3", "SR4", "SR5", "SR6", "NE37", "NE38", "DH4", "DH5")
# (text, weight) of searches that found something; "" is a browse by category or place only.
FOUND = (
    ("", 30),
    ("domestic abuse", 10),
    ("parenting", 8),
    ("food bank", 8),
    ("autism", 6),
    ("mental health", 6),
    ("housing", 5),
    ("stay and play", 4),
    ("young carers", 3),
    ("debt advice", 3),
    ("speech and language", 3),
    ("bereavement", 2),
    ("breastfeeding", 2),
    ("send support", 2),
    ("holiday activities", 2),
    ("baby massage", 1),
    # misspellings the search still matches
    ("domestic abuce", 1),
    ("food bnak", 1),
    ("parenting clases", 1),
    ("austim", 1),
    ("bereavment", 1),
)
# Unmet demand: searched again and again, on many days, and nothing found.
ZERO = (
    ("debt advice in arabic", 5),
    ("autism sleep", 5),
    ("kinship carers", 4),
    ("male victims", 4),
    ("baby sensory", 3),
    ("sleep clinic", 3),
    ("dyslexia assessment", 3),
    ("grandparent support", 2),
    ("school uniform help", 2),
    ("polish speaking counsellor", 2),
    ("eating disorder parents", 2),
    ("gambling", 1),
    # rare ones and misspellings: mostly too few in a year to be listed on the dashboard
    ("kinship carrers", 0.1),
    ("mail victims", 0.1),
    ("respite weekend", 0.2),
    ("tiktok safety", 0.2),
)
# Families search by day more than by night.
HOURS = (1, 1, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 7, 6, 6, 6, 6, 5, 5, 6, 7, 6, 4, 2)


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
    searches = load_history()
    return (
        f"search: {Postcode.objects.count()} postcodes ({added} from demo locations), {indexed} services indexed, "
        f"{searches} demo searches over {history_days()} days"
    )


def history_days() -> int:
    """Two years, within the search log's retention period (``purge_expired``)."""
    return min(HISTORY_DAYS, settings.RETENTION_SEARCH_LOG_DAYS - 1)


def load_history(*, now: datetime.datetime | None = None) -> int:
    """Replace the demo's searches (``backend="demo"``) with the same sample ending yesterday."""
    from portal.encompass import synthetic
    from search.models import SearchLog

    SearchLog.objects.filter(backend=DEMO_BACKEND).delete()
    now = now or timezone.now()
    rng = random.Random(SEED)
    today = timezone.localdate(now)
    rows = []
    for ago in range(history_days(), 0, -1):
        day = today - datetime.timedelta(days=ago)
        low, high = PER_DAY
        count = rng.randint(low, high) * (2 if day.weekday() >= 5 else 3) // 3
        for _ in range(count):
            hour = rng.choices(range(24), weights=HOURS)[0]
            created = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(hour, rng.randrange(60), rng.randrange(60)))
            )
            rows.append(
                synthetic.search_log(
                    rng,
                    lambda created=created: created,
                    found=FOUND,
                    zero=ZERO,
                    zero_share=0.1,
                    outcodes=OUTCODES,
                    max_results=40,
                    backend=DEMO_BACKEND,
                )
            )
    synthetic.bulk_create_search_logs(rows)
    return len(rows)
