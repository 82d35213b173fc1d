"""Typed readers for environment variables that fail fast, naming the variable.

Every setting that a council may change is read through one of these helpers, so a bad or
missing value stops start-up with a message such as
``ImproperlyConfigured: SESSION_IDLE_TIMEOUT must be a whole number of minutes, got 'soon'``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class _Required:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "REQUIRED"


REQUIRED = _Required()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: object) -> str | None:
    value = os.environ.get(name)
    if value is None:
        if default is REQUIRED:
            raise ImproperlyConfigured(f"{name} must be set in the environment.")
        return None
    return value.strip()


def env_str(name: str, default: str | _Required = REQUIRED) -> str:
    value = _raw(name, default)
    if value is None:
        return default  # type: ignore[return-value]
    if value == "" and default is REQUIRED:
        raise ImproperlyConfigured(f"{name} must not be empty.")
    return value


def env_bool(name: str, default: bool | _Required = REQUIRED) -> bool:
    value = _raw(name, default)
    if value is None:
        return default  # type: ignore[return-value]
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), got {value!r}.")


def env_int(
    name: str,
    default: int | _Required = REQUIRED,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    unit: str = "",
) -> int:
    value = _raw(name, default)
    if value is None:
        return default  # type: ignore[return-value]
    described = f"a whole number of {unit}" if unit else "a whole number"
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {described}, got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {number}.")
    return number


def env_list(name: str, default: list[str] | _Required = REQUIRED) -> list[str]:
    value = _raw(name, default)
    if value is None:
        return list(default)  # type: ignore[arg-type]
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str | _Required = REQUIRED) -> str:
    value = _raw(name, default)
    if value is None:
        return default  # type: ignore[return-value]
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def env_url(
    name: str, default: str | _Required | None = REQUIRED, *, schemes: tuple[str, ...] = ("http", "https")
) -> str | None:
    value = _raw(name, default)
    if value is None:
        return default  # type: ignore[return-value]
    if value == "":
        return None if default is not REQUIRED else env_str(name)
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, got {value!r}."
        )
    return value.rstrip("/")


def parsed(name: str, parser: Callable[[str], T], default: T | _Required = REQUIRED, *, expected: str) -> T:
    """Read ``name`` and convert it with ``parser``; any error names the variable."""
    value = _raw(name, default)
    if value is None:
        return default  # type: ignore[return-value]
    try:
        return parser(value)
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} must be {expected}, got {value!r} ({exc}).") from None
