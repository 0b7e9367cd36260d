"""Each event and task setting, and the admin's event and task choices, change what the next pass does (Outlook and
Salesforce, end to end on the sandbox). Settings change as ``crmbridge settings set`` changes them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.models import ItemType, SyncRunStatus
from app.sandbox.microsoft.seed import SERIES_SUBJECT
from app.services import preferences
from app.services.preferences import ConfigurationSpec
from app.services.users import find_user
from tests.scenarios.activity_world import ActivityWorld, subjects, today_at

ALEX = "alex.morgan@example.com"  # Outlook
SAM = "sam.taylor@example.com"  # an admin


def change(world: ActivityWorld, changes: Mapping[str, object]) -> None:
    """Alex changes settings as ``crmbridge settings set`` does: validated, audited, committed."""
    with Session(world.engine) as session:
        user = find_user(session, ALEX)
        assert user is not None
        preferences.change_settings(session, user, changes, actor=None, source="cli")
        session.commit()


def configure(world: ActivityWorld, **fields: Any) -> None:
    """Sam (an admin) gives Alex a sync configuration."""
    with Session(world.engine) as session:
        admin = find_user(session, SAM)
        spec = ConfigurationSpec(name="Alex's configuration", user_emails=[ALEX], **fields)
        preferences.create_configuration(session, spec, actor=admin, source="api")
        session.commit()


def synced_events(world: ActivityWorld) -> None:
    report = world.sync_events(ALEX)
    assert report.status is SyncRunStatus.SUCCEEDED, report.message


def synced_tasks(world: ActivityWorld) -> None:
    report = world.sync_tasks(ALEX)
    assert report.status is SyncRunStatus.SUCCEEDED, report.message


def salesforce_subjects(world: ActivityWorld) -> set[str]:
    return subjects(world.owned_events(ALEX), "Subject")


# -- events ----------------------------------------------------------------------------------------------------------


def test_event_sync_is_off_by_default_and_reads_nothing_until_turned_on(activities: ActivityWorld) -> None:
    mark = activities.mark()
    off = activities.sync_events(ALEX)
    assert off.skipped and off.turned_off
    assert activities.calls("microsoft", mark) == 0 and activities.calls("salesforce", mark) == 0

    change(activities, {"events.enabled": True})
    synced_events(activities)

    assert activities.item_links(ALEX, ItemType.EVENT)


def test_events_salesforce_to_mailbox_keeps_outlook_events_out_of_salesforce(activities: ActivityWorld) -> None:
    change(activities, {"events.enabled": True, "events.direction": "sf_to_mailbox"})
    activities.outlook_event(ALEX, "Internal only", today_at(10, days=2))

    synced_events(activities)

    assert "Internal only" not in salesforce_subjects(activities)
    assert any(" with " in subject for subject in subjects(activities.outlook_events(ALEX)) - {"Internal only"})


def test_events_mailbox_to_salesforce_keeps_salesforce_events_out_of_outlook(activities: ActivityWorld) -> None:
    change(activities, {"events.enabled": True, "events.direction": "mailbox_to_sf"})
    before = subjects(activities.outlook_events(ALEX))
    activities.outlook_event(ALEX, "Outbound only", today_at(10, days=2))

    synced_events(activities)

    assert "Outbound only" in salesforce_subjects(activities)
    assert subjects(activities.outlook_events(ALEX)) == before | {"Outbound only"}


def test_the_future_window_decides_how_far_ahead_events_sync(activities: ActivityWorld) -> None:
    change(activities, {"events.enabled": True, "events.window_future_days": 10})
    activities.outlook_event(ALEX, "Offsite in three weeks", today_at(9, days=21))

    synced_events(activities)
    assert "Offsite in three weeks" not in salesforce_subjects(activities)

    change(activities, {"events.window_future_days": 30})
    synced_events(activities)
    assert "Offsite in three weeks" in salesforce_subjects(activities)


def test_the_past_window_decides_how_far_back_events_sync(activities: ActivityWorld) -> None:
    change(activities, {"events.enabled": True, "events.window_past_days": 2})
    activities.outlook_event(ALEX, "Kick-off five days ago", today_at(9, days=-5))

    synced_events(activities)
    assert "Kick-off five days ago" not in salesforce_subjects(activities)

    change(activities, {"events.window_past_days": 14})
    synced_events(activities)
    assert "Kick-off five days ago" in salesforce_subjects(activities)


def test_event_series_off_leaves_recurring_events_out_and_on_brings_their_occurrences(
    activities: ActivityWorld,
) -> None:
    change(activities, {"events.enabled": True, "events.series": False})

    synced_events(activities)
    assert SERIES_SUBJECT not in subjects(
        [event for event in activities.owned_events(ALEX) if not event["IsRecurrence2"]], "Subject"
    )

    change(activities, {"events.series": True})
    synced_events(activities)
    copies = [e for e in activities.owned_events(ALEX) if e["Subject"] == SERIES_SUBJECT and not e["IsRecurrence2"]]
    assert len(copies) >= 2  # one Salesforce event per Outlook occurrence inside the window


def test_include_private_lets_a_private_outlook_event_reach_salesforce_as_private(activities: ActivityWorld) -> None:
    change(activities, {"events.enabled": True})
    synced_events(activities)
    assert "Doctor's appointment" not in salesforce_subjects(activities)

    change(activities, {"sync.include_private": True})
    synced_events(activities)

    (record,) = [event for event in activities.owned_events(ALEX) if event["Subject"] == "Doctor's appointment"]
    assert record["IsPrivate"] is True


def test_manual_selection_syncs_only_the_events_marked_sync_with_salesforce(activities: ActivityWorld) -> None:
    change(activities, {"events.enabled": True, "sync.selection": "manual"})
    activities.outlook_event(ALEX, "Not selected", today_at(10, days=1))
    activities.outlook_event(ALEX, "Selected", today_at(11, days=1), categories=["Sync with Salesforce"])

    synced_events(activities)

    in_salesforce = salesforce_subjects(activities)
    assert "Selected" in in_salesforce and "Not selected" not in in_salesforce


def test_without_relating_events_a_meeting_reaches_salesforce_unrelated(activities: ActivityWorld) -> None:
    configure(activities, relate_events=False)
    change(activities, {"events.enabled": True})
    contact = activities.owned_contacts(ALEX)[0]
    activities.outlook_event(
        ALEX, "Unrelated meeting", today_at(11, days=4), attendees=[{"emailAddress": {"address": contact["Email"]}}]
    )

    synced_events(activities)

    (record,) = [event for event in activities.owned_events(ALEX) if event["Subject"] == "Unrelated meeting"]
    assert record["WhoId"] is None


def test_a_configuration_without_mailbox_deletions_brings_a_deleted_event_back(activities: ActivityWorld) -> None:
    configure(activities, allow_mailbox_deletions=False)
    change(activities, {"events.enabled": True})
    event_id = activities.outlook_event(ALEX, "Keep me", today_at(10, days=3))
    synced_events(activities)

    activities.outlook_change(ALEX, f"events/{event_id}")
    synced_events(activities)

    assert "Keep me" in salesforce_subjects(activities)
    assert "Keep me" in subjects(activities.outlook_events(ALEX))


# -- tasks -----------------------------------------------------------------------------------------------------------


def test_task_sync_is_off_by_default_and_syncs_both_ways_once_turned_on(activities: ActivityWorld) -> None:
    mark = activities.mark()
    assert activities.sync_tasks(ALEX).turned_off
    assert activities.calls("microsoft", mark) == 0

    change(activities, {"tasks.enabled": True})
    activities.outlook_task(ALEX, "Call back Contoso")
    synced_tasks(activities)

    assert "Call back Contoso" in subjects(activities.owned_tasks(ALEX), "Subject")
    open_in_salesforce = {t["Subject"] for t in activities.owned_tasks(ALEX) if t["TaskSubtype"] != "Email"}
    assert open_in_salesforce <= subjects(activities.outlook_tasks(ALEX), "title")


def test_tasks_salesforce_to_mailbox_keeps_to_do_tasks_out_of_salesforce(activities: ActivityWorld) -> None:
    change(activities, {"tasks.enabled": True, "tasks.direction": "sf_to_mailbox"})
    activities.outlook_task(ALEX, "Private errand")

    synced_tasks(activities)

    assert "Private errand" not in subjects(activities.owned_tasks(ALEX), "Subject")


def test_forbid_to_remove_brings_a_deleted_task_back_and_allowing_removal_deletes_it(activities: ActivityWorld) -> None:
    change(activities, {"tasks.enabled": True})
    kept = activities.outlook_task(ALEX, "Send the contract")
    removed = activities.outlook_task(ALEX, "Book the venue")
    synced_tasks(activities)
    list_id = activities.todo_list_id(ALEX)

    activities.outlook_change(ALEX, f"todo/lists/{list_id}/tasks/{kept}")
    synced_tasks(activities)
    assert "Send the contract" in subjects(activities.owned_tasks(ALEX), "Subject")
    assert "Send the contract" in subjects(activities.outlook_tasks(ALEX), "title")

    change(activities, {"tasks.forbid_to_remove": False})
    activities.outlook_change(ALEX, f"todo/lists/{list_id}/tasks/{removed}")
    synced_tasks(activities)
    assert "Book the venue" not in subjects(activities.owned_tasks(ALEX), "Subject")


def test_completing_a_task_in_to_do_closes_it_in_salesforce(activities: ActivityWorld) -> None:
    change(activities, {"tasks.enabled": True})
    task_id = activities.outlook_task(ALEX, "Review the quote")
    synced_tasks(activities)

    activities.outlook_change(
        ALEX, f"todo/lists/{activities.todo_list_id(ALEX)}/tasks/{task_id}", {"status": "completed"}
    )
    synced_tasks(activities)

    (record,) = [task for task in activities.owned_tasks(ALEX) if task["Subject"] == "Review the quote"]
    assert record["IsClosed"] is True


# -- the admin's configuration ---------------------------------------------------------------------------------------


def test_a_configuration_without_events_turns_the_users_event_sync_off(activities: ActivityWorld) -> None:
    change(activities, {"events.enabled": True})
    configure(activities, item_types=["contact", "task"])
    mark = activities.mark()

    report = activities.sync_events(ALEX)

    assert report.turned_off
    assert activities.calls("microsoft", mark) == 0 and activities.calls("salesforce", mark) == 0


def test_a_configuration_without_event_series_keeps_occurrences_out(activities: ActivityWorld) -> None:
    configure(activities, allow_event_series=False)
    change(activities, {"events.enabled": True})

    synced_events(activities)

    copies = [e for e in activities.owned_events(ALEX) if e["Subject"] == SERIES_SUBJECT and not e["IsRecurrence2"]]
    assert copies == []


def test_a_configuration_allowing_only_one_direction_decides_the_event_direction(activities: ActivityWorld) -> None:
    configure(activities, directions={"event": ["sf_to_mailbox"]})
    change(activities, {"events.enabled": True})
    activities.outlook_event(ALEX, "Stays in Outlook", today_at(10, days=2))

    synced_events(activities)

    assert "Stays in Outlook" not in salesforce_subjects(activities)


def test_a_configuration_without_private_items_keeps_a_private_event_out_even_when_the_user_includes_them(
    activities: ActivityWorld,
) -> None:
    change(activities, {"events.enabled": True, "sync.include_private": True})
    configure(activities, allow_private=False)

    synced_events(activities)

    assert "Doctor's appointment" not in salesforce_subjects(activities)


def test_a_configuration_allowing_only_manual_selection_syncs_only_marked_events(activities: ActivityWorld) -> None:
    configure(activities, selection_methods=["manual"])
    change(activities, {"events.enabled": True})
    activities.outlook_event(ALEX, "Unmarked", today_at(10, days=1))

    synced_events(activities)

    assert "Unmarked" not in salesforce_subjects(activities)
    copies = [e for e in activities.owned_events(ALEX) if e["Subject"] == SERIES_SUBJECT and not e["IsRecurrence2"]]
    assert copies  # the demo series is marked "Sync with Salesforce"
