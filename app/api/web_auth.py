"""Who is signed in to the web pages, and the proof that a form came from one of our pages.

The session cookie holds a random token and its HMAC under ``CRMBRIDGE_SECRET_KEY``; the database keeps only the
token's SHA-256 (``web_sessions``), so signing out or removing a user ends the session at once. The cookie is
HttpOnly, SameSite=Lax, and Secure (with the ``__Host-`` prefix) when the public URL is https.

CSRF tokens are bound to the session: the HMAC of the session token under a separate purpose. Every
state-changing form carries one in ``csrf_token`` (or a script sends it as ``X-CSRF-Token``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlsplit

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.types import ExceptionHandler

from app.api.deps import DbSession
from app.api.error_handlers import error_response, wants_json
from app.errors import CsrfFailed, Forbidden, NotAuthenticated
from app.models import Role, User, utcnow
from app.services import web_sessions
from app.settings import Settings

#: In sandbox mode without CRMBRIDGE_SECRET_KEY, a key generated once and kept here (inside the data directory).
SANDBOX_SECRET_FILE = "sandbox-secret-key"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class PageUser:
    """Who is signed in, as page templates show it."""

    email: str
    name: str
    role: str


class SignInRequired(NotAuthenticated):
    """The page needs a signed-in user; browsers are sent to the sign-in page and back."""


@dataclass(frozen=True)
class WebAuth:
    """Keys and cookie settings of web sign-in, made once per application."""

    secret: bytes = field(repr=False)
    secure: bool
    session_lifetime: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> WebAuth:
        """From ``CRMBRIDGE_SECRET_KEY`` (in sandbox mode without one, a key kept in the data directory)."""
        configured = settings.secret_key.get_secret_value().strip() if settings.secret_key else ""
        if configured:
            secret = configured
        elif settings.sandbox_mode:
            secret = _sandbox_secret(settings.data_dir)
        else:  # `crmbridge serve` refuses to start without the key; an app built anyway forgets sessions on exit
            secret = secrets.token_urlsafe(32)
        return cls(
            secret=secret.encode(),
            secure=urlsplit(settings.public_url).scheme == "https",
            session_lifetime=timedelta(hours=settings.session_hours),
        )

    @property
    def session_cookie(self) -> str:
        """The session cookie's name (``__Host-`` prefixed over https, so no subdomain can set it)."""
        return "__Host-crmbridge_session" if self.secure else "crmbridge_session"

    def _mac(self, purpose: str, value: str) -> str:
        digest = hmac.new(self.secret, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def signed(self, token: str) -> str:
        """The cookie value for a session token."""
        return f"{token}.{self._mac('session', token)}"

    def unsigned(self, value: str | None) -> str | None:
        """The session token in a cookie value, or None when it was not signed by us."""
        token, _, mac = (value or "").rpartition(".")
        if not token or not hmac.compare_digest(mac, self._mac("session", token)):
            return None
        return token

    def csrf_token(self, session_token: str) -> str:
        """The CSRF token of forms in this session."""
        return self._mac("csrf", session_token)

    def fernet(self, purpose: str) -> Fernet:
        """An encryption key derived from the secret for one purpose (e.g. the pending sign-in cookie)."""
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"crmbridge {purpose}".encode()).derive(
            self.secret
        )
        return Fernet(base64.urlsafe_b64encode(key))

    def set_session_cookie(self, response: Response, token: str) -> None:
        """Sign the browser in."""
        response.set_cookie(
            self.session_cookie,
            self.signed(token),
            max_age=int(self.session_lifetime.total_seconds()),
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear_session_cookie(self, response: Response) -> None:
        """Sign the browser out."""
        response.delete_cookie(self.session_cookie, path="/", secure=self.secure, httponly=True, samesite="lax")


def _sandbox_secret(data_dir: Path) -> str:
    path = data_dir / SANDBOX_SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret)
    return secret


def web_auth(request: Request) -> WebAuth:
    """The application's WebAuth."""
    auth: WebAuth = request.app.state.web_auth
    return auth


def session_token(request: Request) -> str | None:
    """The session token the browser presented, if it is ours (not whether it is still valid)."""
    auth = web_auth(request)
    return auth.unsigned(request.cookies.get(auth.session_cookie))


def optional_user(request: Request, db: DbSession) -> User | None:
    """Dependency: the signed-in user, or None. Also makes the user and CSRF token available to templates."""
    token = session_token(request)
    user = web_sessions.session_user(db, token, now=utcnow()) if token else None
    # Templates get a snapshot: an error page may render after the request's session was rolled back.
    request.state.web_user = PageUser(email=user.email, name=user.name, role=user.role.value) if user else None
    request.state.csrf_token = web_auth(request).csrf_token(token) if (token and user) else None
    return user


def current_user(request: Request, user: Annotated[User | None, Depends(optional_user)]) -> User:
    """Dependency: the signed-in user; SignInRequired otherwise."""
    if user is None:
        raise SignInRequired()
    return user


def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    """Dependency: the signed-in user, who must be an admin."""
    if user.role is not Role.ADMIN:
        raise Forbidden("This page is for crmbridge administrators.")
    return user


async def require_csrf(request: Request, user: Annotated[User, Depends(current_user)]) -> None:
    """Dependency of every state-changing form: the form's CSRF token must be this session's."""
    expected = request.state.csrf_token
    presented = request.headers.get(CSRF_HEADER)
    if presented is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not expected or not presented or not hmac.compare_digest(presented, expected):
        raise CsrfFailed()


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]
CsrfChecked = Annotated[None, Depends(require_csrf)]


def template_context(request: Request) -> dict[str, object]:
    """Jinja2 context processor: the signed-in user (when the page looked them up) and the CSRF token."""
    return {
        "web_user": getattr(request.state, "web_user", None),
        "csrf_token": getattr(request.state, "csrf_token", None),
    }


def safe_next(target: str | None, default: str = "/connections") -> str:
    """A local path to return to after signing in (anything else, such as another site, becomes ``default``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    if request.method in ("GET", "HEAD") and not wants_json(request.url.path):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
    return error_response(request, status_code=exc.status_code, code=exc.code, message=exc.message)


def install_web_auth(app: FastAPI, settings: Settings) -> None:
    """Set up web sign-in on ``app``: its keys, and sending signed-out browsers to the sign-in page."""
    app.state.web_auth = WebAuth.from_settings(settings)
    handler: ExceptionHandler = _sign_in_required
    app.add_exception_handler(SignInRequired, handler)
