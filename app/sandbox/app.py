"""``create_sandbox_app()``: the sandbox as one ASGI application, mountable or served alone."""

from __future__ import annotations

from fastapi import FastAPI

from app.sandbox import control
from app.sandbox import google as _google  # noqa: F401  (registers the Google emulators)
from app.sandbox import microsoft as _microsoft  # noqa: F401  (registers the Graph emulator)
from app.sandbox import salesforce as _salesforce  # noqa: F401  (registers the Salesforce org)
from app.sandbox.backends import BACKEND_FACTORIES, HOST_ROUTERS
from app.sandbox.errors import install_error_handlers
from app.sandbox.identity.routes import identity_routers
from app.sandbox.middleware import VendorCallMiddleware
from app.sandbox.state import SandboxState, Seed
from app.sandbox.users_seed import demo_users


def create_sandbox_state(seed: Seed = "demo") -> SandboxState:
    """A fresh sandbox: the registered vendor backends, demo users (unless empty), and data per ``seed``."""
    state = SandboxState()
    for name, factory in BACKEND_FACTORIES.items():
        state.backends[name] = factory(state)
    reset_sandbox(state, seed)
    return state


def reset_sandbox(state: SandboxState, seed: Seed) -> None:
    """Empty everything, then fill per ``seed`` (demo users are kept for every seed but ``empty``).

    The signing key survives, so that clients' cached key sets stay valid.
    """
    state.clock.reset()
    state.tokens.clear()
    state.authorizations.clear()
    state.faults.clear()
    state.calls.clear()
    state.directory.clear()
    if seed != "empty":
        for user in demo_users():
            state.directory.add(user)
    for backend in state.backends.values():
        backend.reset(seed, state.directory)


def create_sandbox_app(state: SandboxState | None = None, *, seed: Seed = "demo") -> FastAPI:
    """The sandbox application: the identity providers and every registered vendor host at ``/{host}``, the
    control API under ``/_sandbox``; vendor calls go through fault injection and into the call log."""
    state = state or create_sandbox_state(seed)
    app = FastAPI(
        title="crmbridge sandbox",
        summary="Emulators of Salesforce, Microsoft Graph and Google at {base}/HOST/PATH, and their control API.",
    )
    app.state.sandbox = state
    install_error_handlers(app)
    app.add_middleware(VendorCallMiddleware, state=state)
    app.include_router(control.router)
    for host, router in [*identity_routers(), *HOST_ROUTERS]:
        app.include_router(router, prefix=f"/{host}")
    return app
