"""Log lines carry the request id and never a token or secret."""

from __future__ import annotations

import logging

import pytest

from app.logging_config import LOG_FORMAT, ScrubbingFormatter, install_request_id_on_records, scrub
from app.request_context import request_id_var


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
        ("POST /token refresh_token=5Aep861abcdef&grant_type=refresh_token", "5Aep861abcdef"),
        ('{"access_token": "00DSB!AQabc", "instance_url": "x"}', "00DSB!AQabc"),
        ("client_secret=hunter2 sent", "hunter2"),
        ('"GET /connections/callback/salesforce?code=aPrx7Qw&state=s1 HTTP/1.1" 303', "aPrx7Qw"),
    ],
)
def test_scrub_removes_secrets(line: str, secret: str) -> None:
    cleaned = scrub(line)
    assert secret not in cleaned
    assert "***" in cleaned


def test_scrub_keeps_ordinary_text() -> None:
    assert scrub("synced 12 contacts for alex@example.com") == "synced 12 contacts for alex@example.com"


def test_records_carry_the_request_id_and_the_formatter_scrubs() -> None:
    install_request_id_on_records()
    token = request_id_var.set("req-42")
    try:
        record = logging.getLogger("app").makeRecord("app", logging.INFO, __file__, 1, "with Bearer abc123", None, None)
    finally:
        request_id_var.reset(token)
    assert getattr(record, "request_id", None) == "req-42"
    line = ScrubbingFormatter(LOG_FORMAT).format(record)
    assert "[req-42]" in line
    assert "abc123" not in line
