"""The Salesforce REST client: one user's session on one org, through simple-salesforce.

This is the only module that imports simple-salesforce. Every failure leaves it as the vendor error tree of
``app.connectors.errors``; a 401 is :class:`SessionExpired`, so that the caller can refresh the access token and
try once more. Calls go through a requests session that rebases vendor URLs onto the sandbox when there is one.

Composite requests are how crmbridge keeps to few API calls: up to 25 subrequests (at most 5 of them queries) count
as one call. :meth:`SalesforceClient.composite` returns each subrequest's status and body; :func:`raise_for_result`
turns a failed one into the same error tree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError

from app.connectors.errors import (
    AuthRevoked,
    InvalidData,
    LimitExceeded,
    NotFound,
    Throttled,
    VendorError,
    VendorUnavailable,
)
from app.connectors.vendor_http import rebasing_requests_session

VENDOR = "salesforce"
#: The REST API version crmbridge speaks (Winter '25).
API_VERSION = "62.0"
#: Seconds to wait for Salesforce before giving up on a call.
TIMEOUT_SECONDS = 30.0
#: Composite limits (REST API Developer Guide, "Composite"): subrequests per call, of which queries.
MAX_SUBREQUESTS = 25
MAX_QUERY_SUBREQUESTS = 5
#: sObject Collections: records per call.
MAX_COLLECTION_RECORDS = 200

_THROTTLING_HINTS = ("concurrent", "ConcurrentPerOrgLongTxn", "too many")
_NEXT_RECORDS_URL = re.compile(r"^/services/data/v\d+\.\d+/((?:query|queryAll)/[A-Za-z0-9-]+)$")


class SessionExpired(AuthRevoked):
    """Salesforce refused the access token (401 ``INVALID_SESSION_ID``): refresh it and try once more."""


@dataclass(frozen=True)
class Subrequest:
    """One subrequest of a composite call; ``path`` is relative to ``/services/data/vXX.X/``."""

    reference_id: str
    method: str
    path: str
    body: Any = None

    @classmethod
    def query(cls, reference_id: str, soql: str, *, with_references: bool = False) -> Subrequest:
        """A SOQL query subrequest (counts towards the five queries a composite call may hold).

        The query is percent-encoded, so that nothing in a value can read as a ``@{reference}``; a query built to
        hold references to earlier subrequests (and no outside values) keeps them readable with
        ``with_references``."""
        return cls(reference_id, "GET", "query?q=" + quote(soql, safe="@{}[]." if with_references else ""))

    @property
    def is_query(self) -> bool:
        """Whether Salesforce counts this subrequest as a query operation."""
        return self.method == "GET" and self.path.startswith(("query?", "queryAll?", "query/", "queryAll/"))

    @classmethod
    def query_all(cls, reference_id: str, soql: str) -> Subrequest:
        """A SOQL queryAll subrequest: like :meth:`query`, and the answer holds deleted rows too (``IsDeleted``)."""
        return cls(reference_id, "GET", "queryAll?q=" + quote(soql, safe=""))

    @classmethod
    def next_batch(cls, reference_id: str, next_records_url: str) -> Subrequest:
        """The next batch of a query's records, from the ``nextRecordsUrl`` an earlier answer gave."""
        match = _NEXT_RECORDS_URL.match(next_records_url)
        if match is None:
            raise ValueError(f"{next_records_url!r} is not a query's nextRecordsUrl")
        return cls(reference_id, "GET", match[1])

    @property
    def is_collection(self) -> bool:
        """Whether this subrequest is an sObject Collections write (counted with the queries)."""
        return self.method in ("POST", "PATCH", "DELETE") and self.path.startswith("composite/sobjects")


@dataclass(frozen=True)
class NextBatchOf:
    """A composite subrequest for the next batch of an earlier query subrequest of the same call, by reference
    (its URL is ``@{of.nextRecordsUrl}``). Salesforce fails it, and only it, when that query had no more records."""

    reference_id: str
    of: str


