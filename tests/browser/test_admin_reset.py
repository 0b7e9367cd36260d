"""The admin's Users table with sync state, and Reset sync, in headless Chromium: by keyboard, and at 350 px."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db import unit_of_work
from app.models import ItemType, SyncCursor, SyncLink, SyncRun, SyncRunStatus, SyncTrigger, User
from tests.accounts_support import add_user, sign_in

TASK_PANE_WIDTH = 350


def seed(engine: Engine) -> tuple[User, User]:
    """An admin, and a rep with three synced contacts and a last pass that had one item error."""
    admin = add_user(engine, "sam.taylor@example.com", admin=True)
    rep = add_user(engine, "alex.morgan@example.com")
    assert rep.id is not None
    started = datetime.now(UTC) - timedelta(hours=2)
    with unit_of_work(engine) as db:
        db.add_all(
            SyncLink(user_id=rep.id, item_type=ItemType.CONTACT, mailbox_id=f"m{n}", salesforce_id=f"003{n:015d}")
            for n in range(3)
        )
        db.add(SyncCursor(user_id=rep.id, collection="contact:cursor:mailbox", value="delta"))
        db.add(
            SyncRun(
                user_id=rep.id,
                item_types=["contact"],
                trigger=SyncTrigger.CLI,
                status=SyncRunStatus.PARTIAL,
                started_at=started,
                finished_at=started + timedelta(minutes=1),
                counts={"mailbox": {"errors": 1}, "salesforce": {"errors": 0}},
                message="The mailbox rejected 1 contact: too many email addresses",
            )
        )
    return admin, rep


def browse_as(page: Page, application: FastAPI, base_url: str, user: User) -> None:
    """Give the browser the user's session cookie, as signing in would."""
    session = sign_in(application, user)
    page.context.add_cookies([{"name": session.cookie_name, "value": session.cookie_value, "url": base_url}])


def tab_to(page: Page, selector: str, *, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement !== null && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_an_admin_resets_a_users_sync_by_keyboard(
    page: Page, application: FastAPI, live_app_url: str, engine: Engine
) -> None:
    admin, rep = seed(engine)
    browse_as(page, application, live_app_url, admin)

    page.goto(live_app_url + "/admin/users")
    for header in ("Last pass", "Next pass", "Errors"):
        expect(page.get_by_role("columnheader", name=header)).to_be_visible()
    row = page.locator(f"#user-{rep.id}")
    expect(row).to_contain_text("finished with errors")
    expect(row).to_contain_text("not scheduled")
    expect(row).to_contain_text("1 item error")

    tab_to(page, f'a[href="/admin/users/{rep.id}/reset-sync"]')
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_app_url}/admin/users/{rep.id}/reset-sync")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset sync for Alex Morgan")
    expect(page.get_by_text("3 links now", exact=False)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="“Salesforce Contacts” folder in Outlook")).to_be_visible()
    checkbox = page.get_by_label("The user has checked these points, and I want to reset their sync")
    tab_to(page, "#confirm")
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    tab_to(page, 'button[type="submit"].danger')
    expect(page.locator(":focus")).to_have_text("Reset sync")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_app_url}/admin/users?notice=reset&user_id={rep.id}")
    expect(page.get_by_role("status")).to_have_text(
        "Sync was reset for alex.morgan@example.com. Their next pass re-matches both sides; "
        "nothing is duplicated or deleted."
    )
    expect(page.locator(f"#user-{rep.id}")).to_contain_text("Sync reset")
    with Session(engine) as db:
        assert db.exec(select(SyncLink).where(SyncLink.user_id == rep.id)).all() == []
        runs = db.exec(select(SyncRun).where(SyncRun.user_id == rep.id, SyncRun.trigger == SyncTrigger.RESET)).all()
    assert len(runs) == 1
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_the_users_table_and_the_reset_page_fit_350_px(
    page: Page, application: FastAPI, live_app_url: str, engine: Engine, tmp_path: Path
) -> None:
    admin, rep = seed(engine)
    browse_as(page, application, live_app_url, admin)
    page.set_viewport_size({"width": TASK_PANE_WIDTH, "height": 700})

    for path in ("/admin/users", f"/admin/users/{rep.id}/reset-sync"):
        page.goto(live_app_url + path)
        page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '_')}.png"), full_page=True)
        assert fits(page), f"{path} scrolls sideways at {TASK_PANE_WIDTH} px"
    # Everything on the reset page is within the width: nothing needs a sideways scroll to be read or used.
    wide = page.evaluate(
        f"[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > {TASK_PANE_WIDTH})"
        ".map(e => e.tagName)"
    )
    assert wide == []
    expect(page.get_by_role("button", name="Reset sync")).to_be_visible()
    assert page.console_errors == []  # type: ignore[attr-defined]
