"""No user reaches another user's data: every route of the app, from its route table, called as user A against
user B's resources.

How each route is judged:

- A route whose path names a resource (``/admin/users/{user_id}/remove``, ...) is called with B's ids and must
  answer 403 or 404.
- A route without such a parameter acts on the caller's own data (``/connections``, ``/api/...`` of the caller):
  called as A, it must not show any of B's data, and it must refuse a caller without credentials (401, 403, or a
  redirect to sign-in) unless it is on the reviewed list of public routes below.
- After every call, B still has everything B had.

A new route is covered without touching this file; a new kind of path parameter makes the test fail until its
value for B is added to ``B_PARAMETERS`` (so someone decides what B's resource is).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.routing import Mount, Route

from app.connectors.oauth_clients import SANDBOX_CLIENT_IDS
from app.db import unit_of_work
from app.main import create_app
from app.models import (
    Connection,
    ItemType,
    LoggedEmail,
    Provider,
    SyncCursor,
    SyncLink,
    SyncPolicy,
    SyncRun,
    SyncTrigger,
    User,
    UserSetting,
    WebSession,
)
from app.services.connections import IssuedTokens, save_connection
from app.settings import Settings
from tests.accounts_support import SignedIn, add_user, mint_api_token, sign_in
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401  (fixtures)
from tests.sandbox.oauth_browser import vendor_client

#: Routes anyone may call, and why. Reviewed: none of them reads or changes a user's data.
PUBLIC_ROUTES: dict[str, str] = {
    "/": "the start page",
    "/healthz": "health of the service, no user data",
    "/openapi.json": "the API's description",
    "/docs": "the API's documentation page",
    "/docs/oauth2-redirect": "part of the documentation page",
    "/redoc": "the API's documentation page",
    "/signin": "the sign-in page",
    "/signin/{provider}": "starts a sign-in at Microsoft or Google",
    "/signout": "ends the caller's own session (a signed-out caller is sent to sign-in)",
    "/oauth/{provider}/callback": "the vendors' redirect back; checks the flow cookie and, for connect, the user",
    "/addin/manifest.xml": "the Outlook add-in manifest of this deployment, the same for everyone",
    "/taskpane": "the task pane page; its data comes from /api with the user's bearer token",
    "/addin/demo": "sandbox mode only: the add-in demo over the sandbox's own demo mailboxes",
    "/addin/demo/taskpane": "sandbox mode only: the task pane with the Office.js stand-in",
    "/addin/demo/signed-in": "sandbox mode only: where the demo's sandbox sign-in returns",
    "/addin/demo/token": "sandbox mode only: redeems a code the sandbox issued to this browser",
}
#: Mounted applications, and why they are not per-user.
PUBLIC_MOUNTS: dict[str, str] = {
    "/static": "scripts, styles and icons",
    "/sandbox": "the built-in vendor sandbox (sandbox mode only), standing in for the vendors' own sites",
}
#: Path parameters that choose among the caller's own things rather than naming someone's resource.
SELECTORS: dict[str, str] = {"provider": "salesforce"}

#: B is not a sandbox account, so nothing the sandbox shows (demo pages list its accounts) is mistaken for B's.
B_EMAIL = "bailey.brooks@example.org"
B_MARKERS_EXTRA = ("B's private subject", "sf-account-of-b", "005B00000000001AAA")


@dataclass
class Resources:
    """User B's things, by the path parameter names that can name them."""

    user: User
    parameters: dict[str, str]
    markers: tuple[str, ...]


