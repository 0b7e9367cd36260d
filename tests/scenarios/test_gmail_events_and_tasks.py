"""Event and task sync between Priya's Google Calendar and Tasks and her Salesforce events and tasks, on the sandbox."""

from __future__ import annotations

import pytest

from app.models import ItemType, SyncRunStatus
from tests.scenarios.activity_world import CALENDAR, TASKS, ActivityWorld, subjects, today_at

PRIYA = "priya.shah@example.com"


@pytest.fixture
def world(activities: ActivityWorld) -> ActivityWorld:
    """Priya with event and task sync turned on."""
    activities.set(PRIYA, "events.enabled", True)
    activities.set(PRIYA, "tasks.enabled", True)
    return activities


def test_events_sync_both_ways_without_private_ones_and_a_second_pass_is_quiet(world: ActivityWorld) -> None:
    world.google_event(PRIYA, "Demo for Northwind", today_at(14, days=2))

    first = world.sync_events(PRIYA)

    assert first.status is SyncRunStatus.SUCCEEDED, first.message
    in_salesforce = subjects(world.owned_events(PRIYA), "Subject")
    assert {"Demo for Northwind", "Sales kick-off (offsite)"} <= in_salesforce
    assert "Doctor's appointment" not in in_salesforce
    assert "Customer summit" in subjects(world.google_events(PRIYA), "summary")
    mark = world.mark()
    second = world.sync_events(PRIYA)
    assert second.result is not None and second.result.writes == 0
    assert world.calls("google", mark) == 1 and world.calls("salesforce", mark) == 1


def test_an_all_day_salesforce_event_lands_on_the_same_days_in_google(world: ActivityWorld) -> None:
    assert world.sync_events(PRIYA).status is SyncRunStatus.SUCCEEDED

    (summit,) = [event for event in world.google_events(PRIYA) if event.get("summary") == "Customer summit"]
    (record,) = [event for event in world.owned_events(PRIYA) if event["Subject"] == "Customer summit"]
    assert summit["start"]["date"] == record["ActivityDate"]
    assert "dateTime" not in summit["start"]


def test_an_event_edited_in_google_and_deleted_in_salesforce_is_followed(world: ActivityWorld) -> None:
    edited = world.google_event(PRIYA, "Pricing review", today_at(10, days=3))
    removed = world.google_event(PRIYA, "Tentative lunch", today_at(12, days=3))
    assert world.sync_events(PRIYA).status is SyncRunStatus.SUCCEEDED
    (lunch,) = [event for event in world.owned_events(PRIYA) if event["Subject"] == "Tentative lunch"]

    with world.google_api(PRIYA) as google:
        assert google.patch(f"{CALENDAR}/events/{edited}", json={"location": "Lisboa office"}).status_code == 200
    world.salesforce_update(PRIYA, "Event", lunch["Id"], None)
    report = world.sync_events(PRIYA)

    assert report.status is SyncRunStatus.SUCCEEDED, report.message
    (review,) = [event for event in world.owned_events(PRIYA) if event["Subject"] == "Pricing review"]
    assert review["Location"] == "Lisboa office"
    assert removed not in {event["id"] for event in world.google_events(PRIYA)}


def test_tasks_sync_both_ways_and_completion_in_salesforce_reaches_google(world: ActivityWorld) -> None:
    first = world.sync_tasks(PRIYA)

    assert first.status is SyncRunStatus.SUCCEEDED, first.message
    google_titles = subjects(world.google_tasks(PRIYA), "title")
    salesforce_titles = subjects(world.owned_tasks(PRIYA), "Subject")
    assert any(title.startswith("Send the proposal to ") for title in salesforce_titles)
    assert {t["Subject"] for t in world.owned_tasks(PRIYA) if t["TaskSubtype"] != "Email"} <= google_titles
    assert world.item_links(PRIYA, ItemType.TASK)

    record = next(t for t in world.owned_tasks(PRIYA) if t["Subject"].startswith("Send the proposal to "))
    world.salesforce_update(PRIYA, "Task", record["Id"], {"Status": "Completed"})
    assert world.sync_tasks(PRIYA).status is SyncRunStatus.SUCCEEDED

    (task,) = [task for task in world.google_tasks(PRIYA) if task["title"] == record["Subject"]]
    assert task["status"] == "completed"
    with world.google_api(PRIYA) as google:
        listed = google.get(f"{TASKS}/users/@me/lists").json()["items"]
    assert listed  # the default list is still the one synced
