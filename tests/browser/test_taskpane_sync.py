"""The task pane's Sync view in Chromium, on the sandbox demo: reached by keyboard, it shows the last pass and the
main sync settings from the API, saves them with the pane's token, and reads well at the task pane's width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from app.db import unit_of_work
from app.models import ChangeSource, SyncRunStatus, UserSetting
from app.services import preferences
from app.services.preferences import ConfigurationSpec
from tests.addin.conftest import (  # noqa: F401  (fixtures)
    ALEX,
    LiveSandbox,
    addin_app,
    addin_settings,
    connect_rep,
    live_sandbox,
    sandbox,
)
from tests.live_server import serve_in_thread
from tests.services.test_dashboard import add_run, counts

TASK_PANE_WIDTH = 350
SAVED = "Saved; the next pass uses these settings."
LOCKED = "Set by your administrator"


@pytest.fixture
def demo_url(addin_app: FastAPI) -> Iterator[str]:  # noqa: F811
    """The application (sandbox mode, on the live sandbox) over real HTTP."""
    with serve_in_thread(addin_app) as base_url:
        yield base_url


def _no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def _stored(app: FastAPI, user_id: int) -> dict[str, object]:
    with unit_of_work(app.state.engine) as db:
        rows = db.exec(select(UserSetting).where(col(UserSetting.user_id) == user_id)).all()
        return {row.key: row.value for row in rows}


def _open_demo(page: Page, demo_url: str) -> None:
    page.set_viewport_size({"width": TASK_PANE_WIDTH, "height": 900})
    page.goto(f"{demo_url}/addin/demo?user={ALEX}")
    page.locator(".demo-messages a").filter(has_text="proposal").first.click()
    page.get_by_role("button", name="Allow").click()
    expect(page.locator("#signed-in")).to_have_text(ALEX)


def _open_sync_by_keyboard(page: Page) -> None:
    toggle = page.get_by_role("button", name="Sync", exact=True)
    expect(toggle).to_be_visible()
    page.locator("body").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "sync-toggle":
            break
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("heading", name="Sync", exact=True)).to_be_focused()
    expect(page.get_by_role("button", name="Save")).to_be_visible()


def test_the_sync_view_shows_the_last_pass_and_saves_settings(
    page: Page,
    demo_url: str,
    addin_app: FastAPI,  # noqa: F811
    sandbox: LiveSandbox,  # noqa: F811
) -> None:
    alex = connect_rep(addin_app, sandbox, ALEX)
    assert alex.user.id is not None
    add_run(
        addin_app.state.engine,
        alex.user.id,
        datetime.now(UTC) - timedelta(minutes=20),
        status=SyncRunStatus.PARTIAL,
        mailbox=counts(created=2),
        salesforce=counts(errors=1),
        message="Salesforce rejected 1 contact: Last Name too long",
    )
    _open_demo(page, demo_url)
    _open_sync_by_keyboard(page)

    expect(page.locator("#sync-last-pass")).to_have_text(
        re.compile(
            r"^Last pass \(contacts\): Finished with errors, 1[89] minutes ago \(by crmbridge sync\): "
            r"2 changes, 1 error\.$"
        )
    )
    expect(page.locator(".sync-problems li").first).to_contain_text("Last Name too long")
    expect(page.locator("#pane")).to_be_hidden()
    method = page.get_by_role("group", name="Sync method")
    expect(method.get_by_role("radio", name="Automatic: Sync all items")).to_be_checked()
    expect(method).to_have_accessible_description(
        'Which mailbox items sync: all of them (except those marked "Don\'t sync with Salesforce"), or only the '
        'ones marked "Sync with Salesforce".'
    )
    contacts = page.get_by_role("checkbox", name="Sync contacts")
    expect(contacts).to_be_checked()
    expect(contacts).to_have_accessible_description("Sync contacts.")
    expect(page.get_by_role("combobox", name="Contacts direction")).to_have_value("both")
    expect(page.get_by_role("checkbox", name="Forbid to remove contacts")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Include private items")).not_to_be_checked()
    expect(page.get_by_role("combobox", name="Conflict policy")).to_have_value("salesforce_wins")
    all_settings = page.get_by_role("link", name="All settings")
    expect(all_settings).to_have_attribute("href", "/settings")
    expect(all_settings).to_have_attribute("target", "_blank")
    assert _no_horizontal_scroll(page), "the Sync view scrolls sideways"

    # Change settings by keyboard, then save with Enter on the button.
    page.get_by_role("radio", name="Manual: Sync only the items I select").focus()
    page.keyboard.press("Space")
    page.get_by_role("combobox", name="Contacts direction").select_option(label="Salesforce to the mailbox only")
    page.get_by_role("checkbox", name="Include private items").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#sync-message")).to_have_text(SAVED)
    assert _stored(addin_app, alex.user.id) == {
        "sync.selection": "manual",
        "contacts.direction": "sf_to_mailbox",
        "sync.include_private": True,
    }

    # Back to the email (Escape), and the Sync view again: the saved values.
    page.keyboard.press("Escape")
    expect(page.locator("#pane")).to_be_visible()
    expect(page.get_by_role("button", name="Sync", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("radio", name="Manual: Sync only the items I select")).to_be_checked()

    # Reloading the pane keeps them too.
    page.reload()
    expect(page.locator("#signed-in")).to_have_text(ALEX)
    _open_sync_by_keyboard(page)
    expect(page.get_by_role("radio", name="Manual: Sync only the items I select")).to_be_checked()
    expect(page.get_by_role("combobox", name="Contacts direction")).to_have_value("sf_to_mailbox")
    expect(page.get_by_role("checkbox", name="Include private items")).to_be_checked()
    expect(page.locator("#sync-last-pass")).to_contain_text("Last pass (contacts): Finished with errors")
    assert _no_horizontal_scroll(page), "the Sync view scrolls sideways"
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_locked_settings_and_a_refusal(
    page: Page,
    demo_url: str,
    addin_app: FastAPI,  # noqa: F811
    sandbox: LiveSandbox,  # noqa: F811
) -> None:
    alex = connect_rep(addin_app, sandbox, ALEX)
    assert alex.user.id is not None
    with unit_of_work(addin_app.state.engine) as db:
        spec = ConfigurationSpec(
            name="Field sales", user_emails=[ALEX], mode="enforced", defaults={"sync.conflict_policy": "mailbox_wins"}
        )
        preferences.create_configuration(db, spec, actor=None, source=ChangeSource.CLI)
    _open_demo(page, demo_url)
    _open_sync_by_keyboard(page)

    expect(page.locator("#sync-last-pass")).to_have_text("No sync pass has run yet.")
    policy = page.get_by_role("combobox", name="Conflict policy")
    expect(policy).to_be_disabled()
    expect(policy).to_have_value("mailbox_wins")
    expect(policy).to_have_accessible_description(
        f"Whose value is kept when the same field changed on both sides. {LOCKED}"
    )
    expect(policy.locator("option")).to_have_count(1)
    assert _no_horizontal_scroll(page), "the Sync view scrolls sideways"

    # While the view is open, the administrator allows only automatic selection: the change is refused.
    with unit_of_work(addin_app.state.engine) as db:
        spec = ConfigurationSpec(name="Automatic only", priority=1, user_emails=[ALEX], selection_methods=["automatic"])
        preferences.create_configuration(db, spec, actor=None, source=ChangeSource.CLI)
    page.get_by_role("radio", name="Manual: Sync only the items I select").check()
    page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert.locator("strong")).to_have_text(
        "sync.selection is set to automatic by your administrator's sync configuration 'Automatic only' and cannot "
        "be changed; ask your administrator."
    )
    expect(page.locator("#sync-message")).not_to_have_text(SAVED)
    expect(page.get_by_role("radio", name="Manual: Sync only the items I select")).to_be_checked()
    assert _stored(addin_app, alex.user.id) == {}
    # Chromium notes the refusal's status in the console; that is the refusal itself, and nothing else is there.
    errors: list[str] = page.console_errors  # type: ignore[attr-defined]
    assert len(errors) == 1 and "422" in errors[0], errors
