"""What a pass is told: the two sides, the direction, the conflict policy and the guards."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Side(StrEnum):
    """The two sides of a sync. Side A is the mailbox, side B is Salesforce."""

    MAILBOX = "mailbox"
    SALESFORCE = "salesforce"

    @property
    def other(self) -> Side:
        """The opposite side."""
        return Side.SALESFORCE if self is Side.MAILBOX else Side.MAILBOX


class Direction(StrEnum):
    """Which way changes flow. A side that is read-only for the direction is never written."""

    BOTH = "both"
    SF_TO_MAILBOX = "sf_to_mailbox"
    MAILBOX_TO_SF = "mailbox_to_sf"

    def writable(self, side: Side) -> bool:
        """True when the engine may write to ``side``."""
        if self is Direction.BOTH:
            return True
        if self is Direction.SF_TO_MAILBOX:
            return side is Side.MAILBOX
        return side is Side.SALESFORCE

    @property
    def source(self) -> Side | None:
        """The authoritative side of a one-way direction, None for both ways."""
        if self is Direction.SF_TO_MAILBOX:
            return Side.SALESFORCE
        if self is Direction.MAILBOX_TO_SF:
            return Side.MAILBOX
        return None


class ConflictPolicy(StrEnum):
    """Who wins when the same field changed on both sides to different values."""

    SALESFORCE_WINS = "salesforce_wins"
    MAILBOX_WINS = "mailbox_wins"
    NEWEST_WINS = "newest_wins"


@dataclass(frozen=True)
class SyncConfig:
    """The settings of one pass for one item type.

    ``forbid_to_remove``: sides the engine never deletes on; a deletion on the other side re-creates the
    item there instead (contacts default: Salesforce). ``multi_valued``: fields merged as sets.
    ``match_key``: the fields whose values, taken together, adopt an unlinked pair instead of creating a
    duplicate (contacts: the email; events: subject and start); empty disables adoption. The mass-deletion
    guard trips when a side that had linked items reports none, or when the deletions planned on a side exceed
    ``max_delete_share`` of the active links and number at least ``mass_delete_floor``; ``allow_mass_delete``
    is the user's or admin's confirmation that lets such a pass proceed.
    """

    direction: Direction = Direction.BOTH
    conflict_policy: ConflictPolicy = ConflictPolicy.SALESFORCE_WINS
    forbid_to_remove: frozenset[Side] = field(default_factory=lambda: frozenset({Side.SALESFORCE}))
    multi_valued: frozenset[str] = frozenset()
    match_key: tuple[str, ...] = ()
    max_delete_share: float = 0.2
    mass_delete_floor: int = 3
    allow_mass_delete: bool = False
