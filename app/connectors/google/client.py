"""The People API client (one user's contacts and contact groups), and the plumbing every Google client shares.

This module, :mod:`~app.connectors.google.calendar_client` and :mod:`~app.connectors.google.tasks_client` are the
only modules that import googleapiclient, google.auth and httplib2. :class:`GoogleApiClient` holds what they share:
the credentials, the endpoints, retries, error conversion and HTTP batches. Each service is
built from the discovery document bundled with the library (no network), with credentials that take the bearer
token from an :class:`~app.connectors.access_token.AccessTokenSource` before every request. A 401 asks the source
for a new token once and repeats the call. With ``vendor_base_url`` the ``api_endpoint`` (which must include the
service path) and the HTTP batch URI are rebased under the addressing rule of
:mod:`app.connectors.vendor_http`.

Every failure leaves this module as the vendor error tree of :mod:`app.connectors.errors`. Throttling (429, 403
``usageLimits``, 409 ABORTED for overlapping mutations) and server or network failures are retried per the
injected :class:`~app.connectors.retry.RetryPolicy`; a create that fails in a way that does not tell whether it
was applied is never repeated and raises :class:`OutcomeUnknown` instead.

Methods answer the API's JSON as dicts. Mutations are sent one after the other, never concurrently, as the People
API asks ("mutate requests for the same user should be sent sequentially").
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import google.auth.credentials
import google.auth.exceptions
import google_auth_httplib2
import httplib2
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from app.connectors.access_token import AccessTokenSource
from app.connectors.errors import (
    AuthRevoked,
    CursorExpired,
    InvalidData,
    LimitExceeded,
    NotFound,
    Throttled,
    VendorError,
    VendorUnavailable,
)
from app.connectors.retry import RetryPolicy, with_retries
from app.connectors.vendor_http import rebase_url

VENDOR = "google"
#: Where the People API lives: the discovery document's ``rootUrl`` (its ``servicePath`` is empty).
PEOPLE_ROOT = "https://people.googleapis.com/"
#: The People API's HTTP batch endpoint (the discovery document's ``batchPath``).
PEOPLE_BATCH_URI = "https://people.googleapis.com/batch"
#: Seconds to wait for Google before giving up on a call.
TIMEOUT_SECONDS = 60.0
#: ``people.connections.list``: "pageSize: 1-1000, default 100".
MAX_PAGE_SIZE = 1000
#: ``people.getBatchGet``, ``batchCreateContacts``, ``batchUpdateContacts``: at most 200 contacts.
MAX_BATCH_CONTACTS = 200
#: ``people.batchDeleteContacts``: at most 500 resource names.
MAX_BATCH_DELETE = 500
#: ``contactGroups.members.modify``: at most 1000 additions and removals together.
MAX_MEMBER_CHANGES = 1000

_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_QUOTA_REASONS = frozenset({"dailyLimitExceeded", "quotaExceeded"})
_NETWORK_ERRORS = (OSError, httplib2.HttpLib2Error, http.client.HTTPException, google.auth.exceptions.TransportError)
#: google.rpc.Code values used in per-contact statuses (google/rpc/code.proto).
RPC_NOT_FOUND = 5
RPC_FAILED_PRECONDITION = 9


class OutcomeUnknown(VendorError):
    """A mutation failed in a way that does not tell whether Google applied it (network error, 5xx)."""


class PreconditionFailed(InvalidData):
    """412 ``conditionNotMet``: the resource changed since the etag sent in ``If-Match`` (Calendar)."""


class AlreadyExists(InvalidData):
    """409 ``duplicate``: "The requested identifier already exists" (a Calendar insert with a taken event id)."""


class AlreadyDeleted(NotFound):
    """410 ``deleted``: "Resource has been deleted" (deleting a Calendar event twice)."""


@dataclass(frozen=True)
class ContactError:
    """Why one contact made a batch write fail: a ``google.rpc.Status`` (code and message)."""

    code: int
    message: str

    @property
    def stale_etag(self) -> bool:
        """The contact changed since it was read (FAILED_PRECONDITION on its etag)."""
        text = self.message.lower()
        return self.code == RPC_FAILED_PRECONDITION or ("etag" in text and "different" in text)

    @property
    def not_found(self) -> bool:
        """The contact does not exist (any more)."""
        return self.code in (RPC_NOT_FOUND, 404)


class BatchRejected(InvalidData):
    """A batch write was refused as a whole because of some of its contacts (batch writes are all-or-nothing).

    ``contact_errors`` is the ``contactErrors`` map of ``BatchCreateContactsErrorDetails`` (keyed by the contact's
    index in the request) or ``BatchUpdateContactsErrorDetails`` (keyed by resource name); "if a contact id does not
    appear, then the update of that contact would have been successful".
    """

    def __init__(self, message: str, contact_errors: Mapping[str, ContactError], code: str | None = None) -> None:
        super().__init__(VENDOR, message, code=code)
        self.contact_errors = dict(contact_errors)


class _SourceCredentials(google.auth.credentials.Credentials):
    """Bearer credentials that ask the token source for the token to send before every request."""

    def __init__(self, source: AccessTokenSource) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._source = source
        self._override: str | None = None

    def refresh(self, request: Any) -> None:
        """Only reached if google-auth decides to refresh by itself: 401s are handled by :class:`PeopleClient`."""
        self._override = self._source.refreshed()

    def before_request(self, request: Any, method: str, url: str, headers: dict[str, str]) -> None:
        """Put the current token (or the one just refreshed) in the ``authorization`` header."""
        token = self._override if self._override is not None else self._source.current()
        self.token = token
        headers["authorization"] = f"Bearer {token}"

    def apply(self, headers: dict[str, str], token: str | None = None) -> None:
        """Put the current token in ``headers`` (the inner requests of an HTTP batch are authorised this way)."""
        chosen = token or (self._override if self._override is not None else self._source.current())
        self.token = chosen
        headers["authorization"] = f"Bearer {chosen}"

    def prime(self) -> None:
        """Hold the current token, so that google-api-python-client does not think it must refresh one."""
        self.token = self._override if self._override is not None else self._source.current()

    def use_once(self, token: str) -> None:
        """Send ``token`` on the next request instead of asking the source."""
        self._override = token

    def forget(self) -> None:
        """Go back to asking the source."""
        self._override = None


def _error_body(error: HttpError) -> dict[str, Any]:
    try:
        parsed = json.loads(error.content or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    body = parsed.get("error") if isinstance(parsed, dict) else None
    return body if isinstance(body, dict) else {}


def _retry_after(error: HttpError) -> float | None:
    value = error.resp.get("retry-after") if error.resp is not None else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _contact_errors(details: Sequence[Any]) -> dict[str, ContactError] | None:
    for detail in details:
        if isinstance(detail, dict) and isinstance(detail.get("contactErrors"), dict):
            return {
                str(key): ContactError(int(value.get("code") or 0), str(value.get("message") or ""))
                for key, value in detail["contactErrors"].items()
                if isinstance(value, dict)
            }
    return None


def _access_error(status: int, reason: str, message: str, error: HttpError) -> VendorError | None:
    """Throttling, quota and authorisation failures (429, 401, 403)."""
    if status == 429 or (status == 403 and reason in _RATE_REASONS):
        return Throttled(VENDOR, message, _retry_after(error))
    if status == 403 and reason in _QUOTA_REASONS:
        return LimitExceeded(VENDOR, message)
    if status in (401, 403):
        return AuthRevoked(VENDOR, message)
    return None


def vendor_error(error: HttpError) -> VendorError:
    """The vendor error an HTTP error of a Google API stands for."""
    status = int(error.resp.status)
    body = _error_body(error)
    message = str(body.get("message") or error.reason or f"HTTP {status}")
    canonical = str(body.get("status") or "")
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    reason = str(first.get("reason") or "")
    raw_details = body.get("details")
    details: list[Any] = raw_details if isinstance(raw_details, list) else []
    info_reasons = {str(d.get("reason")) for d in details if isinstance(d, dict) and d.get("reason")}
    found = _access_error(status, reason, message, error)
    if found is None and status == 410 and reason == "deleted":
        return AlreadyDeleted(VENDOR, message)
    if found is None and status == 412:
        return PreconditionFailed(VENDOR, message, code=reason or "conditionNotMet")
    if found is None and status == 409 and reason == "duplicate":
        return AlreadyExists(VENDOR, message, code=reason)
    expired = "EXPIRED_SYNC_TOKEN" in info_reasons or (
        canonical == "FAILED_PRECONDITION" and "sync token is expired" in message.lower()
    )
    if found is None and (status == 410 or expired):
        found = CursorExpired(VENDOR, message)
    elif found is None and status == 404:
        found = NotFound(VENDOR, message)
    elif found is None and status == 409 and (canonical == "ABORTED" or reason == "aborted"):
        found = Throttled(VENDOR, message, _retry_after(error))  # overlapping mutations: slow down and retry
    elif found is None and status >= 500:
        found = VendorUnavailable(VENDOR, message)
    if found is not None:
        return found
    contact_errors = _contact_errors(details)
    if contact_errors is not None:
        return BatchRejected(message, contact_errors, code=canonical or reason or None)
    return InvalidData(VENDOR, message, code=canonical or reason or None)


def _endpoints(root: str, batch_uri: str, vendor_base_url: str | None) -> tuple[str | None, str]:
    if not vendor_base_url:
        return None, batch_uri
    return rebase_url(root, vendor_base_url), rebase_url(batch_uri, vendor_base_url)


#: One slot of an HTTP batch's answer: the call's JSON, or why it failed.
BatchAnswer = dict[str, Any] | VendorError


class GoogleApiClient:
    """What every Google API client shares: credentials from an access-token source, the service built from the
    bundled discovery document at the (rebased) endpoint, retries, error conversion and HTTP batches."""

    def __init__(
        self,
        token: AccessTokenSource,
        *,
        api: tuple[str, str],
        root: str,
        batch_uri: str,
        vendor_base_url: str | None,
        retry: RetryPolicy,
    ) -> None:
        self._credentials = _SourceCredentials(token)
        self._token = token
        self._retry = retry
        api_endpoint, self.batch_uri = _endpoints(root, batch_uri, vendor_base_url)
        self._http = google_auth_httplib2.AuthorizedHttp(
            self._credentials, http=httplib2.Http(timeout=TIMEOUT_SECONDS), refresh_status_codes=()
        )
        options = {"api_endpoint": api_endpoint} if api_endpoint else None
        self._service: Any = build(
            api[0],
            api[1],
            http=self._http,
            static_discovery=True,
            cache_discovery=False,
            client_options=options,
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._service.close()

    def new_batch(self, callback: Callable[..., None] | None = None) -> BatchHttpRequest:
        """An HTTP batch request to the API's batch endpoint (rebased like every other call).

        A batch of n calls still counts as n calls against Google's quotas; it only saves round trips."""
        return BatchHttpRequest(callback=callback, batch_uri=self.batch_uri)

    # -- plumbing --------------------------------------------------------------------------------------------

    def _call(self, make_request: Callable[[], Any], *, applied_unknown: bool = False) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            try:
                return self._execute(make_request)
            except VendorUnavailable as error:
                if applied_unknown:
                    raise OutcomeUnknown(VENDOR, error.message) from error
                raise

        return with_retries(attempt, self._retry)

    def _execute(self, make_request: Callable[[], Any]) -> dict[str, Any]:
        try:
            return self._send(make_request)
        except HttpError as error:
            if int(error.resp.status) != 401:
                raise vendor_error(error) from error
        self._credentials.use_once(self._token.refreshed())
        try:
            return self._send(make_request)
        except HttpError as error:
            if int(error.resp.status) == 401:
                raise AuthRevoked(VENDOR, "Google refused a freshly refreshed access token") from error
            raise vendor_error(error) from error
        finally:
            self._credentials.forget()

    def _send(self, make_request: Callable[[], Any]) -> dict[str, Any]:
        try:
            answer = make_request().execute()
        except _NETWORK_ERRORS as error:
            raise VendorUnavailable(VENDOR, f"network error: {error}") from error
        return answer if isinstance(answer, dict) else {}

    def _batch(self, requests: Sequence[Callable[[], Any]], *, repeatable: bool) -> list[BatchAnswer]:
        """Send ``requests`` (at most one batch's worth) as one HTTP batch; one answer per request, in order.

        Calls refused for throttling, and (when ``repeatable``) server failures, are sent again in a smaller batch
        per the retry policy. When the batch as a whole fails, a ``repeatable`` batch is retried; otherwise every
        slot gets :class:`OutcomeUnknown` for a failure that may have been applied.
        """
        answers: list[BatchAnswer | None] = [None] * len(requests)
        pending = list(range(len(requests)))
        attempt = 1
        while pending:
            got = self._send_batch_retrying(requests, pending, repeatable=repeatable)
            again: list[int] = []
            waits: list[float | None] = []
            for index in pending:
                answer = got[index]
                retryable = isinstance(answer, Throttled) or (repeatable and isinstance(answer, VendorUnavailable))
                if retryable and attempt < self._retry.max_attempts:
                    again.append(index)
                    waits.append(answer.retry_after if isinstance(answer, Throttled) else None)
                elif isinstance(answer, VendorUnavailable) and not repeatable:
                    answers[index] = OutcomeUnknown(VENDOR, answer.message)
                else:
                    answers[index] = answer
            if again:
                asked = [wait for wait in waits if wait is not None]
                self._retry.sleep(self._retry.delay(attempt, max(asked) if asked else None))
                attempt += 1
            pending = again
        return [answer for answer in answers if answer is not None]

    def _send_batch_retrying(
        self, requests: Sequence[Callable[[], Any]], indexes: list[int], *, repeatable: bool
    ) -> dict[int, BatchAnswer]:
        try:
            if repeatable:
                return with_retries(lambda: self._send_batch(requests, indexes), self._retry)
            return self._send_batch(requests, indexes)
        except VendorUnavailable as error:
            if repeatable:
                raise
            return dict.fromkeys(indexes, OutcomeUnknown(VENDOR, error.message))

    def _send_batch(self, requests: Sequence[Callable[[], Any]], indexes: list[int]) -> dict[int, BatchAnswer]:
        got: dict[int, BatchAnswer] = {}

        def collect(request_id: str, response: Any, exception: Exception | None) -> None:
            index = int(request_id)
            if isinstance(exception, HttpError):
                got[index] = vendor_error(exception)
            elif exception is not None:
                got[index] = VendorUnavailable(VENDOR, f"batch part failed: {exception}")
            else:
                got[index] = response if isinstance(response, dict) else {}

        batch = self.new_batch(collect)
        for index in indexes:
            batch.add(requests[index](), request_id=str(index))
        self._credentials.prime()
        try:
            batch.execute(http=self._http)
        except HttpError as error:
            raise vendor_error(error) from error
        except _NETWORK_ERRORS as error:
            raise VendorUnavailable(VENDOR, f"network error: {error}") from error
        finally:
            self._credentials.forget()
        for index in indexes:
            got.setdefault(index, VendorUnavailable(VENDOR, "the batch answer left this call out"))
        return got


