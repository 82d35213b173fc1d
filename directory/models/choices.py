from django.db import models


class ServiceStatus(models.TextChoices):
    """Open Referral UK v3 service statuses, stored as the standard spells them."""

    ACTIVE = "active", "Active"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Closed permanently"


class HowToAccess(models.TextChoices):
    SELF_REFERRAL = "self_referral", "Families can contact the service themselves"
    PROFESSIONAL_REFERRAL = "professional_referral", "A professional must refer the family"
    BOTH = "both", "Either: families can contact it themselves or a professional can refer them"


class AttendanceMode(models.TextChoices):
    """How people take part; each is a boolean on ServicePage (``attend_<value>``)."""

    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    PHONE = "phone", "By phone"
    HOME_VISIT = "home_visit", "Home visits"


class LevelOfNeed(models.TextChoices):
    """Level-of-need tags; each is a boolean on ServicePage (``need_<value>``)."""

    UNIVERSAL = "universal", "Universal: open to every family"
    EARLY_HELP = "early_help", "Early help: additional needs"
    TARGETED = "targeted", "Targeted: multiple or complex needs"
    SPECIALIST = "specialist", "Specialist: acute or statutory need"


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", "Weekly"
    MONTHLY = "MONTHLY", "Monthly"


class Weekday(models.TextChoices):
    MO = "MO", "Monday"
    TU = "TU", "Tuesday"
    WE = "WE", "Wednesday"
    TH = "TH", "Thursday"
    FR = "FR", "Friday"
    SA = "SA", "Saturday"
    SU = "SU", "Sunday"


class LocationType(models.TextChoices):
    PHYSICAL = "physical", "A place people visit"
    POSTAL = "postal", "A postal address only"
    VIRTUAL = "virtual", "Online only"


class PhoneType(models.TextChoices):
    VOICE = "voice", "Voice"
    TEXT = "text", "Text message"
    TEXTPHONE = "textphone", "Textphone"
    VIDEO = "video", "Video (for example BSL relay)"
    FAX = "fax", "Fax"


class ExtentType(models.TextChoices):
    TEXT = "text", "Description only"
    GEOJSON = "geojson", "GeoJSON"
    TOPOJSON = "topojson", "TopoJSON"
    KML = "kml", "KML"
