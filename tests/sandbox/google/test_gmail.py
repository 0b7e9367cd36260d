"""The Gmail API emulator through google-api-python-client."""

from __future__ import annotations

import base64
import email
import email.policy
import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.sandbox.google.conftest import Google

ADDON_SCOPES = (
    "https://www.googleapis.com/auth/gmail.addons.execute",
    "https://www.googleapis.com/auth/gmail.addons.current.message.readonly",
)


def _decode(data: str) -> bytes:
    return base64.urlsafe_b64decode(data)


def _with_attachment(messages: Any) -> dict[str, Any]:
    listed = messages.list(userId="me", q="has:attachment").execute()["messages"]
    found: dict[str, Any] = messages.get(userId="me", id=listed[-1]["id"]).execute()
    return found


def _parts(part: dict[str, Any]) -> list[dict[str, Any]]:
    return [part] + [leaf for child in part.get("parts", []) for leaf in _parts(child)]


def test_a_message_with_an_attachment_in_full_and_raw_form(google: Google) -> None:
    messages = google.service("gmail").users().messages()
    full = _with_attachment(messages)
    payload = full["payload"]
    assert payload["partId"] == "" and payload["mimeType"] == "multipart/mixed"
    names = [header["name"] for header in payload["headers"]]
    assert {"Message-ID", "From", "To", "Subject", "Date", "MIME-Version", "Content-Type"} <= set(names)
    parts = _parts(payload)
    assert [p["partId"] for p in parts] == ["", "0", "0.0", "0.1", "1"]
    text = next(p for p in parts if p["mimeType"] == "text/plain")
    assert _decode(text["body"]["data"]).decode().startswith("Hi Priya")
    assert text["body"]["size"] == len(_decode(text["body"]["data"]))
    attachment_part = next(p for p in parts if p["filename"])
    assert "data" not in attachment_part["body"]
    attachment = (
        messages.attachments()
        .get(userId="me", messageId=full["id"], id=attachment_part["body"]["attachmentId"])
        .execute()
    )
    content = _decode(attachment["data"])
    assert content.startswith(b"%PDF") and attachment["size"] == len(content)

    raw = messages.get(userId="me", id=full["id"], format="raw").execute()
    assert "payload" not in raw and raw["id"] == full["id"]
    parsed = email.message_from_bytes(_decode(raw["raw"]), policy=email.policy.default)
    message_id = next(h["value"] for h in payload["headers"] if h["name"] == "Message-ID")
    assert parsed["Message-ID"] == message_id
    attachments = list(parsed.iter_attachments())
    assert attachments[0].get_content() == content
    assert raw["sizeEstimate"] == len(_decode(raw["raw"]))


def test_metadata_and_minimal_formats(google: Google) -> None:
    messages = google.service("gmail").users().messages()
    first = messages.list(userId="me").execute()["messages"][0]["id"]
    metadata = messages.get(
        userId="me", id=first, format="metadata", metadataHeaders=["Subject", "Message-ID"]
    ).execute()
    assert sorted(h["name"] for h in metadata["payload"]["headers"]) == ["Message-ID", "Subject"]
    assert "parts" not in metadata["payload"]
    minimal = messages.get(userId="me", id=first, format="minimal").execute()
    assert "payload" not in minimal and minimal["labelIds"]
    int(minimal["internalDate"]), int(minimal["historyId"])


def test_list_with_queries_labels_and_pages(google: Google) -> None:
    messages = google.service("gmail").users().messages()
    everything = messages.list(userId="me").execute()
    assert everything["resultSizeEstimate"] == len(everything["messages"]) >= 8
    sent = messages.list(userId="me", labelIds=["SENT"]).execute()["messages"]
    assert len(sent) == 1
    thread = messages.get(userId="me", id=sent[0]["id"], format="metadata").execute()
    assert thread["threadId"] != thread["id"]
    message_id = next(
        h["value"]
        for h in messages.get(userId="me", id=sent[0]["id"]).execute()["payload"]["headers"]
        if h["name"] == "Message-ID"
    )
    by_rfc_id = messages.list(userId="me", q=f"rfc822msgid:{message_id}").execute()["messages"]
    assert [m["id"] for m in by_rfc_id] == [sent[0]["id"]]
    page = messages.list(userId="me", maxResults=3).execute()
    assert len(page["messages"]) == 3 and page["nextPageToken"]
    none = messages.list(userId="me", q="from:nobody@nowhere.example").execute()
    assert none == {"resultSizeEstimate": 0}


