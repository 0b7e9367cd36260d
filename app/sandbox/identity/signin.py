"""The authorization endpoint's interactive part, shared by the three providers.

GET shows the sign-in page for a validated request; the page posts back the chosen account and the decision;
the answer goes to the client's redirect URI: a code (and ``state``) or an OAuth error. ``prompt=none`` skips the
page where the provider allows it, signing in the ``login_hint`` user if that needs no interaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response

from app.sandbox.deps import sandbox_state
from app.sandbox.directory import SandboxUser
from app.sandbox.identity.codes import AuthorizationRequest
from app.sandbox.identity.common import note_call_user, redirect_to_client, request_params
from app.sandbox.identity.pages import error_page, form_post_page, sign_in_page
from app.sandbox.identity.pkce import ChallengeMethod
from app.sandbox.state import SandboxState
from app.sandbox.tokens import Provider


class AuthorizeError(Exception):
    """An authorization request the provider refuses: shown on its own page, or sent to the redirect URI."""

    def __init__(self, error: str, description: str, *, to_client: bool) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.to_client = to_client


@dataclass(frozen=True)
class ProviderProfile:
    """How one provider's sign-in differs from the others'."""

    provider: Provider
    #: Name on the page: "Salesforce", "Microsoft", "Google".
    vendor: str
    code_lifetime: timedelta
    #: Why ``user`` cannot sign in here (None: they can). Users who can are listed on the page.
    refuse: Callable[[SandboxUser], str | None]
    #: True: a refused account ends the flow with an ``access_denied`` error at the client (Salesforce);
    #: False: the page is shown again with the reason, so that another account can be chosen.
    refusal_goes_to_client: bool
    #: ``error_description`` when the user cancels.
    denied_description: str
    #: Whether ``prompt=none`` is honoured (Salesforce ignores it).
    supports_prompt_none: bool = True
    #: Extra parameters of a successful redirect, from the request and whether a consent screen was shown.
    success_extras: Callable[[AuthorizationRequest, bool], Mapping[str, str | None]] = lambda _request, _shown: {}


def _send(redirect_uri: str, response_mode: str, fields: Mapping[str, str | None]) -> Response:
    if response_mode == "form_post":
        return form_post_page(redirect_uri, fields)
    return redirect_to_client(redirect_uri, fields, fragment=response_mode == "fragment")


def _respond(request: AuthorizationRequest, params: Mapping[str, str | None]) -> Response:
    return _send(request.redirect_uri, request.response_mode, {**params, "state": request.state})


def error_response(profile: ProviderProfile, error: AuthorizeError, params: Mapping[str, str]) -> Response:
    """Answer a refused authorization request (``params`` as received): at the client's redirect URI when the
    error goes there, else on the provider's error page."""
    redirect_uri = params.get("redirect_uri")
    if error.to_client and redirect_uri:
        mode = params.get("response_mode", "query")
        fields = {"error": error.error, "error_description": error.description, "state": params.get("state")}
        return _send(redirect_uri, mode if mode in ("fragment", "form_post") else "query", fields)
    return error_page(profile.vendor, error.error, error.description)


def _accounts(state: SandboxState, profile: ProviderProfile) -> list[SandboxUser]:
    return [user for user in state.directory if profile.refuse(user) is None]


def _issue(state: SandboxState, profile: ProviderProfile, request: AuthorizationRequest, user: SandboxUser) -> Response:
    previously = state.authorizations.consented_scopes(profile.provider, user.email, request.client_id)
    consent_shown = "consent" in request.prompt or not set(request.scopes) <= previously
    state.authorizations.add_consent(profile.provider, user.email, request.client_id, request.scopes)
    code = state.authorizations.issue_code(request, user.email, profile.code_lifetime, consent_shown=consent_shown)
    return _respond(request, {"code": code, **profile.success_extras(request, consent_shown)})


