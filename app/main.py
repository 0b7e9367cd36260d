"""The FastAPI application: ``create_app()`` wires settings, database, routers, templates and static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine

from app import __version__
from app.api import admin_configurations, admin_users, connections, health, pages, signin
from app.api.addin import install_addin
from app.api.admin_sync_api import router as admin_sync_api_router
from app.api.dashboard import router as dashboard_router
from app.api.error_handlers import UnexpectedErrorMiddleware, install_error_handlers
from app.api.settings_api import router as settings_api_router
from app.api.settings_page import router as settings_page_router
from app.api.web_auth import install_web_auth, template_context
from app.api.web_security import BodySizeLimitMiddleware, RateLimiter, SecurityHeadersMiddleware, page_csp
from app.connectors.oauth_clients import VendorOAuth
from app.db import create_db_engine
from app.errors import ConfigurationError
from app.logging_config import install_request_id_on_records
from app.migrations import head_revisions
from app.request_context import RequestIdMiddleware
from app.settings import SANDBOX_MOUNT_PATH, Settings, get_settings
from app.token_cipher import TokenCipher, UnconfiguredTokenCipher

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
#: Where the built-in sandbox is mounted in sandbox mode.


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the crmbridge application.

    ``settings`` default to the environment's; ``engine`` defaults to one for the settings' database.
    """
    settings = settings or get_settings()
    install_request_id_on_records()
    engine = engine or create_db_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.sandbox_mode and not settings.sandbox_url and settings.sandbox_demo_users:
            from app.sandbox_mode import connect_demo_users

            connect_demo_users(_app)
        yield
        engine.dispose()

    app = FastAPI(
        title="crmbridge",
        version=__version__,
        summary="Backend of the Outlook and Gmail sidebars for Salesforce, and of contact, event and task sync.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.migration_heads = head_revisions(settings.resolved_database_url)
    app.state.templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[template_context])

    install_error_handlers(app)
    install_web_auth(app, settings)
    app.add_middleware(UnexpectedErrorMiddleware, templates_app=app)
    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes, exempt_prefixes=(SANDBOX_MOUNT_PATH,)
    )
    app.add_middleware(RequestIdMiddleware)

    app.include_router(health.router)
    app.include_router(pages.router)
    app.include_router(signin.router)
    app.include_router(connections.router)
    app.include_router(admin_users.router)
    app.include_router(admin_configurations.router)
    app.include_router(settings_api_router)
    app.include_router(settings_page_router)
    app.include_router(admin_sync_api_router)
    app.include_router(dashboard_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Where vendor calls go: None means the real vendors; in sandbox mode, the sandbox's base URL.
    app.state.vendor_base_url = None
    if settings.sandbox_mode:
        if settings.sandbox_url:
            app.state.vendor_base_url = settings.sandbox_url.rstrip("/")
        else:
            from app.sandbox_mode import mount_sandbox

            app.state.vendor_base_url = mount_sandbox(app, SANDBOX_MOUNT_PATH)
    install_addin(app)
    # Accounts: tokens encrypted at rest, the vendors' OAuth clients (also the token refresher of
    # app.services.connections.vendor_access), rate limits of sign-in, and the pages' security headers.
    try:
        app.state.token_cipher = TokenCipher.from_settings(settings)
    except ConfigurationError as exc:  # `crmbridge serve` refuses to start first (Settings.check_ready)
        app.state.token_cipher = UnconfiguredTokenCipher(exc.message)
    app.state.vendor_oauth = app.state.token_refresher = VendorOAuth(settings, app.state.vendor_base_url)
    app.state.auth_rate_limiter = RateLimiter(settings.auth_rate_limit)
    app.add_middleware(
        SecurityHeadersMiddleware,
        csp=page_csp(app.state.vendor_oauth.origins()),
        exempt_prefixes=(SANDBOX_MOUNT_PATH,) if app.state.vendor_base_url and not settings.sandbox_url else (),
        strict_transport=settings.public_url.startswith("https://"),
    )
    return app
