"""Items and containers as Graph's JSON, in the form a request asked for (id type, time zone, body type, $select).

Entities carry ``@odata.etag`` (``W/"<changeKey>"``); ids follow ``Prefer: IdType="ImmutableId"``; event times follow
``Prefer: outlook.timezone`` (UTC without it); bodies follow ``Prefer: outlook.body-content-type``.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.sandbox.directory import SandboxUser
from app.sandbox.microsoft import extended, ids
from app.sandbox.microsoft.calendar import Instance, instance_id
from app.sandbox.microsoft.models import Attachment, Folder, Item, Mailbox
from app.sandbox.microsoft.odata import Expand, apply_select
from app.sandbox.microsoft.schema import (
    CALENDAR,
    CONTACT,
    CONTACT_FOLDER,
    EVENT,
    MAIL_FOLDER,
    MESSAGE,
    TASK,
    TASK_LIST,
    USER,
    ResourceType,
)
from app.sandbox.microsoft.timezones import UTC_ZONE, Zone, format_local, format_utc

GRAPH_ROOT = "https://graph.microsoft.com/v1.0"


@dataclass(frozen=True)
class View:
    """How a request wants entities written."""

    immutable_ids: bool = False
    zone: Zone | None = None
    text_body: bool = False
    select: list[str] | None = None
    expand: list[Expand] = field(default_factory=list)


def context_url(fragment: str) -> str:
    """An ``@odata.context`` value."""
    return f"{GRAPH_ROOT}/$metadata#{fragment}"


def html_to_text(content: str) -> str:
    """The text Outlook derives from an HTML body (tags dropped, breaks kept, entities decoded)."""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", content)
    text = re.sub(r"(?s)<(script|style|head).*?</\1>", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    lines = [" ".join(line.split()) for line in html.unescape(text).splitlines()]
    return "\r\n".join(line for line in lines if line)


def preview(body: dict[str, Any]) -> str:
    """``bodyPreview``: the first 255 characters of the body's text."""
    content = str(body.get("content") or "")
    text = html_to_text(content) if body.get("contentType") == "html" else content
    return " ".join(text.split())[:255]


def _body(body: dict[str, Any], view: View) -> dict[str, Any]:
    if view.text_body and body.get("contentType") == "html":
        return {"contentType": "text", "content": html_to_text(str(body.get("content") or ""))}
    return dict(body)


