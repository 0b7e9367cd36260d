"""Creating, updating and deleting events or tasks for the Salesforce activity stores.

Records go out as sObject Collections of 200, five per composite call, ``allOrNone`` false, with a result per record
(:class:`app.connectors.salesforce.contacts_collections.CollectionWriter`). A create is owned by the rep and carries
the marker as Description's trailer line; an update sets every mapped field (absent: cleared) and keeps the marker.
Updates need the current rows (the marker, a task's status): those the pass has not read are read first, in one
call with whatever else the batch needs (the describe, an event batch's attendees). Salesforce's collections take
no precondition: the etag is not checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from app.connectors.salesforce.activities_kind import ActivityKind, PreparedRecord
from app.connectors.salesforce.activities_reader import ActivityReader
from app.connectors.salesforce.contacts_collections import CollectionWriter
from app.connectors.salesforce.contacts_errors import as_store_errors
from app.connectors.salesforce.contacts_paging import PagedQuery
from app.connectors.salesforce.mapping import is_salesforce_id
from app.sync.items import Fields, normalise_fields
from app.sync.stores import Create, Delete, FailureKind, Update, WriteFailure, WriteResult, Written

#: Where sObject Collections are written.
_PATH = "composite/sobjects"


class Relater(Protocol):
    """What a batch of writes relates beyond its records (an event's attendees), in two steps around the write."""

    def queries(self, batch: Sequence[Fields], updated_ids: Sequence[str]) -> list[PagedQuery]:
        """Queries to read (with the batch's other reads) before the records are prepared."""
        ...

    def record_extras(self, fields: Fields, *, creating: bool) -> Mapping[str, Any]:
        """Fields to add to a record (after the queries ran)."""
        ...

    def relate(self, written: Sequence[tuple[str, Fields]]) -> None:
        """Relate the records written (id, fields sent); never fails an item."""
        ...


class ActivityWriter:
    """Writes the rep's ``kind`` records; ``reader`` tells what the pass read (and forgets what is written)."""

    def __init__(
        self,
        reader: ActivityReader,
        collections: CollectionWriter,
        kind: ActivityKind,
        *,
        user_id: str,
        relater: Relater | None = None,
    ) -> None:
        self._reader = reader
        self._collections = collections
        self._kind = kind
        self._user_id = user_id
        self._relater = relater

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`."""
        if not creates:
            return []
        self._collections.check_limit()
        self._prepare_batch([create.fields for create in creates], [])
        prepared = [
            self._kind.prepare(create.fields, self._reader.describe, current=None, marker=create.marker)
            for create in creates
        ]
        records = [
            self._record(p, create.fields, {"OwnerId": self._user_id}, creating=True)
            for p, create in zip(prepared, creates, strict=True)
        ]
        answers = self._send("POST", records)
        return self._results(prepared, answers, [create.fields for create in creates], [None] * len(creates))

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many`."""
        if not updates:
            return []
        self._collections.check_limit()
        ids = [update.id for update in updates if is_salesforce_id(update.id)]
        self._prepare_batch([update.fields for update in updates], ids)
        prepared: list[PreparedRecord | WriteFailure] = []
        for update in updates:
            row = self._reader.row(update.id)
            if not is_salesforce_id(update.id) or row is None or row.get("IsDeleted"):
                prepared.append(WriteFailure(FailureKind.NOT_FOUND, f"{self._kind.sobject} {update.id} was not found"))
                continue
            prepared.append(self._kind.prepare(update.fields, self._reader.describe, current=row, marker=None))
        records = [
            self._record(p, update.fields, {"id": update.id}, creating=False)
            for p, update in zip(prepared, updates, strict=True)
        ]
        answers = self._send("PATCH", records)
        for update in updates:
            self._reader.forget(update.id)
        return self._results(prepared, answers, [update.fields for update in updates], [u.id for u in updates])

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many`; a record already deleted is NOT_FOUND."""
        if not deletes:
            return []
        self._collections.check_limit()
        return self._collections.delete(deletes, forget=self._reader.forget)

    # -- steps ------------------------------------------------------------------------------------------------

    def _prepare_batch(self, batch: Sequence[Fields], updated_ids: Sequence[str]) -> None:
        """Read, in one call, what the batch needs: the rows of updated records the pass has not read, the
        describe when not known yet, and the relater's queries."""
        reader = self._reader
        unknown = [record_id for record_id in updated_ids if reader.row(record_id) is None]
        rows = reader.full_rows(unknown)
        extra = self._relater.queries(batch, updated_ids) if self._relater is not None else []
        with as_store_errors(f"preparing {self._kind.label}", label=self._kind.label):
            reader.run([*rows, *extra])
        reader.take_rows(rows)

    def _record(
        self, ready: PreparedRecord | WriteFailure, fields: Fields, identity: Mapping[str, Any], *, creating: bool
    ) -> dict[str, Any] | None:
        if isinstance(ready, WriteFailure):
            return None
        record: dict[str, Any] = {"attributes": {"type": self._kind.sobject}, **identity, **ready.values}
        if self._relater is not None:
            record.update(self._relater.record_extras(fields, creating=creating))
        return record

    def _send(
        self, method: str, records: Sequence[dict[str, Any] | None]
    ) -> list[dict[str, Any] | WriteFailure | None]:
        """Send the prepared records; an answer per slot (None where nothing was sent)."""
        payloads = [record for record in records if record is not None]
        answers = iter(self._collections.write(method, _PATH, payloads))
        return [next(answers) if record is not None else None for record in records]

    def _results(
        self,
        prepared: Sequence[PreparedRecord | WriteFailure],
        answers: Sequence[dict[str, Any] | WriteFailure | None],
        sent: Sequence[Fields],
        ids: Sequence[str | None],
    ) -> list[WriteResult]:
        """A result per record (the preparation's failure, the write's, or what was written: under its id in
        ``ids``, else the one Salesforce gave a create), then the written records related."""
        results: list[WriteResult] = []
        for ready, answer, fields, known_id in zip(prepared, answers, sent, ids, strict=True):
            if isinstance(ready, WriteFailure):
                results.append(ready)
            elif isinstance(answer, WriteFailure) or answer is None:
                results.append(answer or WriteFailure(FailureKind.TRANSIENT, "Salesforce did not answer"))
            else:
                results.append(Written(known_id or str(answer["id"]), "", _stored(fields, ready)))
        self._relate(results, sent)
        return results

    def _relate(self, results: Sequence[WriteResult], sent: Sequence[Fields]) -> None:
        if self._relater is None:
            return
        written = [
            (result.id, fields) for result, fields in zip(results, sent, strict=True) if isinstance(result, Written)
        ]
        if written:
            self._relater.relate(written)


def _stored(sent: Fields, ready: PreparedRecord) -> Fields | None:
    """What Salesforce holds after the write, when it differs from what was sent; None otherwise."""
    holds = normalise_fields(ready.holds)
    return None if dict(holds) == dict(normalise_fields(sent)) else holds
