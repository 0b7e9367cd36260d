"""Reset sync for events and tasks: the next pass re-links every synced event and task, with no create and no delete
on either side, by crmbridge's markers and by subject and start (events) or subject and due date (tasks)."""

from __future__ import annotations

import pytest

from app.db import unit_of_work
from app.models import ItemType, SyncRunStatus, User
from app.services.sync_reset import reset_sync
from app.sync.config import Side
from tests.scenarios.activity_world import ActivityWorld, today_at

ALEX = "alex.morgan@example.com"  # Outlook
PRIYA = "priya.shah@example.com"  # Gmail
ADMIN = "sam.taylor@example.com"


def reset(world: ActivityWorld, email: str) -> None:
    with unit_of_work(world.engine) as db:
        user = db.get(User, world.user(email).id)
        assert user is not None
        reset_sync(db, user, actor=world.user(ADMIN), now=world.env.now())


@pytest.mark.parametrize("email", [ALEX, PRIYA], ids=["outlook", "gmail"])
def test_after_a_reset_events_and_tasks_are_relinked_without_a_create_or_a_delete(
    activities: ActivityWorld, email: str
) -> None:
    activities.set(email, "events.enabled", True)
    activities.set(email, "tasks.enabled", True)
    if email == ALEX:
        activities.outlook_event(email, "Reset check", today_at(10, days=2))
        activities.outlook_task(email, "Reset task")
    else:
        activities.google_event(email, "Reset check", today_at(10, days=2))
        activities.google_task(email, "Reset task")
    for item_type, run in ((ItemType.EVENT, activities.sync_events), (ItemType.TASK, activities.sync_tasks)):
        assert run(email).status is SyncRunStatus.SUCCEEDED
        linked = {(link.mailbox_id, link.salesforce_id) for link in activities.item_links(email, item_type)}
        assert len(linked) >= 2, item_type

        reset(activities, email)
        assert activities.item_links(email, item_type) == []
        relinked = run(email)

        assert relinked.status is SyncRunStatus.SUCCEEDED, relinked.message
        assert relinked.result is not None
        for side in Side:
            counts = relinked.result.summary[side]
            assert (counts.created, counts.deleted) == (0, 0), (item_type, side, counts)
        assert {(link.mailbox_id, link.salesforce_id) for link in activities.item_links(email, item_type)} == linked
        after = run(email)
        assert after.result is not None and after.result.writes == 0, item_type
