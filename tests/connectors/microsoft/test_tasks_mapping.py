"""todoTask JSON <-> the task projection: due dates in their own zone, status and importance rules, bodies, marker."""

from __future__ import annotations

from datetime import UTC, datetime

from app.connectors.microsoft import tasks_mapping
from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CATEGORY, SelectionMethod
from app.sync.items import normalise_fields


def task(**props: object) -> dict[str, object]:
    return {"id": "T1", "@odata.etag": 'W/"abc"', "title": "Call Ada", **props}


def test_fields_read_from_a_task() -> None:
    doc = task(
        body={"contentType": "text", "content": "Renewal\r\nterms"},
        dueDateTime={"dateTime": "2031-03-04T00:00:00.0000000", "timeZone": "UTC"},
        status="completed",
        importance="high",
        lastModifiedDateTime="2031-03-01T10:00:00.1234567Z",
    )
    assert tasks_mapping.to_fields(doc) == normalise_fields(
        {"subject": "Call Ada", "notes": "Renewal terms", "due": "2031-03-04", "completed": "true", "important": "true"}
    )
    assert tasks_mapping.etag(doc) == 'W/"abc"'
    assert tasks_mapping.modified_at(doc) == datetime(2031, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)


def test_the_due_date_is_the_date_in_the_tasks_own_zone() -> None:
    late_evening = task(dueDateTime={"dateTime": "2031-03-04T23:00:00.0000000", "timeZone": "Pacific Standard Time"})
    early_morning = task(dueDateTime={"dateTime": "2031-03-05T01:00:00", "timeZone": "Tokyo Standard Time"})
    assert tasks_mapping.to_fields(late_evening)["due"] == "2031-03-04"
    assert tasks_mapping.to_fields(early_morning)["due"] == "2031-03-05"
    assert "due" not in tasks_mapping.to_fields(task())


def test_open_statuses_and_other_importances_read_as_absent_flags() -> None:
    for status in ("notStarted", "inProgress", "waitingOnOthers", "deferred"):
        for importance in ("low", "normal"):
            fields = tasks_mapping.to_fields(task(status=status, importance=importance))
            assert "completed" not in fields and "important" not in fields


def test_an_html_body_reads_as_text() -> None:
    doc = task(body={"contentType": "html", "content": "<html><body><p>Bring the <b>contract</b></p><p>A&amp;B</p>"})
    assert tasks_mapping.to_fields(doc)["notes"] == "Bring the contract A&B"


def test_a_create_body_carries_the_fields_the_marker_and_the_categories() -> None:
    fields = normalise_fields({"subject": "Call", "notes": "Soon", "due": "2031-03-04", "important": "true"})
    body = tasks_mapping.create_body(fields, marker="crmbridge:salesforce:1", with_categories=[SYNC_CATEGORY])
    assert body == {
        "title": "Call",
        "body": {"content": "Soon", "contentType": "text"},
        "importance": "high",
        "status": "notStarted",
        "dueDateTime": {"dateTime": "2031-03-04T00:00:00", "timeZone": "UTC"},
        "categories": [SYNC_CATEGORY],
        "linkedResources": [
            {"applicationName": "crmbridge", "externalId": "crmbridge:salesforce:1", "displayName": "Salesforce"}
        ],
    }
    assert tasks_mapping.marker_of(body) == "crmbridge:salesforce:1"
    assert "categories" not in tasks_mapping.create_body(fields, marker="m", with_categories=[])


def test_an_open_task_reopens_a_completed_one_and_leaves_other_open_statuses() -> None:
    fields = normalise_fields({"subject": "Call"})
    assert tasks_mapping.update_body(fields, task(status="completed"))["status"] == "notStarted"
    for status in ("notStarted", "inProgress", "waitingOnOthers", "deferred"):
        assert "status" not in tasks_mapping.update_body(fields, task(status=status))
    done = normalise_fields({"subject": "Call", "completed": "true"})
    assert tasks_mapping.update_body(done, task(status="inProgress"))["status"] == "completed"
    assert "status" not in tasks_mapping.update_body(done, task(status="completed"))


def test_not_important_turns_high_into_normal_and_leaves_low() -> None:
    fields = normalise_fields({"subject": "Call"})
    assert tasks_mapping.update_body(fields, task(importance="high"))["importance"] == "normal"
    assert "importance" not in tasks_mapping.update_body(fields, task(importance="low"))
    important = normalise_fields({"subject": "Call", "important": "true"})
    assert tasks_mapping.update_body(important, task(importance="low"))["importance"] == "high"


def test_an_update_keeps_a_due_date_that_already_holds_and_clears_one_left_out() -> None:
    in_tokyo = task(dueDateTime={"dateTime": "2031-03-04T09:00:00.0000000", "timeZone": "Tokyo Standard Time"})
    same = normalise_fields({"subject": "Call", "due": "2031-03-04"})
    assert "dueDateTime" not in tasks_mapping.update_body(same, in_tokyo)
    moved = normalise_fields({"subject": "Call", "due": "2031-03-09"})
    assert tasks_mapping.update_body(moved, in_tokyo)["dueDateTime"] == {
        "dateTime": "2031-03-09T00:00:00",
        "timeZone": "UTC",
    }
    assert tasks_mapping.update_body(normalise_fields({"subject": "Call"}), in_tokyo)["dueDateTime"] is None
    assert "dueDateTime" not in tasks_mapping.update_body(normalise_fields({"subject": "Call"}), task())


def test_selection_by_category_ignores_case() -> None:
    plain, synced = task(), task(categories=[SYNC_CATEGORY.upper()])
    excluded = task(categories=["Red", DONT_SYNC_CATEGORY])
    assert tasks_mapping.is_selected(plain, SelectionMethod.AUTOMATIC)
    assert not tasks_mapping.is_selected(excluded, SelectionMethod.AUTOMATIC)
    assert tasks_mapping.is_selected(synced, SelectionMethod.MANUAL)
    assert not tasks_mapping.is_selected(plain, SelectionMethod.MANUAL)


def test_the_marker_is_crmbridges_linked_resource_only() -> None:
    other = {"applicationName": "Jira", "externalId": "PROJ-1"}
    ours = {"applicationName": "crmbridge", "externalId": "crmbridge:salesforce:9"}
    assert tasks_mapping.marker_of(task(linkedResources=[other])) is None
    assert tasks_mapping.marker_of(task(linkedResources=[other, ours])) == "crmbridge:salesforce:9"
    assert tasks_mapping.marker_of(task()) is None
