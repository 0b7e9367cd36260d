"""Google's identity provider, driven as a browser and a web-server OAuth client would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from tests.sandbox.conftest import LiveSandbox
from tests.sandbox.oauth_browser import (
    REDIRECT_URI,
    open_sign_in,
    parse_sign_in,
    pkce_pair,
    redirect_params,
    submit,
    vendor_client,
    verify_jwt,
)

AUTHORIZE = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN = "https://oauth2.googleapis.com/token"
DISCOVERY = "https://accounts.google.com/.well-known/openid-configuration"
CLIENT_ID = "1234567890-crm.apps.googleusercontent.com"
CONTACTS = "https://www.googleapis.com/auth/contacts"


@pytest.fixture
def google(sandbox: LiveSandbox) -> Iterator[httpx.Client]:
    with vendor_client(sandbox.base_url) as client:
        yield client


def _authorize(client: httpx.Client, *, challenge: str | None = None, **extra: str) -> dict[str, str]:
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": f"openid email profile {CONTACTS}",
        "state": "state-123",
        "access_type": "offline",
        **extra,
    }
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    page, form = open_sign_in(client, AUTHORIZE, params)
    return redirect_params(submit(client, page, form, account="priya.shah@example.com"))


def _exchange(client: httpx.Client, code: str, verifier: str | None, **extra: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "client_secret": "web-secret",
    }
    if verifier:
        data["code_verifier"] = verifier
    data.update(extra)
    return client.post(TOKEN, data=data)


def test_authorization_code_flow_with_pkce_refresh_and_revocation(sandbox: LiveSandbox, google: httpx.Client) -> None:
    discovery = google.get(DISCOVERY).json()
    assert discovery["issuer"] == "https://accounts.google.com"
    assert discovery["authorization_endpoint"] == AUTHORIZE
    assert discovery["token_endpoint"] == TOKEN
    assert "S256" in discovery["code_challenge_methods_supported"]

    verifier, challenge = pkce_pair()
    page, form = open_sign_in(
        google,
        AUTHORIZE,
        {
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": f"openid email profile {CONTACTS}",
            "state": "state-123",
            "nonce": "nonce-456",
            "access_type": "offline",
            "login_hint": "zoe.lefevre@example.com",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    # Only the sandbox's Google accounts are offered, the login_hint one preselected.
    assert form.accounts == ["priya.shah@example.com", "zoe.lefevre@example.com", "other"]
    assert form.checked == "zoe.lefevre@example.com"
    assert ("decision", "allow") in form.buttons

    returned = redirect_params(submit(google, page, form, account="zoe.lefevre@example.com"))
    assert returned["state"] == "state-123"
    assert returned["scope"].split() == [
        "openid",
        "https://www.googleapis.com/auth/userinfo.email",
        "https://www.googleapis.com/auth/userinfo.profile",
        CONTACTS,
    ]

    response = _exchange(google, returned["code"], verifier)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3599
    assert tokens["access_token"].startswith("ya29.")
    assert tokens["refresh_token"]

    zoe = sandbox.state.directory.get("zoe.lefevre@example.com")
    assert zoe is not None
    claims = verify_jwt(google, DISCOVERY, tokens["id_token"], issuer="https://accounts.google.com", audience=CLIENT_ID)
    assert claims["sub"] == zoe.google_id
    assert claims["azp"] == CLIENT_ID
    assert claims["email"] == "zoe.lefevre@example.com"
    assert claims["email_verified"] is True
    assert claims["name"] == "Zoë Lefèvre"
    assert claims["nonce"] == "nonce-456"
    assert claims["hd"] == "example.com"
    assert claims["exp"] - claims["iat"] == 3600

    userinfo = google.get(
        "https://openidconnect.googleapis.com/v1/userinfo",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert userinfo.status_code == 200
    assert userinfo.json()["sub"] == zoe.google_id

    refreshed = google.post(
        TOKEN,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": CLIENT_ID},
    )
    assert refreshed.status_code == 200, refreshed.text
    assert "refresh_token" not in refreshed.json()
    new_access = refreshed.json()["access_token"]
    assert sandbox.state.tokens.resolve_access_token("google", new_access) is not None

    revoked = google.post("https://oauth2.googleapis.com/revoke", data={"token": tokens["refresh_token"]})
    assert revoked.status_code == 200
    # Revoking the refresh token revokes the whole grant.
    assert sandbox.state.tokens.resolve_access_token("google", new_access) is None
    again = google.post(
        TOKEN,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": CLIENT_ID},
    )
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    twice = google.post("https://oauth2.googleapis.com/revoke", data={"token": tokens["refresh_token"]})
    assert twice.status_code == 400
    assert twice.json()["error"] == "invalid_token"

    log = httpx.get(f"{sandbox.base_url}/_sandbox/calls", params={"path": "/oauth2.googleapis.com/token"}).json()
    assert log["count"] == 3
    assert {call["user"] for call in log["calls"]} == {"zoe.lefevre@example.com"}


def test_refresh_tokens_need_offline_access_and_a_consent_screen(google: httpx.Client) -> None:
    online = _exchange(google, _authorize(google, access_type="online")["code"], None).json()
    assert "refresh_token" not in online

    # These scopes are already granted: Google skips the consent screen and issues no refresh token...
    returned = _authorize(google)
    assert returned["prompt"] == "none"
    assert "refresh_token" not in _exchange(google, returned["code"], None).json()
    # ...unless prompt=consent asks for it again.
    returned = _authorize(google, prompt="consent")
    assert returned["prompt"] == "consent"
    assert "refresh_token" in _exchange(google, returned["code"], None).json()


def test_first_consent_with_offline_access_issues_a_refresh_token(google: httpx.Client) -> None:
    returned = _authorize(google)
    assert returned["prompt"] == "consent"
    assert _exchange(google, returned["code"], None).json()["refresh_token"]


def test_wrong_verifier_reused_code_and_wrong_redirect_uri_are_refused(
    sandbox: LiveSandbox, google: httpx.Client
) -> None:
    verifier, challenge = pkce_pair()
    code = _authorize(google, challenge=challenge)["code"]
    wrong = _exchange(google, code, pkce_pair()[0])
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}

    code = _authorize(google, challenge=challenge)["code"]
    missing = _exchange(google, code, None)
    assert missing.json() == {"error": "invalid_grant", "error_description": "Missing code verifier."}

    code = _authorize(google, challenge=challenge)["code"]
    first = _exchange(google, code, verifier)
    assert first.status_code == 200
    reused = _exchange(google, code, verifier)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    # Presenting a code twice revokes what its first use issued.
    assert sandbox.state.tokens.resolve_access_token("google", first.json()["access_token"]) is None

    code = _authorize(google, challenge=challenge)["code"]
    elsewhere = _exchange(google, code, verifier, redirect_uri="https://evil.example.com/callback")
    assert elsewhere.status_code == 400
    assert elsewhere.json()["error"] == "redirect_uri_mismatch"

    code = _authorize(google, challenge=challenge)["code"]
    other_client = _exchange(google, code, verifier, client_id="another-client.apps.googleusercontent.com")
    assert other_client.json()["error"] == "unauthorized_client"


def test_codes_expire_with_sandbox_time(sandbox: LiveSandbox, google: httpx.Client) -> None:
    code = _authorize(google)["code"]
    sandbox.state.clock.advance(timedelta(minutes=11))
    expired = _exchange(google, code, None)
    assert expired.status_code == 400
    assert expired.json()["error"] == "invalid_grant"


def test_plain_pkce_and_silent_sign_in(google: httpx.Client) -> None:
    verifier = "plain-verifier-" + "x" * 40
    page, form = open_sign_in(
        google,
        AUTHORIZE,
        {
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": "openid email",
            "code_challenge": verifier,
        },
    )
    code = redirect_params(submit(google, page, form, account="priya.shah@example.com"))["code"]
    assert _exchange(google, code, verifier).status_code == 200

    silent = google.get(
        AUTHORIZE,
        params={
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": "openid email",
            "prompt": "none",
            "login_hint": "priya.shah@example.com",
            "state": "s",
        },
    )
    assert "code" in redirect_params(silent)
    needs_consent = google.get(
        AUTHORIZE,
        params={
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": f"openid {CONTACTS}",
            "prompt": "none",
            "login_hint": "priya.shah@example.com",
            "state": "s",
        },
    )
    assert redirect_params(needs_consent)["error"] == "consent_required"


def test_sign_in_page_refusals(google: httpx.Client) -> None:
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid email",
        "state": "keep-me",
    }
    page, form = open_sign_in(google, AUTHORIZE, params)
    denied = redirect_params(submit(google, page, form, account="priya.shah@example.com", decision="deny"))
    assert denied["error"] == "access_denied"
    assert denied["state"] == "keep-me"

    page, form = open_sign_in(google, AUTHORIZE, params)
    unknown = submit(google, page, form, account="nobody@example.com")
    assert unknown.status_code == 200
    assert parse_sign_in(unknown.text).alert == "There is no sandbox account with the address nobody@example.com."

    page, form = open_sign_in(google, AUTHORIZE, params)
    microsoft_user = submit(google, page, form, account="alex.morgan@example.com")
    assert microsoft_user.status_code == 200
    assert parse_sign_in(microsoft_user.text).alert == "alex.morgan@example.com is not a Google account in the sandbox."

    no_scope = google.get(AUTHORIZE, params={k: v for k, v in params.items() if k != "scope"})
    assert no_scope.status_code == 400
    assert "Missing required parameter: scope" in no_scope.text
    bad_scope = google.get(AUTHORIZE, params={**params, "scope": "openid calendar-everything"})
    assert bad_scope.status_code == 400
    assert "invalid_scope" in bad_scope.text
