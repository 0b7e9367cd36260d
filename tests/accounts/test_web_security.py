"""Security headers on pages, rate limits on sign-in and token endpoints, request size limits, and the request
boundary keeping a "needs re-authorisation" mark."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.api.deps import DbSession
from app.api.web_security import FRAME_ANCESTORS, OFFICE_JS_ORIGIN, RateLimiter
from app.connectors.errors import AuthRevoked
from app.errors import RateLimited
from app.main import create_app
from app.models import ConnectionStatus, Provider
from app.services.connections import IssuedTokens, get_connection, save_connection, vendor_access
from app.settings import Settings
from tests.accounts_support import add_user, signed_in_client


def _directives(csp: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in csp.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("path", ["/", "/signin", "/no/such/page", "/healthz"])
def test_pages_carry_the_security_headers(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    csp = _directives(answer.headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'", OFFICE_JS_ORIGIN]
    assert csp["object-src"] == ["'none'"]
    external = {source for values in csp.values() for source in values if source.startswith("https://")}
    assert external <= {OFFICE_JS_ORIGIN, *FRAME_ANCESTORS, *csp["form-action"]}
    assert csp["frame-ancestors"] == ["'self'", *FRAME_ANCESTORS]
    for host in ("https://outlook.office.com", "https://outlook.office365.com", "https://mail.google.com"):
        assert host in csp["frame-ancestors"]
    assert "strict-transport-security" not in answer.headers  # the test server is plain http


def test_the_mounted_sandbox_stands_in_for_vendor_sites(client: TestClient) -> None:
    answer = client.get("/sandbox/accounts.google.com/.well-known/openid-configuration")
    assert answer.status_code == 200
    assert "content-security-policy" not in answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_https_deployments_get_strict_transport_and_secure_cookies(settings: Settings, engine: Engine) -> None:
    application = create_app(settings.model_copy(update={"public_url": "https://crm.example.com"}), engine)
    assert application.state.web_auth.session_cookie == "__Host-crmbridge_session"
    with TestClient(application, base_url="https://crm.example.com") as client:
        assert client.get("/").headers["strict-transport-security"] == "max-age=31536000"


def test_sign_in_and_callback_endpoints_are_rate_limited(settings: Settings, engine: Engine) -> None:
    application = create_app(settings.model_copy(update={"auth_rate_limit": 3}), engine)
    with TestClient(application, follow_redirects=False) as client:
        for _ in range(3):
            assert client.get("/signin/microsoft").status_code == 303
        limited = client.get("/oauth/google/callback", params={"code": "c", "state": "s"})
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "Too many sign-in attempts" in limited.text
        assert client.get("/signin").status_code == 200  # the page itself is not counted


def test_rate_limiter_refills_and_counts_each_address() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.check("a")
    limiter.check("a")
    limiter.check("b")
    with pytest.raises(RateLimited) as caught:
        limiter.check("a")
    assert caught.value.retry_after == 30
    now[0] = 30.0
    limiter.check("a")


def chunks() -> Iterator[bytes]:
    for _ in range(8):
        yield b"x" * 512


def test_oversize_requests_are_refused_with_413(settings: Settings, engine: Engine) -> None:
    application = create_app(settings.model_copy(update={"max_request_bytes": 2048}), engine)
    with TestClient(application) as client:
        declared = client.post("/api/anything", content=b"x" * 4096, headers={"content-type": "application/json"})
        assert declared.status_code == 413
        body = declared.json()["error"]
        assert body["code"] == "payload_too_large" and "2 KiB" in body["message"] and body["request_id"]

    # A body without a length (chunked) is cut off once it passes the limit: here a signed-in form post.
    user = add_user(engine, "sam.taylor@example.com")
    browser, _session = signed_in_client(application, user)
    form = {"content-type": "application/x-www-form-urlencoded"}
    streamed = browser.post("/connections/salesforce/connect", content=chunks(), headers=form)
    assert streamed.status_code == 413
    assert "larger than this server accepts" in streamed.text
    assert browser.post("/connections/salesforce/connect", content=b"csrf_token=x", headers=form).status_code == 403


def test_needs_reauth_survives_the_error_response(settings: Settings, engine: Engine) -> None:
    """A route that lets ConnectionUnavailable through still leaves the connection marked."""
    application = create_app(settings, engine)
    user = add_user(engine, "alex.morgan@example.com")
    assert user.id is not None

    class Revoked:
        def refresh(self, provider: Provider, refresh_token: str) -> IssuedTokens:
            raise AuthRevoked(provider.value, "invalid_grant")

    with Session(engine) as db:
        save_connection(
            db,
            user_id=user.id,
            provider=Provider.MICROSOFT,
            account_id="x",
            tokens=IssuedTokens("old-access", "old-refresh", datetime(2000, 1, 1, tzinfo=UTC)),
            cipher=application.state.token_cipher,
        )
        db.commit()

    @application.get("/api/test-vendor-call")
    def vendor_call(db: DbSession) -> None:
        vendor_access(
            db,
            user.id or 0,
            Provider.MICROSOFT,
            cipher=application.state.token_cipher,
            refresher=Revoked(),
            now=datetime.now(UTC),
        )

    with TestClient(application) as client:
        answer = client.get("/api/test-vendor-call")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "connection_unavailable"
    with Session(engine) as db:
        connection = get_connection(db, user.id, Provider.MICROSOFT)
        assert connection is not None and connection.status is ConnectionStatus.NEEDS_REAUTH


def test_the_api_documentation_keeps_its_cdn_but_cannot_be_framed(client: TestClient) -> None:
    csp = _directives(client.get("/docs").headers["content-security-policy"])
    assert "https://cdn.jsdelivr.net" in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
