"""The sync dashboard: the signed-in user's page (``/dashboard``), the admins' page (``/admin/dashboard``), and
the same data as JSON for the bearer-token API (``/api/dashboard``, ``/api/admin/dashboard``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app.api.bearer_auth import ApiUser
from app.api.deps import DbSession
from app.api.web_auth import AdminUser, CurrentUser
from app.errors import Forbidden
from app.models import Role, User
from app.services import dashboard
from app.services.svg_chart import activity_chart

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["dashboard"])
#: The one router ``create_app`` includes: the pages and the API.
router = APIRouter()

NO_STORE = {"Cache-Control": "no-store"}


def _now() -> datetime:
    return datetime.now(UTC)


def _render(request: Request, template: str, context: dict[str, object]) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, headers=NO_STORE)


def _chart(days: list[dashboard.DayActivity], title: str) -> Markup:
    # activity_chart escapes every text it draws, so its SVG is safe to place in the page as it is.
    return Markup(activity_chart(days, title=title))


@pages.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, user: CurrentUser, db: DbSession) -> Response:
    """The signed-in user's sync: the last pass, what needs attention, the conflict log and the last 30 days."""
    assert user.id is not None
    view = dashboard.user_dashboard(db, user.id, now=_now())
    chart = _chart(view.days, f"Your sync activity over the last {dashboard.SERIES_DAYS} days")
    return _render(request, "dashboard.html", {"view": view, "chart": chart})


@pages.get("/admin/dashboard", response_class=HTMLResponse)
def admin_dashboard_page(request: Request, admin: AdminUser, db: DbSession) -> Response:
    """Every user's last pass, and everyone's activity over the last 30 days (admins only)."""
    view = dashboard.admin_dashboard(db, now=_now())
    chart = _chart(view.days, f"Everyone's sync activity over the last {dashboard.SERIES_DAYS} days")
    return _render(request, "admin_dashboard.html", {"view": view, "chart": chart})


def api_admin(user: ApiUser) -> User:
    """Dependency: the bearer token's user, who must be a crmbridge admin (403 otherwise)."""
    if user.role is not Role.ADMIN:
        raise Forbidden("The sync dashboard of every user is for crmbridge administrators; ask one of them.")
    return user


@api.get("/dashboard", response_model=dashboard.UserDashboard, summary="Your sync dashboard")
def dashboard_json(user: ApiUser, db: DbSession) -> dashboard.UserDashboard:
    """The caller's sync: the last pass and the next, what went wrong in words, the latest passes, the conflict
    log (latest first) and the passes, changes and errors of each of the last 30 days (UTC)."""
    assert user.id is not None
    return dashboard.user_dashboard(db, user.id, now=_now())


@api.get(
    "/admin/dashboard",
    response_model=dashboard.AdminDashboard,
    summary="Every user's sync",
    responses={403: {"description": "The caller is not a crmbridge admin."}},
)
def admin_dashboard_json(admin: Annotated[User, Depends(api_admin)], db: DbSession) -> dashboard.AdminDashboard:
    """Every user's last pass (status, errors, message) and everyone's passes, changes and errors of each of the
    last 30 days (UTC). For crmbridge admins only."""
    return dashboard.admin_dashboard(db, now=_now())


router.include_router(pages)
router.include_router(api)
