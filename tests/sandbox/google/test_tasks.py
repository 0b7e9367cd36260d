"""The Tasks API emulator through google-api-python-client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.sandbox.google.conftest import Google


def _titles(tasks_api: Any, tasklist: str, **params: Any) -> list[str]:
    return [task["title"] for task in tasks_api.list(tasklist=tasklist, **params).execute().get("items", [])]


def test_task_lists_and_the_default_list(google: Google) -> None:
    service = google.service("tasks")
    lists = service.tasklists().list().execute()["items"]
    assert [item["title"] for item in lists] == ["My Tasks", "Follow-ups"]
    created = service.tasklists().insert(body={"title": "Deals"}).execute()
    assert created["kind"] == "tasks#taskList"
    renamed = service.tasklists().patch(tasklist=created["id"], body={"title": "Deals 2030"}).execute()
    assert renamed["title"] == "Deals 2030" and renamed["etag"] != created["etag"]
    default = service.tasklists().get(tasklist="@default").execute()
    assert default["id"] == lists[0]["id"]
    service.tasklists().delete(tasklist=created["id"]).execute()
    with pytest.raises(HttpError) as gone:
        service.tasklists().get(tasklist=created["id"]).execute()
    assert gone.value.resp.status == 404


def test_due_keeps_only_the_date_and_completion_sets_completed(google: Google) -> None:
    tasks = google.service("tasks").tasks()
    task = tasks.insert(tasklist="@default", body={"title": "Call back", "due": "2030-04-05T17:45:12.000Z"}).execute()
    assert task["due"] == "2030-04-05T00:00:00.000Z"
    assert task["status"] == "needsAction" and "completed" not in task
    done = tasks.patch(tasklist="@default", task=task["id"], body={"status": "completed"}).execute()
    assert done["status"] == "completed" and "completed" in done
    reopened = tasks.patch(tasklist="@default", task=task["id"], body={"status": "needsAction"}).execute()
    assert "completed" not in reopened


def test_list_filters_show_completed_deleted_hidden_and_updated_min(google: Google) -> None:
    tasks = google.service("tasks").tasks()
    tasklist = google.service("tasks").tasklists().insert(body={"title": "Filters"}).execute()["id"]
    open_task = tasks.insert(tasklist=tasklist, body={"title": "open"}).execute()
    done = tasks.insert(tasklist=tasklist, body={"title": "done", "status": "completed"}).execute()
    gone = tasks.insert(tasklist=tasklist, body={"title": "gone"}).execute()
    tasks.delete(tasklist=tasklist, task=gone["id"]).execute()

    assert sorted(_titles(tasks, tasklist)) == ["done", "open"]
    assert _titles(tasks, tasklist, showCompleted=False) == ["open"]
    assert sorted(_titles(tasks, tasklist, showDeleted=True)) == ["done", "gone", "open"]
    deleted = tasks.list(tasklist=tasklist, showDeleted=True).execute()["items"]
    assert next(t for t in deleted if t["title"] == "gone")["deleted"] is True

    tasks.clear(tasklist=tasklist).execute()
    assert _titles(tasks, tasklist) == ["open"]
    hidden = tasks.list(tasklist=tasklist, showHidden=True).execute()["items"]
    assert next(t for t in hidden if t["id"] == done["id"])["hidden"] is True

    google.advance(timedelta(minutes=5))
    tasks = google.service("tasks").tasks()
    since = "2020-01-01T00:00:00Z"
    assert sorted(_titles(tasks, tasklist, updatedMin=since)) == ["open"]
    cutoff = google.sandbox.state.clock.now().isoformat()
    tasks.patch(tasklist=tasklist, task=open_task["id"], body={"notes": "changed"}).execute()
    assert _titles(tasks, tasklist, updatedMin=cutoff) == ["open"]
    with pytest.raises(HttpError) as bad_time:
        tasks.list(tasklist=tasklist, updatedMin="yesterday").execute()
    assert bad_time.value.resp.status == 400


def test_positions_subtasks_move_and_paging(google: Google) -> None:
    tasks = google.service("tasks").tasks()
    tasklist = google.service("tasks").tasklists().insert(body={"title": "Order"}).execute()["id"]
    first = tasks.insert(tasklist=tasklist, body={"title": "first"}).execute()
    second = tasks.insert(tasklist=tasklist, body={"title": "second"}, previous=first["id"]).execute()
    child = tasks.insert(tasklist=tasklist, body={"title": "child"}, parent=first["id"]).execute()
    assert child["parent"] == first["id"]
    assert _titles(tasks, tasklist) == ["first", "child", "second"]
    tasks.move(tasklist=tasklist, task=second["id"]).execute()
    assert _titles(tasks, tasklist) == ["second", "first", "child"]
    for index in range(25):
        tasks.insert(tasklist=tasklist, body={"title": f"t{index}"}).execute()
    page = tasks.list(tasklist=tasklist).execute()
    assert len(page["items"]) == 20 and page["nextPageToken"]
    rest = tasks.list(tasklist=tasklist, pageToken=page["nextPageToken"], maxResults=100).execute()
    assert len(rest["items"]) == 8 and "nextPageToken" not in rest


def test_tasks_batch(google: Google) -> None:
    service = google.service("tasks")
    results: dict[str, Any] = {}
    batch = google.batch("tasks", lambda rid, response, exc: results.__setitem__(rid, exc or response))
    for index in range(3):
        batch.add(service.tasks().insert(tasklist="@default", body={"title": f"batched {index}"}))
    batch.add(service.tasks().get(tasklist="@default", task="missing"))
    batch.execute()
    assert [results[str(i)]["title"] for i in (1, 2, 3)] == ["batched 0", "batched 1", "batched 2"]
    assert isinstance(results["4"], HttpError) and results["4"].resp.status == 404
