"""The Microsoft identity platform (v2.0), driven as a browser and an OAuth client would."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest
from joserfc.errors import ExpiredTokenError, InvalidClaimError

from app.sandbox.identity.microsoft import TENANT_ID
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

LOGIN = "https://login.microsoftonline.com"
AUTHORIZE = f"{LOGIN}/common/oauth2/v2.0/authorize"
TOKEN = f"{LOGIN}/common/oauth2/v2.0/token"
DISCOVERY = f"{LOGIN}/{TENANT_ID}/v2.0/.well-known/openid-configuration"
ISSUER = f"{LOGIN}/{TENANT_ID}/v2.0"
CLIENT_ID = "3f0d2c4e-8a1b-4c5d-9e6f-7a8b9c0d1e2f"
API_ID = "9d3f1a2b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
def microsoft(sandbox: LiveSandbox) -> Iterator[httpx.Client]:
    with vendor_client(sandbox.base_url) as client:
        yield client


def _code(client: httpx.Client, scope: str, *, challenge: str | None, account: str = "alex.morgan@example.com") -> str:
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "ms-state",
        "nonce": "ms-nonce",
    }
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    page, form = open_sign_in(client, AUTHORIZE, params)
    returned = redirect_params(submit(client, page, form, account=account))
    assert returned["state"] == "ms-state"
    return returned["code"]


def _redeem(client: httpx.Client, code: str, verifier: str | None, **extra: str) -> httpx.Response:
    data = {
        "client_id": CLIENT_ID,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        **extra,
    }
    if verifier:
        data["code_verifier"] = verifier
    return client.post(TOKEN, data=data)


def test_authorization_code_flow_for_graph(sandbox: LiveSandbox, microsoft: httpx.Client) -> None:
    common = microsoft.get(f"{LOGIN}/common/v2.0/.well-known/openid-configuration").json()
    assert common["issuer"] == f"{LOGIN}/{{tenantid}}/v2.0"
    assert common["token_endpoint"] == TOKEN
    assert microsoft.get(DISCOVERY).json()["issuer"] == ISSUER

    verifier, challenge = pkce_pair()
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email offline_access Contacts.ReadWrite https://graph.microsoft.com/Calendars.ReadWrite",
        "state": "ms-state",
        "nonce": "ms-nonce",
        "login_hint": "sam.taylor@example.com",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page, form = open_sign_in(microsoft, AUTHORIZE, params)
    assert form.accounts == ["alex.morgan@example.com", "sam.taylor@example.com", "jordan.lee@example.com", "other"]
    assert form.checked == "sam.taylor@example.com"
    returned = redirect_params(submit(microsoft, page, form, account="sam.taylor@example.com"))
    assert returned["state"] == "ms-state"
    assert returned["session_state"]

    response = _redeem(microsoft, returned["code"], verifier, client_info="1")
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == tokens["ext_expires_in"] == 3599
    assert set(tokens["scope"].split()) == {
        "https://graph.microsoft.com/Contacts.ReadWrite",
        "https://graph.microsoft.com/Calendars.ReadWrite",
        "openid",
        "profile",
        "email",
    }
    grant = sandbox.state.tokens.resolve_access_token("microsoft", tokens["access_token"])
    assert grant is not None
    assert grant.email == "sam.taylor@example.com"
    assert grant.scopes == ("Contacts.ReadWrite", "Calendars.ReadWrite")

    sam = sandbox.state.directory.get("sam.taylor@example.com")
    assert sam is not None
    info = json.loads(base64.urlsafe_b64decode(tokens["client_info"] + "=="))
    assert info == {"uid": sam.microsoft_id, "utid": TENANT_ID}
    claims = verify_jwt(microsoft, DISCOVERY, tokens["id_token"], issuer=ISSUER, audience=CLIENT_ID)
    assert claims["oid"] == sam.microsoft_id
    assert claims["tid"] == TENANT_ID
    assert claims["preferred_username"] == "sam.taylor@example.com"
    assert claims["email"] == "sam.taylor@example.com"
    assert claims["name"] == "Sam Taylor"
    assert claims["nonce"] == "ms-nonce"
    assert claims["ver"] == "2.0"
    with pytest.raises(ExpiredTokenError):
        verify_jwt(microsoft, DISCOVERY, tokens["id_token"], issuer=ISSUER, audience=CLIENT_ID, now=claims["exp"] + 1)
    with pytest.raises(InvalidClaimError, match="aud"):
        verify_jwt(microsoft, DISCOVERY, tokens["id_token"], issuer=ISSUER, audience="someone-else")
    with pytest.raises(InvalidClaimError, match="iss"):
        verify_jwt(microsoft, DISCOVERY, tokens["id_token"], issuer=f"{LOGIN}/common/v2.0", audience=CLIENT_ID)

    refreshed = microsoft.post(
        TOKEN,
        data={
            "client_id": CLIENT_ID,
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "scope": "https://graph.microsoft.com/Contacts.ReadWrite",
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refresh_token"] != tokens["refresh_token"]
    assert refreshed.json()["scope"].split()[0] == "https://graph.microsoft.com/Contacts.ReadWrite"

    not_consented = microsoft.post(
        TOKEN,
        data={
            "client_id": CLIENT_ID,
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "scope": "Mail.ReadWrite",
        },
    )
    assert not_consented.status_code == 400
    assert not_consented.json()["error_codes"] == [65001]

    # Microsoft has no revocation endpoint: an admin (here the control API) revokes the user's sessions.
    revoked = httpx.post(
        f"{sandbox.base_url}/_sandbox/tokens/revoke", json={"provider": "microsoft", "user": "sam.taylor@example.com"}
    )
    assert revoked.json()["revoked"] >= 3
    after = microsoft.post(
        TOKEN,
        data={"client_id": CLIENT_ID, "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert after.status_code == 400
    error = after.json()
    assert error["error"] == "invalid_grant"
    assert error["error_codes"] == [50173]
    assert error["error_description"].startswith("AADSTS50173: ")
    assert set(error) >= {"timestamp", "trace_id", "correlation_id"}


def test_nested_app_authentication_token_for_the_add_in_backend(sandbox: LiveSandbox, microsoft: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    code = _code(microsoft, f"api://{API_ID}/access_as_user openid profile", challenge=challenge)
    tokens = _redeem(microsoft, code, verifier).json()
    assert tokens["scope"].split()[0] == f"api://{API_ID}/access_as_user"
    claims = verify_jwt(microsoft, DISCOVERY, tokens["access_token"], issuer=ISSUER, audience=API_ID)
    alex = sandbox.state.directory.get("alex.morgan@example.com")
    assert alex is not None
    assert claims["scp"] == "access_as_user"
    assert claims["oid"] == alex.microsoft_id
    assert claims["preferred_username"] == "alex.morgan@example.com"
    assert claims["tid"] == TENANT_ID
    assert claims["azp"] == CLIENT_ID
    assert claims["ver"] == "2.0"
    assert "refresh_token" not in tokens


def test_wrong_verifier_reused_code_and_wrong_redirect_uri_are_refused(microsoft: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    wrong = _redeem(microsoft, _code(microsoft, "openid User.Read", challenge=challenge), pkce_pair()[0])
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert wrong.json()["error_codes"] == [501481]

    code = _code(microsoft, "openid User.Read", challenge=challenge)
    assert _redeem(microsoft, code, verifier).status_code == 200
    reused = _redeem(microsoft, code, verifier)
    assert reused.json()["error_codes"] == [54005]

    elsewhere = _redeem(
        microsoft,
        _code(microsoft, "openid User.Read", challenge=challenge),
        verifier,
        redirect_uri="https://evil.example.com/",
    )
    assert elsewhere.json()["error"] == "invalid_grant"
    assert elsewhere.json()["error_codes"] == [50011]

    no_client = microsoft.post(TOKEN, data={"grant_type": "authorization_code", "code": "x"})
    assert no_client.json()["error_codes"] == [900144]
    bad_grant = microsoft.post(TOKEN, data={"client_id": CLIENT_ID, "grant_type": "password"})
    assert bad_grant.json()["error"] == "unsupported_grant_type"


def test_plain_pkce_form_post_and_sign_in_page_refusals(microsoft: httpx.Client) -> None:
    verifier = "m" * 50
    page, form = open_sign_in(
        microsoft,
        AUTHORIZE,
        {
            "client_id": CLIENT_ID,
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "response_mode": "form_post",
            "code_challenge": verifier,
            "code_challenge_method": "plain",
            "state": "fp",
        },
    )
    google_user = submit(microsoft, page, form, account="priya.shah@example.com")
    assert parse_sign_in(google_user.text).alert == (
        "priya.shah@example.com is not a Microsoft work account in the sandbox tenant."
    )
    posted = submit(microsoft, page, parse_sign_in(google_user.text), account="jordan.lee@example.com")
    assert posted.status_code == 200
    returned = parse_sign_in(posted.text)
    assert returned.action == REDIRECT_URI
    assert returned.hidden["state"] == "fp"
    assert _redeem(microsoft, returned.hidden["code"], verifier).status_code == 200

    unknown_tenant = microsoft.get(
        f"{LOGIN}/00000000-0000-0000-0000-000000000000/oauth2/v2.0/authorize",
        params={"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT_URI, "scope": "openid"},
    )
    assert unknown_tenant.status_code == 400
    assert "AADSTS90002" in unknown_tenant.text
    token_type = microsoft.get(
        AUTHORIZE,
        params={"client_id": CLIENT_ID, "response_type": "token", "redirect_uri": REDIRECT_URI, "scope": "openid"},
    )
    assert redirect_params(token_type)["error"] == "unsupported_response_type"


def test_silent_sign_in_and_logout(microsoft: httpx.Client) -> None:
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "prompt": "none",
    }
    no_hint = redirect_params(microsoft.get(AUTHORIZE, params=params))
    assert no_hint["error"] == "login_required"
    _code(microsoft, "openid profile", challenge=None)
    silent = redirect_params(microsoft.get(AUTHORIZE, params={**params, "login_hint": "alex.morgan@example.com"}))
    assert silent["code"]

    logout = microsoft.get(
        f"{LOGIN}/common/oauth2/v2.0/logout", params={"post_logout_redirect_uri": REDIRECT_URI, "state": "bye"}
    )
    assert logout.status_code == 302
    assert logout.headers["location"] == f"{REDIRECT_URI}?state=bye"
    signed_out = microsoft.get(f"{LOGIN}/common/oauth2/v2.0/logout")
    assert signed_out.status_code == 200
    assert "You signed out of your account" in signed_out.text
