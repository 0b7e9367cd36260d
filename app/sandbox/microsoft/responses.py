"""What every Graph handler shares: resolving ids, checking bodies and ``If-Match``, paging lists, and driving delta
rounds. The handlers themselves live in ``responses_*.py``, one module per area."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from app.sandbox.microsoft import delta as delta_rounds
from app.sandbox.microsoft import ids
from app.sandbox.microsoft.exceptions import (
    GraphError,
    change_key_mismatch,
    id_malformed,
    item_not_found,
    unknown_body_property,
)
from app.sandbox.microsoft.models import FOLDER_SCOPES, Folder, FolderKind, Item, ItemKind, Mailbox
from app.sandbox.microsoft.odata import apply_select, check_properties, filtered, order
from app.sandbox.microsoft.render import GRAPH_ROOT, View, context_url
from app.sandbox.microsoft.schema import COMPLEX_MEMBERS, ResourceType
from app.sandbox.microsoft.wire import GraphReply, GraphRequest

#: Items per page of an Outlook list without ``$top`` [unofficial: forum reports; matches Graph's examples].
DEFAULT_PAGE_SIZE = 10

_WELL_KNOWN_FOLDERS: dict[FolderKind, dict[str, str]] = {
    "contactFolder": {"contacts": "contacts"},
    "calendar": {"calendar": "calendar"},
    "todoList": {},
    "mailFolder": {"inbox": "inbox", "sentitems": "sentitems", "drafts": "drafts", "deleteditems": "deleteditems"},
}


# -- ids


def resolve_item(req: GraphRequest, raw_id: str, kind: ItemKind) -> Item:
    """The item a REST or immutable id names; 400 if malformed, 404 if unknown or if the REST id is stale."""
    parsed = ids.parse_id(raw_id)
    if parsed is None:
        raise id_malformed()
    mailbox = req.mailbox
    if parsed.mailbox_guid != mailbox.guid or parsed.kind != "item":
        raise item_not_found()
    item = mailbox.items.get(parsed.key)
    if item is None or item.kind != kind:
        raise item_not_found()
    if not parsed.immutable and parsed.container != item.folder:
        raise item_not_found()
    return item


def resolve_folder(req: GraphRequest, raw_id: str, kind: FolderKind) -> Folder:
    """The container an id (or a well-known name such as ``inbox``) names."""
    mailbox = req.mailbox
    well_known = _WELL_KNOWN_FOLDERS[kind].get(raw_id.lower())
    if well_known is not None:
        folder = mailbox.well_known(kind, well_known)
        if folder is not None:
            return folder
    parsed = ids.parse_id(raw_id)
    if parsed is None:
        raise id_malformed()
    if parsed.kind != "folder" or parsed.mailbox_guid != mailbox.guid:
        raise item_not_found()
    folder = mailbox.folders.get(parsed.key)
    if folder is None or folder.kind != kind:
        raise item_not_found()
    return folder


def check_if_match(req: GraphRequest, version: int) -> None:
    """412 when ``If-Match`` names another version than the current one (``*`` matches any)."""
    header = req.headers.get("if-match")
    if header is None:
        return
    current = req.mailbox.change_key(version)
    for candidate in header.split(","):
        value = candidate.strip()
        if value == "*":
            return
        if value.startswith("W/"):
            value = value[2:]
        if value.strip('"') == current:
            return
    raise change_key_mismatch()


# -- bodies


def _check_type(name: str, value: Any, default: Any, type_name: str) -> None:
    expected: type | tuple[type, ...] | None = None
    if isinstance(default, list):
        expected = list
    elif isinstance(default, dict):
        expected = dict
    elif isinstance(default, bool):
        expected = bool
    elif isinstance(default, int):
        expected = int
    elif isinstance(default, str):
        expected = str
    if value is None or expected is None:
        return
    if isinstance(value, bool) and expected is int:
        expected = ()
    if not isinstance(value, expected):
        raise GraphError(
            400,
            "RequestBodyRead",
            f"Cannot convert the value of property '{name}' on type '{type_name}' to the expected type.",
        )


def _check_complex(name: str, value: Any, complex_type: str) -> None:
    members = COMPLEX_MEMBERS[complex_type]
    values = value if isinstance(value, list) else [value]
    for entry in values:
        if entry is None:
            continue
        if not isinstance(entry, dict):
            raise GraphError(400, "RequestBodyRead", f"The value of property '{name}' must be a {complex_type}.")
        for member in entry:
            if member not in members and not member.startswith("@"):
                raise unknown_body_property(
                    member, f"Microsoft.OutlookServices.{complex_type[0].upper()}{complex_type[1:]}"
                )


def writable(resource: ResourceType, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a request body into writable properties and navigation properties; 400 for unknown properties.

    Read-only properties are dropped, as Graph ignores them.
    """
    props: dict[str, Any] = {}
    navigation: dict[str, Any] = {}
    for name, value in body.items():
        if name.startswith("@odata."):
            continue
        if name in resource.navigation:
            navigation[name] = value
            continue
        if name == "id" or name in resource.read_only:
            continue
        if name not in resource.defaults:
            raise unknown_body_property(name, resource.error_name)
        _check_type(name, value, resource.defaults[name], resource.error_name)
        if name in resource.complex_props:
            _check_complex(name, value, resource.complex_props[name])
        props[name] = value
    return props, navigation


