"""Request-scoped dependencies shared by the routers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.db import unit_of_work
from app.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    """A database session for one request: committed when the handler returns, rolled back if it raises."""
    with unit_of_work(request.app.state.engine) as session:
        yield session


def get_settings_from_app(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings_from_app)]
