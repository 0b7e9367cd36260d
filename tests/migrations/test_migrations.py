"""The schema comes only from migrations: they match the models exactly, and go down to base and up again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from app.db import create_db_engine
from app.migrations import VERSION_TABLE, downgrade, head_revisions, upgrade
from tests.databases import TestDatabases


def _differences(url: str) -> list[object]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(test_databases: TestDatabases) -> None:
    url = test_databases.create()
    upgrade(url)
    assert _differences(url) == []


def test_downgrade_to_base_and_upgrade_again(test_databases: TestDatabases) -> None:
    url = test_databases.create()
    upgrade(url)
    model_tables = {table.name for table in SQLModel.metadata.sorted_tables}
    assert model_tables <= _tables(url)

    downgrade(url, "base")
    assert _tables(url) - {VERSION_TABLE} == set()

    upgrade(url)
    assert model_tables <= _tables(url)
    assert _differences(url) == []


def test_there_is_exactly_one_head(test_databases: TestDatabases) -> None:
    assert len(head_revisions(test_databases.create())) == 1


def test_a_model_change_without_a_migration_is_detected(test_databases: TestDatabases) -> None:
    """Guards the guard: the comparison really sees a column the migrations lack."""
    url = test_databases.create()
    upgrade(url)
    table = SQLModel.metadata.tables["users"]
    extra = sa.Column("not_migrated", sa.String(10), nullable=True)
    table.append_column(extra)
    try:
        assert any("not_migrated" in repr(diff) for diff in _differences(url))
    finally:
        table._columns.remove(extra)  # restore the shared metadata for the other tests
