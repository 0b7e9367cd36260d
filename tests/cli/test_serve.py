"""`crmbridge serve` as a newcomer runs it: a real process, on the embedded default, answering /healthz."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

CRMBRIDGE = shutil.which("crmbridge", path=str(Path(sys.executable).parent)) or "crmbridge"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("CRMBRIDGE_")}


def test_serve_starts_on_sqlite_with_the_sandbox_and_is_healthy(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [CRMBRIDGE, "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=_clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, "the service did not answer"
        assert response.status_code == 200, response.text
        assert (tmp_path / "data" / "crmbridge.db").is_file()
        users = httpx.get(f"http://127.0.0.1:{port}/sandbox/_sandbox/users", timeout=5).json()
        assert "alex.morgan@example.com" in str(users)
        # The service reaches its own sandbox at the address it serves, whatever the port.
        demo = httpx.get(f"http://127.0.0.1:{port}/addin/demo?user=alex.morgan@example.com", timeout=10)
        assert demo.status_code == 200, demo.text
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
    assert "sandbox mode" in output
    assert "single worker" in output


def test_serve_refuses_placeholder_secrets_outside_sandbox_mode(tmp_path: Path) -> None:
    environment = _clean_environment() | {
        "CRMBRIDGE_SANDBOX": "false",
        "CRMBRIDGE_SECRET_KEY": "changeme",
    }
    result = subprocess.run(
        [CRMBRIDGE, "serve", "--port", str(_free_port())],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "CRMBRIDGE_SECRET_KEY" in result.stderr
    assert "CRMBRIDGE_TOKEN_ENCRYPTION_KEYS" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "data").exists()  # nothing was created before refusing
