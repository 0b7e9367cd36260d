"""Sandbox mode only: the task pane in an ordinary browser, on a message from a demo user's sandbox mailbox.

``/addin/demo`` lists the sandbox's Microsoft users and their messages; ``/addin/demo/taskpane`` is the real task
pane with a stand-in for Office.js (``static/addin/office-standin.js``), clearly marked, that serves the chosen
message. Logging writes to the sandbox's Salesforce org through crmbridge's real API, with an access token the
sandbox's Microsoft identity provider issues through the authorization code flow, validated like any other.

These routes exist only when the application runs in sandbox mode (``create_app`` leaves them out otherwise), and
they talk only to the sandbox: its control API for the users and a Graph token, its Graph emulator for the
messages, its Microsoft token endpoint to redeem the sign-in's code (the browser cannot: the sandbox's token
endpoint, like Microsoft's for confidential clients, is not open to other origins).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from app.api.addin import taskpane_context
from app.api.bearer_auth import API_SCOPE, MICROSOFT_LOGIN, addin_client_id
from app.connectors.vendor_http import RebasingTransport, rebase_url
from app.errors import InvalidInput, NotFound, ServiceUnavailable
from app.settings import Settings

router = APIRouter(include_in_schema=False)

GRAPH = "https://graph.microsoft.com/v1.0"
HTTP_TIMEOUT_SECONDS = 15.0
MESSAGES_PER_FOLDER = 15
_MESSAGE_FIELDS = (
    "subject,from,toRecipients,ccRecipients,receivedDateTime,sentDateTime,hasAttachments,internetMessageId"
)


class SandboxGateway:
    """The few sandbox calls the demo makes, over HTTP (production code never imports the sandbox)."""

    def __init__(self, base_url: str, tenant: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant = tenant

    def _client(self) -> httpx.Client:
        return httpx.Client(transport=RebasingTransport(self.base_url), timeout=HTTP_TIMEOUT_SECONDS)

    def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            with self._client() as client:
                response = client.request(method, url, **kwargs)
        except httpx.HTTPError:
            raise ServiceUnavailable("The sandbox could not be reached; is it running?") from None
        if response.status_code == 404:
            raise NotFound("The sandbox has no such user or message.")
        if response.status_code >= 400:
            raise ServiceUnavailable(f"The sandbox answered {response.status_code}.")
        return response.json()

    def microsoft_users(self) -> list[dict[str, Any]]:
        """The sandbox users with a Microsoft mailbox."""
        users = self._json("GET", f"{self.base_url}/_sandbox/users").get("users", [])
        return [user for user in users if user.get("mail_provider") == "microsoft"]

    def _graph_headers(self, user: str, **extra: str) -> dict[str, str]:
        token = self._json("POST", f"{self.base_url}/_sandbox/token", json={"provider": "microsoft", "user": user})
        return {"Authorization": f"Bearer {token['access_token']}", **extra}

    def messages(self, user: str) -> list[dict[str, Any]]:
        """The newest messages of the user's inbox and sent items."""
        headers = self._graph_headers(user)
        found: list[dict[str, Any]] = []
        for folder in ("inbox", "sentitems"):
            url = f"{GRAPH}/me/mailFolders/{folder}/messages"
            params = {"$top": str(MESSAGES_PER_FOLDER), "$select": _MESSAGE_FIELDS}
            for message in self._json("GET", url, headers=headers, params=params).get("value", []):
                found.append({**message, "folder": "Inbox" if folder == "inbox" else "Sent Items"})
        return found

    def office_item(self, user: str, message_id: str) -> dict[str, Any]:
        """A message as the stand-in's ``Office.context.mailbox.item`` shows it (bodies and file contents too)."""
        headers = self._graph_headers(user)
        url = f"{GRAPH}/me/messages/{quote(message_id, safe='')}"
        html = self._json("GET", url, headers=headers)
        text = self._json("GET", url, headers={**headers, "Prefer": 'outlook.body-content-type="text"'})
        attachments = self._json("GET", f"{url}/attachments", headers=headers).get("value", [])
        return {
            "internetMessageId": html.get("internetMessageId"),
            "subject": html.get("subject") or "",
            "from": _office_address(html.get("from")),
            "to": [_office_address(item) for item in html.get("toRecipients") or []],
            "cc": [_office_address(item) for item in html.get("ccRecipients") or []],
            "dateTimeCreated": html.get("receivedDateTime") or html.get("sentDateTime"),
            "bodyHtml": (html.get("body") or {}).get("content") or "",
            "bodyText": (text.get("body") or {}).get("content") or "",
            "attachments": [
                {
                    "id": item.get("id"),
                    "name": item.get("name"),
                    "size": item.get("size") or 0,
                    "contentType": item.get("contentType"),
                    "isInline": bool(item.get("isInline")),
                    "contentBytes": item.get("contentBytes") or "",
                }
                for item in attachments
                if str(item.get("@odata.type", "")).endswith("fileAttachment")
            ],
        }

    def redeem(self, *, client_id: str, code: str, code_verifier: str, redirect_uri: str) -> dict[str, Any]:
        """Redeem an authorization code at the sandbox's Microsoft token endpoint (a public client, with PKCE)."""
        url = f"{MICROSOFT_LOGIN}/{self.tenant}/oauth2/v2.0/token"
        form = {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": code,
            "code_verifier": code_verifier,
            "redirect_uri": redirect_uri,
        }
        try:
            with self._client() as client:
                response = client.post(url, data=form)
        except httpx.HTTPError:
            raise ServiceUnavailable("The sandbox could not be reached; is it running?") from None
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        if response.status_code != 200 or "access_token" not in body:
            raise InvalidInput(f"The sandbox refused the sign-in: {body.get('error_description') or body.get('error')}")
        return {"access_token": body["access_token"], "expires_in": int(body.get("expires_in") or 3600)}


