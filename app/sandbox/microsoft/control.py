"""The Microsoft part of the sandbox control API, at ``/_sandbox/microsoft``: settings (per-mailbox request budget,
concurrency, delta token lifetime and imperfections), expiring delta tokens, a mailbox summary, and moving an item the
way an Outlook user would (Graph has no API to move a contact)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from app.sandbox.deps import sandbox_state
from app.sandbox.errors import ControlError
from app.sandbox.microsoft import ids
from app.sandbox.microsoft.backend import MicrosoftBackend
from app.sandbox.microsoft.models import FolderKind, Mailbox

HOST = "_sandbox/microsoft"

router = APIRouter(tags=["sandbox control: microsoft"])


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExpireIn(_Input):
    """Which delta tokens to expire (everyone's when ``mailbox`` is left out), and how Graph should say so."""

    mailbox: str | None = None
    code: Literal["resyncRequired", "syncStateNotFound"] = "resyncRequired"


class MoveIn(_Input):
    """An item (contact or message) and the folder to move it to (an id, or a well-known name such as ``inbox``)."""

    item_id: str = Field(alias="itemId")
    destination_id: str = Field(alias="destinationId")


def _backend(request: Request) -> MicrosoftBackend:
    return sandbox_state(request).backend("microsoft", MicrosoftBackend)


def _mailbox(backend: MicrosoftBackend, email: str) -> Mailbox:
    mailbox = backend.mailbox(email)
    if mailbox is None:
        raise ControlError(404, "unknown_mailbox", f"No Microsoft mailbox belongs to {email}.")
    return mailbox


@router.get("/settings", summary="Read the Graph emulator's settings")
async def read_settings(request: Request) -> dict[str, Any]:
    """Throttling (per mailbox) and delta settings."""
    return _backend(request).settings.as_json()


@router.patch("/settings", summary="Change the Graph emulator's settings")
async def change_settings(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    """Apply ``{"throttle": {...}, "delta": {...}}``; fields left out keep their value."""
    backend = _backend(request)
    try:
        backend.apply_settings(body)
    except ValueError as exc:
        raise ControlError(422, "invalid_settings", str(exc)) from exc
    return backend.settings.as_json()


@router.post("/expire-delta-tokens", summary="Expire delta and skip tokens")
async def expire_delta_tokens(request: Request, body: ExpireIn | None = None) -> dict[str, int]:
    """Every token (of one mailbox) answers 410 from now on, with ``resyncRequired`` or ``syncStateNotFound``."""
    options = body or ExpireIn()
    backend = _backend(request)
    if options.mailbox is not None:
        _mailbox(backend, options.mailbox)
    return {"expired": backend.delta.expire(options.mailbox.lower() if options.mailbox else None, options.code)}


@router.get("/mailboxes", summary="Summarize the Microsoft mailboxes")
async def list_mailboxes(request: Request) -> dict[str, Any]:
    """Item counts per mailbox and throttle usage."""
    backend = _backend(request)
    summary = []
    for email, mailbox in backend.mailboxes.items():
        counts: dict[str, int] = {"contact": 0, "event": 0, "task": 0, "message": 0}
        for item in mailbox.items.values():
            counts[item.kind] += 1
        summary.append({"email": email, "id": mailbox.guid, "items": counts, "throttle": backend.throttle.usage(email)})
    return {"mailboxes": summary}


@router.post("/mailboxes/{email}/move", summary="Move a contact or message to another folder, as Outlook would")
async def move_item(request: Request, email: str, body: MoveIn) -> dict[str, str]:
    """The item's new REST id changes; its immutable id does not."""
    backend = _backend(request)
    mailbox = _mailbox(backend, email)
    state = sandbox_state(request)
    parsed = ids.parse_id(body.item_id)
    item = mailbox.items.get(parsed.key) if parsed is not None and parsed.kind == "item" else None
    if item is None or item.kind not in ("contact", "message"):
        raise ControlError(404, "unknown_item", "No contact or message of this mailbox has that id.")
    kind: FolderKind = "contactFolder" if item.kind == "contact" else "mailFolder"
    folder = mailbox.well_known(kind, body.destination_id.lower())
    if folder is None:
        target = ids.parse_id(body.destination_id)
        folder = mailbox.folders.get(target.key) if target is not None and target.kind == "folder" else None
    if folder is None or folder.kind != kind:
        raise ControlError(404, "unknown_folder", f"No {kind} of this mailbox has that id.")
    mailbox.move_item(item, folder, state.clock.now())
    return {
        "id": mailbox.item_id(item, immutable=False),
        "immutableId": mailbox.item_id(item, immutable=True),
        "parentFolderId": mailbox.folder_id(folder),
    }
