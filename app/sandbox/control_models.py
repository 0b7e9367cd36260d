"""Request and response documents of the sandbox control API (they are its OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from app.sandbox.calls import CallRecord
from app.sandbox.directory import MailProvider, SandboxUser
from app.sandbox.faults import FaultRule
from app.sandbox.tokens import Provider

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    """What went wrong."""

    code: str = Field(examples=["unknown_user"])
    message: str = Field(examples=["No sandbox user has the address nobody@example.com."])


class ErrorDocument(BaseModel):
    """Every control API error."""

    error: ErrorDetail


class UserIn(_Input):
    """A sandbox user to create."""

    email: Email = Field(examples=["casey.nguyen@example.com"])
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=121)] = Field(
        examples=["Casey Nguyen"]
    )
    mail_provider: MailProvider = Field(description="Whose mailbox the user has: `microsoft` or `google`.")
    salesforce_user: bool = Field(default=True, description="Whether the user is a user of the Salesforce org.")
    salesforce_profile: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] = (
        "Standard User"
    )


class UserOut(BaseModel):
    """A sandbox user and their id at each vendor."""

    email: str
    name: str
    mail_provider: MailProvider
    salesforce_user: bool
    salesforce_profile: str
    salesforce_id: str | None = Field(description="The org's User id; null until the org has created the user.")
    microsoft_id: str
    google_id: str

    @classmethod
    def of(cls, user: SandboxUser) -> UserOut:
        """The document for ``user``."""
        return cls(
            email=user.email,
            name=user.name,
            mail_provider=user.mail_provider,
            salesforce_user=user.salesforce_user,
            salesforce_profile=user.salesforce_profile,
            salesforce_id=user.salesforce_id,
            microsoft_id=user.microsoft_id,
            google_id=user.google_id,
        )


class UsersOut(BaseModel):
    """The sandbox's users."""

    users: list[UserOut]
    count: int


class TokenIn(_Input):
    """Whose token, for which vendor."""

    provider: Provider
    user: Email


class TokenOut(BaseModel):
    """An access token the vendor's emulated API accepts for the user (with every permission)."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds of sandbox time until the token expires.")
    instance_url: str | None = Field(
        default=None, description="Salesforce only: the org's instance URL (map it to the sandbox at the transport)."
    )


class RevokeIn(_Input):
    """Revoke all of a user's tokens at one vendor."""

    provider: Provider
    user: Email


class RevokeOut(BaseModel):
    """How many tokens were revoked."""

    provider: Provider
    user: str
    revoked: int


class FaultIn(_Input):
    """A fault rule: which calls it matches and how it answers them."""

    provider: Provider | None = Field(default=None, description="Only this vendor's calls (default: any).")
    method: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^(\*|[A-Z]+)$")] = Field(
        default="*", description="An HTTP method, or `*` for any."
    )
    path: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[/*]")] = Field(
        default="*",
        description="A glob on the vendor path, host included: `/graph.microsoft.com/v1.0/me/contacts*`.",
        examples=["/sandbox.my.salesforce.com/services/data/*/query*"],
    )
    status: int | None = Field(
        default=None, ge=400, le=599, description="Status to answer with; omit to only delay matching calls."
    )
    code: str | None = Field(
        default=None,
        description="The vendor's error code in its default body: Salesforce errorCode, Graph code, Google reason.",
        examples=["REQUEST_LIMIT_EXCEEDED", "TooManyRequests", "rateLimitExceeded"],
    )
    message: str | None = Field(default=None, description="The message in the default body.")
    body: JsonValue = Field(default=None, description="A JSON body to send instead of the vendor's error body.")
    headers: dict[str, str] = Field(default_factory=dict, description="Response headers to add.")
    retry_after: int | None = Field(default=None, ge=0, description="Seconds for a `Retry-After` header.")
    delay_seconds: float = Field(default=0.0, ge=0, le=30, description="Wait this long before answering.")
    times: int | None = Field(default=None, ge=1, description="Fire on the next N matching calls only.")
    probability: float | None = Field(default=None, gt=0, le=1, description="Fire with this probability per call.")
    seed: int | None = Field(default=None, description="Seed of the rule's random generator (with `probability`).")


