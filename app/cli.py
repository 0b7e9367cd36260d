"""The ``crmbridge`` command line: run the service, manage the database, and (later) sync and users."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from alembic.util import CommandError
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app import __version__
from app.errors import ConfigurationError, CrmbridgeError
from app.settings import Settings, get_settings

if TYPE_CHECKING:
    from app.models import ItemType

app = typer.Typer(
    name="crmbridge",
    help="crmbridge: Salesforce next to Outlook and Gmail. Run the service or its vendor sandbox, manage its database.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    epilog="Examples:\n\n\b\n  crmbridge serve\n  crmbridge sandbox --seed empty\n  crmbridge db current\n"
    "  crmbridge users add --admin it.admin@example.com\n  crmbridge --version",
)
db_app = typer.Typer(
    help="Manage the database schema (through Alembic migrations, the only way it changes).",
    no_args_is_help=True,
    rich_markup_mode=None,
    epilog="Examples:\n\n\b\n  crmbridge db upgrade\n  crmbridge db current\n  crmbridge db downgrade -1",
)
app.add_typer(db_app, name="db")
users_app = typer.Typer(
    help="Manage who may sign in to crmbridge's pages (the first admin comes from here).",
    no_args_is_help=True,
    rich_markup_mode=None,
    epilog="Examples:\n\n\b\n  crmbridge users add --admin it.admin@example.com\n  crmbridge users list\n"
    "  crmbridge users remove former.rep@example.com --yes",
)
app.add_typer(users_app, name="users")
keys_app = typer.Typer(
    help="Manage the keys that encrypt vendor tokens at rest (CRMBRIDGE_TOKEN_ENCRYPTION_KEYS).",
    no_args_is_help=True,
    rich_markup_mode=None,
    epilog="Examples:\n\n\b\n  crmbridge keys generate\n  crmbridge keys rotate",
)
app.add_typer(keys_app, name="keys")
settings_app = typer.Typer(
    help="Show and change a user's sync settings (within what their sync configuration allows).",
    no_args_is_help=True,
    rich_markup_mode=None,
    epilog="Examples:\n\n\b\n  crmbridge settings show --user alex.morgan@example.com\n"
    "  crmbridge settings set --user alex.morgan@example.com contacts.direction=sf_to_mailbox",
)
app.add_typer(settings_app, name="settings")


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"crmbridge: {message}", err=True)
    raise typer.Exit(code)


def _settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        _fail(f"configuration error: {exc}", 2)


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"crmbridge {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """crmbridge: Salesforce next to Outlook and Gmail."""


@app.command(epilog="Examples:\n\n\b\n  crmbridge serve\n  crmbridge serve --host 0.0.0.0 --port 8080 --workers 4")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Number of worker processes.")] = 1,
) -> None:
    """Run the web service. Applies pending database migrations first.

    With no vendor credentials configured, it runs in sandbox mode on the embedded SQLite database.
    """
    import uvicorn

    from app.logging_config import configure_logging
    from app.migrations import upgrade

    settings = _settings()
    try:
        settings.check_ready()
    except ConfigurationError as exc:
        _fail(f"configuration error: {exc.message}", 2)
    if "public_url" not in settings.model_fields_set:
        # Unconfigured, the public address is the one served: OAuth redirects and, in sandbox mode, the calls to
        # the mounted sandbox use it. Worker processes inherit it through the environment.
        reachable_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        os.environ["CRMBRIDGE_PUBLIC_URL"] = f"http://{reachable_host}:{port}"
        get_settings.cache_clear()
        settings = _settings()
    configure_logging(settings.log_level)
    url = settings.resolved_database_url
    try:
        upgrade(url)
    except SQLAlchemyError as exc:
        _fail(f"could not migrate the database at {_safe_url(url)}: {type(exc).__name__}")
    if settings.sandbox_mode and workers > 1:
        # The sandbox keeps its vendors' data in memory; several workers would each see a different org.
        typer.echo(
            "crmbridge: sandbox mode runs a single worker (the sandbox lives in memory); ignoring --workers", err=True
        )
        workers = 1
    mode = "sandbox mode" if settings.sandbox_mode else "production mode"
    typer.echo(f"crmbridge {__version__} in {mode} on http://{host}:{port} (database: {_safe_url(url)})", err=True)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
    )


def _check_seed(value: str) -> str:
    from app.sandbox_mode import parse_seed

    try:
        parse_seed(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


@app.command(
    epilog="Examples:\n\n\b\n  crmbridge sandbox\n  crmbridge sandbox --port 8900 --seed empty\n"
    "  crmbridge sandbox --host 0.0.0.0 --seed 5000"
)
def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8900,
    seed: Annotated[
        str,
        typer.Option(
            callback=_check_seed,
            help="What to fill it with: demo (the deterministic demo data), empty, "
            "or N generated records per type (for benchmarks).",
        ),
    ] = "demo",
) -> None:
    """Run the vendor sandbox alone: the Salesforce, Microsoft and Google emulators and their control API.

    A vendor URL https://HOST/PATH is served at http://ADDRESS:PORT/HOST/PATH; the control API is under
    /_sandbox/ and documented at /docs.
    """
    from app.logging_config import configure_logging
    from app.sandbox_mode import parse_seed, run_sandbox

    configure_logging("INFO")
    parsed = parse_seed(seed)
    typer.echo(f"crmbridge sandbox on http://{host}:{port} (seed: {parsed}; control API: /_sandbox/)", err=True)
    run_sandbox(host, port, parsed)


@db_app.command(epilog="Examples:\n\n\b\n  crmbridge db upgrade\n  crmbridge db upgrade 0001")
def upgrade(
    revision: Annotated[str, typer.Argument(help="Revision to upgrade to.")] = "head",
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from app.migrations import upgrade as run_upgrade

    url = _settings().resolved_database_url
    _run_migration(lambda: run_upgrade(url, revision), url)
    typer.echo(f"database at {_safe_url(url)} upgraded to {revision}")


@db_app.command(epilog="Examples:\n\n\b\n  crmbridge db downgrade -1\n  crmbridge db downgrade base")
def downgrade(
    revision: Annotated[str, typer.Argument(help="Revision to go down to: an id, -N steps, or base.")],
) -> None:
    """Revert migrations down to REVISION. `base` empties the schema (all data is lost)."""
    from app.migrations import downgrade as run_downgrade

    url = _settings().resolved_database_url
    _run_migration(lambda: run_downgrade(url, revision), url)
    typer.echo(f"database at {_safe_url(url)} downgraded to {revision}")


@db_app.command(
    epilog="Examples:\n\n\b\n  crmbridge db current\n"
    "  CRMBRIDGE_DATABASE_URL=postgresql+psycopg://app@db/crm crmbridge db current"
)
def current() -> None:
    """Show the database's migration revision and whether it is the newest."""
    from app.db import create_db_engine
    from app.migrations import head_revisions, migration_state

    url = _settings().resolved_database_url
    engine = create_db_engine(url)
    try:
        state = migration_state(engine, head_revisions(url))
    except SQLAlchemyError as exc:
        _fail(f"could not read the database at {_safe_url(url)}: {type(exc).__name__}")
    finally:
        engine.dispose()
    revision = ", ".join(state.current) or "none (empty database)"
    status = "up to date" if state.at_head else f"behind; newest is {', '.join(state.heads)}"
    typer.echo(f"{revision} ({status})")


