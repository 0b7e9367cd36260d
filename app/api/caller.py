"""Who calls a JSON route that both the sidebar and crmbridge's own pages use.

Two ways in: a bearer token (as for the sidebar API, :mod:`app.api.bearer_auth`), or the web session cookie of a
signed-in page. A request with an ``Authorization`` header is judged by its token alone. A request that relies on
the cookie must, for anything but GET and HEAD, carry the session's CSRF token in the ``X-CSRF-Token`` header: a
browser attaches cookies to requests other sites make, never that header.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from starlette.exceptions import HTTPException

from app.api.bearer_auth import api_identity, api_user, bearer_scheme
from app.api.deps import DbSession
from app.api.web_auth import CSRF_HEADER, optional_user
from app.errors import CsrfFailed, Forbidden
from app.models import Role, User

#: Methods that change nothing, so need no CSRF token.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    """The user behind a request and how they proved it."""

    user: User
    via: Literal["bearer", "session"]


def api_caller(
    request: Request,
    db: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Caller:
    """Dependency: the caller, by bearer token or by session cookie (with the CSRF header on changes); 401 (with a
    ``WWW-Authenticate: Bearer`` challenge) when neither is there, 403 when the CSRF header is missing or wrong."""
    if request.headers.get("authorization") is not None:
        identity = api_identity(request, credentials)
        return Caller(api_user(request, db, identity), "bearer")
    user = optional_user(request, db)
    if user is None:
        raise HTTPException(
            401,
            detail="Sign in to crmbridge, or send an access token in the Authorization header (Bearer ...).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.method not in SAFE_METHODS:
        expected = request.state.csrf_token
        presented = request.headers.get(CSRF_HEADER)
        if not expected or not presented or not hmac.compare_digest(presented, expected):
            raise CsrfFailed(
                "This request relies on your crmbridge session, so it must carry the page's CSRF token in the "
                "X-CSRF-Token header. Reload the page and try again."
            )
    return Caller(user, "session")


def admin_caller(caller: Annotated[Caller, Depends(api_caller)]) -> Caller:
    """Dependency: the caller, who must be a crmbridge admin (403 otherwise)."""
    if caller.user.role is not Role.ADMIN:
        raise Forbidden("Only crmbridge administrators may do this.")
    return caller


ApiCaller = Annotated[Caller, Depends(api_caller)]
AdminCaller = Annotated[Caller, Depends(admin_caller)]
