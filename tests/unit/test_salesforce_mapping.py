"""The Salesforce mapping's pure functions: escaping (checked against the sandbox's SOQL/SOSL parser, which follows
Salesforce's rules), the Company rule, and what a logged email becomes."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from app.connectors.salesforce.mapping import (
    EMAIL_STATUS_READ,
    EMAIL_STATUS_SENT,
    EmailContent,
    MailAddress,
    choose_account,
    email_message_fields,
    email_task_fields,
    join_addresses,
    normalise_address,
    soql_like_contains,
    soql_string,
    sosl_phrase,
    truncate,
)
from app.sandbox.salesforce.soql.ast import LikeWildcard
from app.sandbox.salesforce.soql.literals import decode_like_pattern, decode_string
from app.sandbox.salesforce.soql.parser import parse_soql, parse_sosl

# Printable text plus the characters that matter to SOQL and SOSL (control characters are dropped on purpose).
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("'\"\\%_*?{}[]()&|!^~:+-\n\t"),
    max_size=40,
)


@given(TEXT)
def test_soql_strings_decode_to_the_value(value: str) -> None:
    assert decode_string(soql_string(value)) == value
    parse_soql(f"SELECT Id FROM Contact WHERE Email = {soql_string(value)}")  # never a syntax error


@given(TEXT)
def test_like_patterns_match_the_value_literally(value: str) -> None:
    elements = decode_like_pattern(soql_like_contains(value))
    assert elements[0] is LikeWildcard.ANY and elements[-1] is LikeWildcard.ANY
    assert "".join(str(part) for part in elements[1:-1]) == value
    assert not any(isinstance(part, LikeWildcard) for part in elements[1:-1])


@given(TEXT.filter(lambda text: len(text.strip()) >= 2))
def test_sosl_phrases_never_break_the_search(value: str) -> None:
    parse_sosl(f"FIND {{{sosl_phrase(value)}}} IN NAME FIELDS RETURNING Account(Id)")


def test_escapes_by_example() -> None:
    assert soql_string('O\'Brien \\ "x"') == "'O\\'Brien \\\\ \\\"x\\\"'"
    assert soql_like_contains("100%_") == "'%100\\%\\_%'"
    assert sosl_phrase("a*b? (c) & d") == '"a\\*b\\? \\(c\\) \\& d"'
    assert soql_string("a\x00b") == "'ab'"


def test_addresses() -> None:
    assert normalise_address("  <José.Núñez+x@Example.ES> ") == "josé.núñez+x@example.es"
    assert normalise_address("o'brien@example.com") == "o'brien@example.com"
    for bad in ("", "no-at-sign", "two@@example.com", "a b@example.com", "x@nodot", '"q"@example.com'):
        assert normalise_address(bad) is None


def test_the_company_rule() -> None:
    acme_old, acme_new = {"Id": "001A", "Name": "Acme"}, {"Id": "001B", "Name": "ACME"}
    assert choose_account([acme_old, acme_new], [acme_old, acme_new]).id == "001A"  # type: ignore[union-attr]
    assert choose_account([], [{"Id": "001C", "Name": "Acme Corp"}]).id == "001C"  # type: ignore[union-attr]
    assert choose_account([], [{"Id": "001C", "Name": "X"}, {"Id": "001D", "Name": "Y"}]) is None
    assert choose_account([], []) is None


def test_truncation_and_address_lists() -> None:
    assert truncate("abc", 5) == "abc"
    assert truncate("abcdefgh", 5, note="…") == "abcd…"
    assert truncate("abcdefgh", None) == "abcdefgh"
    assert join_addresses(["a@x.io", "b@x.io", "c@x.io"], 15) == "a@x.io; b@x.io"
    assert join_addresses([], 10) is None


def _content(*, sent: bool) -> EmailContent:
    return EmailContent(
        internet_message_id="<m@x.io>",
        subject="Hello",
        sender=MailAddress("rep@x.io" if sent else "client@y.io", "Someone"),
        to=(MailAddress("client@y.io"),),
        cc=(),
        date=datetime(2026, 11, 18, 9, 30, 5, 123000, tzinfo=UTC),
        text_body="body",
        html_body=None,
        sent_by_rep=sent,
    )


def test_email_message_and_task_fields() -> None:
    received = email_message_fields(_content(sent=False), {"Subject": 3}, "001A")
    assert received["Status"] == EMAIL_STATUS_READ and received["Incoming"] is True
    assert received["Subject"] == "Hel"
    assert received["MessageDate"] == "2026-11-18T09:30:05.123Z"
    assert received["MessageIdentifier"] == "<m@x.io>"
    assert "HtmlBody" not in received and "CcAddress" not in received
    sent = email_message_fields(_content(sent=True), {}, None)
    assert (sent["Status"], sent["Incoming"]) == (EMAIL_STATUS_SENT, False)
    assert "RelatedToId" not in sent
    task = email_task_fields(_content(sent=False), {"Subject": 255}, who_id="003A", what_id=None)
    assert task["TaskSubtype"] == "Email" and task["Status"] == "Completed"
    assert task["Subject"] == "Email: Hello" and task["ActivityDate"] == "2026-11-18"
    assert task["Description"].startswith("From: client@y.io\nTo: client@y.io\n")
    assert "WhatId" not in task
