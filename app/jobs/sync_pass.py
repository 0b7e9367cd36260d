"""One sync pass of one item type for one user, from the user's connections to a recorded sync run.

This is the unit of work the CLI, the scheduler and the distributed workers all run. The item-type modules
(:mod:`app.jobs.contact_sync`, :mod:`app.jobs.event_sync`, :mod:`app.jobs.task_sync`) build the two stores and the
engine configuration; :func:`run_item_pass` checks the connections, runs the engine and records the pass. A
connection that needs re-authorisation stops the pass before anything is read, and nothing is inferred from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.connectors.errors import VendorError
from app.connectors.retry import RetryPolicy
from app.db import unit_of_work
from app.errors import ConnectionUnavailable
from app.models import ConnectionStatus, ItemType, MailProvider, Provider, SyncRunStatus, SyncTrigger, User
from app.services.connections import PROVIDER_LABELS, TokenRefresher, get_connection, record_revocation
from app.services.dashboard import item_error_sentences
from app.services.salesforce_access import RepSalesforce
from app.services.sync_runs import failure_record, finish_run, start_run, status_of
from app.services.sync_status import DatabaseStatusStore
from app.services.vendor_tokens import ConnectionAccessToken
from app.sync.apply import PassResult
from app.sync.config import SyncConfig
from app.sync.engine import run_pass
from app.sync.stores import ItemStore, StoreError
from app.token_cipher import TokenCipher

#: The Salesforce object each item type syncs with.
SALESFORCE_OBJECTS: dict[ItemType, str] = {ItemType.CONTACT: "Contact", ItemType.EVENT: "Event", ItemType.TASK: "Task"}


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
    """How one user's pass of one item type went. ``result`` is None when the pass did not run or failed before
    recording; ``skipped`` says there was nothing to sync (the user never connected an account a pass needs, or
    ``turned_off`` this item type), which is not a failure and records no sync run."""

    user_email: str
    run_id: int | None
    status: SyncRunStatus
    result: PassResult | None = None
    message: str | None = None
    skipped: bool = False
    item_type: ItemType = ItemType.CONTACT
    turned_off: bool = False

    @property
    def failed(self) -> bool:
        """True unless the pass ran to the end with no item failure (or was skipped)."""
        return not self.skipped and self.status is not SyncRunStatus.SUCCEEDED


@dataclass(frozen=True)
class VendorSessions:
    """The user's open vendor sessions for one pass: the mailbox's token and Salesforce as the rep."""

    mailbox_token: ConnectionAccessToken
    salesforce: RepSalesforce
    stack: ExitStack

    def on_close(self, close: Callable[[], object]) -> None:
        """Call ``close`` (a client's) when the pass ends."""
        self.stack.callback(close)


#: Builds the mailbox store and the Salesforce store of one item type from the user's open sessions.
StoreBuilder = Callable[[VendorSessions], tuple[ItemStore, ItemStore]]


class PassSettings(Protocol):
    """What a pass needs of an item type's settings."""

    @property
    def enabled(self) -> bool:
        """Whether the user syncs this item type."""
        ...

    def engine_config(self, *, allow_mass_delete: bool = False) -> SyncConfig:
        """The engine's configuration for the pass."""
        ...


SettingsT = TypeVar("SettingsT", bound=PassSettings)


@dataclass(frozen=True)
class ItemSync(Generic[SettingsT]):
    """How one item type syncs: its settings as they apply now, and its two stores under those settings."""

    item_type: ItemType
    settings: Callable[[Session, User, datetime], SettingsT]
    stores: Callable[[SyncEnvironment, User, SettingsT], StoreBuilder]


def sync_item(
    env: SyncEnvironment,
    user: User,
    sync: ItemSync[SettingsT],
    *,
    trigger: SyncTrigger,
    allow_mass_delete: bool = False,
) -> PassReport:
    """Run one pass of ``sync``'s item type for ``user`` under the settings that apply now, and record it."""
    with Session(env.engine) as session:
        settings = sync.settings(session, user, env.now())
    return run_item_pass(
        env,
        user,
        sync.item_type,
        enabled=settings.enabled,
        config=settings.engine_config(allow_mass_delete=allow_mass_delete),
        build=sync.stores(env, user, settings),
        trigger=trigger,
    )


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
def vendor_sessions(env: SyncEnvironment, user: User) -> Iterator[VendorSessions]:
    """The user's mailbox token and Salesforce session, closed afterwards."""
    assert user.id is not None
    with ExitStack() as stack:
        token = ConnectionAccessToken(
            env.engine, user.id, mailbox_provider(user), cipher=env.cipher, refresher=env.refresher, now=env.now
        )
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
        yield VendorSessions(token, rep, stack)


def open_stores(
    env: SyncEnvironment, user: User, build: StoreBuilder
) -> AbstractContextManager[tuple[ItemStore, ItemStore]]:
    """The two stores ``build`` makes from the user's sessions, closed afterwards."""

    @contextmanager
    def opened() -> Iterator[tuple[ItemStore, ItemStore]]:
        with vendor_sessions(env, user) as sessions:
            yield build(sessions)

    return opened()


def run_item_pass(
    env: SyncEnvironment,
    user: User,
    item_type: ItemType,
    *,
    enabled: bool,
    config: SyncConfig,
    build: StoreBuilder,
    trigger: SyncTrigger,
) -> PassReport:
    """Run one pass of ``item_type`` for ``user`` and record it as a sync run (nothing when it is turned off)."""
    assert user.id is not None
    with Session(env.engine) as session:
        missing = missing_connections(session, user)
        problems = unusable_connections(session, user)
    if not enabled:
        off = f"{item_type.value} sync is turned off"
        return PassReport(
            user.email, None, SyncRunStatus.SUCCEEDED, message=off, skipped=True, item_type=item_type, turned_off=True
        )
    if missing:
        idle = f"nothing to sync: {' and '.join(missing)} not connected"
        return PassReport(user.email, None, SyncRunStatus.SUCCEEDED, message=idle, skipped=True, item_type=item_type)
    run_id = start_run(env.engine, user.id, [item_type], trigger, env.now())
    if problems:
        paused = "Sync paused: " + "; ".join(problems) + ". Nothing was read or changed."
        finish_run(env.engine, run_id, status=SyncRunStatus.ABORTED, now=env.now(), message=paused)
        return PassReport(user.email, run_id, SyncRunStatus.ABORTED, message=paused, item_type=item_type)
    status = DatabaseStatusStore(
        env.engine, user_id=user.id, item_type=item_type, salesforce_type=SALESFORCE_OBJECTS[item_type]
    )
    try:
        with open_stores(env, user, build) as (mailbox, salesforce):
            result = run_pass(mailbox, salesforce, status, config, now=env.now)
    except ConnectionUnavailable as error:
        with unit_of_work(env.engine) as session:
            record_revocation(session, error)
        return _failed(env, user, run_id, item_type, f"Sync paused: {error.message}")
    except (StoreError, VendorError) as error:
        return _failed(
            env, user, run_id, item_type, f"The {item_type.plural} pass stopped before recording anything: {error}"
        )
    outcome = status_of(result)
    message = result.guard.message if result.guard is not None else failure_summary(result, item_type)
    finish_run(env.engine, run_id, status=outcome, now=env.now(), result=result, message=message)
    return PassReport(user.email, run_id, outcome, result, message, item_type=item_type)


def _failed(env: SyncEnvironment, user: User, run_id: int, item_type: ItemType, message: str) -> PassReport:
    finish_run(env.engine, run_id, status=SyncRunStatus.FAILED, now=env.now(), message=message)
    return PassReport(user.email, run_id, SyncRunStatus.FAILED, message=message, item_type=item_type)


def failure_summary(result: PassResult, item_type: ItemType) -> str | None:
    """The pass's item errors in words, e.g. "Salesforce rejected 3 contacts: Last Name too long" (the dashboard's)."""
    records = [failure_record(failure) for failure in result.failures]
    return "; ".join(item_error_sentences([item_type.value], records)[:5]) or None
