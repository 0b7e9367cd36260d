"""Messages and file attachments, master categories, To Do lists and tasks."""

from __future__ import annotations

import base64

from app.sandbox.microsoft.seed import NO_SYNC_CATEGORY, SYNC_CATEGORY
from tests.sandbox.microsoft.conftest import ALEX, Graph, assert_graph_error


def test_messages_with_html_and_text_bodies_and_file_attachments(graph: Graph) -> None:
    inbox = graph.get("/me/mailFolders/inbox/messages", params={"$top": "50"}).json()["value"]
    assert inbox and all(m["receivedDateTime"] for m in inbox)
    received = [m["receivedDateTime"] for m in inbox]
    assert received == sorted(received, reverse=True)
    message = next(m for m in inbox if m["hasAttachments"])
    assert message["body"]["contentType"] == "html" and "<p>" in message["body"]["content"]
    assert (
        message["internetMessageId"].startswith("<") and message["toRecipients"][0]["emailAddress"]["address"] == ALEX
    )
    assert message["from"]["emailAddress"]["address"] and message["ccRecipients"] == []

    text = graph.get(f"/me/messages/{message['id']}", headers={"Prefer": 'outlook.body-content-type="text"'})
    assert text.json()["body"]["contentType"] == "text" and "<p>" not in text.json()["body"]["content"]
    assert text.headers["Preference-Applied"] == 'outlook.body-content-type="text"'

    attachments = graph.get(f"/me/messages/{message['id']}/attachments").json()["value"]
    assert attachments and attachments[0]["@odata.type"] == "#microsoft.graph.fileAttachment"
    first = graph.get(f"/me/messages/{message['id']}/attachments/{attachments[0]['id']}").json()
    content = base64.b64decode(first["contentBytes"])
    assert first["size"] == len(content) and first["name"] and first["contentType"]
    raw = graph.get(f"/me/messages/{message['id']}/attachments/{attachments[0]['id']}/$value")
    assert raw.content == content and raw.headers["Content-Type"].startswith(first["contentType"])

    by_id = graph.get("/me/messages", params={"$filter": f"internetMessageId eq '{message['internetMessageId']}'"})
    assert [m["id"] for m in by_id.json()["value"]] == [message["id"]]
    selected = graph.get(f"/me/messages/{message['id']}", params={"$select": "subject,from"}).json()
    assert set(selected) == {"@odata.context", "@odata.etag", "id", "subject", "from"}


def test_draft_attachment_and_move(graph: Graph) -> None:
    draft = graph.post("/me/messages", {"subject": "Quote", "body": {"contentType": "text", "content": "Hello"}})
    assert draft.status_code == 201 and draft.json()["isDraft"]
    message_id = draft.json()["id"]
    payload = base64.b64encode(b"quote lines").decode()
    attachment = {"@odata.type": "#microsoft.graph.fileAttachment", "name": "quote.txt", "contentBytes": payload}
    added = graph.post(f"/me/messages/{message_id}/attachments", attachment)
    assert added.status_code == 201 and added.json()["size"] == len(b"quote lines")
    assert graph.get(f"/me/messages/{message_id}").json()["hasAttachments"]
    moved = graph.post(f"/me/messages/{message_id}/move", {"destinationId": "inbox"})
    assert moved.status_code == 201 and moved.json()["id"] != message_id
    assert_graph_error(graph.get(f"/me/messages/{message_id}"), 404, "ErrorItemNotFound")


def test_master_categories_list_and_create_with_preset_colours(graph: Graph) -> None:
    listed = graph.get("/me/outlook/masterCategories").json()["value"]
    names = {c["displayName"]: c["color"] for c in listed}
    assert names[SYNC_CATEGORY] == "preset4" and names[NO_SYNC_CATEGORY] == "preset0"
    assert names["Red category"] == "preset0"
    created = graph.post("/me/outlook/masterCategories", {"displayName": "Renewal", "color": "preset9"})
    assert created.status_code == 201 and created.json()["color"] == "preset9"
    assert_graph_error(graph.post("/me/outlook/masterCategories", {"displayName": "renewal"}), 409, "ErrorDuplicate")
    assert_graph_error(
        graph.post("/me/outlook/masterCategories", {"displayName": "X", "color": "pink"}), 400, "BadRequest"
    )
    category_id = created.json()["id"]
    recoloured = graph.patch(f"/me/outlook/masterCategories/{category_id}", {"color": "preset24"})
    assert recoloured.json()["color"] == "preset24"
    assert graph.delete(f"/me/outlook/masterCategories/{category_id}").status_code == 204
    assert len(graph.get("/me/outlook/masterCategories").json()["value"]) == len(listed)


def test_to_do_lists_and_tasks(graph: Graph) -> None:
    lists = graph.get("/me/todo/lists").json()["value"]
    assert {item["displayName"] for item in lists} >= {"Tasks", "Flagged Emails", "Salesforce follow-ups"}
    default = next(item for item in lists if item["wellknownListName"] == "defaultList")
    tasks = graph.get(f"/me/todo/lists/{default['id']}/tasks").json()["value"]
    assert any(t["status"] == "completed" and "completedDateTime" in t for t in tasks)
    assert any(t["importance"] == "high" and SYNC_CATEGORY in t["categories"] for t in tasks)
    assert all("dueDateTime" not in t or t["dueDateTime"]["timeZone"] for t in tasks)

    created = graph.post(
        f"/me/todo/lists/{default['id']}/tasks",
        {
            "title": "Send the contract",
            "importance": "high",
            "categories": [SYNC_CATEGORY],
            "body": {"content": "Two-year term", "contentType": "text"},
            "dueDateTime": {"dateTime": "2030-05-01T00:00:00", "timeZone": "Eastern Standard Time"},
        },
    )
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["status"] == "notStarted" and "completedDateTime" not in task
    assert task["dueDateTime"] == {"dateTime": "2030-05-01T00:00:00.0000000", "timeZone": "Eastern Standard Time"}
    url = f"/me/todo/lists/{default['id']}/tasks/{task['id']}"
    done = graph.patch(url, {"status": "completed"}, headers={"If-Match": task["@odata.etag"]}).json()
    assert done["status"] == "completed" and done["completedDateTime"]["timeZone"] == "UTC"
    assert_graph_error(
        graph.patch(url, {"title": "x"}, headers={"If-Match": task["@odata.etag"]}), 412, "ErrorIrresolvableConflict"
    )
    reopened = graph.patch(url, {"status": "inProgress"}).json()
    assert "completedDateTime" not in reopened
    assert_graph_error(graph.patch(url, {"status": "finished"}), 400, "invalidRequest")
    assert graph.delete(url).status_code == 204
    assert_graph_error(graph.get(url), 404, "ErrorItemNotFound")

    new_list = graph.post("/me/todo/lists", {"displayName": "Renewals"}).json()
    assert new_list["wellknownListName"] == "none" and new_list["isOwner"]
    assert_graph_error(graph.delete(f"/me/todo/lists/{default['id']}"), 400, "invalidRequest")
    assert graph.delete(f"/me/todo/lists/{new_list['id']}").status_code == 204
