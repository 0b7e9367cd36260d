"""Where production code meets the sandbox: the one module allowed to import ``app.sandbox``.

``run_sandbox`` serves the sandbox alone (``crmbridge sandbox``); ``mount_sandbox`` puts it inside the service
when it runs in sandbox mode, at ``{public_url}/sandbox``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from app.connectors.oauth_clients import VendorOAuth
from app.sandbox.app import create_sandbox_app
from app.sandbox.state import SandboxState, Seed
from app.settings import Settings
from app.token_cipher import TokenCipher

logger = logging.getLogger(__name__)


def parse_seed(text: str) -> Seed:
    """``demo``, ``empty`` or a positive number of generated records per type; ValueError for anything else."""
    cleaned = text.strip().lower()
    if cleaned == "demo":
        return "demo"
    if cleaned == "empty":
        return "empty"
    if cleaned.isdigit() and int(cleaned) > 0:
        return int(cleaned)
    raise ValueError(f"expected demo, empty or a positive number of records per type, not {text!r}")


def run_sandbox(host: str, port: int, seed: Seed) -> None:
    """Serve the sandbox alone on ``host``:``port``, filled per ``seed``, until interrupted."""
    import uvicorn

    uvicorn.run(create_sandbox_app(seed=seed), host=host, port=port, log_config=None, access_log=False)


def mount_sandbox(app: FastAPI, path: str, *, seed: Seed = "demo") -> str:
    """Mount a sandbox seeded with ``seed`` on ``app`` at ``path``; returns its base URL, which is also kept as
    ``app.state.sandbox_base_url`` (its state as ``app.state.sandbox_state``). The base is the service's public URL
    (``app.state.settings``) plus ``path``."""
    path = "/" + path.strip("/")
    sandbox_app = create_sandbox_app(seed=seed)
    app.mount(path, sandbox_app, name="sandbox")
    app.state.sandbox_state = sandbox_app.state.sandbox
    settings: Settings = app.state.settings
    base_url = settings.public_url.rstrip("/") + path
    app.state.sandbox_base_url = base_url
    return base_url


def connect_demo_users(app: FastAPI) -> int:
    """Make every sandbox account a crmbridge user, connected to Salesforce (when they are a Salesforce user)
    and to their mailbox with tokens minted by the mounted sandbox; returns how many connections were made.

    Runs at every start: the sandbox lives in memory, so tokens kept from an earlier run are unknown to this one.
    Users who already exist keep their role; the sandbox's System Administrators start as crmbridge admins.
    """
    return connect_sandbox_users(
        app.state.sandbox_state, app.state.engine, oauth=app.state.vendor_oauth, cipher=app.state.token_cipher
    )


def connect_sandbox_users(state: SandboxState, engine: Engine, *, oauth: VendorOAuth, cipher: TokenCipher) -> int:
    """:func:`connect_demo_users` for any sandbox and database (tests and benchmarks use it on their own)."""

    from datetime import timedelta

    from sqlalchemy.exc import SQLAlchemyError

    from app.connectors.oauth_clients import CONNECT_SCOPES
    from app.db import unit_of_work
    from app.models import MailProvider, Provider
    from app.sandbox.hosts import SALESFORCE_INSTANCE_HOST
    from app.sandbox.tokens import ACCESS_TOKEN_LIFETIME
    from app.services.account_connections import offered_providers, record_connection
    from app.services.connections import IssuedTokens
    from app.services.users import add_user, find_user

    made = 0
    try:
        with unit_of_work(engine) as db:
            for person in state.directory:
                user = find_user(db, person.email) or add_user(
                    db,
                    person.email,
                    name=person.name,
                    mail_provider=MailProvider(person.mail_provider),
                    admin=person.salesforce_profile == "System Administrator",
                )
                for provider in offered_providers(user):
                    account_id = {
                        Provider.SALESFORCE: person.salesforce_id,
                        Provider.MICROSOFT: person.microsoft_id,
                        Provider.GOOGLE: person.google_id,
                    }[provider]
                    if account_id is None or (provider is Provider.SALESFORCE and not person.salesforce_user):
                        continue
                    client_id = oauth.client(provider).client_id
                    scopes = CONNECT_SCOPES[provider]
                    # Graph tokens carry only Graph permissions; the grant behind the refresh token has them all.
                    access_scopes = tuple(
                        s for s in scopes if s not in ("openid", "profile", "email", "offline_access")
                    )
                    tokens = IssuedTokens(
                        access_token=state.tokens.issue_access_token(
                            provider.value, person.email, scopes=access_scopes, client_id=client_id
                        ),
                        refresh_token=state.tokens.issue_refresh_token(
                            provider.value, person.email, scopes=scopes, client_id=client_id
                        ),
                        expires_at=None
                        if provider is Provider.SALESFORCE
                        else state.clock.now() + ACCESS_TOKEN_LIFETIME - timedelta(seconds=1),
                        instance_url=f"https://{SALESFORCE_INSTANCE_HOST}" if provider is Provider.SALESFORCE else None,
                    )
                    record_connection(
                        db,
                        user,
                        provider,
                        account_id=account_id,
                        username=person.email,
                        tokens=tokens,
                        scopes=" ".join(scopes),
                        cipher=cipher,
                    )
                    made += 1
    except SQLAlchemyError:
        logger.warning("demo users were not connected: the database is not ready (run `crmbridge db upgrade`)")
        return 0
    return made
