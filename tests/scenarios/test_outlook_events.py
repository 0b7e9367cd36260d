"""Event sync between Alex's Outlook calendar and his Salesforce events, end to end on the sandbox.

The demo data gives both sides meetings inside the default window (a week back, 90 days ahead), a weekly series
on each side, a private event on each side and an all-day event in Outlook.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.models import ItemType, SyncRunStatus
from app.sandbox.microsoft.seed import SERIES_SUBJECT
from tests.scenarios.activity_world import ActivityWorld, subjects, today_at

ALEX = "alex.morgan@example.com"


@pytest.fixture
def world(activities: ActivityWorld) -> ActivityWorld:
    """Alex with event sync turned on."""
    activities.set(ALEX, "events.enabled", True)
    return activities


def first_pass(world: ActivityWorld) -> None:
    report = world.sync_events(ALEX)
    assert report.status is SyncRunStatus.SUCCEEDED, report.message


def test_the_first_pass_copies_each_sides_events_to_the_other_and_leaves_private_ones_alone(
    world: ActivityWorld,
) -> None:
    outlook_before = subjects(world.outlook_events(ALEX))
    salesforce_before = subjects(world.owned_events(ALEX), "Subject")

    first_pass(world)

    outlook_after = subjects(world.outlook_events(ALEX))
    salesforce_after = subjects(world.owned_events(ALEX), "Subject")
    assert "Trade show" in salesforce_after  # all-day
    assert any(subject.startswith("Meeting with ") for subject in salesforce_after - salesforce_before)
    assert SERIES_SUBJECT in salesforce_after
    assert "Doctor's appointment" not in salesforce_after  # private in Outlook
    assert "Dentist" not in outlook_after  # private in Salesforce
    copied_in = outlook_after - outlook_before
    assert copied_in and all(" with " in subject or subject == "Weekly pipeline review" for subject in copied_in)


def test_an_all_day_event_stays_all_day_on_the_same_days(world: ActivityWorld) -> None:
    first_pass(world)

    (outlook,) = [event for event in world.outlook_events(ALEX) if event["subject"] == "Trade show"]
    (salesforce,) = [event for event in world.owned_events(ALEX) if event["Subject"] == "Trade show"]
    assert outlook["isAllDay"] is True
    first_day = date.fromisoformat(outlook["start"]["dateTime"][:10])
    day_after = date.fromisoformat(outlook["end"]["dateTime"][:10])
    assert salesforce["IsAllDayEvent"] is True
    assert salesforce["ActivityDate"] == first_day.isoformat()
    assert salesforce["DurationInMinutes"] == (day_after - first_day).days * 1440


def test_a_second_pass_writes_nothing_and_costs_one_call_a_side(world: ActivityWorld) -> None:
    first_pass(world)
    mark = world.mark()

    report = world.sync_events(ALEX)

    assert report.result is not None and report.result.writes == 0
    assert world.calls("microsoft", mark) == 1
    assert world.calls("salesforce", mark) == 1


def test_changes_on_either_side_reach_the_other(world: ActivityWorld) -> None:
    start = today_at(15, days=3)
    event_id = world.outlook_event(ALEX, "Pricing call with Contoso", start)
    first_pass(world)
    (record,) = [event for event in world.owned_events(ALEX) if event["Subject"] == "Pricing call with Contoso"]

    world.outlook_change(ALEX, f"events/{event_id}", {"subject": "Pricing call with Contoso (final)"})
    world.salesforce_update(ALEX, "Event", record["Id"], {"Location": "Room 4"})
    report = world.sync_events(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED, report.message
    (after,) = [event for event in world.owned_events(ALEX) if event["Id"] == record["Id"]]
    assert after["Subject"] == "Pricing call with Contoso (final)"
    (outlook,) = [event for event in world.outlook_events(ALEX) if event["id"] == event_id]
    assert outlook["location"]["displayName"] == "Room 4"


def test_a_meeting_is_related_to_the_salesforce_contact_invited(world: ActivityWorld) -> None:
    contact = world.owned_contacts(ALEX)[0]
    world.outlook_event(
        ALEX,
        "Renewal meeting",
        today_at(11, days=4),
        attendees=[{"emailAddress": {"address": contact["Email"]}, "type": "required"}],
    )

    first_pass(world)

    (record,) = [event for event in world.owned_events(ALEX) if event["Subject"] == "Renewal meeting"]
    assert record["WhoId"] == contact["Id"]
    (outlook,) = [event for event in world.outlook_events(ALEX) if event["subject"] == "Renewal meeting"]
    assert [a["emailAddress"]["address"].lower() for a in outlook["attendees"]] == [contact["Email"].lower()]


def test_deleting_an_event_on_either_side_deletes_its_copy(world: ActivityWorld) -> None:
    mine = world.outlook_event(ALEX, "Lunch with Fabrikam", today_at(12, days=2))
    first_pass(world)
    (record,) = [event for event in world.owned_events(ALEX) if event["Subject"] == "Lunch with Fabrikam"]
    salesforce_only = next(e for e in world.owned_events(ALEX) if " with " in e["Subject"] and e["Id"] != record["Id"])
    copied = [e for e in world.outlook_events(ALEX) if e["subject"] == salesforce_only["Subject"]]
    assert copied

    world.outlook_change(ALEX, f"events/{mine}")
    world.salesforce_update(ALEX, "Event", salesforce_only["Id"], None)
    report = world.sync_events(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED, report.message
    assert record["Id"] not in {event["Id"] for event in world.owned_events(ALEX)}
    assert copied[0]["id"] not in {event["id"] for event in world.outlook_events(ALEX)}


def test_an_event_moved_out_of_the_window_is_left_alone_on_the_other_side(world: ActivityWorld) -> None:
    event_id = world.outlook_event(ALEX, "Quarterly planning", today_at(9, days=5))
    first_pass(world)
    later = today_at(9, days=200)

    world.outlook_change(
        ALEX,
        f"events/{event_id}",
        {
            "start": {"dateTime": later.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            "end": {"dateTime": (later + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
        },
    )
    report = world.sync_events(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED, report.message
    assert "Quarterly planning" in subjects(world.owned_events(ALEX), "Subject")
    (link,) = [link for link in world.item_links(ALEX, ItemType.EVENT) if link.mailbox_id == event_id]
    assert link.scope_state == "parked:mailbox"
