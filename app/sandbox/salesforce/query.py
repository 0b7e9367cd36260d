"""SOQL and SOSL through the query engine: the org as a QuerySource for one user, and REST pagination.

Results come in batches of 2,000 (or the ``Sforce-Query-Options: batchSize`` asked for, 200 to 2,000). The rest
of a result waits behind a query locator, ``nextRecordsUrl`` = ``/services/data/vXX.X/query/01g...-2000``, which
expires after 15 minutes without use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce import sharing
from app.sandbox.salesforce.ids import QUERY_LOCATOR_PREFIX, IdFactory
from app.sandbox.salesforce.schema import CHILD_RELATIONSHIPS, OBJECTS
from app.sandbox.salesforce.sharing import Caller
from app.sandbox.salesforce.soql.source import ChildRelationship, FieldInfo, SoqlError

if TYPE_CHECKING:
    from app.sandbox.salesforce.models import SalesforceOrg

DEFAULT_BATCH_SIZE = 2000
MIN_BATCH_SIZE = 200
LOCATOR_IDLE_LIMIT = timedelta(minutes=15)


@cache
def _field_infos(sobject: str) -> Mapping[str, FieldInfo]:
    return {
        key: FieldInfo(f.name, f.engine_type, f.reference_to, f.relationship_name)
        for key, f in OBJECTS[sobject].fields.items()
    }


class OrgQuerySource:
    """The org as the query engine sees it for one caller: the objects the org has, the rows the caller sees."""

    def __init__(self, org: SalesforceOrg, caller: Caller) -> None:
        self.org = org
        self.caller = caller

    def object_name(self, name: str) -> str | None:
        """The canonical sObject name, if the org has it."""
        definition = self.org.object_def(name)
        return definition.name if definition is not None else None

    def fields(self, sobject: str) -> Mapping[str, FieldInfo]:
        """The object's fields by lower-case name."""
        return _field_infos(sobject)

    def child_relationships(self, sobject: str) -> Mapping[str, ChildRelationship]:
        """The object's child relationships (to objects the org has) by lower-case name."""
        return {
            r.name.lower(): ChildRelationship(r.name, r.child_object, r.field)
            for r in CHILD_RELATIONSHIPS.get(sobject, ())
            if self.org.settings.object_available(r.child_object)
        }

    def records(self, sobject: str, *, include_deleted: bool) -> Iterable[Mapping[str, Any]]:
        """The rows the caller may see."""
        return self.org.visible_rows(sobject, self.caller, include_deleted=include_deleted)

    def record_by_id(self, record_id: str) -> tuple[str, Mapping[str, Any]] | None:
        """A parent record, if it exists, is not deleted and the caller may see it."""
        found = self.org.live(record_id)
        if found is None or not self.org.settings.object_available(found[0]):
            return None
        if not sharing.can_read(self.org, self.caller, found[0], found[1]):
            return None
        return found


@dataclass
class _Cursor:
    records: list[dict[str, Any]]
    total_size: int
    user_id: str
    all_rows: bool
    last_used: datetime


class QueryLocators:
    """Open query cursors by locator id."""

    def __init__(self) -> None:
        self._cursors: dict[str, _Cursor] = {}
        self._ids = IdFactory()

    def open(self, records: list[dict[str, Any]], total_size: int, user_id: str, all_rows: bool, now: datetime) -> str:
        """Keep ``records`` for paging; returns the locator id."""
        locator = self._ids.next_id(QUERY_LOCATOR_PREFIX)
        self._cursors[locator] = _Cursor(records, total_size, user_id, all_rows, now)
        return locator

    def get(self, locator: str, user_id: str, now: datetime) -> _Cursor | None:
        """The cursor behind a live locator of ``user_id``."""
        cursor = self._cursors.get(locator)
        if cursor is None or cursor.user_id != user_id:
            return None
        cursor.last_used = now
        return cursor

    def expire(self, now: datetime) -> None:
        """Drop cursors unused for 15 minutes."""
        for locator in [k for k, c in self._cursors.items() if now - c.last_used >= LOCATOR_IDLE_LIMIT]:
            del self._cursors[locator]

    def clear(self) -> None:
        """Drop every cursor."""
        self._cursors.clear()
        self._ids.reset()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._cursors))


def batch_size(header: str | None) -> int:
    """The batch size an ``Sforce-Query-Options`` header asks for (2,000 by default)."""
    for part in (header or "").split(","):
        key, _, value = part.partition("=")
        if key.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH_SIZE, min(int(value.strip()), DEFAULT_BATCH_SIZE))
    return DEFAULT_BATCH_SIZE


def run_query(
    org: SalesforceOrg, caller: Caller, text: str, api_version: str, *, all_rows: bool, size: int = DEFAULT_BATCH_SIZE
) -> dict[str, Any]:
    """Execute SOQL and return the first batch (``totalSize``, ``done``, ``nextRecordsUrl``, ``records``)."""
    from app.sandbox.salesforce.soql import execute_soql

    try:
        result = execute_soql(
            text,
            OrgQuerySource(org, caller),
            now=org.now(),
            user_id=caller.user_id,
            api_version=api_version,
            include_deleted=all_rows,
        )
    except SoqlError as error:
        raise errors.api_error(400, error.error_code, error.message) from None
    records = list(result.records)
    if result.is_count:
        return {"totalSize": result.total_size, "done": True, "records": records}
    return _page(
        org,
        caller,
        records,
        total_size=result.total_size,
        offset=0,
        api_version=api_version,
        all_rows=all_rows,
        size=size,
        locator=None,
    )


def query_more(
    org: SalesforceOrg,
    caller: Caller,
    locator_text: str,
    api_version: str,
    *,
    all_rows: bool,
    size: int = DEFAULT_BATCH_SIZE,
) -> dict[str, Any]:
    """The batch a ``nextRecordsUrl`` points at."""
    locator, _, offset_text = locator_text.partition("-")
    cursor = org.locators.get(locator, caller.user_id, org.now())
    if cursor is None or not offset_text.isdigit() or int(offset_text) > len(cursor.records):
        raise errors.api_error(400, errors.INVALID_QUERY_LOCATOR, "invalid query locator")
    return _page(
        org,
        caller,
        cursor.records,
        total_size=cursor.total_size,
        offset=int(offset_text),
        api_version=api_version,
        all_rows=cursor.all_rows,
        size=size,
        locator=locator,
    )


def _page(
    org: SalesforceOrg,
    caller: Caller,
    records: list[dict[str, Any]],
    *,
    total_size: int,
    offset: int,
    api_version: str,
    all_rows: bool,
    size: int,
    locator: str | None,
) -> dict[str, Any]:
    end = offset + size
    body: dict[str, Any] = {"totalSize": total_size, "done": end >= len(records)}
    if end < len(records):
        locator = locator or org.locators.open(records, total_size, caller.user_id, all_rows, org.now())
        resource = "queryAll" if all_rows else "query"
        body["nextRecordsUrl"] = f"/services/data/v{api_version}/{resource}/{locator}-{end}"
    body["records"] = records[offset:end]
    return body


def run_search(org: SalesforceOrg, caller: Caller, text: str, api_version: str) -> dict[str, Any]:
    """Execute SOSL; returns ``{"searchRecords": [...]}``."""
    from app.sandbox.salesforce.soql import execute_sosl

    try:
        found = execute_sosl(
            text, OrgQuerySource(org, caller), now=org.now(), user_id=caller.user_id, api_version=api_version
        )
    except SoqlError as error:
        raise errors.api_error(400, error.error_code, error.message) from None
    return {"searchRecords": list(found)}
