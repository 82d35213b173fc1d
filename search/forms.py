"""The family search form: every field optional, every value checked, nothing a family
types can make the search fail."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from directory.models.choices import AttendanceMode, Weekday
from search import postcodes
from search.contract import DISTANCE, METRES_PER_MILE, RELEVANCE, SearchQuery

RADIUS_CHOICES = [("1", "1 mile"), ("3", "3 miles"), ("5", "5 miles"), ("10", "10 miles"), ("25", "25 miles")]
SORT_CHOICES = [(RELEVANCE, "Best match"), (DISTANCE, "Nearest first")]
ACCESS_CHOICES = [
    ("self_referral", "Contact the service yourself"),
    ("professional_referral", "Referral by a professional"),
]
PAGE_SIZE = 10


class SearchForm(forms.Form):
    q = forms.CharField(label="What are you looking for?", required=False, max_length=1000, strip=True)
    postcode = forms.CharField(label="Postcode", required=False, max_length=20)
    radius = forms.TypedChoiceField(choices=RADIUS_CHOICES, required=False, coerce=int, empty_value=10)
    category = forms.MultipleChoiceField(required=False, choices=())
    age = forms.TypedChoiceField(
        label="Child's age",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any age")] + [(str(a), str(a)) for a in range(19)],
    )
    free = forms.BooleanField(required=False)
    access = forms.ChoiceField(required=False, choices=[("", "Any"), *ACCESS_CHOICES])
    attend = forms.MultipleChoiceField(required=False, choices=AttendanceMode.choices)
    day = forms.ChoiceField(required=False, choices=[("", "Any day"), *Weekday.choices])
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, *args, category_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = None
        self.fields["category"].choices = category_choices or []

    def clean_q(self):
        return (self.cleaned_data.get("q") or "")[:200]

    def clean_postcode(self):
        value = self.cleaned_data.get("postcode", "").strip()
        if not value:
            return ""
        postcode = postcodes.normalise(value)  # raises "Enter a real postcode, like SR1 3AA"
        self.place = postcodes.lookup(postcode)
        if self.place is None:
            raise ValidationError(
                f"We could not find {postcode}. Check the postcode, or search without one", code="unknown_postcode"
            )
        return postcode

    def to_query(self) -> SearchQuery:
        data = self.cleaned_data if self.is_bound else {}
        get = data.get
        sort = get("sort") or RELEVANCE
        query = SearchQuery(
            text=get("q") or "",
            radius_m=(get("radius") or 10) * METRES_PER_MILE,
            categories=tuple(get("category") or ()),
            age=get("age"),
            free_only=bool(get("free")),
            access=get("access") or "",
            attendance=tuple(get("attend") or ()),
            open_day=get("day") or "",
            page=get("page") or 1,
            page_size=PAGE_SIZE,
            sort=sort,
        )
        if self.place is not None:
            query = query.with_centre(self.place.latitude, self.place.longitude)
        return query
