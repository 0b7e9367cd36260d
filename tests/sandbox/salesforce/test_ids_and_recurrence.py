"""Pure pieces of the emulator: record ids and the RRULE expansion behind event series."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sandbox.salesforce.ids import IdFactory, checksum_suffix, normalize_id, object_for_id, to_18
from app.sandbox.salesforce.recurrence import RecurrenceError, occurrences, parse_rrule, time_zone

_ID_CHARS = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=12, max_size=12)


def test_documented_ids() -> None:
    # Ids printed in Salesforce's REST API Developer Guide, with their case-safe suffixes.
    assert to_18("001D000000JliST") == "001D000000JliSTIAZ"
    assert to_18("001D000000JliSa") == "001D000000JliSaIAJ"
    assert to_18("00190000001pPvH") == "00190000001pPvHAAU"
    assert object_for_id("0RE000000000001AAA") == "EventRelation"


@given(_ID_CHARS)
def test_the_suffix_restores_case(tail: str) -> None:
    record_id = to_18("003" + tail)
    assert normalize_id(record_id.lower()) == record_id
    assert normalize_id(record_id.upper()) == record_id
    assert normalize_id(record_id[:15]) == record_id
    assert checksum_suffix(record_id[:15]) == record_id[15:]


@pytest.mark.parametrize("bad", ["", "abc", "001D000000JliST!AZ", "001D000000JliSTIA9", "x" * 19])
def test_malformed_ids(bad: str) -> None:
    assert normalize_id(bad) is None


def test_id_factory_is_deterministic() -> None:
    first, second = IdFactory(), IdFactory()
    assert [first.for_object("Contact") for _ in range(3)] == [second.for_object("Contact") for _ in range(3)]
    assert first.for_object("Account").startswith("001")


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        (
            "FREQ=DAILY;INTERVAL=2;COUNT=3",
            _utc(2030, 1, 1, 9),
            [_utc(2030, 1, 1, 9), _utc(2030, 1, 3, 9), _utc(2030, 1, 5, 9)],
        ),
        (
            "RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20300110",
            _utc(2030, 1, 1, 9),
            [_utc(2030, 1, 1, 9), _utc(2030, 1, 3, 9), _utc(2030, 1, 8, 9), _utc(2030, 1, 10, 9)],
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3",
            _utc(2030, 1, 25, 15),
            [_utc(2030, 1, 25, 15), _utc(2030, 2, 22, 15), _utc(2030, 3, 29, 15)],
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3",
            _utc(2030, 1, 31, 8),
            [_utc(2030, 1, 31, 8), _utc(2030, 3, 31, 8), _utc(2030, 5, 31, 8)],
        ),
        ("FREQ=YEARLY;BYMONTH=3;BYDAY=2TU;COUNT=2", _utc(2030, 3, 12, 8), [_utc(2030, 3, 12, 8), _utc(2031, 3, 11, 8)]),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=2",
            _utc(2030, 1, 31, 8),
            [_utc(2030, 1, 31, 8), _utc(2030, 2, 28, 8)],
        ),
        # The start counts as the first occurrence even when it does not match the rule (RFC 5545).
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=2", _utc(2030, 1, 2, 9), [_utc(2030, 1, 2, 9), _utc(2030, 1, 7, 9)]),
    ],
)
def test_expansion(rule: str, start: datetime, expected: list[datetime]) -> None:
    assert occurrences(parse_rrule(rule), start) == expected


def test_wall_clock_is_kept_across_daylight_saving() -> None:
    found = occurrences(parse_rrule("FREQ=DAILY;COUNT=3"), _utc(2030, 10, 26, 7), time_zone("Europe/Berlin"))
    assert [m.hour for m in found] == [7, 8, 8]  # 09:00 in Berlin, summer then winter time


def test_unbounded_rules_are_capped() -> None:
    assert len(occurrences(parse_rrule("FREQ=DAILY"), _utc(2030, 1, 1))) == 100
    assert occurrences(parse_rrule("FREQ=DAILY;UNTIL=20300101T235959Z"), _utc(2030, 1, 1)) == [_utc(2030, 1, 1)]
    assert parse_rrule("FREQ=WEEKLY;UNTIL=20300102").until == date(2030, 1, 2)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "FREQ=HOURLY",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;COUNT=2;UNTIL=20300101",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=DAILY;BYDAY=XX",
        "FREQ=DAILY;FOO=1",
        "FREQ=MONTHLY;BYMONTHDAY=32",
        "FREQ=DAILY;INTERVAL",
    ],
)
def test_rejected_rules(bad: str) -> None:
    with pytest.raises(RecurrenceError):
        parse_rrule(bad)


def test_unknown_time_zone() -> None:
    with pytest.raises(RecurrenceError):
        time_zone("Mars/Olympus_Mons")
