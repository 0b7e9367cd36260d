"""Signing in and connecting Salesforce, Microsoft and Google in headless Chromium, against the sandbox's identity
providers; then the connection makes a real API call."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.connectors.probes import probe
from app.main import create_app
from app.models import ConnectionStatus, Provider
from app.services.connections import get_connection, vendor_access
from app.services.users import find_user
from app.settings import Settings
from tests.accounts_support import add_user
from tests.live_server import loopback_socket, serve_in_thread
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401  (fixtures)


@dataclass
class LiveApp:
    """The application served over HTTP at ``url``, its vendor calls going to the live sandbox."""

    url: str
    app: FastAPI


@pytest.fixture
def live_app(settings: Settings, engine: Engine, sandbox: LiveSandbox) -> Iterator[LiveApp]:  # noqa: F811
    sock = loopback_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    application = create_app(settings.model_copy(update={"public_url": url, "sandbox_url": sandbox.base_url}), engine)
    with serve_in_thread(application, sock):
        yield LiveApp(url, application)


@pytest.fixture
def page_errors(page: Page, sandbox: LiveSandbox) -> list[str]:  # noqa: F811
    """Console errors of the test's pages, the sandbox's sign-in pages included."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def choose_account_and_allow(page: Page, vendor: str, email: str) -> None:
    """On the sandbox's sign-in page: pick the account, then Allow."""
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign in to {vendor}")
    page.get_by_label(email, exact=False).check()
    page.get_by_role("button", name="Allow").click()


def sign_in(page: Page, live: LiveApp, with_: str, email: str) -> None:
    page.goto(live.url + "/connections")
    expect(page).to_have_url(live.url + "/signin?next=%2Fconnections")
    page.get_by_role("link", name=f"Sign in with {with_}").click()
    choose_account_and_allow(page, with_, email)
    expect(page).to_have_url(live.url + "/connections")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connections")


FLOWS = [
    # provider, card label, vendor on the sign-in page, signs in with, account
    ("salesforce", "Salesforce", "Salesforce", "Microsoft", "alex.morgan@example.com"),
    ("microsoft", "Microsoft 365", "Microsoft", "Microsoft", "alex.morgan@example.com"),
    ("google", "Google", "Google", "Google", "priya.shah@example.com"),
]


@pytest.mark.parametrize("flow", FLOWS, ids=[flow[0] for flow in FLOWS])
def test_connect_flow_in_the_browser(
    page: Page, page_errors: list[str], live_app: LiveApp, engine: Engine, flow: tuple[str, str, str, str, str]
) -> None:
    provider, label, vendor, signin_with, email = flow
    sign_in(page, live_app, signin_with, email)
    card = page.locator(f"#connection-{provider}")
    expect(card.get_by_text("Not connected")).to_be_visible()

    card.get_by_role("button", name=f"Connect {label}").click()
    choose_account_and_allow(page, vendor, email)

    expect(page).to_have_url(f"{live_app.url}/connections?notice=connected&provider={provider}")
    expect(page.get_by_role("status")).to_have_text(f"{label} is connected.")
    expect(card.get_by_text(f"Connected as {email}")).to_be_visible()
    assert page_errors == []

    # The connection works for an API call: a fresh access token, used at the vendor (through the sandbox).
    with Session(engine) as db:
        user = find_user(db, email)
        assert user is not None and user.id is not None
        connection = get_connection(db, user.id, Provider(provider))
        assert connection is not None and connection.status is ConnectionStatus.ACTIVE
        access = vendor_access(
            db,
            user.id,
            Provider(provider),
            cipher=live_app.app.state.token_cipher,
            refresher=live_app.app.state.token_refresher,
            now=datetime.now(UTC),
        )
        probe(access, live_app.app.state.vendor_base_url)

    # And the page's own check says so too.
    card.get_by_role("button", name=f"Check {label}").click()
    expect(page.get_by_role("status")).to_have_text(f"{label} answered: the connection works.")


def test_revoked_connection_asks_to_reconnect(
    page: Page,
    page_errors: list[str],
    live_app: LiveApp,
    sandbox: LiveSandbox,  # noqa: F811
) -> None:
    sign_in(page, live_app, "Google", "zoe.lefevre@example.com")
    card = page.locator("#connection-google")
    card.get_by_role("button", name="Connect Google").click()
    choose_account_and_allow(page, "Google", "zoe.lefevre@example.com")
    expect(card.get_by_text("Connected as zoe.lefevre@example.com")).to_be_visible()

    sandbox.state.tokens.revoke_user("google", "zoe.lefevre@example.com")
    card.get_by_role("button", name="Check Google").click()
    expect(page.get_by_role("status")).to_contain_text("no longer accepts crmbridge's access")
    expect(card.get_by_role("alert")).to_contain_text("Needs re-authorisation")
    card.get_by_role("button", name="Reconnect Google").click()
    choose_account_and_allow(page, "Google", "zoe.lefevre@example.com")
    expect(card.get_by_text("Connected as zoe.lefevre@example.com")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_app.url + "/signin?notice=signed_out")
    assert page_errors == []


def test_account_pages_fit_the_task_pane(
    page: Page, page_errors: list[str], live_app: LiveApp, engine: Engine, tmp_path: Path
) -> None:
    add_user(engine, "sam.taylor@example.com", admin=True)
    page.set_viewport_size({"width": 350, "height": 700})
    sign_in(page, live_app, "Microsoft", "sam.taylor@example.com")
    for path in ("/connections", "/admin/users", "/signin"):
        page.goto(live_app.url + path)
        fits = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '_')}.png"), full_page=True)
        wide = page.evaluate(
            "[...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 351)"
            ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
        )
        assert fits, f"{path} scrolls sideways at 350 px: {wide}"
    page.goto(live_app.url + "/admin/users")
    page.get_by_label("Email address").fill("new.rep@example.com")
    page.get_by_label("Mailbox").select_option("google")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("status")).to_have_text("The user was added; they can sign in now.")
    expect(page.get_by_role("button", name="Remove new.rep@example.com")).to_be_visible()
    assert page_errors == []
