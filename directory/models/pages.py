"""The directory's pages: one DirectoryIndexPage holding ServicePages, each with its
locations, schedules, costs, contacts and service areas as orderable child objects (so they
are versioned with the page's revisions and go through moderation with it)."""

from __future__ import annotations

import contextlib
import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.utils import timezone

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page
from wagtail.search import index

from directory import validators
from directory.editorial import ServicePageForm, ServicePagePermissionTester
from directory.models.choices import (
    AttendanceMode,
    ExtentType,
    Frequency,
    HowToAccess,
    LevelOfNeed,
    LocationType,
    PhoneType,
    ServiceStatus,
    Weekday,
)
from directory.models.fields import LanguageCodesField
from directory.models.snippets import Organisation, TaxonomyTerm

DEFAULT_REVIEW_INTERVAL_MONTHS = 6

# Fields about checking a listing, not its content: they are kept from the live page when
# a revision is published, so publishing an older draft never undoes a verification.
VERIFICATION_FIELDS = ("assured_date", "assurer", "last_verified_at")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


class DirectoryIndexPage(Page):
    """The root of the directory (``/services/``): families search from here."""

    introduction = models.TextField(blank=True, help_text="A sentence or two shown above the search box.")

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]

    # The home page lists this type in its subpage_types; "wagtailcore.Page" lets a site whose
    # root is still Wagtail's welcome page (a fresh install, an import) hold the directory.
    parent_page_types = ["home.HomePage", "wagtailcore.Page"]
    subpage_types = ["directory.ServicePage"]
    max_count = 1

    class Meta:
        verbose_name = "service directory"

    def get_context(self, request, *args, **kwargs):
        from directory.selectors import public_services

        context = super().get_context(request, *args, **kwargs)
        context["services"] = public_services().select_related("organisation").order_by("title")
        return context


