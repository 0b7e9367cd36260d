"""The event store's pure parts: Event rows to the projection, the scope, and what a write sends."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

from app.connectors.event_fields import EventWindow
from app.connectors.salesforce.activities_describe import ActivityDescribe
from app.connectors.salesforce.activities_kind import PreparedRecord
from app.connectors.salesforce.events_mapping import EventScope, prepare, projection
from app.sync.items import normalise_fields
from app.sync.stores import FailureKind, WriteFailure

USER = "005Sb0000000001AAA"
WINDOW = EventWindow(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
DESCRIBE = ActivityDescribe(MappingProxyType({"Subject": 255, "Location": 255, "Description": 60}), {})


def timed_row(**extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "Id": "00USb0000000001AAA",
        "OwnerId": USER,
        "Subject": "Quarterly review",
        "Location": "Room 4",
        "Description": "Bring the numbers\ncrmbridge:mailbox:abc",
        "IsAllDayEvent": False,
        "StartDateTime": "2026-11-21T08:30:00.000+0000",
        "EndDateTime": "2026-11-21T09:30:00.000+0000",
        "DurationInMinutes": 60,
        "IsPrivate": False,
        "IsRecurrence2": False,
        "IsChild": False,
    }
    row.update(extra)
    return row


def test_a_timed_event_reads_in_utc_without_the_marker_line() -> None:
    assert projection(timed_row(), include_private=False) == normalise_fields(
        {
            "subject": "Quarterly review",
            "location": "Room 4",
            "notes": "Bring the numbers",
            "start": "2026-11-21T08:30:00Z",
            "end": "2026-11-21T09:30:00Z",
        }
    )


def test_an_all_day_event_reads_as_its_days_with_an_exclusive_end() -> None:
    row = timed_row(
        IsAllDayEvent=True,
        ActivityDate="2026-11-21",
        StartDateTime="2026-11-21T00:00:00.000+0000",
        EndDateTime="2026-11-23T00:00:00.000+0000",
        DurationInMinutes=3 * 1440,
    )
    fields = projection(row, include_private=False)
    assert (fields["start"], fields["end"], fields["all_day"]) == ("2026-11-21", "2026-11-24", "true")


def test_private_is_read_only_when_private_events_are_included() -> None:
    assert projection(timed_row(IsPrivate=True), include_private=True)["private"] == "true"
    assert "private" not in projection(timed_row(IsPrivate=True), include_private=False)


def test_the_scope_is_the_owner_s_window_without_private_series_or_child_events() -> None:
    scope = EventScope(USER, WINDOW, include_private=False, include_series=False)
    assert scope.holds(timed_row())
    assert not scope.holds(timed_row(StartDateTime="2026-12-01T00:00:00.000+0000"))
    assert not scope.holds(timed_row(IsPrivate=True))
    assert not scope.holds(timed_row(IsRecurrence2=True))
    assert not scope.holds(timed_row(IsChild=True))
    assert not scope.holds(timed_row(OwnerId="005Sb0000000002AAA"))
    ending_at_start = timed_row(
        StartDateTime="2026-10-31T23:00:00.000+0000", EndDateTime="2026-11-01T00:00:00.000+0000"
    )
    assert not scope.holds(ending_at_start)
    wide = EventScope(USER, WINDOW, include_private=True, include_series=True)
    assert wide.holds(timed_row(IsPrivate=True, IsRecurrence2=True))
    assert scope.key != wide.key


def test_an_all_day_event_on_the_window_s_last_day_is_in_scope() -> None:
    scope = EventScope(USER, WINDOW, include_private=False, include_series=False)
    row = timed_row(IsAllDayEvent=True, ActivityDate="2026-11-30", DurationInMinutes=1440)
    assert scope.holds(row)
    assert not scope.holds({**row, "ActivityDate": "2026-12-01"})


def test_a_timed_create_sends_utc_instants_the_owner_s_marker_as_a_trailer_line() -> None:
    fields = normalise_fields(
        {"subject": "Demo", "start": "2026-11-21T08:30:00Z", "end": "2026-11-21T09:00:00Z", "notes": "Hi"}
    )
    ready = prepare(fields, DESCRIBE, current=None, marker="crmbridge:mailbox:m1", include_private=False)
    assert isinstance(ready, PreparedRecord)
    assert ready.values == {
        "IsAllDayEvent": False,
        "StartDateTime": "2026-11-21T08:30:00Z",
        "EndDateTime": "2026-11-21T09:00:00Z",
        "Subject": "Demo",
        "Description": "Hi\ncrmbridge:mailbox:m1",
        "IsPrivate": False,
    }
    assert ready.holds == fields


def test_an_all_day_write_sends_the_date_and_whole_days() -> None:
    fields = normalise_fields({"subject": "Offsite", "start": "2026-11-21", "end": "2026-11-23", "all_day": "true"})
    ready = prepare(fields, DESCRIBE, current=None, marker=None, include_private=False)
    assert isinstance(ready, PreparedRecord)
    assert ready.values["ActivityDate"] == "2026-11-21"
    assert ready.values["DurationInMinutes"] == 2 * 1440
    assert ready.values["IsAllDayEvent"] is True
    assert ready.holds == fields


def test_an_event_over_14_days_is_refused_in_words() -> None:
    long_all_day = normalise_fields({"start": "2026-11-01", "end": "2026-11-16", "all_day": "true"})
    long_timed = normalise_fields({"start": "2026-11-01T00:00:00Z", "end": "2026-11-15T00:01:00Z"})
    backwards = normalise_fields({"start": "2026-11-02T00:00:00Z", "end": "2026-11-01T00:00:00Z"})
    for fields in (long_all_day, long_timed, backwards):
        failure = prepare(fields, DESCRIBE, current=None, marker=None, include_private=False)
        assert isinstance(failure, WriteFailure) and failure.kind is FailureKind.INVALID
    fourteen = normalise_fields({"start": "2026-11-01", "end": "2026-11-15", "all_day": "true"})
    assert isinstance(prepare(fourteen, DESCRIBE, current=None, marker=None, include_private=False), PreparedRecord)


def test_values_too_long_are_cut_and_the_marker_kept_on_update() -> None:
    fields = normalise_fields(
        {
            "subject": "S" * 300,
            "start": "2026-11-21T08:30:00Z",
            "end": "2026-11-21T09:00:00Z",
            "notes": "N" * 100,
            "attendees": ("ana@example.com",),
        }
    )
    ready = prepare(fields, DESCRIBE, current=timed_row(), marker=None, include_private=False)
    assert isinstance(ready, PreparedRecord)
    assert ready.values["Subject"] == "S" * 255
    assert ready.values["Description"] == "N" * 38 + "\ncrmbridge:mailbox:abc"
    assert len(ready.values["Description"]) == 60
    assert ready.values["Location"] is None  # cleared on update
    assert ready.holds["subject"] == "S" * 255 and ready.holds["notes"] == "N" * 38
    assert "attendees" not in ready.holds


def test_private_is_written_only_when_private_events_are_included() -> None:
    fields = normalise_fields({"start": "2026-11-21T08:30:00Z", "end": "2026-11-21T09:00:00Z", "private": "true"})
    kept = prepare(fields, DESCRIBE, current=None, marker=None, include_private=True)
    dropped = prepare(fields, DESCRIBE, current=None, marker=None, include_private=False)
    assert isinstance(kept, PreparedRecord) and kept.values["IsPrivate"] is True and kept.holds["private"] == "true"
    assert isinstance(dropped, PreparedRecord) and dropped.values["IsPrivate"] is False
    assert "private" not in dropped.holds
