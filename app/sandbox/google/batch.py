"""Google's HTTP batch endpoint: a ``multipart/mixed`` body of ``application/http`` requests, answered with a
``multipart/mixed`` body of ``application/http`` responses.

Per Google's batch guides: each part carries one request line, its headers and body; headers of the outer request
(other than ``Content-*``) apply to every inner request unless the inner request sets them; each response part
answers with ``Content-ID: <response-…>`` for the request's ``Content-ID: <…>``; a batch of n calls counts as n
calls against quotas (each inner call goes through the sandbox's fault injection, call log and rate limits).
The Calendar, People and Tasks guides limit a batch to 1000 calls, Gmail's to 100.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

from fastapi import Request
from fastapi.responses import Response
from starlette.types import Message

from app.sandbox.google.errors import Api, GoogleApiError, bad_request
from app.sandbox.hosts import HOST_PROVIDERS

_GOOGLE_HOSTS = frozenset(host for host, provider in HOST_PROVIDERS.items() if provider == "google")
_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass
class BatchPart:
    """One inner request of a batch."""

    content_id: str | None
    method: str
    target: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass
class PartResponse:
    """One inner response."""

    content_id: str | None
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _boundary(content_type: str) -> bytes:
    match = re.search(r'boundary="?([^";]+)"?', content_type, flags=re.IGNORECASE)
    if not content_type.lower().startswith("multipart/mixed") or match is None:
        raise bad_request("Batch requests must be multipart/mixed with a boundary.", reason="invalid")
    return match.group(1).encode("latin-1")


def _headers(block: bytes) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    for text in block.decode("latin-1").splitlines():
        if not text.strip():
            continue
        if text[0] in " \t" and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + " " + text.strip())
            continue
        name, _, value = text.partition(":")
        headers.append((name.strip(), value.strip()))
    return headers


def _split_head(chunk: bytes) -> tuple[bytes, bytes]:
    match = _HEADER_END.search(chunk)
    if match is None:
        return chunk, b""
    return chunk[: match.start()], chunk[match.end() :]


def parse_batch(raw: bytes, content_type: str) -> list[BatchPart]:
    """The inner requests of a batch body."""
    boundary = b"--" + _boundary(content_type)
    parts: list[BatchPart] = []
    for piece in raw.split(boundary)[1:]:
        if piece.startswith(b"--"):
            break
        mime_head, http_message = _split_head(piece.removeprefix(b"\r\n").removeprefix(b"\n"))
        mime_headers = {name.lower(): value for name, value in _headers(mime_head)}
        http_message = http_message.removesuffix(b"\r\n").removesuffix(b"\n")
        request_head, body = _split_head(http_message)
        lines = re.split(rb"\r?\n", request_head, maxsplit=1)
        request_line = lines[0].decode("latin-1").split()
        if len(request_line) < 2:
            raise bad_request("Each part of a batch must hold one HTTP request.", reason="invalid")
        part_headers = _headers(lines[1]) if len(lines) > 1 else []
        length = next((value for name, value in part_headers if name.lower() == "content-length"), None)
        if length is not None and length.isdigit():
            body = body[: int(length)]
        parts.append(
            BatchPart(mime_headers.get("content-id"), request_line[0].upper(), request_line[1], part_headers, body)
        )
    return parts


def _route_path(target: str, default_host: str) -> tuple[str, str]:
    """(path inside the sandbox, query) of an inner request's target (a path, or an absolute URL)."""
    parts = urlsplit(target)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        if segment in _GOOGLE_HOSTS:
            return "/" + "/".join(segments[index:]), parts.query
    return f"/{default_host}{parts.path}", parts.query


def render_batch(responses: list[PartResponse]) -> tuple[bytes, str]:
    """The multipart/mixed answer and its content type."""
    boundary = "batch_" + secrets.token_hex(12)
    out = bytearray()
    for item in responses:
        out += f"--{boundary}\r\nContent-Type: application/http\r\n".encode()
        if item.content_id:
            inner = item.content_id.strip().removeprefix("<").removesuffix(">")
            out += f"Content-ID: <response-{inner}>\r\n".encode()
        out += b"\r\n"
        phrase = HTTPStatus(item.status).phrase if item.status in HTTPStatus._value2member_map_ else "Unknown"
        out += f"HTTP/1.1 {item.status} {phrase}\r\n".encode()
        for name, value in item.headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                out += f"{name}: {value}\r\n".encode("latin-1")
        out += f"Content-Length: {len(item.body)}\r\n\r\n".encode()
        out += item.body + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/mixed; boundary={boundary}"


async def _dispatch(request: Request, part: BatchPart, default_host: str) -> PartResponse:
    path, query = _route_path(part.target, default_host)
    outer = request.scope
    root_path: str = outer.get("root_path", "")
    inner_headers = {name.lower(): value for name, value in part.headers}
    merged = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in outer["headers"]
        if not name.lower().startswith(b"content-")
    }
    merged.update(inner_headers)
    merged["content-length"] = str(len(part.body))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": outer.get("asgi", {"version": "3.0"}),
        "http_version": "1.1",
        "method": part.method,
        "scheme": outer.get("scheme", "http"),
        "server": outer.get("server"),
        "client": outer.get("client"),
        "root_path": root_path,
        "path": root_path + unquote(path),
        "raw_path": (root_path + path).encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "headers": [(name.encode("latin-1"), value.encode("latin-1")) for name, value in merged.items()],
    }
    if "state" in outer:
        scope["state"] = outer["state"]
    sent = False
    captured: dict[str, Any] = {"status": 500, "headers": [], "body": bytearray()}

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": part.body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            captured["status"] = int(message["status"])
            captured["headers"] = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            captured["body"] += message.get("body", b"")

    try:
        await request.app(scope, receive, send)
    except Exception:  # the app already answered 500 for this part; the batch goes on
        captured["status"] = 500
    return PartResponse(part.content_id, captured["status"], captured["headers"], bytes(captured["body"]))


async def handle_batch(request: Request, api: Api, *, host: str, max_calls: int) -> Response:
    """Answer a batch request sent to ``host``'s batch path."""
    try:
        parts = parse_batch(await request.body(), request.headers.get("content-type", ""))
        if not parts:
            raise bad_request("A batch request must contain at least one request.", reason="invalid")
        if len(parts) > max_calls:
            raise bad_request(f"A batch request may contain at most {max_calls} calls.", reason="invalid")
    except GoogleApiError as error:
        return error.response(api)
    responses = [await _dispatch(request, part, host) for part in parts]
    body, content_type = render_batch(responses)
    return Response(content=body, media_type=content_type)
