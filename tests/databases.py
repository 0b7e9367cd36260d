"""Throw-away test databases: SQLite files by default, PostgreSQL databases when CRMBRIDGE_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlmodel import SQLModel

TEST_DATABASE_URL_ENV = "CRMBRIDGE_TEST_DATABASE_URL"


class TestDatabases:
    """Creates empty databases on the configured server (or as files) and drops them again."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, server_url: str | None, scratch_dir: Path) -> None:
        self.server_url = server_url
        self.scratch_dir = scratch_dir
        self._created: list[str] = []

    @classmethod
    def from_environment(cls, scratch_dir: Path) -> TestDatabases:
        """Use the server named by ``CRMBRIDGE_TEST_DATABASE_URL`` if set, else SQLite files in ``scratch_dir``."""
        return cls(os.environ.get(TEST_DATABASE_URL_ENV) or None, scratch_dir)

    @property
    def backend(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return make_url(self.server_url).get_backend_name() if self.server_url else "sqlite"

    def create(self) -> str:
        """The URL of a new, empty database."""
        name = f"crmbridge_test_{uuid.uuid4().hex[:12]}"
        if self.server_url is None:
            url = f"sqlite:///{self.scratch_dir / (name + '.db')}"
        else:
            with self._admin_engine().connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = make_url(self.server_url).set(database=name).render_as_string(hide_password=False)
        self._created.append(url)
        return url

    def drop_all(self) -> None:
        """Drop every database this object created."""
        if self.server_url is not None:
            with self._admin_engine().connect() as connection:
                for url in self._created:
                    name = make_url(url).database
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._created.clear()

    def _admin_engine(self) -> Engine:
        assert self.server_url is not None
        return sa.create_engine(self.server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


def empty_all_tables(engine: Engine) -> None:
    """Delete every row of every application table (the schema and migration record stay)."""
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
