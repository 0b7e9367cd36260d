"""Logging an email: one EmailMessage with its relations, whoever logs it; a Task without Enhanced Email; files;
nothing half-logged; the rep's own connection, refreshed once after a 401."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from simple_salesforce.api import Salesforce
from sqlmodel import Session, col, select

from app.api.email_logging import max_attachment_bytes
from app.db import unit_of_work
from app.models import LoggedEmail, Provider
from app.services.connections import IssuedTokens, save_connection
from app.services.email_logging import LoggingContext, log_email
from app.services.email_logging.schemas import LogRequest
from app.services.salesforce_access import RepSalesforce
from app.settings import Settings
from tests.addin.conftest import (
    ALEX,
    INSTANCE_URL,
    SAM,
    LiveSandbox,
    Rep,
    connect_rep,
    email_people,
    records,
    salesforce_calls,
    salesforce_refresh_token,
)

MESSAGE_ID = "<CAFE1234.5678@mail.example.com>"
SENT = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


def email(
    sender: str,
    to: list[str],
    cc: list[str] | None = None,
    *,
    message_id: str = MESSAGE_ID,
    attachments: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An email as the task pane sends it."""
    return {
        "internet_message_id": message_id,
        "subject": "Re: the proposal",
        "from": {"address": sender, "name": "The Sender"},
        "to": [{"address": address} for address in to],
        "cc": [{"address": address} for address in cc or []],
        "date": SENT.isoformat(),
        "text_body": "Thanks for the call.\nBest regards",
        "html_body": "<p>Thanks for the call.</p><p>Best regards</p>",
        "attachments": attachments or [],
        **extra,
    }


def log(api: TestClient, rep: Rep, body: dict[str, Any], **choices: Any) -> httpx.Response:
    """POST /api/emails/log as ``rep``."""
    return api.post("/api/emails/log", json={"email": body, **choices}, headers=rep.headers)


def email_messages(sf: Salesforce, message_id: str = MESSAGE_ID) -> list[dict[str, Any]]:
    """The EmailMessages of an internet message id, with their relations, as the administrator sees them."""
    return records(
        sf,
        "SELECT Id, Subject, Status, Incoming, MessageIdentifier, MessageDate, FromAddress, ToAddress, CcAddress, "
        "TextBody, HtmlBody, RelatedToId, HasAttachment, "
        "(SELECT RelationId, RelationType, RelationAddress FROM EmailMessageRelations) "
        f"FROM EmailMessage WHERE MessageIdentifier = '{message_id}'",
    )


def relations(message: dict[str, Any]) -> set[tuple[str, str]]:
    """(RelationId, RelationType) of an EmailMessage row."""
    rows = (message.get("EmailMessageRelations") or {}).get("records") or []
    return {(row["RelationId"], row["RelationType"]) for row in rows}


def logged_rows(engine: Any, message_id: str = MESSAGE_ID) -> list[LoggedEmail]:
    """crmbridge's record of who logged the email."""
    with Session(engine) as db:
        return list(db.exec(select(LoggedEmail).where(col(LoggedEmail.internet_message_id) == message_id)))


@pytest.fixture
def people(admin_sf: Salesforce) -> list[dict[str, Any]]:
    """Three Contacts with Accounts."""
    return email_people(admin_sf, 3)


def test_a_received_email_becomes_one_email_message_with_relations(
    addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox, admin_sf: Salesforce, people: list[dict[str, Any]]
) -> None:
    alex = connect_rep(addin_app, sandbox, ALEX)
    sender, copied = people[0], people[1]
    body = email(sender["Email"], [ALEX], [copied["Email"], "stranger@unknown.example"])
    answer = log(api, alex, body, relate_ids=[sender["Id"], copied["Id"]], related_to_id=sender["AccountId"])
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["outcome"] == "created"
    assert result["record"]["object"] == "EmailMessage"
    assert result["relations_added"] == 3

    [message] = email_messages(admin_sf)
    assert message["Id"] == result["record"]["id"]
    assert message["Status"] == "1"  # Read: the rep received it
    assert message["Incoming"] is True
    assert message["Subject"] == "Re: the proposal"
    assert message["FromAddress"] == sender["Email"].lower()
    assert message["ToAddress"] == ALEX
    assert message["CcAddress"] == f"{copied['Email'].lower()}; stranger@unknown.example"
    assert message["TextBody"].startswith("Thanks for the call.")
    assert message["HtmlBody"].startswith("<p>Thanks")
    assert message["MessageDate"].startswith("2026-11-18T09:30:00")
    assert message["RelatedToId"] == sender["AccountId"]
    assert relations(message) == {
        (sender["Id"], "FromAddress"),
        (copied["Id"], "CcAddress"),
        (alex.salesforce_id, "ToAddress"),
    }
    [row] = logged_rows(addin_app.state.engine)
    assert (row.user_id, row.salesforce_object, row.salesforce_id) == (alex.user.id, "EmailMessage", message["Id"])

    lookup = api.post(
        "/api/emails/lookup",
        json={k: body[k] for k in ("internet_message_id", "from", "to", "cc")},
        headers=alex.headers,
    ).json()
    assert lookup["logged"]["record"]["id"] == message["Id"]
    assert lookup["logged"]["by_you"] is True


