"""The user settings page (``/settings``): every group with its descriptions, what the administrator locks, saving all
at once or nothing, CSRF, recent changes, and the list view picker on the live sandbox (and its fallback)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import html
from lxml.html import HtmlElement
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import unit_of_work
from app.main import create_app
from app.models import ChangeSource, ConnectionStatus, Provider, SettingChange, User, UserSetting
from app.sandbox.faults import FaultSpec
from app.services import preferences
from app.services.connections import get_connection
from app.services.preferences import CATALOGUE, ConfigurationSpec
from app.settings import Settings
from tests.accounts_support import SignedIn, add_user, signed_in_client
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401  (fixtures)
from tests.scenarios.contact_world import ContactWorld

REP = "alex.morgan@example.com"
NO_SALESFORCE = "jordan.lee@example.com"  # a sandbox person without a Salesforce user
GROUPS = ["Sync method", "Contacts", "Events", "Tasks", "Private items", "Conflict policy", "Recent changes"]
SEEDED_VIEWS = ["All Contacts", "Key contacts — Europe", "My Contacts"]
COMPOSITE = "/sandbox.my.salesforce.com/services/data/*/composite"


# -- helpers ------------------------------------------------------------------------------------------------------


def parse(text: str) -> HtmlElement:
    return html.fromstring(text)


def form_of(page: HtmlElement) -> HtmlElement:
    forms = page.xpath("//form[@action='/settings']")
    assert len(forms) == 1
    form: HtmlElement = forms[0]
    return form


def control(page: HtmlElement, dom_id: str) -> HtmlElement:
    found = page.xpath(f"//*[@id='{dom_id}']")
    assert len(found) == 1, dom_id
    element: HtmlElement = found[0]
    return element


def radios(page: HtmlElement, key: str) -> list[HtmlElement]:
    found: list[HtmlElement] = page.xpath(f"//input[@type='radio'][@name='{key}']")
    return found


def checked_value(page: HtmlElement, key: str) -> str | None:
    values = [radio.get("value") for radio in radios(page, key) if radio.get("checked") is not None]
    assert len(values) <= 1
    return values[0] if values else None


def text_of(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def problem_text(page: HtmlElement) -> str:
    alerts = page.xpath("//*[@id='settings-problem']")
    assert len(alerts) == 1, "no problem shown"
    return text_of(alerts[0])


def form_data(page: HtmlElement, entries: Mapping[str, str | bool] | None = None) -> list[tuple[str, str]]:
    """What a browser would post from the page's form, with ``entries`` (by setting key) changed: True/False ticks
    or unticks a checkbox, a string chooses a radio or an option, or fills a field."""
    changed = dict(entries or {})
    data: list[tuple[str, str]] = []
    for element in form_of(page).xpath(".//input|.//select"):
        name, kind = element.get("name"), element.get("type")
        if name is None or element.get("disabled") is not None:
            continue
        if kind == "checkbox":
            if bool(changed[name]) if name in changed else element.get("checked") is not None:
                data.append((name, element.get("value") or "on"))
        elif kind == "radio":
            chosen = element.get("value") == changed[name] if name in changed else element.get("checked") is not None
            if chosen:
                data.append((name, element.get("value") or ""))
        elif name in changed:
            data.append((name, str(changed[name])))
        elif element.tag == "select":
            selected = element.xpath("./option[@selected]") or element.xpath("./option[1]")
            data.append((name, selected[0].get("value") or ""))
        else:
            data.append((name, element.get("value") or ""))
    return data


def stored(engine: Engine, user: User) -> dict[str, object]:
    with Session(engine) as db:
        rows = db.exec(select(UserSetting).where(col(UserSetting.user_id) == user.id))
        return {row.key: row.value for row in rows}


def audited(engine: Engine, user: User) -> list[tuple[str, object, object, ChangeSource]]:
    with Session(engine) as db:
        rows = db.exec(
            select(SettingChange).where(col(SettingChange.user_id) == user.id).order_by(col(SettingChange.id))
        )
        return [(row.key, row.old_value, row.new_value, row.source) for row in rows]


def configure(engine: Engine, **spec: Any) -> None:
    """Add an admin's sync configuration."""
    with unit_of_work(engine) as db:
        preferences.create_configuration(db, ConfigurationSpec(**spec), actor=None, source=ChangeSource.CLI)


@pytest.fixture
def rep(engine: Engine) -> User:
    return add_user(engine, REP)


