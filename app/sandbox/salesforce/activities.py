"""Events, their relations and series, and tasks, as Salesforce saves them (Shared Activities enabled).

- An event's WhoId and WhatId are mirrored by EventRelation records (IsParent for the contact or lead, IsWhat
  for the related record); invitees are EventRelations with IsInvitee. An event relates to up to 50 contacts or
  one lead, and has up to 1,000 invitees (100 for a series).
- ``IsRecurrence2`` with ``Recurrence2PatternText`` makes a series: the created event is the first occurrence and
  the org creates the others. Changing one occurrence's time or subject makes it an exception
  (``IsRecurrence2Exception``); changing the pattern on the first occurrence regenerates the others.
- A task is closed when its status is Completed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce.event_timing import TIMING_FIELDS, normalize_timing
from app.sandbox.salesforce.exceptions import record_error
from app.sandbox.salesforce.hooks import Behaviour, WriteContext
from app.sandbox.salesforce.ids import object_for_id
from app.sandbox.salesforce.recurrence import RecurrenceError, occurrences, parse_rrule, time_zone
from app.sandbox.salesforce.schema import CLOSED_TASK_STATUSES, OBJECTS
from app.sandbox.salesforce.sharing import Caller
from app.sandbox.salesforce.values import format_datetime, wire_datetime_to_python

if TYPE_CHECKING:
    from app.sandbox.salesforce.models import SalesforceOrg

MAX_RELATED_CONTACTS = 50
MAX_INVITEES = 1000
MAX_SERIES_INVITEES = 100
SERIES = "series"
#: Fields whose change turns a series occurrence into an exception.
_EXCEPTION_FIELDS = TIMING_FIELDS | {"Subject", "Location", "Description", "ShowAs", "IsPrivate"}
_WHAT_TYPES = frozenset({"Account", "Opportunity", "Case"})


def derive_account(org: SalesforceOrg, row: Mapping[str, Any]) -> str | None:
    """An activity's AccountId: the What's account, else the contact Who's account."""
    what = org.live(row.get("WhatId"))
    if what is not None:
        return what[1]["Id"] if what[0] == "Account" else what[1].get("AccountId")
    who = org.live(row.get("WhoId"))
    if who is not None and who[0] == "Contact":
        return who[1].get("AccountId")
    return None


class TaskBehaviour(Behaviour):
    """Task: closed and high-priority flags, completion time, account."""

    def before_save(self, ctx: WriteContext) -> None:
        """Derive IsClosed, IsHighPriority, CompletedDateTime, AccountId and the default subtype."""
        row = ctx.row
        closed = row.get("Status") in CLOSED_TASK_STATUSES
        if closed and not row.get("IsClosed"):
            row["CompletedDateTime"] = ctx.org.stamp()
        elif not closed:
            row["CompletedDateTime"] = None
        row["IsClosed"] = closed
        row["IsHighPriority"] = row.get("Priority") == "High"
        if ctx.creating and not row.get("TaskSubtype"):
            row["TaskSubtype"] = "Task"
        row["AccountId"] = derive_account(ctx.org, row)


class EventBehaviour(Behaviour):
    """Event: timing, account, Who/What relations and series."""

    def before_save(self, ctx: WriteContext) -> None:
        """Normalize timing, derive AccountId, validate a new series, flag exceptions to a series."""
        normalize_timing(ctx.row, ctx.values, ctx.old)
        ctx.row["AccountId"] = derive_account(ctx.org, ctx.row)
        if ctx.creating:
            self._check_new_series(ctx)
            return
        if "Recurrence2PatternText" in ctx.values and ctx.changed("Recurrence2PatternText"):
            self._check_pattern_change(ctx)
        elif ctx.row.get("IsRecurrence2") and any(ctx.changed(name) for name in _EXCEPTION_FIELDS & set(ctx.values)):
            ctx.row["IsRecurrence2Exception"] = True

    def after_save(self, ctx: WriteContext) -> None:
        """Keep the Who/What relations in step; create or regenerate a series' occurrences."""
        sync_parent_relations(ctx.org, ctx.caller, ctx.row, ctx.old)
        if ctx.creating and ctx.row.get("IsRecurrence2"):
            ctx.org.store.set_side(SERIES, ctx.row["Id"], ctx.row["Id"])
            _generate_occurrences(ctx.org, ctx.caller, ctx.row)
        elif not ctx.creating and "Recurrence2PatternText" in ctx.values and ctx.changed("Recurrence2PatternText"):
            _regenerate(ctx.org, ctx.caller, ctx.row)

    def _check_new_series(self, ctx: WriteContext) -> None:
        row = ctx.row
        pattern = row.get("Recurrence2PatternText")
        if not row.get("IsRecurrence2"):
            if pattern:
                raise record_error(
                    errors.FIELD_INTEGRITY_EXCEPTION,
                    "Recurrence Pattern: a recurrence pattern needs IsRecurrence2 set to true",
                    ["Recurrence2PatternText"],
                )
            return
        if not pattern:
            raise record_error(
                errors.REQUIRED_FIELD_MISSING,
                "Required fields are missing: [Recurrence2PatternText]",
                ["Recurrence2PatternText"],
            )
        _parse_pattern(row)
        row["Recurrence2PatternVersion"] = "1"
        row["Recurrence2PatternStartDate"] = row["StartDateTime"]

    def _check_pattern_change(self, ctx: WriteContext) -> None:
        series = ctx.org.store.side(SERIES).get(ctx.row["Id"])
        if not ctx.row.get("IsRecurrence2") or series != ctx.row["Id"]:
            raise record_error(
                errors.FIELD_INTEGRITY_EXCEPTION,
                "Recurrence Pattern: change the pattern on the first event of the series",
                ["Recurrence2PatternText"],
            )
        if not ctx.row.get("Recurrence2PatternText"):
            raise record_error(
                errors.REQUIRED_FIELD_MISSING,
                "Required fields are missing: [Recurrence2PatternText]",
                ["Recurrence2PatternText"],
            )
        _parse_pattern(ctx.row)
        ctx.row["Recurrence2PatternStartDate"] = ctx.row["StartDateTime"]


