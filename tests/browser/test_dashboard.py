"""The sync dashboards in headless Chromium: what they show, the accessible chart, the task pane's width, and
getting around by keyboard, without console errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from app.models import SyncRunStatus, SyncTrigger, User
from tests.accounts_support import add_user, sign_in
from tests.services.test_dashboard import add_conflict, add_run, counts, failure

TASK_PANE_WIDTH = 350
CHART_TITLE = "Your sync activity over the last 30 days"


@pytest.fixture
def alex(engine: Engine) -> User:
    """A rep with a month of passes, a last pass with errors, and two conflicts."""
    user = add_user(engine, "alex.morgan@example.com")
    assert user.id is not None
    now = datetime.now(UTC)
    for days_ago in range(1, 30, 3):
        add_run(engine, user.id, now - timedelta(days=days_ago), mailbox=counts(created=days_ago % 5, updated=1))
    add_run(
        engine,
        user.id,
        now - timedelta(minutes=20),
        status=SyncRunStatus.PARTIAL,
        mailbox=counts(created=2),
        salesforce=counts(updated=1, errors=3),
        conflicts=1,
        errors=[failure("salesforce", "invalid", "Last Name too long")] * 3,
        message="Salesforce rejected 3 contacts: Last Name too long",
    )
    add_conflict(
        engine,
        user.id,
        now - timedelta(minutes=20),
        "title",
        mailbox="Chief Technology Officer",
        salesforce="CTO",
        winner="salesforce",
    )
    add_conflict(
        engine,
        user.id,
        now - timedelta(days=2),
        "email",
        mailbox="alexandra.morgan-whitfield@subsidiary.long-domain-name.example.com",
        salesforce="alex@example.com",
        winner="mailbox",
    )
    return user


def open_as(page: Page, application: FastAPI, base_url: str, user: User, path: str) -> None:
    """Sign ``user`` in (their session cookie in the browser) and open ``path``."""
    session = sign_in(application, user)
    page.context.add_cookies([{"name": session.cookie_name, "value": session.cookie_value, "url": base_url}])
    response = page.goto(base_url + path)
    assert response is not None and response.status == 200, path


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_the_dashboard_shows_the_last_pass_and_the_conflicts(
    page: Page, application: FastAPI, live_app_url: str, alex: User
) -> None:
    open_as(page, application, live_app_url, alex, "/dashboard")

    expect(page).to_have_title("Dashboard · crmbridge")
    last = page.locator("section", has=page.get_by_role("heading", name="Last pass"))
    expect(last.get_by_text("Finished with errors")).to_be_visible()
    counts_table = last.get_by_role("table", name="What the last pass did")
    expect(counts_table.get_by_role("row", name="Created")).to_contain_text("2")
    expect(counts_table.get_by_role("row", name="Errors")).to_contain_text("3")
    attention = page.locator("section", has=page.get_by_role("heading", name="Needs attention"))
    expect(attention.get_by_role("listitem")).to_have_text(["Salesforce rejected 3 contacts: Last Name too long"])
    expect(page.get_by_text("Not scheduled.")).to_be_visible()

    log = page.get_by_role("table", name="Conflicts, latest first")
    rows = log.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_role("rowheader")).to_contain_text("Title")
    expect(rows.nth(0).get_by_role("cell").nth(0)).to_have_text("Chief Technology Officer")
    expect(rows.nth(0).get_by_role("cell").nth(1)).to_contain_text("CTO")
    expect(rows.nth(0).get_by_role("cell").nth(1)).to_contain_text("kept")
    expect(rows.nth(1).get_by_role("cell").nth(0)).to_contain_text("kept")
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_the_chart_is_present_and_accessible(page: Page, application: FastAPI, live_app_url: str, alex: User) -> None:
    open_as(page, application, live_app_url, alex, "/dashboard")

    chart = page.get_by_role("img", name=CHART_TITLE)
    expect(chart).to_be_visible()
    # The description summarises the data: totals, the busiest day, the days with errors.
    expect(chart).to_have_accessible_description(re.compile(r"^From .*: 11 passes and 33 changes in all\. "))
    expect(chart).to_have_accessible_description(re.compile(r"Errors on 1 day: .* \(3 item errors\)\.$"))
    assert chart.locator("g.chart-day").count() == 30
    assert chart.locator("script, foreignObject, a, image").count() == 0
    # The numbers behind the chart are a table, one keyboard press away.
    summary = page.get_by_text("The numbers, day by day")
    summary.focus()
    page.keyboard.press("Enter")
    numbers = page.get_by_role("table", name="Days with sync passes, latest first")
    expect(numbers).to_be_visible()
    expect(numbers.locator("tbody tr")).to_have_count(11)
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_the_dashboard_is_reached_by_keyboard(page: Page, application: FastAPI, live_app_url: str, alex: User) -> None:
    open_as(page, application, live_app_url, alex, "/connections")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Dashboard":
            break
    else:
        raise AssertionError("the Dashboard link cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_app_url + "/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sync dashboard")
    # A rep's navigation has no admin pages.
    expect(page.get_by_role("link", name="Sync dashboard")).to_have_count(0)
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_the_admin_dashboard_lists_everyone(page: Page, application: FastAPI, live_app_url: str, alex: User) -> None:
    admin = add_user(application.state.engine, "sam.taylor@example.com", admin=True)
    assert admin.id is not None
    add_run(
        application.state.engine,
        admin.id,
        datetime.now(UTC) - timedelta(hours=1),
        trigger=SyncTrigger.CLI,
        status=SyncRunStatus.ABORTED,
        message="Sync paused: Salesforce needs to be connected again (access refused). Nothing was read or changed.",
    )
    open_as(page, application, live_app_url, admin, "/dashboard")
    page.get_by_role("link", name="Sync dashboard").click()

    expect(page).to_have_url(live_app_url + "/admin/dashboard")
    users = page.get_by_role("table", name="Every user's last sync pass")
    alex_row = users.get_by_role("row", name="alex.morgan@example.com")
    expect(alex_row).to_contain_text("Finished with errors")
    expect(alex_row.get_by_role("cell").last).to_have_text("3")
    sam_row = users.get_by_role("row", name="sam.taylor@example.com")
    expect(sam_row).to_contain_text("Stopped")
    expect(sam_row).to_contain_text("needs to be connected again")
    expect(page.get_by_role("img", name="Everyone's sync activity over the last 30 days")).to_be_visible()
    assert page.console_errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/dashboard", "/admin/dashboard"])
def test_the_dashboards_fit_the_task_pane(
    page: Page, application: FastAPI, live_app_url: str, alex: User, tmp_path: Path, *, path: str
) -> None:
    admin = add_user(application.state.engine, "sam.taylor@example.com", admin=True)
    page.set_viewport_size({"width": TASK_PANE_WIDTH, "height": 700})
    open_as(page, application, live_app_url, admin if path.startswith("/admin") else alex, path)
    page.get_by_text("The numbers, day by day").click()

    assert no_horizontal_scroll(page), f"{path} scrolls sideways at {TASK_PANE_WIDTH} px"
    # Nor do its tables need their own sideways scrolling: they fit.
    wide = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth).map(w => w.id"
        " || w.getAttribute('aria-labelledby'))"
    )
    assert wide == [], f"tables wider than the task pane on {path}: {wide}"
    chart = page.get_by_role("img")
    box = chart.bounding_box()
    assert box is not None and 0 < box["width"] <= TASK_PANE_WIDTH
    page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '_')}-{TASK_PANE_WIDTH}.png"), full_page=True)
    assert page.console_errors == []  # type: ignore[attr-defined]
