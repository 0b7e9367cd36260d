"""One contact sync pass for one user, from their settings and connections to a recorded sync run.

This is the unit of work the CLI, the scheduler and the distributed workers all run. It builds the user's
two stores (Outlook or Gmail, and Salesforce), runs the engine, and records the pass. A connection that
needs re-authorisation stops the user's sync before anything is read, and nothing is inferred from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.connectors.errors import VendorError
from app.connectors.google.client import PeopleClient
from app.connectors.google.contacts_store import PeopleContactStore
from app.connectors.microsoft.client import GraphClient
from app.connectors.microsoft.contacts_store import GraphContactStore
from app.connectors.retry import RetryPolicy
from app.connectors.salesforce.contacts_store import SalesforceContactStore
from app.db import unit_of_work
from app.errors import ConnectionUnavailable
from app.models import ConnectionStatus, ItemType, MailProvider, Provider, SyncRunStatus, SyncTrigger, User
from app.services.connections import PROVIDER_LABELS, TokenRefresher, get_connection, record_revocation
from app.services.salesforce_access import RepSalesforce
from app.services.sync_runs import finish_run, start_run, status_of
from app.services.sync_settings import ContactSyncSettings, contact_sync_settings
from app.services.sync_status import DatabaseStatusStore
from app.services.vendor_tokens import ConnectionAccessToken
from app.sync.apply import PassResult
from app.sync.engine import run_pass
from app.sync.stores import ItemStore, StoreError
from app.token_cipher import TokenCipher


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SyncEnvironment:
    """What a pass needs from the running service: the database, token handling and where the vendors are."""

    engine: Engine
    cipher: TokenCipher
    refresher: TokenRefresher
    vendor_base_url: str | None
    now: Callable[[], datetime] = _utc_now
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True)
class PassReport:
    """How one user's pass went. ``result`` is None when the pass did not run or failed before recording;
    ``skipped`` says there was nothing to sync (the user never connected an account a pass needs, or turned
    contact sync off), which is not a failure and records no sync run."""

    user_email: str
    run_id: int | None
    status: SyncRunStatus
    result: PassResult | None = None
    message: str | None = None
    skipped: bool = False

    @property
    def failed(self) -> bool:
        """True unless the pass ran to the end with no item failure (or was skipped)."""
        return not self.skipped and self.status is not SyncRunStatus.SUCCEEDED


def mailbox_provider(user: User) -> Provider:
    """The provider of the user's mailbox."""
    return Provider.MICROSOFT if user.mail_provider is MailProvider.MICROSOFT else Provider.GOOGLE


def missing_connections(session: Session, user: User) -> list[str]:
    """The accounts a pass needs that the user never connected."""
    assert user.id is not None
    providers = (Provider.SALESFORCE, mailbox_provider(user))
    return [PROVIDER_LABELS[p] for p in providers if get_connection(session, user.id, p) is None]


def unusable_connections(session: Session, user: User) -> list[str]:
    """Sentences naming each connection the pass needs that needs re-authorisation."""
    assert user.id is not None
    problems = []
    for provider in (Provider.SALESFORCE, mailbox_provider(user)):
        connection = get_connection(session, user.id, provider)
        if connection is not None and connection.status is ConnectionStatus.NEEDS_REAUTH:
            label = PROVIDER_LABELS[provider]
            problems.append(f"{label} needs to be connected again ({connection.status_detail or 'access refused'})")
    return problems


