"""Early help: households and the people in them, requests for help, the local threshold
document (levels of need and their indicators, versioned), and the assessment.

An assessment's answers are stored per wizard step as structured data (``sections``: the
cleaned values of each step's form, JSON-serialisable), written only through
``eh_assessments.services`` with an optimistic-concurrency ``version`` so two people (or two
tabs) never silently overwrite each other.

``__str__`` never shows a person's name: it ends up in logs, the admin's history and the audit
log's object description.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

# --- Reference lists -------------------------------------------------------------------------

LEVELS_OF_NEED = [
    (1, "Level 1: universal"),
    (2, "Level 2: additional needs (single agency early help)"),
    (3, "Level 3: multiple or complex needs (team around the family)"),
    (4, "Level 4: acute or statutory (children's social care)"),
]

# The 19 ethnic groups of the 2021 census in England and Wales, with their high-level groups.
ETHNICITY_CHOICES = [
    (
        "Asian, Asian British or Asian Welsh",
        [
            ("asian_bangladeshi", "Bangladeshi"),
            ("asian_chinese", "Chinese"),
            ("asian_indian", "Indian"),
            ("asian_pakistani", "Pakistani"),
            ("asian_other", "Any other Asian background"),
        ],
    ),
    (
        "Black, Black British, Black Welsh, Caribbean or African",
        [
            ("black_african", "African"),
            ("black_caribbean", "Caribbean"),
            ("black_other", "Any other Black, Black British, or Caribbean background"),
        ],
    ),
    (
        "Mixed or multiple ethnic groups",
        [
            ("mixed_white_asian", "White and Asian"),
            ("mixed_white_black_african", "White and Black African"),
            ("mixed_white_black_caribbean", "White and Black Caribbean"),
            ("mixed_other", "Any other Mixed or multiple ethnic background"),
        ],
    ),
    (
        "White",
        [
            ("white_british", "English, Welsh, Scottish, Northern Irish or British"),
            ("white_irish", "Irish"),
            ("white_gypsy_traveller", "Gypsy or Irish Traveller"),
            ("white_roma", "Roma"),
            ("white_other", "Any other White background"),
        ],
    ),
    (
        "Other ethnic group",
        [
            ("other_arab", "Arab"),
            ("other_any", "Any other ethnic group"),
        ],
    ),
    (
        "Not recorded",
        [
            ("not_known", "Not known"),
            ("refused", "Prefers not to say"),
        ],
    ),
]

GENDER_CHOICES = [
    ("female", "Female"),
    ("male", "Male"),
    ("other", "In another way"),
    ("not_known", "Not known"),
    ("refused", "Prefers not to say"),
]

SEND_CHOICES = [
    ("none", "No special educational needs"),
    ("sen_support", "SEN support"),
    ("ehc_plan", "Education, health and care plan"),
    ("being_assessed", "Being assessed"),
    ("not_known", "Not known"),
]

RELATIONSHIP_CHOICES = [
    ("parent", "Parent"),
    ("step_parent", "Step-parent"),
    ("parent_partner", "Parent's partner"),
    ("sibling", "Brother or sister"),
    ("half_sibling", "Half-brother or half-sister"),
    ("grandparent", "Grandparent"),
    ("other_relative", "Other relative"),
    ("foster_carer", "Foster carer"),
    ("special_guardian", "Special guardian"),
    ("friend_carer", "Family friend caring for the child"),
    ("other", "Other"),
]

SOURCE_AGENCY_CHOICES = [
    ("school", "School or college"),
    ("early_years", "Early years setting"),
    ("health_visitor", "Health visitor or midwife"),
    ("gp", "GP or other health"),
    ("camhs", "Mental health services"),
    ("police", "Police"),
    ("social_care", "Children's social care"),
    ("housing", "Housing"),
    ("voluntary", "Voluntary or community organisation"),
    ("family", "The family themselves"),
    ("other", "Other"),
]


def validate_nhs_number(value: str) -> None:
    """Ten digits with a modulus 11 check digit (NHS Data Dictionary)."""
    digits = value.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError("Enter a 10 digit NHS number, like 943 476 5919", code="nhs_format")
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10 or check != int(digits[9]):
        raise ValidationError("Enter a real NHS number, like 943 476 5919", code="nhs_check")


def validate_upn(value: str) -> None:
    """A unique pupil number: 13 characters, a check letter then 12 digits (or 11 digits and a
    letter for a temporary UPN), as the DfE specifies."""
    upn = value.strip().upper()
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    if len(upn) != 13 or not upn[1:12].isdigit() or not (upn[12].isdigit() or upn[12] in letters):
        raise ValidationError("Enter a 13 character UPN, like T801200108001", code="upn_format")
    weights = range(2, 14)
    values = [int(c) if c.isdigit() else letters.index(c) for c in upn[1:13]]
    check = letters[sum(w * v for w, v in zip(weights, values, strict=True)) % 23]
    if upn[0] != check:
        raise ValidationError("Enter a real UPN: the first letter does not match the number", code="upn_check")


# --- The local threshold document ------------------------------------------------------------


class ThresholdDocumentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def current(self) -> ThresholdDocument | None:
        return self.published().order_by("-version").first()


class ThresholdDocument(ClusterableModel):
    """One version of the local threshold document. A published version never changes (an old
    assessment keeps showing the indicators it was assessed against); to change the document,
    early help managers copy the current version into a new draft, edit and publish it."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200, default="Levels of need")
    summary = models.TextField(blank=True, help_text="What changed in this version.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = ThresholdDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        state = "published" if self.published_at else "draft"
        return f"{self.title} — version {self.version} ({state})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ThresholdLevel(models.Model):
    document = ParentalKey(ThresholdDocument, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField(choices=LEVELS_OF_NEED)
    name = models.CharField(max_length=120)
    description = models.TextField(help_text="What this level means and who responds.")
    response = models.TextField(blank=True, help_text="What happens next at this level.")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="eh_threshold_level_unique"),
        ]

    def __str__(self) -> str:
        return f"Level {self.number}: {self.name}"