def _page(
    http_request: Request,
    state: SandboxState,
    profile: ProviderProfile,
    request: AuthorizationRequest,
    request_id: str,
    *,
    selected: str | None = None,
    other_address: str = "",
    error: str | None = None,
) -> Response:
    accounts = _accounts(state, profile)
    if selected is None:
        hint = (request.login_hint or "").strip().lower()
        listed = {user.email for user in accounts}
        if hint and hint not in listed:
            selected, other_address = "other", hint
        else:
            selected = hint or (accounts[0].email if accounts else "other")
    return sign_in_page(
        vendor=profile.vendor,
        action=http_request.url.path,
        request_id=request_id,
        client_id=request.client_id,
        scopes=request.scopes,
        users=accounts,
        selected=selected,
        other_address=other_address,
        error=error,
    )


def start(http_request: Request, profile: ProviderProfile, request: AuthorizationRequest) -> Response:
    """Answer a valid authorization request: the sign-in page, or a silent answer for ``prompt=none``."""
    state = sandbox_state(http_request)
    if "none" in request.prompt and profile.supports_prompt_none:
        return _silent(state, profile, request)
    request_id = state.authorizations.begin(request)
    return _page(http_request, state, profile, request, request_id)


def _silent(state: SandboxState, profile: ProviderProfile, request: AuthorizationRequest) -> Response:
    user = state.directory.get(request.login_hint or "")
    if user is None or profile.refuse(user) is not None:
        return _respond(
            request, {"error": "login_required", "error_description": "No signed-in user matches the request."}
        )
    previously = state.authorizations.consented_scopes(profile.provider, user.email, request.client_id)
    if not set(request.scopes) <= previously:
        return _respond(
            request,
            {"error": "consent_required", "error_description": "The user has not granted these scopes to the app."},
        )
    return _issue(state, profile, request, user)


async def authorize(
    http_request: Request, profile: ProviderProfile, parse: Callable[[Mapping[str, str]], AuthorizationRequest]
) -> Response:
    """The whole authorization endpoint: a new request (GET, or POST of its parameters) is checked by ``parse``
    and answered by :func:`start`; a POST of the sign-in form is answered by :func:`complete`."""
    params = await request_params(http_request)
    if http_request.method == "POST" and "request_id" in params:
        return complete(http_request, profile, params)
    try:
        request = parse(params)
    except AuthorizeError as error:
        return error_response(profile, error, params)
    return start(http_request, profile, request)


def complete(http_request: Request, profile: ProviderProfile, form: Mapping[str, str]) -> Response:
    """Handle the sign-in form: the chosen account and Allow or Cancel."""
    state = sandbox_state(http_request)
    request_id = form.get("request_id", "")
    request = state.authorizations.pending(request_id)
    if request is None:
        return error_page(
            profile.vendor,
            "invalid_request",
            "This sign-in request is unknown or has expired. Start again from the application.",
        )
    if form.get("decision", "allow") == "deny":
        state.authorizations.finish(request_id)
        return _respond(request, {"error": "access_denied", "error_description": profile.denied_description})

    account = form.get("account", "")
    other_address = form.get("other_address", "").strip()
    address = other_address if account in ("", "other") else account
    user = state.directory.get(address) if address else None
    if user is None:
        message = (
            f"There is no sandbox account with the address {address}." if address else "Choose an account to continue."
        )
        return _page(
            http_request, state, profile, request, request_id, selected="other", other_address=address, error=message
        )
    note_call_user(http_request, user.email)
    refusal = profile.refuse(user)
    if refusal is not None:
        if profile.refusal_goes_to_client:
            state.authorizations.finish(request_id)
            return _respond(request, {"error": "access_denied", "error_description": refusal})
        return _page(
            http_request, state, profile, request, request_id, selected="other", other_address=address, error=refusal
        )
    state.authorizations.finish(request_id)
    return _issue(state, profile, request, user)


def pkce_parameters(
    params: Mapping[str, str], *, methods: frozenset[str], default_method: ChallengeMethod
) -> tuple[str | None, ChallengeMethod | None]:
    """``code_challenge`` and its method from an authorization request; unsupported methods are refused."""
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or None
    if challenge is None:
        if method is not None:
            raise AuthorizeError(
                "invalid_request", "code_challenge_method given without code_challenge", to_client=True
            )
        return None, None
    method = method or default_method
    if method not in methods:
        raise AuthorizeError("invalid_request", f"Unsupported code_challenge_method: {method}", to_client=True)
    return challenge, "S256" if method == "S256" else "plain"
