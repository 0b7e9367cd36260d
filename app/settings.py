"""crmbridge configuration: one Settings class read from the environment (prefix ``CRMBRIDGE_``) and ``.env``.

Every field here is listed in the README's configuration table (a test keeps the two in step).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.errors import ConfigurationError

#: Values that people leave in example files; treated the same as a missing secret.
#: Where the service serves the vendor sandbox in sandbox mode (``{public_url}/sandbox``).
SANDBOX_MOUNT_PATH = "/sandbox"

PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "secret", "placeholder", "xxx", "todo", "your-secret-here"}
)

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseSettings):
    """All of crmbridge's settings. Environment variables are ``CRMBRIDGE_`` + the field name in capitals."""

    model_config = SettingsConfigDict(
        env_prefix="CRMBRIDGE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Directory for the embedded SQLite database and other local state.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; default: SQLite file `crmbridge.db` in the data directory. "
        "PostgreSQL: `postgresql+psycopg://user@host:5432/db`.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Address at which users and Office reach this service "
        "(used in the add-in manifest and in OAuth redirects); unset, `crmbridge serve` uses the address it serves.",
    )
    sandbox: bool | None = Field(
        default=None,
        description="Run against the built-in vendor sandbox. Default: on when no vendor credentials are configured.",
    )
    sandbox_url: str | None = Field(
        default=None,
        description="In sandbox mode, the address of a separately running sandbox (`crmbridge sandbox`) "
        "to use instead of the one mounted at `/sandbox`.",
    )
    log_level: LogLevel = Field(default="INFO", description="Lowest level of log lines written to standard error.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs session cookies. Required outside sandbox mode.",
    )
    token_encryption_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated Fernet keys that encrypt vendor tokens at rest, newest first. "
        "Required outside sandbox mode.",
    )
    salesforce_client_id: str | None = Field(default=None, description="Consumer key of the Salesforce connected app.")
    salesforce_client_secret: SecretStr | None = Field(
        default=None, description="Consumer secret of the Salesforce connected app."
    )
    salesforce_login_url: str = Field(
        default="https://login.salesforce.com",
        description="Salesforce login host (`https://test.salesforce.com` for Salesforce sandboxes, or a My Domain).",
    )
    microsoft_client_id: str | None = Field(default=None, description="Application (client) id of the Entra ID app.")
    microsoft_client_secret: SecretStr | None = Field(default=None, description="Client secret of the Entra ID app.")
    microsoft_tenant: str = Field(
        default="common", description="Entra ID tenant for sign-in (`common`, `organizations` or a tenant id)."
    )
    google_client_id: str | None = Field(default=None, description="OAuth client id of the Google Cloud project.")
    google_client_secret: SecretStr | None = Field(
        default=None, description="OAuth client secret of the Google Cloud project."
    )
    signin_domains: str | None = Field(
        default=None,
        description="Comma-separated mail domains whose people may sign in without being added first (they start "
        "as reps); `*` allows any address the identity provider vouches for. Default: only people added by an admin "
        "(`crmbridge users add`); in sandbox mode, any sandbox account.",
    )
    session_hours: int = Field(
        default=12, ge=1, le=24 * 30, description="Hours a sign-in to the web pages lasts before signing in again."
    )
    auth_rate_limit: int = Field(
        default=30,
        ge=1,
        description="Sign-in, connect and OAuth callback requests allowed per client address per minute "
        "(counted in each server process).",
    )
    max_request_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted, in bytes; larger requests are refused with 413.",
    )
    sandbox_demo_users: bool = Field(
        default=True,
        description="In sandbox mode with the built-in sandbox, create the demo users on start and connect them to "
        "their sandbox accounts.",
    )
    attachment_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=0,
        le=25 * 1024 * 1024,
        description="Largest email attachment logged to Salesforce as a File, in bytes; larger ones are skipped with "
        "a note to the rep. Attachments travel base64-encoded, so the limit applied is at most three quarters of "
        "`CRMBRIDGE_MAX_REQUEST_BYTES`.",
    )

    @property
    def resolved_database_url(self) -> str:
        """The database URL to use: the configured one, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'crmbridge.db').resolve()}"

    @property
    def has_vendor_credentials(self) -> bool:
        """True when at least one vendor's OAuth client is configured."""
        return any((self.salesforce_client_id, self.microsoft_client_id, self.google_client_id))

    @property
    def sandbox_mode(self) -> bool:
        """Whether the service talks to the built-in sandbox instead of the real vendors."""
        if self.sandbox is not None:
            return self.sandbox
        return not self.has_vendor_credentials

    def check_ready(self) -> None:
        """Refuse to start with missing or placeholder secrets outside sandbox mode.

        Raises ConfigurationError whose message names every offending variable and how to fix it.
        """
        if self.sandbox_mode:
            return
        problems = [f"CRMBRIDGE_{name.upper()}" for name in self._required_secrets() if _is_unset(getattr(self, name))]
        if problems:
            raise ConfigurationError(
                "crmbridge is not running in sandbox mode, so these settings must hold real values: "
                + ", ".join(problems)
                + ". Set them in the environment or in .env (see the README's configuration table); "
                'generate a key with: python -c "import secrets; print(secrets.token_urlsafe(32))".'
            )

    def _required_secrets(self) -> list[str]:
        names = ["secret_key", "token_encryption_keys"]
        for vendor in ("salesforce", "microsoft", "google"):
            if getattr(self, f"{vendor}_client_id"):
                names.append(f"{vendor}_client_secret")
        return names


def _is_unset(value: SecretStr | str | None) -> bool:
    if value is None:
        return True
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    return raw.strip().lower() in PLACEHOLDER_SECRETS or raw.strip().startswith("<")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
