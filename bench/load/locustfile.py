"""Families using the directory: varied searches (words, postcodes with a radius, filters,
a second page, the odd mistyped postcode) and service pages. Run by ``bench/load/harness.py``
as ``locust --headless``; ``LOAD_DATA`` names a JSON file with the seeded service slugs and
category ids. Any answer other than 200 with the page's heading is a failure."""

from __future__ import annotations

import csv
import json
import os
import random
import urllib.parse
from pathlib import Path

from locust import FastHttpUser, between, task

ROOT = Path(__file__).resolve().parents[2]
_DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text())
SLUGS: list[str] = _DATA["slugs"]
CATEGORIES: list[str] = _DATA["categories"]
with (ROOT / "search" / "fixtures" / "sunderland_postcodes.csv").open() as handle:
    POSTCODES = [row["postcode"] for row in csv.DictReader(handle)]
WORDS = [
    "domestic abuse",
    "parenting",
    "autism",
    "food bank",
    "mental health",
    "young carers",
    "dv",
    "housing",
    "bereavement",
    "school",
    "baby group",
    "debt advice",
    "youth club",
    "breastfeeding",
    "refuge",
    "drugs",
    "send",
    "",
]
BAD_POSTCODES = ["SR99 9ZZ", "not a postcode", "SR1"]
ATTEND = ["in_person", "online", "phone"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA"]


def search_params(rng: random.Random) -> dict[str, object]:
    params: dict[str, object] = {"q": rng.choice(WORDS)}
    roll = rng.random()
    if roll < 0.6:
        params["postcode"] = rng.choice(POSTCODES)
        params["radius"] = rng.choice(["1", "3", "5", "10", "25"])
        if rng.random() < 0.4:
            params["sort"] = "distance"
    elif roll < 0.65:
        params["postcode"] = rng.choice(BAD_POSTCODES)
    if rng.random() < 0.3 and CATEGORIES:
        params["category"] = rng.sample(CATEGORIES, k=rng.choice([1, 2]))
    if rng.random() < 0.3:
        params["age"] = str(rng.randrange(0, 19))
    if rng.random() < 0.2:
        params["free"] = "on"
    if rng.random() < 0.1:
        params["access"] = rng.choice(["self_referral", "professional_referral"])
    if rng.random() < 0.1:
        params["attend"] = rng.choice(ATTEND)
    if rng.random() < 0.1:
        params["day"] = rng.choice(DAYS)
    if rng.random() < 0.15:
        params["page"] = str(rng.choice([2, 3]))
    if not any(params.values()):
        params["q"] = "support"
    return params


class Family(FastHttpUser):
    wait_time = between(float(os.environ.get("LOAD_WAIT_MIN", "0.2")), float(os.environ.get("LOAD_WAIT_MAX", "1.0")))

    def on_start(self):
        self.rng = random.Random()

    @task(3)
    def search(self):
        with self.client.get(
            "/services/?" + urllib.parse.urlencode(search_params(self.rng), doseq=True),
            name="/services/?search",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif b"<h1" not in (response.content or b""):
                response.failure("no heading in the search page")

    @task(2)
    def service(self):
        slug = self.rng.choice(SLUGS)
        with self.client.get(f"/services/{slug}/", name="/services/<slug>/", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif b"<h1" not in (response.content or b""):
                response.failure("no heading in the service page")