class FaultOut(BaseModel):
    """A registered fault rule and its counters."""

    id: str
    provider: Provider | None
    method: str
    path: str
    status: int | None
    code: str | None
    message: str | None
    body: JsonValue
    headers: dict[str, str]
    delay_seconds: float
    times: int | None
    probability: float | None
    seed: int | None
    matched: int = Field(description="Matching calls seen so far.")
    fired: int = Field(description="Calls this rule answered (or delayed).")
    remaining: int | None = Field(description="How many more times it fires; null for no limit.")

    @classmethod
    def of(cls, rule: FaultRule) -> FaultOut:
        """The document for ``rule``."""
        spec = rule.spec
        return cls(
            id=rule.id,
            provider=spec.provider,
            method=spec.method,
            path=spec.path,
            status=spec.status,
            code=spec.code,
            message=spec.message,
            body=spec.body,
            headers=dict(spec.headers),
            delay_seconds=spec.delay_seconds,
            times=spec.times,
            probability=spec.probability,
            seed=spec.seed,
            matched=rule.matched,
            fired=rule.fired,
            remaining=rule.remaining,
        )


class FaultsOut(BaseModel):
    """The fault rules, in the order they are tried."""

    faults: list[FaultOut]
    count: int


class RemovedOut(BaseModel):
    """How many things were removed."""

    removed: int


class CallOut(BaseModel):
    """One vendor call."""

    id: int
    time: datetime = Field(description="Sandbox time at which the call arrived.")
    provider: Provider
    user: str | None
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    injected: bool
    fault_id: str | None

    @classmethod
    def of(cls, call: CallRecord) -> CallOut:
        """The document for ``call``."""
        return cls(
            id=call.id,
            time=call.time,
            provider=call.provider,
            user=call.user,
            method=call.method,
            path=call.path,
            query=call.query,
            status=call.status,
            duration_ms=call.duration_ms,
            injected=call.injected,
            fault_id=call.fault_id,
        )


class CallQuery(_Input):
    """Filters of the call log; every one given must match."""

    provider: Provider | None = None
    user: str | None = Field(default=None, description="The user's address.")
    method: str | None = None
    path: str | None = Field(default=None, description="A substring of the vendor path, or a glob (`*`, `?`, `[`).")
    status: int | None = Field(default=None, ge=100, le=599)
    since: datetime | None = Field(default=None, description="Calls at or after this sandbox time (ISO 8601).")
    after_id: int | None = Field(default=None, ge=0, description="Calls whose id is greater than this.")
    injected: bool | None = Field(default=None, description="Only calls a fault rule answered (or only others).")


class CallsOut(BaseModel):
    """The calls that match the filter, oldest first."""

    calls: list[CallOut]
    count: int
    last_id: int = Field(description="Id of the newest call in the log; pass it as `after_id` to count what follows.")


class ResetIn(_Input):
    """How to refill the sandbox."""

    seed: Literal["empty", "demo"] | Annotated[int, Field(ge=1, le=100_000)] = Field(
        default="demo",
        description="`empty`, the deterministic `demo` data, or N generated records per type (benchmarks).",
    )


class ResetOut(BaseModel):
    """The sandbox after the reset."""

    seed: Literal["empty", "demo"] | int
    users: int


class ClockOut(BaseModel):
    """The sandbox clock."""

    now: datetime
    offset_seconds: float = Field(description="How far the sandbox runs ahead of real time.")


class AdvanceIn(_Input):
    """How far to move the sandbox clock."""

    seconds: float = Field(gt=0, le=10 * 366 * 86400, examples=[3600])
