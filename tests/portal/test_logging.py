"""Structured logs and error reports: every log line is one JSON object carrying the id of
the request it belongs to; secrets in paths, query strings and the request object never
reach a log line; Sentry is off without a DSN and, when on, receives no request bodies,
cookies, query strings or email addresses."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re

import pytest

from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import include, path

from portal import sentry
from portal.logging import JsonFormatter, RedactSecretsFilter, RequestIdFilter, logging_config, redact


def _explode(request):
    raise RuntimeError(f"could not route the alert for {request.POST.get('email')}")


urlpatterns = [path("test-explode/", _explode), path("", include("portal.urls"))]


@pytest.fixture
def json_lines():
    """Capture what the named loggers write through the production handler's filters and
    formatter; returns a function giving the parsed lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactSecretsFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("django.request", "portal.test")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def _record(message="hello %s", args=("world",), **kwargs) -> logging.LogRecord:
    record = logging.getLogger("portal.test").makeRecord(
        "portal.test", logging.WARNING, __file__, 1, message, args, None, extra=kwargs or None
    )
    RequestIdFilter().filter(record)
    return record


def test_a_record_is_one_line_of_json_with_the_standard_fields():
    line = JsonFormatter().format(_record(count=3, when=object()))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "hello world"
    assert (entry["level"], entry["logger"], entry["request_id"]) == ("WARNING", "portal.test", "-")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])
    assert entry["count"] == 3
    assert entry["when"].startswith("<object object")  # not JSON: written with str()