def test_a_sent_email_is_status_sent_from_the_rep(
    addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox, admin_sf: Salesforce, people: list[dict[str, Any]]
) -> None:
    alex = connect_rep(addin_app, sandbox, ALEX)
    body = email(ALEX, [people[0]["Email"]], message_id="<sent-1@example.com>")
    assert log(api, alex, body, relate_ids=[people[0]["Id"]]).status_code == 200
    [message] = email_messages(admin_sf, "<sent-1@example.com>")
    assert (message["Status"], message["Incoming"]) == ("3", False)
    assert relations(message) == {(alex.salesforce_id, "FromAddress"), (people[0]["Id"], "ToAddress")}


def test_two_reps_logging_the_same_email_make_one_email_message(
    addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox, admin_sf: Salesforce, people: list[dict[str, Any]]
) -> None:
    alex = connect_rep(addin_app, sandbox, ALEX)
    sam = connect_rep(addin_app, sandbox, SAM)
    sender, copied = people[0], people[1]
    body = email(sender["Email"], [ALEX, SAM], [copied["Email"]])

    first = log(api, alex, body, relate_ids=[sender["Id"]], related_to_id=sender["AccountId"])
    assert first.json()["outcome"] == "created"
    second = log(api, sam, body, relate_ids=[sender["Id"], copied["Id"]], related_to_id=copied["AccountId"])
    assert second.status_code == 200, second.text
    assert second.json()["outcome"] == "added_to_existing"
    assert second.json()["record"]["id"] == first.json()["record"]["id"]
    assert second.json()["relations_added"] == 2  # Sam himself and the person copied; the sender was related
    assert any("related record cannot change" in note for note in second.json()["notes"])
    again = log(api, alex, body, relate_ids=[sender["Id"]])
    assert (again.json()["outcome"], again.json()["relations_added"]) == ("already_logged", 0)

    [message] = email_messages(admin_sf)
    assert relations(message) == {
        (sender["Id"], "FromAddress"),
        (alex.salesforce_id, "ToAddress"),
        (sam.salesforce_id, "ToAddress"),
        (copied["Id"], "CcAddress"),
    }
    assert message["RelatedToId"] == sender["AccountId"]  # the first logging's choice stays
    assert {(row.user_id, row.salesforce_id) for row in logged_rows(addin_app.state.engine)} == {
        (alex.user.id, message["Id"]),
        (sam.user.id, message["Id"]),
    }


def test_a_colleagues_email_hidden_by_sharing_is_not_logged_twice(
    *,
    addin_app: FastAPI,
    api: TestClient,
    sandbox: LiveSandbox,
    admin_sf: Salesforce,
    control: httpx.Client,
    people: list[dict[str, Any]],
) -> None:
    added = control.post(
        "/users",
        json={
            "email": "taylor.reed@example.com",
            "name": "Taylor Reed",
            "mail_provider": "microsoft",
            "salesforce_user": True,
            "salesforce_profile": "Standard User",
        },
    )
    assert added.status_code == 201, added.text
    assert control.patch("/salesforce/org", json={"sharing": {"EmailMessage": "Private"}}).status_code == 200
    alex = connect_rep(addin_app, sandbox, ALEX)
    taylor = connect_rep(addin_app, sandbox, "taylor.reed@example.com")
    body = email(people[0]["Email"], [ALEX, "taylor.reed@example.com"])
    assert log(api, alex, body, relate_ids=[people[0]["Id"]]).json()["outcome"] == "created"

    refused = log(api, taylor, body, relate_ids=[people[0]["Id"]])
    assert refused.status_code == 409
    assert "colleague already logged this email" in refused.json()["error"]["message"]
    assert len(email_messages(admin_sf)) == 1
    headers_only = {k: body[k] for k in ("internet_message_id", "from", "to", "cc")}
    seen = api.post("/api/emails/lookup", json=headers_only, headers=taylor.headers).json()["logged"]
    assert seen == {"record": None, "by_you": False, "visible": False, "related_to_id": None}


