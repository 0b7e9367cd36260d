"""Admin sync configurations, and the audit trail of setting and configuration changes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, created_at_column, enum_column, updated_at_column, utcnow


class PolicyMode(enum.StrEnum):
    """How a configuration's default values bind its users."""

    #: Its values are defaults; users may change them within what the configuration allows.
    DEFAULTS = "defaults"
    #: Its values are fixed; users cannot change them.
    ENFORCED = "enforced"


class ChangeSource(enum.StrEnum):
    """Where a change was made."""

    PAGE = "page"
    API = "api"
    CLI = "cli"


class SyncPolicy(SQLModel, table=True):
    """An admin's sync configuration: what the users it applies to may sync, and their default values.

    The lists are stored as JSON arrays of the enums' values (item types, directions, selection methods, contact
    scopes, roles); ``directions`` maps an item type to its allowed directions (an item type not named allows them
    all); ``defaults`` maps a setting key to its value. The services validate all of it.
    """

    __tablename__ = "sync_policies"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    priority: int = Field(default=100, description="Lower wins when several configurations name a user.")
    mode: PolicyMode = Field(default=PolicyMode.DEFAULTS, sa_type=enum_column(PolicyMode, "policy_mode"))
    user_emails: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    roles: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    item_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    directions: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    selection_methods: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    contact_scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    allow_private: bool = Field(default=True)
    allow_event_series: bool = Field(default=True)
    allow_mailbox_deletions: bool = Field(default=True)
    relate_events: bool = Field(default=True, description="Relate synced events to the contacts and leads invited.")
    max_delete_share: float = Field(default=0.2, description="The mass-deletion guard's share, 0 to 1.")
    defaults: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=updated_at_column())


class SettingChange(SQLModel, table=True):
    """One audited change: a user's setting, a configuration, or (later) another admin action.

    ``actor_user_id`` is who made it (null from the command line, or once that person is removed); ``user_id`` is
    whose setting it was (null for a configuration); ``configuration_id`` names the configuration (kept as a plain
    number: the history outlives the configuration). ``old_value`` and ``new_value`` are JSON; null means "not set".
    """

    __tablename__ = "setting_changes"

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=64, description="What was done, e.g. user_setting or configuration_updated.")
    actor_user_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    user_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True)
    )
    configuration_id: int | None = Field(default=None, index=True)
    key: str = Field(max_length=100)
    old_value: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    new_value: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    source: ChangeSource = Field(sa_type=enum_column(ChangeSource, "change_source"))
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
