"""Reaching the sandbox from a request handler."""

from __future__ import annotations

from starlette.requests import Request

from app.sandbox.state import SandboxState


def sandbox_state(request: Request) -> SandboxState:
    """The state of the sandbox app serving ``request`` (``app.state.sandbox``, also when mounted)."""
    state: SandboxState = request.app.state.sandbox
    return state
