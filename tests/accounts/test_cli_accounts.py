"""`crmbridge users add|list|remove` and `crmbridge keys rotate|generate`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.connectors.probes import probe
from app.main import create_app
from app.models import Provider, Role
from app.services.connections import vendor_access
from app.services.users import find_user
from app.settings import Settings, get_settings
from app.token_cipher import TokenCipher
from tests.accounts.test_connections import connect
from tests.accounts_support import add_user, connection_row, signed_in_client
from tests.sandbox.conftest import LiveSandbox
from tests.sandbox.oauth_browser import vendor_client

runner = CliRunner()


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine) -> Iterator[None]:
    """The CLI's settings: the test database, sandbox mode."""
    monkeypatch.setenv("CRMBRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("CRMBRIDGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRMBRIDGE_SANDBOX", "true")
    monkeypatch.delenv("CRMBRIDGE_TOKEN_ENCRYPTION_KEYS", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_users_add_list_remove(cli_env: None, engine: Engine) -> None:
    first = runner.invoke(cli_app, ["users", "add", "--admin", "IT.Admin@Example.com"])
    assert first.exit_code == 0, first.output
    assert "added it.admin@example.com (admin, microsoft mailbox)" in first.output
    assert runner.invoke(cli_app, ["users", "add", "priya.shah@example.com", "--mailbox", "google"]).exit_code == 0

    again = runner.invoke(cli_app, ["users", "add", "priya.shah@example.com"])
    assert again.exit_code == 1 and "already a user (rep); nothing changed" in again.output
    promoted = runner.invoke(cli_app, ["users", "add", "--admin", "priya.shah@example.com"])
    assert promoted.exit_code == 0 and "now an admin" in promoted.output
    bad = runner.invoke(cli_app, ["users", "add", "not-an-address"])
    assert bad.exit_code == 2 and "is not an email address" in bad.output
    assert runner.invoke(cli_app, ["users", "add", "x@example.com", "--mailbox", "yahoo"]).exit_code == 2

    listing = runner.invoke(cli_app, ["users", "list"])
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].split() == ["EMAIL", "ROLE", "MAILBOX", "CONNECTIONS", "LAST", "SIGN-IN"]
    assert lines[1].split()[:4] == ["it.admin@example.com", "admin", "microsoft", "-"]
    assert lines[2].split()[:3] == ["priya.shah@example.com", "admin", "google"]

    refused = runner.invoke(cli_app, ["users", "remove", "priya.shah@example.com"], input="n\n")
    assert refused.exit_code == 1
    removed = runner.invoke(cli_app, ["users", "remove", "priya.shah@example.com", "--yes"])
    assert removed.exit_code == 0 and "removed priya.shah@example.com" in removed.output
    with Session(engine) as db:
        assert find_user(db, "priya.shah@example.com") is None
        admin = find_user(db, "it.admin@example.com")
        assert admin is not None and admin.role is Role.ADMIN
    missing = runner.invoke(cli_app, ["users", "remove", "nobody@example.com", "--yes"])
    assert missing.exit_code == 1 and "is not a crmbridge user" in missing.output
    last = runner.invoke(cli_app, ["users", "remove", "it.admin@example.com", "--yes"])
    assert last.exit_code == 1 and "is the last admin" in last.output
    with Session(engine) as db:
        assert find_user(db, "it.admin@example.com") is not None


def test_users_list_when_empty(cli_env: None) -> None:
    assert (
        "add the first admin with: crmbridge users add --admin EMAIL"
        in runner.invoke(cli_app, ["users", "list"]).output
    )


def test_keys_rotate_keeps_every_connection_working(
    cli_env: None,
    settings: Settings,
    engine: Engine,
    sandbox: LiveSandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = settings.model_copy(update={"sandbox_url": sandbox.base_url, "token_encryption_keys": SecretStr(old_key)})
    application = create_app(before, engine)
    alex = add_user(engine, "alex.morgan@example.com")
    priya = add_user(engine, "priya.shah@example.com", mailbox="google")
    with vendor_client(sandbox.base_url) as vendor:
        for user, providers in ((alex, ("salesforce", "microsoft")), (priya, ("google",))):
            client, session = signed_in_client(application, user)
            for provider in providers:
                connect(client, session, vendor, provider, user.email)
    rows_before = {
        (user.id, provider): connection_row(engine, user.id or 0, provider)
        for user, provider in ((alex, Provider.SALESFORCE), (alex, Provider.MICROSOFT), (priya, Provider.GOOGLE))
    }

    monkeypatch.setenv("CRMBRIDGE_TOKEN_ENCRYPTION_KEYS", f"{new_key},{old_key}")
    get_settings.cache_clear()
    result = runner.invoke(cli_app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted the tokens of 3 connection(s)" in result.output

    only_new = TokenCipher([new_key])
    after = settings.model_copy(update={"sandbox_url": sandbox.base_url, "token_encryption_keys": SecretStr(new_key)})
    application = create_app(after, engine)
    for (user_id, provider), row in rows_before.items():
        assert row is not None and user_id is not None
        rotated = connection_row(engine, user_id, provider)
        assert rotated is not None
        assert rotated["refresh_token_ciphertext"] != row["refresh_token_ciphertext"]
        assert only_new.decrypt(str(rotated["refresh_token_ciphertext"])) == TokenCipher([old_key]).decrypt(
            str(row["refresh_token_ciphertext"])
        )
        with Session(engine) as db:
            access = vendor_access(
                db,
                user_id,
                provider,
                cipher=application.state.token_cipher,
                refresher=application.state.token_refresher,
                now=datetime.now(UTC),
            )
            probe(access, application.state.vendor_base_url)

    # Dropping a key that still encrypts something is refused without changing anything.
    monkeypatch.setenv("CRMBRIDGE_TOKEN_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    get_settings.cache_clear()
    refused = runner.invoke(cli_app, ["keys", "rotate"])
    assert refused.exit_code == 1 and "cannot be decrypted with any configured key" in refused.output


def test_keys_generate_prints_a_fernet_key(cli_env: None) -> None:
    result = runner.invoke(cli_app, ["keys", "generate"])
    assert result.exit_code == 0
    Fernet(result.output.strip().encode())