@pytest.fixture
def browser(application: FastAPI, rep: User) -> Iterator[tuple[TestClient, SignedIn]]:
    """The rep's signed-in browser (no Salesforce connection)."""
    client, session = signed_in_client(application, rep)
    with client:
        yield client, session


def post(client: TestClient, data: list[tuple[str, str]]) -> Any:
    """Post form fields in the order given (names may repeat)."""
    fields: dict[str, list[str]] = {}
    for name, value in data:
        fields.setdefault(name, []).append(value)
    return client.post("/settings", data=fields)


# -- the page ------------------------------------------------------------------------------------------------------


def test_the_page_shows_every_group_and_what_each_option_does(browser: tuple[TestClient, SignedIn]) -> None:
    client, _session = browser
    answer = client.get("/settings")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    page = parse(answer.text)

    assert [text_of(h) for h in page.xpath("//h2")] == GROUPS
    descriptions = {text_of(p) for p in page.xpath("//p[contains(@class, 'setting-description')]")}
    assert descriptions == {setting.description for setting in CATALOGUE.values()}
    assert "No sync configuration of your administrator names you" in answer.text
    # The effective values, as the built-in defaults make them.
    assert checked_value(page, "sync.selection") == "automatic"
    assert [text_of(label) for label in page.xpath("//fieldset[legend='How items are chosen']//label")] == [
        "Automatic: Sync all items",
        "Manual: Sync only the items I select",
    ]
    assert checked_value(page, "contacts.scope") == "mine"
    assert control(page, "contacts-enabled").get("checked") is not None
    assert control(page, "events-enabled").get("checked") is None
    assert control(page, "events-window-past-days").get("value") == "7"
    assert checked_value(page, "sync.conflict_policy") == "salesforce_wins"
    assert not page.xpath("//form[@action='/settings']//*[@disabled]")
    assert "None yet" in text_of(control(page, "recent-changes").getparent())


def test_every_control_has_a_label_and_every_radio_group_a_legend(browser: tuple[TestClient, SignedIn]) -> None:
    client, _session = browser
    page = parse(client.get("/settings").text)
    form = form_of(page)
    visible = [e for e in form.xpath(".//input|.//select") if e.get("type") != "hidden"]
    assert len(visible) >= len(CATALOGUE)
    for element in visible:
        dom_id = element.get("id")
        assert dom_id, f"{element.get('name')} has no id"
        labels = form.xpath(f".//label[@for='{dom_id}']")
        assert len(labels) == 1 and text_of(labels[0]), f"{dom_id} has no label"
        for described in (element.get("aria-describedby") or "").split():
            assert page.xpath(f"//*[@id='{described}']"), f"{dom_id} is described by a missing {described}"
    for key in ("sync.selection", "contacts.direction", "contacts.scope", "events.direction", "sync.conflict_policy"):
        groups = {radio.getparent().getparent() for radio in radios(page, key)}
        assert len(groups) == 1, key
        (group,) = groups
        assert group.tag == "fieldset" and text_of(group.find("legend")), key


def test_signed_out_browsers_are_sent_to_sign_in_and_cannot_post(application: FastAPI) -> None:
    with TestClient(application, follow_redirects=False) as anonymous:
        answer = anonymous.get("/settings")
        assert answer.status_code == 303 and answer.headers["location"] == "/signin?next=%2Fsettings"
        assert anonymous.post("/settings", data={"events.enabled": "on"}).status_code == 401


# -- saving -------------------------------------------------------------------------------------------------------


def test_a_save_applies_every_change_at_once_and_comes_back_with_a_notice(
    browser: tuple[TestClient, SignedIn], rep: User, engine: Engine
) -> None:
    client, _session = browser
    page = parse(client.get("/settings").text)
    data = form_data(
        page,
        {
            "sync.selection": "manual",
            "contacts.direction": "sf_to_mailbox",
            "events.enabled": True,
            "events.window_future_days": "30",
            "contacts.forbid_to_remove": False,
        },
    )

    saved = post(client, data)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/settings?notice=saved"
    assert stored(engine, rep) == {
        "sync.selection": "manual",
        "contacts.direction": "sf_to_mailbox",
        "contacts.forbid_to_remove": False,
        "events.enabled": True,
        "events.window_future_days": 30,
    }
    assert {source for *_change, source in audited(engine, rep)} == {ChangeSource.PAGE}

    again = client.get(saved.headers["location"])
    page = parse(again.text)
    assert text_of(page.xpath("//p[@role='status']")[0]) == "Saved; the next pass uses these settings."
    assert checked_value(page, "sync.selection") == "manual"
    assert control(page, "events-enabled").get("checked") is not None
    assert control(page, "contacts-forbid-to-remove").get("checked") is None
    assert control(page, "events-window-future-days").get("value") == "30"
    recent = [text_of(li) for li in page.xpath("//section[@aria-labelledby='recent-changes']//li")]
    assert len(recent) == 5  # the last few of the five changes
    assert "Events: Days ahead: the default → 30 By you on the settings page" in recent[0]
    assert any(item.startswith("Sync method: the default → Manual: Sync only the items I select") for item in recent)
    assert any(item.startswith("Contacts: Forbid to remove: the default → off") for item in recent)

    # Saving the page unchanged changes nothing and audits nothing.
    assert post(client, form_data(page)).status_code == 303
    assert len(audited(engine, rep)) == 5


