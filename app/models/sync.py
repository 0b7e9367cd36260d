"""The sync engine's persistent state: links between items, change cursors, and the record of passes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, created_at_column, enum_column, updated_at_column, utcnow
from app.models.enums import ItemType, SyncRunStatus, SyncTrigger


class SyncLink(SQLModel, table=True):
    """The status of one synced item: its identity on both sides and the snapshot of the last sync.

    A side's id is null while the item exists only on the other side (for example before its create landed).
    """

    __tablename__ = "sync_links"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: int = Field(sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    item_type: ItemType = Field(sa_type=enum_column(ItemType, "item_type"))
    mailbox_id: str | None = Field(default=None, max_length=512)
    mailbox_etag: str | None = Field(default=None, max_length=255)
    mailbox_hash: str | None = Field(default=None, max_length=64)
    mailbox_container: str | None = Field(default=None, max_length=512)
    salesforce_id: str | None = Field(default=None, max_length=18)
    salesforce_type: str | None = Field(default=None, max_length=40)
    salesforce_stamp: str | None = Field(default=None, max_length=40)
    salesforce_hash: str | None = Field(default=None, max_length=64)
    base: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="Mapped fields at the last sync.")
    deviations: dict[str, Any] | None = Field(
        default=None, sa_type=sa.JSON, description="Per side, where that side's copy differs from the base."
    )
    scope_state: str = Field(default="linked", max_length=32)
    series_link_id: uuid.UUID | None = Field(default=None)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    error_count: int = Field(default=0)
    quarantined: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=updated_at_column())

    __table_args__ = (
        sa.UniqueConstraint("user_id", "item_type", "mailbox_id"),
        sa.UniqueConstraint("user_id", "item_type", "salesforce_id"),
    )


class SyncCursor(SQLModel, table=True):
    """Where a change feed was last read up to (a Graph delta link, a sync token, a watermark)."""

    __tablename__ = "sync_cursors"

    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, nullable=False)
    )
    collection: str = Field(primary_key=True, max_length=200)
    value: str = Field(sa_type=sa.Text)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=updated_at_column())


class SyncRun(SQLModel, table=True):
    """One sync pass for one user: when, what started it, how it went, and what it changed."""

    __tablename__ = "sync_runs"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True))
    item_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    trigger: SyncTrigger = Field(sa_type=enum_column(SyncTrigger, "sync_trigger"))
    status: SyncRunStatus = Field(default=SyncRunStatus.RUNNING, sa_type=enum_column(SyncRunStatus, "sync_run_status"))
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    errors: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    message: str | None = Field(default=None, sa_type=sa.Text)


class SyncConflict(SQLModel, table=True):
    """A field changed on both sides to different values, and which side's value was kept.

    The user sees this log; the losing value is kept here so that nothing is silently dropped.
    """

    __tablename__ = "sync_conflicts"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True))
    item_type: ItemType = Field(sa_type=enum_column(ItemType, "item_type"))
    link_id: uuid.UUID = Field(description="The link the item had (it may since have gone).")
    field_name: str = Field(max_length=64)
    mailbox_value: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    salesforce_value: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    base_value: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    winner: str = Field(max_length=16, description="mailbox or salesforce: whose value was kept.")
    occurred_at: datetime = Field(sa_type=UTCDateTime)