INDICATOR_AREAS = [
    ("development", "Child's developmental needs"),
    ("parenting", "Parenting capacity"),
    ("environment", "Family and environment"),
    ("safety", "Safety and risk"),
]


class ThresholdIndicator(models.Model):
    """One indicator of need at a level ("persistent absence below 90%"). ``code`` is stable
    across versions so figures can compare like with like."""

    document = ParentalKey(ThresholdDocument, on_delete=models.CASCADE, related_name="indicators")
    level = models.PositiveSmallIntegerField(choices=LEVELS_OF_NEED)
    area = models.CharField(max_length=20, choices=INDICATOR_AREAS)
    code = models.SlugField(max_length=60)
    text = models.CharField(max_length=300)
    domestic_abuse = models.BooleanField(
        default=False, help_text="Ticking this indicator opens the domestic abuse questions in the assessment."
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["level", "area", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "code"], name="eh_threshold_indicator_code_unique"),
        ]

    def __str__(self) -> str:
        return f"L{self.level} {self.code}"


# --- Families and people ---------------------------------------------------------------------


class Family(models.Model):
    """A household receiving (or referred for) early help."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False, null=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    main_language = models.CharField(max_length=100, blank=True)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="families")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "families"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference or f"Family {self.pk}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.reference:
            self.reference = f"FAM-{self.pk:06d}"
            type(self).objects.filter(pk=self.pk).update(reference=self.reference)


class Person(models.Model):
    CHILD = "child"
    ADULT = "adult"
    KIND_CHOICES = [(CHILD, "Child or young person"), (ADULT, "Adult")]

    # What a practitioner edits about a family member (PersonForm; services.add_person).
    EDITABLE_FIELDS = (
        "kind",
        "given_name",
        "family_name",
        "known_as",
        "date_of_birth",
        "expected_date_of_birth",
        "gender",
        "ethnicity",
        "religion",
        "first_language",
        "interpreter_needed",
        "disability",
        "send",
        "school",
        "school_name",
        "nhs_number",
        "upn",
        "lives_in_household",
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="people")
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    known_as = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True, help_text="For an unborn child.")
    gender = models.CharField(max_length=20, choices=GENDER_CHOICES, blank=True)
    ethnicity = models.CharField(max_length=40, choices=ETHNICITY_CHOICES, blank=True)
    religion = models.CharField(max_length=100, blank=True)
    first_language = models.CharField(max_length=100, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    disability = models.TextField(blank=True)
    send = models.CharField("SEND", max_length=20, choices=SEND_CHOICES, blank=True)
    school = models.ForeignKey(
        "encompass.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="early_help_children"
    )
    school_name = models.CharField(max_length=255, blank=True, help_text="When the school is not in the register.")
    nhs_number = models.CharField("NHS number", max_length=12, blank=True, validators=[validate_nhs_number])
    upn = models.CharField("UPN", max_length=13, blank=True, validators=[validate_upn])
    lives_in_household = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["family", "kind", "sort_order", "date_of_birth", "pk"]
        verbose_name_plural = "people"
        # Operation Encompass intake looks children up by date of birth (then name).
        indexes = [models.Index(fields=["date_of_birth"], name="eh_person_dob")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def is_child(self) -> bool:
        return self.kind == self.CHILD

    def age_on(self, day) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def school_display(self) -> str:
        return self.school.name if self.school_id else self.school_name


class Relationship(models.Model):
    """How one person relates to another ("Kim is Alex's mother")."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="relationships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_from")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=30, choices=RELATIONSHIP_CHOICES)
    parental_responsibility = models.BooleanField(default=False)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="eh_relationship_unique"),
            models.CheckConstraint(condition=~models.Q(person=models.F("relative")), name="eh_relationship_not_self"),
        ]

    def __str__(self) -> str:
        return f"Relationship {self.pk}"