def test_a_refused_combination_keeps_the_entries_and_saves_nothing(
    browser: tuple[TestClient, SignedIn], rep: User, engine: Engine
) -> None:
    client, _session = browser
    page = parse(client.get("/settings").text)
    data = form_data(page, {"contacts.scope": "list_view", "events.enabled": True, "events.window_past_days": "14"})

    refused = post(client, data)
    assert refused.status_code == 422
    page = parse(refused.text)
    message = problem_text(page)
    assert message.startswith("Nothing was saved.")
    assert "“Contacts: Which Salesforce contacts” set to “The contacts of a list view” needs a list view" in message
    assert "“Contacts: List view”" in message
    # The entries are kept, and the settings the message names are marked.
    assert checked_value(page, "contacts.scope") == "list_view"
    assert control(page, "events-enabled").get("checked") is not None
    assert control(page, "events-window-past-days").get("value") == "14"
    assert control(page, "contacts-scope-3").get("aria-invalid") == "true"
    assert control(page, "contacts-list-view-id").get("aria-invalid") == "true"
    assert control(page, "events-enabled").get("aria-invalid") is None
    # Nothing was saved or audited.
    assert stored(engine, rep) == {}
    assert audited(engine, rep) == []


def test_a_number_that_is_not_one_is_refused_in_words(
    browser: tuple[TestClient, SignedIn], rep: User, engine: Engine
) -> None:
    client, _session = browser
    page = parse(client.get("/settings").text)
    for entry in ("abc", "-3", "366", "", "1e3"):
        refused = post(client, form_data(page, {"events.window_past_days": entry, "tasks.enabled": True}))
        assert refused.status_code == 422, entry
        again = parse(refused.text)
        assert "Events: Days back: enter a whole number from 0 to 365." in problem_text(again)
        assert control(again, "events-window-past-days").get("value") == entry
        assert control(again, "tasks-enabled").get("checked") is not None
    assert stored(engine, rep) == {}


def test_values_no_control_offers_are_refused_not_saved(
    browser: tuple[TestClient, SignedIn], rep: User, engine: Engine
) -> None:
    client, session = browser
    for data in (
        [("fields", "contacts.direction"), ("contacts.direction", "sideways")],
        [("fields", "contacts.list_view_id"), ("contacts.list_view_id", "not-an-id")],
        [("fields", "contacts.list_view_id"), ("contacts.list_view_id", "001000000000001AAA")],
    ):
        refused = post(client, [("csrf_token", session.csrf_token), *data])
        assert refused.status_code == 422, data
        assert "“Contacts:" in problem_text(parse(refused.text))
    # Keys that are not settings are not on the page, and so not taken from the form either.
    ignored = post(client, [("csrf_token", session.csrf_token), ("fields", "nonsense"), ("nonsense", "1")])
    assert ignored.status_code == 303
    assert stored(engine, rep) == {}


def test_changes_need_the_pages_csrf_token(browser: tuple[TestClient, SignedIn], rep: User, engine: Engine) -> None:
    client, _session = browser
    page = parse(client.get("/settings").text)
    data = [(name, value) for name, value in form_data(page, {"events.enabled": True}) if name != "csrf_token"]

    missing = post(client, data)
    assert missing.status_code == 403
    assert "did not come from a crmbridge page" in missing.text
    wrong = post(client, [*data, ("csrf_token", "not-the-token")])
    assert wrong.status_code == 403
    assert stored(engine, rep) == {}
    assert post(client, form_data(page, {"events.enabled": True})).status_code == 303
    assert stored(engine, rep) == {"events.enabled": True}


