"""Small pieces the three identity providers share: request parsing, client credentials, responses, time."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.sandbox.calls import CALL_USER_SCOPE_KEY
from app.sandbox.deps import sandbox_state
from app.sandbox.hosts import host_of
from app.sandbox.identity.codes import AuthorizationCode, CodeProblem
from app.sandbox.middleware import route_path
from app.sandbox.state import SandboxState
from app.sandbox.tokens import Grant, Provider

#: Token responses must not be cached (RFC 6749 section 5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

_UNSAFE_REDIRECT_SCHEMES = frozenset({"javascript", "data", "vbscript", "file"})


def vendor_host(request: Request) -> str:
    """The vendor host a request was addressed to."""
    return host_of(route_path(request.scope))


def note_call_user(request: Request, email: str) -> None:
    """Name the user of a call that carries no bearer token, for the call log."""
    request.scope[CALL_USER_SCOPE_KEY] = email


async def request_params(request: Request) -> dict[str, str]:
    """Query parameters, overlaid with form fields when the body is a form (OAuth endpoints accept both)."""
    params = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params


def client_credentials(request: Request, params: Mapping[str, str]) -> tuple[str | None, str | None]:
    """``client_id`` and ``client_secret`` from HTTP Basic authentication (RFC 6749 section 2.3.1) or the body."""
    authorization = request.headers.get("authorization", "")
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        client_id, separator, secret = decoded.partition(":")
        if separator:
            return unquote(client_id) or None, unquote(secret) or None
    return params.get("client_id") or None, params.get("client_secret") or None


def bearer_token(request: Request, params: Mapping[str, str] | None = None) -> str | None:
    """The access token of a request: ``Authorization: Bearer``, or an ``access_token``/``oauth_token`` parameter."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    params = params if params is not None else request.query_params
    return params.get("access_token") or params.get("oauth_token") or None


def is_acceptable_redirect_uri(uri: str) -> bool:
    """An absolute URI without a fragment and with a scheme a browser may be sent to."""
    parts = urlsplit(uri)
    return (
        bool(parts.scheme)
        and parts.scheme.lower() not in _UNSAFE_REDIRECT_SCHEMES
        and not parts.fragment
        and (bool(parts.netloc) or parts.scheme.lower() not in ("http", "https"))
    )


def redirect_to_client(redirect_uri: str, params: Mapping[str, str | None], *, fragment: bool = False) -> Response:
    """A 302 to the client's redirect URI with ``params`` in its query (or fragment); None values are left out."""
    encoded = urlencode({key: value for key, value in params.items() if value is not None})
    if not encoded:
        return RedirectResponse(redirect_uri, status_code=302)
    if fragment:
        return RedirectResponse(f"{redirect_uri}#{encoded}", status_code=302)
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{encoded}", status_code=302)


def token_json(body: Mapping[str, Any], status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON token-endpoint response that no cache keeps."""
    return JSONResponse(dict(body), status_code=status_code, headers={**NO_STORE, **(headers or {})})


def epoch(moment: datetime) -> int:
    """Seconds since the Unix epoch, as JWT claims count time."""
    return int(moment.timestamp())


def scope_list(raw: str | None) -> tuple[str, ...]:
    """A space-separated scope parameter as a tuple, duplicates removed, order kept."""
    return tuple(dict.fromkeys((raw or "").split()))


def redeem_code(
    state: SandboxState, provider: Provider, client_id: str, params: Mapping[str, str]
) -> AuthorizationCode | CodeProblem:
    """Redeem the ``code`` of a token request (with its ``redirect_uri`` and ``code_verifier``); a code presented
    again has the tokens of its first redemption revoked."""
    record, problem = state.authorizations.redeem(
        params.get("code", ""),
        provider=provider,
        client_id=client_id,
        redirect_uri=params.get("redirect_uri"),
        code_verifier=params.get("code_verifier"),
    )
    if problem is CodeProblem.REUSED and record is not None:
        for token in record.issued_tokens:
            state.tokens.revoke(token)
    if problem is not None or record is None:
        return problem or CodeProblem.UNKNOWN
    return record


def refresh_grant(request: Request, provider: Provider, params: Mapping[str, str]) -> Grant | None:
    """The live grant of the request's ``refresh_token``; its user is named in the call log even when it is not."""
    state = sandbox_state(request)
    token = params.get("refresh_token", "")
    known = state.tokens.any_grant(token)
    if known is not None and known.provider == provider:
        note_call_user(request, known.email)
    return state.tokens.resolve_refresh_token(provider, token)