class ProfessionalInvolved(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="professionals")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200)
    agency = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["agency", "name"]
        verbose_name_plural = "professionals involved"

    def __str__(self) -> str:
        return f"Professional {self.pk}"


class Referral(models.Model):
    """A request for help about one or more children of a household."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False, null=True)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="referrals")
    children = models.ManyToManyField(Person, related_name="referrals", through="ReferralChild")
    source_agency = models.CharField(max_length=30, choices=SOURCE_AGENCY_CHOICES)
    referrer_name = models.CharField(max_length=200)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    received_on = models.DateField(default=timezone.localdate)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [
            # Covers the insights dashboard's referral counts (by day received, source and family).
            models.Index(fields=["received_on", "source_agency", "family"], name="eh_referral_report"),
        ]

    def __str__(self) -> str:
        return self.reference or f"Referral {self.pk}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.reference:
            self.reference = f"REF-{self.pk:06d}"
            type(self).objects.filter(pk=self.pk).update(reference=self.reference)


class ReferralChild(models.Model):
    """A child named on a request for help, with whether that makes the request a re-referral
    for them. The flag is stored so that a report over years of requests sums a column instead
    of comparing every child's requests with each other; ``rereferral.refresh_flags`` keeps it
    right when requests or their children change (the table is the one Django created for the
    plain many-to-many field this replaced, hence its name)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="child_links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="referral_links")
    rereferral = models.BooleanField(
        default=False,
        help_text="The child was named on an earlier request received within the 12 months before this one "
        "(eh_assessments.rereferral).",
    )

    class Meta:
        db_table = "eh_assessments_referral_children"
        unique_together = [("referral", "person")]
        # Covers the insights dashboard's count of children and re-referrals per request.
        indexes = [models.Index(fields=["referral", "rereferral", "person"], name="eh_referral_child_report")]

    def __str__(self) -> str:
        return f"Referral child {self.pk}"

    # A link saved or deleted on its own (not through ``referral.children``, whose changes the
    # receivers in ``signals`` follow) refreshes its child's flags, and the child it moved from.
    def save(self, *args, **kwargs):
        from .rereferral import refresh_flags

        before = None
        if self.pk is not None:
            before = type(self).objects.filter(pk=self.pk).values_list("person_id", flat=True).first()
        super().save(*args, **kwargs)
        refresh_flags({self.person_id, *([before] if before is not None else [])})
        self.refresh_from_db(fields=["rereferral"])

    def delete(self, *args, **kwargs):
        from .rereferral import refresh_flags

        person_id = self.person_id
        result = super().delete(*args, **kwargs)
        refresh_flags([person_id])
        return result


