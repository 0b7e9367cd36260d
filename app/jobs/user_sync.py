"""A user's sync: one pass per item type, in a fixed order (contacts first, so events and tasks can relate to them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from app.jobs.contact_sync import sync_contacts
from app.jobs.event_sync import sync_events
from app.jobs.sync_pass import PassReport, SyncEnvironment
from app.jobs.task_sync import sync_tasks
from app.models import ItemType, SyncTrigger, User


class ItemPass(Protocol):
    """One item type's pass for one user."""

    def __call__(
        self, env: SyncEnvironment, user: User, *, trigger: SyncTrigger, allow_mass_delete: bool = False
    ) -> PassReport: ...


#: The pass of each item type, in the order a user's sync runs them.
PASSES: dict[ItemType, ItemPass] = {
    ItemType.CONTACT: sync_contacts,
    ItemType.EVENT: sync_events,
    ItemType.TASK: sync_tasks,
}


def sync_user(
    env: SyncEnvironment,
    user: User,
    items: Sequence[ItemType] = tuple(PASSES),
    *,
    trigger: SyncTrigger,
    allow_mass_delete: bool = False,
) -> list[PassReport]:
    """Run the passes of ``items`` for ``user`` (each skipped when the user turned it off); one report each."""
    return [
        PASSES[item_type](env, user, trigger=trigger, allow_mass_delete=allow_mass_delete)
        for item_type in PASSES
        if item_type in items
    ]
