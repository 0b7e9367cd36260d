"""Handlers for mail: messages, their file attachments, mail folders; and the moves Outlook users make."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from app.sandbox.microsoft import extended, ids, render
from app.sandbox.microsoft.exceptions import GraphError, bad_request, id_malformed, item_not_found
from app.sandbox.microsoft.models import Attachment, Folder, Item
from app.sandbox.microsoft.odata import apply_select
from app.sandbox.microsoft.responses import (
    check_if_match,
    entity,
    no_content,
    page,
    resolve_folder,
    resolve_item,
    writable,
)
from app.sandbox.microsoft.schema import MAIL_FOLDER, MESSAGE
from app.sandbox.microsoft.wire import GraphReply, GraphRequest

_NEWEST_FIRST: list[tuple[tuple[str, ...], bool]] = [(("receivedDateTime",), True)]


def _message(req: GraphRequest) -> Item:
    item = resolve_item(req, req.params["id"], "message")
    if "folder" in req.params and resolve_folder(req, req.params["folder"], "mailFolder").key != item.folder:
        raise item_not_found()
    return item


async def list_messages(req: GraphRequest) -> GraphReply:
    """GET /me/messages (every folder) or /me/mailFolders/{id}/messages, newest first."""
    mailbox = req.mailbox
    if "folder" in req.params:
        folder = resolve_folder(req, req.params["folder"], "mailFolder")
        items = mailbox.items_in(folder.key, "message")
        fragment = f"mailFolders('{req.params['folder']}')/messages"
    else:
        items = [i for i in mailbox.items.values() if i.kind == "message"]
        fragment = "messages"
    view = req.view(select=False)
    rows: list[tuple[dict[str, Any], Any]] = [(render.message(mailbox, item, view), item) for item in items]
    return page(req, MESSAGE, rows, fragment, filter_view=render.filter_document, default_order=_NEWEST_FIRST)


async def get_message(req: GraphRequest) -> GraphReply:
    """GET /me/messages/{id} (``Prefer: outlook.body-content-type="text"`` for a text body)."""
    return entity(req, render.message(req.mailbox, _message(req), req.view()), "messages/$entity")


async def create_message(req: GraphRequest) -> GraphReply:
    """POST /me/messages: a draft in the Drafts folder."""
    mailbox = req.mailbox
    props, navigation = writable(MESSAGE, req.json_body())
    drafts = mailbox.well_known("mailFolder", "drafts")
    assert drafts is not None
    me = {"emailAddress": {"name": mailbox.user.name, "address": mailbox.user.email}}
    props.setdefault("from", me)
    props.setdefault("sender", me)
    props.update(isDraft=True, isRead=True)
    item = mailbox.add_item("message", drafts, props, req.now)
    item.props["internetMessageId"] = f"<{item.key.hex()[:24].upper()}@{mailbox.user.email.split('@', 1)[1]}>"
    if "singleValueExtendedProperties" in navigation:
        extended.write(item, navigation["singleValueExtendedProperties"])
    for attachment in navigation.get("attachments") or []:
        _add_attachment(req, item, attachment)
    return entity(req, render.message(mailbox, item, req.view()), "messages/$entity", 201)


async def update_message(req: GraphRequest) -> GraphReply:
    """PATCH /me/messages/{id} (read state, categories, flag; a draft's content)."""
    item = _message(req)
    check_if_match(req, item.version)
    props, navigation = writable(MESSAGE, req.json_body())
    item.props.update(props)
    if "singleValueExtendedProperties" in navigation:
        extended.write(item, navigation["singleValueExtendedProperties"])
    req.mailbox.touch(item, req.now)
    return entity(req, render.message(req.mailbox, item, req.view()), "messages/$entity")


async def delete_message(req: GraphRequest) -> GraphReply:
    """DELETE /me/messages/{id}."""
    item = _message(req)
    check_if_match(req, item.version)
    req.mailbox.delete_item(item)
    return no_content()


async def move_message(req: GraphRequest) -> GraphReply:
    """POST /me/messages/{id}/move: the message in another folder, under a new REST id."""
    item = _message(req)
    destination = req.json_body().get("destinationId")
    if not isinstance(destination, str):
        raise bad_request("The destinationId of a move is required.", "ErrorInvalidRequest")
    folder = resolve_folder(req, destination, "mailFolder")
    req.mailbox.move_item(item, folder, req.now)
    return entity(req, render.message(req.mailbox, item, req.view()), "messages/$entity", 201)


def _attachment(req: GraphRequest, item: Item) -> Attachment:
    parsed = ids.parse_id(req.params["attachment"])
    if parsed is None:
        raise id_malformed()
    if parsed.kind != "attachment" or parsed.container != item.key:
        raise item_not_found()
    for attachment in item.attachments:
        if attachment.key == parsed.key:
            return attachment
    raise item_not_found()


async def list_attachments(req: GraphRequest) -> GraphReply:
    """GET /me/messages/{id}/attachments."""
    item = _message(req)
    mailbox = req.mailbox
    value = [render.attachment(mailbox, item, a, content=True, select=req.query.select) for a in item.attachments]
    context = render.context_url(req.context(f"messages('{req.params['id']}')/attachments"))
    return GraphReply(200, {"@odata.context": context, "value": value})


async def get_attachment(req: GraphRequest) -> GraphReply:
    """GET /me/messages/{id}/attachments/{id}: the file with its ``contentBytes``."""
    item = _message(req)
    document = render.attachment(req.mailbox, item, _attachment(req, item), content=True, select=req.query.select)
    return entity(req, document, f"messages('{req.params['id']}')/attachments/$entity")


async def get_attachment_value(req: GraphRequest) -> GraphReply:
    """GET /me/messages/{id}/attachments/{id}/$value: the raw file."""
    item = _message(req)
    attachment = _attachment(req, item)
    return GraphReply(200, attachment.content, {"Content-Type": attachment.content_type})


def _add_attachment(req: GraphRequest, item: Item, body: Any) -> Attachment:
    if not isinstance(body, dict):
        raise bad_request("An attachment must be a JSON object.")
    if body.get("@odata.type", "#microsoft.graph.fileAttachment").lstrip("#") != "microsoft.graph.fileAttachment":
        raise GraphError(400, "ErrorInvalidRequest", "Only file attachments are supported by the sandbox.")
    name, content = body.get("name"), body.get("contentBytes")
    if not isinstance(name, str) or not isinstance(content, str):
        raise bad_request("A file attachment needs a name and contentBytes.", "ErrorInvalidRequest")
    try:
        raw = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad_request("contentBytes is not valid base64.", "ErrorInvalidRequest") from exc
    attachment = Attachment(
        req.mailbox.new_key("attachment"),
        name,
        str(body.get("contentType") or "application/octet-stream"),
        raw,
        req.now,
        bool(body.get("isInline", False)),
        body.get("contentId"),
    )
    item.attachments.append(attachment)
    return attachment


async def add_attachment(req: GraphRequest) -> GraphReply:
    """POST /me/messages/{id}/attachments: a file attachment."""
    item = _message(req)
    attachment = _add_attachment(req, item, req.json_body())
    req.mailbox.touch(item, req.now)
    document = render.attachment(req.mailbox, item, attachment, content=True)
    return entity(req, document, f"messages('{req.params['id']}')/attachments/$entity", 201)


async def list_mail_folders(req: GraphRequest) -> GraphReply:
    """GET /me/mailFolders."""
    mailbox = req.mailbox
    view = req.view(select=False)
    folders: list[Folder] = [f for f in mailbox.folders_of("mailFolder") if f.parent is None]
    rows: list[tuple[dict[str, Any], Any]] = [(render.mail_folder(mailbox, f, view), f) for f in folders]
    return page(req, MAIL_FOLDER, rows, "mailFolders")


async def get_mail_folder(req: GraphRequest) -> GraphReply:
    """GET /me/mailFolders/{id or well-known name}."""
    folder = resolve_folder(req, req.params["folder"], "mailFolder")
    document = render.mail_folder(req.mailbox, folder, req.view())
    return entity(req, apply_select(document, req.query.select), "mailFolders/$entity")
