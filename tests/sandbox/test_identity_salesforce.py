"""Salesforce's identity provider (OAuth 2.0 web server flow), driven as a browser and an OAuth client would."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator

import httpx
import pytest
from joserfc.errors import BadSignatureError

from app.sandbox.identity.salesforce import org_id
from tests.sandbox.conftest import LiveSandbox
from tests.sandbox.oauth_browser import (
    REDIRECT_URI,
    open_sign_in,
    pkce_pair,
    redirect_params,
    submit,
    vendor_client,
    verify_jwt,
)

LOGIN = "https://login.salesforce.com"
AUTHORIZE = f"{LOGIN}/services/oauth2/authorize"
TOKEN = f"{LOGIN}/services/oauth2/token"
DISCOVERY = f"{LOGIN}/.well-known/openid-configuration"
CLIENT_ID = "3MVG9crmbridgeSandboxConsumerKey"
CLIENT_SECRET = "consumer-secret"


@pytest.fixture
def salesforce(sandbox: LiveSandbox) -> Iterator[httpx.Client]:
    # The org backend gives every Salesforce user their User record and id.
    assert all(user.salesforce_id for user in sandbox.state.directory if user.salesforce_user)
    with vendor_client(sandbox.base_url) as client:
        yield client


def _code(client: httpx.Client, *, challenge: str, scope: str = "api refresh_token openid profile email") -> str:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "sf-state",
        "code_challenge": challenge,
    }
    page, form = open_sign_in(client, AUTHORIZE, params)
    return redirect_params(submit(client, page, form, account="alex.morgan@example.com"))["code"]


def _redeem(client: httpx.Client, code: str, verifier: str | None, **extra: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT_URI,
        **extra,
    }
    if verifier:
        data["code_verifier"] = verifier
    return client.post(TOKEN, data=data)


def test_web_server_flow_with_pkce_refresh_and_revocation(sandbox: LiveSandbox, salesforce: httpx.Client) -> None:
    discovery = salesforce.get(DISCOVERY).json()
    assert discovery["issuer"] == LOGIN
    assert discovery["token_endpoint"] == TOKEN
    assert discovery["jwks_uri"] == f"{LOGIN}/id/keys"

    verifier, challenge = pkce_pair()
    page, form = open_sign_in(
        salesforce,
        AUTHORIZE,
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": "api refresh_token openid profile email",
            "state": "sf-state",
            "nonce": "sf-nonce",
            "code_challenge": challenge,
        },
    )
    # Jordan Lee is not a Salesforce user, so is not offered.
    assert "jordan.lee@example.com" not in form.accounts
    assert form.accounts[:2] == ["alex.morgan@example.com", "priya.shah@example.com"]
    returned = redirect_params(submit(salesforce, page, form, account="alex.morgan@example.com"))
    assert returned["state"] == "sf-state"

    response = _redeem(salesforce, returned["code"], verifier)
    assert response.status_code == 200, response.text
    tokens = response.json()
    alex = sandbox.state.directory.get("alex.morgan@example.com")
    assert alex is not None
    identity_url = f"{LOGIN}/id/{org_id(sandbox.state)}/{alex.salesforce_id}"
    assert tokens["instance_url"] == "https://sandbox.my.salesforce.com"
    assert tokens["id"] == identity_url
    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"] == "api refresh_token openid profile email"
    assert len(org_id(sandbox.state)) == 18
    expected = hmac.new(CLIENT_SECRET.encode(), (tokens["id"] + tokens["issued_at"]).encode(), hashlib.sha256)
    assert tokens["signature"] == base64.b64encode(expected.digest()).decode()
    assert sandbox.state.tokens.resolve_access_token("salesforce", tokens["access_token"]) is not None

    claims = verify_jwt(salesforce, DISCOVERY, tokens["id_token"], issuer=LOGIN, audience=CLIENT_ID)
    header, payload, signature = tokens["id_token"].split(".")
    forged = f"{header}.{payload}.{signature[:-6]}{'A' * 6 if not signature.endswith('A' * 6) else 'B' * 6}"
    with pytest.raises(BadSignatureError):
        verify_jwt(salesforce, DISCOVERY, forged, issuer=LOGIN, audience=CLIENT_ID)
    assert claims["sub"] == identity_url
    assert claims["nonce"] == "sf-nonce"
    assert claims["email"] == "alex.morgan@example.com"
    assert claims["at_hash"]

    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    userinfo = salesforce.get(f"{LOGIN}/services/oauth2/userinfo", headers=bearer).json()
    assert userinfo["user_id"] == alex.salesforce_id
    assert userinfo["organization_id"] == org_id(sandbox.state)
    assert userinfo["email"] == "alex.morgan@example.com"
    assert userinfo["urls"]["rest"] == "https://sandbox.my.salesforce.com/services/data/v{version}/"
    identity = salesforce.get(tokens["id"], headers=bearer).json()
    assert identity["username"] == "alex.morgan@example.com"
    # The token opens the org's REST API as that user.
    me = salesforce.get(
        f"{tokens['instance_url']}/services/data/v62.0/sobjects/User/{alex.salesforce_id}", headers=bearer
    )
    assert me.status_code == 200, me.text
    assert me.json()["Email"] == "alex.morgan@example.com"
    assert salesforce.get(f"{LOGIN}/services/oauth2/userinfo").status_code == 403

    refreshed = salesforce.post(
        TOKEN,
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    assert "refresh_token" not in refreshed.json()
    assert refreshed.json()["instance_url"] == "https://sandbox.my.salesforce.com"
    new_access = refreshed.json()["access_token"]

    revoke = salesforce.post(f"{LOGIN}/services/oauth2/revoke", data={"token": tokens["refresh_token"]})
    assert revoke.status_code == 200
    assert sandbox.state.tokens.resolve_access_token("salesforce", new_access) is None
    after = salesforce.post(
        TOKEN,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": CLIENT_ID},
    )
    assert after.status_code == 400
    assert after.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    unknown = salesforce.post(f"{LOGIN}/services/oauth2/revoke", data={"token": "not-a-token"})
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "unsupported_token_type"


def test_wrong_verifier_reused_code_and_wrong_redirect_uri_are_refused(salesforce: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    wrong = _redeem(salesforce, _code(salesforce, challenge=challenge), pkce_pair()[0])
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_request", "error_description": "invalid code verifier"}
    missing = _redeem(salesforce, _code(salesforce, challenge=challenge), None)
    assert missing.json() == {"error": "invalid_grant", "error_description": "invalid code verifier"}

    code = _code(salesforce, challenge=challenge)
    assert _redeem(salesforce, code, verifier).status_code == 200
    reused = _redeem(salesforce, code, verifier)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"

    elsewhere = _redeem(salesforce, _code(salesforce, challenge=challenge), verifier, redirect_uri="https://evil.test/")
    assert elsewhere.json() == {
        "error": "redirect_uri_mismatch",
        "error_description": "redirect_uri must match configuration",
    }
    no_client = salesforce.post(TOKEN, data={"grant_type": "authorization_code", "code": "x"})
    assert no_client.json()["error"] == "invalid_client_id"


def test_a_user_who_is_not_a_salesforce_user_gets_an_oauth_error(salesforce: httpx.Client) -> None:
    _verifier, challenge = pkce_pair()
    page, form = open_sign_in(
        salesforce,
        AUTHORIZE,
        {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "state": "s1"},
    )
    returned = redirect_params(submit(salesforce, page, form, account="jordan.lee@example.com"))
    assert returned == {
        "error": "access_denied",
        "error_description": "jordan.lee@example.com is not a Salesforce user.",
        "state": "s1",
    }
    plain = salesforce.get(
        AUTHORIZE,
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "code_challenge": challenge,
            "code_challenge_method": "plain",
        },
    )
    assert redirect_params(plain)["error"] == "invalid_request"
    no_client = salesforce.get(AUTHORIZE, params={"response_type": "code", "redirect_uri": REDIRECT_URI})
    assert no_client.status_code == 400
    assert "invalid_client_id" in no_client.text


def test_sandbox_login_host_issues_its_own_identity(salesforce: httpx.Client) -> None:
    discovery = salesforce.get("https://test.salesforce.com/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "https://test.salesforce.com"
    verifier, challenge = pkce_pair()
    page, form = open_sign_in(
        salesforce,
        "https://test.salesforce.com/services/oauth2/authorize",
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": "api openid",
            "code_challenge": challenge,
        },
    )
    code = redirect_params(submit(salesforce, page, form, account="sam.taylor@example.com"))["code"]
    tokens = salesforce.post(
        "https://test.salesforce.com/services/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
    ).json()
    assert tokens["id"].startswith("https://test.salesforce.com/id/")
    assert "refresh_token" not in tokens
    verify_jwt(
        salesforce,
        "https://test.salesforce.com/.well-known/openid-configuration",
        tokens["id_token"],
        issuer="https://test.salesforce.com",
        audience=CLIENT_ID,
    )