def _seed_b(engine: Engine, cipher: object) -> Resources:
    b = add_user(engine, B_EMAIL, mailbox="google")
    assert b.id is not None
    with unit_of_work(engine) as db:
        for provider, account in ((Provider.SALESFORCE, "005B00000000001AAA"), (Provider.GOOGLE, "sf-account-of-b")):
            save_connection(
                db,
                user_id=b.id,
                provider=provider,
                account_id=account,
                username=B_EMAIL,
                tokens=IssuedTokens(f"b-access-{provider.value}", f"b-refresh-{provider.value}"),
                cipher=cipher,  # type: ignore[arg-type]
            )
        email = LoggedEmail(
            user_id=b.id,
            internet_message_id="<b-message@example.com>",
            salesforce_object="EmailMessage",
            salesforce_id="02sB00000000001AAA",
            subject="B's private subject",
        )
        run = SyncRun(user_id=b.id, trigger=SyncTrigger.MANUAL)
        link = SyncLink(
            user_id=b.id, item_type=ItemType.CONTACT, mailbox_id="people/c1", salesforce_id="003B00000001AAA"
        )
        db.add_all([email, run, link])
        db.add(UserSetting(user_id=b.id, key="sync.contacts", value={"enabled": True}))
        db.add(SyncCursor(user_id=b.id, collection="contacts", value="cursor-of-b"))
        # A sync configuration is not a user's resource but an admin's; this one names B (A must not see it), and
        # A, a rep, is refused it (403) as any of B's resources.
        configuration = SyncPolicy(name="Configuration of B", user_emails=[B_EMAIL])
        db.add(configuration)
        db.flush()
        parameters = {
            "user_id": str(b.id),
            "id": str(email.id),
            "email_id": str(email.id),
            "logged_email_id": str(email.id),
            "internet_message_id": email.internet_message_id,
            "message_id": email.internet_message_id,
            "run_id": str(run.id),
            "sync_run_id": str(run.id),
            "link_id": str(link.id),
            "key": "sync.contacts",
            "setting_key": "sync.contacts",
            "collection": "contacts",
            "configuration_id": str(configuration.id),
        }
    return Resources(b, parameters, (B_EMAIL, "Bailey", *B_MARKERS_EXTRA))


def _snapshot(engine: Engine, user_id: int) -> dict[str, object]:
    """Everything the database holds for a user."""
    with Session(engine) as db:
        return {
            "user": db.get(User, user_id) is not None,
            "connections": sorted(
                (c.provider.value, c.status.value, c.access_token_ciphertext is not None)
                for c in db.exec(select(Connection).where(Connection.user_id == user_id))
            ),
            "emails": len(list(db.exec(select(LoggedEmail).where(LoggedEmail.user_id == user_id)))),
            "runs": len(list(db.exec(select(SyncRun).where(SyncRun.user_id == user_id)))),
            "links": len(list(db.exec(select(SyncLink).where(SyncLink.user_id == user_id)))),
            "settings": [s.value for s in db.exec(select(UserSetting).where(UserSetting.user_id == user_id))],
            "cursors": [c.value for c in db.exec(select(SyncCursor).where(SyncCursor.user_id == user_id))],
            "configurations": [(p.name, p.user_emails) for p in db.exec(select(SyncPolicy))],
            "sessions": len(list(db.exec(select(WebSession).where(WebSession.user_id == user_id)))),
        }


def _calls(application: FastAPI) -> Iterator[tuple[str, str, list[str]]]:
    """(method, path template, its parameter names) of every route; mounts are checked against the list."""
    # FastAPI keeps included routers as such; iter_route_contexts flattens them into the routes they serve.
    for context in iter_route_contexts(application.routes):
        route = context.original_route
        path = context.path or ""
        if isinstance(route, Mount):
            assert path in PUBLIC_MOUNTS, f"mount {path} is not on the reviewed list of public mounts"
            continue
        assert isinstance(route, (APIRoute, Route)), f"unexpected kind of route: {route!r}"
        names = re.findall(r"{([^}:]+)(?::[^}]+)?}", path)
        for method in sorted((context.methods or {"GET"}) - {"HEAD"}):
            yield method, path, names


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"{([^}:]+)(?::[^}]+)?}", lambda match: values[match.group(1)], path)


def _leaks(response: httpx.Response, markers: tuple[str, ...]) -> list[str]:
    body = response.text
    return [marker for marker in markers if marker in body]


@pytest.fixture
def sandbox_base_url(sandbox: LiveSandbox) -> str:  # noqa: F811
    """The live sandbox, with the demo users, whose Microsoft identity provider issues A's bearer token."""
    return sandbox.base_url


@pytest.fixture
def isolation_app(settings: Settings, engine: Engine, sandbox_base_url: str) -> FastAPI:
    """The whole application, its vendor calls going to the live sandbox."""
    return create_app(settings.model_copy(update={"sandbox_url": sandbox_base_url}), engine)


