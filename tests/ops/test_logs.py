"""Log lines: JSON in production with the request they belong to, plain in development."""

import json
import logging

import pytest
from django.test import RequestFactory
from django.urls import reverse

from slrt.logs import JsonFormatter, current_request


def record(message="imported %s rows", *args, **extra) -> logging.LogRecord:
    entry = logging.makeLogRecord(
        {"name": "slrt.test", "levelname": "WARNING", "msg": message, "args": args or (12,)}
    )
    entry.__dict__.update(extra)
    return entry


def test_a_json_line_has_time_level_logger_message_and_extra_fields():
    line = json.loads(JsonFormatter().format(record(batch_id=7)))
    assert line["level"] == "WARNING"
    assert line["logger"] == "slrt.test"
    assert line["message"] == "imported 12 rows"
    assert line["batch_id"] == 7
    assert line["time"].endswith("+00:00")
    assert "request_id" not in line  # not written while serving a request


def test_a_line_written_while_serving_a_request_names_it():
    request = RequestFactory().get("/households/")
    request.request_id = "abc12345"
    token = current_request.set(request)
    try:
        line = json.loads(JsonFormatter().format(record()))
    finally:
        current_request.reset(token)
    assert (line["request_id"], line["path"]) == ("abc12345", "/households/")
    assert "user_id" not in line  # the user was never loaded: logging does not load it


def test_a_traceback_stays_inside_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        entry = record(exc_info=sys.exc_info())
    text = JsonFormatter().format(entry)
    assert "\n" not in text
    assert "ValueError: boom" in json.loads(text)["exception"]


@pytest.mark.django_db
def test_each_response_carries_its_request_id_and_keeps_a_sane_one_from_the_proxy(client):
    mine = client.get("/healthz")["X-Request-ID"]
    assert len(mine) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="proxy-req-0001")["X-Request-ID"] == (
        "proxy-req-0001"
    )
    odd = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert odd != "<script>"


@pytest.mark.django_db
def test_log_lines_of_a_logged_in_request_name_the_user(client, operator, caplog):
    client.force_login(operator)
    caplog.set_level(logging.WARNING)
    missing = reverse("households:import_detail", args=[999_999])
    client.get(missing)  # a 404, logged by django.request
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "django.request"]
    line = json.loads(lines[0])
    assert (line["path"], line["user_id"], line["status_code"]) == (missing, operator.pk, 404)
    assert len(line["request_id"]) == 32


def test_the_log_format_setting_picks_the_formatter(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["formatter"] in settings.LOGGING["formatters"]
    assert settings.LOGGING["formatters"]["json"]["()"] == "slrt.logs.JsonFormatter"
