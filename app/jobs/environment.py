"""The environment a sync pass runs in, built from settings (for the CLI and the workers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from app.connectors.oauth_clients import VendorOAuth
from app.db import create_db_engine
from app.errors import ConfigurationError
from app.jobs.sync_pass import SyncEnvironment
from app.settings import SANDBOX_MOUNT_PATH, Settings
from app.token_cipher import TokenCipher


def vendor_base_url(settings: Settings) -> str | None:
    """Where the vendors are: None for the real ones; in sandbox mode, the sandbox of the running service
    (``CRMBRIDGE_PUBLIC_URL`` + ``/sandbox``) unless ``CRMBRIDGE_SANDBOX_URL`` names a separate one."""
    if not settings.sandbox_mode:
        return None
    if settings.sandbox_url:
        return settings.sandbox_url.rstrip("/")
    return settings.public_url.rstrip("/") + SANDBOX_MOUNT_PATH


def check_sandbox_reachable(base_url: str) -> None:
    """Raise a ConfigurationError that says what to do when the sandbox does not answer."""
    try:
        httpx.get(f"{base_url}/_sandbox/users", timeout=5.0).raise_for_status()
    except httpx.HTTPError as exc:
        raise ConfigurationError(
            f"the vendor sandbox at {base_url} does not answer ({type(exc).__name__}). In sandbox mode a sync "
            "pass talks to the sandbox of the running service: start it first (`make run`), or point "
            "CRMBRIDGE_SANDBOX_URL at a running `crmbridge sandbox`."
        ) from exc


@contextmanager
def sync_environment(settings: Settings) -> Iterator[SyncEnvironment]:
    """A :class:`SyncEnvironment` on the configured database and vendors; the engine is disposed afterwards."""
    base = vendor_base_url(settings)
    if base is not None:
        check_sandbox_reachable(base)
    engine = create_db_engine(settings.resolved_database_url)
    try:
        yield SyncEnvironment(
            engine=engine,
            cipher=TokenCipher.from_settings(settings),
            refresher=VendorOAuth(settings, base),
            vendor_base_url=base,
        )
    finally:
        engine.dispose()
