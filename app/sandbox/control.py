"""The sandbox control API under ``/_sandbox``: users, tokens, faults, the call log, reset and the clock.

Handlers are ``async`` so that every change to the sandbox happens on the server's event loop.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status

from app.sandbox.calls import CallFilter
from app.sandbox.control_models import (
    AdvanceIn,
    CallOut,
    CallQuery,
    CallsOut,
    ClockOut,
    ErrorDocument,
    FaultIn,
    FaultOut,
    FaultsOut,
    RemovedOut,
    ResetIn,
    ResetOut,
    RevokeIn,
    RevokeOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UsersOut,
)
from app.sandbox.deps import sandbox_state
from app.sandbox.directory import SandboxUser
from app.sandbox.errors import CONTROL_PREFIX, ControlError
from app.sandbox.faults import FaultSpec
from app.sandbox.hosts import HOST_PROVIDERS, SALESFORCE_INSTANCE_HOST, host_of
from app.sandbox.state import SandboxState
from app.sandbox.tokens import ACCESS_TOKEN_LIFETIME, Provider

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDocument, "description": "No such user or rule"},
    409: {"model": ErrorDocument, "description": "Conflicts with the sandbox's state"},
    422: {"model": ErrorDocument, "description": "Invalid input"},
}

router = APIRouter(prefix=CONTROL_PREFIX, tags=["sandbox control"], responses={422: _ERRORS[422]})


def _user(state: SandboxState, email: str) -> SandboxUser:
    user = state.directory.get(email)
    if user is None:
        raise ControlError(404, "unknown_user", f"No sandbox user has the address {email}.")
    return user


@router.get("/users", summary="List the sandbox users")
async def list_users(request: Request) -> UsersOut:
    """Every sandbox user, with their id at each vendor."""
    users = [UserOut.of(user) for user in sandbox_state(request).directory]
    return UsersOut(users=users, count=len(users))


@router.post(
    "/users", status_code=status.HTTP_201_CREATED, summary="Create a sandbox user", responses={409: _ERRORS[409]}
)
async def create_user(request: Request, body: UserIn) -> UserOut:
    """A new user, created at every vendor (an org User when a Salesforce user, an empty mailbox)."""
    state = sandbox_state(request)
    if state.directory.get(body.email) is not None:
        raise ControlError(409, "user_exists", f"A sandbox user with the address {body.email} already exists.")
    user = SandboxUser(body.email, body.name, body.mail_provider, body.salesforce_user, body.salesforce_profile)
    return UserOut.of(state.add_user(user))


@router.post(
    "/token",
    summary="Mint an access token",
    response_model=TokenOut,
    response_model_exclude_none=True,
    responses={404: _ERRORS[404]},
)
async def mint_token(request: Request, body: TokenIn) -> TokenOut:
    """An access token for ``user`` that ``provider``'s emulated API accepts, without going through sign-in.

    The token carries no scope restriction. Salesforce tokens come with the org's ``instance_url``
    (``https://sandbox.my.salesforce.com``: clients reach it through the rebasing transport).
    """
    state = sandbox_state(request)
    user = _user(state, body.user)
    if body.provider == "salesforce" and not user.salesforce_user:
        raise ControlError(422, "not_a_salesforce_user", f"{user.email} is not a Salesforce user.")
    if body.provider not in ("salesforce", user.mail_provider):
        raise ControlError(
            422, "wrong_mail_provider", f"{user.email} has a {user.mail_provider} mailbox, not a {body.provider} one."
        )
    return TokenOut(
        access_token=state.tokens.issue_access_token(body.provider, user.email),
        expires_in=int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        instance_url=f"https://{SALESFORCE_INSTANCE_HOST}" if body.provider == "salesforce" else None,
    )


@router.post("/tokens/revoke", summary="Revoke a user's tokens at one vendor", responses={404: _ERRORS[404]})
async def revoke_tokens(request: Request, body: RevokeIn) -> RevokeOut:
    """Revoke every access and refresh token of the user at the vendor, as a password reset or an admin would."""
    state = sandbox_state(request)
    user = _user(state, body.user)
    revoked = state.tokens.revoke_user(body.provider, user.email)
    return RevokeOut(provider=body.provider, user=user.email, revoked=revoked)


def _check_fault_target(provider: Provider | None, path: str) -> None:
    host = host_of(path) if path.startswith("/") else ""
    if not host or set("*?[").intersection(host):
        return
    host_provider = HOST_PROVIDERS.get(host)
    if host_provider is None:
        raise ControlError(422, "unknown_host", f"{host} is not a vendor host the sandbox serves.")
    if provider is not None and provider != host_provider:
        raise ControlError(422, "provider_mismatch", f"{host} belongs to {host_provider}, not {provider}.")


@router.post("/faults", status_code=status.HTTP_201_CREATED, summary="Add a fault rule")
async def add_fault(request: Request, body: FaultIn) -> FaultOut:
    """Make matching vendor calls fail (or wait) before the emulator handles them.

    Without ``body`` the answer is the vendor's own error document for ``status`` (``code`` and ``message`` adjust
    it). With ``times`` the rule fires on the next N matching calls; with ``probability`` on that share of them.
    """
    _check_fault_target(body.provider, body.path)
    if body.status is None and body.delay_seconds <= 0:
        raise ControlError(422, "no_effect", "A fault rule needs a status, a delay, or both.")
    headers = dict(body.headers)
    if body.retry_after is not None:
        headers["Retry-After"] = str(body.retry_after)
    spec = FaultSpec(
        provider=body.provider,
        method=body.method,
        path=body.path,
        status=body.status,
        code=body.code,
        message=body.message,
        body=body.body,
        headers=tuple(headers.items()),
        delay_seconds=body.delay_seconds,
        times=body.times,
        probability=body.probability,
        seed=body.seed,
    )
    return FaultOut.of(sandbox_state(request).faults.add(spec))


@router.get("/faults", summary="List the fault rules")
async def list_faults(request: Request) -> FaultsOut:
    """The rules in the order they are tried, with their counters."""
    faults = [FaultOut.of(rule) for rule in sandbox_state(request).faults.rules()]
    return FaultsOut(faults=faults, count=len(faults))


@router.delete("/faults", summary="Remove every fault rule")
async def clear_faults(request: Request) -> RemovedOut:
    """Vendor calls go straight to the emulators again."""
    return RemovedOut(removed=sandbox_state(request).faults.clear())


@router.delete("/faults/{fault_id}", summary="Remove one fault rule", responses={404: _ERRORS[404]})
async def remove_fault(request: Request, fault_id: str) -> RemovedOut:
    """Remove the rule with this id."""
    if not sandbox_state(request).faults.remove(fault_id):
        raise ControlError(404, "unknown_fault", f"There is no fault rule {fault_id}.")
    return RemovedOut(removed=1)


@router.get("/calls", summary="Read the call log")
async def list_calls(request: Request, query: Annotated[CallQuery, Query()]) -> CallsOut:
    """Every vendor call since the last reset or clear that matches all the given filters, oldest first."""
    since = query.since
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    where = CallFilter(
        provider=query.provider,
        user=query.user,
        method=query.method,
        path=query.path,
        status=query.status,
        since=since,
        after_id=query.after_id,
        injected=query.injected,
    )
    log = sandbox_state(request).calls
    calls = [CallOut.of(call) for call in log.calls(where)]
    return CallsOut(calls=calls, count=len(calls), last_id=log.last_id)


@router.delete("/calls", summary="Clear the call log")
async def clear_calls(request: Request) -> RemovedOut:
    """Forget every recorded call (ids keep increasing)."""
    return RemovedOut(removed=sandbox_state(request).calls.clear())


@router.post("/reset", summary="Reset and reseed the sandbox")
async def reset(request: Request, body: ResetIn | None = None) -> ResetOut:
    """Empty every vendor, the tokens, faults and call log, then fill it with ``seed`` (default ``demo``)."""
    from app.sandbox.app import reset_sandbox  # the app module imports this one

    body = body or ResetIn()
    state = sandbox_state(request)
    reset_sandbox(state, body.seed)
    return ResetOut(seed=body.seed, users=len(state.directory))


def _clock(state: SandboxState) -> ClockOut:
    return ClockOut(now=state.clock.now(), offset_seconds=state.clock.offset.total_seconds())


@router.get("/clock", summary="Read the sandbox clock")
async def read_clock(request: Request) -> ClockOut:
    """The sandbox's time: real time plus however far it was advanced."""
    return _clock(sandbox_state(request))


@router.post("/clock/advance", summary="Move the sandbox clock forward")
async def advance_clock(request: Request, body: AdvanceIn) -> ClockOut:
    """Tokens expire, codes lapse and vendor windows (Recycle Bin, updated/deleted) move by sandbox time.

    Backends that keep time-dependent state are told through their optional ``clock_advanced(now)`` method.
    """
    state = sandbox_state(request)
    now = state.clock.advance(timedelta(seconds=body.seconds))
    for backend in state.backends.values():
        notify = getattr(backend, "clock_advanced", None)
        if callable(notify):
            notify(now)
    return _clock(state)
