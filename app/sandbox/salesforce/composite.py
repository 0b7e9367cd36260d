"""The Composite resource: up to 25 subrequests in one call, in order, with ``@{referenceId.path}`` references.

A reference names an earlier subrequest's response and a path into its JSON body (``@{NewAccount.id}``,
``@{Query.records[0].Id}``); a URL that is one reference (``@{Query.nextRecordsUrl}``) is that URL, which is how
one call pages on through a query's results (a query that was done leaves nothing to reference). With
``allOrNone`` true, a failed subrequest rolls everything back and every other subrequest answers 400
PROCESSING_HALTED; with false, only subrequests that reference a failed one fail.
``collateSubrequests`` changes nothing here: subrequests always run in the order given. The whole call counts as
one API request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce.exceptions import ApiError, ErrorItem
from app.sandbox.salesforce.rest import ApiRequest, ApiResponse
from app.sandbox.salesforce.versions import is_supported

MAX_SUBREQUESTS = 25
_REFERENCE = re.compile(r"@\{([^}]*)\}")
_REFERENCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]*$")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_URL = re.compile(r"^/services/data/v(\d+\.\d)/(.*)$")
HALTED_MESSAGE = "The transaction was rolled back since another operation in the same transaction failed."


class UnresolvedReference(Exception):
    """A reference to a value that does not exist."""

    def __init__(self, expression: str, reference_id: str) -> None:
        super().__init__(expression)
        self.expression = expression
        self.reference_id = reference_id


def execute(request: ApiRequest) -> ApiResponse:
    """Run a composite request; the answer is always 200 with a ``compositeResponse`` per subrequest."""
    body = request.json_object()
    subrequests = body.get("compositeRequest")
    if not isinstance(subrequests, list) or not subrequests:
        raise errors.api_error(400, errors.INVALID_INPUT, "compositeRequest must be a non-empty list of subrequests")
    if len(subrequests) > MAX_SUBREQUESTS:
        raise errors.api_error(
            400,
            errors.LIMIT_EXCEEDED,
            f"Limit Exceeded: a composite request can't have more than {MAX_SUBREQUESTS} subrequests",
        )
    _check_subrequests(subrequests)
    all_or_none = bool(body.get("allOrNone", False))
    org = request.org
    outer = org.begin()
    results: dict[str, ApiResponse] = {}
    responses: list[tuple[str, ApiResponse]] = []
    failed_at: int | None = None
    for index, sub in enumerate(subrequests):
        reference_id = sub["referenceId"]
        if all_or_none and failed_at is not None:
            responses.append((reference_id, _halted(HALTED_MESSAGE)))
            continue
        try:
            response = _run(request, sub, results, all_or_none)
        except UnresolvedReference as missing:
            response = _halted(
                f"Invalid reference specified. No value for {missing.expression} found in {missing.reference_id}. "
                f"Provided referenceId ('{missing.reference_id}') must start with a letter or a number, and it can "
                "contain only letters, numbers and underscores ('_')."
            )
        results[reference_id] = response
        responses.append((reference_id, response))
        if response.status >= 400 and failed_at is None:
            failed_at = index
    if all_or_none and failed_at is not None:
        org.rollback(outer)
        responses = [
            (ref, response if index == failed_at else _halted(HALTED_MESSAGE))
            for index, (ref, response) in enumerate(responses)
        ]
    else:
        org.release(outer)
    return ApiResponse(
        200,
        {
            "compositeResponse": [
                {
                    "body": response.body,
                    "httpHeaders": response.headers,
                    "httpStatusCode": response.status,
                    "referenceId": ref,
                }
                for ref, response in responses
            ]
        },
    )


def _check_subrequests(subrequests: list[Any]) -> None:
    seen: set[str] = set()
    for sub in subrequests:
        if not isinstance(sub, Mapping) or not all(
            isinstance(sub.get(k), str) for k in ("method", "url", "referenceId")
        ):
            raise errors.api_error(400, errors.INVALID_INPUT, "Each subrequest needs a method, a url and a referenceId")
        reference_id = sub["referenceId"]
        if not _REFERENCE_ID.match(reference_id):
            raise errors.api_error(
                400,
                errors.INVALID_INPUT,
                f"Provided referenceId ('{reference_id}') must start with a letter or a number, and it can contain "
                "only letters, numbers and underscores ('_').",
            )
        if reference_id in seen:
            raise errors.api_error(
                400, errors.INVALID_INPUT, f"Duplicate referenceId provided in the request: {reference_id}"
            )
        seen.add(reference_id)


def _run(
    request: ApiRequest, sub: Mapping[str, Any], results: Mapping[str, ApiResponse], all_or_none: bool
) -> ApiResponse:
    url = _url_of(sub["url"], results)
    body = _substitute(sub.get("body"), results)
    match = _URL.match(urlsplit(url).path)
    if match is None or not is_supported(match[1]):
        return _error(errors.not_found())
    path = match[2].rstrip("/")
    if path == "composite":
        return _error(
            errors.api_error(400, errors.INVALID_INPUT, "A composite request can't contain a composite request")
        )
    headers = {k.lower(): str(v) for k, v in (sub.get("httpHeaders") or {}).items()}
    sub_request = replace(
        request,
        method=str(sub["method"]).upper(),
        version=match[1],
        path=path,
        params=dict(parse_qsl(urlsplit(url).query)),
        body=body,
        headers={**request.headers, **headers},
        match={},
        forced_all_or_none=all_or_none,
    )
    assert request.dispatch is not None
    mark = request.org.begin()
    response = request.dispatch(sub_request)
    if response.status >= 400:
        request.org.rollback(mark)
    else:
        request.org.release(mark)
    return response


def _url_of(text: str, results: Mapping[str, ApiResponse]) -> str:
    """The subrequest's URL. One that is a single reference (``@{Query.nextRecordsUrl}``, the next batch of an
    earlier query) stands for the referenced URL itself; references inside a URL stand for values, percent-encoded."""
    whole = _REFERENCE.fullmatch(text)
    if whole is None:
        return _substitute_text(text, results, encode=True)
    resolved = _resolve(whole[1], results)
    if not isinstance(resolved, str) or not resolved:
        raise UnresolvedReference(whole[1], whole[1].partition(".")[0].partition("[")[0])
    return resolved


def _halted(message: str) -> ApiResponse:
    return ApiResponse(400, [ErrorItem(errors.PROCESSING_HALTED, message).as_json()])


def _error(error: ApiError) -> ApiResponse:
    return ApiResponse(error.status, error.as_json())


def _substitute(value: Any, results: Mapping[str, ApiResponse]) -> Any:
    if isinstance(value, str):
        whole = _REFERENCE.fullmatch(value)
        if whole:
            return _resolve(whole[1], results)
        return _substitute_text(value, results, encode=False)
    if isinstance(value, list):
        return [_substitute(item, results) for item in value]
    if isinstance(value, Mapping):
        return {key: _substitute(item, results) for key, item in value.items()}
    return value


def _substitute_text(text: str, results: Mapping[str, ApiResponse], *, encode: bool) -> str:
    def replace_one(match: re.Match[str]) -> str:
        resolved = _resolve(match[1], results)
        rendered = "" if resolved is None else str(resolved).lower() if isinstance(resolved, bool) else str(resolved)
        return quote(rendered, safe="") if encode else rendered

    return _REFERENCE.sub(replace_one, text)


def _resolve(expression: str, results: Mapping[str, ApiResponse]) -> Any:
    reference_id, _, path = expression.partition(".")
    reference_id, bracket, rest = reference_id.partition("[")
    if bracket:
        path = "[" + rest + ("." + path if path else "")
    response = results.get(reference_id)
    if response is None or response.status >= 400:
        raise UnresolvedReference(expression, reference_id)
    value: Any = response.body
    for name, index in _PATH_PART.findall(path):
        if name:
            if not isinstance(value, Mapping) or name not in value:
                raise UnresolvedReference(expression, reference_id)
            value = value[name]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                raise UnresolvedReference(expression, reference_id)
            value = value[int(index)]
    return value
