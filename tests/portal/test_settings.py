"""Settings fail fast, naming the variable; production refuses insecure values and passes
Django's deployment checks with no warnings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.core.exceptions import ImproperlyConfigured

from portal.settings import env

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.mark.parametrize(
    ("helper", "value", "message"),
    [
        (
            lambda: env.env_int("SESSION_IDLE_TIMEOUT", 30, unit="minutes"),
            "soon",
            "SESSION_IDLE_TIMEOUT must be a whole number of minutes",
        ),
        (lambda: env.env_int("SESSION_IDLE_TIMEOUT", 30, minimum=1), "0", "SESSION_IDLE_TIMEOUT must be at least 1"),
        (lambda: env.env_bool("REQUIRE_MFA", False), "perhaps", "REQUIRE_MFA must be true or false"),
        (
            lambda: env.env_choice("SEARCH_BACKEND", ("database", "elasticsearch"), "database"),
            "solr",
            "SEARCH_BACKEND must be one of database, elasticsearch",
        ),
        (lambda: env.env_url("ELASTICSEARCH_URL", None), "localhost:9200", "ELASTICSEARCH_URL must be a URL"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(monkeypatch, helper, value, message):
    name = message.split()[0]
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        helper()


def test_required_variable_missing_is_named(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        env.env_str("SECRET_KEY")


def test_values_are_parsed(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example , b.example,, ")
    monkeypatch.setenv("REQUIRE_MFA", "Yes")
    monkeypatch.setenv("ELASTICSEARCH_URL", "https://search.example:9200/")
    assert env.env_list("ALLOWED_HOSTS") == ["a.example", "b.example"]
    assert env.env_bool("REQUIRE_MFA") is True
    assert env.env_url("ELASTICSEARCH_URL") == "https://search.example:9200"


def _run_production(extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update({"DJANGO_SETTINGS_MODULE": "portal.settings.production"})
    base.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_production({"ALLOWED_HOSTS": "portal.example.gov.uk"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = _run_production({"ALLOWED_HOSTS": "portal.example.gov.uk", "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be a random value of at least 50 characters" in result.stderr


def test_production_refuses_debug():
    result = _run_production({"ALLOWED_HOSTS": "h.example", "SECRET_KEY": GOOD_KEY, "DEBUG": "true"})
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_production_passes_the_deployment_checks_with_no_warnings():
    result = _run_production(
        {"ALLOWED_HOSTS": "portal.example.gov.uk", "SECRET_KEY": GOOD_KEY, "BASE_URL": "https://portal.example.gov.uk"},
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_requires_mfa_by_default():
    result = _run_production(
        {"ALLOWED_HOSTS": "h.example", "SECRET_KEY": GOOD_KEY},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.REQUIRE_MFA, settings.SESSION_COOKIE_SECURE)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "True"]
