"""``crmbridge settings show`` and ``set``: what applies and why, changes all or none, clear refusals, and a change
that the next sync pass follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.db import unit_of_work
from app.models import ChangeSource, SettingChange, User, UserSetting
from app.services import preferences
from app.settings import Settings, get_settings
from app.sync.config import Side
from tests.accounts_support import add_user
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401  (fixtures)
from tests.scenarios.conftest import world  # noqa: F401  (fixture)
from tests.scenarios.contact_world import GRAPH, ContactWorld

REP = "rep.one@example.com"
ALEX = "alex.morgan@example.com"
runner = CliRunner()


@pytest.fixture
def cli_db(engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI pointed at the test database."""
    monkeypatch.setenv("CRMBRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("CRMBRIDGE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()


@pytest.fixture
def rep(cli_db: Engine) -> User:
    return add_user(cli_db, REP)


def stored(engine: Engine, user: User) -> dict[str, object]:
    with Session(engine) as db:
        return {row.key: row.value for row in db.exec(select(UserSetting).where(UserSetting.user_id == user.id))}


def test_show_lists_every_setting_with_its_value_source_allowed_values_and_description(rep: User) -> None:
    result = runner.invoke(cli_app, ["settings", "show", "--user", REP])

    assert result.exit_code == 0, result.output
    assert "no sync configuration applies" in result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[2:]}
    assert set(lines) == set(preferences.CATALOGUE)
    direction = lines["contacts.direction"].split()
    assert direction[:5] == ["contacts.direction", "both", "default", "both,", "sf_to_mailbox,"]
    assert "Which way contact changes go." in lines["contacts.direction"]
    assert "0 to 365" in lines["events.window_past_days"]


def test_show_names_the_configuration_and_what_it_fixes(rep: User, cli_db: Engine) -> None:
    with unit_of_work(cli_db) as db:
        spec = preferences.ConfigurationSpec(
            name="Reps", roles=["rep"], mode="enforced", defaults={"events.enabled": True}, allow_private=False
        )
        preferences.create_configuration(db, spec, actor=None, source="cli")

    result = runner.invoke(cli_app, ["settings", "show", "--user", REP])

    assert result.exit_code == 0, result.output
    assert "sync configuration 'Reps' (enforced, applies by role)" in result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[2:]}
    assert lines["events.enabled"].split()[1:4] == ["true", "enforced", "(locked)"]
    assert lines["sync.include_private"].split()[1:5] == ["false", "default", "(locked)", "false"]


def test_set_parses_by_type_changes_all_and_is_audited_as_cli(rep: User, cli_db: Engine) -> None:
    result = runner.invoke(
        cli_app,
        [
            "settings",
            "set",
            "--user",
            REP,
            "events.enabled=true",
            "events.window_past_days=30",
            "contacts.direction=sf_to_mailbox",
        ],
    )

    assert result.exit_code == 0, result.output
    assert f"{REP}: events.window_past_days: 7 -> 30 [user]" in result.output
    assert stored(cli_db, rep) == {
        "events.enabled": True,
        "events.window_past_days": 30,
        "contacts.direction": "sf_to_mailbox",
    }
    with Session(cli_db) as db:
        rows = list(db.exec(select(SettingChange)))
    assert {(row.key, row.source, row.actor_user_id) for row in rows} == {
        ("events.enabled", ChangeSource.CLI, None),
        ("events.window_past_days", ChangeSource.CLI, None),
        ("contacts.direction", ChangeSource.CLI, None),
    }

    reset = runner.invoke(cli_app, ["settings", "set", "--user", REP, "contacts.direction="])
    assert reset.exit_code == 0, reset.output
    assert "contacts.direction: sf_to_mailbox -> both [default]" in reset.output
    assert "contacts.direction" not in stored(cli_db, rep)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["contacts.colour=red"], "'contacts.colour' is not a setting"),
        (["events.window_past_days=lots"], "events.window_past_days must be a whole number, not 'lots'"),
        (["events.window_future_days=0"], "between 1 and 730, not 0"),
        (["contacts.enabled=maybe"], "contacts.enabled must be true or false"),
        (["contacts.direction"], "expected KEY=VALUE"),
        (["contacts.enabled=false", "contacts.enabled=true"], "contacts.enabled is given more than once"),
        (["events.enabled=true", "contacts.scope=list_view"], "nothing was changed: contacts.scope list_view needs"),
        (["contacts.list_view_id=003000000000001AAA"], "starts with 00B"),
    ],
)
def test_bad_input_exits_2_with_the_message_and_changes_nothing(
    rep: User, cli_db: Engine, arguments: list[str], message: str
) -> None:
    result = runner.invoke(cli_app, ["settings", "set", "--user", REP, *arguments])

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert stored(cli_db, rep) == {}


def test_an_unknown_user_is_refused(cli_db: Engine) -> None:
    for command in (["show"], ["set", "contacts.enabled=false"]):
        result = runner.invoke(cli_app, ["settings", *command, "--user", "nobody@example.com"])
        assert result.exit_code == 2
        assert "no user nobody@example.com" in result.output


def test_a_setting_changed_with_the_cli_changes_the_next_pass(
    world: ContactWorld,  # noqa: F811
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRMBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CRMBRIDGE_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    assert world.sync(ALEX).result is not None
    contact = world.sync_folder_contacts(ALEX)[0]
    link = next(link for link in world.links(ALEX) if link.mailbox_id == contact["id"])

    one_way = runner.invoke(cli_app, ["settings", "set", "--user", ALEX, "contacts.direction=sf_to_mailbox"])
    assert one_way.exit_code == 0, one_way.output
    with world.graph(ALEX) as graph:
        graph.patch(f"{GRAPH}/me/contacts/{contact['id']}", json={"jobTitle": "Edited in Outlook"})
    mark = world.mark()

    held = world.sync(ALEX)

    assert held.result is not None and held.result.summary[Side.SALESFORCE].writes == 0
    assert world.calls("salesforce", mark, path="/composite/sobjects") == 0
    assert salesforce_title(world, str(link.salesforce_id)) != "Edited in Outlook"

    # The control: with both ways set again, the same kind of edit reaches Salesforce on the next pass.
    both_ways = runner.invoke(cli_app, ["settings", "set", "--user", ALEX, "contacts.direction=both"])
    assert both_ways.exit_code == 0, both_ways.output
    with world.graph(ALEX) as graph:
        graph.patch(f"{GRAPH}/me/contacts/{contact['id']}", json={"jobTitle": "Edited in Outlook again"})
    released = world.sync(ALEX)
    assert released.result is not None and released.result.summary[Side.SALESFORCE].writes == 1
    assert salesforce_title(world, str(link.salesforce_id)) == "Edited in Outlook again"
    get_settings.cache_clear()


def salesforce_title(world: ContactWorld, contact_id: str) -> str | None:  # noqa: F811
    with world.salesforce(ALEX) as client:
        rows = client.query(f"SELECT Id, Title FROM Contact WHERE Id = '{contact_id}'")
    return rows[0]["Title"] if rows else None
