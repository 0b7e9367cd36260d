"""Every /api route wants a valid Microsoft access token for crmbridge; forged, expired and misaddressed tokens get
401 in the house format. The user is the one the token names."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.routing import BaseRoute

from app.api.bearer_auth import EntraTokenValidator, InvalidToken
from app.db import unit_of_work
from app.models import MailProvider, Provider, User
from app.services.connections import IssuedTokens, save_connection
from tests.addin.conftest import ALEX, LiveSandbox, api_token, bearer

OTHER_APP = "11111111-2222-4333-8444-555555555555"


def _unverified_claims(token: str) -> dict[str, Any]:
    import base64
    import json

    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _forge(claims: dict[str, Any], kid: str) -> str:
    key = RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"})
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": kid}, claims, key, algorithms=["RS256"])


@pytest.fixture
def real_token(sandbox: LiveSandbox) -> str:
    """A valid token for Alex."""
    return api_token(sandbox, ALEX)


def bad_tokens(sandbox: LiveSandbox, real_token: str) -> dict[str, str]:
    """Tokens crmbridge must refuse, by what is wrong with them."""
    claims = _unverified_claims(real_token)
    kid = sandbox.state.signing_keys.kid
    header, payload, _signature = real_token.split(".")
    return {
        "forged signature": _forge(claims, kid),
        "forged with an unknown key": _forge(claims, "not-a-published-key"),
        "tampered claims": f"{header}.{_forge({**claims, 'oid': 'someone-else'}, kid).split('.')[1]}.{_signature}",
        "wrong audience": api_token(sandbox, ALEX, audience=OTHER_APP),
        "unsigned": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "not a JWT": "EwBgA8l6BAAUO9chh8cJscQLmU+LSWpbnr0vmwwAAQ",
    }


def _b64(value: dict[str, Any]) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _walk(routes: Iterable[Any]) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers (FastAPI resolves those lazily)."""
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from _walk(route.effective_candidates())
        elif hasattr(route, "original_route"):
            yield route.path, set(getattr(route.original_route, "methods", None) or ())
        elif isinstance(route, BaseRoute) and hasattr(route, "path"):
            yield route.path, set(getattr(route, "methods", None) or ())


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route under /api (from the route table, and from the OpenAPI document as a check),
    path parameters filled in."""
    found = {(method, path) for path, methods in _walk(app.routes) for method in methods - {"HEAD"}}
    for path, operations in app.openapi()["paths"].items():
        found |= {(method.upper(), path) for method in operations}
    routes = []
    for method, path in sorted(found):
        if path == "/api" or path.startswith("/api/"):
            routes.append((method, re.sub(r"\{[^}]+\}", "x", path)))
    return routes


def test_every_api_route_refuses_bad_tokens(
    addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox, real_token: str
) -> None:
    routes = api_routes(addin_app)
    assert len(routes) >= 7, routes
    bad = bad_tokens(sandbox, real_token)
    expired = real_token  # valid for an hour; the validator's clock is moved past that below
    validator: EntraTokenValidator = addin_app.state.api_token_validator
    cases = [("no token", {}), ("basic auth", {"Authorization": "Basic YWxleDpzZWNyZXQ="})]
    cases += [(name, bearer(token)) for name, token in bad.items()]
    for method, path in routes:
        for name, headers in cases:
            answer = api.request(method, path, headers=headers, json={})
            assert answer.status_code == 401, (method, path, name, answer.text)
            error = answer.json()["error"]
            assert error["code"] == "not_authenticated", (method, path, name)
            assert error["message"] and error["request_id"]
            assert answer.headers["www-authenticate"].startswith("Bearer")
        # The same token is accepted now and refused once it has expired.
        assert api.request(method, path, headers=bearer(expired), json={}).status_code != 401, (method, path)
        real_clock = validator.clock
        validator.clock = lambda clock=real_clock: clock() + 2 * 3600
        try:
            late = api.request(method, path, headers=bearer(expired), json={})
        finally:
            validator.clock = real_clock
        assert late.status_code == 401, (method, path)
        assert "expired" in late.json()["error"]["message"]


def test_a_valid_token_never_meets_a_server_error(addin_app: FastAPI, api: TestClient, real_token: str) -> None:
    for method, path in api_routes(addin_app):
        for body in ({}, {"email": {}}, None):
            answer = api.request(method, path, headers=bearer(real_token), json=body)
            assert answer.status_code < 500, (method, path, body, answer.text)
            if answer.status_code >= 400:
                assert answer.json()["error"]["message"]


def test_the_user_is_who_the_token_names(addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox) -> None:
    alex = sandbox.state.directory.get(ALEX)
    assert alex is not None
    # A crmbridge user whose Microsoft connection is Alex's account is who Alex's token names, whatever its address.
    with unit_of_work(addin_app.state.engine) as db:
        user = User(email="a.morgan@corp.example", name="A. Morgan", mail_provider=MailProvider.MICROSOFT)
        db.add(user)
        db.flush()
        assert user.id is not None
        save_connection(
            db,
            user_id=user.id,
            provider=Provider.MICROSOFT,
            account_id=alex.microsoft_id,
            tokens=IssuedTokens(access_token="graph-token"),
            cipher=addin_app.state.token_cipher,
        )
    me = api.get("/api/me", headers=bearer(api_token(sandbox, ALEX)))
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "a.morgan@corp.example"
    # Headers or fields naming someone else change nothing.
    other = api.get("/api/me", headers={**bearer(api_token(sandbox, ALEX)), "X-User-Email": "sam.taylor@example.com"})
    assert other.json()["email"] == "a.morgan@corp.example"


def test_keys_are_cached_and_fetched_again_for_an_unknown_key(
    addin_app: FastAPI, sandbox: LiveSandbox, real_token: str
) -> None:
    validator = EntraTokenValidator(
        client_id=addin_app.state.api_token_validator.client_id, tenant="common", vendor_base_url=sandbox.base_url
    )

    def key_fetches() -> int:
        return len([c for c in sandbox.state.calls.calls() if c.path.endswith("/discovery/v2.0/keys")])

    before = key_fetches()
    assert validator.validate(real_token).address == ALEX
    assert validator.validate(real_token).address == ALEX
    assert key_fetches() == before + 1
    forged = _forge(_unverified_claims(real_token), "rotated-key")
    with pytest.raises(InvalidToken):
        validator.validate(forged)
    assert key_fetches() == before + 1  # the keys were fetched a moment ago: not again yet
    keys, expiry, fetched_at = validator._keys or (None, 0.0, 0.0)
    validator._keys = (keys, expiry, fetched_at - 120)  # type: ignore[assignment]
    with pytest.raises(InvalidToken):
        validator.validate(forged)
    assert key_fetches() == before + 2  # an unknown key id makes the keys be fetched again...
    with pytest.raises(InvalidToken):
        validator.validate(forged)
    assert key_fetches() == before + 2  # ...but not again within a minute
    started = time.monotonic()
    assert validator.validate(real_token).object_id
    assert time.monotonic() - started < 1


def test_claims_checks(addin_app: FastAPI, sandbox: LiveSandbox, real_token: str) -> None:
    validator: EntraTokenValidator = addin_app.state.api_token_validator
    claims = _unverified_claims(real_token)
    template = "https://login.microsoftonline.com/{tenantid}/v2.0"
    validator._check_claims(claims, template)  # the real token passes
    for change, message in (
        ({"iss": "https://login.microsoftonline.com/another/v2.0"}, "tenant"),
        ({"tid": "not-a-guid"}, "tenant"),
        ({"aud": OTHER_APP}, "not meant for crmbridge"),
        ({"scp": "User.Read"}, "access_as_user"),
        ({"nbf": time.time() + 3600}, "not valid yet"),
        ({"exp": time.time() - 3600}, "expired"),
    ):
        with pytest.raises(InvalidToken, match=message):
            validator._check_claims({**claims, **change}, template)
    personal = {
        **claims,
        "tid": "9188040d-6c67-4c5b-b112-36a304b66dad",
        "iss": "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
    }
    organizations = EntraTokenValidator(client_id=validator.client_id, tenant="organizations", vendor_base_url=None)
    with pytest.raises(InvalidToken, match="Personal Microsoft accounts"):
        organizations._check_claims(personal, template)