def _office_address(value: Any) -> dict[str, str] | None:
    address = (value or {}).get("emailAddress") or {}
    if not address.get("address"):
        return None
    return {"emailAddress": address["address"], "displayName": address.get("name") or address["address"]}


def _gateway(request: Request) -> SandboxGateway:
    base = request.app.state.vendor_base_url
    if not base:
        raise NotFound("The demo exists only in sandbox mode.")
    settings: Settings = request.app.state.settings
    return SandboxGateway(base, settings.microsoft_tenant)


@router.get("/addin/demo", response_class=HTMLResponse)
def demo(request: Request, user: Annotated[str | None, Query(max_length=320)] = None) -> Response:
    """Pick a demo user and one of their messages."""
    gateway = _gateway(request)
    users = gateway.microsoft_users()
    chosen = next((item for item in users if item["email"] == (user or "").strip().lower()), None)
    if chosen is None:
        chosen = next((item for item in users if item.get("salesforce_user")), users[0] if users else None)
    messages = gateway.messages(chosen["email"]) if chosen else []
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "addin_demo.html", {"users": users, "chosen": chosen, "messages": messages}
    )


@router.get("/addin/demo/taskpane", response_class=HTMLResponse)
def demo_taskpane(
    request: Request,
    user: Annotated[str, Query(max_length=320)],
    message: Annotated[str, Query(max_length=1000)],
) -> Response:
    """The real task pane, with the Office.js stand-in serving ``message`` from ``user``'s sandbox mailbox."""
    gateway = _gateway(request)
    settings: Settings = request.app.state.settings
    users = {item["email"]: item for item in gateway.microsoft_users()}
    person = users.get(user.strip().lower())
    if person is None:
        raise NotFound("There is no Microsoft user with that address in the sandbox.")
    client_id = addin_client_id(settings) or ""
    base = settings.public_url.rstrip("/")
    standin = {
        "user": person["email"],
        "userName": person["name"],
        "item": gateway.office_item(person["email"], message),
        "clientId": client_id,
        "scope": f"api://{urlsplit(base).netloc}/{client_id}/{API_SCOPE} openid profile",
        "authorizeUrl": rebase_url(
            f"{MICROSOFT_LOGIN}/{settings.microsoft_tenant}/oauth2/v2.0/authorize", gateway.base_url
        ),
        "redirectUri": str(request.url_for("demo_signed_in")),
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "taskpane.html", taskpane_context(settings, standin=standin))


@router.get("/addin/demo/signed-in", response_class=HTMLResponse, name="demo_signed_in")
def demo_signed_in(request: Request) -> Response:
    """Where the sandbox's Microsoft sign-in returns: the page redeems the code and goes back to the message."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "addin_demo_signed_in.html", {})


class CodeRedemption(BaseModel):
    """An authorization code from the sandbox's Microsoft sign-in, with its PKCE verifier."""

    code: str = Field(min_length=1, max_length=4096)
    code_verifier: str = Field(min_length=1, max_length=256)
    redirect_uri: str = Field(min_length=1, max_length=2048)


@router.post("/addin/demo/token")
def demo_token(request: Request, body: CodeRedemption) -> dict[str, Any]:
    """Redeem the stand-in's authorization code at the sandbox for an access token to crmbridge's API."""
    settings: Settings = request.app.state.settings
    return _gateway(request).redeem(
        client_id=addin_client_id(settings) or "",
        code=body.code,
        code_verifier=body.code_verifier,
        redirect_uri=body.redirect_uri,
    )
