"""The admin's Sync configurations pages through TestClient: the list and its rule, who gets which, creating,
changing and deleting on the form, refusals that keep the entries and save nothing, CSRF, and reps kept out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db import unit_of_work
from app.models import ChangeSource, PolicyMode, SettingChange, SyncPolicy, User
from app.services import preferences
from app.services.preferences import ConfigurationSpec
from app.services.preferences.configurations import snapshot
from tests.accounts_support import SignedIn, add_user, signed_in_client

PAGE = "/admin/sync-configurations"
ADMIN = "sam.taylor@example.com"
REP = "alex.morgan@example.com"
ALL_DIRECTIONS = ["both", "sf_to_mailbox", "mailbox_to_sf"]


@pytest.fixture
def admin(engine: Engine) -> User:
    return add_user(engine, ADMIN, admin=True)


@pytest.fixture
def rep(engine: Engine) -> User:
    return add_user(engine, REP)


@pytest.fixture
def signed_in(application: FastAPI, admin: User) -> Iterator[tuple[TestClient, SignedIn]]:
    """The admin's browser (not following redirects) and its session."""
    client, session = signed_in_client(application, admin)
    with client:
        yield client, session


def create(engine: Engine, **fields: Any) -> SyncPolicy:
    """A configuration made through the service, committed."""
    with unit_of_work(engine) as db:
        policy = preferences.create_configuration(db, ConfigurationSpec(**fields), actor=None, source="cli")
        db.refresh(policy)
        return policy


def stored(engine: Engine) -> list[dict[str, Any]]:
    """Every configuration as stored, by priority."""
    with Session(engine) as db:
        return [snapshot(policy) | {"id": policy.id} for policy in preferences.list_configurations(db)]


def audit(engine: Engine) -> list[SettingChange]:
    with Session(engine) as db:
        return list(db.exec(select(SettingChange).order_by(SettingChange.id)))  # type: ignore[arg-type]


