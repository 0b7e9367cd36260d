"""What a Graph handler receives and returns, the ``Prefer`` header, and the response headers Graph sends."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.sandbox.directory import SandboxUser
from app.sandbox.microsoft.backend import MicrosoftBackend
from app.sandbox.microsoft.exceptions import GraphError, bad_request
from app.sandbox.microsoft.models import Mailbox
from app.sandbox.microsoft.odata import QueryOptions
from app.sandbox.microsoft.render import View
from app.sandbox.microsoft.timezones import Zone, find_zone
from app.sandbox.vendor_errors import graph_error

JSON_CONTENT_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"


@dataclass
class Prefer:
    """The preferences of a request's ``Prefer`` headers that the emulator honours."""

    max_page_size: int | None = None
    zone: Zone | None = None
    immutable_ids: bool = False
    text_body: bool = False
    #: What ``Preference-Applied`` will say.
    applied: list[str] = field(default_factory=list)


def _unquote(value: str) -> str:
    value = value.strip()
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def parse_prefer(values: list[str]) -> Prefer:
    """Parse ``Prefer`` header values (several headers, or comma-separated preferences in one)."""
    prefer = Prefer()
    for header in values:
        for part in header.split(","):
            name, _, raw = part.strip().partition("=")
            key = name.strip().lower()
            value = _unquote(raw)
            if key == "odata.maxpagesize" and value.isdigit() and int(value) > 0:
                prefer.max_page_size = int(value)
                prefer.applied.append(f"odata.maxpagesize={value}")
            elif key == "outlook.timezone":
                zone = find_zone(value)
                if zone is not None:
                    prefer.zone = zone
                    prefer.applied.append(f'outlook.timezone="{value}"')
            elif key == "idtype" and value.lower() == "immutableid":
                prefer.immutable_ids = True
                prefer.applied.append('IdType="ImmutableId"')
            elif key == "outlook.body-content-type" and value.lower() in ("text", "html"):
                prefer.text_body = value.lower() == "text"
                prefer.applied.append(f'outlook.body-content-type="{value.lower()}"')
    return prefer


@dataclass
class GraphRequest:
    """A request as a handler sees it: who asks, about whose mailbox, with which options."""

    backend: MicrosoftBackend
    method: str
    #: The path after ``/v1.0`` as the client sent it (``/me/contacts``), for links.
    path: str
    params: dict[str, str]
    query: QueryOptions
    headers: Mapping[str, str]
    body: Any
    caller: SandboxUser
    target: SandboxUser
    mailbox_or_none: Mailbox | None
    prefer: Prefer
    now: datetime

    @property
    def mailbox(self) -> Mailbox:
        """The target's mailbox (handlers that need one are only routed when it exists)."""
        assert self.mailbox_or_none is not None
        return self.mailbox_or_none

    def view(self, *, select: bool = True) -> View:
        """How to render entities for this request (``select=False`` keeps every property, for filtering)."""
        return View(
            immutable_ids=self.prefer.immutable_ids,
            zone=self.prefer.zone,
            text_body=self.prefer.text_body,
            select=self.query.select if select else None,
            expand=self.query.expand,
        )

    def context(self, fragment: str) -> str:
        """An ``@odata.context`` fragment under this user (``users('{id}')/contacts``)."""
        return f"users('{self.target.microsoft_id}')/{fragment}"

    def json_body(self) -> dict[str, Any]:
        """The body as a JSON object; 400 if there is none."""
        if self.body is None:
            raise bad_request("Empty Payload. JSON content expected.")
        if not isinstance(self.body, dict):
            raise bad_request("The request body must be a JSON object.")
        return self.body


@dataclass
class GraphReply:
    """A handler's answer."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def error_reply(error: GraphError, now: datetime, request_headers: Mapping[str, str]) -> GraphReply:
    """An error in Graph's format, with its extra headers (``Retry-After``, ``Location``)."""
    request_id = str(uuid.uuid4())
    body = graph_error(
        error.code,
        error.message,
        now=now,
        request_id=request_id,
        client_request_id=request_headers.get("client-request-id"),
    )
    return GraphReply(error.status, body, dict(error.headers))


def response_headers(reply: GraphReply, request_headers: Mapping[str, str], prefer: Prefer | None) -> dict[str, str]:
    """The headers Graph sends with a reply: request ids, OData version, content type, applied preferences."""
    request_id = str(uuid.uuid4())
    headers = {"request-id": request_id, "client-request-id": request_headers.get("client-request-id", request_id)}
    if reply.body is not None and not isinstance(reply.body, bytes):
        headers["OData-Version"] = "4.0"
        headers["Content-Type"] = JSON_CONTENT_TYPE
    if prefer is not None and prefer.applied and reply.status < 400:
        headers["Preference-Applied"] = ",".join(prefer.applied)
    headers.update(reply.headers)
    return headers


def encode_body(body: Any) -> bytes:
    """A reply body as bytes (JSON unless it already is bytes)."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