def test_every_route_keeps_users_apart(isolation_app: FastAPI, engine: Engine, sandbox_base_url: str) -> None:
    cipher = isolation_app.state.token_cipher
    b = _seed_b(engine, cipher)
    assert b.user.id is not None
    sign_in(isolation_app, b.user)  # B is signed in somewhere: that session must survive A's calls
    a = add_user(engine, "alex.morgan@example.com")
    assert a.id is not None
    with unit_of_work(engine) as db:
        save_connection(
            db,
            user_id=a.id,
            provider=Provider.SALESFORCE,
            account_id="005A00000000001AAA",
            username=a.email,
            tokens=IssuedTokens("a-access", "a-refresh"),
            cipher=cipher,
        )
    before = _snapshot(engine, b.user.id)

    with vendor_client(sandbox_base_url) as vendor:
        bearer = mint_api_token(vendor, SANDBOX_CLIENT_IDS[Provider.MICROSOFT], a.email)
    checked: list[str] = []
    api_statuses: list[int] = []
    for method, template, names in _calls(isolation_app):
        unknown = [name for name in names if name not in SELECTORS and name not in b.parameters]
        if unknown:
            pytest.fail(f"{method} {template}: add user B's value for {unknown} to the isolation test")
        names_resource = any(name not in SELECTORS for name in names)
        path = _fill(template, {**SELECTORS, **b.parameters})
        session: SignedIn = sign_in(isolation_app, a)  # a fresh session: a sign-out route may end the last one
        with TestClient(isolation_app, follow_redirects=False) as client:
            client.cookies.set(session.cookie_name, session.cookie_value)
            headers = {"X-CSRF-Token": session.csrf_token}
            if template.startswith("/api/"):
                headers["Authorization"] = f"Bearer {bearer}"
            body = {"json": {}} if template.startswith("/api/") else {"data": {"csrf_token": session.csrf_token}}
            answer = client.request(method, path, headers=headers, **(body if method != "GET" else {}))
            assert answer.status_code < 500, f"{method} {path} as A: {answer.status_code} {answer.text[:300]}"
            if names_resource:
                assert answer.status_code in (403, 404), (
                    f"{method} {path}: user A reached user B's resource ({answer.status_code} {answer.text[:300]})"
                )
            if template.startswith("/api/"):
                api_statuses.append(answer.status_code)
            leaked = _leaks(answer, b.markers)
            assert not leaked, f"{method} {path}: user A saw user B's data: {leaked}"

        if template not in PUBLIC_ROUTES:
            with TestClient(isolation_app, follow_redirects=False) as anonymous:
                answer = anonymous.request(method, path)
            signin_redirect = answer.status_code == 303 and answer.headers["location"].startswith("/signin")
            assert answer.status_code in (401, 403) or signin_redirect, (
                f"{method} {path} answers {answer.status_code} without credentials; make it require them, or add "
                "it to PUBLIC_ROUTES with the reason"
            )
        assert _snapshot(engine, b.user.id) == before, f"{method} {path} as A changed user B's data"
        checked.append(f"{method} {template}")

    # A's bearer token is accepted, so the /api routes were judged on what they do, not refused at the door.
    assert not api_statuses or any(status != 401 for status in api_statuses), api_statuses
    for must_be_covered in ("GET /connections", "POST /connections/{provider}/disconnect", "GET /admin/users"):
        assert must_be_covered in checked
    assert "POST /admin/users/{user_id}/remove" in checked


def test_the_mounted_sandbox_is_the_only_other_mount(settings: Settings, engine: Engine) -> None:
    routes = iter_route_contexts(create_app(settings, engine).routes)
    mounts = {context.path for context in routes if isinstance(context.original_route, Mount)}
    assert mounts <= set(PUBLIC_MOUNTS)
    assert "/sandbox" in mounts


def test_admins_see_everyone(isolation_app: FastAPI, engine: Engine) -> None:
    b = add_user(engine, B_EMAIL, mailbox="google")
    admin = add_user(engine, "sam.taylor@example.com", admin=True)
    session = sign_in(isolation_app, admin)
    with TestClient(isolation_app, follow_redirects=False) as client:
        client.cookies.set(session.cookie_name, session.cookie_value)
        page = client.get("/admin/users")
        assert page.status_code == 200
        assert B_EMAIL in page.text
        removed = client.post(f"/admin/users/{b.id}/remove", data={"csrf_token": session.csrf_token})
        assert removed.status_code == 303
    with Session(engine) as db:
        assert db.get(User, b.id) is None


def test_unused_ids_are_still_refused(isolation_app: FastAPI, engine: Engine) -> None:
    """A made-up id is as unreachable as someone else's (no difference an attacker could probe)."""
    a = add_user(engine, "alex.morgan@example.com")
    session = sign_in(isolation_app, a)
    with TestClient(isolation_app, follow_redirects=False) as client:
        client.cookies.set(session.cookie_name, session.cookie_value)
        answer = client.post(f"/admin/users/{uuid.uuid4().int % 10**6}/remove", data={"csrf_token": session.csrf_token})
        assert answer.status_code == 403
