"""Local development and `make demo`: the embedded defaults (SQLite, database search,
database tasks, email printed to the console)."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
DEMO_MODE = True

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
