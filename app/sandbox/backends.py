"""The registry of vendor backends and of the routers that serve them, host by host."""

from __future__ import annotations

from fastapi import APIRouter

from app.sandbox.state import BackendFactory

#: name -> factory; each vendor package adds its backend here.
BACKEND_FACTORIES: dict[str, BackendFactory] = {}

#: (host, router) pairs mounted at ``/{host}`` under the addressing rule.
HOST_ROUTERS: list[tuple[str, APIRouter]] = []
