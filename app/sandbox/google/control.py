"""The Google part of the sandbox control API, at ``/_sandbox/google``: settings (per-user rate, mutation latency,
sync-token lifetimes), Gmail add-on message tokens, sync-token invalidation and a summary of each account."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from app.sandbox.errors import ControlError
from app.sandbox.google.context import backend_of

HOST = "_sandbox/google"

router = APIRouter(tags=["sandbox control: google"])


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SettingsIn(_Input):
    """Settings to change; fields left out keep their value."""

    requests_per_minute: int | None = Field(default=None, ge=1, description="Per user and API; null: unlimited")
    over_limit_status: Literal[403, 429] | None = None
    over_limit_reason: Literal["rateLimitExceeded", "userRateLimitExceeded"] | None = None
    mutation_latency_ms: int | None = Field(default=None, ge=0, le=60_000)
    people_sync_token_days: float | None = Field(default=None, gt=0)
    calendar_sync_token_days: float | None = Field(default=None, gt=0)


class MessageTokenIn(_Input):
    """Whose message the add-on has open."""

    email: str
    message_id: str = Field(alias="messageId")


class MessageTokenOut(BaseModel):
    """The per-message token to send as ``X-Goog-Gmail-Access-Token``."""

    access_token: str = Field(serialization_alias="accessToken")
    expires_at: datetime = Field(serialization_alias="expiresAt")


class InvalidateIn(_Input):
    """Whose sync tokens to invalidate (everyone's when left out)."""

    email: str | None = None


@router.get("/settings", summary="Read the Google emulators' settings")
async def read_settings(request: Request) -> dict[str, Any]:
    """The current settings."""
    return backend_of(request).settings.as_json()


@router.patch("/settings", summary="Change the Google emulators' settings")
async def change_settings(request: Request, changes: SettingsIn) -> dict[str, Any]:
    """Change settings; ``requests_per_minute: null`` removes the rate limit."""
    given = changes.model_dump(exclude_unset=True)
    try:
        return backend_of(request).update_settings(given).as_json()
    except ValueError as error:
        raise ControlError(422, "invalid_input", str(error)) from None


@router.post("/gmail/message-tokens", summary="Mint a Gmail add-on per-message access token")
async def mint_message_token(request: Request, body: MessageTokenIn) -> dict[str, Any]:
    """What Gmail puts in the add-on event's ``gmail.accessToken`` for the open message."""
    backend = backend_of(request)
    try:
        token = backend.mint_message_token(body.email, body.message_id)
    except KeyError:
        raise ControlError(404, "unknown_message", f"{body.email} has no message {body.message_id}.") from None
    found = backend.resolve_message_token(token)
    assert found is not None
    return MessageTokenOut(access_token=token, expires_at=found.expires_at).model_dump(by_alias=True)


@router.post("/sync-tokens/invalidate", summary="Expire outstanding People and Calendar sync tokens")
async def invalidate_sync_tokens(request: Request, body: InvalidateIn) -> dict[str, int]:
    """The next incremental sync of the affected users is refused as an expired token."""
    return {"invalidated": backend_of(request).invalidate_sync_tokens(body.email)}


@router.get("/accounts", summary="Summarise the Google accounts")
async def accounts(request: Request) -> dict[str, Any]:
    """Counts of live contacts, groups, events, tasks and messages per account."""
    summary = []
    for account in backend_of(request).accounts.values():
        summary.append(
            {
                "email": account.email,
                "contacts": len(account.people.live_contacts()),
                "contactGroups": sum(1 for g in account.people.groups.values() if not g.system and not g.deleted),
                "events": sum(1 for e in account.calendar.events.values() if not e.cancelled),
                "taskLists": len(account.tasks.lists),
                "tasks": sum(len(record.tasks) for record in account.tasks.lists.values()),
                "messages": len(account.gmail.messages),
            }
        )
    return {"accounts": summary}
