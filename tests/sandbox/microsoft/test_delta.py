"""Delta rounds: paging, follow-up rounds with only the changes, @removed, token expiry, replays and duplicates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.sandbox.microsoft.conftest import ALEX, Graph, assert_graph_error

PAGE_OF_TWO = {"Prefer": "odata.maxpagesize=2"}


def _folder_with_contacts(graph: Graph, count: int) -> tuple[str, list[str]]:
    folder = graph.post("/me/contactFolders", {"displayName": "Delta test"}).json()["id"]
    ids = []
    for n in range(count):
        body = {"givenName": f"Person{n}", "surname": "Delta", "emailAddresses": [{"address": f"p{n}@delta.example"}]}
        ids.append(graph.post(f"/me/contactFolders/{folder}/contacts", body).json()["id"])
    return folder, ids


def _round(graph: Graph, url: str, headers: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], str, int]:
    """Follow a delta round to its deltaLink: (items, deltaLink, pages)."""
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        response = graph.get(url, headers=headers or {})
        assert response.status_code == 200, response.text
        body = response.json()
        assert (
            body["@odata.context"].endswith("$metadata#Collection(contact)") or "Collection(" in body["@odata.context"]
        )
        assert ("@odata.nextLink" in body) != ("@odata.deltaLink" in body)
        assert "odata.track-changes" in response.headers["Preference-Applied"]
        pages += 1
        items.extend(body["value"])
        if "@odata.deltaLink" in body:
            return items, body["@odata.deltaLink"], pages
        url = body["@odata.nextLink"]
        assert "$skiptoken=" in url


def test_a_folder_round_pages_then_a_follow_up_returns_only_the_changes(graph: Graph) -> None:
    folder, ids = _folder_with_contacts(graph, 5)
    items, delta_link, pages = _round(graph, f"/me/contactFolders/{folder}/contacts/delta", PAGE_OF_TWO)
    assert pages == 3 and sorted(i["id"] for i in items) == sorted(ids)
    assert "$deltatoken=" in delta_link and delta_link.startswith("https://graph.microsoft.com/v1.0/me/contactFolders/")

    graph.patch(f"/me/contacts/{ids[0]}", {"jobTitle": "Changed"})
    graph.delete(f"/me/contacts/{ids[1]}")
    added = graph.post(f"/me/contactFolders/{folder}/contacts", {"givenName": "New", "surname": "Delta"}).json()["id"]
    partners = next(f for f in graph.get("/me/contactFolders").json()["value"] if f["displayName"] == "Partners")
    moved = graph.control(
        "POST", f"/microsoft/mailboxes/{ALEX}/move", {"itemId": ids[2], "destinationId": partners["id"]}
    )
    assert moved.status_code == 200

    changes, next_link, _ = _round(graph, delta_link, PAGE_OF_TWO)
    by_id = {c["id"]: c for c in changes}
    assert set(by_id) == {ids[0], ids[1], ids[2], added}
    assert by_id[ids[0]]["jobTitle"] == "Changed" and "@removed" not in by_id[ids[0]]
    assert by_id[ids[1]] == {"id": ids[1], "@removed": {"reason": "deleted"}}
    assert by_id[ids[2]]["@removed"] == {"reason": "changed"}
    assert by_id[added]["givenName"] == "New"

    quiet, _, pages = _round(graph, next_link)
    assert quiet == [] and pages == 1
    # The old deltaLink still works until it expires: it replays the same changes.
    replayed, _, _ = _round(graph, delta_link)
    assert {c["id"] for c in replayed} == set(by_id)


def test_the_default_folder_and_select_are_encoded_in_the_tokens(graph: Graph) -> None:
    items, delta_link, _ = _round(graph, "/me/contacts/delta?$select=displayName", {"Prefer": "odata.maxpagesize=25"})
    default_folder = graph.mailbox.default_folder("contactFolder").key
    assert len(items) == len(graph.mailbox.items_in(default_folder, "contact"))
    assert all(set(i) <= {"@odata.etag", "id", "displayName"} for i in items)
    graph.patch(f"/me/contacts/{items[0]['id']}", {"displayName": "Renamed Person", "jobTitle": "X"})
    changes, _, _ = _round(graph, delta_link)
    assert [(c["id"], c["displayName"]) for c in changes] == [(items[0]["id"], "Renamed Person")]
    assert "jobTitle" not in changes[0]


def test_an_expired_delta_token_gets_410_with_a_location_to_restart(graph: Graph) -> None:
    folder, _ = _folder_with_contacts(graph, 3)
    _, delta_link, _ = _round(graph, f"/me/contactFolders/{folder}/contacts/delta?$select=givenName", PAGE_OF_TWO)
    first_page = graph.get(f"/me/contactFolders/{folder}/contacts/delta", headers=PAGE_OF_TWO).json()
    graph.advance(timedelta(days=7, seconds=1))

    gone = graph.get(delta_link)
    error = assert_graph_error(gone, 410, "SyncStateNotFound")
    assert "sync state generation is not found" in error["message"]
    location = gone.headers["Location"]
    assert "/contacts/delta?" in location and "$select=givenName" in location and location.endswith("$deltatoken=")
    assert_graph_error(graph.get(first_page["@odata.nextLink"]), 410, "SyncStateNotFound")

    restarted, fresh_link, _ = _round(graph, location)
    assert len(restarted) == 3 and all(set(i) <= {"@odata.etag", "id", "givenName"} for i in restarted)
    assert graph.get(fresh_link).status_code == 200


def test_the_control_api_expires_tokens_with_resync_required(graph: Graph, sam: Graph) -> None:
    _, alex_link, _ = _round(graph, "/me/contacts/delta")
    _, sam_link, _ = _round(sam, "/me/contacts/delta")
    expired = graph.control("POST", "/microsoft/expire-delta-tokens", {"mailbox": ALEX})
    assert expired.status_code == 200 and expired.json()["expired"] >= 1
    gone = graph.get(alex_link)
    assert_graph_error(gone, 410, "resyncRequired")
    assert gone.headers["Location"].startswith("https://graph.microsoft.com/v1.0/me/contacts/delta?")
    assert sam.get(sam_link).status_code == 200
    assert graph.control("POST", "/microsoft/expire-delta-tokens", {"code": "syncStateNotFound"}).status_code == 200
    assert_graph_error(sam.get(sam_link), 410, "SyncStateNotFound")
    # A token is bound to its mailbox.
    _, fresh_alex, _ = _round(graph, "/me/contacts/delta")
    assert_graph_error(sam.get(fresh_alex), 410, "SyncStateNotFound")
    assert_graph_error(graph.get("/me/contacts/delta?$deltatoken=made-up"), 410, "SyncStateNotFound")


def test_replays_and_duplicates_can_be_switched_on(graph: Graph) -> None:
    folder, ids = _folder_with_contacts(graph, 2)
    _, link, _ = _round(graph, f"/me/contactFolders/{folder}/contacts/delta")
    graph.settings(delta={"replays": True, "duplicates": True})
    graph.patch(f"/me/contacts/{ids[0]}", {"jobTitle": "One"})
    graph.patch(f"/me/contacts/{ids[0]}", {"jobTitle": "Two"})
    changes, link, _ = _round(graph, link)
    # The previous round (both contacts) is replayed, then the contact changed twice appears twice.
    assert [c["id"] for c in changes] == [ids[0], ids[1], ids[0], ids[0]]
    assert changes[-1]["jobTitle"] == "Two"
    graph.settings(delta={"replays": False, "duplicates": False})
    graph.delete(f"/me/contacts/{ids[1]}")
    changes, _, _ = _round(graph, link)
    assert changes == [{"id": ids[1], "@removed": {"reason": "deleted"}}]


def test_contact_folders_delta(graph: Graph) -> None:
    folders, link, _ = _round(graph, "/me/contactFolders/delta")
    assert {f["displayName"] for f in folders} == {"Customers", "Partners"}
    created = graph.post("/me/contactFolders", {"displayName": "Events 2025"}).json()
    customers = next(f for f in folders if f["displayName"] == "Customers")
    graph.delete(f"/me/contactFolders/{customers['id']}")
    changes, _, _ = _round(graph, link)
    assert {c["id"]: c.get("@removed") for c in changes} == {
        created["id"]: None,
        customers["id"]: {"reason": "deleted"},
    }


def test_to_do_delta_per_list(graph: Graph) -> None:
    lists = graph.get("/me/todo/lists").json()["value"]
    tasks_list = next(item for item in lists if item["wellknownListName"] == "defaultList")
    url = f"/me/todo/lists/{tasks_list['id']}/tasks/delta"
    tasks, link, pages = _round(graph, url, PAGE_OF_TWO)
    assert len(tasks) == 4 and pages == 2
    assert all(t["@odata.etag"].startswith('W/"') and "status" in t for t in tasks)
    done = graph.patch(f"/me/todo/lists/{tasks_list['id']}/tasks/{tasks[0]['id']}", {"status": "completed"}).json()
    assert done["completedDateTime"]["timeZone"] == "UTC"
    graph.delete(f"/me/todo/lists/{tasks_list['id']}/tasks/{tasks[1]['id']}")
    new = graph.post(f"/me/todo/lists/{tasks_list['id']}/tasks", {"title": "Call back"}).json()
    changes, _, _ = _round(graph, link)
    assert {c["id"]: c.get("@removed") for c in changes} == {
        tasks[0]["id"]: None,
        tasks[1]["id"]: {"reason": "deleted"},
        new["id"]: None,
    }
    lists_round, lists_link, _ = _round(graph, "/me/todo/lists/delta")
    assert len(lists_round) == len(lists)
    created = graph.post("/me/todo/lists", {"displayName": "Renewals"}).json()
    assert [c["id"] for c in _round(graph, lists_link)[0]] == [created["id"]]


def test_delta_links_work_through_the_fully_qualified_function_name(graph: Graph) -> None:
    for path in ("/me/contacts/delta()", "/me/contacts/microsoft.graph.delta()", "/me/contacts/microsoft.graph.delta"):
        response = graph.get(path, headers=PAGE_OF_TWO)
        assert response.status_code == 200, path
        assert httpx.URL(response.json()["@odata.nextLink"]).path.endswith(path.rsplit("/", 1)[1])
