"""The Microsoft Graph HTTP client: one user's mailbox, every call through JSON batching.

This is the only module that talks HTTP to Graph. Every request (the ``$batch`` call and each request inside it)
sends ``Prefer: IdType="ImmutableId"``, so that ids survive moves between folders. :meth:`GraphClient.batch` sends
up to 20 requests in one round trip and gives each one's status, headers and body back:

- the ``$batch`` call itself is retried per the injected :class:`RetryPolicy` on 429, 5xx and network errors, except
  that a batch holding a ``POST`` is not resent after a 5xx or a lost answer (its requests may have run; that is
  :class:`BatchOutcomeUnknown`);
- inside a batch, only the requests that answered 429 (and, for requests that are safe to repeat, 5xx) are sent
  again, after the largest ``Retry-After`` they carried, or after the policy's back-off with jitter when none did;
  requests that depended on them (424) go with them, and requests that succeeded are never resent;
- a 401 is answered by asking the token source for a fresh token once; when it has none the call fails with
  :class:`AuthRevoked`.

Whole-call failures leave as the vendor error tree of :mod:`app.connectors.errors`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from app.connectors.access_token import AccessTokenSource
from app.connectors.errors import AuthRevoked, InvalidData, Throttled, VendorError, VendorUnavailable
from app.connectors.retry import RetryPolicy, with_retries
from app.connectors.vendor_http import RebasingTransport

VENDOR = "microsoft"
GRAPH_ROOT = "https://graph.microsoft.com/v1.0"
#: JSON batching: requests per ``$batch`` call ("Combine multiple HTTP requests using JSON batching").
MAX_BATCH_REQUESTS = 20
#: The preference that makes Outlook ids immutable ("Obtain immutable identifiers for Outlook resources").
IMMUTABLE_IDS = 'IdType="ImmutableId"'
TIMEOUT_SECONDS = 60.0

_SAFE_TO_REPEAT = frozenset({"GET", "PATCH", "DELETE", "PUT"})


class BatchOutcomeUnknown(VendorError):
    """A batch that creates items failed in a way that does not tell whether its requests ran (5xx, lost answer)."""


@dataclass(frozen=True)
class BatchRequest:
    """One request of a batch. ``url`` is a path under ``/v1.0`` (``/me/contacts``) or a full Graph link.

    ``prefer`` adds preferences to ``IdType="ImmutableId"`` (``odata.maxpagesize=200``); ``headers`` are sent as
    they are (``If-Match``).
    """

    id: str
    method: str
    url: str
    body: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    prefer: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchResponse:
    """One request's answer: status, headers (lower-case names) and body (JSON, or None)."""

    id: str
    status: int
    headers: Mapping[str, str]
    body: Any = None

    @property
    def ok(self) -> bool:
        """Whether the request succeeded (2xx)."""
        return 200 <= self.status < 300

    @property
    def json(self) -> dict[str, Any]:
        """The body as a JSON object (empty when there is none)."""
        return self.body if isinstance(self.body, dict) else {}

    @property
    def error_code(self) -> str:
        """Graph's ``error.code`` ("" when the body has none)."""
        error = self.json.get("error")
        return str(error.get("code") or "") if isinstance(error, dict) else ""

    @property
    def error_message(self) -> str:
        """Graph's ``error.message``, else the status."""
        error = self.json.get("error")
        message = error.get("message") if isinstance(error, dict) else None
        return str(message) if message else f"HTTP {self.status}"

    @property
    def retry_after(self) -> float | None:
        """``Retry-After`` in seconds, when the answer carries one."""
        return parse_retry_after(self.headers.get("retry-after"))


@dataclass(frozen=True)
class BatchResult:
    """The answers of a batch by request id, and the server's time when it answered (its ``Date`` header)."""

    responses: Mapping[str, BatchResponse]
    server_time: datetime | None

    def __getitem__(self, request_id: str) -> BatchResponse:
        return self.responses[request_id]

    def get(self, request_id: str) -> BatchResponse | None:
        """The answer to ``request_id``, if it was part of the batch."""
        return self.responses.get(request_id)


class PageFailed(Exception):
    """A page of a :class:`PagedRead` failed; ``response`` says how."""

    def __init__(self, name: str, response: BatchResponse) -> None:
        super().__init__(f"{name}: {response.status} {response.error_code}: {response.error_message}")
        self.response = response