class ServicePage(RoutablePageMixin, Page):
    """One service in the directory, in the shape of an Open Referral UK v3 service.

    Routes: the page itself, and ``report-a-problem/`` (with ``report-a-problem/sent/``)
    where families tell the directory team something is wrong (see
    :mod:`directory.problem_reports`)."""

    oruk_id = models.UUIDField("ORUK id", default=uuid.uuid4, unique=True, editable=False)
    summary = models.CharField(max_length=300, help_text="One or two sentences shown in search results.")
    description = models.TextField(
        blank=True, help_text="What the service does. Plain text: leave a blank line between paragraphs."
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=False, on_delete=models.PROTECT, related_name="services"
    )
    status = models.CharField(max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    alert = models.TextField(
        "alert", blank=True, help_text="A short-term notice families must see, for example a change of venue."
    )
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)

    minimum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(validators.MIN_AGE), MaxValueValidator(validators.MAX_AGE)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(validators.MIN_AGE), MaxValueValidator(validators.MAX_AGE)]
    )
    eligibility_description = models.TextField("who it is for", blank=True)

    how_to_access = models.CharField(max_length=30, choices=HowToAccess.choices, default=HowToAccess.SELF_REFERRAL)
    referral_instructions = models.TextField(blank=True, help_text="How to get help or make a referral.")
    referral_url = models.URLField("referral link", blank=True)

    attend_in_person = models.BooleanField("in person", default=False)
    attend_online = models.BooleanField("online", default=False)
    attend_phone = models.BooleanField("by phone", default=False)
    attend_home_visit = models.BooleanField("home visits", default=False)

    languages = LanguageCodesField(help_text="Languages the service is offered in (ISO 639 codes).")
    accessibility = models.TextField(blank=True, help_text="Access needs the service meets, wherever it runs.")

    taxonomy_terms = ParentalManyToManyField(TaxonomyTerm, blank=True, related_name="services")

    need_universal = models.BooleanField("universal", default=False)
    need_early_help = models.BooleanField("early help", default=False)
    need_targeted = models.BooleanField("targeted", default=False)
    need_specialist = models.BooleanField("specialist", default=False)

    assured_date = models.DateField(null=True, blank=True, help_text="When the listing was last checked.")
    assurer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_verified_at = models.DateTimeField(null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField(
        default=DEFAULT_REVIEW_INTERVAL_MONTHS, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    # assured_date + review_interval_months, kept on save so selectors can filter on it.
    review_due_on = models.DateField(null=True, blank=True, editable=False, db_index=True)

    parent_page_types = ["directory.DirectoryIndexPage"]
    subpage_types: list[str] = []
    exclude_fields_in_copy = ["oruk_id", "assured_date", "assurer", "last_verified_at", "review_due_on"]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("eligibility_description"),
        index.AutocompleteField("title"),
        index.RelatedFields("organisation", [index.SearchField("name")]),
        index.RelatedFields("taxonomy_terms", [index.SearchField("name"), index.FilterField("oruk_id")]),
        index.FilterField("status"),
        index.FilterField("minimum_age"),
        index.FilterField("maximum_age"),
        index.FilterField("review_due_on"),
        index.FilterField("organisation"),
        *(index.FilterField(f"attend_{mode}") for mode in AttendanceMode.values),
        *(index.FilterField(f"need_{level}") for level in LevelOfNeed.values),
    ]

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("organisation"),
        FieldPanel("status"),
        FieldPanel("alert"),
        MultiFieldPanel([FieldPanel("website"), FieldPanel("email")], heading="Contact"),
        InlinePanel("phones", label="Phone numbers"),
        InlinePanel("contacts", label="Named contacts"),
    ]
    access_panels = [
        MultiFieldPanel(
            [
                FieldPanel("eligibility_description"),
                FieldRowPanel([FieldPanel("minimum_age"), FieldPanel("maximum_age")]),
            ],
            heading="Who it is for",
        ),
        MultiFieldPanel([FieldPanel(f"need_{level}") for level in LevelOfNeed.values], heading="Levels of need"),
        MultiFieldPanel(
            [FieldPanel("how_to_access"), FieldPanel("referral_instructions"), FieldPanel("referral_url")],
            heading="How to get help",
        ),
        MultiFieldPanel(
            [FieldPanel(f"attend_{mode}") for mode in AttendanceMode.values], heading="How people take part"
        ),
        InlinePanel("cost_options", label="Costs"),
        FieldPanel("languages"),
        FieldPanel("accessibility"),
        FieldPanel("taxonomy_terms", heading="Categories"),
    ]
    where_when_panels = [
        InlinePanel("locations", label="Locations"),
        InlinePanel("service_areas", label="Areas served"),
        InlinePanel("schedules", label="Opening times"),
        InlinePanel("closures", label="Closure dates"),
    ]
    review_panels = [FieldPanel("review_interval_months")]

    edit_handler = TabbedInterface(
        base_form_class=ServicePageForm,
        children=[
            ObjectList(content_panels, heading="Service"),
            ObjectList(access_panels, heading="Access"),
            ObjectList(where_when_panels, heading="Where and when"),
            ObjectList(review_panels, heading="Review"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ],
    )

    class Meta:
        verbose_name = "service"

    def clean(self):
        super().clean()
        validators.validate_age_range(self.minimum_age, self.maximum_age)

    def save(self, *args, **kwargs):
        self.review_due_on = add_months(self.assured_date, self.review_interval_months) if self.assured_date else None
        return super().save(*args, **kwargs)

    def with_content_json(self, content):
        """Publishing a revision keeps the page's stable id and its verification record."""
        obj = super().with_content_json(content)
        obj.oruk_id = self.oruk_id
        for name in VERIFICATION_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    # --- Helpers for templates, the API and the search backends ---------------------------

    @property
    def name(self) -> str:
        return self.title

    @property
    def attendance_modes(self) -> list[AttendanceMode]:
        return [mode for mode in AttendanceMode if getattr(self, f"attend_{mode.value}")]

    @property
    def levels_of_need(self) -> list[LevelOfNeed]:
        return [level for level in LevelOfNeed if getattr(self, f"need_{level.value}")]

    @property
    def is_temporarily_closed(self) -> bool:
        return self.status == ServiceStatus.TEMPORARILY_CLOSED

    @property
    def banner(self) -> dict[str, str] | None:
        """What the family page shows above the service, or None: a temporarily closed
        service always gets a banner (with its alert text, if any); an open service gets one
        only when it has alert text. ``{"title": ..., "heading": ..., "text": ...}`` for the
        GOV.UK notification banner (``important`` is true when the service is closed)."""
        if self.is_temporarily_closed:
            return {
                "title": "Important",
                "heading": "This service is temporarily closed",
                "text": self.alert.strip(),
                "important": True,
            }
        if self.alert.strip():
            return {"title": "Important", "heading": "", "text": self.alert.strip(), "important": False}
        return None

    @property
    def is_verified(self) -> bool:
        from directory.selectors import is_verified

        return is_verified(self)

    @property
    def is_publicly_visible(self) -> bool:
        from directory.selectors import is_publicly_visible

        return is_publicly_visible(self)

    def public_locations(self) -> list[Location]:
        """Locations that may be shown anywhere outside the admin: never a confidential one.
        Uses the ``public_location_list`` prefetch of ``selectors.with_full_relations``."""
        if hasattr(self, "public_location_list"):
            return self.public_location_list
        return list(self.locations.filter(confidential=False).order_by("sort_order", "pk"))

    def has_confidential_location(self) -> bool:
        return self.locations.filter(confidential=True).exists()

    def permissions_for_user(self, user):
        # A service provider editor has no permissions on other organisations' services.
        return ServicePagePermissionTester(user, self)

    def serve(self, request, *args, **kwargs):
        # A live page that is unverified, inactive or defunct is hidden from families,
        # and so are its routes (report a problem).
        if not self.is_publicly_visible:
            raise Http404
        return super().serve(request, *args, **kwargs)

    @path("report-a-problem/", name="report_a_problem")
    def report_a_problem(self, request):
        from directory.problem_reports import report_a_problem_view

        return report_a_problem_view(request, self)

    @path("report-a-problem/sent/", name="report_a_problem_sent")
    def report_a_problem_sent(self, request):
        from directory.problem_reports import report_sent_view

        return report_sent_view(request, self)

    def report_a_problem_url(self) -> str:
        """The address of this service's "report a problem" form (for the family template)."""
        return self.url + self.reverse_subpage("report_a_problem")

    def get_sitemap_urls(self, request=None):
        return super().get_sitemap_urls(request) if self.is_publicly_visible else []


class OrukChild(Orderable):
    """An orderable child object of a ServicePage with its own stable ORUK id.

    When a page is copied Wagtail copies its children field by field; a copy must not take
    the original's ORUK ids, so a clash with another page's child gets fresh ids on save."""

    oruk_id = models.UUIDField("ORUK id", default=uuid.uuid4, unique=True, editable=False)
    uuid_fields = ("oruk_id",)

    class Meta(Orderable.Meta):
        abstract = True

    def save(self, *args, **kwargs):
        model = type(self)
        for field in self.uuid_fields:
            clash = model.objects.filter(**{field: getattr(self, field)}).exclude(page_id=self.page_id)
            if clash.exists():
                setattr(self, field, uuid.uuid4())
        super().save(*args, **kwargs)


class Location(OrukChild):
    """A place where the service runs. Each location of a service is one ORUK
    service_at_location (``service_at_location_id``). A confidential location (a refuge)
    never leaves the database: it is left out of every page, feed, index and export."""

    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="locations")
    service_at_location_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location_type = models.CharField(max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL)
    name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    address_1 = models.CharField("address line 1", max_length=255, blank=True)
    address_2 = models.CharField("address line 2", max_length=255, blank=True)
    city = models.CharField("town or city", max_length=100, blank=True)
    state_province = models.CharField("county", max_length=100, blank=True)
    postal_code = models.CharField(
        "postcode", max_length=10, blank=True, validators=[validators.validate_postcode], db_index=True
    )
    country = models.CharField(max_length=2, default="GB", help_text="ISO 3166 two-letter country code.")
    latitude = models.FloatField(null=True, blank=True, validators=[validators.validate_latitude])
    longitude = models.FloatField(null=True, blank=True, validators=[validators.validate_longitude])
    accessibility = models.TextField(blank=True, help_text="Step-free access, hearing loops, parking and so on.")
    confidential = models.BooleanField(
        default=False,
        help_text="A refuge or other safe address: never shown to anyone outside the admin. "
        "Families see the area served and a phone number instead.",
    )

    uuid_fields = ("oruk_id", "service_at_location_id")

    panels = [
        FieldPanel("confidential"),
        FieldPanel("name"),
        FieldPanel("location_type"),
        FieldPanel("address_1"),
        FieldPanel("address_2"),
        FieldRowPanel([FieldPanel("city"), FieldPanel("state_province")]),
        FieldRowPanel([FieldPanel("postal_code"), FieldPanel("country")]),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        FieldPanel("accessibility"),
        FieldPanel("description"),
    ]

    class Meta(OrukChild.Meta):
        indexes = [models.Index(fields=["latitude", "longitude"], name="directory_location_latlng")]

    def __str__(self) -> str:
        return self.name or self.address_1 or "Location"

    def clean(self):
        super().clean()
        if self.postal_code:
            try:
                self.postal_code = validators.normalise_postcode(self.postal_code)
            except ValidationError as exc:
                raise ValidationError({"postal_code": exc.messages}) from None
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": "Give both latitude and longitude, or neither."})
        self.country = (self.country or "GB").upper()

    def save(self, *args, **kwargs):
        if self.postal_code:
            # Stored as given if malformed: the admin form and the importers refuse those.
            with contextlib.suppress(ValidationError):
                self.postal_code = validators.normalise_postcode(self.postal_code)
        super().save(*args, **kwargs)

    @property
    def has_address(self) -> bool:
        return bool(self.address_1 or self.postal_code)


