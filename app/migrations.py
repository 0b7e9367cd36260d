"""Alembic, driven from code: upgrade, downgrade, and where a database stands relative to the migrations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from alembic import command

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "alembic"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for ``database_url`` using the project's ``alembic/`` directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would treat "%" in passwords as a directive.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Revert migrations down to ``revision`` (``base`` reverts them all, ``-1`` one step)."""
    command.downgrade(alembic_config(database_url), revision)


def head_revisions(database_url: str) -> tuple[str, ...]:
    """The revisions at the head of the migration scripts."""
    return tuple(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


@dataclass(frozen=True)
class MigrationState:
    """Where the database stands: its applied revisions and the scripts' heads."""

    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        """True when every head is applied and nothing else is."""
        return set(self.current) == set(self.heads)


VERSION_TABLE = "alembic_version"


def migration_state(engine: Engine, heads: tuple[str, ...]) -> MigrationState:
    """Read the applied revisions from the database behind ``engine`` (quietly: it backs the health check)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(VERSION_TABLE):
            return MigrationState(current=(), heads=heads)
        rows = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return MigrationState(current=tuple(rows), heads=heads)
