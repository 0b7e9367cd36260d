"""Request-scoped dependencies shared by the routers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.db import unit_of_work
from app.errors import ConnectionUnavailable
from app.services.connections import record_revocation
from app.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    """A database session for one request: committed when the handler returns, rolled back if it raises.

    When a vendor revoked a grant during the request, the "needs re-authorisation" mark is recorded in a
    transaction of its own after the rollback: it is kept, and nothing half-done of the request is.
    """
    engine = request.app.state.engine
    try:
        with unit_of_work(engine) as session:
            yield session
    except ConnectionUnavailable as error:
        if error.revoked_connection_id is not None:
            with unit_of_work(engine) as fresh:
                record_revocation(fresh, error)
        raise


def get_settings_from_app(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings_from_app)]