class Schedule(OrukChild):
    """Opening times in the ORUK v3 schedule shape (an RFC 5545 recurrence)."""

    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField("repeats", max_length=7, choices=Frequency.choices, default=Frequency.WEEKLY)
    interval = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    byday = models.CharField(
        "days",
        max_length=100,
        blank=True,
        validators=[validators.validate_byday],
        help_text="Day codes separated by commas: MO,TU,WE,TH,FR,SA,SU. For monthly, 1MO is the first Monday.",
    )
    bymonthday = models.CharField(
        "days of the month", max_length=100, blank=True, validators=[validators.validate_bymonthday]
    )
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField("first occurrence", null=True, blank=True)
    until = models.DateField("last occurrence", null=True, blank=True)
    wkst = models.CharField("week starts", max_length=2, choices=Weekday.choices, blank=True)
    timezone = models.CharField(max_length=50, default="Europe/London", validators=[validators.validate_timezone])
    description = models.TextField(blank=True, help_text="The times in words, for example 'Term time only'.")
    schedule_link = models.URLField(blank=True)
    attending_type = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)

    panels = [
        FieldRowPanel([FieldPanel("freq"), FieldPanel("interval")]),
        FieldPanel("byday"),
        FieldPanel("bymonthday"),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
        FieldRowPanel([FieldPanel("dtstart"), FieldPanel("until"), FieldPanel("wkst")]),
        FieldPanel("description"),
        FieldPanel("attending_type"),
        FieldPanel("schedule_link"),
        FieldPanel("notes"),
        FieldPanel("timezone"),
    ]

    def __str__(self) -> str:
        return self.description or f"{self.freq} {self.byday}"

    def clean(self):
        super().clean()
        self.byday = validators.normalise_byday(self.byday)
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = "The closing time must be after the opening time."
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = "The end of the period must not be before its start."
        if self.dtstart and self.until and self.until < self.dtstart:
            errors["until"] = "The last occurrence must not be before the first."
        if self.freq == Frequency.MONTHLY and not (self.byday or self.bymonthday):
            errors["bymonthday"] = "A monthly schedule needs days of the month or days such as 1MO."
        if errors:
            raise ValidationError(errors)

    @property
    def days(self) -> list[str]:
        return [day for day in self.byday.split(",") if day]