def _run_migration(action: Callable[[], None], url: str) -> None:
    try:
        action()
    except SQLAlchemyError as exc:
        _fail(f"migration failed on {_safe_url(url)}: {type(exc).__name__}: {exc.args[0] if exc.args else ''}")
    except CommandError as exc:  # unknown revision and the like
        _fail(f"migration failed: {exc}")


@contextmanager
def _database(settings: Settings) -> Iterator[Session]:
    """A unit of work on the configured database; a clear failure when it is not reachable or not migrated."""
    from app.db import create_db_engine, unit_of_work

    url = settings.resolved_database_url
    engine = create_db_engine(url)
    try:
        with unit_of_work(engine) as session:
            yield session
    except SQLAlchemyError as exc:
        _fail(
            f"could not use the database at {_safe_url(url)} ({type(exc).__name__}); "
            "is it reachable and migrated (`crmbridge db upgrade`)?"
        )
    finally:
        engine.dispose()


def _default_mailbox(settings: Settings) -> str:
    return "google" if settings.google_client_id and not settings.microsoft_client_id else "microsoft"


@users_app.command(
    "add",
    epilog="Examples:\n\n\b\n  crmbridge users add --admin it.admin@example.com\n"
    '  crmbridge users add priya.shah@example.com --mailbox google --name "Priya Shah"',
)
def users_add(
    email: Annotated[str, typer.Argument(help="The person's work mail address.")],
    admin: Annotated[bool, typer.Option("--admin", help="Make them an admin (or promote an existing user).")] = False,
    name: Annotated[str | None, typer.Option(help="Their name (default: taken from the address).")] = None,
    mailbox: Annotated[
        str | None,
        typer.Option(
            help="Where their mailbox is: microsoft or google (default: microsoft, or google when only Google is "
            "configured; their first sign-in corrects it).",
        ),
    ] = None,
) -> None:
    """Allow a person to sign in. The first admin is added this way."""
    from app.errors import Conflict, InvalidInput
    from app.models import MailProvider, Role
    from app.services import users

    settings = _settings()
    choice = (mailbox or _default_mailbox(settings)).strip().lower()
    if choice not in ("microsoft", "google"):
        raise typer.BadParameter("expected microsoft or google", param_hint="--mailbox")
    with _database(settings) as session:
        try:
            user = users.add_user(session, email, mail_provider=MailProvider(choice), name=name, admin=admin)
        except InvalidInput as exc:
            _fail(exc.message, 2)
        except Conflict:
            existing = users.find_user(session, email)
            assert existing is not None
            if not admin or existing.role is Role.ADMIN:
                _fail(f"{existing.email} is already a user ({existing.role.value}); nothing changed.")
            users.set_role(session, existing, Role.ADMIN)
            typer.echo(f"{existing.email} is now an admin.")
            return
    typer.echo(f"added {user.email} ({user.role.value}, {user.mail_provider.value} mailbox); they can sign in now.")


