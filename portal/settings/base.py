"""Settings shared by every environment. Every value a council may change comes from the
environment through the typed helpers in :mod:`portal.settings.env`; README.md lists them all."""

from __future__ import annotations

import datetime
from pathlib import Path

import dj_database_url

from django.core.exceptions import ImproperlyConfigured

from portal.logging import logging_config

from .env import env_bool, env_choice, env_int, env_list, env_str, env_url, parsed

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# --- Core ------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-do-not-use-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
BASE_URL = env_url("BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = BASE_URL

INSTALLED_APPS = [
    # Project apps first so their templates override third-party ones.
    "portal",
    "portal.accounts",
    "portal.audit",
    "portal.encompass",
    "portal.home",
    "directory",
    "search",
    "eh_assessments",
    "portal.insights",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Wizards and background tasks
    "formtools",
    "ninja",  # JSON APIs with OpenAPI docs (Swagger UI served from our own static files)
    "django_tasks",
    "django_tasks_db",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.forms",  # the GOV.UK form renderer (TemplatesSetting) needs Django's widget templates
]

MIDDLEWARE = [
    "portal.audit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.portal",
            ],
        },
    },
]
FORM_RENDERER = "portal.forms.GovUKFormRenderer"

# --- Database --------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0, unit="seconds"),
            conn_health_checks=True,
        )
    }
except Exception as exc:  # dj_database_url raises several exception types
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Django understands: {exc}") from None
# WAL lets the web server and the task worker share the file without "database is locked".
# Reads go through a memory map (256 MB) with a 32 MB page cache per connection instead of
# SQLite's 2 MB and a system call per page: a report that visits most rows of a large table
# through an index (the insights dashboards, at 100,000 families) ran about twice as fast.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456; PRAGMA cache_size=-32000;"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, lockout) ------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A database cache is shared by every process, so sign-in lockout holds across workers.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}}

# --- Background tasks (django-tasks) ---------------------------------------------------
TASK_BACKEND = env_choice("TASK_BACKEND", ("database", "rq", "immediate"), "rq" if REDIS_URL else "database")
if TASK_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASK_BACKEND=rq needs REDIS_URL to be set.")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Authentication (django-allauth) ---------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal_home"
LOGOUT_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "portal.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses are verified by accepting an invitation
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
SIGN_IN_ATTEMPTS = env_int("SIGN_IN_ATTEMPTS", 5, minimum=1)
SIGN_IN_LOCKOUT_MINUTES = env_int("SIGN_IN_LOCKOUT_MINUTES", 15, minimum=1, unit="minutes")
ACCOUNT_RATE_LIMITS = {
    # Lockout: after SIGN_IN_ATTEMPTS failures for one account, sign-in is refused for the period.
    "login_failed": f"{SIGN_IN_ATTEMPTS}/{SIGN_IN_LOCKOUT_MINUTES}m/key,{SIGN_IN_ATTEMPTS * 4}/{SIGN_IN_LOCKOUT_MINUTES}m/ip",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
MFA_TOTP_ISSUER = env_str("COUNCIL_NAME", "Early help portal")
REQUIRE_MFA = env_bool("REQUIRE_MFA", False)
# Paths under these prefixes show personal data, so a professional without MFA is sent to set
# it up first. Account pages (sign-in, MFA set-up, sign-out) stay reachable.
MFA_SETUP_URL = "/accounts/2fa/"
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7, minimum=1, unit="days")

# --- Sessions --------------------------------------------------------------------------
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30, minimum=1, maximum=24 * 60, unit="minutes")
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT * 60
SESSION_SAVE_EVERY_REQUEST = True  # the cookie's age counts from the last request: an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Email and notifications -----------------------------------------------------------
EMAIL_BACKEND_NAME = env_choice("EMAIL_BACKEND", ("console", "file", "smtp", "locmem"), "console")
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}[EMAIL_BACKEND_NAME]
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1, unit="seconds")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "early-help-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_BASE_URL = env_url("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")