@dataclass
class PagedRead:
    """A list or delta read followed page by page through batches: the next page's URL (None when done), what the
    pages brought, and the delta link when it is a delta round. ``depends_on`` applies to the first page only."""

    name: str
    url: str | None
    prefer: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    items: list[dict[str, Any]] = field(default_factory=list)
    delta_link: str | None = None
    pages: int = 0

    def request(self) -> BatchRequest:
        """The batch request for the next page."""
        if self.url is None:
            raise ValueError(f"{self.name}: no page left to read")
        depends_on = () if self.pages else self.depends_on
        return BatchRequest(self.name, "GET", self.url, prefer=self.prefer, depends_on=depends_on)

    def take(self, response: BatchResponse) -> None:
        """Record a page and move on to the next link; raises :class:`PageFailed` when the page failed."""
        if not response.ok:
            raise PageFailed(self.name, response)
        page = response.json
        self.items.extend(entry for entry in page.get("value") or [] if isinstance(entry, dict) and "id" in entry)
        self.pages += 1
        following = page.get("@odata.nextLink")
        self.url = following if isinstance(following, str) and following else None
        delta_link = page.get("@odata.deltaLink")
        if isinstance(delta_link, str) and delta_link:
            self.delta_link = delta_link


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)


def _server_time(response: httpx.Response) -> datetime | None:
    value = response.headers.get("date")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def relative_url(url: str) -> str:
    """A batch request's URL: a full Graph link (next or delta link) becomes a path under ``/v1.0``."""
    for root in (GRAPH_ROOT, GRAPH_ROOT.replace("https://", "http://")):
        if url.lower().startswith(root.lower()):
            return url[len(root) :] or "/"
    return url if url.startswith("/") else "/" + url


def _error_body(response: httpx.Response) -> tuple[str, str]:
    try:
        payload = response.json()
    except ValueError:
        return "", response.text[:200] or f"HTTP {response.status_code}"
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or ""), str(error.get("message") or f"HTTP {response.status_code}")
    return "", f"HTTP {response.status_code}"


class _Unauthorized(Exception):
    """The access token was refused (401)."""