def filled(csrf: str, **changes: Any) -> dict[str, Any]:
    """A complete submission of the form, as a browser sends it (boxes not ticked are absent)."""
    data: dict[str, Any] = {
        "csrf_token": csrf,
        "name": "Field sales",
        "priority": "10",
        "mode": "enforced",
        "user_emails": f"{REP}\nNot.Yet@Example.com",
        "roles": ["rep"],
        "item_types": ["contact", "event"],
        "directions.contact": ["sf_to_mailbox"],
        "directions.event": ALL_DIRECTIONS,
        "directions.task": ALL_DIRECTIONS,
        "selection_methods": ["manual"],
        "contact_scopes": ["mine", "list_view"],
        "allow_event_series": "yes",
        "relate_events": "yes",
        "max_delete_share": "12.5",
        "default.contacts.direction": "sf_to_mailbox",
        "default.events.window_past_days": "14",
        "default.sync.selection": "manual",
        "default.contacts.scope": "",
        "default.contacts.list_view_id": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@dataclass
class FormState:
    """What a page's form shows: text values, ticked boxes, chosen options, textarea contents."""

    values: dict[str, str] = field(default_factory=dict)
    ticked: set[tuple[str, str]] = field(default_factory=set)
    selected: dict[str, str] = field(default_factory=dict)
    textareas: dict[str, str] = field(default_factory=dict)


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.state = FormState()
        self.inside = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = attributes.get("action") == self.action
        if not self.inside:
            return
        name = attributes.get("name", "")
        if tag == "input" and attributes.get("type") in ("checkbox", "radio"):
            if "checked" in attributes:
                self.state.ticked.add((name, attributes.get("value", "")))
        elif tag == "input":
            self.state.values[name] = attributes.get("value", "")
        elif tag == "select":
            self.select = name
            self.state.selected[name] = ""
        elif tag == "option" and self.select is not None and "selected" in attributes:
            self.state.selected[self.select] = attributes.get("value", "")
        elif tag == "textarea":
            self.textarea = name
            self.state.textareas[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.inside and self.textarea is not None:
            self.state.textareas[self.textarea] += data


def form_state(html: str, action: str) -> FormState:
    """The state of the form posting to ``action`` on the page."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.state.values or reader.state.ticked, f"no form posting to {action} on the page"
    return reader.state


def text_of(html: str) -> str:
    """The page's text, tags removed and spaces collapsed (to read sentences across markup)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- the list ---------------------------------------------------------------------------------------------------


def test_the_list_explains_the_rule_and_shows_configurations_by_priority(
    signed_in: tuple[TestClient, SignedIn], engine: Engine, rep: User
) -> None:
    client, _session = signed_in
    create(engine, name="Everyone else", priority=50, roles=["rep", "admin"])
    create(
        engine,
        name="Leadership",
        priority=5,
        mode=PolicyMode.ENFORCED,
        user_emails=[REP, "ghost@example.com"],
        item_types=["contact"],
        directions={"contact": ["sf_to_mailbox"]},
        allow_mailbox_deletions=False,
        max_delete_share=0.1,
        defaults={"contacts.direction": "sf_to_mailbox"},
    )

    page = client.get(PAGE)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    words = text_of(page.text)
    assert "the one with the lowest priority number" in words
    assert "name the user's email address" in words and "name the user's role" in words
    assert "the built-in default, which allows everything" in words
    assert "Sets defaults Its default values are starting points" in words
    assert "Enforced Its default values are fixed: users cannot change them." in words
    # In the order they apply: priority 5 before priority 50.
    assert words.index("Leadership") < words.index("Everyone else")
    leadership = text_of(page.text.split('id="configuration-')[1])
    assert "Priority 5 · Enforced" in leadership
    assert "ghost@example.com (not a crmbridge user yet)" in leadership
    assert f"{REP} (not a crmbridge user yet)" not in leadership
    assert "May sync Contacts: Salesforce to the mailbox only" in leadership
    assert "A deletion in the mailbox may delete the Salesforce record no" in leadership
    assert "stops a pass that would delete more than 10 %" in leadership
    assert "Selection methods Automatic: all items, except those marked “Don't sync with Salesforce”" in leadership
    assert "Contact scopes All the contacts the user can see The contacts the user owns" in leadership
    assert "Fixed values contacts.direction: Salesforce to the mailbox only" in leadership
    everyone = text_of(page.text.split('id="configuration-')[2])
    assert "Priority 50 · Sets defaults" in everyone
    assert "Users with the role rep" in everyone and "Users with the role admin" in everyone
    assert "Contacts: any direction" in everyone and "Tasks: any direction" in everyone
    assert "Default values none" in everyone


def test_who_gets_which_follows_the_rule(
    signed_in: tuple[TestClient, SignedIn], engine: Engine, admin: User, rep: User
) -> None:
    client, _session = signed_in
    named = add_user(engine, "priya.shah@example.com")
    by_role = create(engine, name="All reps", priority=1, roles=["rep"])
    by_email = create(engine, name="Priya's", priority=90, user_emails=["priya.shah@example.com"])
    create(engine, name="Reps, later", priority=2, roles=["rep"])

    page = client.get(PAGE).text

    def row(user: User) -> str:
        match = re.search(rf'<tr id="who-{user.id}">(.*?)</tr>', page, re.S)
        assert match is not None, f"no row for {user.email}"
        return text_of(match.group(1))

    # An email beats a role whatever the priorities; among roles the lowest number wins; else the built-in one.
    assert "Priya's" in row(named) and "it names their email address" in row(named)
    assert f'href="{PAGE}/{by_email.id}"' in page
    assert "All reps" in row(rep) and "it names their role" in row(rep) and "Reps, later" not in row(rep)
    assert f'<a href="{PAGE}/{by_role.id}">All reps</a>' in page
    assert "The built-in default" in row(admin)
    assert "applies to 1 user now" in text_of(page.split(f'id="configuration-{by_role.id}"')[1])
    assert "applies to 0 users now" in text_of(page.split('id="configuration-')[2])

    with Session(engine) as db:  # the table says what the service decides
        for user in (admin, rep, named):
            applied = preferences.configuration_for(db, user)
            assert (applied.policy.name if applied else "The built-in default") in row(user)


# --- create, edit, delete ---------------------------------------------------------------------------------------


def test_an_admin_creates_a_configuration_on_the_form(
    signed_in: tuple[TestClient, SignedIn], engine: Engine, admin: User
) -> None:
    client, session = signed_in
    new = client.get(f"{PAGE}/new")
    assert new.status_code == 200
    blank = form_state(new.text, PAGE)
    assert blank.values["csrf_token"] == session.csrf_token
    assert blank.values["priority"] == "100" and blank.values["max_delete_share"] == "20"
    assert ("mode", "defaults") in blank.ticked and ("item_types", "task") in blank.ticked
    assert ("directions.contact", "mailbox_to_sf") in blank.ticked and ("allow_private", "yes") in blank.ticked
    assert blank.selected["default.contacts.direction"] == ""
    words = text_of(new.text)
    assert "Which way contact changes go." in words  # each default value with the catalogue's description
    assert "contacts.direction · product default: Both ways" in words

    answer = client.post(PAGE, data=filled(session.csrf_token))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"{PAGE}?notice=created"

    [configuration] = stored(engine)
    assert configuration | {"id": None} == {
        "id": None,
        "name": "Field sales",
        "priority": 10,
        "mode": "enforced",
        "user_emails": [REP, "not.yet@example.com"],
        "roles": ["rep"],
        "item_types": ["contact", "event"],
        "directions": {"contact": ["sf_to_mailbox"]},  # every direction ticked: the item type is left out
        "selection_methods": ["manual"],
        "contact_scopes": ["mine", "list_view"],
        "allow_private": False,
        "allow_event_series": True,
        "allow_mailbox_deletions": False,
        "relate_events": True,
        "max_delete_share": 0.125,
        "defaults": {"contacts.direction": "sf_to_mailbox", "events.window_past_days": 14, "sync.selection": "manual"},
    }
    [created] = audit(engine)
    assert (created.action, created.source, created.actor_user_id) == (
        "configuration_created",
        ChangeSource.PAGE,
        admin.id,
    )
    listed = client.get(answer.headers["location"])
    assert "The sync configuration was created." in listed.text
    assert f'href="{PAGE}/{configuration["id"]}">Field sales</a>' in listed.text


def test_an_admin_changes_a_configuration_on_the_form(
    signed_in: tuple[TestClient, SignedIn], engine: Engine, admin: User
) -> None:
    client, session = signed_in
    policy = create(
        engine,
        name="Field sales",
        priority=10,
        user_emails=[REP],
        directions={"task": ["mailbox_to_sf"]},
        defaults={"events.enabled": True, "contacts.forbid_to_remove": False},
    )
    path = f"{PAGE}/{policy.id}"

    shown = form_state(client.get(path).text, path)
    assert shown.values["name"] == "Field sales" and shown.values["priority"] == "10"
    assert shown.textareas["user_emails"] == REP
    assert ("directions.task", "mailbox_to_sf") in shown.ticked and ("directions.task", "both") not in shown.ticked
    assert ("directions.contact", "both") in shown.ticked
    assert shown.selected["default.events.enabled"] == "true"
    assert shown.selected["default.contacts.forbid_to_remove"] == "false"
    assert shown.selected["default.contacts.direction"] == ""

    answer = client.post(
        path,
        data=filled(session.csrf_token, name="Field sales EMEA", mode="defaults", **{"default.events.enabled": "true"}),
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"{PAGE}?notice=updated"
    [configuration] = stored(engine)
    assert configuration["id"] == policy.id
    assert configuration["name"] == "Field sales EMEA" and configuration["mode"] == "defaults"
    assert configuration["directions"] == {"contact": ["sf_to_mailbox"]}
    assert configuration["defaults"]["events.enabled"] is True
    changes = [row for row in audit(engine) if row.action == "configuration_updated"]
    assert {row.key for row in changes} >= {"name", "directions", "defaults", "allow_private"}
    assert "mode" not in {row.key for row in changes}  # unchanged fields are not recorded
    assert {(row.source, row.actor_user_id, row.configuration_id) for row in changes} == {
        (ChangeSource.PAGE, admin.id, policy.id)
    }


def test_deleting_needs_the_confirmation(
    signed_in: tuple[TestClient, SignedIn], engine: Engine, admin: User, rep: User
) -> None:
    client, session = signed_in
    policy = create(engine, name="Field sales", user_emails=[REP])
    path = f"{PAGE}/{policy.id}"
    page = client.get(path)
    assert "It applies now to alex.morgan@example.com." in text_of(page.text)
    assert form_state(page.text, f"{path}/delete").values["csrf_token"] == session.csrf_token

    unconfirmed = client.post(f"{path}/delete", data={"csrf_token": session.csrf_token})
    assert unconfirmed.status_code == 422
    assert "Nothing was deleted: tick “Yes, delete this configuration”" in unconfirmed.text
    assert len(stored(engine)) == 1 and audit(engine)[-1].action == "configuration_created"

    deleted = client.post(f"{path}/delete", data={"csrf_token": session.csrf_token, "confirm": "yes"})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"{PAGE}?notice=deleted"
    assert stored(engine) == []
    last = audit(engine)[-1]
    assert (last.action, last.source, last.actor_user_id) == ("configuration_deleted", ChangeSource.PAGE, admin.id)
    assert client.get(path).status_code == 404
    assert client.post(f"{path}/delete", data={"csrf_token": session.csrf_token, "confirm": "yes"}).status_code == 404


# --- refusals ---------------------------------------------------------------------------------------------------

REFUSALS = {
    "an impossible default": (
        {"default.contacts.direction": "mailbox_to_sf"},
        422,
        "contacts.direction cannot default to mailbox_to_sf, which this configuration does not allow",
    ),
    "a default for an item type that may not sync": (
        {"default.tasks.enabled": "true"},
        422,
        "tasks.enabled cannot default to true",
    ),
    "an address that is not one": (
        {"user_emails": f"{REP}\nsomeone-at-example.com"},
        422,
        "'someone-at-example.com' is not an email address.",
    ),
    "nobody to apply to": ({"user_emails": "", "roles": None}, 422, "The configuration applies to nobody"),
    "a priority that is not a number": ({"priority": "first"}, 422, "Priority must be a whole number"),
    "a negative priority": ({"priority": "-1"}, 422, "Priority: Input should be greater than or equal to 0."),
    "a share over 100 per cent": ({"max_delete_share": "150"}, 422, "Deletion guard: give a share from 0 to 100"),
    "a number default out of range": (
        {"default.events.window_past_days": "999"},
        422,
        "events.window_past_days must be between 0 and 365, not 999.",
    ),
    "a list view id that is not one": (
        {"default.contacts.list_view_id": "003000000000001"},
        422,
        "must be a list view's id",
    ),
    "no direction for an item type": ({"directions.task": None}, 422, "allow at least one direction for tasks"),
    "an unknown mode": ({"mode": "strict"}, 422, "Mode: Input should be 'defaults' or 'enforced'."),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_refused_new_configuration_keeps_the_entries_and_saves_nothing(
    signed_in: tuple[TestClient, SignedIn], engine: Engine, case: str
) -> None:
    client, session = signed_in
    changes, status, message = REFUSALS[case]
    submitted = filled(session.csrf_token, **changes)

    answer = client.post(PAGE, data=submitted)

    assert answer.status_code == status, answer.text
    assert "The sync configuration cannot be saved:" in answer.text
    assert message in text_of(answer.text)
    assert 'role="alert"' in answer.text
    assert stored(engine) == [] and audit(engine) == []
    kept = form_state(answer.text, PAGE)
    assert kept.values["name"] == "Field sales"
    assert kept.values["priority"] == submitted["priority"]
    assert kept.values["max_delete_share"] == submitted["max_delete_share"]
    assert kept.textareas["user_emails"] == submitted["user_emails"]
    assert ("directions.contact", "sf_to_mailbox") in kept.ticked and ("directions.contact", "both") not in kept.ticked
    assert ("selection_methods", "automatic") not in kept.ticked and ("allow_private", "yes") not in kept.ticked
    assert kept.selected["default.sync.selection"] == "manual"
    assert kept.values["csrf_token"] == session.csrf_token


def test_a_name_in_use_is_refused_and_the_entries_kept(signed_in: tuple[TestClient, SignedIn], engine: Engine) -> None:
    client, session = signed_in
    create(engine, name="Field Sales", roles=["admin"])
    before = (stored(engine), len(audit(engine)))

    answer = client.post(PAGE, data=filled(session.csrf_token, name="  field   sales "))

    assert answer.status_code == 409
    assert "There is already a sync configuration named &#39;Field Sales&#39;; choose another name." in answer.text
    assert form_state(answer.text, PAGE).values["name"] == "  field   sales "
    assert (stored(engine), len(audit(engine))) == before


def test_a_refused_change_keeps_the_entries_and_changes_nothing(
    signed_in: tuple[TestClient, SignedIn], engine: Engine
) -> None:
    client, session = signed_in
    create(engine, name="Taken", roles=["admin"])
    policy = create(engine, name="Field sales", priority=10, user_emails=[REP])
    before = (stored(engine), len(audit(engine)))
    path = f"{PAGE}/{policy.id}"

    impossible = client.post(
        path, data=filled(session.csrf_token, priority="3", **{"default.contacts.direction": "both"})
    )
    assert impossible.status_code == 422
    assert "contacts.direction cannot default to both" in impossible.text
    kept = form_state(impossible.text, path)  # still the form of this configuration, posting to it
    assert kept.values["priority"] == "3" and kept.selected["default.contacts.direction"] == "both"
    assert "Sync configuration “Field sales”" in impossible.text

    taken = client.post(path, data=filled(session.csrf_token, name="taken"))
    assert taken.status_code == 409
    assert form_state(taken.text, path).values["name"] == "taken"
    assert "Sync configuration “Field sales”" in taken.text  # the stored name, not the refused one

    assert (stored(engine), len(audit(engine))) == before


def test_ids_that_name_nothing_are_refused_with_a_page(signed_in: tuple[TestClient, SignedIn]) -> None:
    client, session = signed_in
    assert client.get(f"{PAGE}/999").status_code == 404
    assert client.post(f"{PAGE}/999", data=filled(session.csrf_token)).status_code == 404
    for path in (f"{PAGE}/abc", f"{PAGE}/0", f"{PAGE}/99999999999"):
        answer = client.get(path)
        assert answer.status_code == 422, path
        assert "text/html" in answer.headers["content-type"]


# --- who may ----------------------------------------------------------------------------------------------------


def test_every_change_needs_the_pages_csrf_token(signed_in: tuple[TestClient, SignedIn], engine: Engine) -> None:
    client, _session = signed_in
    policy = create(engine, name="Field sales", user_emails=[REP])
    before = (stored(engine), len(audit(engine)))
    for path in (PAGE, f"{PAGE}/{policy.id}", f"{PAGE}/{policy.id}/delete"):
        for token in (None, "not-the-token"):
            data = filled(token or "", name="Changed", confirm="yes")
            if token is None:
                del data["csrf_token"]
            answer = client.post(path, data=data)
            assert answer.status_code == 403, path
            assert "did not come from a crmbridge page" in answer.text
    assert (stored(engine), len(audit(engine))) == before


def test_reps_are_refused_every_page_and_change(application: FastAPI, engine: Engine, rep: User) -> None:
    policy = create(engine, name="Field sales", user_emails=[REP])
    before = stored(engine)
    client, session = signed_in_client(application, rep)
    with client:
        for path in (PAGE, f"{PAGE}/new", f"{PAGE}/{policy.id}"):
            answer = client.get(path)
            assert answer.status_code == 403, path
            assert "Field sales" not in answer.text
        for path in (PAGE, f"{PAGE}/{policy.id}", f"{PAGE}/{policy.id}/delete"):
            assert client.post(path, data=filled(session.csrf_token, confirm="yes")).status_code == 403, path
        assert 'href="/admin/sync-configurations"' not in client.get("/dashboard").text
    assert stored(engine) == before


def test_admins_find_the_pages_in_the_navigation(signed_in: tuple[TestClient, SignedIn]) -> None:
    client, _session = signed_in
    assert '<a href="/admin/sync-configurations">Sync configurations</a>' in client.get("/admin/users").text


def test_signed_out_browsers_are_sent_to_sign_in(application: FastAPI) -> None:
    with TestClient(application, follow_redirects=False) as client:
        answer = client.get(f"{PAGE}/new")
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/signin?next=")
        assert client.post(PAGE, data={"name": "x"}).status_code == 401