# --- Operation Encompass ---------------------------------------------------------------
ENCOMPASS_LA_CODE = env_str("ENCOMPASS_LA_CODE", "")
ENCOMPASS_SCHOOL_DAY_END = parsed(
    "ENCOMPASS_SCHOOL_DAY_END", datetime.time.fromisoformat, datetime.time(15, 30), expected="a time such as 15:30"
)
ENCOMPASS_ESCALATE_AFTER_MINUTES = env_int("ENCOMPASS_ESCALATE_AFTER_MINUTES", 30, minimum=1, unit="minutes")
ENCOMPASS_ESCALATE_EVERY_MINUTES = env_int("ENCOMPASS_ESCALATE_EVERY_MINUTES", 60, minimum=5, unit="minutes")
ENCOMPASS_MAX_BODY_BYTES = env_int("ENCOMPASS_MAX_BODY_BYTES", 262_144, minimum=1024, unit="bytes")
ENCOMPASS_OUTBOX_MAX_ATTEMPTS = env_int("ENCOMPASS_OUTBOX_MAX_ATTEMPTS", 8, minimum=1)
ENCOMPASS_OUTBOX_LEASE_SECONDS = env_int("ENCOMPASS_OUTBOX_LEASE_SECONDS", 300, minimum=30, unit="seconds")
ENCOMPASS_NOTIFY_TEMPLATE_ID = env_str("ENCOMPASS_NOTIFY_TEMPLATE_ID", "")
if NOTIFY_API_KEY and not ENCOMPASS_NOTIFY_TEMPLATE_ID:
    raise ImproperlyConfigured(
        "NOTIFY_API_KEY needs ENCOMPASS_NOTIFY_TEMPLATE_ID (a template with ((subject)) and ((body)))."
    )

# --- Directory -------------------------------------------------------------------------
# Days a service may go past its review date before it is hidden from families and the API.
DIRECTORY_VERIFICATION_GRACE_DAYS = env_int("DIRECTORY_VERIFICATION_GRACE_DAYS", 28, minimum=0, unit="days")
DIRECTORY_ASSURER_EMAIL = env_str("DIRECTORY_ASSURER_EMAIL", "")  # published as ORUK assurer_email
DIRECTORY_IMPORT_TIMEOUT = env_int("DIRECTORY_IMPORT_TIMEOUT", 30, minimum=1, unit="seconds")
DIRECTORY_VERIFICATION_ESCALATE_WEEKS = env_int("DIRECTORY_VERIFICATION_ESCALATE_WEEKS", 2, minimum=1, unit="weeks")
DIRECTORY_VERIFICATION_LINK_MAX_AGE_DAYS = env_int(
    "DIRECTORY_VERIFICATION_LINK_MAX_AGE_DAYS", 28, minimum=1, unit="days"
)
DIRECTORY_PROBLEM_REPORTS_PER_HOUR = env_int("DIRECTORY_PROBLEM_REPORTS_PER_HOUR", 5, minimum=1)

# --- Search ----------------------------------------------------------------------------
SEARCH_BACKEND = env_choice("SEARCH_BACKEND", ("database", "elasticsearch"), "database")
ELASTICSEARCH_URL = env_url("ELASTICSEARCH_URL", None)
ELASTICSEARCH_INDEX_PREFIX = env_str("ELASTICSEARCH_INDEX_PREFIX", "early-help")
ELASTICSEARCH_CLIENT_OPTIONS: dict = {}  # extra keyword arguments for the Elasticsearch client (tests only)
POSTCODES_IO_URL = env_url("POSTCODES_IO_URL", None)  # unset: postcodes.io lookups are off
POSTCODES_IO_TIMEOUT = env_int("POSTCODES_IO_TIMEOUT", 3, minimum=1, unit="seconds")
if SEARCH_BACKEND == "elasticsearch" and not ELASTICSEARCH_URL:
    raise ImproperlyConfigured("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL to be set.")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Retention (enforced by manage.py purge_expired) ------------------------------------