def test_the_workspace_add_on_reads_the_open_message_with_its_per_message_token(google: Google) -> None:
    sandbox = google.sandbox
    full = _with_attachment(google.service("gmail").users().messages())
    other = google.service("gmail").users().messages().list(userId="me").execute()["messages"][0]["id"]
    response, content = google.raw(
        "POST",
        "_sandbox/google/gmail/message-tokens",
        headers={"content-type": "application/json"},
        body=json.dumps({"email": google.email, "messageId": full["id"]}),
    )
    assert response.status == 200
    message_token = json.loads(content)["accessToken"]
    user_token = sandbox.state.tokens.issue_access_token("google", google.email, scopes=ADDON_SCOPES)
    messages = google.service("gmail", token=user_token).users().messages()

    request = messages.get(userId="me", id=full["id"], format="full")
    request.headers["X-Goog-Gmail-Access-Token"] = message_token
    assert request.execute()["id"] == full["id"]
    attachment_id = next(p for p in _parts(full["payload"]) if p["filename"])["body"]["attachmentId"]
    attachment = messages.attachments().get(userId="me", messageId=full["id"], id=attachment_id)
    attachment.headers["X-Goog-Gmail-Access-Token"] = message_token
    assert _decode(attachment.execute()["data"]).startswith(b"%PDF")

    with pytest.raises(HttpError) as without_header:
        messages.get(userId="me", id=full["id"]).execute()
    assert without_header.value.resp.status == 403
    elsewhere = messages.get(userId="me", id=other)
    elsewhere.headers["X-Goog-Gmail-Access-Token"] = message_token
    with pytest.raises(HttpError) as other_message:
        elsewhere.execute()
    assert other_message.value.resp.status == 403
    with pytest.raises(HttpError) as listing:
        messages.list(userId="me").execute()
    assert listing.value.resp.status == 403


def test_insert_threads_replies_and_the_profile(google: Google) -> None:
    users = google.service("gmail").users()
    raw = (
        b"Message-ID: <new-1@example.org>\r\nFrom: Ann <ann@example.org>\r\nTo: priya.shah@example.com\r\n"
        b"Subject: =?utf-8?q?R=C3=A9union?=\r\nDate: Mon, 1 Jul 2030 10:00:00 +0000\r\n\r\nHello there\r\n"
    )
    inserted = users.messages().insert(userId="me", body={"raw": base64.urlsafe_b64encode(raw).decode()}).execute()
    got = users.messages().get(userId="me", id=inserted["id"]).execute()
    assert next(h["value"] for h in got["payload"]["headers"] if h["name"] == "Subject") == "Réunion"
    assert got["snippet"] == "Hello there"
    assert _decode(got["payload"]["body"]["data"]) == b"Hello there\r\n"
    profile = users.getProfile(userId="me").execute()
    assert profile["emailAddress"] == google.email and int(profile["messagesTotal"]) >= 9
    with pytest.raises(HttpError) as other_user:
        users.messages().list(userId="zoe.lefevre@example.com").execute()
    assert other_user.value.resp.status == 403


def test_gmail_batch_of_gets(google: Google) -> None:
    messages = google.service("gmail").users().messages()
    listed = messages.list(userId="me").execute()["messages"]
    results: dict[str, Any] = {}
    batch = google.batch("gmail", lambda rid, response, exc: results.__setitem__(rid, exc or response))
    for item in listed:
        batch.add(messages.get(userId="me", id=item["id"], format="metadata"))
    batch.execute()
    assert [results[str(i + 1)]["id"] for i in range(len(listed))] == [m["id"] for m in listed]
