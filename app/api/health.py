"""``GET /healthz``: is the database answering, and is its schema at the newest migration?"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from app.migrations import migration_state

router = APIRouter(tags=["operations"])
logger = logging.getLogger(__name__)


@router.get(
    "/healthz",
    summary="Liveness and readiness",
    responses={503: {"description": "The database does not answer or its schema is not at the newest migration."}},
)
def healthz(request: Request) -> JSONResponse:
    """200 when the database answers and its migrations are at head; 503 with the reason otherwise."""
    try:
        state = migration_state(request.app.state.engine, request.app.state.migration_heads)
    except SQLAlchemyError as exc:
        logger.warning("health check: database did not answer: %s", type(exc).__name__)
        return _unavailable("The database does not answer.")
    if not state.at_head:
        current = ", ".join(state.current) or "empty (no migrations applied)"
        return _unavailable(
            f"The database schema is at {current} but the code expects {', '.join(state.heads)}; "
            "run `crmbridge db upgrade`."
        )
    body: dict[str, Any] = {"status": "ok", "database": "ok", "migrations": list(state.current)}
    return JSONResponse(body)


def _unavailable(reason: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
