"""The ``crmbridge`` command line: run the service, manage the database, and (later) sync and users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, NoReturn

import typer
from alembic.util import CommandError
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from app.errors import ConfigurationError
from app.settings import Settings, get_settings

app = typer.Typer(
    name="crmbridge",
    help="crmbridge: Salesforce next to Outlook and Gmail. Run the service or its vendor sandbox, manage its database.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    epilog="Examples:\n\n\b\n  crmbridge serve\n  crmbridge sandbox --seed empty\n  crmbridge db current\n"
    "  crmbridge --version",
)
db_app = typer.Typer(
    help="Manage the database schema (through Alembic migrations, the only way it changes).",
    no_args_is_help=True,
    rich_markup_mode=None,
    epilog="Examples:\n\n\b\n  crmbridge db upgrade\n  crmbridge db current\n  crmbridge db downgrade -1",
)
app.add_typer(db_app, name="db")


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


def main() -> None:
    """Entry point of the ``crmbridge`` console script."""
    app(prog_name="crmbridge")


if __name__ == "__main__":
    main()
