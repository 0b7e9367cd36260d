"""Master categories: the user's list of category names and their preset colours ("outlookCategory resource type")."""

from __future__ import annotations

import uuid
from typing import Any

from app.sandbox.microsoft.exceptions import GraphError, bad_request
from app.sandbox.microsoft.models import Mailbox
from app.sandbox.microsoft.schema import CATEGORY_COLORS

#: The categories a new Outlook mailbox starts with [unofficial: Outlook's defaults, not in the Graph docs].
DEFAULT_CATEGORIES = (
    ("Red category", "preset0"),
    ("Orange category", "preset1"),
    ("Yellow category", "preset3"),
    ("Green category", "preset4"),
    ("Blue category", "preset7"),
    ("Purple category", "preset8"),
)


def category_entry(email: str, display_name: str, color: str) -> dict[str, str]:
    """A master category with a deterministic GUID id."""
    category_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"outlook-category:{email}:{display_name}"))
    return {"id": category_id, "displayName": display_name, "color": color}


def _color(value: Any) -> str:
    if not isinstance(value, str):
        raise bad_request("The color must be one of the preset constants (none, preset0 .. preset24).")
    for known in CATEGORY_COLORS:
        if known.lower() == value.lower():
            return known
    raise bad_request(f"The value '{value}' is not a valid categoryColor.")


def create(mailbox: Mailbox, body: Any) -> dict[str, str]:
    """Add a category from a POST body; 409 if the name is taken (names are unique, ignoring case)."""
    if not isinstance(body, dict) or not isinstance(body.get("displayName"), str) or not body["displayName"].strip():
        raise bad_request("The displayName of a category is required.")
    unknown = set(body) - {"displayName", "color", "@odata.type"}
    if unknown:
        raise GraphError(
            400,
            "RequestBodyRead",
            f"The property '{sorted(unknown)[0]}' does not exist on type 'Microsoft.OutlookServices.OutlookCategory'.",
        )
    name = body["displayName"].strip()
    if any(c["displayName"].lower() == name.lower() for c in mailbox.categories):
        raise GraphError(409, "ErrorDuplicate", f"A category with the name '{name}' already exists.")
    entry = category_entry(mailbox.user.email, name, _color(body.get("color", "none")))
    mailbox.categories.append(entry)
    return entry


def find(mailbox: Mailbox, category_id: str) -> dict[str, str]:
    """A category by id; 404 if none."""
    for entry in mailbox.categories:
        if entry["id"] == category_id:
            return entry
    raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def update(entry: dict[str, str], body: Any) -> None:
    """Change a category's colour (the only writable property; the name is read-only after creation)."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    if "displayName" in body and body["displayName"] != entry["displayName"]:
        raise bad_request("The displayName of a category cannot be changed.", "ErrorInvalidProperty")
    if "color" in body:
        entry["color"] = _color(body["color"])
