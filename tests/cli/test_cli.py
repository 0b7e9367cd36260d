"""The crmbridge command line: help with examples everywhere, database commands, and clear refusals."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
import typer.main
from typer.testing import CliRunner

from app import __version__
from app.cli import app as cli_app
from app.settings import get_settings
from tests.databases import TestDatabases

runner = CliRunner()


@pytest.fixture
def cli_database(test_databases: TestDatabases, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty database that the CLI's settings point at."""
    url = test_databases.create()
    monkeypatch.setenv("CRMBRIDGE_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _all_commands() -> list[tuple[str, click.Command]]:
    root = typer.main.get_command(cli_app)
    found: list[tuple[str, click.Command]] = [("", root)]

    def walk(prefix: str, command: click.Command) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                found.append((f"{prefix} {name}".strip(), sub))
                walk(f"{prefix} {name}".strip(), sub)

    walk("", root)
    return found


def test_version() -> None:
    result = runner.invoke(cli_app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"crmbridge {__version__}"


@pytest.mark.parametrize(("path", "command"), _all_commands(), ids=lambda value: str(value) or "root")
def test_every_command_has_help_with_examples(path: str, command: click.Command) -> None:
    result = runner.invoke(cli_app, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output
    assert "crmbridge " in result.output.split("Examples:", 1)[1]


def test_db_upgrade_current_downgrade(cli_database: str) -> None:
    assert "none (empty database)" in runner.invoke(cli_app, ["db", "current"]).output

    upgraded = runner.invoke(cli_app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "(up to date)" in runner.invoke(cli_app, ["db", "current"]).output

    downgraded = runner.invoke(cli_app, ["db", "downgrade", "base"])
    assert downgraded.exit_code == 0, downgraded.output
    assert "none (empty database)" in runner.invoke(cli_app, ["db", "current"]).output


def test_unknown_revision_is_a_clear_error(cli_database: str) -> None:
    result = runner.invoke(cli_app, ["db", "upgrade", "no-such-revision"])
    assert result.exit_code == 1
    assert "migration failed" in result.output
    assert "Traceback" not in result.output


def test_unreachable_database_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMBRIDGE_DATABASE_URL", "postgresql+psycopg://app:pw@127.0.0.1:1/none?connect_timeout=2")
    get_settings.cache_clear()
    try:
        result = runner.invoke(cli_app, ["db", "current"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "could not read the database" in result.output
    assert ":pw@" not in result.output  # the password is hidden
