"""An exception keeps the id of the occurrence it replaced ([MS-OXOCAL]: an exception is an attachment of the series'
calendar object, not an item of its own), in instances, in gets, and in calendar view delta."""

from __future__ import annotations

from typing import Any

from tests.sandbox.microsoft.conftest import Graph

WINDOW = {"startDateTime": "2030-02-01T00:00:00Z", "endDateTime": "2030-06-01T00:00:00Z"}


def _series(graph: Graph) -> dict[str, Any]:
    body = {
        "subject": "Five weeks",
        "start": {"dateTime": "2030-02-25T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-02-25T10:30:00", "timeZone": "UTC"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
            "range": {"type": "numbered", "startDate": "2030-02-25", "numberOfOccurrences": 5},
        },
    }
    created = graph.post("/me/events", body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def _delta(graph: Graph, url: str) -> tuple[list[dict[str, Any]], str]:
    values: list[dict[str, Any]] = []
    while True:
        page = graph.get(url).json()
        values.extend(page["value"])
        if "@odata.deltaLink" in page:
            return values, page["@odata.deltaLink"]
        url = page["@odata.nextLink"]


def test_a_patched_occurrence_keeps_its_id_everywhere(graph: Graph) -> None:
    master = _series(graph)
    first_round, link = _delta(graph, "/me/calendarView/delta?" + "&".join(f"{k}={v}" for k, v in WINDOW.items()))
    ours = [e for e in first_round if e.get("seriesMasterId") == master["id"]]
    second = ours[1]

    patched = graph.patch(f"/me/events/{second['id']}", {"subject": "Moved"})

    assert patched.status_code == 200, patched.text
    assert patched.json()["type"] == "exception" and patched.json()["id"] == second["id"]
    assert graph.get(f"/me/events/{second['id']}").json()["subject"] == "Moved"
    instances = graph.get(f"/me/events/{master['id']}/instances", params={**WINDOW, "$top": "50"}).json()["value"]
    assert [i["id"] for i in instances] == [e["id"] for e in ours]
    changes, _ = _delta(graph, link)
    assert not any("@removed" in c for c in changes)
    assert {c["id"] for c in changes} == {e["id"] for e in ours}  # the master's change key moved for all of them
    assert next(c for c in changes if c["id"] == second["id"])["subject"] == "Moved"


def test_deleting_an_exception_removes_its_occurrence_id_from_delta(graph: Graph) -> None:
    master = _series(graph)
    first_round, link = _delta(graph, "/me/calendarView/delta?" + "&".join(f"{k}={v}" for k, v in WINDOW.items()))
    third = [e for e in first_round if e.get("seriesMasterId") == master["id"]][2]
    assert graph.patch(f"/me/events/{third['id']}", {"subject": "Changed"}).status_code == 200
    _, link = _delta(graph, link)

    assert graph.delete(f"/me/events/{third['id']}").status_code == 204

    changes, _ = _delta(graph, link)
    removed = [c["id"] for c in changes if "@removed" in c]
    assert third["id"] in removed
    assert graph.get(f"/me/events/{third['id']}").status_code == 404