# -- what the administrator's configuration locks ------------------------------------------------------------------


def test_locked_options_are_disabled_and_disallowed_choices_not_offered(
    browser: tuple[TestClient, SignedIn], rep: User, engine: Engine
) -> None:
    configure(
        engine,
        name="Field sales",
        mode="enforced",
        user_emails=[REP],
        item_types=["contact", "task"],
        contact_scopes=["mine", "all"],
        directions={"task": ["sf_to_mailbox", "both"]},
        allow_private=False,
        defaults={"contacts.direction": "sf_to_mailbox"},
    )
    client, _session = browser
    answer = client.get("/settings")
    assert answer.status_code == 200
    page = parse(answer.text)

    assert "“Field sales” applies to you (it names your email address). Its values are fixed." in text_of(page)
    # Enforced: only the value that applies, disabled, saying who set it.
    direction = radios(page, "contacts.direction")
    assert [(r.get("value"), r.get("disabled") is not None) for r in direction] == [("sf_to_mailbox", True)]
    assert text_of(control(page, "contacts-direction-locked")) == "Set by your administrator"
    # Events may not sync: their on/off is locked off. Private items likewise.
    for dom_id in ("events-enabled", "sync-include-private"):
        assert control(page, dom_id).get("disabled") is not None, dom_id
        assert control(page, dom_id).get("checked") is None, dom_id
        assert f"{dom_id}-locked" in (control(page, dom_id).get("aria-describedby") or "").split(), dom_id
        assert text_of(control(page, f"{dom_id}-locked")) == "Set by your administrator"
    # Choices the configuration does not allow are not offered; the list view then is not asked for.
    assert [r.get("value") for r in radios(page, "contacts.scope")] == ["all", "mine"]
    assert [r.get("value") for r in radios(page, "tasks.direction")] == ["both", "sf_to_mailbox"]
    assert not page.xpath("//*[@name='contacts.list_view_id']")
    # What is locked is not sent, so a save of the page changes what is open and nothing else.
    data = form_data(page, {"contacts.scope": "all"})
    assert "events.enabled" not in [name for name, _value in data]
    assert post(client, data).status_code == 303
    assert stored(engine, rep) == {"contacts.scope": "all"}


def test_a_locked_setting_sent_anyway_is_refused_with_the_administrators_name(
    browser: tuple[TestClient, SignedIn], rep: User, engine: Engine
) -> None:
    configure(
        engine,
        name="Field sales",
        mode="enforced",
        user_emails=[REP],
        defaults={"sync.conflict_policy": "mailbox_wins"},
    )
    client, session = browser
    refused = post(
        client,
        [
            ("csrf_token", session.csrf_token),
            ("fields", "sync.conflict_policy"),
            ("sync.conflict_policy", "newest_wins"),
            ("fields", "events.enabled"),
            ("events.enabled", "on"),
        ],
    )
    assert refused.status_code == 422
    message = problem_text(parse(refused.text))
    assert (
        "“Conflict policy” is set to mailbox_wins by your administrator's sync configuration 'Field sales' and "
        "cannot be changed"
    ) in message
    assert stored(engine, rep) == {}


# -- the list view picker ----------------------------------------------------------------------------------------


@pytest.fixture
def world(sandbox: LiveSandbox, engine: Engine, settings: Settings) -> ContactWorld:  # noqa: F811
    """The demo sandbox, with every demo person a crmbridge user connected to their vendors."""
    return ContactWorld(state=sandbox.state, base_url=sandbox.base_url, engine=engine, settings=settings)


@pytest.fixture
def sandbox_app(settings: Settings, engine: Engine, world: ContactWorld) -> FastAPI:
    """The application, its vendor calls going to the live sandbox."""
    return create_app(settings.model_copy(update={"sandbox_url": world.base_url}), engine)


def signed_in(application: FastAPI, world: ContactWorld, email: str) -> tuple[TestClient, SignedIn]:
    return signed_in_client(application, world.user(email))


