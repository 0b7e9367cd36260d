"""The Outlook add-in's pages: its manifest, rendered for this deployment, and the task pane.

``addin/manifest.xml`` names ``https://localhost:8000`` and the sandbox's Entra ID client id, so that the file
works as it stands for a local install; ``/addin/manifest.xml`` serves it with ``CRMBRIDGE_PUBLIC_URL`` and
``CRMBRIDGE_MICROSOFT_CLIENT_ID`` in their place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from app.api.bearer_auth import SANDBOX_CLIENT_ID, addin_client_id
from app.api.email_logging import max_attachment_bytes
from app.settings import Settings

MANIFEST_PATH = Path(__file__).resolve().parent.parent.parent / "addin" / "manifest.xml"
#: Office.js, loaded from Microsoft's address as Office requires (never copied or bundled).
OFFICE_JS_URL = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
#: What the manifest in the repository points at, replaced when it is served.
LOCAL_BASE_URL = "https://localhost:8000"
LOCAL_API_PREFIX = "api://localhost:8000/"

router = APIRouter(include_in_schema=False)


def render_manifest(settings: Settings, source: str | None = None) -> str:
    """The add-in manifest for this deployment: its public URL and Entra ID client id in place of the local ones."""
    text = source if source is not None else MANIFEST_PATH.read_text(encoding="utf-8")
    base = settings.public_url.rstrip("/")
    host = urlsplit(base).netloc
    client_id = addin_client_id(settings) or SANDBOX_CLIENT_ID
    text = text.replace(LOCAL_API_PREFIX, escape(f"api://{host}/"))
    text = text.replace(LOCAL_BASE_URL, escape(base))
    return text.replace(SANDBOX_CLIENT_ID, escape(client_id))


@router.get("/addin/manifest.xml")
def manifest(request: Request) -> Response:
    """The add-in manifest to install in Outlook (sideload it, or upload it in the Microsoft 365 admin center)."""
    return Response(
        render_manifest(request.app.state.settings),
        media_type="application/xml",
        headers={"Content-Disposition": 'inline; filename="crmbridge-outlook-manifest.xml"'},
    )


def taskpane_context(settings: Settings, **extra: Any) -> dict[str, Any]:
    """What the task pane template needs: where Office.js comes from and the pane's settings."""
    context: dict[str, Any] = {
        "office_js_url": OFFICE_JS_URL,
        "standin": None,
        "pane_config": {"max_attachment_bytes": max_attachment_bytes(settings)},
    }
    context.update(extra)
    return context


@router.get("/taskpane", response_class=HTMLResponse)
def taskpane(request: Request) -> Response:
    """The task pane Outlook opens next to a message (read or compose)."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "taskpane.html", taskpane_context(request.app.state.settings))


def install_addin(app: FastAPI) -> None:
    """Add the Outlook add-in to ``app``: the sidebar API with its token validator and the org profile cache, the
    manifest and task pane, and in sandbox mode the demo with its Office.js stand-in. Call it once
    ``app.state.vendor_base_url`` is set."""
    from app.api import addin_demo, email_logging
    from app.api.bearer_auth import EntraTokenValidator
    from app.services.email_logging import OrgProfiles

    settings: Settings = app.state.settings
    app.state.api_token_validator = EntraTokenValidator(
        client_id=addin_client_id(settings), tenant=settings.microsoft_tenant, vendor_base_url=app.state.vendor_base_url
    )
    app.state.salesforce_org_profiles = OrgProfiles()
    app.include_router(email_logging.router)
    app.include_router(router)
    if settings.sandbox_mode:
        app.include_router(addin_demo.router)
