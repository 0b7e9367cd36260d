"""The user settings page in headless Chromium: changes persist, it works by keyboard alone, every control is
labelled, locked options read as such, a refusal keeps the entries, and it fits the task pane (350 px); no console
errors anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import unit_of_work
from app.main import create_app
from app.models import ChangeSource, User, UserSetting
from app.services import preferences
from app.services.preferences import ConfigurationSpec
from app.settings import Settings
from tests.accounts_support import add_user, sign_in
from tests.live_server import serve_in_thread
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401  (fixtures)
from tests.scenarios.contact_world import ContactWorld

TASK_PANE_WIDTH = 350
REP = "alex.morgan@example.com"
NO_SALESFORCE = "jordan.lee@example.com"  # a sandbox person without a Salesforce user
SAVED = "Saved; the next pass uses these settings."
#: What Chromium logs when a save is refused (the page's status is 422): the only console error allowed.
REFUSAL_NOTE = "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"


@pytest.fixture
def rep(engine: Engine) -> User:
    return add_user(engine, REP)


def open_settings(page: Page, application: FastAPI, base_url: str, user: User) -> None:
    """Sign ``user`` in (their session cookie in the browser) and open the settings page."""
    session = sign_in(application, user)
    page.context.add_cookies([{"name": session.cookie_name, "value": session.cookie_value, "url": base_url}])
    response = page.goto(base_url + "/settings")
    assert response is not None and response.status == 200


def user_by_email(engine: Engine, email: str) -> User:
    with Session(engine) as db:
        return db.exec(select(User).where(col(User.email) == email)).one()


def stored(engine: Engine, user: User) -> dict[str, object]:
    with Session(engine) as db:
        rows = db.exec(select(UserSetting).where(col(UserSetting.user_id) == user.id))
        return {row.key: row.value for row in rows}


def focused(page: Page) -> str:
    """The id of the element that has the focus."""
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def tab_to(page: Page, dom_id: str, *, limit: int = 80) -> None:
    """Press Tab until the element with ``dom_id`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == dom_id:
            return
    raise AssertionError(f"#{dom_id} cannot be reached with the Tab key")


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_changes_persist_after_a_reload(
    page: Page, application: FastAPI, live_app_url: str, rep: User, engine: Engine
) -> None:
    open_settings(page, application, live_app_url, rep)
    expect(page).to_have_title("Settings · crmbridge")
    events = page.get_by_role("checkbox", name="Sync events")
    expect(events).not_to_be_checked()
    events.check()
    page.get_by_role("checkbox", name="Sync private items").check()
    page.get_by_role("region", name="Contacts").get_by_role("checkbox", name="Forbid to remove").uncheck()
    page.get_by_role("radio", name="Manual: Sync only the items I select").check()
    page.get_by_role("radio", name="The newest change wins").check()
    page.get_by_role("button", name="Save settings").click()

    expect(page).to_have_url(live_app_url + "/settings?notice=saved")
    expect(page.get_by_role("status")).to_have_text(SAVED)
    page.reload()
    expect(page.get_by_role("checkbox", name="Sync events")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Sync private items")).to_be_checked()
    expect(
        page.get_by_role("region", name="Contacts").get_by_role("checkbox", name="Forbid to remove")
    ).not_to_be_checked()
    expect(page.get_by_role("region", name="Tasks").get_by_role("checkbox", name="Forbid to remove")).to_be_checked()
    expect(page.get_by_role("radio", name="Manual: Sync only the items I select")).to_be_checked()
    expect(page.get_by_role("radio", name="The newest change wins")).to_be_checked()
    expect(page.get_by_role("region", name="Recent changes").get_by_role("listitem")).to_have_count(5)
    assert stored(engine, rep)["sync.conflict_policy"] == "newest_wins"
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_the_form_works_by_keyboard(
    page: Page, application: FastAPI, live_app_url: str, rep: User, engine: Engine
) -> None:
    open_settings(page, application, live_app_url, rep)

    # Tab to the first control of the form: the selection method's chosen radio; the arrow key chooses the next.
    tab_to(page, "sync-selection-1")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Manual: Sync only the items I select")).to_be_checked()
    assert focused(page) == "sync-selection-2"
    # Space ticks a checkbox; arrows move within a radio group (the chosen radio is the group's one Tab stop).
    tab_to(page, "contacts-enabled")
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Sync contacts")).not_to_be_checked()
    tab_to(page, "contacts-direction-1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(
        page.get_by_role("region", name="Contacts").get_by_role("radio", name="The mailbox to Salesforce only")
    ).to_be_checked()
    tab_to(page, "events-enabled")
    page.keyboard.press("Space")
    # Type a number of days and press Enter to save.
    tab_to(page, "events-window-past-days")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("21")
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_app_url + "/settings?notice=saved")
    expect(page.get_by_role("status")).to_have_text(SAVED)
    assert stored(engine, rep) == {
        "sync.selection": "manual",
        "contacts.enabled": False,
        "contacts.direction": "mailbox_to_sf",
        "events.enabled": True,
        "events.window_past_days": 21,
    }
    # The Save button is reachable too, and Enter on it saves.
    tab_to(page, "tasks-enabled")
    page.keyboard.press("Space")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Save settings":
            break
    else:
        raise AssertionError("the Save button cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(SAVED)
    assert stored(engine, rep)["tasks.enabled"] is True
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_every_control_has_a_label(page: Page, application: FastAPI, live_app_url: str, rep: User) -> None:
    open_settings(page, application, live_app_url, rep)
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('form input:not([type=hidden]), form select, form button')]
            .filter(e => !(e.labels && e.labels.length && e.labels[0].textContent.trim()) && !e.textContent.trim())
            .map(e => e.name || e.outerHTML)"""
    )
    assert unlabelled == []
    loose_radios = page.evaluate(
        """[...document.querySelectorAll('input[type=radio]')]
            .filter(e => !(e.closest('fieldset') && e.closest('fieldset').querySelector('legend').textContent.trim()))
            .map(e => e.id)"""
    )
    assert loose_radios == []
    # The labels are what the accessibility tree names them by, and each control says what it does.
    days = page.get_by_role("spinbutton", name="Days back")
    expect(days).to_have_value("7")
    expect(days).to_have_accessible_description("How many days back events sync.")
    expect(page.get_by_role("group", name="Direction")).to_have_count(3)
    expect(
        page.get_by_role("region", name="Events").get_by_role("group", name="Direction")
    ).to_have_accessible_description("Which way event changes go.")
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_locked_options_read_as_set_by_the_administrator(
    page: Page, application: FastAPI, live_app_url: str, rep: User, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        spec = ConfigurationSpec(
            name="Field sales",
            user_emails=[REP],
            item_types=["contact"],
            contact_scopes=["mine"],
            mode="enforced",
            defaults={"sync.conflict_policy": "mailbox_wins"},
        )
        preferences.create_configuration(db, spec, actor=None, source=ChangeSource.CLI)
    open_settings(page, application, live_app_url, rep)

    expect(page.get_by_text("“Field sales” applies to you")).to_be_visible()
    events = page.get_by_role("checkbox", name="Sync events")
    expect(events).to_be_disabled()
    expect(events).to_have_accessible_description(
        "Sync your calendar's events inside the window with your Salesforce events. Set by your administrator"
    )
    expect(page.get_by_role("radio", name="The mailbox wins")).to_be_disabled()
    expect(page.get_by_role("radio", name="The mailbox wins")).to_be_checked()
    expect(page.get_by_role("radio", name="Salesforce wins")).to_have_count(0)
    expect(page.get_by_role("radio", name="The contacts I own")).to_be_disabled()
    expect(page.get_by_label("List view")).to_have_count(0)
    page.get_by_role("radio", name="Manual: Sync only the items I select").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text(SAVED)
    assert stored(engine, rep) == {"sync.selection": "manual"}
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_a_refused_combination_keeps_the_entries(
    page: Page, application: FastAPI, live_app_url: str, rep: User, engine: Engine
) -> None:
    open_settings(page, application, live_app_url, rep)
    page.get_by_role("checkbox", name="Sync tasks").check()
    page.get_by_role("radio", name="The contacts of a list view").check()
    page.get_by_role("button", name="Save settings").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved.")
    expect(alert).to_contain_text("“Contacts: List view”")
    expect(page.get_by_role("checkbox", name="Sync tasks")).to_be_checked()
    expect(page.get_by_role("radio", name="The contacts of a list view")).to_be_checked()
    list_view = page.get_by_role("textbox", name="List view (its id)")
    expect(list_view).to_have_attribute("aria-invalid", "true")
    assert stored(engine, rep) == {}
    # Putting it right saves both.
    list_view.fill("00B000000000001AAA")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text(SAVED)
    assert stored(engine, rep) == {
        "tasks.enabled": True,
        "contacts.scope": "list_view",
        "contacts.list_view_id": "00B000000000001AAA",
    }
    # Chromium notes the refusal's status in the console; that is the refusal itself, and nothing else is there.
    assert page.console_errors == [REFUSAL_NOTE]  # type: ignore[attr-defined]


@pytest.fixture
def sandbox_app(settings: Settings, engine: Engine, sandbox: LiveSandbox) -> Iterator[tuple[FastAPI, str]]:  # noqa: F811
    """The application with every demo person connected to the live sandbox, served over HTTP."""
    ContactWorld(state=sandbox.state, base_url=sandbox.base_url, engine=engine, settings=settings)
    application = create_app(settings.model_copy(update={"sandbox_url": sandbox.base_url}), engine)
    with serve_in_thread(application) as base_url:
        yield application, base_url


def test_a_list_view_is_picked_from_the_org(page: Page, sandbox_app: tuple[FastAPI, str], engine: Engine) -> None:
    application, base_url = sandbox_app
    rep = user_by_email(engine, REP)
    open_settings(page, application, base_url, rep)
    page.get_by_role("radio", name="The contacts of a list view").check()
    page.get_by_role("combobox", name="List view").select_option(label="Key contacts — Europe")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text(SAVED)
    page.reload()
    expect(page.get_by_role("combobox", name="List view")).to_have_value(
        str(stored(engine, rep)["contacts.list_view_id"])
    )
    expect(page.get_by_role("combobox", name="List view").locator("option:checked")).to_have_text(
        "Key contacts — Europe"
    )
    assert page.console_errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("state", ["picker", "fallback", "refused"])
def test_the_page_fits_the_task_pane(
    page: Page, sandbox_app: tuple[FastAPI, str], tmp_path: Path, *, state: str
) -> None:
    application, base_url = sandbox_app
    page.set_viewport_size({"width": TASK_PANE_WIDTH, "height": 700})
    if state == "picker":  # the list view picker of a rep connected to Salesforce
        open_settings(page, application, base_url, user_by_email(application.state.engine, REP))
        expect(page.get_by_role("combobox", name="List view")).to_be_visible()
    else:  # a person without Salesforce: the typed id and its long note
        open_settings(page, application, base_url, user_by_email(application.state.engine, NO_SALESFORCE))
        expect(page.get_by_role("textbox", name="List view (its id)")).to_be_visible()
        if state == "refused":
            page.get_by_role("radio", name="The contacts of a list view").check()
            page.get_by_role("button", name="Save settings").click()
            expect(page.get_by_role("alert")).to_be_visible()

    assert no_horizontal_scroll(page), f"the settings page ({state}) scrolls sideways at {TASK_PANE_WIDTH} px"
    overflowing = page.evaluate(
        f"""[...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > {TASK_PANE_WIDTH} + 0.5)
            .map(e => e.tagName + '#' + e.id + '.' + e.className)"""
    )
    assert overflowing == []
    page.screenshot(path=str(tmp_path / f"settings-{state}-{TASK_PANE_WIDTH}.png"), full_page=True)
    assert page.console_errors == ([REFUSAL_NOTE] if state == "refused" else [])  # type: ignore[attr-defined]
