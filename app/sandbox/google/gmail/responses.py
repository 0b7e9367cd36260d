"""Gmail API handlers: parse, authorize (including an add-on's per-message token), read the account's mailbox."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from app.sandbox.google.context import (
    SCOPES,
    GoogleCall,
    authorize,
    check_gmail_access,
    json_body,
    json_response,
    query_bool,
    query_int,
    query_list,
)
from app.sandbox.google.errors import GoogleApiError, insufficient_scopes, invalid_argument
from app.sandbox.google.wire import b64url_decode


def _gmail_call(request: Request, user_id: str, *, message_id: str | None = None, fmt: str | None = None) -> GoogleCall:
    call = authorize(request, "gmail")
    if user_id not in ("me", call.account.email):
        raise GoogleApiError(403, f"Delegation denied for {call.account.email}", "forbidden")
    check_gmail_access(call, request, message_id=message_id, fmt=fmt)
    return call


async def get_profile(request: Request, user_id: str) -> JSONResponse:
    """``users.getProfile``."""
    return json_response(_gmail_call(request, user_id).account.gmail.profile())


async def list_labels(request: Request, user_id: str) -> JSONResponse:
    """``users.labels.list`` (system labels)."""
    return json_response(_gmail_call(request, user_id).account.gmail.labels())


async def list_messages(request: Request, user_id: str) -> JSONResponse:
    """``users.messages.list``."""
    mailbox = _gmail_call(request, user_id).account.gmail
    return json_response(
        mailbox.list_messages(
            query=request.query_params.get("q") or None,
            label_ids=query_list(request, "labelIds"),
            include_spam_trash=bool(query_bool(request, "includeSpamTrash")),
            max_results=query_int(request, "maxResults"),
            page_token=request.query_params.get("pageToken") or None,
        )
    )


async def get_message(request: Request, user_id: str, message_id: str) -> JSONResponse:
    """``users.messages.get`` in format full (default), metadata, minimal or raw."""
    fmt = (request.query_params.get("format") or "full").lower()
    mailbox = _gmail_call(request, user_id, message_id=message_id, fmt=fmt).account.gmail
    message = mailbox.message(message_id)
    return json_response(mailbox.render(message, fmt, query_list(request, "metadataHeaders")))


async def get_attachment(request: Request, user_id: str, message_id: str, attachment_id: str) -> JSONResponse:
    """``users.messages.attachments.get``."""
    mailbox = _gmail_call(request, user_id, message_id=message_id, fmt="full").account.gmail
    return json_response(mailbox.attachment(message_id, attachment_id))


async def insert_message(request: Request, user_id: str) -> JSONResponse:
    """``users.messages.insert`` / ``import``: store a base64url ``raw`` message (no sending)."""
    call = authorize(request, "gmail")
    if user_id not in ("me", call.account.email):
        raise GoogleApiError(403, f"Delegation denied for {call.account.email}", "forbidden")
    _, writes = SCOPES["gmail"]
    if call.grant.scopes and not set(call.grant.scopes) & writes:
        raise insufficient_scopes()
    body = await json_body(request, "gmail", "Message", "message")
    raw = body.get("raw")
    if not raw:
        raise invalid_argument("'raw' RFC822 payload message string or uploading message via /upload/* URL required")
    try:
        data = b64url_decode(str(raw))
    except ValueError:
        raise invalid_argument("Invalid value for ByteString: raw") from None
    message = call.account.gmail.add(data, list(body.get("labelIds") or ["INBOX", "UNREAD"]))
    return json_response({"id": message.id, "threadId": message.thread_id, "labelIds": message.label_ids})
