"""Events as calendar views see them: single instances, series masters, and the occurrences and exceptions of series.

A series master stores the recurrence; occurrences are computed from it (their ids encode the master and the
original start). An exception is a stored event that replaces one occurrence; a deleted occurrence is remembered on
the master. As in Graph's own responses, occurrences and exceptions carry the master's change key, so any change to a
series changes the version of every instance of it (the "List instances" example shows one etag for all of them).

An exception keeps the id of the occurrence it replaces (the master and the original start): Exchange stores an
exception as an attachment of the series' calendar object, not as an item of its own ([MS-OXOCAL] 2.2.10 and
3.1.4.5, "exception attachment object"), so the instance a client tracks keeps its identity when the user (or a
client) changes it, and a calendar view delta reports the change under that id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from app.sandbox.microsoft import ids, recurrence
from app.sandbox.microsoft.exceptions import item_not_found
from app.sandbox.microsoft.models import Item, Mailbox
from app.sandbox.microsoft.timezones import Zone, find_zone

EventType = Literal["singleInstance", "seriesMaster", "occurrence", "exception"]


@dataclass(frozen=True)
class Instance:
    """An event as a calendar view lists it."""

    type: EventType
    #: The stored item whose properties it shows (the master, for an occurrence).
    item: Item
    start: datetime
    end: datetime
    master: Item | None = None
    original_start: datetime | None = None

    @property
    def token(self) -> str:
        """A stable internal key, independent of the id form a client asked for (an exception has its
        occurrence's key)."""
        if self.type in ("occurrence", "exception") and self.master is not None and self.original_start is not None:
            return f"o:{self.master.key.hex()}:{int(self.original_start.timestamp())}"
        return f"i:{self.item.key.hex()}"

    @property
    def version(self) -> int:
        """The version behind the instance's change key (the master's, for occurrences and exceptions)."""
        return self.master.version if self.master is not None else self.item.version

    def overlaps(self, window_start: datetime, window_end: datetime) -> bool:
        """Whether the instance falls in ``[window_start, window_end)`` (zero-length events at their start)."""
        if self.start == self.end:
            return window_start <= self.start < window_end
        return self.start < window_end and self.end > window_start


def series_zone(master: Item) -> Zone:
    """The zone a series recurs in: the range's ``recurrenceTimeZone``, else the start's zone."""
    rng = (master.props.get("recurrence") or {}).get("range") or {}
    return find_zone(rng.get("recurrenceTimeZone")) or master.start_zone


def occurrence_starts(master: Item, until: datetime) -> list[datetime]:
    """Original starts of a series' occurrences up to ``until`` (deleted and replaced ones included)."""
    assert master.start is not None
    zone = series_zone(master)
    local_start = master.start.astimezone(zone.tz)
    clock = time(0) if master.props.get("isAllDay") else local_start.time().replace(tzinfo=None)
    last_day = (until.astimezone(zone.tz) + timedelta(days=1)).date()
    starts = []
    for day in recurrence.occurrence_dates(master.props["recurrence"], last_day):
        moment = datetime.combine(day, clock, tzinfo=zone.tz).astimezone(master.start.tzinfo)
        if moment >= until:
            break
        starts.append(moment)
    return starts


def align_master(master: Item) -> None:
    """Move a series master's start to its first occurrence, keeping its duration (Outlook does the same)."""
    assert master.start is not None and master.end is not None
    duration = master.end - master.start
    far = master.start + timedelta(days=366 * 30)
    firsts = occurrence_starts(master, far)[:1]
    if firsts:
        master.start, master.end = firsts[0], firsts[0] + duration


def duration(item: Item) -> timedelta:
    """An event's length."""
    assert item.start is not None and item.end is not None
    return item.end - item.start


def series_instances(mailbox: Mailbox, master: Item, window_start: datetime, window_end: datetime) -> list[Instance]:
    """The occurrences and exceptions of a series that fall in the window."""
    found: list[Instance] = []
    length = duration(master)
    for start in occurrence_starts(master, window_end):
        if start in master.exceptions or start in master.cancelled:
            continue
        instance = Instance("occurrence", master, start, start + length, master, start)
        if instance.overlaps(window_start, window_end):
            found.append(instance)
    for original, key in master.exceptions.items():
        exception = mailbox.items.get(key)
        if exception is None or exception.start is None or exception.end is None:
            continue
        instance = Instance("exception", exception, exception.start, exception.end, master, original)
        if instance.overlaps(window_start, window_end):
            found.append(instance)
    return sorted(found, key=lambda i: (i.start, i.token))


def view(mailbox: Mailbox, calendar_key: bytes, window_start: datetime, window_end: datetime) -> list[Instance]:
    """A calendar view: single instances, occurrences and exceptions in the window, by start."""
    found: list[Instance] = []
    for item in mailbox.items_in(calendar_key, "event"):
        if item.series_master is not None or item.start is None or item.end is None:
            continue
        if item.props.get("recurrence"):
            found.extend(series_instances(mailbox, item, window_start, window_end))
        else:
            single = Instance("singleInstance", item, item.start, item.end)
            if single.overlaps(window_start, window_end):
                found.append(single)
    return sorted(found, key=lambda i: (i.start, i.token))


def stored_instance(mailbox: Mailbox, item: Item) -> Instance:
    """The instance a stored event is (a single instance, a series master, or an exception)."""
    assert item.start is not None and item.end is not None
    if item.series_master is not None:
        master = mailbox.items.get(item.series_master)
        return Instance("exception", item, item.start, item.end, master, item.original_start)
    if item.props.get("recurrence"):
        return Instance("seriesMaster", item, item.start, item.end)
    return Instance("singleInstance", item, item.start, item.end)


def occurrence(mailbox: Mailbox, master: Item, original_start: datetime) -> Instance:
    """One occurrence of a series by its original start (the exception that replaced it, if any); 404 if none."""
    if not master.props.get("recurrence"):
        raise item_not_found()
    if original_start in master.exceptions:
        exception = mailbox.items.get(master.exceptions[original_start])
        if exception is not None:
            return stored_instance(mailbox, exception)
    if original_start in master.cancelled or original_start not in occurrence_starts(
        master, original_start + timedelta(seconds=1)
    ):
        raise item_not_found()
    return Instance("occurrence", master, original_start, original_start + duration(master), master, original_start)


def instance_id(mailbox: Mailbox, instance: Instance, *, immutable: bool) -> str:
    """The id a client sees for an instance (an exception has the id of the occurrence it replaced)."""
    master, original_start = instance.master, instance.original_start
    if instance.type in ("occurrence", "exception") and master is not None and original_start is not None:
        return ids.occurrence_id(mailbox.guid, master.key, original_start)
    return mailbox.item_id(instance.item, immutable=immutable)


def make_exception(mailbox: Mailbox, instance: Instance, now: datetime) -> Item:
    """Turn an occurrence into a stored exception (before it is patched)."""
    master = instance.master
    assert master is not None and instance.original_start is not None
    props = {k: v for k, v in master.props.items() if k not in ("recurrence", "transactionId")}
    calendar_folder = mailbox.folders[master.folder]
    exception = mailbox.add_item(
        "event",
        calendar_folder,
        props,
        now,
        start=instance.start,
        end=instance.end,
        start_zone=master.start_zone,
        end_zone=master.end_zone,
        series_master=master.key,
        original_start=instance.original_start,
        extended=dict(master.extended),
    )
    master.exceptions[instance.original_start] = exception.key
    return exception


def cancel(mailbox: Mailbox, instance: Instance, now: datetime) -> None:
    """Delete one occurrence or exception of a series (the master remembers it)."""
    master = instance.master
    assert master is not None and instance.original_start is not None
    if instance.type == "exception":
        master.exceptions.pop(instance.original_start, None)
        mailbox.delete_item(instance.item)
    master.cancelled.add(instance.original_start)
    mailbox.touch(master, now)
