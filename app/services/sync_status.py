"""The sync engine's memory in the database: links, cursors, retries and the conflict log of one user.

:class:`DatabaseStatusStore` implements :class:`app.sync.stores.StatusStore` for one user and one item type.
Each method opens its own short transaction on the engine, so that what a pass records is committed as one
unit (links together with the cursors that cover them) and nothing else of the caller's leaks into it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import unit_of_work
from app.models import ItemType, SyncConflict, SyncCursor, SyncLink
from app.sync.config import Side
from app.sync.items import Deviation, Fields, FieldValue, normalise_fields, normalise_value
from app.sync.stores import Link, SideRef, UnitOfWork

_LINKED = "linked"
_PARKED = "parked:"
_RUNNING = "running"
_FINISHED = "finished"


def _json_value(value: FieldValue | None) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _fields_json(fields: Fields) -> dict[str, Any]:
    return {name: _json_value(value) for name, value in fields.items()}


def _deviations_json(deviations: Mapping[Side, Deviation]) -> dict[str, Any] | None:
    found = {side.value: {n: _json_value(v) for n, v in dev.items()} for side, dev in deviations.items() if dev}
    return found or None


def _deviations_from(raw: Mapping[str, Any] | None) -> Mapping[Side, Deviation]:
    if not raw:
        return MappingProxyType({})
    return MappingProxyType(
        {Side(side): MappingProxyType({n: normalise_value(v) for n, v in dev.items()}) for side, dev in raw.items()}
    )


def link_from_row(row: SyncLink) -> Link:
    """The engine's view of a stored link."""
    parked = Side(row.scope_state.removeprefix(_PARKED)) if row.scope_state.startswith(_PARKED) else None
    return Link(
        ident=row.id.hex,
        mailbox=SideRef(row.mailbox_id or "", row.mailbox_etag or "", row.mailbox_hash or ""),
        salesforce=SideRef(row.salesforce_id or "", row.salesforce_stamp or "", row.salesforce_hash or ""),
        base=normalise_fields(row.base or {}),
        parked=parked,
        deviations=_deviations_from(row.deviations),
    )


def row_from_link(link: Link, *, user_id: int, item_type: ItemType, salesforce_type: str) -> SyncLink:
    """The stored form of a link."""
    return SyncLink(
        id=uuid.UUID(hex=link.ident),
        user_id=user_id,
        item_type=item_type,
        mailbox_id=link.mailbox.id,
        mailbox_etag=link.mailbox.etag,
        mailbox_hash=link.mailbox.hash,
        salesforce_id=link.salesforce.id,
        salesforce_type=salesforce_type,
        salesforce_stamp=link.salesforce.etag,
        salesforce_hash=link.salesforce.hash,
        base=_fields_json(link.base),
        deviations=_deviations_json(link.deviations),
        scope_state=_LINKED if link.parked is None else f"{_PARKED}{link.parked.value}",
    )


class DatabaseStatusStore:
    """The status of one user's sync of one item type (``salesforce_type``: Contact, Event, Task)."""

    def __init__(self, engine: Engine, *, user_id: int, item_type: ItemType, salesforce_type: str) -> None:
        self._engine = engine
        self._user_id = user_id
        self._item_type = item_type
        self._salesforce_type = salesforce_type

    # -- keys in sync_cursors ------------------------------------------------------------------------

    def _key(self, *parts: str) -> str:
        return ":".join((self._item_type.value, *parts))

    def _read(self, session: Session, key: str) -> str | None:
        row = session.get(SyncCursor, (self._user_id, key))
        return None if row is None else row.value

    def _write(self, session: Session, key: str, value: str | None) -> None:
        row = session.get(SyncCursor, (self._user_id, key))
        if value is None:
            if row is not None:
                session.delete(row)
            return
        if row is None:
            session.add(SyncCursor(user_id=self._user_id, collection=key, value=value))
        else:
            row.value = value
            session.add(row)

    def _ids(self, kind: str, side: Side) -> frozenset[str]:
        with Session(self._engine) as session:
            raw = self._read(session, self._key(kind, side.value))
        return frozenset(json.loads(raw)) if raw else frozenset()

    # -- StatusStore ---------------------------------------------------------------------------------

    def begin_pass(self) -> bool:
        """See :meth:`app.sync.stores.StatusStore.begin_pass`."""
        with unit_of_work(self._engine) as session:
            unfinished = self._read(session, self._key("pass")) == _RUNNING
            self._write(session, self._key("pass"), _RUNNING)
        return unfinished

    def links(self) -> Sequence[Link]:
        """See :meth:`app.sync.stores.StatusStore.links`."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(SyncLink).where(SyncLink.user_id == self._user_id, SyncLink.item_type == self._item_type)
            ).all()
            return [link_from_row(row) for row in rows]

    def cursor(self, side: Side) -> str | None:
        """See :meth:`app.sync.stores.StatusStore.cursor`."""
        with Session(self._engine) as session:
            return self._read(session, self._key("cursor", side.value))

    def retry_ids(self, side: Side) -> frozenset[str]:
        """See :meth:`app.sync.stores.StatusStore.retry_ids`."""
        return self._ids("retry", side)

    def held_ids(self, side: Side) -> frozenset[str]:
        """See :meth:`app.sync.stores.StatusStore.held_ids`."""
        return self._ids("held", side)

    def commit(self, work: UnitOfWork) -> None:
        """See :meth:`app.sync.stores.StatusStore.commit`: one transaction for everything."""
        with unit_of_work(self._engine) as session:
            replaced = {uuid.UUID(hex=ident) for ident in (*work.removals, *(link.ident for link in work.upserts))}
            for chunk in _chunks(sorted(replaced), 500):
                session.execute(
                    delete(SyncLink).where(
                        col(SyncLink.user_id) == self._user_id,
                        col(SyncLink.id).in_(chunk),
                    )
                )
            session.flush()
            session.add_all(
                row_from_link(
                    link, user_id=self._user_id, item_type=self._item_type, salesforce_type=self._salesforce_type
                )
                for link in work.upserts
            )
            for side, value in work.cursors.items():
                self._write(session, self._key("cursor", side.value), value)
            for kind, sets in (("retry", work.retry), ("held", work.held)):
                for side, ids in sets.items():
                    self._write(session, self._key(kind, side.value), json.dumps(sorted(ids)) if ids else None)
            session.add_all(
                SyncConflict(
                    user_id=self._user_id,
                    item_type=self._item_type,
                    link_id=uuid.UUID(hex=conflict.ident),
                    field_name=conflict.field,
                    mailbox_value=_json_value(conflict.mailbox_value),
                    salesforce_value=_json_value(conflict.salesforce_value),
                    base_value=_json_value(conflict.base_value),
                    winner=conflict.winner.value,
                    occurred_at=conflict.at,
                )
                for conflict in work.conflicts
            )
            self._write(session, self._key("pass"), _FINISHED)


def _chunks(values: Sequence[uuid.UUID], size: int) -> Iterable[Sequence[uuid.UUID]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
