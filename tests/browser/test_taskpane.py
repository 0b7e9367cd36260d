"""The real task pane in Chromium, with the sandbox's Office.js stand-in: open a demo email, see its people, log it,
see "Already logged", and find the EmailMessage and its relations in the sandbox org."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect
from simple_salesforce.api import Salesforce

from tests.addin.conftest import (  # noqa: F401  (fixtures)
    ALEX,
    LiveSandbox,
    addin_app,
    addin_settings,
    admin_sf,
    connect_rep,
    live_sandbox,
    records,
    sandbox,
)
from tests.live_server import serve_in_thread

TASK_PANE_WIDTH = 350


@pytest.fixture
def demo_url(addin_app: FastAPI) -> Iterator[str]:  # noqa: F811
    """The application (sandbox mode, on the live sandbox) over real HTTP."""
    with serve_in_thread(addin_app) as base_url:
        yield base_url


def _no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_log_a_demo_email_from_the_task_pane(
    page: Page,
    demo_url: str,
    addin_app: FastAPI,  # noqa: F811
    sandbox: LiveSandbox,  # noqa: F811
    admin_sf: Salesforce,  # noqa: F811
) -> None:
    alex = connect_rep(addin_app, sandbox, ALEX)
    page.set_viewport_size({"width": TASK_PANE_WIDTH, "height": 900})

    page.goto(f"{demo_url}/addin/demo?user={ALEX}")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Outlook add-in, in the sandbox")
    message_link = page.locator(".demo-messages a").filter(has_text="proposal").first
    subject = message_link.inner_text()
    message_link.click()

    # Office's sign-in, played by the sandbox's Microsoft identity provider: the demo user is preselected.
    expect(page.get_by_role("heading", name="Sign in to Microsoft")).to_be_visible()
    page.get_by_role("button", name="Allow").click()

    expect(page.get_by_role("note")).to_contain_text("Sandbox demo")
    expect(page.locator("#signed-in")).to_have_text(ALEX)
    people = page.get_by_role("list").filter(has=page.locator(".person-address")).first
    expect(people.locator(".badge").first).to_have_text("Contact")
    expect(page.get_by_role("heading", name="Their accounts")).to_be_visible()
    expect(page.locator("#logged")).to_be_hidden()
    assert _no_horizontal_scroll(page), "the task pane scrolls sideways"

    # Choose by keyboard: include the attachments, then log with Enter on the button.
    page.get_by_label("Include attachments").check()
    page.get_by_role("button", name="Log to Salesforce").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Logged to Salesforce")).to_be_visible()
    expect(page.locator("#result-attachments li").first).to_contain_text("attached")
    expect(page.get_by_role("heading", name="Already logged")).to_be_visible()
    expect(page.locator("#logged-text")).to_contain_text("You logged this email")
    expect(page.get_by_role("button", name="Log again (add people)")).to_be_visible()

    # Opening the email again shows it as logged.
    page.reload()
    expect(page.get_by_role("heading", name="Already logged")).to_be_visible()
    assert page.console_errors == []  # type: ignore[attr-defined]

    # In the org: one EmailMessage for the message, related to the sender and to Alex, with its files.
    link = page.locator("#logged-text a").get_attribute("href") or ""
    email_id = urlsplit(link).path.split("/")[4]
    [message] = records(
        admin_sf,
        "SELECT Id, Subject, MessageIdentifier, Status, HasAttachment, "
        "(SELECT RelationId, RelationType FROM EmailMessageRelations) FROM EmailMessage "
        f"WHERE Id = '{email_id}'",
    )
    assert message["Subject"] == subject
    assert message["Status"] == "1"
    assert message["MessageIdentifier"].startswith("<") and message["MessageIdentifier"].endswith(">")
    kinds = {(row["RelationType"], row["RelationId"][:3]) for row in message["EmailMessageRelations"]["records"]}
    assert ("ToAddress", "005") in kinds and ("FromAddress", "003") in kinds
    assert (alex.salesforce_id, "ToAddress") in {
        (row["RelationId"], row["RelationType"]) for row in message["EmailMessageRelations"]["records"]
    }
    assert message["HasAttachment"] is True
    assert parse_qs(urlsplit(page.url).query)["user"] == [ALEX]


def test_an_unknown_sender_can_be_added_as_a_contact(
    page: Page,
    demo_url: str,
    addin_app: FastAPI,  # noqa: F811
    sandbox: LiveSandbox,  # noqa: F811
    admin_sf: Salesforce,  # noqa: F811
) -> None:
    connect_rep(addin_app, sandbox, ALEX)
    page.goto(f"{demo_url}/addin/demo?user={ALEX}")
    page.locator(".demo-messages a").filter(has_text="proposal").first.click()
    page.get_by_role("button", name="Allow").click()
    expect(page.locator(".person-address").first).to_be_visible()
    address = page.locator(".person-address").first.inner_text().rsplit("<", 1)[-1].rstrip(">")
    [known] = records(admin_sf, f"SELECT Id, AccountId, Account.Name FROM Contact WHERE Email = '{address}'")
    admin_sf.Contact.delete(known["Id"])  # the sender is now unknown to the org

    page.reload()
    expect(page.get_by_text("Not in Salesforce").first).to_be_visible()
    page.get_by_role("button", name="Create contact").first.click()
    expect(page.get_by_role("heading", name="Add to Salesforce")).to_be_visible()
    expect(page.get_by_label("First name")).to_be_focused()
    page.get_by_label("Company").fill(known["Account"]["Name"])
    expect(page.locator("#person-account")).to_have_text(f"Account: {known['Account']['Name']} (same name)")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Created contact")
    expect(page.get_by_text("Not in Salesforce")).to_have_count(0)
    [created] = records(admin_sf, f"SELECT Id, AccountId FROM Contact WHERE Email = '{address}'")
    assert created["AccountId"] == known["AccountId"]
    assert page.console_errors == []  # type: ignore[attr-defined]
