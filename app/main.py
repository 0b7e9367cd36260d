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
from app.api import health, pages
from app.api.error_handlers import UnexpectedErrorMiddleware, install_error_handlers
from app.db import create_db_engine
from app.logging_config import install_request_id_on_records
from app.migrations import head_revisions
from app.request_context import RequestIdMiddleware
from app.settings import Settings, get_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = PROJECT_ROOT / "static"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the crmbridge application.

    ``settings`` default to the environment's; ``engine`` defaults to one for the settings' database.
    """
    settings = settings or get_settings()
    install_request_id_on_records()
    engine = engine or create_db_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
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
    app.state.templates = Jinja2Templates(directory=TEMPLATES_DIR)

    install_error_handlers(app)
    app.add_middleware(UnexpectedErrorMiddleware, templates_app=app)
    app.add_middleware(RequestIdMiddleware)

    app.include_router(health.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Where vendor calls go: None means the real vendors; in sandbox mode, the sandbox's base URL.
    app.state.vendor_base_url = None
    if settings.sandbox_mode:
        if settings.sandbox_url:
            app.state.vendor_base_url = settings.sandbox_url.rstrip("/")
        else:
            from app.sandbox_mode import mount_sandbox

            app.state.vendor_base_url = mount_sandbox(app)
    return app