def _parse_pattern(row: Mapping[str, Any]) -> list[Any]:
    try:
        rule = parse_rrule(str(row["Recurrence2PatternText"]))
        # All-day occurrences stay at midnight UTC whatever the series' time zone.
        zone = UTC if row.get("IsAllDayEvent") else time_zone(row.get("Recurrence2PatternTimeZone"))
        return occurrences(rule, wire_datetime_to_python(row["StartDateTime"]), zone)
    except RecurrenceError as error:
        raise record_error(
            errors.FIELD_INTEGRITY_EXCEPTION, f"Recurrence Pattern: {error}", ["Recurrence2PatternText"]
        ) from None


def _generate_occurrences(org: SalesforceOrg, caller: Caller, first: Mapping[str, Any]) -> None:
    starts = _parse_pattern(first)
    first_start = wire_datetime_to_python(first["StartDateTime"])
    for start in starts:
        if start == first_start:
            continue
        shift = start - first_start
        row = dict(first)
        row["Id"] = org.ids.for_object("Event")
        end = wire_datetime_to_python(first["EndDateTime"]) + shift
        row.update(
            {
                "StartDateTime": format_datetime(start),
                "ActivityDateTime": format_datetime(start),
                "EndDateTime": format_datetime(end),
                "ActivityDate": start.date().isoformat(),
                "EndDate": end.date().isoformat(),
            }
        )
        row["IsRecurrence2Exception"] = False
        org.store.put("Event", row)
        org.store.set_side(SERIES, row["Id"], first["Id"])
        sync_parent_relations(org, caller, row, None)


def _regenerate(org: SalesforceOrg, caller: Caller, first: Mapping[str, Any]) -> None:
    for event_id, series_id in list(org.store.side(SERIES).items()):
        if series_id != first["Id"] or event_id == first["Id"]:
            continue
        found = org.live(event_id)
        if found is not None and not found[1].get("IsRecurrence2Exception"):
            org.remove(event_id, caller)
    _generate_occurrences(org, caller, first)


def relations_of(org: SalesforceOrg, event_id: str) -> list[Mapping[str, Any]]:
    """The live EventRelations of an event."""
    return [r for r in org.rows("EventRelation") if r["EventId"] == event_id and not r.get("IsDeleted")]


def sync_parent_relations(
    org: SalesforceOrg, caller: Caller, row: Mapping[str, Any], old: Mapping[str, Any] | None
) -> None:
    """Mirror the event's WhoId (IsParent) and WhatId (IsWhat) as EventRelation records."""
    for field_name, flag in (("WhoId", "IsParent"), ("WhatId", "IsWhat")):
        before = old.get(field_name) if old is not None else None
        after = row.get(field_name)
        if old is not None and before == after:
            continue
        relations = relations_of(org, row["Id"])
        if before:
            for relation in relations:
                if relation["RelationId"] == before and relation.get(flag):
                    if relation.get("IsInvitee"):
                        org.system_update(relation["Id"], {flag: False}, caller)
                    else:
                        org.remove(relation["Id"], caller)
        if after:
            existing = next((r for r in relations if r["RelationId"] == after), None)
            if existing is not None:
                if not existing.get(flag):
                    org.system_update(existing["Id"], {flag: True}, caller)
                continue
            org.insert(
                OBJECTS["EventRelation"],
                {"EventId": row["Id"], "RelationId": after, flag: True, "IsInvitee": False},
                caller,
                check_references=False,
            )


