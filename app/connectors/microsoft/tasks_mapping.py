"""Pure conversions between a Microsoft To Do ``todoTask`` (Graph JSON) and the task projection.

Reading (``to_fields``): ``title`` -> subject; ``body`` -> notes as plain text (To Do answers text bodies, but an HTML
one is turned into text); ``dueDateTime`` -> due, the date in the task's own zone; ``status`` completed -> completed;
``importance`` high -> important. Writing: the due date goes out as midnight UTC; an open task reopens a completed one
as notStarted and leaves inProgress, waitingOnOthers and deferred as they are; not important turns high into normal
and leaves low as it is. The engine's marker is a linked resource of the application ``crmbridge`` (its
``externalId``), "an item in a partner application related to a todoTask".
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.connectors.microsoft import mapping as contact_mapping
from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CATEGORY, SelectionMethod
from app.connectors.task_fields import COMPLETED, DUE, IMPORTANT, NOTES, SUBJECT, TRUE
from app.sync.items import Fields, normalise_fields

#: The ``applicationName`` of crmbridge's linked resource.
APPLICATION_NAME = "crmbridge"
#: The ``displayName`` of crmbridge's linked resource (what To Do shows on the task).
LINK_DISPLAY_NAME = "Salesforce"
#: The navigation property that holds the marker, for ``$expand``.
EXPAND_LINKED = "linkedResources"

_OPEN_STATUS = "notStarted"
_DONE_STATUS = "completed"
_DUE_TIME = "T00:00:00"
_DUE_ZONE = "UTC"


def task_id(doc: Mapping[str, Any]) -> str:
    """The task's id."""
    return str(doc["id"])


def etag(doc: Mapping[str, Any]) -> str:
    """The task's ``@odata.etag`` ("" when the answer lacks one)."""
    return str(doc.get("@odata.etag") or "")


def categories(doc: Mapping[str, Any]) -> set[str]:
    """The task's categories, compared ignoring case as Outlook does."""
    return {str(name).casefold() for name in doc.get("categories") or [] if isinstance(name, str)}


def is_selected(doc: Mapping[str, Any], selection: SelectionMethod) -> bool:
    """Whether the task syncs: Manual wants "Sync with Salesforce", Automatic refuses "Don't sync with Salesforce"."""
    held = categories(doc)
    if selection is SelectionMethod.MANUAL:
        return SYNC_CATEGORY.casefold() in held
    return DONT_SYNC_CATEGORY.casefold() not in held


def marker_of(doc: Mapping[str, Any]) -> str | None:
    """The engine's marker: the ``externalId`` of crmbridge's linked resource, if the task has one."""
    for resource in doc.get(EXPAND_LINKED) or []:
        if isinstance(resource, dict) and resource.get("applicationName") == APPLICATION_NAME:
            external = resource.get("externalId")
            if isinstance(external, str) and external:
                return external
    return None


def has_linked_resources(doc: Mapping[str, Any]) -> bool:
    """Whether the answer carries the task's linked resources (expanded or returned by a create)."""
    return isinstance(doc.get(EXPAND_LINKED), list)


def modified_at(doc: Mapping[str, Any]) -> datetime | None:
    """``lastModifiedDateTime`` as an aware UTC datetime."""
    return contact_mapping.modified_at(doc)


def body_text(body: Any) -> str:
    """The body as plain text (an HTML body loses its markup, keeping its line breaks)."""
    if not isinstance(body, dict):
        return ""
    content = str(body.get("content") or "")
    if str(body.get("contentType") or "text").lower() != "html":
        return content
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", "", content)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


def due_date(doc: Mapping[str, Any]) -> str | None:
    """The due date (``YYYY-MM-DD``) in the task's own zone: the date part of ``dueDateTime.dateTime``."""
    due = doc.get("dueDateTime")
    if not isinstance(due, dict):
        return None
    moment = str(due.get("dateTime") or "")
    return moment[:10] if re.match(r"\d{4}-\d{2}-\d{2}", moment) else None


def to_fields(doc: Mapping[str, Any]) -> Fields:
    """A todoTask in the task projection."""
    raw: dict[str, object] = {
        SUBJECT: doc.get("title"),
        NOTES: body_text(doc.get("body")),
        DUE: due_date(doc),
        COMPLETED: TRUE if doc.get("status") == _DONE_STATUS else None,
        IMPORTANT: TRUE if doc.get("importance") == "high" else None,
    }
    return normalise_fields(raw)


def create_body(fields: Fields, *, marker: str, with_categories: list[str]) -> dict[str, Any]:
    """The POST body of a new task: the fields, the marker as a linked resource and the given categories."""
    body: dict[str, Any] = {
        "title": _text(fields.get(SUBJECT)),
        "body": {"content": _text(fields.get(NOTES)), "contentType": "text"},
        "importance": "high" if fields.get(IMPORTANT) == TRUE else "normal",
        "status": _DONE_STATUS if fields.get(COMPLETED) == TRUE else _OPEN_STATUS,
        EXPAND_LINKED: [{"applicationName": APPLICATION_NAME, "externalId": marker, "displayName": LINK_DISPLAY_NAME}],
    }
    due = fields.get(DUE)
    if isinstance(due, str) and due:
        body["dueDateTime"] = due_value(due)
    if with_categories:
        body["categories"] = list(with_categories)
    return body


def update_body(fields: Fields, current: Mapping[str, Any]) -> dict[str, Any]:
    """The PATCH body that makes the task ``current`` hold ``fields`` (the other properties left as they are)."""
    body: dict[str, Any] = {
        "title": _text(fields.get(SUBJECT)),
        "body": {"content": _text(fields.get(NOTES)), "contentType": "text"},
    }
    due = fields.get(DUE)
    wanted_due = due if isinstance(due, str) and due else None
    if wanted_due != due_date(current) or (wanted_due is None and current.get("dueDateTime") is not None):
        body["dueDateTime"] = due_value(wanted_due) if wanted_due else None
    status = current.get("status")
    if fields.get(COMPLETED) == TRUE:
        if status != _DONE_STATUS:
            body["status"] = _DONE_STATUS
    elif status == _DONE_STATUS:
        body["status"] = _OPEN_STATUS
    importance = current.get("importance")
    if fields.get(IMPORTANT) == TRUE:
        if importance != "high":
            body["importance"] = "high"
    elif importance == "high":
        body["importance"] = "normal"
    return body


def due_value(day: str) -> dict[str, str]:
    """A ``dueDateTime`` for a date: midnight, in UTC."""
    return {"dateTime": f"{day}{_DUE_TIME}", "timeZone": _DUE_ZONE}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