@users_app.command("list", epilog="Examples:\n\n\b\n  crmbridge users list")
def users_list() -> None:
    """List the users with their role, mailbox, connections and last sign-in."""
    from app.services import account_connections, users

    with _database(_settings()) as session:
        people = users.list_users(session)
        connections = account_connections.connections_by_user(session)
    if not people:
        typer.echo("no users yet; add the first admin with: crmbridge users add --admin EMAIL")
        return
    rows = [("EMAIL", "ROLE", "MAILBOX", "CONNECTIONS", "LAST SIGN-IN")]
    for person in people:
        linked = ", ".join(
            connection.provider.value + ("" if connection.status.value == "active" else " (needs re-authorisation)")
            for connection in connections.get(person.id or 0, [])
        )
        signed_in = person.last_signed_in_at.strftime("%Y-%m-%d %H:%M UTC") if person.last_signed_in_at else "never"
        rows.append((person.email, person.role.value, person.mail_provider.value, linked or "-", signed_in))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@users_app.command(
    "remove",
    epilog="Examples:\n\n\b\n  crmbridge users remove former.rep@example.com\n"
    "  crmbridge users remove former.rep@example.com --yes",
)
def users_remove(
    email: Annotated[str, typer.Argument(help="The user's mail address.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a user: revoke their connections at the vendors, sign them out, delete what crmbridge holds."""
    from app.connectors.oauth_clients import VendorOAuth
    from app.services import account_connections, users, web_sessions
    from app.token_cipher import TokenCipher

    settings = _settings()
    with _database(settings) as session:
        user = users.find_user(session, email)
        if user is None or user.id is None:
            _fail(f"{email.strip().lower()} is not a crmbridge user.")
        try:
            users.ensure_removable(session, user)
        except CrmbridgeError as exc:
            _fail(exc.message)
        if not yes:
            typer.confirm(f"Remove {user.email} and revoke their connections?", abort=True)
        # Outside sandbox mode the vendors are real; in sandbox mode only a separately running sandbox is reachable.
        vendor_base = settings.sandbox_url if settings.sandbox_mode else None
        try:
            cipher = TokenCipher.from_settings(settings)
        except ConfigurationError as exc:
            _fail(f"configuration error: {exc.message}", 2)
        revoked = 0
        if not settings.sandbox_mode or vendor_base:
            revoked = account_connections.disconnect_all(
                session, user.id, cipher=cipher, revoker=VendorOAuth(settings, vendor_base)
            )
        web_sessions.end_all_sessions(session, user.id)
        users.remove_user(session, user)
    typer.echo(f"removed {user.email}; {revoked} connection(s) revoked at the vendors.")


@keys_app.command("rotate", epilog="Examples:\n\n\b\n  crmbridge keys rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored vendor token with the newest key (the first of CRMBRIDGE_TOKEN_ENCRYPTION_KEYS).

    To rotate: put a new key first (`crmbridge keys generate`), keep the old ones after it, restart, run this,
    then drop the old keys.
    """
    from app.services.connections import rotate_token_encryption
    from app.token_cipher import TokenCipher, TokenDecryptionError

    settings = _settings()
    try:
        cipher = TokenCipher.from_settings(settings)
    except ConfigurationError as exc:
        _fail(f"configuration error: {exc.message}", 2)
    with _database(settings) as session:
        try:
            count = rotate_token_encryption(session, cipher)
        except TokenDecryptionError:
            _fail(
                "a stored token cannot be decrypted with any configured key; nothing was changed. Put every key "
                "still in use into CRMBRIDGE_TOKEN_ENCRYPTION_KEYS (newest first) and run this again."
            )
    typer.echo(f"re-encrypted the tokens of {count} connection(s) with the newest key; older keys can now be removed.")


@keys_app.command("generate", epilog="Examples:\n\n\b\n  crmbridge keys generate")
def keys_generate() -> None:
    """Print a new token encryption key (put it first in CRMBRIDGE_TOKEN_ENCRYPTION_KEYS, then `keys rotate`)."""
    from cryptography.fernet import Fernet

    typer.echo(Fernet.generate_key().decode("ascii"))


@app.command(
    epilog="Examples:\n\n\b\n  crmbridge sync\n  crmbridge sync --user alex.morgan@example.com --items contacts\n"
    "  crmbridge sync --items events,tasks\n"
    "  crmbridge sync --user alex.morgan@example.com --allow-mass-delete"
)
def sync(
    user: Annotated[str | None, typer.Option(help="Only this user (default: every user).")] = None,
    items: Annotated[
        str,
        typer.Option(help="What to sync, comma-separated: contacts, events, tasks (each only where it is turned on)."),
    ] = "contacts,events,tasks",
    allow_mass_delete: Annotated[
        bool,
        typer.Option(
            "--allow-mass-delete",
            help="Go ahead with a pass the mass-deletion guard stopped (after checking the deletions are wanted).",
        ),
    ] = False,
) -> None:
    """Run a sync pass now and print what it did. Exits 1 when a pass failed or was stopped."""
    from rich.console import Console
    from rich.progress import Progress

    from app.jobs.environment import sync_environment
    from app.jobs.sync_summary import print_summary
    from app.jobs.user_sync import sync_user
    from app.models import SyncTrigger
    from app.services import users as user_service

    item_types = _item_types(items)
    settings = _settings()
    with _database(settings) as session:
        if user is None:
            chosen = user_service.list_users(session)
        else:
            found = user_service.find_user(session, user)
            if found is None:
                _fail(f"no user {user}; see `crmbridge users list`.", 2)
            chosen = [found]
    if not chosen:
        _fail("there are no users yet; add one with `crmbridge users add`.", 2)
    console = Console()
    if not console.is_terminal:  # piped or logged: one line per row rather than a table squeezed to 80 columns
        console = Console(width=200)
    reports = []
    try:
        with sync_environment(settings) as env, Progress(console=console, transient=True) as bar:
            task = bar.add_task("syncing", total=len(chosen))
            for person in chosen:
                bar.update(task, description=f"{person.email}")
                reports.extend(
                    sync_user(env, person, item_types, trigger=SyncTrigger.CLI, allow_mass_delete=allow_mass_delete)
                )
                bar.advance(task)
    except ConfigurationError as exc:
        _fail(exc.message, 2)
    print_summary(console, reports)
    # A user named on the command line who could not be synced is a failure; in a run over everyone it is not.
    if any(report.failed or (user is not None and report.skipped and not report.turned_off) for report in reports):
        raise typer.Exit(1)


def _item_types(text: str) -> list[ItemType]:
    """The item types named in ``--items`` (contacts, events, tasks; singular names are taken too)."""
    from app.models import ItemType

    names = {"contacts": ItemType.CONTACT, "events": ItemType.EVENT, "tasks": ItemType.TASK}
    chosen = []
    for part in (piece.strip().lower() for piece in text.split(",")):
        if not part:
            continue
        found = names.get(part) or names.get(part + "s")
        if found is None:
            raise typer.BadParameter(f"{part!r} is not something to sync; choose from contacts, events, tasks")
        chosen.append(found)
    if not chosen:
        raise typer.BadParameter("name at least one of contacts, events, tasks")
    return chosen


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@settings_app.command("show", epilog="Examples:\n\n\b\n  crmbridge settings show --user alex.morgan@example.com")
def settings_show(user: Annotated[str, typer.Option(help="The user's email address.")]) -> None:
    """Show each sync setting of a user: the value that applies, where it comes from, what is allowed, what it does.

    Sources: enforced (fixed by the sync configuration), user (their own choice), configuration (the
    configuration's default or only allowed value), default (the product's).
    """
    from app.services import preferences
    from app.services import users as user_service

    with _database(_settings()) as session:
        person = user_service.find_user(session, user)
        if person is None:
            _fail(f"no user {user}; see `crmbridge users list`.", 2)
        effective = preferences.effective_settings(session, person)
    applied = effective.configuration
    if applied is None:
        typer.echo(f"{person.email}: no sync configuration applies (built-in: everything allowed, product defaults)")
    else:
        typer.echo(
            f"{person.email}: sync configuration {applied.policy.name!r} ({applied.policy.mode.value}, "
            f"applies by {applied.matched_by}); max delete share {effective.max_delete_share:g}"
        )
    rows: list[tuple[str, ...]] = [("KEY", "VALUE", "SOURCE", "ALLOWED", "DESCRIPTION")]
    for key, resolved in effective.settings.items():
        source = resolved.source.value + (" (locked)" if resolved.locked else "")
        value = preferences.format_value(resolved.value)
        rows.append((key, value, source, resolved.allowed.describe(), resolved.setting.description))
    _table(rows)
    for key, resolved in effective.settings.items():
        if resolved.note:
            typer.echo(f"note: {key}: {resolved.note}")


@settings_app.command(
    "set",
    epilog="Examples:\n\n\b\n  crmbridge settings set --user alex.morgan@example.com contacts.direction=sf_to_mailbox\n"
    "  crmbridge settings set --user priya.shah@example.com events.enabled=true events.window_past_days=30\n"
    "  crmbridge settings set --user alex.morgan@example.com contacts.scope=list_view "
    "contacts.list_view_id=00B5e00000AbCdE\n"
    "  crmbridge settings set --user alex.morgan@example.com contacts.direction=",
)
def settings_set(
    user: Annotated[str, typer.Option(help="The user's email address.")],
    assignments: Annotated[
        list[str],
        typer.Argument(
            metavar="KEY=VALUE...",
            help="Settings to change: true/false, whole numbers, or one of the choices (see `crmbridge settings "
            "show`). KEY= with nothing after it takes the user's own value away, so the default applies again.",
        ),
    ],
) -> None:
    """Change some of a user's sync settings, all or none: they apply from the user's next sync pass.

    The change is recorded in the user's settings history as made from the command line. Exits 2, changing
    nothing, when a key or value is not acceptable.
    """
    from app.errors import InvalidInput
    from app.services import preferences
    from app.services import users as user_service

    changes: dict[str, object] = {}
    for assignment in assignments:
        key, equals, text = assignment.partition("=")
        key = key.strip()
        if not equals or not key:
            _fail(f"expected KEY=VALUE, got {assignment!r} (for example contacts.direction=sf_to_mailbox).", 2)
        if key in changes:
            _fail(f"{key} is given more than once.", 2)
        try:
            changes[key] = preferences.setting(key).parse(text) if text.strip() else None
        except preferences.SettingValueError as exc:
            _fail(str(exc), 2)
    with _database(_settings()) as session:
        person = user_service.find_user(session, user)
        if person is None:
            _fail(f"no user {user}; see `crmbridge users list`.", 2)
        before = preferences.effective_settings(session, person).values()
        try:
            after = preferences.change_settings(session, person, changes, actor=None, source="cli")
        except InvalidInput as exc:
            _fail(f"nothing was changed: {exc.message}", 2)
    for key in changes:
        resolved = after.settings[key]
        old, new = preferences.format_value(before[key]), preferences.format_value(resolved.value)
        change = f"{old} -> {new}" if old != new else f"{new} (unchanged)"
        typer.echo(f"{person.email}: {key}: {change} [{resolved.source.value}]")


def main() -> None:
    """Entry point of the ``crmbridge`` console script."""
    app(prog_name="crmbridge")


if __name__ == "__main__":
    main()
