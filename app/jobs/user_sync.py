"""A user's sync: one pass per item type, in a fixed order (contacts first, so events and tasks can relate to them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.jobs.contact_sync import CONTACTS
from app.jobs.event_sync import EVENTS
from app.jobs.sync_pass import ItemSync, PassReport, SyncEnvironment, sync_item
from app.jobs.task_sync import TASKS
from app.models import ItemType, SyncTrigger, User

#: How each item type syncs, in the order a user's sync runs them.
ITEM_SYNCS: dict[ItemType, ItemSync[Any]] = {ItemType.CONTACT: CONTACTS, ItemType.EVENT: EVENTS, ItemType.TASK: TASKS}


def sync_user(
    env: SyncEnvironment,
    user: User,
    items: Sequence[ItemType] = tuple(ITEM_SYNCS),
    *,
    trigger: SyncTrigger,
    allow_mass_delete: bool = False,
) -> list[PassReport]:
    """Run the passes of ``items`` for ``user`` (each skipped when the user turned it off); one report each."""
    return [
        sync_item(env, user, sync, trigger=trigger, allow_mass_delete=allow_mass_delete)
        for item_type, sync in ITEM_SYNCS.items()
        if item_type in items
    ]
