"""Where production code meets the sandbox: the one module allowed to import ``app.sandbox``.

``run_sandbox`` serves the sandbox alone (``crmbridge sandbox``); ``mount_sandbox`` puts it inside the service
when it runs in sandbox mode, at ``{public_url}/sandbox``.
"""

from __future__ import annotations

from fastapi import FastAPI

from app.sandbox.app import create_sandbox_app
from app.sandbox.state import Seed
from app.settings import Settings

SANDBOX_PATH = "/sandbox"


def parse_seed(text: str) -> Seed:
    """``demo``, ``empty`` or a positive number of generated records per type; ValueError for anything else."""
    cleaned = text.strip().lower()
    if cleaned == "demo":
        return "demo"
    if cleaned == "empty":
        return "empty"
    if cleaned.isdigit() and int(cleaned) > 0:
        return int(cleaned)
    raise ValueError(f"expected demo, empty or a positive number of records per type, not {text!r}")


def run_sandbox(host: str, port: int, seed: Seed) -> None:
    """Serve the sandbox alone on ``host``:``port``, filled per ``seed``, until interrupted."""
    import uvicorn

    uvicorn.run(create_sandbox_app(seed=seed), host=host, port=port, log_config=None, access_log=False)


def mount_sandbox(app: FastAPI, path: str = SANDBOX_PATH, *, seed: Seed = "demo") -> str:
    """Mount a sandbox seeded with ``seed`` on ``app`` at ``path``; returns its base URL, which is also kept as
    ``app.state.sandbox_base_url``. The base is the service's public URL (``app.state.settings``) plus ``path``."""
    path = "/" + path.strip("/")
    app.mount(path, create_sandbox_app(seed=seed), name="sandbox")
    settings: Settings = app.state.settings
    base_url = settings.public_url.rstrip("/") + path
    app.state.sandbox_base_url = base_url
    return base_url