# --- The assessment --------------------------------------------------------------------------


def submission_fields(at: datetime.datetime | None) -> dict:
    """``submitted_at`` and the local day it falls on (``submitted_on``), for every write of a
    submission time that bypasses ``save()`` (``update()``, ``bulk_create``): timeliness is
    judged by the day, and reports compare that day with the target in the database rather
    than converting every row's time zone (which SQLite does in Python, row by row)."""
    return {"submitted_at": at, "submitted_on": timezone.localtime(at).date() if at else None}


class AssessmentQuerySet(models.QuerySet):
    def drafts(self):
        return self.filter(status=Assessment.Status.DRAFT)

    def submitted(self):
        return self.filter(status=Assessment.Status.SUBMITTED)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        DECIDED = "decided", "Decided"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False, null=True)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="assessments")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lead_assessments"
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team_around_family = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="team_around_family_assessments"
    )
    started_by_school = models.ForeignKey(
        "encompass.School",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Set when a school's key adult started the assessment for a pupil.",
    )
    threshold_document = models.ForeignKey(
        ThresholdDocument, on_delete=models.PROTECT, related_name="assessments", null=True, blank=True
    )
    # Answers: {step name: cleaned values}; only eh_assessments.services writes them.
    sections = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every save; stale saves are refused.")

    consent_given = models.BooleanField(
        null=True, blank=True, help_text="None until a consent decision is recorded; False means proceeding without."
    )
    domestic_abuse_indicated = models.BooleanField(default=False)
    recommended_level = models.PositiveSmallIntegerField(choices=LEVELS_OF_NEED, null=True, blank=True)
    level_of_need = models.PositiveSmallIntegerField(choices=LEVELS_OF_NEED, null=True, blank=True)
    level_reason = models.TextField(blank=True, help_text="Required when the level differs from the recommendation.")

    started_at = models.DateTimeField(default=timezone.now)
    target_date = models.DateField(null=True, blank=True, help_text="45 working days from the start.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The local day of submitted_at, kept with it (submission_fields) for reports by day.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        permissions = [
            ("view_team_assessments", "Can see the assessments of their team"),
            ("manage_thresholds", "Can edit and publish the threshold document"),
        ]
        indexes = [
            models.Index(fields=["lead_professional", "status"], name="eh_assessment_lead_status"),
            # Covers the insights dashboard's timeliness counts (the rows hold the answers too,
            # so reading them one by one through a plain index was most of that query's time).
            models.Index(
                fields=["submitted_on", "target_date", "level_of_need", "family"], name="eh_assessment_submitted"
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Assessment {self.pk}"

    def save(self, *args, **kwargs):
        self.submitted_on = submission_fields(self.submitted_at)["submitted_on"]
        if kwargs.get("update_fields") is not None and "submitted_at" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "submitted_on"}
        super().save(*args, **kwargs)
        if not self.reference:
            self.reference = f"EHA-{self.pk:06d}"
            type(self).objects.filter(pk=self.pk).update(reference=self.reference)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ChildTarget(models.Model):
    """A child's own timescale for the assessment, set at the start with its reason."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="child_targets")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessment_targets")
    target_date = models.DateField()
    reason = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "child"], name="eh_child_target_unique"),
        ]

    def __str__(self) -> str:
        return f"Target {self.pk}"


from .models_casework import *  # noqa: E402,F403