@contextmanager
def contact_stores(
    env: SyncEnvironment, user: User, settings: ContactSyncSettings
) -> Iterator[tuple[ItemStore, ItemStore]]:
    """The user's mailbox store and Salesforce store, closed afterwards."""
    assert user.id is not None
    with ExitStack() as stack:
        mailbox: ItemStore
        token = ConnectionAccessToken(
            env.engine, user.id, mailbox_provider(user), cipher=env.cipher, refresher=env.refresher, now=env.now
        )
        if user.mail_provider is MailProvider.MICROSOFT:
            graph = GraphClient(token, vendor_base_url=env.vendor_base_url, retry=env.retry)
            stack.callback(graph.close)
            mailbox = GraphContactStore(graph, selection=settings.selection, include_private=settings.include_private)
        else:
            people = PeopleClient(token, vendor_base_url=env.vendor_base_url, retry=env.retry)
            stack.callback(people.close)
            mailbox = PeopleContactStore(people, selection=settings.selection)
        session = stack.enter_context(Session(env.engine, expire_on_commit=False))
        rep = RepSalesforce(
            session,
            user.id,
            cipher=env.cipher,
            refresher=env.refresher,
            vendor_base_url=env.vendor_base_url,
            now=env.now(),
            checkpoint=session.commit,
        )
        stack.callback(rep.close)
        salesforce = SalesforceContactStore(
            rep,
            user_id=rep.salesforce_user_id,
            scope=settings.scope,
            list_view_id=settings.list_view_id,
            retry=env.retry,
        )
        yield mailbox, salesforce


def sync_contacts(
    env: SyncEnvironment,
    user: User,
    *,
    trigger: SyncTrigger,
    allow_mass_delete: bool = False,
) -> PassReport:
    """Run one contact pass for ``user`` and record it as a sync run."""
    assert user.id is not None
    with Session(env.engine) as session:
        settings = contact_sync_settings(session, user)
        missing = missing_connections(session, user)
        problems = unusable_connections(session, user)
    if not settings.enabled:
        return PassReport(user.email, None, SyncRunStatus.SUCCEEDED, message="contact sync is turned off", skipped=True)
    if missing:
        idle = f"nothing to sync: {' and '.join(missing)} not connected"
        return PassReport(user.email, None, SyncRunStatus.SUCCEEDED, message=idle, skipped=True)
    run_id = start_run(env.engine, user.id, [ItemType.CONTACT], trigger, env.now())
    if problems:
        paused = "Sync paused: " + "; ".join(problems) + ". Nothing was read or changed."
        finish_run(env.engine, run_id, status=SyncRunStatus.ABORTED, now=env.now(), message=paused)
        return PassReport(user.email, run_id, SyncRunStatus.ABORTED, message=paused)
    status = DatabaseStatusStore(env.engine, user_id=user.id, item_type=ItemType.CONTACT, salesforce_type="Contact")
    try:
        with contact_stores(env, user, settings) as (mailbox, salesforce):
            result = run_pass(
                mailbox, salesforce, status, settings.engine_config(allow_mass_delete=allow_mass_delete), now=env.now
            )
    except ConnectionUnavailable as error:
        with unit_of_work(env.engine) as session:
            record_revocation(session, error)
        return _failed(env, user, run_id, f"Sync paused: {error.message}")
    except (StoreError, VendorError) as error:
        return _failed(env, user, run_id, f"The pass stopped before recording anything: {error}")
    outcome = status_of(result)
    message: str | None = result.guard.message if result.guard is not None else _failure_summary(result)
    finish_run(env.engine, run_id, status=outcome, now=env.now(), result=result, message=message)
    return PassReport(user.email, run_id, outcome, result, message)


def _failed(env: SyncEnvironment, user: User, run_id: int, message: str) -> PassReport:
    finish_run(env.engine, run_id, status=SyncRunStatus.FAILED, now=env.now(), message=message)
    return PassReport(user.email, run_id, SyncRunStatus.FAILED, message=message)


def _failure_summary(result: PassResult) -> str | None:
    """One sentence per side and kind of failure, e.g. "Salesforce rejected 3 contacts: Last Name too long"."""
    if not result.failures:
        return None
    groups: dict[tuple[str, str], int] = {}
    for failure in result.failures:
        key = (failure.side.value, failure.message)
        groups[key] = groups.get(key, 0) + 1
    label = {"mailbox": "The mailbox", "salesforce": "Salesforce"}
    parts = [
        f"{label[side]} rejected {count} contact{'s' if count > 1 else ''}: {message}"
        for (side, message), count in sorted(groups.items(), key=lambda entry: -entry[1])[:5]
    ]
    return "; ".join(parts)
