"""/healthz: 200 when the database answers at the newest migration, 503 with the reason otherwise."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.db import create_db_engine
from app.main import create_app
from app.settings import Settings
from tests.databases import TestDatabases


def test_healthy(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert len(body["migrations"]) == 1


def _client_for(url: str, tmp_path: Path) -> TestClient:
    settings = Settings(_env_file=None, database_url=url, data_dir=tmp_path, sandbox=True)  # type: ignore[call-arg]
    return TestClient(create_app(settings, create_db_engine(url)))


def test_unmigrated_database_is_unavailable_with_the_fix(test_databases: TestDatabases, tmp_path: Path) -> None:
    response = _client_for(test_databases.create(), tmp_path).get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "crmbridge db upgrade" in response.json()["reason"]


def test_unreachable_database_is_unavailable(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=2"
    response = _client_for(url, tmp_path).get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "The database does not answer."}


def test_openapi_documents_the_health_check(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/healthz" in client.get("/openapi.json").json()["paths"]


def test_vendor_calls_go_to_the_configured_sandbox(settings: Settings, engine: object) -> None:
    external = settings.model_copy(update={"sandbox_url": "http://127.0.0.1:8900/"})
    assert create_app(external, engine).state.vendor_base_url == "http://127.0.0.1:8900"  # type: ignore[arg-type]
    mounted = create_app(settings, engine)  # type: ignore[arg-type]
    assert mounted.state.vendor_base_url == settings.public_url.rstrip("/") + "/sandbox"
    production = settings.model_copy(update={"sandbox": False})
    assert create_app(production, engine).state.vendor_base_url is None  # type: ignore[arg-type]
