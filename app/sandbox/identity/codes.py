"""Authorization requests waiting at the sign-in page, the codes they turn into, and users' consents.

Shared by the three identity providers: codes are single-use, short-lived (sandbox time), bound to the client and
the redirect URI they were issued for, and to the PKCE challenge when there was one.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from app.sandbox.clock import SandboxClock
from app.sandbox.identity.pkce import ChallengeMethod, verifier_matches
from app.sandbox.tokens import Provider

ResponseMode = Literal["query", "fragment", "form_post"]

#: How long a sign-in page stays usable.
PENDING_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True)
class AuthorizationRequest:
    """A validated request to an authorization endpoint."""

    provider: Provider
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: ChallengeMethod | None = None
    login_hint: str | None = None
    prompt: frozenset[str] = frozenset()
    response_mode: ResponseMode = "query"
    #: Vendor-specific parameters (Microsoft ``tenant``, Google ``access_type``), as (name, value) pairs.
    options: tuple[tuple[str, str], ...] = ()

    def option(self, name: str) -> str | None:
        """A vendor-specific parameter, if it was given."""
        return dict(self.options).get(name)


@dataclass
class AuthorizationCode:
    """An issued code: who signed in, to which request, and what was issued for it."""

    code: str
    request: AuthorizationRequest
    email: str
    expires_at: datetime
    #: Whether the user went through a consent screen granting something (Google then issues a refresh token).
    consent_shown: bool = True
    redeemed: bool = False
    #: Tokens issued when the code was redeemed; revoked if the code is presented again.
    issued_tokens: list[str] = field(default_factory=list)


class CodeProblem(enum.Enum):
    """Why a code could not be redeemed."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REUSED = "reused"
    CLIENT_MISMATCH = "client_mismatch"
    REDIRECT_MISMATCH = "redirect_mismatch"
    VERIFIER_MISSING = "verifier_missing"
    VERIFIER_MISMATCH = "verifier_mismatch"


class AuthorizationStore:
    """Pending sign-ins, issued codes and consents for every provider, on the sandbox clock."""

    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._pending: dict[str, tuple[AuthorizationRequest, datetime]] = {}
        self._codes: dict[str, AuthorizationCode] = {}
        self._consents: dict[tuple[Provider, str, str], set[str]] = {}

    def begin(self, request: AuthorizationRequest) -> str:
        """Park ``request`` while the user signs in; returns the id the sign-in form posts back."""
        request_id = secrets.token_urlsafe(24)
        self._pending[request_id] = (request, self._clock.now() + PENDING_LIFETIME)
        return request_id

    def pending(self, request_id: str) -> AuthorizationRequest | None:
        """The parked request, unless unknown or too old."""
        entry = self._pending.get(request_id)
        if entry is None or entry[1] <= self._clock.now():
            return None
        return entry[0]

    def finish(self, request_id: str) -> None:
        """Forget a parked request (the user allowed or denied it)."""
        self._pending.pop(request_id, None)

    def issue_code(
        self, request: AuthorizationRequest, email: str, lifetime: timedelta, *, consent_shown: bool = True
    ) -> str:
        """A new single-use code for ``email`` answering ``request``."""
        code = secrets.token_urlsafe(32)
        expires_at = self._clock.now() + lifetime
        self._codes[code] = AuthorizationCode(code, request, email.lower(), expires_at, consent_shown=consent_shown)
        return code

    def redeem(
        self, code: str, *, provider: Provider, client_id: str, redirect_uri: str | None, code_verifier: str | None
    ) -> tuple[AuthorizationCode | None, CodeProblem | None]:
        """Check and consume a code. Returns the code's record and, when it cannot be used, why.

        A code is used up by the first attempt of its own client, successful or not; presenting it again is
        ``REUSED`` (the caller then revokes what the first redemption issued, as RFC 6749 section 4.1.2 advises).
        """
        record = self._codes.get(code)
        if record is None or record.request.provider != provider:
            return None, CodeProblem.UNKNOWN
        problem = self._problem(record, client_id, redirect_uri, code_verifier)
        if problem not in (CodeProblem.CLIENT_MISMATCH, CodeProblem.REUSED):
            record.redeemed = True
        return record, problem

    def _problem(
        self, record: AuthorizationCode, client_id: str, redirect_uri: str | None, code_verifier: str | None
    ) -> CodeProblem | None:
        request = record.request
        challenge = request.code_challenge
        proven = challenge is None or (
            bool(code_verifier)
            and verifier_matches(challenge, request.code_challenge_method or "plain", code_verifier or "")
        )
        failures = (
            (request.client_id != client_id, CodeProblem.CLIENT_MISMATCH),
            (record.redeemed, CodeProblem.REUSED),
            (record.expires_at <= self._clock.now(), CodeProblem.EXPIRED),
            (redirect_uri != request.redirect_uri, CodeProblem.REDIRECT_MISMATCH),
            (challenge is not None and not code_verifier, CodeProblem.VERIFIER_MISSING),
            (not proven, CodeProblem.VERIFIER_MISMATCH),
        )
        return next((problem for failed, problem in failures if failed), None)

    def consented_scopes(self, provider: Provider, email: str, client_id: str) -> frozenset[str]:
        """The scopes ``email`` has granted ``client_id`` at ``provider`` so far."""
        return frozenset(self._consents.get((provider, email.lower(), client_id), ()))

    def add_consent(self, provider: Provider, email: str, client_id: str, scopes: tuple[str, ...]) -> None:
        """Remember that ``email`` granted ``scopes`` to ``client_id``."""
        self._consents.setdefault((provider, email.lower(), client_id), set()).update(scopes)

    def clear(self) -> None:
        """Forget pending sign-ins, codes and consents."""
        self._pending.clear()
        self._codes.clear()
        self._consents.clear()
