"""Google Tasks task JSON <-> the task projection (pure)."""

from __future__ import annotations

from app.connectors.google import tasks_mapping as mapping
from app.sync.items import normalise_fields


def test_a_task_reads_without_its_marker_line() -> None:
    task = {
        "title": "Send quote",
        "notes": "Ask for the PO\n\ncrmbridge:salesforce:00T1",
        "due": "2026-12-01T00:00:00.000Z",
        "status": "completed",
    }

    assert mapping.task_fields(task) == normalise_fields(
        {"subject": "Send quote", "notes": "Ask for the PO", "due": "2026-12-01", "completed": "true"}
    )
    assert mapping.marker(task) == "crmbridge:salesforce:00T1"


def test_notes_that_only_mention_crmbridge_are_not_a_marker() -> None:
    assert mapping.split_notes("see crmbridge:docs for more") == ("see crmbridge:docs for more", None)
    assert mapping.split_notes("crmbridge:mailbox:1") == (None, "crmbridge:mailbox:1")


def test_a_body_keeps_the_marker_last_and_reopens_an_open_task() -> None:
    body = mapping.task_body(normalise_fields({"subject": "Call", "due": "2026-12-01"}), "crmbridge:salesforce:00T1")

    assert body == {
        "title": "Call",
        "notes": "crmbridge:salesforce:00T1",
        "due": "2026-12-01T00:00:00.000Z",
        "status": "needsAction",
        "completed": None,
    }
    assert mapping.join_notes("Hello", "crmbridge:x:1") == "Hello\n\ncrmbridge:x:1"


def test_important_is_reported_as_not_held() -> None:
    task = {"title": "Call", "status": "needsAction"}

    assert mapping.stored_if_different(task, {"subject": "Call"}) is None
    assert mapping.stored_if_different(task, {"subject": "Call", "important": "true"}) == normalise_fields(
        {"subject": "Call"}
    )


def test_a_title_is_cut_to_google_s_limit_and_the_cut_is_reported() -> None:
    sent = normalise_fields({"subject": "x" * (mapping.MAX_TITLE + 100)})

    body = mapping.new_task(sent, "crmbridge:salesforce:00T1")

    assert body["title"] == "x" * mapping.MAX_TITLE
    assert mapping.task_body(sent, None)["title"] == "x" * mapping.MAX_TITLE
    assert mapping.stored_if_different(body, sent) == normalise_fields({"subject": "x" * mapping.MAX_TITLE})