class EventRelationBehaviour(Behaviour):
    """EventRelation: defaults, limits, the event's Who/What and group flags."""

    def before_save(self, ctx: WriteContext) -> None:
        """Apply IsInvitee's default, check the relation kind and the limits, derive AccountId."""
        row = ctx.row
        relation_type = object_for_id(str(row.get("RelationId") or ""))
        if ctx.creating:
            if relation_type in _WHAT_TYPES:
                row["IsWhat"] = True
            if "IsInvitee" not in ctx.values and (row.get("IsParent") or row.get("IsWhat")):
                row["IsInvitee"] = False
            if row.get("IsWhat") and relation_type not in _WHAT_TYPES:
                raise record_error(
                    errors.FIELD_INTEGRITY_EXCEPTION,
                    "Relation ID: a What relation must point at an account, opportunity or case",
                    ["RelationId"],
                )
            self._check_limits(ctx, relation_type)
        if row.get("IsParent") and relation_type not in ("Contact", "Lead"):
            raise record_error(
                errors.FIELD_INTEGRITY_EXCEPTION, "Is Parent: only a contact or a lead can be a parent", ["IsParent"]
            )
        related = ctx.org.live(row.get("RelationId"))
        if related is not None and related[0] == "Contact":
            row["AccountId"] = related[1].get("AccountId")
        elif related is not None and related[0] == "Account":
            row["AccountId"] = related[1]["Id"]

    def _check_limits(self, ctx: WriteContext, relation_type: str | None) -> None:
        row = ctx.row
        event = ctx.org.live(row["EventId"])
        if event is None:
            return
        relations = relations_of(ctx.org, row["EventId"])
        if any(r["RelationId"] == row["RelationId"] for r in relations):
            duplicate = next(r for r in relations if r["RelationId"] == row["RelationId"])
            raise record_error(
                errors.DUPLICATE_VALUE,
                f"duplicate value found: RelationId duplicates value on record with id: {duplicate['Id']}",
                ["RelationId"],
            )
        if row.get("IsParent"):
            parents = [r for r in relations if r.get("IsParent")]
            kinds = {object_for_id(r["RelationId"]) for r in parents} | {relation_type}
            if "Lead" in kinds and len(parents) >= 1:
                raise record_error(
                    errors.FIELD_INTEGRITY_EXCEPTION,
                    "Relation ID: an event can be related to up to 50 contacts or one lead",
                    ["RelationId"],
                )
            if len(parents) >= MAX_RELATED_CONTACTS:
                raise record_error(
                    errors.FIELD_INTEGRITY_EXCEPTION,
                    "Relation ID: an event can be related to up to 50 contacts or one lead",
                    ["RelationId"],
                )
        if row.get("IsInvitee"):
            limit = MAX_SERIES_INVITEES if event[1].get("IsRecurrence2") else MAX_INVITEES
            if sum(1 for r in relations if r.get("IsInvitee")) >= limit:
                raise record_error(
                    errors.FIELD_INTEGRITY_EXCEPTION, f"Event: an event can have up to {limit} invitees", ["EventId"]
                )

    def after_save(self, ctx: WriteContext) -> None:
        """Fill the event's empty WhoId/WhatId from a parent/what relation; mark group events."""
        event = ctx.org.live(ctx.row["EventId"])
        if event is None:
            return
        changes: dict[str, Any] = {}
        if ctx.row.get("IsParent") and not event[1].get("WhoId"):
            changes["WhoId"] = ctx.row["RelationId"]
        if ctx.row.get("IsWhat") and not event[1].get("WhatId"):
            changes["WhatId"] = ctx.row["RelationId"]
        if ctx.row.get("IsInvitee") and not event[1].get("IsGroupEvent"):
            changes.update({"IsGroupEvent": True, "GroupEventType": "1"})
        if changes:
            ctx.org.system_update(event[1]["Id"], changes, ctx.caller)

    def before_delete(self, org: SalesforceOrg, caller: Caller, row: Mapping[str, Any]) -> None:
        """Deleting the Who relation promotes another related contact to WhoId (or clears it); same for What."""
        event = org.live(row["EventId"])
        if event is None:
            return
        others = [r for r in relations_of(org, row["EventId"]) if r["Id"] != row["Id"]]
        changes: dict[str, Any] = {}
        if event[1].get("WhoId") == row["RelationId"] and row.get("IsParent"):
            changes["WhoId"] = next((r["RelationId"] for r in others if r.get("IsParent")), None)
        if event[1].get("WhatId") == row["RelationId"] and row.get("IsWhat"):
            changes["WhatId"] = None
        if changes:
            found = org.find(event[1]["Id"])
            if found is not None:
                org.store.put("Event", {**found[1], **changes, "SystemModstamp": org.stamp()})
