"""The request and response of one REST call, independent of the HTTP server (composite subrequests use them)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from app.sandbox.salesforce.duplicates import DuplicateRuleHeader
from app.sandbox.salesforce.sharing import Caller

if TYPE_CHECKING:
    from app.sandbox.salesforce.models import SalesforceOrg

JSON_MEDIA_TYPE = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class ApiRequest:
    """A call to ``/services/data/vXX.X/{path}`` by an authenticated caller."""

    org: SalesforceOrg
    caller: Caller
    method: str
    version: str
    #: The path after ``/services/data/vXX.X/``, without a trailing slash.
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    #: Request headers, lower-case names.
    headers: Mapping[str, str] = field(default_factory=dict)
    #: The URL pattern's named groups, filled in by the router.
    match: Mapping[str, str] = field(default_factory=dict)
    #: Runs another request (how composite executes its subrequests).
    dispatch: Callable[[ApiRequest], ApiResponse] | None = None
    #: Set inside a composite request whose allOrNone is true: it overrides the subrequests' own.
    forced_all_or_none: bool = False

    def with_match(self, match: Mapping[str, str]) -> ApiRequest:
        """This request with the router's path parameters."""
        return replace(self, match=dict(match))

    @property
    def duplicate_header(self) -> DuplicateRuleHeader:
        """The ``Sforce-Duplicate-Rule-Header`` options."""
        return DuplicateRuleHeader.parse(self.headers.get("sforce-duplicate-rule-header"))

    def json_object(self) -> Mapping[str, Any]:
        """The body, which must be a JSON object."""
        from app.sandbox.salesforce.exceptions import JSON_PARSER_ERROR, api_error

        if not isinstance(self.body, Mapping):
            raise api_error(400, JSON_PARSER_ERROR, "The request body must be a JSON object")
        return self.body


@dataclass
class ApiResponse:
    """An answer: status, JSON body (None for no body) or raw bytes, headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    media_type: str = JSON_MEDIA_TYPE


Handler = Callable[[ApiRequest], ApiResponse]
