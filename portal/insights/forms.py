"""The filters above every dashboard: a period, the narrowing the dashboard offers, and an
optional second period to compare with. A GET form, so a filtered page is a link."""

from __future__ import annotations

import datetime

from django import forms

from portal.forms import GovUKDateInput, PlainSelect

from .filters import Filters

MAX_YEARS = 5  # a longer period is not a question commissioners ask, and costs a month row each
FIRST_YEAR = 2000  # no figures are older; the last year accepted is next year (see ``_in_range``)

DATE_PARTS = tuple(name for name, _, _ in GovUKDateInput.parts)  # the boxes' name suffixes: day, month, year


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 12 complete calendar months before ``today``'s month (26 November 2026 → 1
    November 2025 to 31 October 2026), so the first month is never a stub of a few days that
    looks like a collapse, and the last is never a month still being counted."""
    end = today.replace(day=1) - datetime.timedelta(days=1)
    start = datetime.date(end.year, 1, 1) if end.month == 12 else datetime.date(end.year - 1, end.month + 1, 1)
    return start, end


def _date_field(label: str, which: str, hint: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=GovUKDateInput(),
        help_text=hint,
        error_messages={"invalid": f"The {which} date must be a real date"},
    )


class InsightFilterForm(forms.Form):
    """Bind it to ``request.GET``. Fields for area, category, service and level are only
    there when the dashboard offers them (``filter_choices(slug)``)."""

    date_from = _date_field("Period from", "from", "For example, 1 4 2025")
    date_to = _date_field("Period to", "to", "For example, 31 3 2026. Figures for this day are included.")
    area = forms.ChoiceField(label="Area", required=False, widget=PlainSelect)
    category = forms.TypedChoiceField(
        label="Category", required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    service = forms.TypedChoiceField(label="Service", required=False, coerce=int, empty_value=None, widget=PlainSelect)
    level = forms.TypedChoiceField(label="Level of need", required=False, coerce=int, empty_value=None)
    compare_from = _date_field("Comparison period from", "comparison from", "For example, 1 4 2024")
    compare_to = _date_field("Comparison period to", "comparison to", "For example, 31 3 2025")

    PERIOD_FIELDS = ("date_from", "date_to")
    NARROWING_FIELDS = ("area", "category", "service", "level")
    COMPARE_FIELDS = ("compare_from", "compare_to")
    _ANY = {"area": "Every area", "category": "Every category", "service": "Every service", "level": "Every level"}
    _INVALID = {
        "area": "Choose an area from the list",
        "category": "Choose a category from the list",
        "service": "Choose a service from the list",
        "level": "Choose a level of need from the list",
    }
    _CHOICE_KEYS = {"area": "areas", "category": "categories", "service": "services", "level": "levels"}

    def __init__(self, data, *, choices: dict | None = None, today: datetime.date, **kwargs):
        self.today = today
        self.default_from, self.default_to = default_period(today)
        data = data.copy()
        if not any(data.get(f"{name}_{part}") for name in self.PERIOD_FIELDS for part in DATE_PARTS):
            # No period asked for: the last 12 complete months, shown in the boxes so people see it.
            for name, value in (("date_from", self.default_from), ("date_to", self.default_to)):
                for part, number in zip(DATE_PARTS, (value.day, value.month, value.year), strict=True):
                    data[f"{name}_{part}"] = str(number)
        super().__init__(data, **kwargs)
        choices = choices or {}
        for name in self.NARROWING_FIELDS:
            offered = choices.get(self._CHOICE_KEYS[name])
            if not offered:
                del self.fields[name]
                continue
            field = self.fields[name]
            if name == "area" and choices.get("area_label"):
                field.label = choices["area_label"]  # "Locality team area", "Postcode district"
            field.choices = [("", self._ANY[name]), *((str(value), label) for value, label in offered)]
            field.error_messages["invalid_choice"] = self._INVALID[name]

    # --- What the template needs ---
    def narrowing_fields(self):
        return [self[name] for name in self.NARROWING_FIELDS if name in self.fields]

    def period_fields(self):
        return [self[name] for name in self.PERIOD_FIELDS]

    def compare_fields(self):
        return [self[name] for name in self.COMPARE_FIELDS]

    @property
    def comparing(self) -> bool:
        """Whether the person asked for a comparison (even one with a mistake in it)."""
        return any(self.data.get(f"{name}_{part}") for name in self.COMPARE_FIELDS for part in DATE_PARTS)

    # --- Validation ---
    def _in_range(self, name: str, which: str) -> datetime.date | None:
        """A date whose year is from 2000 to next year, checked before any date arithmetic
        (year 9999 plus a 5-year limit is past the last date Python has)."""
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        last_year = self.today.year + 1
        if value.year < FIRST_YEAR:
            raise forms.ValidationError(f"The {which} date must be in {FIRST_YEAR} or later", code="too_early")
        if value.year > last_year:
            raise forms.ValidationError(f"The {which} date must be in {last_year} or earlier", code="too_late")
        return value

    def clean_date_from(self):
        return self._in_range("date_from", "from")

    def clean_date_to(self):
        return self._in_range("date_to", "to")

    def clean_compare_from(self):
        return self._in_range("compare_from", "comparison from")

    def clean_compare_to(self):
        return self._in_range("compare_to", "comparison to")

    def clean(self):
        cleaned = super().clean()
        if any(self.errors.get(name) for name in self.PERIOD_FIELDS):
            return cleaned
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from is None and date_to is None:
            date_from, date_to = self.default_from, self.default_to
        elif date_from is None:
            date_from = _year_before(date_to)
        elif date_to is None:
            # Only a from date typed: the year from it, up to today. A from date after today
            # has no figures, and saying so about a to date nobody typed would confuse.
            if date_from > self.today:
                self.add_error("date_from", "The from date must be today or in the past")
                return cleaned
            date_to = min(self.today, _year_after(date_from))
        if date_from > self.today:
            # A period wholly in the future has no figures: an empty dashboard would mislead.
            self.add_error("date_from", "The from date must be today or in the past")
            return cleaned
        if date_from > date_to:
            self.add_error("date_to", "The to date must be the same as or after the from date")
            return cleaned
        if _too_long(date_from, date_to):
            self.add_error("date_from", f"The period must be {MAX_YEARS} years or shorter")
            return cleaned
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to

        if any(self.errors.get(name) for name in self.COMPARE_FIELDS):
            return cleaned
        compare_from, compare_to = cleaned.get("compare_from"), cleaned.get("compare_to")
        if compare_from is None and compare_to is None:
            return cleaned
        if compare_from is None:
            self.add_error("compare_from", "Enter the date the comparison period starts")
        if compare_to is None:
            self.add_error("compare_to", "Enter the date the comparison period ends")
        if compare_from is None or compare_to is None:
            return cleaned
        if compare_from > compare_to:
            self.add_error("compare_to", "The comparison to date must be the same as or after the comparison from date")
        elif _too_long(compare_from, compare_to):
            self.add_error("compare_from", f"The comparison period must be {MAX_YEARS} years or shorter")
        elif compare_from <= date_to and date_from <= compare_to:
            # Overlapping periods would let someone subtract one figure from the other and
            # recover a number that disclosure control hid.
            self.add_error(
                "compare_from",
                f"The comparison period must not overlap the period you are looking at "
                f"({date_from:%-d %B %Y} to {date_to:%-d %B %Y}): choose one that ends before it starts or starts after it ends",
            )
        return cleaned

    # --- Results ---
    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            area=data.get("area") or "",
            category=data.get("category"),
            service=data.get("service"),
            level=data.get("level"),
        )

    def comparison(self) -> Filters | None:
        data = self.cleaned_data
        if data.get("compare_from") and data.get("compare_to"):
            return self.filters().shifted(data["compare_from"], data["compare_to"])
        return None

    def summary(self) -> list[tuple[str, str]]:
        """The narrowing chosen, as (label, choice) pairs in the form's order, e.g.
        [("Locality team area", "Sunderland West"), ("Level of need", "Level 3")]."""
        chosen = []
        for name in self.NARROWING_FIELDS:
            if name not in self.fields:
                continue
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            labels = {str(key): label for key, label in self.fields[name].choices}
            chosen.append((str(self.fields[name].label), str(labels.get(str(value), value))))
        return chosen

    def summary_text(self) -> str:
        """The filters in one line, for the page (and print), the CSV and the audit log:
        "Area: Sunderland West · Level of need: Level 3", or "No filters" when none."""
        chosen = self.summary()
        return " · ".join(f"{label}: {value}" for label, value in chosen) if chosen else "No filters"

    def audit_detail(self) -> dict:
        """The filters chosen, for the audit log: dates, ids and their labels, nothing personal."""
        filters = self.filters()
        detail = {
            "date_from": filters.date_from.isoformat(),
            "date_to": filters.date_to.isoformat(),
            **{name: getattr(filters, name) for name in self.NARROWING_FIELDS if getattr(filters, name)},
        }
        comparison = self.comparison()
        if comparison:
            detail["compare_from"] = comparison.date_from.isoformat()
            detail["compare_to"] = comparison.date_to.isoformat()
        return detail


def _too_long(date_from: datetime.date, date_to: datetime.date) -> bool:
    try:
        limit = date_from.replace(year=date_from.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = date_from.replace(year=date_from.year + MAX_YEARS, day=28)
    return date_to >= limit


def _year_before(date_to: datetime.date) -> datetime.date:
    """The first day of the year that ends on ``date_to``."""
    try:
        return date_to.replace(year=date_to.year - 1) + datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return date_to.replace(year=date_to.year - 1, day=28) + datetime.timedelta(days=1)


def _year_after(date_from: datetime.date) -> datetime.date:
    try:
        return date_from.replace(year=date_from.year + 1) - datetime.timedelta(days=1)
    except ValueError:
        return date_from.replace(year=date_from.year + 1, day=28)
