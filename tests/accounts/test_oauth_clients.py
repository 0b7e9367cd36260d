"""The OAuth clients' checks: ID tokens, Salesforce's signature and addresses, refresh errors, and what never
reaches the logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy.engine import Engine

from app.api.web_auth import safe_next
from app.connectors.errors import AuthRevoked, VendorUnavailable
from app.connectors.oauth_clients import SANDBOX_CLIENT_IDS, OAuthFlowError, VendorOAuth
from app.models import Provider
from app.services.users import SignInPolicy
from app.settings import Settings
from tests.accounts.test_connections import connect
from tests.accounts_support import add_user, signed_in_client
from tests.sandbox.conftest import LiveSandbox

MS_TENANT = "5a9d6b1e-0c4f-4e8a-9b77-3c2d1e0f5a6b"  # the sandbox's tenant


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": f"https://login.microsoftonline.com/{MS_TENANT}/v2.0",
        "aud": SANDBOX_CLIENT_IDS[Provider.MICROSOFT],
        "sub": "subject",
        "oid": "object-id",
        "tid": MS_TENANT,
        "iat": now,
        "exp": now + 600,
        "nonce": "the-nonce",
        "preferred_username": "Alex.Morgan@example.com",
        "name": "Alex Morgan",
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


@pytest.fixture
def oauth(sandbox_settings: Settings) -> VendorOAuth:
    return VendorOAuth(sandbox_settings, sandbox_settings.sandbox_url)


def test_a_genuine_id_token_names_the_person(oauth: VendorOAuth, sandbox: LiveSandbox) -> None:
    claims = oauth.verify_id_token(Provider.MICROSOFT, sandbox.state.signing_keys.sign(_claims()), nonce="the-nonce")
    identity = oauth.identity_from_id_token(Provider.MICROSOFT, claims)
    assert (identity.account_id, identity.email, identity.name) == (
        "object-id",
        "alex.morgan@example.com",
        "Alex Morgan",
    )


@pytest.mark.parametrize(
    ("changes", "nonce"),
    [
        ({}, "another-nonce"),
        ({"aud": "someone-elses-app"}, "the-nonce"),
        ({"exp": int((datetime.now(UTC) - timedelta(hours=1)).timestamp())}, "the-nonce"),
        ({"iss": "https://login.microsoftonline.com/another-tenant/v2.0"}, "the-nonce"),
        ({"nonce": None}, "the-nonce"),
    ],
    ids=["nonce", "audience", "expired", "issuer", "no-nonce"],
)
def test_id_tokens_that_are_not_for_this_sign_in_are_refused(
    oauth: VendorOAuth, sandbox: LiveSandbox, changes: dict[str, Any], nonce: str
) -> None:
    with pytest.raises(OAuthFlowError):
        oauth.verify_id_token(Provider.MICROSOFT, sandbox.state.signing_keys.sign(_claims(**changes)), nonce=nonce)


def test_an_id_token_signed_by_another_key_is_refused(oauth: VendorOAuth) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "attacker"})
    forged = jwt.encode({"alg": "RS256", "kid": "attacker"}, _claims(), key)
    with pytest.raises(OAuthFlowError, match="could not be verified"):
        oauth.verify_id_token(Provider.MICROSOFT, forged, nonce="the-nonce")


def test_a_fixed_tenant_refuses_other_tenants(sandbox_settings: Settings, sandbox: LiveSandbox) -> None:
    fixed = VendorOAuth(
        sandbox_settings.model_copy(update={"microsoft_tenant": "11111111-2222-3333-4444-555555555555"}),
        sandbox_settings.sandbox_url,
    )
    with pytest.raises(OAuthFlowError, match="cannot sign in here"):
        fixed.verify_id_token(Provider.MICROSOFT, sandbox.state.signing_keys.sign(_claims()), nonce="the-nonce")


def test_google_addresses_count_only_when_verified(oauth: VendorOAuth) -> None:
    unverified = oauth.identity_from_id_token(Provider.GOOGLE, {"sub": "1", "email": "a@b.example"})
    assert unverified.email is None
    verified = oauth.identity_from_id_token(
        Provider.GOOGLE, {"sub": "1", "email": "A@B.example", "email_verified": True}
    )
    assert verified.email == "a@b.example"


def test_salesforce_identity_and_instance_addresses_are_checked(oauth: VendorOAuth) -> None:
    assert oauth.salesforce_instance_ok("https://acme.my.salesforce.com")
    assert not oauth.salesforce_instance_ok("http://acme.my.salesforce.com")
    assert not oauth.salesforce_instance_ok("https://salesforce.com.evil.example")
    with pytest.raises(OAuthFlowError, match="unexpected identity URL"):
        oauth.salesforce_identity("https://evil.example/id/00D/005", "token")


def test_refresh_errors_map_to_the_vendor_error_tree(oauth: VendorOAuth, sandbox_settings: Settings) -> None:
    with pytest.raises(AuthRevoked):
        oauth.refresh(Provider.GOOGLE, "1//0g-not-a-token")
    unreachable = VendorOAuth(sandbox_settings, "http://127.0.0.1:9")
    with pytest.raises(VendorUnavailable):
        unreachable.refresh(Provider.SALESFORCE, "5Aep861-whatever")


def test_tokens_never_reach_the_logs(
    app_on_sandbox: FastAPI,
    engine: Engine,
    vendor: httpx.Client,
    sandbox: LiveSandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = add_user(engine, "alex.morgan@example.com")
    client, session = signed_in_client(app_on_sandbox, user)
    with caplog.at_level(logging.DEBUG):
        connect(client, session, vendor, "salesforce", "alex.morgan@example.com")
        client.post("/connections/salesforce/check", data={"csrf_token": session.csrf_token})
        client.post("/connections/salesforce/disconnect", data={"csrf_token": session.csrf_token})
    issued = [token for token, grant in sandbox.state.tokens._access.items() if grant.email == user.email]
    issued += [token for token, grant in sandbox.state.tokens._refresh.items() if grant.email == user.email]
    assert issued
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert not [token for token in issued if token in logged]


def test_sign_in_policy_and_return_paths(settings: Settings) -> None:
    assert SignInPolicy.from_settings(settings).admits("anyone@anywhere.example")  # sandbox mode, nothing set
    production = settings.model_copy(update={"sandbox": False})
    assert not SignInPolicy.from_settings(production).admits("anyone@anywhere.example")
    domains = SignInPolicy.from_settings(
        production.model_copy(update={"signin_domains": " Corp.Example, @sub.example"})
    )
    assert domains.admits("x@corp.example") and domains.admits("y@sub.example")
    assert not domains.admits("x@corp.example.evil")
    assert SignInPolicy.from_settings(production.model_copy(update={"signin_domains": "*"})).admits("x@y.example")
    assert safe_next("/connections?x=1") == "/connections?x=1"
    for unsafe in (None, "", "https://evil.example", "//evil.example", "/\\evil", "javascript:alert(1)"):
        assert safe_next(unsafe) == "/connections"
