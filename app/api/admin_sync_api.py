"""The admin's sync API under ``/api/admin``: resetting a user's sync.

The caller is the bearer token's user (``bearer_auth``) and must be a crmbridge admin.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.api.bearer_auth import ApiUser
from app.api.deps import DbSession
from app.errors import Forbidden
from app.models import Role, User
from app.services import sync_reset, users

router = APIRouter(prefix="/api/admin", tags=["admin"])

#: How an API client confirms a reset.
CONFIRM_IN_API = 'send {"confirm": true} once the user has checked the points listed on the Reset sync page'


def api_admin(user: ApiUser) -> User:
    """Dependency: the bearer token's user, who must be an admin (403 otherwise)."""
    if user.role is not Role.ADMIN:
        raise Forbidden("Only crmbridge administrators can reset a user's sync; ask one of them.")
    return user


ApiAdmin = Annotated[User, Depends(api_admin)]
UserId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The id of the user whose sync is reset.")]


class ResetSyncRequest(BaseModel):
    """The admin's confirmation that the user checked what the Reset sync page lists."""

    model_config = ConfigDict(extra="forbid")

    confirm: StrictBool = Field(default=False, description="true: reset now. Anything else changes nothing.")


class ResetSyncResult(BaseModel):
    """What a reset forgot, and the sync run that records it."""

    user_id: int
    email: str
    links_forgotten: int = Field(description="Links between mailbox items and Salesforce records forgotten.")
    cursors_forgotten: int = Field(description="Change cursors (and retry lists) forgotten.")
    run_id: int = Field(description="The sync run (trigger reset) that records the reset.")
    reset_at: datetime
    message: str


@router.post(
    "/users/{user_id}/reset-sync",
    response_model=ResetSyncResult,
    summary="Reset a user's sync",
    responses={
        403: {"description": "The caller is not an admin."},
        404: {"description": "There is no such user."},
        409: {"description": "A sync pass of the user is running."},
        422: {"description": "The reset was not confirmed."},
    },
)
def reset_user_sync(user_id: UserId, body: ResetSyncRequest, admin: ApiAdmin, db: DbSession) -> ResetSyncResult:
    """Forget every sync link and change cursor of the user (contacts, events, tasks); nothing in the mailbox or
    in Salesforce changes. The next pass re-matches both sides by crmbridge's markers and by email address, so
    nothing is duplicated or deleted. The conflict log is kept."""
    user = users.get_user(db, user_id)
    sync_reset.require_confirmation(body.confirm, how=CONFIRM_IN_API)
    outcome = sync_reset.reset_sync(db, user, actor=admin, now=datetime.now(UTC))
    db.commit()  # the request's boundary: the client hears of the reset only once it is recorded
    assert user.id is not None
    return ResetSyncResult(
        user_id=user.id,
        email=user.email,
        links_forgotten=outcome.links_forgotten,
        cursors_forgotten=outcome.cursors_forgotten,
        run_id=outcome.run_id,
        reset_at=outcome.reset_at,
        message=outcome.message,
    )