# -- lists


def next_link(req: GraphRequest, skip: int) -> str:
    """The ``@odata.nextLink`` of an Outlook list: the same request with ``$skip`` moved on."""
    pairs = [(k, v) for k, v in req.query.raw if k != "$skip"]
    pairs.append(("$skip", str(skip)))
    query = "&".join(f"{quote(k, safe='$')}={quote(v, safe=':,()')}" for k, v in pairs)
    return f"{GRAPH_ROOT}{req.path}?{query}"


def page(
    req: GraphRequest,
    resource: ResourceType,
    rows: list[tuple[dict[str, Any], Any]],
    context_fragment: str,
    *,
    filter_view: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None,
    default_order: list[tuple[tuple[str, ...], bool]] | None = None,
    keep: tuple[str, ...] = (),
) -> GraphReply:
    """Filter, order and page rendered rows (document, source object) the way Outlook lists do."""
    options = req.query
    check_properties(options, resource)
    view_of = filter_view or (lambda doc, _source: doc)
    sources = {id(doc): source for doc, source in rows}
    documents = filtered([doc for doc, _ in rows], options.filter, lambda doc: view_of(doc, sources[id(doc)]))
    if options.orderby or default_order:
        documents = order(documents, options.orderby or default_order or [])
    size = options.top or req.prefer.max_page_size or DEFAULT_PAGE_SIZE
    chunk = documents[options.skip : options.skip + size]
    expansions = tuple(option.name for option in options.expand)
    body: dict[str, Any] = {"@odata.context": context_url(req.context(context_fragment))}
    if options.count:
        body["@odata.count"] = len(documents)
    if options.skip + size < len(documents):
        body["@odata.nextLink"] = next_link(req, options.skip + size)
    body["value"] = [apply_select(doc, options.select, keep=keep + expansions) for doc in chunk]
    return GraphReply(200, body)


def entity(req: GraphRequest, document: dict[str, Any], context_fragment: str, status: int = 200) -> GraphReply:
    """A single entity with its ``@odata.context``."""
    return GraphReply(status, {"@odata.context": context_url(req.context(context_fragment)), **document})


def no_content() -> GraphReply:
    """204, as Graph answers a DELETE."""
    return GraphReply(204)


def require_window(req: GraphRequest) -> tuple[str, str]:
    """The ``startDateTime``/``endDateTime`` of a calendar view or instances request; 400 without them."""
    params = req.query.params()
    start, end = params.get("startdatetime"), params.get("enddatetime")
    if not start or not end:
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and "
            "EndDateTime.",
        )
    return start, end


# -- delta rounds


def delta_reply(
    req: GraphRequest,
    scope: delta_rounds.Scope,
    *,
    odata_type: str,
    follow_up: Callable[[delta_rounds.Cursor], tuple[list[delta_rounds.Entry], dict[str, int] | None]],
    initial: Callable[[], tuple[list[delta_rounds.Entry], dict[str, int] | None]],
    render_entry: Callable[[delta_rounds.Entry, delta_rounds.Scope], dict[str, Any]],
) -> GraphReply:
    """Serve one request of a delta round: a ``$skiptoken`` page, a new round from a ``$deltatoken``, or the
    initial round; every page carries a ``@odata.nextLink`` or, at the end, a ``@odata.deltaLink``."""
    store = req.backend.delta
    mailbox = req.mailbox
    size = req.prefer.max_page_size or req.query.top or store.settings.default_page_size
    token_scope = scope
    if req.query.skiptoken:
        round_scope, result = store.page(req.query.skiptoken, mailbox.user.email, scope, size)
        token_scope = round_scope
    elif req.query.deltatoken:
        cursor = store.cursor(req.query.deltatoken, mailbox.user.email, scope)
        token_scope = cursor.scope
        entries, snapshot = follow_up(cursor)
        result = store.start(cursor.scope, entries, mailbox.position, snapshot, size)
    else:
        entries, snapshot = initial()
        result = store.start(scope, entries, mailbox.position, snapshot, size)
    body: dict[str, Any] = {"@odata.context": context_url(f"Collection({odata_type})")}
    if result.next_link:
        body["@odata.nextLink"] = result.next_link
    if result.delta_link:
        body["@odata.deltaLink"] = result.delta_link
    body["value"] = [render_entry(entry, token_scope) for entry in result.entries]
    req.prefer.applied.insert(0, "odata.track-changes")
    return GraphReply(200, body)


