"""Handlers for the user profile (``/me``, ``/users/{id}``) and the master category list."""

from __future__ import annotations

from app.sandbox.microsoft import categories, render
from app.sandbox.microsoft.odata import apply_select, check_properties
from app.sandbox.microsoft.responses import entity, no_content
from app.sandbox.microsoft.schema import CATEGORY, USER
from app.sandbox.microsoft.wire import GraphReply, GraphRequest


async def get_user(req: GraphRequest) -> GraphReply:
    """GET /me or /users/{id | userPrincipalName}: the user's default properties."""
    check_properties(req.query, USER)
    document = render.user(req.target, req.query.select)
    return GraphReply(200, {"@odata.context": render.context_url("users/$entity"), **document})


async def list_categories(req: GraphRequest) -> GraphReply:
    """GET /me/outlook/masterCategories."""
    check_properties(req.query, CATEGORY)
    value = [render.category(entry, req.query.select) for entry in req.mailbox.categories]
    context = render.context_url(req.context("outlook/masterCategories"))
    return GraphReply(200, {"@odata.context": context, "value": value})


async def create_category(req: GraphRequest) -> GraphReply:
    """POST /me/outlook/masterCategories: a new category with a preset colour."""
    entry = categories.create(req.mailbox, req.json_body())
    return entity(req, render.category(entry), "outlook/masterCategories/$entity", 201)


async def get_category(req: GraphRequest) -> GraphReply:
    """GET /me/outlook/masterCategories/{id}."""
    entry = categories.find(req.mailbox, req.params["id"])
    return entity(req, apply_select(render.category(entry), req.query.select), "outlook/masterCategories/$entity")


async def update_category(req: GraphRequest) -> GraphReply:
    """PATCH /me/outlook/masterCategories/{id}: change the colour."""
    entry = categories.find(req.mailbox, req.params["id"])
    categories.update(entry, req.json_body())
    return entity(req, render.category(entry), "outlook/masterCategories/$entity")


async def delete_category(req: GraphRequest) -> GraphReply:
    """DELETE /me/outlook/masterCategories/{id} (items keep the name in their categories, as in Outlook)."""
    entry = categories.find(req.mailbox, req.params["id"])
    req.mailbox.categories.remove(entry)
    return no_content()
