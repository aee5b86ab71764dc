"""Logs a service team can use: one line per request with a request id (also in the response),
the user id (never the e-mail address), method, path, status and time; JSON on request."""

import json
import logging

import pytest
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from institute.request_log import REQUEST_ID_HEADER
from institute.tokens import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="institute.requests")

    def read():
        return [r for r in caplog.records if r.name == "institute.requests"]

    return read


def test_each_request_is_one_line_with_its_id_status_and_time(client, lines):
    response = client.get("/organisations/?q=leeds")

    (record,) = lines()
    assert response[REQUEST_ID_HEADER] == record.request_id and len(record.request_id) == 32
    assert (record.method, record.path, record.status, record.user_id) == (
        "GET",
        "/organisations/",
        200,
        "-",
    )
    assert record.duration_ms > 0
    assert record.getMessage().startswith(f"request_id={record.request_id} user_id=- method=GET")


def test_a_signed_in_persons_line_has_their_id_and_not_their_address(client, officer, lines):
    client.force_login(officer)
    client.get("/account/")
    (record,) = lines()
    assert record.user_id == str(officer.pk)
    assert officer.email not in record.getMessage()


def test_an_api_request_with_a_token_names_its_user(officer, lines):
    _, secret = api_token_create(actor=officer, name="t")
    Client(HTTP_AUTHORIZATION=f"Token {secret}").get("/api/v1/problems/")
    (record,) = lines()
    assert (record.user_id, record.status) == (str(officer.pk), 200)


def test_a_proxys_request_id_is_kept_and_a_forged_one_is_replaced(client, lines):
    kept = client.get("/healthz", headers={REQUEST_ID_HEADER: "lb-7f3a9c21-0001"})
    forged = client.get("/healthz", headers={REQUEST_ID_HEADER: "x\nuser_id=1 status=200"})
    first, second = lines()
    assert kept[REQUEST_ID_HEADER] == first.request_id == "lb-7f3a9c21-0001"
    assert "\n" not in second.request_id and forged[REQUEST_ID_HEADER] == second.request_id


def test_secret_parts_of_a_path_are_not_logged(client, lines):
    client.get("/account/confirm-email/SECRETKEY123/")
    client.get("/notifications/unsubscribe/SECRETTOKEN456/")
    client.get("/problems/%0Aforged=1/")
    confirm, unsubscribe, odd = lines()
    assert confirm.path == "/account/confirm-email/[redacted]/"
    assert unsubscribe.path == "/notifications/unsubscribe/[redacted]/"
    assert odd.path == "/problems/%0Aforged=1/"
    assert all("SECRET" not in r.getMessage() for r in lines())


def test_other_lines_written_during_a_request_carry_its_id(client, sector_viewer, caplog):
    caplog.set_level(logging.INFO)
    client.force_login(sector_viewer)
    client.post("/problems/1/vote/")  # refused: the security log says so
    refused = next(
        r for r in caplog.records if r.name == "institute.security" and "refused" in r.getMessage()
    )
    request = next(r for r in caplog.records if r.name == "institute.requests")
    assert _with_filter(refused).request_id == request.request_id != "-"


def _with_filter(record):
    for name in settings.LOGGING["handlers"]["console"]["filters"]:
        import_string(settings.LOGGING["filters"][name]["()"])().filter(record)
    return record


def test_with_log_format_json_each_line_is_a_json_object(client, lines):
    client.get("/organisations/")
    (record,) = lines()
    config = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(config.pop("()"))(**config)

    line = formatter.format(record)

    assert "\n" not in line
    document = json.loads(line)
    assert {k: document[k] for k in ("logger", "level", "method", "path", "status")} == {
        "logger": "institute.requests",
        "level": "INFO",
        "method": "GET",
        "path": "/organisations/",
        "status": 200,
    }
    assert document["request_id"] == record.request_id and document["user_id"] == "-"
    assert isinstance(document["duration_ms"], float) and "time" in document
