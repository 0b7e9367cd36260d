"""Enumerations stored in the database."""

from __future__ import annotations

import enum


class MailProvider(enum.StrEnum):
    """Where a user's mailbox lives."""

    MICROSOFT = "microsoft"
    GOOGLE = "google"


class Role(enum.StrEnum):
    """What a user may do in crmbridge."""

    REP = "rep"
    ADMIN = "admin"


class Provider(enum.StrEnum):
    """A vendor a user connects an account of."""

    SALESFORCE = "salesforce"
    MICROSOFT = "microsoft"
    GOOGLE = "google"


class ConnectionStatus(enum.StrEnum):
    """Whether a connection can be used."""

    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"


class ItemType(enum.StrEnum):
    """The kinds of items the sync engine keeps in step."""

    CONTACT = "contact"
    EVENT = "event"
    TASK = "task"

    @property
    def plural(self) -> str:
        """The item type in sentences about several: ``contacts``."""
        return f"{self.value}s"


class SyncRunStatus(enum.StrEnum):
    """How a sync pass went."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    ABORTED = "aborted"


class SyncTrigger(enum.StrEnum):
    """What started a sync pass."""

    SCHEDULE = "schedule"
    MANUAL = "manual"
    CLI = "cli"
    RESET = "reset"