class PeopleClient(GoogleApiClient):
    """One user's People API: contacts (``people``) and contact groups, as JSON dicts."""

    def __init__(
        self, token: AccessTokenSource, *, vendor_base_url: str | None, retry: RetryPolicy = RetryPolicy()
    ) -> None:
        super().__init__(
            token,
            api=("people", "v1"),
            root=PEOPLE_ROOT,
            batch_uri=PEOPLE_BATCH_URI,
            vendor_base_url=vendor_base_url,
            retry=retry,
        )

    # -- contacts --------------------------------------------------------------------------------------------

    def list_connections(
        self,
        *,
        person_fields: str,
        page_size: int,
        request_sync_token: bool,
        sync_token: str | None = None,
        page_token: str | None = None,
    ) -> dict[str, Any]:
        """One page of ``people.connections.list`` for ``people/me``."""
        params: dict[str, Any] = {
            "resourceName": "people/me",
            "personFields": person_fields,
            "pageSize": page_size,
            "requestSyncToken": request_sync_token,
        }
        if sync_token:
            params["syncToken"] = sync_token
        if page_token:
            params["pageToken"] = page_token
        return self._call(lambda: self._service.people().connections().list(**params))

    def get_batch(self, resource_names: Sequence[str], *, person_fields: str) -> list[dict[str, Any]]:
        """``people.getBatchGet`` (at most 200 names): one ``PersonResponse`` per name, in order."""
        answer = self._call(
            lambda: self._service.people().getBatchGet(resourceNames=list(resource_names), personFields=person_fields)
        )
        return list(answer.get("responses") or [])

    def batch_create(self, contacts: Sequence[Mapping[str, Any]], *, read_mask: str) -> list[dict[str, Any]]:
        """``people.batchCreateContacts`` (at most 200): the created people (``PersonResponse`` items).

        Raises :class:`OutcomeUnknown` when the call failed without saying whether it was applied."""
        body = {"contacts": [{"contactPerson": dict(person)} for person in contacts], "readMask": read_mask}
        answer = self._call(lambda: self._service.people().batchCreateContacts(body=body), applied_unknown=True)
        return list(answer.get("createdPeople") or [])

    def batch_update(
        self, contacts: Mapping[str, Mapping[str, Any]], *, update_mask: str, read_mask: str
    ) -> dict[str, dict[str, Any]]:
        """``people.batchUpdateContacts`` (at most 200, each person with its etag): the updated people by name."""
        body = {
            "contacts": {name: dict(person) for name, person in contacts.items()},
            "updateMask": update_mask,
            "readMask": read_mask,
        }
        answer = self._call(lambda: self._service.people().batchUpdateContacts(body=body))
        return dict(answer.get("updateResult") or {})

    def batch_delete(self, resource_names: Sequence[str]) -> None:
        """``people.batchDeleteContacts`` (at most 500)."""
        body = {"resourceNames": list(resource_names)}
        self._call(lambda: self._service.people().batchDeleteContacts(body=body))

    # -- contact groups --------------------------------------------------------------------------------------

    def list_groups(self, *, page_token: str | None = None) -> dict[str, Any]:
        """One page (up to 1000) of ``contactGroups.list`` with each group's name and type."""
        params: dict[str, Any] = {"pageSize": MAX_PAGE_SIZE, "groupFields": "name,groupType"}
        if page_token:
            params["pageToken"] = page_token
        return self._call(lambda: self._service.contactGroups().list(**params))

    def get_groups(self, resource_names: Sequence[str]) -> list[dict[str, Any]]:
        """``contactGroups.batchGet``: one ``ContactGroupResponse`` per name (a status instead for a missing one)."""
        names = list(resource_names)
        answer = self._call(
            lambda: self._service.contactGroups().batchGet(resourceNames=names, groupFields="name,metadata")
        )
        return list(answer.get("responses") or [])

    def create_group(self, name: str) -> dict[str, Any]:
        """``contactGroups.create``: a user contact group named ``name`` (InvalidData ALREADY_EXISTS if taken)."""
        body = {"contactGroup": {"name": name}}
        return self._call(lambda: self._service.contactGroups().create(body=body))

    def modify_members(self, group: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> dict[str, Any]:
        """``contactGroups.members.modify`` (at most 1000 names in all)."""
        body: dict[str, Any] = {}
        if add:
            body["resourceNamesToAdd"] = list(add)
        if remove:
            body["resourceNamesToRemove"] = list(remove)
        return self._call(lambda: self._service.contactGroups().members().modify(resourceName=group, body=body))
