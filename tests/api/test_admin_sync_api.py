"""The admin's Users table with each user's sync state, and Reset sync: the page, the form and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.connectors.oauth_clients import SANDBOX_CLIENT_IDS
from app.db import unit_of_work
from app.main import create_app
from app.models import ItemType, Provider, SyncCursor, SyncLink, SyncRun, SyncRunStatus, SyncTrigger, User
from app.settings import Settings
from tests.accounts_support import add_user, mint_api_token, signed_in_client
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401  (fixtures)
from tests.sandbox.oauth_browser import vendor_client

ADMIN = "sam.taylor@example.com"
REP = "alex.morgan@example.com"
GMAIL_REP = "priya.shah@example.com"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def admin_app(settings: Settings, engine: Engine, sandbox: LiveSandbox) -> FastAPI:  # noqa: F811
    """The application, its vendor calls (and API sign-in) going to the live sandbox."""
    return create_app(settings.model_copy(update={"sandbox_url": sandbox.base_url}), engine)


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    """An admin, an Outlook rep and a Gmail rep."""
    return {
        ADMIN: add_user(engine, ADMIN, admin=True),
        REP: add_user(engine, REP),
        GMAIL_REP: add_user(engine, GMAIL_REP, mailbox="google"),
    }


@pytest.fixture
def admin_browser(admin_app: FastAPI, people: dict[str, User]) -> Iterator[tuple[TestClient, str]]:
    """A browser signed in as the admin, and its CSRF token."""
    client, session = signed_in_client(admin_app, people[ADMIN])
    with client:
        yield client, session.csrf_token


def token_for(sandbox: LiveSandbox, email: str) -> dict[str, str]:  # noqa: F811
    with vendor_client(sandbox.base_url) as vendor:
        return {"Authorization": f"Bearer {mint_api_token(vendor, SANDBOX_CLIENT_IDS[Provider.MICROSOFT], email)}"}


def give_sync_state(engine: Engine, user: User, *, links: int = 4) -> None:
    assert user.id is not None
    with unit_of_work(engine) as db:
        db.add_all(
            SyncLink(user_id=user.id, item_type=ItemType.CONTACT, mailbox_id=f"m{n}", salesforce_id=f"003{n:015d}")
            for n in range(links)
        )
        db.add(SyncCursor(user_id=user.id, collection="contact:cursor:mailbox", value="delta"))
        db.add(SyncCursor(user_id=user.id, collection="contact:cursor:salesforce", value="stamp"))


def add_run(engine: Engine, user: User, status: SyncRunStatus, started: datetime, **extra: Any) -> None:
    assert user.id is not None
    with unit_of_work(engine) as db:
        db.add(
            SyncRun(
                user_id=user.id,
                item_types=["contact"],
                trigger=SyncTrigger.CLI,
                status=status,
                started_at=started,
                finished_at=None if status is SyncRunStatus.RUNNING else started + timedelta(seconds=30),
                **extra,
            )
        )


def state_of(engine: Engine, user: User) -> tuple[int, int, list[SyncTrigger]]:
    with Session(engine) as db:
        links = len(db.exec(select(SyncLink).where(SyncLink.user_id == user.id)).all())
        cursors = len(db.exec(select(SyncCursor).where(SyncCursor.user_id == user.id)).all())
        runs = [r.trigger for r in db.exec(select(SyncRun).where(SyncRun.user_id == user.id).order_by(SyncRun.id))]
    return links, cursors, runs


def row_of(page: str, user: User) -> str:
    match = re.search(rf'<tr id="user-{user.id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {user.email}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


# -- the Users table ---------------------------------------------------------------------------------------------


def test_the_users_table_shows_each_users_last_pass_next_pass_and_errors(
    admin_browser: tuple[TestClient, str], engine: Engine, people: dict[str, User]
) -> None:
    client, _csrf = admin_browser
    counts = {"mailbox": {"errors": 2}, "salesforce": {"errors": 1}, "conflicts": 0}
    add_run(engine, people[REP], SyncRunStatus.SUCCEEDED, datetime(2025, 6, 1, 8, 0, tzinfo=UTC))
    add_run(
        engine,
        people[REP],
        SyncRunStatus.PARTIAL,
        datetime(2025, 6, 2, 9, 30, tzinfo=UTC),
        counts=counts,
        message="Salesforce rejected 3 contacts: Last Name too long",
    )
    add_run(
        engine,
        people[GMAIL_REP],
        SyncRunStatus.FAILED,
        datetime(2025, 6, 2, 10, 0, tzinfo=UTC),
        message="The pass stopped before recording anything: People API unavailable",
    )
    add_run(engine, people[ADMIN], SyncRunStatus.RUNNING, datetime(2025, 6, 2, 10, 5, tzinfo=UTC))
    newbie = add_user(engine, "jordan.lee@example.com")

    page = client.get("/admin/users")

    assert page.status_code == 200
    for header in ("Last pass", "Next pass", "Errors"):
        assert f'<th scope="col">{header}</th>' in page.text
    rep = row_of(page.text, people[REP])
    assert "2025-06-02 09:30 UTC finished with errors" in rep
    assert "not scheduled" in rep
    assert "3 item errors" in rep and "Last Name too long" in rep and "the pass" not in rep
    gmail = row_of(page.text, people[GMAIL_REP])
    assert "2025-06-02 10:00 UTC failed" in gmail and "0 item errors the pass failed" in gmail
    assert "People API unavailable" in gmail
    admin = row_of(page.text, people[ADMIN])
    assert "10:05 UTC running not scheduled pass running" in admin and "item error" not in admin
    newcomer = row_of(page.text, newbie)
    assert "never synced" in newcomer and "not scheduled" in newcomer
    assert f'href="/admin/users/{people[REP].id}/reset-sync"' in page.text


def test_the_users_page_does_not_query_per_user(
    admin_browser: tuple[TestClient, str], engine: Engine, people: dict[str, User]
) -> None:
    client, _csrf = admin_browser

    def statements_for_page() -> int:
        seen: list[str] = []

        def record(*args: Any) -> None:
            seen.append(str(args[2]))

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get("/admin/users").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        return len(seen)

    for user in people.values():
        add_run(engine, user, SyncRunStatus.SUCCEEDED, NOW - timedelta(hours=1))
    few = statements_for_page()
    for n in range(15):
        extra = add_user(engine, f"extra{n}@example.com")
        add_run(engine, extra, SyncRunStatus.SUCCEEDED, NOW - timedelta(hours=n))
        add_run(engine, extra, SyncRunStatus.PARTIAL, NOW - timedelta(minutes=n), counts={"mailbox": {"errors": 1}})
    many = statements_for_page()
    assert many == few, f"{few} statements for 3 users, {many} for 18"


def test_a_reset_since_the_last_pass_is_shown_with_the_notice(
    admin_browser: tuple[TestClient, str], engine: Engine, people: dict[str, User]
) -> None:
    client, csrf = admin_browser
    add_run(engine, people[REP], SyncRunStatus.SUCCEEDED, NOW - timedelta(days=1))
    give_sync_state(engine, people[REP])

    answer = client.post(f"/admin/users/{people[REP].id}/reset-sync", data={"csrf_token": csrf, "confirm": "yes"})

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/users?notice=reset&user_id={people[REP].id}"
    page = client.get(answer.headers["location"])
    assert f"Sync was reset for {REP}." in page.text
    assert "Sync reset" in row_of(page.text, people[REP])
    assert "the next pass re-matches both sides" in row_of(page.text, people[REP])
    # The notice names only a user on the page; an unknown id shows none.
    assert "Sync was reset" not in client.get("/admin/users?notice=reset&user_id=999999").text


# -- the Reset sync page and form --------------------------------------------------------------------------------


def test_the_reset_page_says_what_a_reset_does_and_what_to_check(
    admin_browser: tuple[TestClient, str], engine: Engine, people: dict[str, User]
) -> None:
    client, _csrf = admin_browser
    give_sync_state(engine, people[REP], links=4)

    outlook = client.get(f"/admin/users/{people[REP].id}/reset-sync")
    gmail = client.get(f"/admin/users/{people[GMAIL_REP].id}/reset-sync")

    assert outlook.status_code == 200 and gmail.status_code == 200
    assert outlook.headers["cache-control"] == "no-store"
    text = " ".join(re.sub(r"<[^>]+>", " ", outlook.text).split())
    assert "4 links now" in text and "2 change cursors" in text
    assert "found by the marker it carries, even without an email address" in text
    assert "matched by email address. Nothing is duplicated and nothing is deleted." in text
    assert "“Salesforce Contacts” folder in Outlook holds only the contacts they want in Salesforce" in text
    assert "personal events in the Outlook calendar are marked private" in text
    assert 'type="checkbox" value="yes" required' in outlook.text
    assert '<label for="confirm">' in outlook.text
    gmail_text = " ".join(re.sub(r"<[^>]+>", " ", gmail.text).split())
    assert "“Salesforce Contacts” contact group in Google Contacts" in gmail_text and "0 links now" in gmail_text
    assert state_of(engine, people[REP])[:2] == (4, 2), "looking changes nothing"


def test_a_reset_without_the_confirmation_changes_nothing_and_says_why(
    admin_browser: tuple[TestClient, str], engine: Engine, people: dict[str, User]
) -> None:
    client, csrf = admin_browser
    give_sync_state(engine, people[REP])
    before = state_of(engine, people[REP])

    answer = client.post(f"/admin/users/{people[REP].id}/reset-sync", data={"csrf_token": csrf})
    wrong = client.post(f"/admin/users/{people[REP].id}/reset-sync", data={"csrf_token": csrf, "confirm": "no"})

    assert answer.status_code == 422 and wrong.status_code == 422
    assert "The reset was not confirmed, so nothing was changed" in answer.text
    assert 'role="alert"' in answer.text and "<h1>Reset sync for" in answer.text
    assert state_of(engine, people[REP]) == before


def test_the_reset_form_refuses_unknown_users_bad_ids_a_missing_csrf_token_and_reps(
    admin_app: FastAPI, admin_browser: tuple[TestClient, str], engine: Engine, people: dict[str, User]
) -> None:
    client, csrf = admin_browser
    give_sync_state(engine, people[REP])
    before = state_of(engine, people[REP])

    assert client.get("/admin/users/999999/reset-sync").status_code == 404
    unknown = client.post("/admin/users/999999/reset-sync", data={"csrf_token": csrf, "confirm": "yes"})
    assert unknown.status_code == 404 and "There is no such user." in unknown.text
    for bad in ("0", "abc", str(10**20)):
        assert client.get(f"/admin/users/{bad}/reset-sync").status_code == 422, bad
    no_csrf = client.post(f"/admin/users/{people[REP].id}/reset-sync", data={"confirm": "yes"})
    assert no_csrf.status_code == 403

    rep_client, rep_session = signed_in_client(admin_app, people[REP])
    with rep_client:
        refused = rep_client.post(
            f"/admin/users/{people[REP].id}/reset-sync", data={"csrf_token": rep_session.csrf_token, "confirm": "yes"}
        )
        assert refused.status_code == 403 and "for crmbridge administrators" in refused.text
        assert rep_client.get(f"/admin/users/{people[REP].id}/reset-sync").status_code == 403
    with TestClient(admin_app, follow_redirects=False) as anonymous:
        assert anonymous.get(f"/admin/users/{people[REP].id}/reset-sync").headers["location"].startswith("/signin")
    assert state_of(engine, people[REP]) == before


def test_a_reset_while_a_pass_runs_is_refused_on_the_page(
    admin_browser: tuple[TestClient, str], engine: Engine, people: dict[str, User]
) -> None:
    client, csrf = admin_browser
    give_sync_state(engine, people[REP])
    add_run(engine, people[REP], SyncRunStatus.RUNNING, datetime.now(UTC) - timedelta(minutes=2))
    before = state_of(engine, people[REP])

    answer = client.post(f"/admin/users/{people[REP].id}/reset-sync", data={"csrf_token": csrf, "confirm": "yes"})

    assert answer.status_code == 409
    assert "is still running; reset once it has finished. Nothing was changed." in answer.text
    assert state_of(engine, people[REP]) == before


# -- the JSON API ------------------------------------------------------------------------------------------------


def test_an_admin_resets_a_users_sync_through_the_api(
    admin_app: FastAPI,
    engine: Engine,
    people: dict[str, User],
    sandbox: LiveSandbox,  # noqa: F811
) -> None:
    give_sync_state(engine, people[REP], links=3)
    give_sync_state(engine, people[GMAIL_REP], links=2)
    with TestClient(admin_app) as api:
        answer = api.post(
            f"/api/admin/users/{people[REP].id}/reset-sync", json={"confirm": True}, headers=token_for(sandbox, ADMIN)
        )

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["user_id"] == people[REP].id and body["email"] == REP
    assert (body["links_forgotten"], body["cursors_forgotten"]) == (3, 2)
    assert body["message"] == f"Sync reset by {ADMIN}: 3 links forgotten; the next pass re-matches both sides"
    assert datetime.fromisoformat(body["reset_at"]).tzinfo is not None
    links, cursors, runs = state_of(engine, people[REP])
    assert (links, cursors, runs) == (0, 0, [SyncTrigger.RESET])
    with Session(engine) as db:
        run = db.get(SyncRun, body["run_id"])
    assert run is not None and run.status is SyncRunStatus.SUCCEEDED and run.message == body["message"]
    assert state_of(engine, people[GMAIL_REP]) == (2, 2, []), "only the named user is reset"


def test_the_api_refuses_reps_a_missing_confirmation_unknown_users_and_no_token(
    admin_app: FastAPI,
    engine: Engine,
    people: dict[str, User],
    sandbox: LiveSandbox,  # noqa: F811
) -> None:
    give_sync_state(engine, people[REP])
    before = state_of(engine, people[REP])
    path = f"/api/admin/users/{people[REP].id}/reset-sync"
    admin = token_for(sandbox, ADMIN)
    with TestClient(admin_app) as api:
        rep = api.post(path, json={"confirm": True}, headers=token_for(sandbox, REP))
        assert rep.status_code == 403
        assert rep.json()["error"]["message"] == (
            "Only crmbridge administrators can reset a user's sync; ask one of them."
        )
        for body in ({}, {"confirm": False}):
            unconfirmed = api.post(path, json=body, headers=admin)
            assert unconfirmed.status_code == 422, body
            assert 'send {"confirm": true}' in unconfirmed.json()["error"]["message"]
        for body in ({"confirm": "yes"}, {"confirm": True, "extra": 1}):
            assert api.post(path, json=body, headers=admin).status_code == 422, body
        assert (
            api.post(path, content=b"not json", headers={**admin, "content-type": "application/json"}).status_code
            == 422
        )
        unknown = api.post("/api/admin/users/999999/reset-sync", json={"confirm": True}, headers=admin)
        assert unknown.status_code == 404 and unknown.json()["error"]["message"] == "There is no such user."
        assert api.post("/api/admin/users/0/reset-sync", json={"confirm": True}, headers=admin).status_code == 422
        anonymous = api.post(path, json={"confirm": True})
        assert anonymous.status_code == 401
    assert state_of(engine, people[REP]) == before


def test_the_reset_api_is_described_in_openapi(admin_app: FastAPI) -> None:
    with TestClient(admin_app) as api:
        spec = api.get("/openapi.json").json()
    operation = spec["paths"]["/api/admin/users/{user_id}/reset-sync"]["post"]
    assert operation["summary"] == "Reset a user's sync"
    assert {"403", "404", "409", "422"} <= set(operation["responses"])
    schema = spec["components"]["schemas"]["ResetSyncRequest"]
    assert schema["properties"]["confirm"]["type"] == "boolean"
    assert "/admin/users/{user_id}/reset-sync" not in spec["paths"], "the pages stay out of the API description"