class GraphClient:
    """One user's Graph session. ``vendor_base_url`` points it at the sandbox (None: the real Graph)."""

    def __init__(
        self,
        token: AccessTokenSource,
        *,
        vendor_base_url: str | None,
        retry: RetryPolicy = RetryPolicy(),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if vendor_base_url:
            transport = RebasingTransport(vendor_base_url, transport)
        self._token_source = token
        self._token: str | None = None
        self.retry = retry
        self._http = httpx.Client(
            transport=transport,
            timeout=TIMEOUT_SECONDS,
            headers={"Prefer": IMMUTABLE_IDS, "Accept": "application/json"},
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- batching

    def batch(self, requests: Sequence[BatchRequest]) -> BatchResult:
        """Send up to 20 requests in one ``$batch`` round trip (plus retries of throttled ones).

        Returns every request's answer; raises the vendor error tree when the batch call itself fails.
        """
        if not requests:
            return BatchResult({}, None)
        if len(requests) > MAX_BATCH_REQUESTS:
            raise ValueError(f"a Graph batch holds at most {MAX_BATCH_REQUESTS} requests")
        by_id = {request.id: request for request in requests}
        answers: dict[str, BatchResponse] = {}
        pending = list(requests)
        attempt = 1
        refreshed = False
        server_time: datetime | None = None
        while True:
            sent_ids = {request.id for request in pending}
            payload = [_sub_request(request, sent_ids) for request in pending]
            idempotent = all(request.method.upper() in _SAFE_TO_REPEAT for request in pending)
            responses, when = self._post_batch(payload, idempotent=idempotent)
            server_time = server_time or when
            answers.update(responses)
            unauthorized = {i for i in sent_ids if answers[i].status == 401}
            if unauthorized and not refreshed:
                self._refresh()
                refreshed = True
            elif unauthorized:
                raise AuthRevoked(VENDOR, "Graph refused the access token after a refresh")
            again = {i for i in sent_ids if _worth_repeating(by_id[i], answers[i])} | unauthorized
            if not again or (attempt >= self.retry.max_attempts and again != unauthorized):
                return BatchResult(answers, server_time)
            again |= _dependents(requests, again, answers)
            waits = [answers[i].retry_after for i in again if answers[i].status != 401]
            known = [w for w in waits if w is not None]
            if waits:
                self.retry.sleep(self.retry.delay(attempt, max(known) if known else None))
                attempt += 1
            pending = [request for request in requests if request.id in again]

    def _post_batch(
        self, payload: list[dict[str, Any]], *, idempotent: bool
    ) -> tuple[dict[str, BatchResponse], datetime | None]:
        def once() -> tuple[dict[str, BatchResponse], datetime | None]:
            try:
                return self._send(payload, idempotent=idempotent)
            except _Unauthorized:
                self._refresh()
            try:
                return self._send(payload, idempotent=idempotent)
            except _Unauthorized as exc:
                raise AuthRevoked(VENDOR, "Graph refused the access token after a refresh") from exc

        return with_retries(once, self.retry)

    def _send(
        self, payload: list[dict[str, Any]], *, idempotent: bool
    ) -> tuple[dict[str, BatchResponse], datetime | None]:
        headers = {"Authorization": f"Bearer {self._bearer()}", "Content-Type": "application/json"}
        try:
            response = self._http.post(f"{GRAPH_ROOT}/$batch", json={"requests": payload}, headers=headers)
        except httpx.ConnectError as exc:
            raise VendorUnavailable(VENDOR, f"cannot reach Graph: {exc}") from exc
        except httpx.TransportError as exc:
            if idempotent:
                raise VendorUnavailable(VENDOR, f"Graph did not answer: {exc}") from exc
            raise BatchOutcomeUnknown(VENDOR, f"Graph did not answer a batch that creates items: {exc}") from exc
        _raise_for_batch_status(response, idempotent=idempotent)
        try:
            document = response.json()
        except ValueError as exc:
            raise VendorUnavailable(VENDOR, "Graph answered a batch with something that is not JSON") from exc
        answers: dict[str, BatchResponse] = {}
        for raw in document.get("responses") or []:
            if not isinstance(raw, dict) or "id" not in raw:
                continue
            raw_headers = raw.get("headers") or {}
            answers[str(raw["id"])] = BatchResponse(
                str(raw["id"]),
                int(raw.get("status") or 0),
                {str(k).lower(): str(v) for k, v in raw_headers.items()},
                raw.get("body"),
            )
        missing = [item["id"] for item in payload if item["id"] not in answers]
        if missing:
            raise VendorUnavailable(VENDOR, f"Graph's batch answer lacks requests {missing}")
        return answers, _server_time(response)

    # -- tokens

    def _bearer(self) -> str:
        if self._token is None:
            self._token = self._token_source.current()
        return self._token

    def _refresh(self) -> None:
        self._token = self._token_source.refreshed()


def _raise_for_batch_status(response: httpx.Response, *, idempotent: bool) -> None:
    """The vendor error for a ``$batch`` call that failed as a whole (401 is left to the token refresh)."""
    status = response.status_code
    if status == 401:
        raise _Unauthorized
    if status == 200:
        return
    code, message = _error_body(response)
    if status == 429:
        raise Throttled(VENDOR, message, parse_retry_after(response.headers.get("retry-after")))
    if status >= 500 and idempotent:
        raise VendorUnavailable(VENDOR, f"{status} {code}: {message}")
    if status >= 500:
        raise BatchOutcomeUnknown(VENDOR, f"{status} {code} on a batch that creates items: {message}")
    if status == 400:
        raise InvalidData(VENDOR, message, code=code or None)
    raise VendorError(VENDOR, f"{status} {code}: {message}")


def _sub_request(request: BatchRequest, sent_ids: set[str]) -> dict[str, Any]:
    headers = {"Prefer": ", ".join((IMMUTABLE_IDS, *request.prefer))}
    headers.update(request.headers)
    entry: dict[str, Any] = {"id": request.id, "method": request.method.upper(), "url": relative_url(request.url)}
    if request.body is not None:
        headers["Content-Type"] = "application/json"
        entry["body"] = dict(request.body)
    entry["headers"] = headers
    depends = [target for target in request.depends_on if target in sent_ids]
    if depends:
        entry["dependsOn"] = depends
    return entry


def _worth_repeating(request: BatchRequest, answer: BatchResponse) -> bool:
    """Throttled requests always (they did not run); server errors only when running twice is harmless."""
    if answer.status == 429:
        return True
    return answer.status >= 500 and request.method.upper() in _SAFE_TO_REPEAT


def _dependents(requests: Sequence[BatchRequest], again: set[str], answers: Mapping[str, BatchResponse]) -> set[str]:
    """Requests that failed with 424 because a request about to be repeated failed: they go again with it."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for request in requests:
            if request.id in again or request.id in found or answers[request.id].status != 424:
                continue
            if any(target in again or target in found for target in request.depends_on):
                found.add(request.id)
                changed = True
    return found
