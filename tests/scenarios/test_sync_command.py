"""``crmbridge sync`` as an operator runs it: a progress bar on a terminal, a summary per side, an exit code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.settings import Settings, get_settings
from tests.scenarios.contact_world import GRAPH, ContactWorld

ALEX = "alex.morgan@example.com"
runner = CliRunner()


@pytest.fixture
def cli_env(world: ContactWorld, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[ContactWorld]:
    """The CLI pointed at the scenario's database, data directory and sandbox."""
    monkeypatch.setenv("CRMBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CRMBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CRMBRIDGE_SANDBOX", "true")
    monkeypatch.setenv("CRMBRIDGE_SANDBOX_URL", world.base_url)
    get_settings.cache_clear()
    yield world
    get_settings.cache_clear()


def test_a_pass_prints_the_counts_per_side_and_exits_zero(cli_env: ContactWorld) -> None:
    owned = len(cli_env.owned_contacts(ALEX))

    result = runner.invoke(cli_app, ["sync", "--user", ALEX, "--items", "contacts"])

    assert result.exit_code == 0, result.output
    mailbox_row = next(line for line in result.output.splitlines() if ALEX in line and "mailbox" in line)
    assert f"│ {owned} " in mailbox_row or f" {owned} " in mailbox_row
    assert "succeeded" in mailbox_row
    assert len(cli_env.sync_folder_contacts(ALEX)) == owned


def test_a_pass_stopped_by_the_guard_exits_one_and_says_why(cli_env: ContactWorld) -> None:
    assert runner.invoke(cli_app, ["sync", "--user", ALEX]).exit_code == 0
    with cli_env.graph(ALEX) as graph:
        folder_id = cli_env.sync_folder_id(ALEX)
        graph.delete(f"{GRAPH}/me/contactFolders/{folder_id}")

    result = runner.invoke(cli_app, ["sync", "--user", ALEX])

    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    assert "aborted" in result.output


def test_unknown_user_and_unsupported_items_are_refused_clearly(cli_env: ContactWorld) -> None:
    unknown = runner.invoke(cli_app, ["sync", "--user", "nobody@example.com"])
    assert unknown.exit_code == 2 and "no user nobody@example.com" in unknown.output

    notes = runner.invoke(cli_app, ["sync", "--items", "contacts,notes"])
    assert notes.exit_code == 2 and "'notes' is not something to sync" in notes.output


def test_a_sandbox_that_does_not_answer_is_named_with_what_to_do(
    cli_env: ContactWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRMBRIDGE_SANDBOX_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()

    result = runner.invoke(cli_app, ["sync", "--user", ALEX])

    assert result.exit_code == 2
    assert "does not answer" in result.output and "make run" in result.output


def test_a_user_without_salesforce_is_skipped_in_a_run_over_everyone_but_fails_when_named(
    cli_env: ContactWorld,
) -> None:
    everyone = runner.invoke(cli_app, ["sync"])
    assert everyone.exit_code == 0, everyone.output
    assert "jordan.lee@example.com (contacts): nothing to sync: Salesforce not connected" in everyone.output

    named = runner.invoke(cli_app, ["sync", "--user", "jordan.lee@example.com"])
    assert named.exit_code == 1 and "skipped" in named.output


def test_item_types_turned_off_are_named_with_how_to_turn_them_on_and_do_not_fail(cli_env: ContactWorld) -> None:
    result = runner.invoke(cli_app, ["sync", "--user", ALEX, "--items", "events,tasks"])

    assert result.exit_code == 0, result.output
    assert f"Events sync is turned off for {ALEX}" in result.output
    assert "events.enabled=true" in result.output
    assert not any(ALEX in line and "│" in line for line in result.output.splitlines())


def test_events_and_tasks_turned_on_get_their_own_rows(cli_env: ContactWorld) -> None:
    cli_env.set(ALEX, "events.enabled", True)
    cli_env.set(ALEX, "tasks.enabled", True)

    result = runner.invoke(cli_app, ["sync", "--user", ALEX])

    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if ALEX in line]
    for items in ("contacts", "events", "tasks"):
        assert any(f" {items} " in row and "succeeded" in row for row in rows), (items, result.output)
    assert "turned off" not in result.output
