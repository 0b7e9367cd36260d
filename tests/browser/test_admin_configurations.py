"""The admin's Sync configurations pages in headless Chromium: creating one by keyboard, what persists, a refusal
that keeps the entries, and the pages at 350 px, without console errors."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import unit_of_work
from app.models import User
from app.services import preferences
from app.services.preferences import ConfigurationSpec
from app.services.preferences.configurations import snapshot
from tests.accounts_support import add_user, sign_in

TASK_PANE_WIDTH = 350
PAGE = "/admin/sync-configurations"
ADMIN = "sam.taylor@example.com"
REP = "alex.morgan@example.com"


def browse_as(page: Page, application: FastAPI, base_url: str, user: User) -> None:
    """Give the browser the user's session cookie, as signing in would."""
    session = sign_in(application, user)
    page.context.add_cookies([{"name": session.cookie_name, "value": session.cookie_value, "url": base_url}])


def tab_to(page: Page, selector: str, *, limit: int = 200) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement !== null && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def type_over(page: Page, text: str) -> None:
    """Replace the focused field's text, as a person selecting it all and typing does."""
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def configurations(engine: Engine) -> list[dict[str, object]]:
    with Session(engine) as db:
        return [snapshot(policy) for policy in preferences.list_configurations(db)]


def test_an_admin_creates_a_configuration_by_keyboard(
    page: Page, application: FastAPI, live_app_url: str, engine: Engine
) -> None:
    admin = add_user(engine, ADMIN, admin=True)
    rep = add_user(engine, REP)
    browse_as(page, application, live_app_url, admin)

    page.goto(live_app_url + PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sync configurations")
    expect(page.locator(f"#who-{rep.id}")).to_contain_text("The built-in default")
    tab_to(page, f'a[href="{PAGE}/new"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_app_url}{PAGE}/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New sync configuration")
    expect(page.get_by_role("group", name="Directions allowed for contacts")).to_be_visible()

    tab_to(page, "#name")
    page.keyboard.type("Field sales")
    tab_to(page, "#priority")
    type_over(page, "10")
    tab_to(page, "#user_emails")
    page.keyboard.type(REP)
    tab_to(page, "#mode-defaults")  # a radio group takes one Tab; the arrows choose within it
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Enforced")).to_be_checked()
    tab_to(page, "#item-type-task")
    page.keyboard.press("Space")
    expect(page.locator("#item-type-task")).not_to_be_checked()
    tab_to(page, "#direction-contact-mailbox-to-sf")
    page.keyboard.press("Space")
    tab_to(page, "#allow-private")
    page.keyboard.press("Space")
    expect(page.get_by_label("Items marked private may sync")).not_to_be_checked()
    tab_to(page, "#max-delete-share")
    type_over(page, "10")
    tab_to(page, "#default-contacts-direction")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Which way contact changes go.")).to_have_value("sf_to_mailbox")
    tab_to(page, "form.config-form button[type=submit]")
    expect(page.locator(":focus")).to_have_text("Create configuration")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_app_url}{PAGE}?notice=created")
    expect(page.get_by_role("status")).to_contain_text("The sync configuration was created.")
    page.reload()
    card = page.locator(".config-list > li").filter(has_text="Field sales")
    expect(card).to_contain_text("Priority 10 · Enforced")
    expect(card).to_contain_text("Contacts: Both ways, Salesforce to the mailbox only")
    expect(card).to_contain_text("contacts.direction: Salesforce to the mailbox only")
    expect(page.locator(f"#who-{rep.id}")).to_contain_text("Field sales")
    expect(page.locator(f"#who-{admin.id}")).to_contain_text("The built-in default")

    card.get_by_role("link", name="Field sales", exact=True).click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Field sales")
    expect(page.get_by_label("Enforced")).to_be_checked()
    expect(page.locator("#item-type-task")).not_to_be_checked()
    expect(page.locator("#direction-contact-mailbox-to-sf")).not_to_be_checked()
    expect(page.get_by_label("Which way contact changes go.")).to_have_value("sf_to_mailbox")

    [stored] = configurations(engine)
    assert stored | {"name": "Field sales", "priority": 10, "mode": "enforced", "user_emails": [REP]} == stored
    assert stored["item_types"] == ["contact", "event"]
    assert stored["directions"] == {"contact": ["both", "sf_to_mailbox"]}
    assert stored["allow_private"] is False and stored["max_delete_share"] == 0.1
    assert stored["defaults"] == {"contacts.direction": "sf_to_mailbox"}
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_a_refusal_keeps_the_entries_and_the_pages_fit_350_px(
    page: Page, application: FastAPI, live_app_url: str, engine: Engine, tmp_path: Path
) -> None:
    admin = add_user(engine, ADMIN, admin=True)
    add_user(engine, "priya.shah-whitfield@subsidiary.long-domain-name.example.com")
    with unit_of_work(engine) as db:
        policy = preferences.create_configuration(
            db,
            ConfigurationSpec(
                name="Enterprise account executives, EMEA and APAC",
                priority=5,
                user_emails=["priya.shah-whitfield@subsidiary.long-domain-name.example.com"],
                roles=["rep"],
                directions={"contact": ["sf_to_mailbox"]},
                defaults={"contacts.direction": "sf_to_mailbox", "events.window_future_days": 30},
            ),
            actor=None,
            source="cli",
        )
        policy_id = policy.id
    browse_as(page, application, live_app_url, admin)
    page.set_viewport_size({"width": TASK_PANE_WIDTH, "height": 700})

    for path in (PAGE, f"{PAGE}/new", f"{PAGE}/{policy_id}"):
        page.goto(live_app_url + path)
        page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '_')}.png"), full_page=True)
        assert fits(page), f"{path} scrolls sideways at {TASK_PANE_WIDTH} px"
        wide = page.evaluate(
            f"[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > "
            f"{TASK_PANE_WIDTH}).map(e => e.tagName + '#' + e.id)"
        )
        assert wide == [], f"{path}: {wide}"

    # A name in use: the form comes back with the message and what was typed.
    page.goto(f"{live_app_url}{PAGE}/new")
    page.get_by_label("Name", exact=True).fill("enterprise account executives, emea and apac")
    page.get_by_label("Users' email addresses, one per line").fill(REP)
    page.get_by_label("Which way contact changes go.").select_option("mailbox_to_sf")
    page.get_by_label("Name", exact=True).press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("There is already a sync configuration named")
    expect(page.get_by_label("Name", exact=True)).to_have_value("enterprise account executives, emea and apac")
    expect(page.get_by_label("Users' email addresses, one per line")).to_have_value(REP)
    expect(page.get_by_label("Which way contact changes go.")).to_have_value("mailbox_to_sf")
    page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
    assert fits(page)
    assert len(configurations(engine)) == 1
    # Chromium notes the refusal's status (409) in the console; that is the refusal itself, and nothing else is there.
    assert page.console_errors == [  # type: ignore[attr-defined]
        "Failed to load resource: the server responded with a status of 409 (Conflict)"
    ]
