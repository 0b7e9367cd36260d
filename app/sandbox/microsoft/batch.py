"""JSON batching: ``POST /v1.0/$batch`` with up to 20 requests ("Combine multiple HTTP requests using JSON batching").

The batch answers 200 when it can be parsed and 400 when it cannot (too many requests, duplicate or missing ids,
unknown ``dependsOn`` targets). Each request gets its own status, headers and body; a request whose dependency failed
gets 424. Every request is throttled on its own, so one can fail with 429 and ``Retry-After`` while the others
succeed. The sandbox runs requests one at a time in dependency order and answers in request order [sandbox choice:
Graph may run up to four at once and answer in any order].
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.sandbox.microsoft.exceptions import GraphError, bad_request
from app.sandbox.microsoft.wire import GraphReply, Prefer

MAX_REQUESTS = 20

Dispatch = Callable[[str, str, str, Mapping[str, str], Any], Awaitable[tuple[GraphReply, Prefer | None]]]
"""Runs one request: (method, path after the host, query string, headers, body) -> reply."""


@dataclass(frozen=True)
class SubRequest:
    """One request of a batch."""

    id: str
    method: str
    url: str
    headers: dict[str, str]
    body: Any
    depends_on: tuple[str, ...]


def _parse(payload: Any) -> list[SubRequest]:
    if not isinstance(payload, dict) or not isinstance(payload.get("requests"), list):
        raise bad_request("Invalid batch payload format.")
    raw_requests: list[Any] = payload["requests"]
    if not raw_requests:
        raise bad_request("The batch request must contain at least one request.")
    if len(raw_requests) > MAX_REQUESTS:
        raise bad_request(f"The number of requests in a batch is limited to {MAX_REQUESTS}.")
    parsed: list[SubRequest] = []
    seen: set[str] = set()
    for raw in raw_requests:
        if not isinstance(raw, dict):
            raise bad_request("Each request of a batch must be a JSON object.")
        request_id, method, url = raw.get("id"), raw.get("method"), raw.get("url")
        if not isinstance(request_id, str | int) or not isinstance(method, str) or not isinstance(url, str):
            raise bad_request("Each request of a batch needs an id, a method and a url.")
        key = str(request_id)
        if key.lower() in seen:
            raise bad_request(f"Duplicate request id '{key}' in the batch.")
        seen.add(key.lower())
        headers = raw.get("headers") or {}
        depends = raw.get("dependsOn") or []
        if not isinstance(headers, dict) or not isinstance(depends, list):
            raise bad_request("The headers of a batch request must be an object and dependsOn a list of ids.")
        parsed.append(
            SubRequest(
                key,
                method.upper(),
                url,
                {str(k).lower(): str(v) for k, v in headers.items()},
                raw.get("body"),
                tuple(str(d) for d in depends),
            )
        )
    known = {request.id.lower() for request in parsed}
    for request in parsed:
        for target in request.depends_on:
            if target.lower() not in known or target.lower() == request.id.lower():
                raise bad_request(f"The request '{request.id}' depends on an unknown request '{target}'.")
    return parsed


def _order(requests: list[SubRequest]) -> list[SubRequest]:
    """The requests in an order that runs every dependency first; 400 on a cycle."""
    by_id = {request.id.lower(): request for request in requests}
    done: list[SubRequest] = []
    state: dict[str, str] = {}

    def visit(request: SubRequest) -> None:
        mark = state.get(request.id.lower())
        if mark == "done":
            return
        if mark == "visiting":
            raise bad_request("The dependsOn references of the batch form a cycle.")
        state[request.id.lower()] = "visiting"
        for target in request.depends_on:
            visit(by_id[target.lower()])
        state[request.id.lower()] = "done"
        done.append(request)

    for request in requests:
        visit(request)
    return done


def _target(url: str) -> tuple[str, str]:
    """(path after the host, query) of a batch URL: relative (``/me``, ``me``) or absolute."""
    text = url.strip()
    for prefix in ("https://graph.microsoft.com", "http://graph.microsoft.com"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    text = text.lstrip("/")
    if text.lower().startswith("v1.0/"):
        text = text[len("v1.0/") :]
    path, _, query = text.partition("?")
    return f"v1.0/{path}", query


def _body(request: SubRequest) -> Any:
    if request.body is None:
        return None
    if "content-type" not in request.headers:
        raise bad_request("A request with a body needs a Content-Type header.")
    if isinstance(request.body, str):
        try:
            decoded = base64.b64decode(request.body, validate=True)
            return json.loads(decoded)
        except (binascii.Error, ValueError) as exc:
            raise bad_request("The body of a batch request is neither JSON nor base64-encoded JSON.") from exc
    return request.body


def _sub_response(request: SubRequest, reply: GraphReply, headers: dict[str, str]) -> dict[str, Any]:
    response: dict[str, Any] = {"id": request.id, "status": reply.status, "headers": headers}
    if reply.body is not None:
        response["body"] = base64.b64encode(reply.body).decode("ascii") if isinstance(reply.body, bytes) else reply.body
    return response


async def run(
    payload: Any,
    outer_headers: Mapping[str, str],
    dispatch: Dispatch,
    headers_for: Callable[[GraphReply, Mapping[str, str], Prefer | None], dict[str, str]],
    fail: Callable[[GraphError, Mapping[str, str]], GraphReply],
) -> GraphReply:
    """Run a batch; the reply is the batch response (or a 400 for a malformed batch)."""
    parsed = _parse(payload)
    requests = _order(parsed)
    results: dict[str, dict[str, Any]] = {}
    failed: set[str] = set()
    for request in requests:
        headers = {k: v for k, v in outer_headers.items() if k in ("authorization", "client-request-id", "prefer")}
        headers.update(request.headers)
        broken = [d for d in request.depends_on if d.lower() in failed]
        if broken:
            error = GraphError(424, "FailedDependency", f"The request depends on request '{broken[0]}', which failed.")
            reply, prefer = fail(error, headers), None
        else:
            path, query = _target(request.url)
            try:
                body = _body(request)
            except GraphError as exc:
                reply, prefer = fail(exc, headers), None
            else:
                if path.lower().rstrip("/") == "v1.0/$batch":
                    reply, prefer = fail(bad_request("A batch cannot contain another batch."), headers), None
                else:
                    reply, prefer = await dispatch(request.method, path, query, headers, body)
        if reply.status >= 400:
            failed.add(request.id.lower())
        results[request.id] = _sub_response(request, reply, headers_for(reply, headers, prefer))
    return GraphReply(200, {"responses": [results[request.id] for request in parsed]})
