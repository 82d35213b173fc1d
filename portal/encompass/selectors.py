"""Read queries for Operation Encompass. Scoping lives here: whoever asks, the queryset only
holds what their role and school allow."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from portal.accounts.roles import ROLES_BY_SLUG, roles_for

from . import conf
from .calendar import TermCalendar
from .models import Calendar, NotifiedChild, School


# --- Calendars -------------------------------------------------------------------------
def term_calendar_for_school(school: School) -> tuple[TermCalendar | None, bool]:
    """The school's own calendar, else its LA's. Returns (calendar, missing)."""
    own = Calendar.objects.filter(school=school).first()
    if own is not None:
        cal = TermCalendar.from_periods(own.periods.all())
        if cal is not None:
            return cal, False
    return term_calendar_for_la(school.la_code)


def term_calendar_for_la(la_code: str) -> tuple[TermCalendar | None, bool]:
    if la_code:
        cal = Calendar.objects.filter(la_code=la_code, school__isnull=True).first()
        if cal is not None:
            term = TermCalendar.from_periods(cal.periods.all())
            if term is not None:
                return term, False
    return None, True


def schools_without_calendar() -> QuerySet[School]:
    with_own = Calendar.objects.filter(school__isnull=False, periods__kind="term").values("school_id")
    la_codes = Calendar.objects.filter(school__isnull=True, periods__kind="term").values("la_code")
    return School.objects.filter(is_open=True).exclude(pk__in=with_own).exclude(la_code__in=la_codes)


def schools_without_key_adult() -> QuerySet[School]:
    return School.objects.filter(is_open=True, key_adults__isnull=True)


# --- Scoping ---------------------------------------------------------------------------
def _slugs(user) -> set[str]:
    return {role.slug for role in roles_for(user)}


def visible_children(user) -> QuerySet[NotifiedChild]:
    """The notified children ``user`` may read: a key adult or deputy their schools'; the
    LA Encompass lead every one; the front door those routed to it. Nobody else any."""
    base = NotifiedChild.objects.select_related("notification", "school")
    if not user.is_authenticated:
        return base.none()
    slugs = _slugs(user)
    if "la_encompass_lead" in slugs:
        return base
    condition = Q(pk__in=[])
    if slugs & {"school_key_adult", "school_deputy"}:
        condition |= Q(school__key_adults=user) | Q(school__deputies=user)
    if "front_door" in slugs:
        condition |= Q(routed_to=NotifiedChild.Route.FRONT_DOOR)
    return base.filter(condition).distinct()


def open_children(queryset: QuerySet[NotifiedChild]) -> QuerySet[NotifiedChild]:
    return queryset.filter(acknowledged_at__isnull=True)


def users_with_role(slug: str):
    User = get_user_model()
    return User.objects.filter(is_active=True, groups__name=ROLES_BY_SLUG[slug].name).distinct()


def la_code() -> str:
    return conf.la_code()


# --- Signposting --------------------------------------------------------------------------
SUPPORT_SERVICES_LIMIT = 8


def support_services(limit: int = SUPPORT_SERVICES_LIMIT):
    """The directory's public domestic abuse services for children and young people, for the
    notification page (issue 5 point 7). The directory decides what counts as one."""
    from directory.selectors import domestic_abuse_services_for_children

    return domestic_abuse_services_for_children(limit=limit)


# --- The local authority dashboard --------------------------------------------------------
def dashboard(now=None) -> dict:
    """Figures and queues for the LA Encompass lead. Lists show references, not names."""
    import datetime

    from django.db.models import Count, F
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from .calendar import LONDON

    now = now or timezone.now()
    today = now.astimezone(LONDON).replace(hour=0, minute=0, second=0, microsecond=0)
    children = NotifiedChild.objects.select_related("school", "notification")
    unacknowledged = children.filter(acknowledged_at__isnull=True)
    by_school = (
        unacknowledged.filter(school__isnull=False)
        .values("school__pk", "school__name", "school__urn")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(notify_by__lt=now)))
        .order_by("-overdue", "-open", "school__name")
    )
    year_ago = (today - datetime.timedelta(days=365)).replace(day=1)
    monthly = (
        children.filter(notify_by__gte=year_ago, notify_by__lt=now)
        .annotate(month=TruncMonth("notify_by", tzinfo=LONDON))
        .values("month")
        .annotate(due=Count("pk"), on_time=Count("pk", filter=Q(acknowledged_at__lte=F("notify_by"))))
        .order_by("-month")
    )
    return {
        "received_today": children.filter(notification__received_at__gte=today).count(),
        "unacknowledged": unacknowledged.count(),
        "overdue": unacknowledged.filter(notify_by__lt=now).count(),
        "triage": list(unacknowledged.filter(routed_to=NotifiedChild.Route.TRIAGE).order_by("notify_by")[:100]),
        "front_door": unacknowledged.filter(routed_to=NotifiedChild.Route.FRONT_DOOR).count(),
        "by_school": list(by_school[:100]),
        "without_calendar": list(schools_without_calendar()[:100]),
        "without_calendar_count": schools_without_calendar().count(),
        "without_key_adult": list(schools_without_key_adult()[:100]),
        "without_key_adult_count": schools_without_key_adult().count(),
        "monthly": [
            {**row, "share": round(100 * row["on_time"] / row["due"]) if row["due"] else None} for row in monthly
        ],
        "now": now,
    }
