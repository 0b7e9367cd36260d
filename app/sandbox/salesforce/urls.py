"""Routes of the org at ``{base}/sandbox.my.salesforce.com``: the URL table, the dispatcher, the HTTP entry points.

Every call under ``/services/data/vXX.X/`` is authenticated with its bearer token (401 INVALID_SESSION_ID
otherwise), counted against the org's daily API allocation (403 REQUEST_LIMIT_EXCEEDED once it is used up; the
``Sforce-Limit-Info`` header reports usage), then matched against :data:`URLS`. Composite subrequests go through
the same table without being counted again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce import responses
from app.sandbox.salesforce.exceptions import ApiError
from app.sandbox.salesforce.models import SalesforceOrg
from app.sandbox.salesforce.rest import ApiRequest, ApiResponse, Handler
from app.sandbox.salesforce.sharing import Caller
from app.sandbox.salesforce.versions import is_supported, versions_json

_NAME = r"(?P<sobject>[A-Za-z][A-Za-z0-9_]*)"
_ALL_METHODS = ["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD"]

#: (methods, path pattern relative to /services/data/vXX.X/, handler), most specific first.
URLS: list[tuple[frozenset[str], re.Pattern[str], Handler]] = [
    (frozenset({"GET"}), re.compile(r"^$"), responses.resources),
    (frozenset({"GET"}), re.compile(r"^limits$"), responses.limits),
    (frozenset({"GET"}), re.compile(r"^sobjects$"), responses.sobjects),
    (frozenset({"GET"}), re.compile(rf"^sobjects/{_NAME}/describe$"), responses.describe),
    (frozenset({"GET"}), re.compile(rf"^sobjects/{_NAME}/updated$"), responses.updated),
    (frozenset({"GET"}), re.compile(rf"^sobjects/{_NAME}/deleted$"), responses.deleted),
    (frozenset({"GET"}), re.compile(rf"^sobjects/{_NAME}/listviews$"), responses.listviews),
    (frozenset({"GET"}), re.compile(rf"^sobjects/{_NAME}/listviews/(?P<id>\w+)$"), responses.listview),
    (
        frozenset({"GET"}),
        re.compile(rf"^sobjects/{_NAME}/listviews/(?P<id>\w+)/describe$"),
        responses.listview_describe,
    ),
    (
        frozenset({"GET"}),
        re.compile(rf"^sobjects/{_NAME}/listviews/(?P<id>\w+)/results$"),
        responses.listview_results,
    ),
    (frozenset({"GET", "POST"}), re.compile(rf"^sobjects/{_NAME}$"), responses.sobject),
    (frozenset({"GET"}), re.compile(rf"^sobjects/{_NAME}/(?P<id>\w+)/VersionData$"), responses.blob),
    (frozenset({"GET", "PATCH", "DELETE", "POST"}), re.compile(rf"^sobjects/{_NAME}/(?P<id>[^/]+)$"), responses.row),
    (
        frozenset({"GET", "PATCH", "DELETE", "POST"}),
        re.compile(rf"^sobjects/{_NAME}/(?P<field>[A-Za-z][A-Za-z0-9_]*)/(?P<value>[^/]+)$"),
        responses.by_external_id,
    ),
    (frozenset({"GET"}), re.compile(r"^(?P<resource>query|queryAll)$"), responses.query),
    (frozenset({"GET"}), re.compile(r"^(?P<resource>query|queryAll)/(?P<locator>[A-Za-z0-9]+-\d+)$"), responses.more),
    (frozenset({"GET"}), re.compile(r"^search$"), responses.search),
    (frozenset({"POST", "PATCH", "DELETE"}), re.compile(r"^composite/sobjects$"), responses.collections),
    (frozenset({"GET", "POST"}), re.compile(rf"^composite/sobjects/{_NAME}$"), responses.collection_retrieve),
    (
        frozenset({"PATCH"}),
        re.compile(rf"^composite/sobjects/{_NAME}/(?P<field>[A-Za-z][A-Za-z0-9_]*)$"),
        responses.collection_upsert,
    ),
    (frozenset({"POST"}), re.compile(r"^composite$"), responses.composite),
]


def dispatch(request: ApiRequest) -> ApiResponse:
    """Route an authenticated request to its handler and turn ApiErrors into Salesforce's error answers."""
    path = request.path.strip("/")
    for methods, pattern, handler in URLS:
        match = pattern.match(path)
        if match is None:
            continue
        if request.method not in methods:
            return responses.error_response(errors.method_not_allowed(request.method, sorted(methods)))
        try:
            return handler(request.with_match({k: v for k, v in match.groupdict().items() if v is not None}))
        except ApiError as error:
            return responses.error_response(error)
    return responses.error_response(errors.not_found())


def authenticate(org: SalesforceOrg, authorization: str | None) -> Caller:
    """The caller a bearer (or ``OAuth``) token stands for; 401 INVALID_SESSION_ID otherwise."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() not in ("bearer", "oauth") or not token.strip():
        raise errors.invalid_session()
    grant = org.state.tokens.resolve_access_token("salesforce", token.strip())
    caller = org.caller_for_email(grant.email) if grant is not None else None
    if caller is None:
        raise errors.invalid_session()
    return caller


def _http_response(answer: ApiResponse, extra_headers: Mapping[str, str] | None = None) -> Response:
    headers = {**answer.headers, **(extra_headers or {})}
    if answer.raw is not None:
        return Response(answer.raw, answer.status, headers, media_type=answer.media_type)
    if answer.body is None:
        return Response(status_code=answer.status, headers=headers)
    content = json.dumps(answer.body, ensure_ascii=False).encode()
    return Response(content, answer.status, headers, media_type=answer.media_type)


def _parse_body(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise errors.api_error(
            400, errors.JSON_PARSER_ERROR, f"Unexpected character in the request body: {error}"
        ) from None


router = APIRouter(tags=["Salesforce org"])


@router.get("/services/data", include_in_schema=False)
@router.get("/services/data/", summary="Versions: every REST API version the org serves (no token needed)")
async def list_versions() -> Response:
    """``GET /services/data/``."""
    return _http_response(ApiResponse(200, versions_json()))


@router.api_route("/services/data/v{version}", methods=_ALL_METHODS, include_in_schema=False)
# The vendor's own API is documented by Salesforce (and COVERAGE.md), not in the sandbox's OpenAPI.
@router.api_route("/services/data/v{version}/{path:path}", methods=_ALL_METHODS, include_in_schema=False)
async def rest_api(request: Request, version: str, path: str = "") -> Response:
    """Any ``/services/data/vXX.X/...`` call, answered as the org would."""
    org = request.app.state.sandbox.backend("salesforce", SalesforceOrg)
    try:
        caller = authenticate(org, request.headers.get("authorization"))
        if not is_supported(version):
            raise errors.not_found()
        org.housekeeping()
        now = org.now()
        maximum = org.settings.daily_api_requests
        if org.usage.used(now) >= maximum:
            raise errors.request_limit_exceeded()
        org.usage.record(now)
        body = _parse_body(await request.body())
    except ApiError as error:
        return _http_response(responses.error_response(error))
    api_request = ApiRequest(
        org=org,
        caller=caller,
        method=request.method.upper(),
        version=version,
        path=path,
        params=dict(request.query_params),
        body=body,
        headers={k.lower(): v for k, v in request.headers.items()},
        dispatch=dispatch,
    )
    answer = dispatch(api_request)
    usage = {"Sforce-Limit-Info": f"api-usage={org.usage.used(org.now())}/{maximum}"}
    return _http_response(answer, usage)