def test_without_enhanced_email_the_email_becomes_a_completed_task(
    *,
    addin_app: FastAPI,
    api: TestClient,
    sandbox: LiveSandbox,
    admin_sf: Salesforce,
    control: httpx.Client,
    people: list[dict[str, Any]],
) -> None:
    assert control.patch("/salesforce/org", json={"enhanced_email": False}).status_code == 200
    alex = connect_rep(addin_app, sandbox, ALEX)
    sam = connect_rep(addin_app, sandbox, SAM)
    sender = people[0]
    body = email(sender["Email"], [ALEX, SAM])
    headers_only = {k: body[k] for k in ("internet_message_id", "from", "to", "cc")}
    assert api.post("/api/emails/lookup", json=headers_only, headers=alex.headers).json()["enhanced_email"] is False

    mark = sandbox.state.calls.last_id
    answer = log(api, alex, body, relate_ids=[sender["Id"]], related_to_id=sender["AccountId"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["record"]["object"] == "Task"
    assert any("Enhanced Email" in note for note in answer.json()["notes"])
    # Chosen from the describe, not by trying: nothing was ever sent to EmailMessage.
    assert not [call for call in salesforce_calls(sandbox, mark) if "EmailMessage" in call.path]

    [task] = records(
        admin_sf,
        "SELECT Id, Subject, Status, TaskSubtype, IsClosed, WhoId, WhatId, ActivityDate, Description FROM Task "
        f"WHERE Id = '{answer.json()['record']['id']}'",
    )
    assert (task["Status"], task["TaskSubtype"], task["IsClosed"]) == ("Completed", "Email", True)
    assert (task["WhoId"], task["WhatId"]) == (sender["Id"], sender["AccountId"])
    assert task["Subject"] == "Email: Re: the proposal"
    assert task["ActivityDate"] == "2026-11-18"
    assert f"Message-ID: {MESSAGE_ID}" in task["Description"]

    second = log(api, sam, body, relate_ids=[sender["Id"]])
    assert second.json()["outcome"] == "already_logged"
    assert second.json()["record"]["id"] == task["Id"]
    assert len(records(admin_sf, "SELECT Id FROM Task WHERE Subject = 'Email: Re: the proposal'")) == 1


@pytest.fixture
def small_files(addin_settings: Settings) -> Settings:
    """Settings whose attachment limit is 1,000 bytes."""
    return addin_settings.model_copy(update={"attachment_max_bytes": 1000})


def test_files_up_to_the_limit_are_attached_and_larger_ones_skipped_with_a_note(
    *,
    small_files: Settings,
    engine: Any,
    sandbox: LiveSandbox,
    admin_sf: Salesforce,
    control: httpx.Client,
    people: list[dict[str, Any]],
) -> None:
    from app.main import create_app

    app = create_app(small_files, engine)
    assert max_attachment_bytes(small_files) == 1000
    alex = connect_rep(app, sandbox, ALEX)
    files = {"notes.txt": b"Budget approved.\n", "proposal.pdf": b"%PDF-1.4 small", "video.mp4": b"x" * 5000}
    infos = [{"name": name, "size": len(content)} for name, content in files.items()]
    body = email(people[0]["Email"], [ALEX], attachments=infos)
    with TestClient(app) as api:
        plan = log(api, alex, body, relate_ids=[people[0]["Id"]], include_attachments=True).json()
        assert {item["name"]: item["status"] for item in plan["attachments"]} == {
            "notes.txt": "upload",
            "proposal.pdf": "upload",
            "video.mp4": "skipped",
        }
        skipped = next(item for item in plan["attachments"] if item["name"] == "video.mp4")
        assert "over the 0.0 MB limit" in skipped["note"] or "limit" in skipped["note"]

        # An upload that fails part-way leaves the logged email whole; the retry attaches the file once.
        fault = control.post(
            "/faults",
            json={
                "provider": "salesforce",
                "method": "POST",
                "path": "/sandbox.my.salesforce.com/*/sobjects/ContentVersion",
                "status": 503,
                "times": 1,
            },
        )
        assert fault.status_code == 201, fault.text

        def upload(name: str) -> httpx.Response:
            return api.post(
                "/api/emails/attachments",
                json={
                    "internet_message_id": MESSAGE_ID,
                    "name": name,
                    "content_base64": base64.b64encode(files[name]).decode(),
                },
                headers=alex.headers,
            )

        failed = upload("notes.txt")
        assert failed.status_code == 503
        assert "Salesforce" in failed.json()["error"]["message"]
        assert [upload(name).json()["status"] for name in ("notes.txt", "proposal.pdf")] == ["attached", "attached"]
        assert upload("notes.txt").json()["status"] == "already_attached"
        too_big = upload("video.mp4").json()
        assert too_big["status"] == "skipped" and "limit" in too_big["note"]

        again = log(api, alex, body, relate_ids=[people[0]["Id"]], include_attachments=True).json()
        assert {item["name"]: item["status"] for item in again["attachments"]}["notes.txt"] == "already_attached"

    [message] = email_messages(admin_sf)
    assert message["HasAttachment"] is True
    linked = records(
        admin_sf,
        f"SELECT ContentDocument.Title FROM ContentDocumentLink WHERE LinkedEntityId = '{message['Id']}'",
    )
    assert sorted(row["ContentDocument"]["Title"] for row in linked) == ["notes.txt", "proposal.pdf"]


def test_a_failure_part_way_leaves_nothing_and_the_retry_logs_once(
    addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox, admin_sf: Salesforce, people: list[dict[str, Any]]
) -> None:
    alex = connect_rep(addin_app, sandbox, ALEX)
    # The rep's own relation refers to a User that does not exist: Salesforce refuses it after the EmailMessage
    # was created in the same composite call, so the whole call is rolled back.
    with unit_of_work(addin_app.state.engine) as db:
        assert alex.user.id is not None
        save_connection(
            db,
            user_id=alex.user.id,
            provider=Provider.SALESFORCE,
            account_id="005Sb00000000zzAAA",
            tokens=IssuedTokens(
                sandbox.token("salesforce", ALEX),
                expires_at=datetime.now(UTC) + timedelta(days=1),
                instance_url=INSTANCE_URL,
            ),
            cipher=addin_app.state.token_cipher,
        )
    body = email(people[0]["Email"], [ALEX], [people[1]["Email"]])
    failed = log(api, alex, body, relate_ids=[people[0]["Id"], people[1]["Id"]])
    assert failed.status_code == 422, failed.text
    assert failed.json()["error"]["message"].startswith("Salesforce refused it")
    assert email_messages(admin_sf) == []
    assert (
        records(
            admin_sf,
            f"SELECT Id FROM EmailMessageRelation WHERE RelationId = '{people[0]['Id']}' "
            "AND EmailMessage.MessageIdentifier = '" + MESSAGE_ID + "'",
        )
        == []
    )
    assert logged_rows(addin_app.state.engine) == []

    with unit_of_work(addin_app.state.engine) as db:
        save_connection(
            db,
            user_id=alex.user.id,
            provider=Provider.SALESFORCE,
            account_id=alex.salesforce_id,
            tokens=IssuedTokens(
                sandbox.token("salesforce", ALEX),
                expires_at=datetime.now(UTC) + timedelta(days=1),
                instance_url=INSTANCE_URL,
            ),
            cipher=addin_app.state.token_cipher,
        )
    retried = log(api, alex, body, relate_ids=[people[0]["Id"], people[1]["Id"]])
    assert retried.json()["outcome"] == "created"
    [message] = email_messages(admin_sf)
    assert len(relations(message)) == 3


def test_a_crash_after_salesforce_before_the_commit_is_retried_safely(
    addin_app: FastAPI, sandbox: LiveSandbox, admin_sf: Salesforce, people: list[dict[str, Any]]
) -> None:
    alex = connect_rep(addin_app, sandbox, ALEX)
    request = LogRequest.model_validate({"email": email(people[0]["Email"], [ALEX]), "relate_ids": [people[0]["Id"]]})

    def attempt(commit: bool) -> str:
        with Session(addin_app.state.engine) as db:
            user = db.get(type(alex.user), alex.user.id)
            assert user is not None
            salesforce = RepSalesforce(
                db,
                user.id or 0,
                cipher=addin_app.state.token_cipher,
                refresher=addin_app.state.token_refresher,
                vendor_base_url=sandbox.base_url,
                now=datetime.now(UTC),
            )
            context = LoggingContext(
                db, user, salesforce, addin_app.state.salesforce_org_profiles, 1000, datetime.now(UTC)
            )
            outcome = log_email(context, request).outcome
            if commit:
                db.commit()
            else:
                db.rollback()  # the process died before the request's transaction committed
            salesforce.close()
            return outcome

    assert attempt(commit=False) == "created"
    assert logged_rows(addin_app.state.engine) == []
    assert attempt(commit=True) == "already_logged"
    [message] = email_messages(admin_sf)
    assert relations(message) == {(people[0]["Id"], "FromAddress"), (alex.salesforce_id, "ToAddress")}
    assert len(logged_rows(addin_app.state.engine)) == 1


def test_an_expired_session_is_refreshed_and_the_call_retried_once(
    addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox, admin_sf: Salesforce, people: list[dict[str, Any]]
) -> None:
    stale = sandbox.token("salesforce", ALEX)
    alex = connect_rep(
        addin_app, sandbox, ALEX, access_token=stale, refresh_token=salesforce_refresh_token(sandbox, ALEX)
    )
    sandbox.state.tokens.revoke(stale)  # Salesforce ended the session before the stored expiry
    mark = sandbox.state.calls.last_id
    answer = log(api, alex, email(people[0]["Email"], [ALEX]), relate_ids=[people[0]["Id"]])
    assert answer.status_code == 200, answer.text
    calls = [call for call in sandbox.state.calls.calls() if call.id > mark and call.provider == "salesforce"]
    assert [(call.method, call.path.rsplit("/", 1)[-1], call.status) for call in calls][:3] == [
        ("POST", "composite", 401),
        ("POST", "token", 200),
        ("POST", "composite", 200),
    ]
    assert len(email_messages(admin_sf)) == 1

    # When the refreshed session is refused too, the rep is asked to connect again (no third try).
    sandbox.state.tokens.revoke_user("salesforce", ALEX)
    mark = sandbox.state.calls.last_id
    refused = log(api, alex, email(people[0]["Email"], [ALEX], message_id="<second@example.com>"))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "connection_unavailable"
    assert len([c for c in salesforce_calls(sandbox, mark) if c.path.endswith("/composite")]) == 1


def test_choices_are_checked(
    addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox, admin_sf: Salesforce, people: list[dict[str, Any]]
) -> None:
    alex = connect_rep(addin_app, sandbox, ALEX)
    body = email(people[0]["Email"], [ALEX])
    not_on_email = log(api, alex, body, relate_ids=[people[2]["Id"]])
    assert not_on_email.status_code == 422
    assert "not among this email's Contacts and Leads" in not_on_email.json()["error"]["message"]
    contact_as_related = log(api, alex, body, relate_ids=[], related_to_id=people[0]["Id"])
    assert contact_as_related.status_code == 422
    assert "Account, an Opportunity or a Case" in contact_as_related.json()["error"]["message"]
    naive_date = log(api, alex, {**body, "date": "2026-11-18T09:30:00"})
    assert naive_date.status_code == 422
    assert email_messages(admin_sf) == []


def test_long_bodies_and_subjects_fit_salesforce(
    addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox, admin_sf: Salesforce, people: list[dict[str, Any]]
) -> None:
    alex = connect_rep(addin_app, sandbox, ALEX)
    body = email(
        people[0]["Email"], [ALEX], subject="S" * 5000, text_body="t" * 200_000, html_body="<p>" + "h" * 200_000
    )
    assert log(api, alex, body, relate_ids=[people[0]["Id"]]).status_code == 200
    [message] = records(
        admin_sf, f"SELECT Subject, TextBody, HtmlBody FROM EmailMessage WHERE MessageIdentifier = '{MESSAGE_ID}'"
    )
    assert len(message["Subject"]) == 3000
    assert len(message["TextBody"]) == 131072 and message["TextBody"].endswith(
        "[Shortened by crmbridge to fit Salesforce.]"
    )
    assert len(message["HtmlBody"]) == 131072
