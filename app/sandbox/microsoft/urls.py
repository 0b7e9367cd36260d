"""The Graph emulator's URL map and front door: ``{base}/graph.microsoft.com/v1.0/...``.

Every request is authenticated by its bearer token (the token decides whose ``/me`` it is), routed through the
table below (paths are case-insensitive, as Graph's are; ``delta``, ``delta()`` and ``microsoft.graph.delta`` are the
same function), throttled per mailbox, and answered in Graph's format. ``/$batch`` runs its requests through the
same door one by one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response

from app.sandbox.backends import BACKEND_FACTORIES, HOST_ROUTERS
from app.sandbox.directory import SandboxUser
from app.sandbox.microsoft import batch, control
from app.sandbox.microsoft import responses_contacts as contacts
from app.sandbox.microsoft import responses_events as events
from app.sandbox.microsoft import responses_mail as mail
from app.sandbox.microsoft import responses_profile as profile
from app.sandbox.microsoft import responses_todo as todo
from app.sandbox.microsoft.backend import MicrosoftBackend
from app.sandbox.microsoft.exceptions import (
    GraphError,
    access_denied,
    bad_request,
    mailbox_not_enabled,
    method_not_allowed,
    resource_not_found,
    unauthenticated,
    user_not_found,
)
from app.sandbox.microsoft.odata import parse_query
from app.sandbox.microsoft.wire import (
    GraphReply,
    GraphRequest,
    Prefer,
    encode_body,
    error_reply,
    parse_prefer,
    response_headers,
)
from app.sandbox.state import SandboxState

HOST = "graph.microsoft.com"
logger = logging.getLogger(__name__)

Handler = Callable[[GraphRequest], Awaitable[GraphReply]]

_ROUTE_TABLE: list[tuple[str, dict[str, Handler]]] = [
    ("", {"GET": profile.get_user}),
    ("contacts", {"GET": contacts.list_contacts, "POST": contacts.create_contact}),
    ("contacts/{delta}", {"GET": contacts.contacts_delta}),
    (
        "contacts/{id}",
        {"GET": contacts.get_contact, "PATCH": contacts.update_contact, "DELETE": contacts.delete_contact},
    ),
    ("contactFolders", {"GET": contacts.list_contact_folders, "POST": contacts.create_contact_folder}),
    ("contactFolders/{delta}", {"GET": contacts.contact_folders_delta}),
    (
        "contactFolders/{folder}",
        {
            "GET": contacts.get_contact_folder,
            "PATCH": contacts.update_contact_folder,
            "DELETE": contacts.delete_contact_folder,
        },
    ),
    (
        "contactFolders/{folder}/childFolders",
        {"GET": contacts.list_contact_folders, "POST": contacts.create_contact_folder},
    ),
    ("contactFolders/{folder}/contacts", {"GET": contacts.list_contacts, "POST": contacts.create_contact}),
    ("contactFolders/{folder}/contacts/{delta}", {"GET": contacts.contacts_delta}),
    (
        "contactFolders/{folder}/contacts/{id}",
        {"GET": contacts.get_contact, "PATCH": contacts.update_contact, "DELETE": contacts.delete_contact},
    ),
    ("calendar", {"GET": events.get_calendar}),
    ("calendar/events", {"GET": events.list_events, "POST": events.create_event}),
    ("calendar/events/{id}", {"GET": events.get_event, "PATCH": events.update_event, "DELETE": events.delete_event}),
    ("calendar/events/{id}/instances", {"GET": events.list_instances}),
    ("calendar/calendarView", {"GET": events.calendar_view}),
    ("calendar/calendarView/{delta}", {"GET": events.calendar_view_delta}),
    ("calendars", {"GET": events.list_calendars, "POST": events.create_calendar}),
    ("calendars/{calendar}", {"GET": events.get_calendar}),
    ("calendars/{calendar}/events", {"GET": events.list_events, "POST": events.create_event}),
    (
        "calendars/{calendar}/events/{id}",
        {"GET": events.get_event, "PATCH": events.update_event, "DELETE": events.delete_event},
    ),
    ("calendars/{calendar}/events/{id}/instances", {"GET": events.list_instances}),
    ("calendars/{calendar}/calendarView", {"GET": events.calendar_view}),
    ("events", {"GET": events.list_events, "POST": events.create_event}),
    ("events/{id}", {"GET": events.get_event, "PATCH": events.update_event, "DELETE": events.delete_event}),
    ("events/{id}/instances", {"GET": events.list_instances}),
    ("calendarView", {"GET": events.calendar_view}),
    ("calendarView/{delta}", {"GET": events.calendar_view_delta}),
    ("todo/lists", {"GET": todo.list_lists, "POST": todo.create_list}),
    ("todo/lists/{delta}", {"GET": todo.lists_delta}),
    ("todo/lists/{list}", {"GET": todo.get_list, "PATCH": todo.update_list, "DELETE": todo.delete_list}),
    ("todo/lists/{list}/tasks", {"GET": todo.list_tasks, "POST": todo.create_task}),
    ("todo/lists/{list}/tasks/{delta}", {"GET": todo.tasks_delta}),
    ("todo/lists/{list}/tasks/{id}", {"GET": todo.get_task, "PATCH": todo.update_task, "DELETE": todo.delete_task}),
    ("messages", {"GET": mail.list_messages, "POST": mail.create_message}),
    ("messages/{id}", {"GET": mail.get_message, "PATCH": mail.update_message, "DELETE": mail.delete_message}),
    ("messages/{id}/move", {"POST": mail.move_message}),
    ("messages/{id}/attachments", {"GET": mail.list_attachments, "POST": mail.add_attachment}),
    ("messages/{id}/attachments/{attachment}", {"GET": mail.get_attachment}),
    ("messages/{id}/attachments/{attachment}/$value", {"GET": mail.get_attachment_value}),
    ("mailFolders", {"GET": mail.list_mail_folders}),
    ("mailFolders/{folder}", {"GET": mail.get_mail_folder}),
    ("mailFolders/{folder}/messages", {"GET": mail.list_messages}),
    ("mailFolders/{folder}/messages/{id}", {"GET": mail.get_message, "PATCH": mail.update_message}),
    ("outlook/masterCategories", {"GET": profile.list_categories, "POST": profile.create_category}),
    (
        "outlook/masterCategories/{id}",
        {"GET": profile.get_category, "PATCH": profile.update_category, "DELETE": profile.delete_category},
    ),
]

_DELTA = r"(?:microsoft\.graph\.)?delta(?:\(\))?"


def _compile(template: str) -> re.Pattern[str]:
    parts = []
    for segment in template.split("/") if template else []:
        if segment == "{delta}":
            parts.append(_DELTA)
        elif segment.startswith("{"):
            parts.append(f"(?P<{segment[1:-1]}>[^/]+)")
        else:
            parts.append(re.escape(segment))
    return re.compile("/".join(parts), re.IGNORECASE)


ROUTES: list[tuple[re.Pattern[str], dict[str, Handler]]] = [(_compile(t), h) for t, h in _ROUTE_TABLE]


def route(remainder: str, method: str) -> tuple[Handler, dict[str, str]]:
    """The handler and path parameters for a path below the user segment; 400 or 405 when there is none."""
    for pattern, handlers in ROUTES:
        match = pattern.fullmatch(remainder)
        if match is None:
            continue
        handler = handlers.get(method)
        if handler is None:
            raise method_not_allowed(method)
        return handler, match.groupdict()
    raise resource_not_found(remainder.rsplit("/", 1)[-1] or remainder)


def _authenticate(state: SandboxState, headers: Mapping[str, str]) -> SandboxUser:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated()
    grant = state.tokens.resolve_access_token("microsoft", token.strip())
    if grant is None:
        raise unauthenticated("Lifetime validation failed, the token is expired.")
    user = state.directory.get(grant.email)
    if user is None:
        raise unauthenticated("The user of the token no longer exists.")
    return user


def _target(state: SandboxState, caller: SandboxUser, segments: list[str]) -> tuple[SandboxUser, list[str]]:
    if not segments:
        raise resource_not_found("v1.0")
    if segments[0].lower() == "me":
        return caller, segments[1:]
    if segments[0].lower() == "users" and len(segments) >= 2:
        user = state.directory.find(segments[1]) or state.directory.get(segments[1])
        if user is None:
            raise user_not_found(segments[1])
        return user, segments[2:]
    raise resource_not_found(segments[0])


def _json(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError as exc:
        raise bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid "
            "JSON format."
        ) from exc


async def dispatch(
    state: SandboxState, method: str, path: str, query: str, *, headers: Mapping[str, str], body: Any
) -> tuple[GraphReply, Prefer | None]:
    """Serve one Graph request (``path`` after the host, e.g. ``v1.0/me/contacts``; ``body`` already parsed)."""
    backend = state.backend("microsoft", MicrosoftBackend)
    now = state.clock.now()
    prefer: Prefer | None = None
    try:
        prefer = parse_prefer([headers.get("prefer", "")])
        segments = [s for s in path.split("/") if s]
        if not segments or segments[0].lower() != "v1.0":
            raise bad_request(f"Invalid version: {segments[0] if segments else ''}. The sandbox serves v1.0.")
        caller = _authenticate(state, headers)
        target, rest = _target(state, caller, segments[1:])
        handler, params = route("/".join(rest), method.upper())
        if target.email != caller.email and rest:
            raise access_denied()
        mailbox = backend.mailbox(target.email)
        if rest and mailbox is None:
            raise mailbox_not_enabled()
        request = GraphRequest(
            backend=backend,
            method=method.upper(),
            path="/" + "/".join(segments[1:]),
            params=params,
            query=parse_query(parse_qsl(query, keep_blank_values=True)),
            headers=headers,
            body=body,
            caller=caller,
            target=target,
            mailbox_or_none=mailbox,
            prefer=prefer,
            now=now,
        )
        if mailbox is None:
            return await handler(request), prefer
        backend.throttle.admit(target.email)
        try:
            delay = backend.settings.throttle.request_delay_ms
            if delay:
                await asyncio.sleep(delay / 1000)
            return await handler(request), prefer
        finally:
            backend.throttle.release(target.email)
    except GraphError as error:
        return error_reply(error, now, headers), prefer
    except Exception:
        logger.exception("the Graph emulator failed on %s %s", method, path)
        return error_reply(
            GraphError(500, "generalException", "An unspecified error has occurred."), now, headers
        ), prefer


router = APIRouter(tags=["graph.microsoft.com"])


@router.api_route("/{path:path}", methods=["GET", "POST", "PATCH", "PUT", "DELETE"], include_in_schema=False)
async def graph(request: Request, path: str) -> Response:
    """Every Graph request."""
    state: SandboxState = request.app.state.sandbox
    headers = {k.lower(): v for k, v in request.headers.items()}
    prefer_values = request.headers.getlist("prefer")
    if prefer_values:
        headers["prefer"] = ",".join(prefer_values)
    raw = await request.body()
    prefer: Prefer | None = None
    try:
        body = _json(raw)
        if path.strip("/").lower() == "v1.0/$batch" and request.method == "POST":
            reply = await _batch(state, headers, body)
        else:
            reply, prefer = await dispatch(state, request.method, path, request.url.query, headers=headers, body=body)
    except GraphError as error:
        reply = error_reply(error, state.clock.now(), headers)
    return Response(
        content=encode_body(reply.body), status_code=reply.status, headers=response_headers(reply, headers, prefer)
    )


async def _batch(state: SandboxState, headers: Mapping[str, str], payload: Any) -> GraphReply:
    _authenticate(state, headers)

    async def run_one(
        method: str, path: str, query: str, sub_headers: Mapping[str, str], body: Any
    ) -> tuple[GraphReply, Prefer | None]:
        return await dispatch(state, method, path, query, headers=sub_headers, body=body)

    def fail(error: GraphError, sub_headers: Mapping[str, str]) -> GraphReply:
        return error_reply(error, state.clock.now(), sub_headers)

    def headers_for(reply: GraphReply, sub_headers: Mapping[str, str], prefer: Prefer | None) -> dict[str, str]:
        found = response_headers(reply, sub_headers, prefer)
        return {k: v for k, v in found.items() if k not in ("request-id", "client-request-id")}

    return await batch.run(payload, headers, run_one, headers_for, fail)


def register() -> None:
    """Add the backend factory and the routers (once)."""
    if "microsoft" in BACKEND_FACTORIES:
        return
    BACKEND_FACTORIES["microsoft"] = MicrosoftBackend
    HOST_ROUTERS.extend([(HOST, router), (control.HOST, control.router)])