RETENTION_ENCOMPASS_DAYS = env_int("RETENTION_ENCOMPASS_DAYS", 365, minimum=1, unit="days")
RETENTION_CASE_YEARS = env_int("RETENTION_CASE_YEARS", 25, minimum=1, unit="years")
RETENTION_SEARCH_LOG_DAYS = env_int("RETENTION_SEARCH_LOG_DAYS", 730, minimum=1, unit="days")
RETENTION_AUDIT_YEARS = env_int("RETENTION_AUDIT_YEARS", 7, minimum=1, unit="years")
RETENTION_REPORTER_EMAIL_DAYS = env_int("RETENTION_REPORTER_EMAIL_DAYS", 90, minimum=1, unit="days")

# --- Audit ---------------------------------------------------------------------------
# Behind a proxy you control, record the client address the proxy appended to X-Forwarded-For.
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR", False)

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024, unit="bytes")

# --- Wagtail ---------------------------------------------------------------------------
COUNCIL_NAME = MFA_TOTP_ISSUER
WAGTAIL_SITE_NAME = COUNCIL_NAME
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False  # passwords are managed by allauth (with MFA)
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False  # accounts are created by invitation
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
DJANGO_ADMIN_URL = parsed(
    "DJANGO_ADMIN_URL",
    lambda v: v.strip("/") + "/",
    "django-admin/",
    expected="a path such as 'site-admin/'",
)
MFA_PROTECTED_PATH_PREFIXES = ("/portal/", "/admin/", "/" + DJANGO_ADMIN_URL)

# --- Security headers ------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail sets SAMEORIGIN on its own preview views

# --- Early help casework --------------------------------------------------------------
EARLY_HELP_FIRST_MEETING_WORKING_DAYS = env_int(
    "EARLY_HELP_FIRST_MEETING_WORKING_DAYS", 10, minimum=1, unit="working days"
)
EARLY_HELP_REVIEW_WEEKS = env_int("EARLY_HELP_REVIEW_WEEKS", 6, minimum=1, unit="weeks")

# Disclosure control on every aggregate shown to commissioners or exported (DESIGN.md §4):
# counts from 1 to this number minus one are shown as "<N", with secondary suppression.
INSIGHTS_SUPPRESSION_THRESHOLD = env_int("INSIGHTS_SUPPRESSION_THRESHOLD", 5, minimum=2, unit="people")
# ... and every other count shown is rounded to the nearest INSIGHTS_ROUND_TO (1 = exact), so
# that two views (another period, area or level of need) cannot be subtracted to recover a
# hidden count exactly (docs/decisions/0014-insights-disclosure-control.md).
INSIGHTS_ROUND_TO = env_int("INSIGHTS_ROUND_TO", 5, minimum=1, unit="people")

# Shown with the MARAC referral guidance in the assessment's domestic abuse step: how to reach the
# local MARAC coordinator (blank: a built-in default pointing to the coordinator).
MARAC_CONTACT = env_str("MARAC_CONTACT", "")

# --- Logging ---------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
LOG_FORMAT = env_choice("LOG_FORMAT", ("json", "text"), "text")  # production.py defaults to json
LOGGING = logging_config(LOG_LEVEL, LOG_FORMAT)

# --- Health check (/healthz) ------------------------------------------------------------
HEALTH_MAX_TASK_BACKLOG = env_int("HEALTH_MAX_TASK_BACKLOG", 1000, minimum=1)
HEALTH_MAX_TASK_AGE_SECONDS = env_int("HEALTH_MAX_TASK_AGE_SECONDS", 600, minimum=1, unit="seconds")
HEALTH_MAX_ALERT_AGE_SECONDS = env_int("HEALTH_MAX_ALERT_AGE_SECONDS", 900, minimum=1, unit="seconds")

# Demo accounts and data are created only when this is on (dev and test settings).
DEMO_MODE = False
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo-portal-password")
