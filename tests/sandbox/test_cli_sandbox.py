"""``crmbridge sandbox``, and the sandbox mounted in the service in sandbox mode."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from app.cli import app as cli
from app.main import create_app
from app.settings import Settings
from tests.live_server import serve_in_thread

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_crmbridge_sandbox_serves_the_control_api() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "sandbox", "--port", str(port), "--seed", "empty"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/_sandbox/users", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[1].decode()
                assert time.monotonic() < deadline, "crmbridge sandbox did not start"
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json() == {"users": [], "count": 0}
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=10)
    assert f"crmbridge sandbox on http://127.0.0.1:{port} (seed: empty" in err.decode()


def test_crmbridge_sandbox_rejects_a_bad_seed_with_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "--seed", "lots"])
    assert result.exit_code == 2
    assert "Invalid value for '--seed'" in result.output
    assert "expected demo, empty or a positive number" in result.output
    help_text = CliRunner().invoke(cli, ["sandbox", "--help"]).output
    assert "crmbridge sandbox --port 8900 --seed empty" in help_text


def test_the_service_in_sandbox_mode_mounts_the_sandbox(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, sandbox=True, data_dir=tmp_path, public_url="http://crm.example.test/")
    app = create_app(settings)
    assert app.state.sandbox_base_url == "http://crm.example.test/sandbox"
    with serve_in_thread(app) as base_url:
        users = httpx.get(f"{base_url}/sandbox/_sandbox/users")
        assert users.status_code == 200
        assert users.json()["count"] == 5
        httpx.get(f"{base_url}/sandbox/graph.microsoft.com/v1.0/me")
        calls = httpx.get(f"{base_url}/sandbox/_sandbox/calls").json()["calls"]
        assert [call["path"] for call in calls] == ["/graph.microsoft.com/v1.0/me"]
        discovery = httpx.get(f"{base_url}/sandbox/accounts.google.com/.well-known/openid-configuration").json()
        assert discovery["token_endpoint"] == "https://oauth2.googleapis.com/token"


def test_the_service_outside_sandbox_mode_has_no_sandbox(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, sandbox=False, data_dir=tmp_path)
    app = create_app(settings)
    assert not hasattr(app.state, "sandbox_base_url")
    with serve_in_thread(app) as base_url:
        assert httpx.get(f"{base_url}/sandbox/_sandbox/users").status_code == 404
