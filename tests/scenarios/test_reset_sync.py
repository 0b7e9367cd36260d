"""Reset sync, done when: a user with 300 synced contacts is reset, the next pass re-links every one of them with no
create and no delete on either side, and the pass after makes no write at all.

Some contacts have no email address, on both sides (created in Salesforce and copied to the mailbox, or created in
the mailbox and copied to Salesforce): with the links forgotten, only crmbridge's marker pairs them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from app.connectors.selection import SYNC_CONTAINER_NAME
from app.db import unit_of_work
from app.jobs.sync_pass import PassReport
from app.models import SyncCursor, SyncRun, SyncRunStatus, SyncTrigger, User
from app.sandbox.salesforce.models import SalesforceOrg
from app.sandbox.salesforce.schema import OBJECTS
from app.services.sync_reset import reset_sync
from app.sync.config import Side
from tests.scenarios.contact_world import GRAPH, PEOPLE, ContactWorld

ALEX = "alex.morgan@example.com"  # Outlook
PRIYA = "priya.shah@example.com"  # Gmail
ADMIN = "sam.taylor@example.com"
SEEDED = 300
#: Every so many seeded Salesforce contacts has no email address.
NO_EMAIL_EVERY = 10


def seed_salesforce(world: ContactWorld, email: str, count: int) -> None:
    """``count`` Salesforce contacts owned by ``email`` (one in ten without an email address), through the org's
    write path."""
    org = world.state.backend("salesforce", SalesforceOrg)
    caller = org.caller_for_email(email)
    assert caller is not None
    tag = email.split(".", 1)[0]
    for number in range(count):
        values: dict[str, Any] = {
            "FirstName": f"Reset{number:03d}",
            "LastName": f"{tag.title()} Person",
            "Title": "Buyer" if number % 2 else None,
            "OwnerId": caller.user_id,
        }
        if number % NO_EMAIL_EVERY:
            values["Email"] = f"reset.{tag}.{number}@example.net"
        org.insert(OBJECTS["Contact"], values, caller, check_references=False)


def add_outlook_contacts(world: ContactWorld, names: list[tuple[str, str | None]]) -> None:
    """Contacts the user puts in the "Salesforce Contacts" folder (an address of None: none)."""
    folder = world.sync_folder_id(ALEX)
    assert folder is not None
    with world.graph(ALEX) as graph:
        for name, address in names:
            body: dict[str, Any] = {"givenName": name, "surname": "Mailbox"}
            if address:
                body["emailAddresses"] = [{"address": address}]
            assert graph.post(f"{GRAPH}/me/contactFolders/{folder}/contacts", json=body).status_code == 201


def add_gmail_contacts(world: ContactWorld, names: list[tuple[str, str | None]]) -> None:
    """Contacts the user puts in the "Salesforce Contacts" contact group (an address of None: none)."""
    with world.google(PRIYA) as http:
        groups = http.get(f"{PEOPLE}/contactGroups", params={"pageSize": "1000"}).json()["contactGroups"]
        group = next(g["resourceName"] for g in groups if g.get("name") == SYNC_CONTAINER_NAME)
        for name, address in names:
            person: dict[str, Any] = {
                "names": [{"givenName": name, "familyName": "Mailbox"}],
                "memberships": [{"contactGroupMembership": {"contactGroupResourceName": group}}],
            }
            if address:
                person["emailAddresses"] = [{"value": address}]
            answer = http.post(f"{PEOPLE}/people:createContact", json=person)
            assert answer.status_code == 200, answer.text


def outlook_ids(world: ContactWorld) -> list[str]:
    return sorted(contact["id"] for contact in world.sync_folder_contacts(ALEX))


def gmail_ids(world: ContactWorld) -> list[str]:
    with world.google(PRIYA) as http:
        groups = http.get(f"{PEOPLE}/contactGroups", params={"pageSize": "1000"}).json()["contactGroups"]
        group = next(g["resourceName"] for g in groups if g.get("name") == SYNC_CONTAINER_NAME)
        members = http.get(f"{PEOPLE}/{group}", params={"maxMembers": "2000"}).json()
    return sorted(members.get("memberResourceNames", []))


MAILBOXES: dict[str, tuple[Callable[[ContactWorld, list[tuple[str, str | None]]], None], Callable[..., list[str]]]] = {
    ALEX: (add_outlook_contacts, outlook_ids),
    PRIYA: (add_gmail_contacts, gmail_ids),
}


def succeeded(report: PassReport) -> PassReport:
    assert report.status is SyncRunStatus.SUCCEEDED, report.message
    assert report.result is not None
    return report


def owned_ids(world: ContactWorld, email: str) -> list[str]:
    return sorted(contact["Id"] for contact in world.owned_contacts(email))


def pairs(world: ContactWorld, email: str) -> set[tuple[str | None, str | None]]:
    return {(link.mailbox_id, link.salesforce_id) for link in world.links(email)}


@pytest.mark.parametrize("email", [ALEX, PRIYA], ids=["outlook", "gmail"])
def test_after_a_reset_the_next_pass_relinks_everything_without_a_create_or_a_delete(
    world: ContactWorld, email: str
) -> None:
    add_contacts, mailbox_ids = MAILBOXES[email]
    seed_salesforce(world, email, SEEDED)
    succeeded(world.sync(email))
    # The user adds their own contacts to the folder or group, two of them without an email address.
    add_contacts(world, [("Nomail", None), ("Nomail Too", None), ("Withmail", f"withmail.{email}")])
    pushed = succeeded(world.sync(email))
    assert pushed.result is not None and pushed.result.summary[Side.SALESFORCE].created == 3
    assert succeeded(world.sync(email)).result.writes == 0  # type: ignore[union-attr]

    owned = owned_ids(world, email)
    in_mailbox = mailbox_ids(world)
    linked = pairs(world, email)
    assert len(owned) >= SEEDED + 3
    assert len(in_mailbox) == len(owned) == len(linked)
    with_no_email = [c for c in world.owned_contacts(email) if not c["Email"]]
    assert len(with_no_email) >= SEEDED // NO_EMAIL_EVERY + 2

    with unit_of_work(world.engine) as db:
        user = db.get(User, world.user(email).id)
        admin = world.user(ADMIN)
        assert user is not None
        outcome = reset_sync(db, user, actor=admin, now=world.env.now())
    assert outcome.links_forgotten == len(linked)
    assert world.links(email) == []
    with Session(world.engine) as db:
        assert db.exec(select(SyncCursor).where(SyncCursor.user_id == user.id)).all() == []

    relinked = succeeded(world.sync(email))

    assert relinked.result is not None
    for side in Side:
        summary = relinked.result.summary[side]
        assert (summary.created, summary.deleted) == (0, 0), f"{side.value}: {summary}"
    assert relinked.result.summary[Side.MAILBOX].updated == 0
    assert relinked.result.summary[Side.SALESFORCE].updated == 0
    assert pairs(world, email) == linked, "every contact is linked to the same partner as before the reset"
    assert owned_ids(world, email) == owned and mailbox_ids(world) == in_mailbox

    quiet = succeeded(world.sync(email))
    assert quiet.result is not None and quiet.result.writes == 0
    assert pairs(world, email) == linked
    with Session(world.engine) as db:
        runs = db.exec(select(SyncRun).where(SyncRun.user_id == user.id).order_by(SyncRun.id)).all()
    assert [run.trigger for run in runs].count(SyncTrigger.RESET) == 1
