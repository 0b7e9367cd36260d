"""What a browser and an OAuth client do in an authorization-code flow, with plain httpx against the sandbox."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from app.connectors.vendor_http import RebasingTransport

REDIRECT_URI = "https://crm.example.com/oauth/callback"


def vendor_client(base_url: str) -> httpx.Client:
    """A client that sends vendor URLs (``https://HOST/PATH``) to the sandbox, as crmbridge's connectors will."""
    return httpx.Client(transport=RebasingTransport(base_url), timeout=10)


def pkce_pair() -> tuple[str, str]:
    """A fresh (verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class SignInForm:
    """The sign-in page's form as a browser sees it."""

    action: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)
    checked: str | None = None
    other_address: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    alert: str | None = None
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form = SignInForm()
        self._label_for: str | None = None
        self._in_alert = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.form.action = attributes.get("action", "")
        elif tag == "input" and attributes.get("type") == "hidden":
            self.form.hidden[attributes["name"]] = attributes.get("value", "")
        elif tag == "input" and attributes.get("type") == "radio":
            self.form.accounts.append(attributes["value"])
            if "checked" in attributes:
                self.form.checked = attributes["value"]
        elif tag == "input" and attributes.get("name") == "other_address":
            self.form.other_address = attributes.get("value", "")
        elif tag == "label":
            self._label_for = attributes.get("for")
        elif tag == "button":
            self.form.buttons.append((attributes.get("name", ""), attributes.get("value", "")))
        elif attributes.get("role") == "alert":
            self._in_alert = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None
        if tag == "p":
            self._in_alert = False

    def handle_data(self, data: str) -> None:
        if self._label_for:
            self.form.labels[self._label_for] = self.form.labels.get(self._label_for, "") + data
        if self._in_alert:
            self.form.alert = (self.form.alert or "") + data


def parse_sign_in(html: str) -> SignInForm:
    """The form on a sign-in page."""
    parser = _FormParser()
    parser.feed(html)
    return parser.form


def open_sign_in(client: httpx.Client, authorize_url: str, params: dict[str, str]) -> tuple[httpx.Response, SignInForm]:
    """GET the authorization endpoint; the page and its form."""
    page = client.get(authorize_url, params=params)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    return page, parse_sign_in(page.text)


def submit(
    client: httpx.Client, page: httpx.Response, form: SignInForm, *, account: str, decision: str = "allow"
) -> httpx.Response:
    """Post the sign-in form as a browser would (the form's action resolved against the page's URL)."""
    fields = dict(form.hidden)
    if account in form.accounts:
        fields["account"] = account
    else:
        fields.update(account="other", other_address=account)
    fields["decision"] = decision
    return client.post(urljoin(str(page.url), form.action), data=fields)


def redirect_params(response: httpx.Response, redirect_uri: str = REDIRECT_URI) -> dict[str, str]:
    """The parameters the provider sent back to ``redirect_uri`` (query, or fragment)."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(redirect_uri), location
    parts = urlsplit(location)
    return dict(parse_qsl(parts.fragment or parts.query))


def verify_jwt(
    client: httpx.Client, discovery_url: str, token: str, *, issuer: str, audience: str, now: int | None = None
) -> dict[str, Any]:
    """Verify a JWT as a relying party does: keys from the discovery document's ``jwks_uri``, then signature,
    issuer, audience and expiry. Returns the claims."""
    discovery = client.get(discovery_url).json()
    keys = KeySet.import_key_set(client.get(discovery["jwks_uri"]).json())
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    assert decoded.header["kid"] in {key.kid for key in keys.keys}
    registry = JWTClaimsRegistry(
        now=now,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        iat={"essential": True},
    )
    registry.validate(decoded.claims)
    return decoded.claims


def api_access_token(
    vendor: httpx.Client,
    *,
    client_id: str,
    email: str,
    api_app_id: str | None = None,
    api_host: str = "127.0.0.1:8000",
    tenant: str = "common",
) -> str:
    """An access token for crmbridge's own API from the sandbox's Microsoft sign-in (code flow with PKCE), as
    Office's single sign-on gets one for the task pane: scope ``api://{api_host}/{api_app_id}/access_as_user``.

    ``api_app_id`` defaults to ``client_id``; another value gives a token for another API (a wrong audience).
    """
    login = f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0"
    verifier, challenge = pkce_pair()
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": f"api://{api_host}/{api_app_id or client_id}/access_as_user openid profile email",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "login_hint": email,
    }
    page, form = open_sign_in(vendor, f"{login}/authorize", params)
    code = redirect_params(submit(vendor, page, form, account=email))["code"]
    answer = vendor.post(
        f"{login}/token",
        data={
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
    )
    if answer.status_code != 200:
        raise AssertionError(f"the sandbox refused the token request: {answer.text}")
    token = str(answer.json()["access_token"])
    if token.count(".") != 2:
        raise AssertionError("expected a JWT access token")
    return token
