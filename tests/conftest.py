"""Shared fixtures: an isolated, migrated database per test session, emptied after each test; the app on it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import Engine

import app.models  # noqa: F401  (registers the tables)
from app.db import create_db_engine
from app.main import create_app
from app.migrations import upgrade
from app.settings import Settings
from tests.databases import TestDatabases, empty_all_tables

# CI (HYPOTHESIS_PROFILE=ci, set by .ci/run) runs the property tests on a fixed sequence of examples and without
# per-example deadlines, so that a red run is a reproducible bug rather than a roll of the dice or a slow machine;
# local runs keep exploring new examples.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def test_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    """Factory of empty databases on the test database server (SQLite files unless configured)."""
    databases = TestDatabases.from_environment(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def database_url(test_databases: TestDatabases) -> str:
    """The URL of this session's database, migrated to head."""
    url = test_databases.create()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def session_engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(session_engine: Engine) -> Iterator[Engine]:
    """The session's engine; every table is emptied after the test."""
    yield session_engine
    empty_all_tables(session_engine)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a sandbox-mode service on the test database; no .env file is read."""
    # No demo users on start: tests add the users they need.
    return Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=database_url, data_dir=tmp_path, sandbox=True, sandbox_demo_users=False
    )


@pytest.fixture
def application(settings: Settings, engine: Engine) -> FastAPI:
    """The crmbridge application on the test database."""
    return create_app(settings, engine)


@pytest.fixture
def client(application: FastAPI) -> Iterator[TestClient]:
    """An HTTP client for the application."""
    with TestClient(application) as test_client:
        yield test_client
