"""Server-rendered pages that are not part of a larger area."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from app.api.web_auth import OptionalUser

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, _user: OptionalUser) -> Response:
    """The landing page: what this service is and where to go next (signed in or not)."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "home.html", {"sandbox_mode": request.app.state.settings.sandbox_mode})
