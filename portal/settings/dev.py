"""Local development and `make demo`: the embedded defaults (SQLite, database search,
database tasks, email printed to the console)."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
DEMO_MODE = True
# The demo's local authority (Sunderland, DfE code 394): its term dates serve triage.
ENCOMPASS_LA_CODE = env_str("ENCOMPASS_LA_CODE", "394")

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
