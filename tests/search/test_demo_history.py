"""The search demo's two years of family searches (issue 8 point 6): a realistic sample, with
unmet demand repeated over many days, no personal data, replaced rather than added to."""

import datetime
import re

import pytest

from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from search import demo, retention
from search.models import SearchLog

pytestmark = pytest.mark.django_db

POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


def test_two_years_of_searches_a_sample_a_day():
    count = demo.load_history()
    logs = SearchLog.objects.filter(backend=demo.DEMO_BACKEND)
    assert logs.count() == count
    span = logs.aggregate(first=Min("created"), last=Max("created"))
    now = timezone.now()
    assert now - datetime.timedelta(days=731) < span["first"] < now - datetime.timedelta(days=720)
    assert span["last"] < now
    per_day = logs.annotate(day=TruncDate("created")).values("day").annotate(n=Count("pk"))
    assert all(10 <= row["n"] <= 45 for row in per_day)
    assert 20 <= count / 729 <= 40
    assert retention.purge_expired(dry_run=True)[0][1] == 0  # all within retention


def test_unmet_demand_is_repeated_on_many_days_and_misspellings_appear():
    demo.load_history()
    zero = SearchLog.objects.filter(result_count=0)
    for term in ("debt advice in arabic", "autism sleep", "kinship carers", "male victims"):
        days = zero.filter(text=term).annotate(day=TruncDate("created")).values("day").distinct().count()
        assert days >= 100, term
    assert SearchLog.objects.filter(text="domestic abuce", result_count__gt=0).exists()
    assert SearchLog.objects.filter(text="", result_count__gt=0).exists()  # browsing only


def test_no_personal_data_and_never_a_full_postcode():
    demo.load_history()
    logs = SearchLog.objects.all()
    assert {len(o) for o in logs.values_list("outcode", flat=True).distinct()} <= {0, 3, 4}
    assert all(re.fullmatch(r"([A-Z]{1,2}\d{1,2})?", o) for o in logs.values_list("outcode", flat=True).distinct())
    terms = set(logs.values_list("text", flat=True))
    assert not any(POSTCODE.search(t) for t in terms)
    assert terms <= {t for t, _ in demo.FOUND} | {t for t, _ in demo.ZERO}


def test_loading_again_replaces_the_demo_searches_only():
    real = SearchLog.objects.create(text="holiday club", outcode="SR4", result_count=3, backend="database")
    first = demo.load_history()
    fields = ("created", "text", "outcode", "result_count")
    rows = sorted(SearchLog.objects.filter(backend=demo.DEMO_BACKEND).values_list(*fields))
    assert demo.load_history() == first
    assert SearchLog.objects.count() == first + 1
    assert SearchLog.objects.filter(pk=real.pk).exists()
    assert sorted(SearchLog.objects.filter(backend=demo.DEMO_BACKEND).values_list(*fields)) == rows