def test_an_exception_is_written_with_its_type_and_traceback():
    logger = logging.getLogger("portal.test")
    try:
        raise ValueError("bad value")
    except ValueError:
        record = logger.makeRecord(
            "portal.test", logging.ERROR, __file__, 1, "failed", (), __import__("sys").exc_info()
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["exception"] == "ValueError"
    assert entry["traceback"].startswith("Traceback (most recent call last):")
    assert entry["traceback"].endswith("ValueError: bad value")


@pytest.mark.django_db
def test_every_line_logged_while_handling_a_request_carries_its_id(client, json_lines):
    response = client.get("/no-such-page-here/", headers={"X-Request-ID": "lb-trace-0001"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-trace-0001"
    lines = [line for line in json_lines() if line["logger"] == "django.request"]
    assert lines, "Django logs every 404"
    assert {line["request_id"] for line in lines} == {"lb-trace-0001"}
    # After the request, lines are no longer stamped with its id.
    logging.getLogger("portal.test").warning("between requests")
    assert json_lines()[-1]["request_id"] == "-"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming", ["", "short", "has spaces in it", "x" * 65, "evil\r\nSet-Cookie: a=b", "ünïcode-id-1"]
)
def test_a_missing_or_unsafe_request_id_is_replaced_with_a_fresh_one(client, json_lines, incoming):
    headers = {"X-Request-ID": incoming} if "\n" not in incoming else {}
    response = client.get("/no-such-page-here/", headers=headers)
    made = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)  # a uuid4
    assert {line["request_id"] for line in json_lines() if line["logger"] == "django.request"} == {made}


@pytest.mark.django_db
def test_two_requests_get_different_ids(client):
    assert client.get("/no-such-page/")["X-Request-ID"] != client.get("/no-such-page/")["X-Request-ID"]


@pytest.mark.django_db
def test_secrets_in_paths_and_query_strings_stay_out_of_the_log(client, json_lines):
    client.get("/directory/verify/SeCrEt-token-1234567890/?postcode=SR1+1AA&q=refuge")
    client.get("/accounts/invitation/AnotherSecretToken99/")
    text = json.dumps(json_lines())
    assert "SeCrEt-token-1234567890" not in text
    assert "AnotherSecretToken99" not in text
    assert "SR1" not in text and "refuge" not in text  # Django's request object is not written
    assert any(line["message"] == "Not Found: /directory/verify/…/" for line in json_lines())


def test_redact_hides_only_the_secret_segment():
    assert redact("GET /directory/verify/abc123/ 404") == "GET /directory/verify/…/ 404"
    assert redact("/accounts/password/reset/key/1-abc-def/") == "/accounts/password/reset/key/…/"
    assert redact("'/accounts/invitation/tok'") == "'/accounts/invitation/…'"
    assert redact("/services/family-support/") == "/services/family-support/"


def test_logging_config_chooses_json_or_text(monkeypatch):
    stream = io.StringIO()
    config = logging_config("INFO", "json")
    config["handlers"]["console"]["stream"] = stream
    config["disable_existing_loggers"] = False
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        logging.config.dictConfig(config)
        logging.getLogger("portal.test").info("configured %s", "/directory/verify/zzz-secret/")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert (entry["message"], entry["level"]) == ("configured /directory/verify/…/", "INFO")
    assert logging_config("WARNING", "text")["handlers"]["console"]["formatter"] == "text"
    assert logging_config("WARNING", "text")["root"]["level"] == "WARNING"
    with pytest.raises(ValueError, match="fmt must be"):
        logging_config("INFO", "xml")


# --- Sentry -----------------------------------------------------------------------------


def _event() -> dict:
    return {
        "message": "alert to key.adult@school.example.org failed",
        "logentry": {"message": "alert to %s failed", "params": ["key.adult@school.example.org"]},
        "request": {
            "url": "https://portal.example.gov.uk/services/?postcode=SR1+1AA&q=refuge",
            "method": "POST",
            "query_string": "postcode=SR1+1AA&q=refuge",
            "data": {"child_name": "Ava Example", "incident": "details of the incident"},
            "cookies": {"__Host-sessionid": "s3ss10n"},
            "headers": {
                "Cookie": "__Host-sessionid=s3ss10n",
                "Authorization": "Bearer ENC_secret",
                "Host": "p.example",
            },
            "env": {"REMOTE_ADDR": "198.51.100.7"},
        },
        "user": {"id": "42", "email": "lead@example.org", "username": "lead@example.org", "ip_address": "198.51.100.7"},
        "exception": {
            "values": [
                {
                    "type": "RuntimeError",
                    "value": "could not route the alert for parent@example.com",
                    "stacktrace": {"frames": [{"function": "route", "vars": {"child": "Ava Example, 2015-04-01"}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": "sent to deputy@school.example.org", "data": {"to": "a@b.example"}}]},
        "extra": {"recipient": "x@y.example"},
    }


def test_the_scrubber_removes_bodies_cookies_query_strings_and_emails():
    scrubbed = sentry.scrub_event(_event(), {})
    text = json.dumps(scrubbed)
    for secret in ("@", "Ava Example", "incident", "s3ss10n", "ENC_secret", "SR1", "refuge", "198.51.100.7"):
        assert secret not in text, secret
    request = scrubbed["request"]
    assert request["url"] == "https://portal.example.gov.uk/services/"
    assert (request["data"], request["cookies"], request["query_string"]) == (sentry.FILTERED,) * 3
    assert request["headers"] == {"Cookie": sentry.FILTERED, "Authorization": sentry.FILTERED, "Host": "p.example"}
    assert scrubbed["user"] == {"id": "42"}
    assert scrubbed["exception"]["values"][0]["value"] == "could not route the alert for [Filtered]"
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "route"}]
    assert scrubbed["logentry"]["params"] == [sentry.FILTERED]


def test_sentry_is_off_without_a_dsn(monkeypatch):
    import sentry_sdk

    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    assert sentry.init_sentry() is False
    monkeypatch.setenv("SENTRY_DSN", "")
    assert sentry.init_sentry() is False
    assert calls == []


def test_sentry_with_a_dsn_is_configured_from_the_environment(monkeypatch):
    import sentry_sdk

    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.example.org/7")
    monkeypatch.setenv("SENTRY_ENVIRONMENT", "staging")
    monkeypatch.setenv("SENTRY_RELEASE", "abc1234")
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "0.25")
    assert sentry.init_sentry() is True
    (options,) = calls
    assert options["dsn"] == "https://key@sentry.example.org/7"
    assert (options["environment"], options["release"], options["traces_sample_rate"]) == ("staging", "abc1234", 0.25)
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    assert options["before_send"] is sentry.before_send
    assert [type(i).__name__ for i in options["integrations"]] == ["DjangoIntegration"]


@pytest.mark.parametrize("rate", ["often", "1.5", "-0.1"])
def test_a_bad_sample_rate_stops_start_up_naming_the_variable(monkeypatch, rate):
    monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.example.org/7")
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", rate)
    with pytest.raises(ImproperlyConfigured, match="SENTRY_TRACES_SAMPLE_RATE must be a number between 0 and 1"):
        sentry.init_sentry()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_error_in_a_request_reaches_sentry_scrubbed(monkeypatch):
    """The real SDK and Django integration, with a transport that keeps events here."""
    import sentry_sdk
    from sentry_sdk.transport import Transport

    events: list[dict] = []

    class Keep(Transport):
        def capture_envelope(self, envelope):
            events.extend(item.payload.json for item in envelope.items if item.type == "event")

    real_init = sentry_sdk.init
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: real_init(transport=Keep(), **kwargs))
    monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.example.org/7")
    try:
        assert sentry.init_sentry() is True
        client = Client(raise_request_exception=False)
        client.cookies["sessionid"] = "s3ss10n-cookie"
        response = client.post(
            "/test-explode/?postcode=SR1+1AA", {"email": "parent@example.com", "child": "Ava Example"}
        )
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
    assert response.status_code == 500
    (event,) = events
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    text = json.dumps(event)
    for secret in ("parent@example.com", "Ava Example", "s3ss10n-cookie", "SR1"):
        assert secret not in text, secret
    assert event["request"].get("data", sentry.FILTERED) == sentry.FILTERED
    assert "?" not in event["request"].get("url", "")
    assert event["tags"]["request_id"] == response["X-Request-ID"]  # to find the request's log lines
