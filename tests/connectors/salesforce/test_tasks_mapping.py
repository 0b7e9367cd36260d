"""The task store's pure parts: Task rows to the projection, the scope, and what a write sends (status, priority)."""

from __future__ import annotations

from types import MappingProxyType

from app.connectors.salesforce.activities_describe import ActivityDescribe
from app.connectors.salesforce.activities_kind import PreparedRecord
from app.connectors.salesforce.tasks_mapping import in_scope, prepare, projection
from app.sync.items import normalise_fields
from app.sync.stores import WriteFailure

USER = "005Sb0000000001AAA"
DESCRIBE = ActivityDescribe(
    MappingProxyType({"Subject": 10, "Description": 32000}),
    MappingProxyType({"Status": "Waiting", "Priority": "Normal"}),
)


def row(**extra: object) -> dict[str, object]:
    values: dict[str, object] = {
        "Id": "00TSb0000000001AAA",
        "OwnerId": USER,
        "Subject": "Call Ana",
        "Description": "crmbridge:mailbox:t1\nAbout the quote",
        "ActivityDate": "2026-11-21",
        "Status": "In Progress",
        "IsClosed": False,
        "Priority": "High",
        "TaskSubtype": "Task",
    }
    values.update(extra)
    return values


def ready(fields: dict[str, object], current: dict[str, object] | None) -> PreparedRecord:
    result = prepare(normalise_fields(fields), DESCRIBE, current=current, marker=None if current else "crmbridge:x")
    assert isinstance(result, PreparedRecord)
    return result


def test_a_row_reads_as_the_projection() -> None:
    assert projection(row()) == normalise_fields(
        {"subject": "Call Ana", "notes": "About the quote", "due": "2026-11-21", "important": "true"}
    )
    assert projection(row(IsClosed=True, Status="Completed", Priority="Normal"))["completed"] == "true"


def test_logged_emails_and_other_people_s_tasks_are_out_of_scope() -> None:
    assert in_scope(row(), USER)
    assert not in_scope(row(TaskSubtype="Email"), USER)
    assert not in_scope(row(TaskSubtype="ListEmail"), USER)
    assert not in_scope(row(OwnerId="005Sb0000000002AAA"), USER)


def test_completing_writes_completed_and_an_open_task_keeps_its_open_status() -> None:
    assert ready({"subject": "Call", "completed": "true"}, row()).values["Status"] == "Completed"
    assert "Status" not in ready({"subject": "Call"}, row()).values


def test_an_open_write_reopens_a_closed_task_with_the_default_status() -> None:
    closed = row(IsClosed=True, Status="Completed")
    assert ready({"subject": "Call"}, closed).values["Status"] == "Waiting"


def test_a_create_leaves_status_and_priority_to_salesforce_s_defaults() -> None:
    values = ready({"subject": "Call"}, None).values
    assert "Status" not in values and "Priority" not in values
    assert values["Description"] == "crmbridge:x"


def test_priority_high_is_important_else_back_to_the_default() -> None:
    assert ready({"subject": "Call", "important": "true"}, None).values["Priority"] == "High"
    assert ready({"subject": "Call"}, row()).values["Priority"] == "Normal"
    assert "Priority" not in ready({"subject": "Call"}, row(Priority="Low")).values


def test_cut_values_are_reported_and_the_marker_stays_on_update() -> None:
    result = ready({"subject": "A very long subject", "notes": "New notes", "due": "2026-12-01"}, row())
    assert result.values["Subject"] == "A very lon"
    assert result.values["Description"] == "New notes\ncrmbridge:mailbox:t1"
    assert result.holds == normalise_fields({"subject": "A very lon", "notes": "New notes", "due": "2026-12-01"})


def test_a_due_date_that_is_not_a_date_is_refused() -> None:
    assert isinstance(prepare(normalise_fields({"due": "soon"}), DESCRIBE, current=None, marker=None), WriteFailure)