@dataclass(frozen=True)
class SubResult:
    """A subrequest's HTTP status and JSON body."""

    status: int
    body: Any = field(repr=False)

    @property
    def ok(self) -> bool:
        """Whether the subrequest succeeded."""
        return self.status < 400


class SalesforceClient:
    """Calls to one org as one user. Not thread-safe; make one per request."""

    def __init__(
        self, *, instance_url: str, access_token: str, vendor_base_url: str | None, version: str = API_VERSION
    ) -> None:
        self._http: requests.Session = rebasing_requests_session(vendor_base_url)
        self._sf = Salesforce(
            instance_url=instance_url,
            session_id=access_token,
            version=version,
            session=self._http,
            object_pairs_hook=dict,
        )
        self.version = version

    def close(self) -> None:
        """Release the HTTP connections."""
        self._http.close()

    # -- reads ---------------------------------------------------------------------------------------------

    def query(self, soql: str) -> list[dict[str, Any]]:
        """The records of a SOQL query (the first batch: callers bound their queries with LIMIT)."""
        result = self._call(lambda: self._sf.query(soql, timeout=TIMEOUT_SECONDS))
        return list(result.get("records", []))

    def search(self, sosl: str) -> list[dict[str, Any]]:
        """The records a SOSL search found."""
        result = self._call(lambda: self._sf.restful("search", params={"q": sosl}, timeout=TIMEOUT_SECONDS))
        if not isinstance(result, Mapping):
            return []
        return list(result.get("searchRecords", []))

    # -- writes --------------------------------------------------------------------------------------------

    def create(self, sobject: str, fields: Mapping[str, Any]) -> str:
        """Create one record; its id."""
        result = self._call(
            lambda: self._sf.restful(f"sobjects/{sobject}", method="POST", json=dict(fields), timeout=TIMEOUT_SECONDS)
        )
        return str(result["id"])

    def create_records(self, records: Sequence[Mapping[str, Any]], *, all_or_none: bool) -> list[dict[str, Any]]:
        """sObject Collections create (up to 200 records, each with ``attributes.type``): a SaveResult each."""
        if len(records) > MAX_COLLECTION_RECORDS:
            raise ValueError(f"at most {MAX_COLLECTION_RECORDS} records per call")
        body = {"allOrNone": all_or_none, "records": [dict(record) for record in records]}
        result = self._call(
            lambda: self._sf.restful("composite/sobjects", method="POST", json=body, timeout=TIMEOUT_SECONDS)
        )
        return list(result or [])

    def composite(self, subrequests: Sequence[Subrequest], *, all_or_none: bool) -> dict[str, SubResult]:
        """Run subrequests in one call (one API request); each one's result by reference id."""
        if not subrequests or len(subrequests) > MAX_SUBREQUESTS:
            raise ValueError(f"a composite call holds 1 to {MAX_SUBREQUESTS} subrequests")
        if sum(sub.is_query for sub in subrequests) > MAX_QUERY_SUBREQUESTS:
            raise ValueError(f"a composite call holds at most {MAX_QUERY_SUBREQUESTS} queries")
        base = f"/services/data/v{self.version}/"
        body = {
            "allOrNone": all_or_none,
            "compositeRequest": [
                {"method": sub.method, "url": base + sub.path, "referenceId": sub.reference_id}
                | ({"body": sub.body} if sub.body is not None else {})
                for sub in subrequests
            ],
        }
        result = self._call(lambda: self._sf.restful("composite", method="POST", json=body, timeout=TIMEOUT_SECONDS))
        answers = {
            str(item["referenceId"]): SubResult(int(item["httpStatusCode"]), item.get("body"))
            for item in (result or {}).get("compositeResponse", [])
        }
        missing = [sub.reference_id for sub in subrequests if sub.reference_id not in answers]
        if missing:
            raise VendorUnavailable(VENDOR, "Salesforce left subrequests of a composite call unanswered")
        return answers

    def composite_paged(
        self, subrequests: Sequence[Subrequest | NextBatchOf], *, all_or_none: bool
    ) -> dict[str, SubResult]:
        """Like :meth:`composite`, with subrequests that page on through an earlier query's results in the same
        call (:class:`NextBatchOf`). Queries, next batches and sObject Collections together count towards the
        five such operations a composite call may hold."""
        if not subrequests or len(subrequests) > MAX_SUBREQUESTS:
            raise ValueError(f"a composite call holds 1 to {MAX_SUBREQUESTS} subrequests")
        heavy = sum(isinstance(sub, NextBatchOf) or sub.is_query or sub.is_collection for sub in subrequests)
        if heavy > MAX_QUERY_SUBREQUESTS:
            raise ValueError(f"a composite call holds at most {MAX_QUERY_SUBREQUESTS} queries and collections")
        base = f"/services/data/v{self.version}/"
        requests_: list[dict[str, Any]] = []
        for sub in subrequests:
            if isinstance(sub, NextBatchOf):
                requests_.append(
                    {"method": "GET", "url": f"@{{{sub.of}.nextRecordsUrl}}", "referenceId": sub.reference_id}
                )
            else:
                requests_.append(
                    {"method": sub.method, "url": base + sub.path, "referenceId": sub.reference_id}
                    | ({"body": sub.body} if sub.body is not None else {})
                )
        body = {"allOrNone": all_or_none, "compositeRequest": requests_}
        result = self._call(lambda: self._sf.restful("composite", method="POST", json=body, timeout=TIMEOUT_SECONDS))
        answers = {
            str(item["referenceId"]): SubResult(int(item["httpStatusCode"]), item.get("body"))
            for item in (result or {}).get("compositeResponse", [])
        }
        if any(sub.reference_id not in answers for sub in subrequests):
            raise VendorUnavailable(VENDOR, "Salesforce left subrequests of a composite call unanswered")
        return answers

    # -- plumbing ------------------------------------------------------------------------------------------

    def _call(self, action: Any) -> Any:
        try:
            return action()
        except SalesforceError as exc:
            raise error_for(exc.status, exc.content) from None
        except requests.Timeout:
            raise VendorUnavailable(VENDOR, "Salesforce did not answer in time") from None
        except requests.RequestException:
            raise VendorUnavailable(VENDOR, "Salesforce could not be reached") from None
        except (json.JSONDecodeError, KeyError, TypeError):
            raise VendorUnavailable(VENDOR, "Salesforce answered with something that is not its API's JSON") from None


