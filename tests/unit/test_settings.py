"""Settings: defaults, sandbox detection, and a clear refusal of missing or placeholder secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import ConfigurationError
from app.settings import Settings


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_default_database_is_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    settings = make(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'crmbridge.db'}"


def test_configured_database_url_wins(tmp_path: Path) -> None:
    url = "postgresql+psycopg://app@db:5432/crm"
    assert make(data_dir=tmp_path, database_url=url).resolved_database_url == url


def test_environment_variables_use_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMBRIDGE_PUBLIC_URL", "https://crm.example.com")
    monkeypatch.setenv("CRMBRIDGE_LOG_LEVEL", "DEBUG")
    settings = make()
    assert settings.public_url == "https://crm.example.com"
    assert settings.log_level == "DEBUG"


def test_sandbox_mode_is_on_without_vendor_credentials() -> None:
    assert make().sandbox_mode is True
    assert make(salesforce_client_id="3MVG9abc").sandbox_mode is False
    assert make(salesforce_client_id="3MVG9abc", sandbox=True).sandbox_mode is True


def test_sandbox_mode_needs_no_secrets() -> None:
    make().check_ready()


def test_production_without_secrets_names_every_missing_one() -> None:
    settings = make(sandbox=False, microsoft_client_id="app-id")
    with pytest.raises(ConfigurationError) as raised:
        settings.check_ready()
    message = raised.value.message
    for name in ("CRMBRIDGE_SECRET_KEY", "CRMBRIDGE_TOKEN_ENCRYPTION_KEYS", "CRMBRIDGE_MICROSOFT_CLIENT_SECRET"):
        assert name in message
    assert "CRMBRIDGE_GOOGLE_CLIENT_SECRET" not in message  # Google is not configured, so its secret is not needed


@pytest.mark.parametrize("placeholder", ["changeme", "CHANGE-ME", "  ", "<your secret>", "xxx"])
def test_placeholder_secrets_are_refused(placeholder: str) -> None:
    settings = make(sandbox=False, secret_key=placeholder, token_encryption_keys="a-real-looking-key-value-123")
    with pytest.raises(ConfigurationError, match="CRMBRIDGE_SECRET_KEY"):
        settings.check_ready()


def test_real_secrets_pass() -> None:
    make(sandbox=False, secret_key="s3cr3t-Vx9q", token_encryption_keys="k3y-Vx9q").check_ready()


def test_secrets_never_show_in_representations() -> None:
    settings = make(secret_key="super-secret-value", salesforce_client_secret="another-secret")
    assert "super-secret-value" not in repr(settings)
    assert "another-secret" not in str(settings.model_dump())
