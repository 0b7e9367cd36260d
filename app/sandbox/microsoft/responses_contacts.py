"""Handlers for personal contacts and contact folders: list, create, read, update, delete, delta."""

from __future__ import annotations

from typing import Any

from app.sandbox.microsoft import extended, render
from app.sandbox.microsoft.exceptions import GraphError, bad_request, item_not_found
from app.sandbox.microsoft.models import Folder, Item
from app.sandbox.microsoft.responses import (
    check_if_match,
    entity,
    folders_delta,
    items_delta,
    no_content,
    page,
    resolve_folder,
    resolve_item,
    writable,
)
from app.sandbox.microsoft.schema import CONTACT, CONTACT_FOLDER
from app.sandbox.microsoft.wire import GraphReply, GraphRequest


def _folder(req: GraphRequest) -> Folder:
    if "folder" in req.params:
        return resolve_folder(req, req.params["folder"], "contactFolder")
    return req.mailbox.default_folder("contactFolder")


def _list_fragment(req: GraphRequest) -> str:
    return f"contactFolders('{req.params['folder']}')/contacts" if "folder" in req.params else "contacts"


def _display_name(props: dict[str, Any]) -> str:
    parts = [props.get("givenName"), props.get("middleName"), props.get("surname")]
    return " ".join(str(p) for p in parts if p)


async def list_contacts(req: GraphRequest) -> GraphReply:
    """GET .../contacts: the contacts of the default folder or of one folder."""
    folder = _folder(req)
    mailbox = req.mailbox
    view = req.view(select=False)
    rows = [(render.contact(mailbox, item, view), item) for item in mailbox.items_in(folder.key, "contact")]
    return page(req, CONTACT, rows, _list_fragment(req), filter_view=render.filter_document)


async def create_contact(req: GraphRequest) -> GraphReply:
    """POST .../contacts: a new contact in the default folder or in one folder."""
    folder = _folder(req)
    props, navigation = writable(CONTACT, req.json_body())
    if not props.get("displayName"):
        props["displayName"] = _display_name(props)
    item = req.mailbox.add_item("contact", folder, props, req.now)
    _write_navigation(item, navigation)
    return entity(req, render.contact(req.mailbox, item, req.view()), "contacts/$entity", 201)


def _write_navigation(item: Item, navigation: dict[str, Any]) -> None:
    if "singleValueExtendedProperties" in navigation:
        extended.write(item, navigation["singleValueExtendedProperties"])


def _contact(req: GraphRequest) -> Item:
    item = resolve_item(req, req.params["id"], "contact")
    if "folder" in req.params and resolve_folder(req, req.params["folder"], "contactFolder").key != item.folder:
        raise item_not_found()
    return item


async def get_contact(req: GraphRequest) -> GraphReply:
    """GET .../contacts/{id} (``$select``, ``$expand=singleValueExtendedProperties($filter=id eq '...')``)."""
    item = _contact(req)
    return entity(req, render.contact(req.mailbox, item, req.view()), "contacts/$entity")


async def update_contact(req: GraphRequest) -> GraphReply:
    """PATCH .../contacts/{id}, honouring ``If-Match``."""
    item = _contact(req)
    check_if_match(req, item.version)
    props, navigation = writable(CONTACT, req.json_body())
    item.props.update(props)
    _write_navigation(item, navigation)
    req.mailbox.touch(item, req.now)
    return entity(req, render.contact(req.mailbox, item, req.view()), "contacts/$entity")


async def delete_contact(req: GraphRequest) -> GraphReply:
    """DELETE .../contacts/{id}, honouring ``If-Match``."""
    item = _contact(req)
    check_if_match(req, item.version)
    req.mailbox.delete_item(item)
    return no_content()


async def contacts_delta(req: GraphRequest) -> GraphReply:
    """GET .../contacts/delta: the changes to one folder's contacts (the default folder for ``/me/contacts``)."""
    return items_delta(req, "contacts", _folder(req), "contact", render.contact)


# -- contact folders


def _children_parent(req: GraphRequest) -> Folder:
    if "folder" in req.params:
        return resolve_folder(req, req.params["folder"], "contactFolder")
    return req.mailbox.default_folder("contactFolder")


async def list_contact_folders(req: GraphRequest) -> GraphReply:
    """GET /me/contactFolders (folders in the default Contacts folder) or .../childFolders."""
    parent = _children_parent(req)
    mailbox = req.mailbox
    view = req.view(select=False)
    folders = [f for f in mailbox.folders_of("contactFolder") if f.parent == parent.key]
    rows: list[tuple[dict[str, Any], Any]] = [(render.contact_folder(mailbox, f, view), f) for f in folders]
    fragment = f"contactFolders('{req.params['folder']}')/childFolders" if "folder" in req.params else "contactFolders"
    return page(req, CONTACT_FOLDER, rows, fragment)


async def create_contact_folder(req: GraphRequest) -> GraphReply:
    """POST /me/contactFolders or .../childFolders: a new folder (names are unique among siblings)."""
    parent = _children_parent(req)
    props, _ = writable(CONTACT_FOLDER, req.json_body())
    name = props.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("The displayName of a contact folder is required.", "ErrorInvalidRequest")
    mailbox = req.mailbox
    if any(
        f.parent == parent.key and f.props.get("displayName", "").lower() == name.lower()
        for f in mailbox.folders.values()
    ):
        raise GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.")
    folder = mailbox.add_folder("contactFolder", {"displayName": name}, parent=parent.key)
    return entity(req, render.contact_folder(mailbox, folder, req.view()), "contactFolders/$entity", 201)


async def get_contact_folder(req: GraphRequest) -> GraphReply:
    """GET /me/contactFolders/{id}."""
    folder = resolve_folder(req, req.params["folder"], "contactFolder")
    return entity(req, render.contact_folder(req.mailbox, folder, req.view()), "contactFolders/$entity")


async def update_contact_folder(req: GraphRequest) -> GraphReply:
    """PATCH /me/contactFolders/{id}: rename or move under another folder."""
    folder = resolve_folder(req, req.params["folder"], "contactFolder")
    props, _ = writable(CONTACT_FOLDER, req.json_body())
    body = req.json_body()
    if "parentFolderId" in body:
        folder.parent = resolve_folder(req, str(body["parentFolderId"]), "contactFolder").key
    req.mailbox.update_folder(folder, {k: v for k, v in props.items() if k == "displayName"})
    return entity(req, render.contact_folder(req.mailbox, folder, req.view()), "contactFolders/$entity")


async def delete_contact_folder(req: GraphRequest) -> GraphReply:
    """DELETE /me/contactFolders/{id} (the default Contacts folder cannot be deleted)."""
    folder = resolve_folder(req, req.params["folder"], "contactFolder")
    if folder.well_known:
        raise GraphError(400, "ErrorDeleteDistinguishedFolder", "Distinguished folders cannot be deleted.")
    req.mailbox.delete_folder(folder)
    return no_content()


async def contact_folders_delta(req: GraphRequest) -> GraphReply:
    """GET /me/contactFolders/delta: contact folders added, renamed or deleted."""
    return folders_delta(req, "contactFolders", "contactFolder", render.contact_folder)