class ClosureDate(Orderable):
    """A period the service is closed (a holiday, a refurbishment)."""

    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="closures")
    start_date = models.DateField("closed from")
    end_date = models.DateField("closed until", help_text="The last day it is closed.")
    reason = models.CharField(max_length=255, blank=True)

    panels = [FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]), FieldPanel("reason")]

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The last day must not be before the first."})

    def covers(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.start_date <= day <= self.end_date


class CostOption(OrukChild):
    """A price (ORUK cost_option): free, or an amount in a currency with a description."""

    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="cost_options")
    is_free = models.BooleanField("free", default=False)
    option = models.CharField(max_length=255, blank=True, help_text="Who this price is for, for example 'Under 5s'.")
    amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="GBP")
    amount_description = models.CharField(max_length=255, blank=True, help_text="For example 'per session'.")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    panels = [
        FieldPanel("is_free"),
        FieldPanel("option"),
        FieldRowPanel([FieldPanel("amount"), FieldPanel("currency")]),
        FieldPanel("amount_description"),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
    ]

    def clean(self):
        super().clean()
        self.currency = (self.currency or "GBP").upper()
        if self.is_free and self.amount:
            raise ValidationError({"amount": "A free option has no amount."})
        if not self.is_free and self.amount is None and not (self.amount_description or self.option):
            raise ValidationError({"amount": "Give an amount or a description of the cost, or tick 'free'."})
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The end must not be before the start."})


class ServiceArea(OrukChild):
    """An area the service covers (ward, town, the whole city), optionally with its shape."""

    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True, help_text="The area's boundary, for example as GeoJSON.")
    extent_type = models.CharField(max_length=10, choices=ExtentType.choices, blank=True)
    uri = models.URLField("URI", blank=True, help_text="For example the ONS identifier page for a ward.")

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("uri"),
        FieldPanel("extent_type"),
        FieldPanel("extent"),
    ]

    def __str__(self) -> str:
        return self.name


class Contact(OrukChild):
    """A named contact (ORUK contact), with one direct phone number (ORUK phone)."""

    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="contacts")
    phone_oruk_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255, blank=True)
    title = models.CharField("job title", max_length=255, blank=True)
    department = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True, validators=[validators.validate_phone_number])

    uuid_fields = ("oruk_id", "phone_oruk_id")

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("title")]),
        FieldPanel("department"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
    ]

    def __str__(self) -> str:
        return self.name or self.title or "Contact"


class Phone(OrukChild):
    """A phone number for the service itself (ORUK phone)."""

    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=40, validators=[validators.validate_phone_number])
    extension = models.CharField(max_length=10, blank=True)
    type = models.CharField(max_length=10, choices=PhoneType.choices, default=PhoneType.VOICE)
    description = models.CharField(max_length=255, blank=True, help_text="For example 'Freephone, 24 hours'.")

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("extension"), FieldPanel("type")]),
        FieldPanel("description"),
    ]

    def __str__(self) -> str:
        return self.number