def _base(resource: ResourceType, props: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for name, default in resource.defaults.items():
        value = props.get(name, default)
        if value is None and name in resource.omit_when_null:
            continue
        document[name] = value
    return document


def _expansions(item: Item, view: View, document: dict[str, Any]) -> None:
    for option in view.expand:
        if option.name == "singleValueExtendedProperties":
            document["singleValueExtendedProperties"] = extended.expanded(item, option.ids)
        elif option.name == "multiValueExtendedProperties":
            document["multiValueExtendedProperties"] = []


def _finish(
    document: dict[str, Any], item_id: str, change: str | None, view: View, keep: tuple[str, ...] = ()
) -> dict[str, Any]:
    head: dict[str, Any] = {}
    if change is not None:
        head["@odata.etag"] = ids.etag(change)
    head["id"] = item_id
    head.update(document)
    expansions = tuple(option.name for option in view.expand)
    return apply_select(head, view.select, keep=keep + expansions)


def contact(mailbox: Mailbox, item: Item, view: View) -> dict[str, Any]:
    """A contact."""
    change = mailbox.change_key(item.version)
    document = _base(CONTACT, item.props)
    document.update(
        createdDateTime=format_utc(item.created),
        lastModifiedDateTime=format_utc(item.modified),
        changeKey=change,
        parentFolderId=ids.folder_id(mailbox.guid, item.folder),
    )
    _expansions(item, view, document)
    return _finish(document, mailbox.item_id(item, immutable=view.immutable_ids), change, view)


def _event_time(moment: datetime, item: Item, zone: Zone, view: View) -> dict[str, str]:
    if item.props.get("isAllDay"):
        # All-day events are dates, not moments: they are not converted [unofficial: Microsoft Q&A].
        return format_local(moment, zone)
    return format_local(moment, view.zone or UTC_ZONE)


def event(mailbox: Mailbox, instance: Instance, view: View) -> dict[str, Any]:
    """An event: a single instance, series master, occurrence or exception."""
    item = instance.item
    change = mailbox.change_key(instance.version)
    document = _base(EVENT, item.props)
    master = instance.master
    is_occurrence = instance.type == "occurrence"
    document.update(
        createdDateTime=format_utc(item.created),
        lastModifiedDateTime=format_utc(item.modified),
        changeKey=change,
        originalStartTimeZone=item.start_zone.name,
        originalEndTimeZone=item.end_zone.name,
        iCalUId=ids.ical_uid(master.key if master is not None else item.key, instance.original_start),
        bodyPreview=preview(item.props.get("body") or {}),
        body=_body(item.props.get("body") or {"contentType": "html", "content": ""}, view),
        type=instance.type,
        seriesMasterId=mailbox.item_id(master, immutable=view.immutable_ids) if master is not None else None,
        start=_event_time(instance.start, item, item.start_zone, view),
        end=_event_time(instance.end, item, item.end_zone, view),
        recurrence=item.props.get("recurrence") if instance.type == "seriesMaster" else None,
        hasAttachments=bool(item.attachments),
        organizer=item.props.get("organizer") or _organizer(mailbox.user),
    )
    if instance.original_start is not None:
        document["originalStart"] = format_utc(instance.original_start)
    if is_occurrence:
        document["transactionId"] = None
    event_id = instance_id(mailbox, instance, immutable=view.immutable_ids)
    document["webLink"] = f"https://outlook.office365.com/owa/?itemid={event_id}&exvsurl=1&path=/calendar/item"
    _expansions(item, view, document)
    return _finish(document, event_id, change, view)


def _organizer(user: SandboxUser) -> dict[str, Any]:
    return {"emailAddress": {"name": user.name, "address": user.email}}


def task(mailbox: Mailbox, item: Item, view: View) -> dict[str, Any]:
    """A To Do task."""
    change = mailbox.change_key(item.version)
    document = _base(TASK, item.props)
    document.update(
        createdDateTime=format_utc(item.created),
        lastModifiedDateTime=format_utc(item.modified),
        bodyLastModifiedDateTime=format_utc(item.props.get("_bodyModified") or item.created),
    )
    return _finish(document, mailbox.item_id(item, immutable=view.immutable_ids), change, view)


def message(mailbox: Mailbox, item: Item, view: View) -> dict[str, Any]:
    """A mail message."""
    change = mailbox.change_key(item.version)
    document = _base(MESSAGE, item.props)
    message_id = mailbox.item_id(item, immutable=view.immutable_ids)
    body = item.props.get("body") or {"contentType": "html", "content": ""}
    document.update(
        createdDateTime=format_utc(item.created),
        lastModifiedDateTime=format_utc(item.modified),
        changeKey=change,
        parentFolderId=ids.folder_id(mailbox.guid, item.folder),
        hasAttachments=any(not a.is_inline for a in item.attachments),
        bodyPreview=preview(body),
        body=_body(body, view),
        webLink=f"https://outlook.office365.com/owa/?ItemID={message_id}&exvsurl=1&viewmodel=ReadMessageItem",
    )
    for option in view.expand:
        if option.name == "attachments":
            document["attachments"] = [attachment(mailbox, item, a, content=True) for a in item.attachments]
    _expansions(item, view, document)
    return _finish(document, message_id, change, view)


def attachment(
    mailbox: Mailbox, parent: Item, item: Attachment, *, content: bool, select: list[str] | None = None
) -> dict[str, Any]:
    """A file attachment (with ``contentBytes`` when the attachment itself is read)."""
    document: dict[str, Any] = {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "@odata.mediaContentType": item.content_type,
        "id": ids.attachment_id(mailbox.guid, parent.key, item.key),
        "lastModifiedDateTime": format_utc(item.modified),
        "name": item.name,
        "contentType": item.content_type,
        "size": len(item.content),
        "isInline": item.is_inline,
        "contentId": item.content_id,
        "contentLocation": None,
    }
    if content:
        document["contentBytes"] = base64.b64encode(item.content).decode("ascii")
    return apply_select(document, select)


def contact_folder(mailbox: Mailbox, folder: Folder, view: View) -> dict[str, Any]:
    """A contact folder."""
    document = _base(CONTACT_FOLDER, folder.props)
    document["parentFolderId"] = ids.folder_id(mailbox.guid, folder.parent) if folder.parent else None
    return _finish(document, mailbox.folder_id(folder), None, view)


def calendar(mailbox: Mailbox, folder: Folder, view: View) -> dict[str, Any]:
    """A calendar."""
    change = mailbox.change_key(folder.version)
    document = _base(CALENDAR, folder.props)
    document.update(changeKey=change, owner={"name": mailbox.user.name, "address": mailbox.user.email})
    return _finish(document, mailbox.folder_id(folder), change, view)


def task_list(mailbox: Mailbox, folder: Folder, view: View) -> dict[str, Any]:
    """A To Do task list."""
    change = mailbox.change_key(folder.version)
    return _finish(_base(TASK_LIST, folder.props), mailbox.folder_id(folder), change, view)


def mail_folder(mailbox: Mailbox, folder: Folder, view: View) -> dict[str, Any]:
    """A mail folder, with its item counts."""
    document = _base(MAIL_FOLDER, folder.props)
    messages = mailbox.items_in(folder.key, "message")
    document.update(
        parentFolderId=ids.folder_id(mailbox.guid, folder.parent) if folder.parent else None,
        childFolderCount=sum(1 for f in mailbox.folders.values() if f.parent == folder.key),
        totalItemCount=len(messages),
        unreadItemCount=sum(1 for m in messages if not m.props.get("isRead", True)),
    )
    return _finish(document, mailbox.folder_id(folder), None, view)


def category(entry: dict[str, str], select: list[str] | None = None) -> dict[str, Any]:
    """A master category."""
    return apply_select({"id": entry["id"], "displayName": entry["displayName"], "color": entry["color"]}, select)


def user(person: SandboxUser, select: list[str] | None = None) -> dict[str, Any]:
    """A directory user's default properties."""
    document = _base(USER, {})
    document.update(
        displayName=person.name,
        givenName=person.given_name,
        surname=person.family_name,
        mail=person.email,
        userPrincipalName=person.email,
        id=person.microsoft_id,
    )
    return apply_select(document, select)


def filter_document(document: dict[str, Any], item: Item | None) -> dict[str, Any]:
    """What ``$filter`` evaluates: the full representation plus every extended property."""
    if item is None:
        return document
    return {**document, "singleValueExtendedProperties": extended.every(item)}