def test_the_list_view_picker_lists_the_orgs_contact_list_views(
    sandbox_app: FastAPI, world: ContactWorld, engine: Engine
) -> None:
    client, _session = signed_in(sandbox_app, world, REP)
    with client:
        mark = world.mark()
        answer = client.get("/settings")
        assert answer.status_code == 200, answer.text
        assert world.calls("salesforce", mark) == 1  # one composite call
        page = parse(answer.text)
        picker = control(page, "contacts-list-view-id")
        assert picker.tag == "select"
        options = [(o.get("value"), text_of(o)) for o in picker.xpath("./option")]
        assert options[0] == ("", "No list view")
        assert [label for _value, label in options[1:]] == SEEDED_VIEWS
        assert all(value.startswith("00B") for value, _label in options[1:])
        europe = next(value for value, label in options if label == "Key contacts — Europe")

        saved = post(client, form_data(page, {"contacts.scope": "list_view", "contacts.list_view_id": europe}))
        assert saved.status_code == 303, saved.text
        assert stored(engine, world.user(REP)) == {"contacts.scope": "list_view", "contacts.list_view_id": europe}
        page = parse(client.get("/settings").text)
        selected = control(page, "contacts-list-view-id").xpath("./option[@selected]")
        assert [text_of(option) for option in selected] == ["Key contacts — Europe"]
        assert checked_value(page, "contacts.scope") == "list_view"


def test_a_list_view_the_org_does_not_list_stays_visible(sandbox_app: FastAPI, world: ContactWorld) -> None:
    world.set(REP, "contacts.list_view_id", "00B000000000999AAA")
    client, _session = signed_in(sandbox_app, world, REP)
    with client:
        page = parse(client.get("/settings").text)
    selected = control(page, "contacts-list-view-id").xpath("./option[@selected]")
    assert [text_of(option) for option in selected] == [
        "00B000000000999AAA (not among the list views Salesforce gives you)"
    ]


def test_without_salesforce_the_list_view_is_typed_with_a_note(sandbox_app: FastAPI, world: ContactWorld) -> None:
    client, _session = signed_in(sandbox_app, world, NO_SALESFORCE)
    with client:
        answer = client.get("/settings")
    assert answer.status_code == 200
    page = parse(answer.text)
    field = control(page, "contacts-list-view-id")
    assert field.tag == "input" and field.get("type") == "text"
    note = text_of(control(page, "contacts-list-view-id-help"))
    assert note.startswith("crmbridge could not list your org's Contact list views. Connect your Salesforce account")
    assert "starts with 00B" in note


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (503, "SERVER_UNAVAILABLE", "Salesforce did not give crmbridge your org's list views just now."),
        (403, "REQUEST_LIMIT_EXCEEDED", "Salesforce is not taking more requests from your org just now."),
    ],
)
def test_when_salesforce_fails_the_list_view_is_typed_with_a_note(
    sandbox_app: FastAPI, world: ContactWorld, engine: Engine, *, status: int, code: str, expected: str
) -> None:
    world.state.faults.add(FaultSpec(provider="salesforce", method="POST", path=COMPOSITE, status=status, code=code))
    client, _session = signed_in(sandbox_app, world, REP)
    with client:
        answer = client.get("/settings")
        assert answer.status_code == 200, answer.text
        page = parse(answer.text)
        assert control(page, "contacts-list-view-id").get("type") == "text"
        assert expected in text_of(control(page, "contacts-list-view-id-help"))
        # The typed id is saved like a picked one.
        saved = post(client, form_data(page, {"contacts.list_view_id": "00B000000000001AAA"}))
        assert saved.status_code == 303
    assert stored(engine, world.user(REP)) == {"contacts.list_view_id": "00B000000000001AAA"}


def test_a_revoked_salesforce_connection_is_a_note_not_an_error(
    sandbox_app: FastAPI, world: ContactWorld, engine: Engine
) -> None:
    # Salesforce refuses the access token, and then the refresh token: the connection needs renewing.
    world.state.faults.add(FaultSpec(provider="salesforce", method="POST", path=COMPOSITE, status=401))
    world.state.faults.add(
        FaultSpec(
            provider="salesforce",
            method="POST",
            path="/login.salesforce.com/services/oauth2/token",
            status=400,
            code="invalid_grant",
        )
    )
    client, _session = signed_in(sandbox_app, world, REP)
    with client:
        answer = client.get("/settings")
        assert answer.status_code == 200, answer.text
        note = text_of(control(parse(answer.text), "contacts-list-view-id-help"))
        assert "Your Salesforce connection has to be renewed" in note
    # The mark is kept, so the Connections page asks for the renewal too.
    with Session(engine) as db:
        connection = get_connection(db, world.user(REP).id or 0, Provider.SALESFORCE)
        assert connection is not None and connection.status is ConnectionStatus.NEEDS_REAUTH