def raise_for_result(result: SubResult) -> None:
    """Raise the vendor error a failed composite subrequest stands for; nothing for a successful one."""
    if not result.ok:
        raise error_for(result.status, result.body)


def error_items(body: Any) -> list[dict[str, Any]]:
    """Salesforce's error list (``[{"message", "errorCode", "fields"}]``) out of a response body."""
    if isinstance(body, Mapping):
        body = [body]
    if not isinstance(body, list):
        return []
    return [dict(item) for item in body if isinstance(item, Mapping)]


def error_for(status: int, body: Any) -> VendorError:
    """The vendor error for a Salesforce HTTP status and error body."""
    items = error_items(body)
    first = items[0] if items else {}
    code = str(first.get("errorCode") or first.get("statusCode") or "")
    message = str(first.get("message") or f"Salesforce answered HTTP {status}")
    fields = tuple(str(name) for name in first.get("fields") or ())
    if status == 401:
        return SessionExpired(VENDOR, message)
    if code == "REQUEST_LIMIT_EXCEEDED":
        if any(hint.lower() in message.lower() for hint in _THROTTLING_HINTS):
            return Throttled(VENDOR, message)
        return LimitExceeded(VENDOR, message)
    if status == 404 or code in ("NOT_FOUND", "ENTITY_IS_DELETED"):
        return NotFound(VENDOR, message)
    if status in (500, 502, 503, 504) or code == "SERVER_UNAVAILABLE":
        return VendorUnavailable(VENDOR, message)
    return InvalidData(VENDOR, message, fields, code or None)