def removed(entity_id: str, reason: str, odata_type: str | None = None) -> dict[str, Any]:
    """A removed instance in a delta response."""
    document: dict[str, Any] = {"@odata.type": f"#{odata_type}"} if odata_type else {}
    document.update({"id": entity_id, "@removed": {"reason": reason}})
    return document


def delta_scope(
    req: GraphRequest, kind: delta_rounds.DeltaKind, change_scope: bytes, **extra: Any
) -> delta_rounds.Scope:
    """The scope of a delta request: what it tracks and the parameters its tokens stand for."""
    initial = tuple((k, v) for k, v in req.query.raw if k not in ("$skiptoken", "$deltatoken"))
    select = tuple(req.query.select) if req.query.select else None
    return delta_rounds.Scope(req.mailbox.user.email, kind, change_scope, req.path, initial, select, **extra)


ItemRenderer = Callable[[Mailbox, Item, View], dict[str, Any]]
FolderRenderer = Callable[[Mailbox, Folder, View], dict[str, Any]]


def items_delta(
    req: GraphRequest, kind: delta_rounds.DeltaKind, folder: Folder, item_kind: ItemKind, renderer: ItemRenderer
) -> GraphReply:
    """A delta round over the items of one container (contacts of a folder, tasks of a list)."""
    mailbox = req.mailbox
    settings = req.backend.delta.settings

    def initial() -> tuple[list[delta_rounds.Entry], None]:
        return [delta_rounds.Entry(f"i:{i.key.hex()}") for i in mailbox.items_in(folder.key, item_kind)], None

    def follow_up(cursor: delta_rounds.Cursor) -> tuple[list[delta_rounds.Entry], None]:
        return delta_rounds.change_entries(mailbox, cursor.scope, cursor, settings, "i:"), None

    def render_entry(entry: delta_rounds.Entry, scope: delta_rounds.Scope) -> dict[str, Any]:
        key = bytes.fromhex(entry.ref[2:])
        item = mailbox.items.get(key)
        if entry.removed is None and item is not None and item.folder == scope.change_scope:
            return apply_select(renderer(mailbox, item, req.view(select=False)), _selected(scope))
        reason = entry.removed or ("changed" if item is not None else "deleted")
        return removed(ids.item_id(mailbox.guid, key, scope.change_scope, immutable=req.prefer.immutable_ids), reason)

    scope = delta_scope(req, kind, folder.key)
    odata_type = "contact" if item_kind == "contact" else "todoTask"
    return delta_reply(
        req, scope, odata_type=odata_type, follow_up=follow_up, initial=initial, render_entry=render_entry
    )


def folders_delta(
    req: GraphRequest, kind: delta_rounds.DeltaKind, folder_kind: FolderKind, renderer: FolderRenderer
) -> GraphReply:
    """A delta round over the containers of one kind (contact folders, task lists); well-known contact folders
    are not listed, as contactFolder: delta lists the user's folders."""
    mailbox = req.mailbox
    settings = req.backend.delta.settings

    def initial() -> tuple[list[delta_rounds.Entry], None]:
        folders = [f for f in mailbox.folders_of(folder_kind) if folder_kind == "todoList" or f.well_known is None]
        return [delta_rounds.Entry(f"f:{f.key.hex()}") for f in folders], None

    def follow_up(cursor: delta_rounds.Cursor) -> tuple[list[delta_rounds.Entry], None]:
        return delta_rounds.change_entries(mailbox, cursor.scope, cursor, settings, "f:"), None

    def render_entry(entry: delta_rounds.Entry, scope: delta_rounds.Scope) -> dict[str, Any]:
        key = bytes.fromhex(entry.ref[2:])
        folder = mailbox.folders.get(key)
        if entry.removed is None and folder is not None:
            return apply_select(renderer(mailbox, folder, req.view(select=False)), _selected(scope))
        return removed(ids.folder_id(mailbox.guid, key), entry.removed or "deleted")

    scope = delta_scope(req, kind, FOLDER_SCOPES[folder_kind])
    odata_type = "contactFolder" if folder_kind == "contactFolder" else "todoTaskList"
    return delta_reply(
        req, scope, odata_type=odata_type, follow_up=follow_up, initial=initial, render_entry=render_entry
    )


def _selected(scope: delta_rounds.Scope) -> list[str] | None:
    return list(scope.select) if scope.select else None
