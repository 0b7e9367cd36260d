"""The Outlook side of contact sync: the "Salesforce Contacts" folder of one mailbox, as an :class:`ItemStore`.

Scope. The folder (created on the first pass, then found by the id kept in the cursor, so renaming it changes
nothing) holds the synced contacts. Automatic selection syncs every contact in it except those categorised
"Don't sync with Salesforce"; manual selection keeps the category "Sync with Salesforce" on every contact in it,
brings contacts of the default Contacts folder that carry that category into it (Graph v1.0 cannot move a contact,
so the contact is copied into the folder and the original deleted, in one ``$batch`` with ``dependsOn``), and takes
the category off contacts moved out of it. Private contacts (``PidTagSensitivity`` 2) are out of scope unless
``include_private``.

Reading (every call is a ``$batch`` round trip):

- a pass with a cursor sends ONE batch: the folder's delta (``$select=id``, from the stored delta link), the
  folder's contacts modified since the previous pass (newest first, with the two extended properties crmbridge needs
  and that delta cannot expand: the marker and the sensitivity), the folder itself (deleted or in Deleted Items
  means re-create it), and in manual selection the categorised contacts of the default folder. Further delta pages
  (200 per page) ride with further pages of that query; a changed id the query did not bring is read by id (20 per
  batch);
- a complete listing (no cursor, an expired delta token, a changed selection, a re-created folder) runs a fresh
  delta round next to a plain listing of the folder (1,000 per page, with the extended properties): the listing
  gives the content, the round gives the delta link and the ids the listing may have missed while it paged;
- ``get_many`` answers from what this pass's listing read, and reads the rest by id, 20 per batch.

Writing: ``$batch`` of 20 requests; each item's failure stays in its slot. Creates carry the marker (a string
extended property) and, in manual selection, the category, in the create body. Updates set every mapped property
under ``If-Match`` with the change key (412 is a precondition failure), keeping the contact's other email addresses
and home numbers as read.

The cursor is JSON: the folder id, the delta link, when the previous pass started (for the "modified since" query),
the Deleted Items folder id and the selection it was made under.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from app.connectors.errors import AuthRevoked, Throttled, VendorError, VendorUnavailable
from app.connectors.microsoft import mapping
from app.connectors.microsoft.client import (
    MAX_BATCH_REQUESTS,
    BatchOutcomeUnknown,
    BatchRequest,
    BatchResponse,
    BatchResult,
    GraphClient,
    PagedRead,
    PageFailed,
)
from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CATEGORY, SYNC_CONTAINER_NAME, SelectionMethod
from app.sync.items import Fields, Item, normalise_fields
from app.sync.stores import (
    Create,
    Delete,
    FailureKind,
    Gone,
    Listing,
    Lookup,
    Marked,
    OutOfScope,
    Removal,
    StoreError,
    Update,
    WriteFailure,
    WriteResult,
    Written,
)

#: Delta page size ("Prefer: odata.maxpagesize"; 200 is the contacts cap Microsoft staff give).
DELTA_PAGE_SIZE = 200
#: Page size of the complete listing of the folder (Outlook caps ``$top`` at 1,000).
LIST_PAGE_SIZE = 1000
#: Page size of the "modified since the previous pass" query (keeps pace with delta pages).
RECENT_PAGE_SIZE = 200
#: Page size of the manual-selection query for categorised contacts of the default folder.
PICK_PAGE_SIZE = 100
#: How far before the previous pass's start the "modified since" query looks (clock skew between Graph's servers).
RECENT_MARGIN = timedelta(minutes=5)
#: Pages of the folder read side by side in the first batch of a scan for updates (5,000 contacts).
SCAN_PAGES_FIRST = 5
#: What an update needs to have read of a contact.
UPDATE_SELECT = "id,changeKey,parentFolderId,displayName,givenName,middleName,surname,emailAddresses,homePhones"
#: Markers per ``find_by_markers`` filter.
MARKERS_PER_QUERY = 20
#: Colours of the categories crmbridge creates in the master list.
CATEGORY_COLOURS = {SYNC_CATEGORY: "preset4", DONT_SYNC_CATEGORY: "preset0"}

_MAX_PAGE = f"odata.maxpagesize={DELTA_PAGE_SIZE}"
_EXPIRED_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})
_CURSOR_VERSION = 1


def _odata_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _url(path: str, **params: str | int) -> str:
    """A Graph path with OData query options given as keywords (``select=...`` -> ``$select=...``)."""
    if not params:
        return path
    parts = [f"${name}={quote(str(value), safe=chr(39) + '(),/:*$-')}" for name, value in params.items()]
    return path + "?" + "&".join(parts)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class _Cursor:
    """What a pass hands to the next one."""

    folder: str
    scope: str
    delta_link: str | None = None
    since: str | None = None
    trash: str | None = None

    def dump(self) -> str:
        return json.dumps(
            {
                "v": _CURSOR_VERSION,
                "folder": self.folder,
                "scope": self.scope,
                "delta": self.delta_link,
                "since": self.since,
                "trash": self.trash,
            },
            separators=(",", ":"),
        )

    @classmethod
    def load(cls, text: str | None) -> _Cursor | None:
        if not text:
            return None
        try:
            raw = json.loads(text)
        except ValueError:
            return None
        if not isinstance(raw, dict) or raw.get("v") != _CURSOR_VERSION or not isinstance(raw.get("folder"), str):
            return None

        def text_or_none(key: str) -> str | None:
            value = raw.get(key)
            return value if isinstance(value, str) and value else None

        return cls(
            raw["folder"],
            str(raw.get("scope") or ""),
            text_or_none("delta"),
            text_or_none("since"),
            text_or_none("trash"),
        )


class _RoundExpired(Exception):
    """A delta or skip token expired in the middle of a round: the listing starts again from a fresh round."""


def _delta_expired(response: BatchResponse) -> bool:
    """410 with ``Location``, or a 40x ``syncStateNotFound`` / ``resyncRequired`` (Outlook's expired delta token)."""
    return response.status == 410 or (400 <= response.status < 500 and response.error_code.lower() in _EXPIRED_CODES)


def _with_extended(doc: dict[str, Any], previous: Mapping[str, Any] | None, written: Any = None) -> dict[str, Any]:
    """A write response lacks the extended properties: keep those we wrote, else those we had read."""
    if "singleValueExtendedProperties" in doc:
        return doc
    merged = dict(doc)
    if written is not None:
        merged["singleValueExtendedProperties"] = written
    elif previous is not None and "singleValueExtendedProperties" in previous:
        merged["singleValueExtendedProperties"] = previous["singleValueExtendedProperties"]
    return merged


class GraphContactStore:
    """One mailbox's "Salesforce Contacts" folder under the sync engine's store protocol."""

    def __init__(
        self,
        client: GraphClient,
        *,
        selection: SelectionMethod = SelectionMethod.AUTOMATIC,
        include_private: bool = False,
    ) -> None:
        self._client = client
        self._selection = selection
        self._include_private = include_private
        self._folder: str | None = None
        self._trash: str | None = None
        #: What this pass read: the answer ``get_many`` gives without asking again.
        self._seen: dict[str, Lookup] = {}
        #: Contacts as last read or written (their other addresses and numbers, for updates).
        self._docs: dict[str, dict[str, Any]] = {}

    @property
    def folder_id(self) -> str | None:
        """The synced folder's id, once known."""
        return self._folder

    @property
    def _manual(self) -> bool:
        return self._selection is SelectionMethod.MANUAL

    @property
    def _scope(self) -> str:
        return f"{self._selection.value}:{'private' if self._include_private else 'public'}"

    # -- ItemStore: reading ---------------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        self._seen = {}
        state = _Cursor.load(cursor)
        try:
            if state is None:
                return self._complete(self._setup(None))
            self._trash = state.trash
            if state.scope != self._scope or state.delta_link is None:
                return self._complete(self._setup(state.folder))
            self._folder = state.folder
            return self._incremental(state)
        except _RoundExpired:
            self._seen = {}
        try:
            return self._complete([])
        except _RoundExpired as exc:
            raise StoreError("microsoft: the delta round expired twice in a row") from exc

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`."""
        wanted = [item_id for item_id in dict.fromkeys(ids) if item_id not in self._seen]
        if wanted:
            self._ensure_folder()
            for item_id, doc in self._fetch(wanted).items():
                self._seen[item_id] = self._judge(item_id, doc)
        return {item_id: self._seen[item_id] for item_id in ids}

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`: one filtered query per 20 markers, over the folder
        and the default Contacts folder, in as few batches as fit."""
        wanted = list(dict.fromkeys(markers))
        if not wanted:
            return {}
        folder = self._ensure_folder()
        chains: list[PagedRead] = []
        for index, chunk in enumerate(_chunks(wanted, MARKERS_PER_QUERY)):
            values = " or ".join(f"ep/value eq {_odata_string(marker)}" for marker in chunk)
            condition = (
                f"singleValueExtendedProperties/any(ep: ep/id eq {_odata_string(mapping.MARKER_PROPERTY_ID)} "
                f"and ({values}))"
            )
            for name, path in ((f"f{index}", f"/me/contactFolders/{folder}/contacts"), (f"d{index}", "/me/contacts")):
                query = _url(
                    path, filter=condition, top=LIST_PAGE_SIZE, select=mapping.SELECT, expand=mapping.EXPAND_EXTENDED
                )
                chains.append(PagedRead(name, query))
        self._follow(chains)
        found: dict[str, Marked] = {}
        for chain in chains:
            for doc in chain.items:
                marker = mapping.marker_of(doc)
                if marker not in wanted or marker is None:
                    continue
                self._remember(doc)
                in_folder = chain.name.startswith("f")
                lookup = self._in_folder(doc) if in_folder else OutOfScope(mapping.contact_id(doc))
                in_scope = isinstance(lookup, Item)
                if marker not in found or in_scope:
                    found[marker] = Marked(self._item(doc), in_scope)
        return found

    # -- ItemStore: writing ---------------------------------------------------------------------------------------

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`."""
        if not creates:
            return []
        folder = self._ensure_folder()
        categories = [SYNC_CATEGORY] if self._manual else []
        bodies = [mapping.create_body(c.fields, marker=c.marker, with_categories=categories) for c in creates]
        requests = [
            [BatchRequest(f"c{i}", "POST", f"/me/contactFolders/{folder}/contacts", body=body)]
            for i, body in enumerate(bodies)
        ]
        answers = self._write(requests)
        return [
            self._outcome(answers[f"c{i}"], "POST", create.fields, written=bodies[i]["singleValueExtendedProperties"])
            for i, create in enumerate(creates)
        ]

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many`: every mapped property under ``If-Match``, from the
        contact as read at that etag (read again first when this store has not seen that version)."""
        if not updates:
            return []
        stale = [u.id for u in updates if mapping.change_key(self._docs.get(u.id, {})) != u.etag]
        for item_id, doc in self._read_for_update(stale).items():
            if doc is not None:
                self._remember(doc)
            else:
                self._docs.pop(item_id, None)
        results: dict[int, WriteResult] = {}
        requests: list[list[BatchRequest]] = []
        for i, update in enumerate(updates):
            current = self._docs.get(update.id)
            self._seen.pop(update.id, None)
            if current is None:
                results[i] = WriteFailure(FailureKind.NOT_FOUND, "the contact no longer exists")
            elif mapping.change_key(current) != update.etag:
                results[i] = WriteFailure(FailureKind.PRECONDITION, "the contact changed since it was read")
            else:
                body = mapping.update_body(update.fields, current)
                headers = self._precondition(update.etag)
                requests.append(
                    [BatchRequest(f"u{i}", "PATCH", f"/me/contacts/{update.id}", body=body, headers=headers)]
                )
        answers = self._write(requests)
        for i, update in enumerate(updates):
            if i not in results:
                results[i] = self._outcome(answers[f"u{i}"], "PATCH", update.fields, previous=self._docs.get(update.id))
        return [results[i] for i in range(len(updates))]

    def _outcome(
        self,
        answer: BatchResponse | WriteFailure,
        method: str,
        sent: Fields,
        *,
        previous: Mapping[str, Any] | None = None,
        written: Any = None,
    ) -> WriteResult:
        """A create's or update's result: the failure, or the contact as the answer shows it (``stored`` when it
        differs from what was sent)."""
        if isinstance(answer, WriteFailure):
            return answer
        if not answer.ok:
            return self._failure(answer, method)
        doc = _with_extended(answer.json, previous, written)
        self._remember(doc)
        return self._written(doc, sent)

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many`."""
        requests = [
            [BatchRequest(f"d{i}", "DELETE", f"/me/contacts/{d.id}", headers=self._precondition(d.etag))]
            for i, d in enumerate(deletes)
        ]
        answers = self._write(requests)
        results: list[WriteResult] = []
        for i, delete in enumerate(deletes):
            answer = answers[f"d{i}"]
            self._seen.pop(delete.id, None)
            if isinstance(answer, WriteFailure):
                results.append(answer)
            elif not answer.ok:
                results.append(self._failure(answer, "DELETE"))
            else:
                self._docs.pop(delete.id, None)
                results.append(Written(delete.id, ""))
        return results

    # -- listings -------------------------------------------------------------------------------------------------

    def _complete(self, extras: list[BatchRequest], *, may_recreate: bool = True) -> Listing:
        """A complete listing of the folder from a fresh delta round (see the module docstring)."""
        folder = self._require_folder()
        contacts = f"/me/contactFolders/{folder}/contacts"
        delta = PagedRead("delta", _url(f"{contacts}/delta", select="id"), prefer=(_MAX_PAGE,))
        listing = PagedRead(
            "list",
            _url(contacts, top=LIST_PAGE_SIZE, select=mapping.SELECT, expand=mapping.EXPAND_EXTENDED),
            depends_on=("delta",),
        )
        pick = self._pick_chain()
        first = self._batch([delta.request(), listing.request(), *([pick.request()] if pick else []), *extras])
        answer = first["delta"]
        if answer.status == 404 and may_recreate:
            self._recreate_folder()
            return self._complete([], may_recreate=False)
        self._take(delta, answer)
        self._take(listing, first["list"])
        if pick is not None:
            self._take_pick(pick, first["pick"])
        self._follow([delta, listing])
        docs = {mapping.contact_id(doc): doc for doc in listing.items}
        missing = [
            i for i in dict.fromkeys(mapping.contact_id(d) for d in delta.items if "@removed" not in d) if i not in docs
        ]
        for item_id, doc in self._fetch(missing).items():
            if doc is not None and mapping.parent_folder(doc) == folder:
                docs[item_id] = doc
        entries: dict[str, str] = {}
        in_folder = list(docs.values())
        for doc in in_folder:
            self._remember(doc)
            self._record(doc, entries)
        if self._manual:
            self._housekeeping(in_folder, pick.items if pick else [], (), entries)
        cursor = _Cursor(folder, self._scope, delta.delta_link, self._since(first), self._trash)
        return Listing(MappingProxyType(entries), complete=True, cursor=cursor.dump())

    def _incremental(self, state: _Cursor) -> Listing:
        """What changed since the stored delta link, in one batch when little did."""
        folder = self._require_folder()
        assert state.delta_link is not None
        delta = PagedRead("delta", state.delta_link, prefer=(_MAX_PAGE,))
        recent = self._recent_read(folder, state.since)
        pick = self._pick_chain()
        check = BatchRequest("folder", "GET", _url(f"/me/contactFolders/{folder}", select="id,parentFolderId"))
        first = self._batch([delta.request(), recent.request(), check, *([pick.request()] if pick else [])])
        if self._folder_gone(first["folder"]) or first["delta"].status == 404:
            self._recreate_folder()
            return self._complete([], may_recreate=False)
        if _delta_expired(first["delta"]):
            return self._complete([])
        if pick is not None:
            self._take_pick(pick, first["pick"])
        docs = self._read_round(delta, recent, first)
        changed, removed = self._changes(delta.items)
        entries: dict[str, str] = {}
        reasons: dict[str, Removal] = {}
        in_folder = self._place_changed(changed, docs, entries, reasons)
        if self._manual:
            departed = self._place_removed(removed, entries, reasons, in_folder)
            self._housekeeping(in_folder, pick.items if pick else [], departed, entries, skip=set(removed))
        else:
            for item_id in removed:
                reasons.setdefault(item_id, Removal.UNKNOWN)
        for item_id in entries:
            reasons.pop(item_id, None)
        cursor = _Cursor(folder, self._scope, delta.delta_link or state.delta_link, self._since(first), self._trash)
        return Listing(
            MappingProxyType(entries), complete=False, cursor=cursor.dump(), removed=MappingProxyType(reasons)
        )

    def _recent_read(self, folder: str, since: str | None) -> PagedRead:
        """The folder's contacts modified since the previous pass started, newest first, with their extended
        properties: the content of what the delta round reports as changed, without asking for it by id."""
        start = since or _utc_text(datetime.now(UTC) - RECENT_MARGIN)
        url = _url(
            f"/me/contactFolders/{folder}/contacts",
            filter=f"lastModifiedDateTime ge {start}",
            orderby="lastModifiedDateTime desc",
            top=RECENT_PAGE_SIZE,
            select=mapping.SELECT,
            expand=mapping.EXPAND_EXTENDED,
        )
        return PagedRead("recent", url, depends_on=("delta",))

    def _read_round(self, delta: PagedRead, recent: PagedRead, first: BatchResult) -> dict[str, dict[str, Any]]:
        """Finish the delta round (a page of the "modified since" query rides with each delta page) and return the
        contents read; the query goes on alone only while it may still hold changed contacts."""
        self._take(delta, first["delta"])
        following: PagedRead | None = self._take_optional(recent, first["recent"])
        while delta.url is not None:
            chains = [delta, *([following] if following is not None and following.url else [])]
            result = self._batch([chain.request() for chain in chains])
            self._take(delta, result["delta"])
            if following is not None and following.url and "recent" in result.responses:
                following = self._take_optional(following, result["recent"])
        changed, _ = self._changes(delta.items)
        docs = {mapping.contact_id(doc): doc for doc in recent.items}
        while following is not None and following.url and any(i not in docs for i in changed):
            following = self._take_optional(following, self._batch([following.request()])["recent"])
            docs.update({mapping.contact_id(doc): doc for doc in recent.items})
        return docs

    def _place_changed(
        self,
        changed: Sequence[str],
        docs: dict[str, dict[str, Any]],
        entries: dict[str, str],
        reasons: dict[str, Removal],
    ) -> list[dict[str, Any]]:
        """Sort the changed ids into listed items and departures (reading by id those the query did not bring);
        returns the changed contacts still in the folder."""
        folder = self._require_folder()
        for item_id, doc in self._fetch([i for i in changed if i not in docs]).items():
            lookup = self._judge(item_id, doc)
            if doc is not None and not isinstance(lookup, Gone) and mapping.parent_folder(doc) == folder:
                docs[item_id] = doc
            else:
                self._seen[item_id] = lookup
                reasons[item_id] = Removal.DELETED if isinstance(lookup, Gone) else Removal.LEFT_SCOPE
        in_folder = [docs[i] for i in changed if i in docs]
        for doc in in_folder:
            self._remember(doc)
            if not self._record(doc, entries):
                reasons[mapping.contact_id(doc)] = Removal.LEFT_SCOPE
        return in_folder

    def _place_removed(
        self,
        removed: Sequence[str],
        entries: dict[str, str],
        reasons: dict[str, Removal],
        in_folder: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Manual selection: tell deleted from moved out for the ids delta removed; returns those moved out."""
        folder = self._require_folder()
        departed: list[dict[str, Any]] = []
        for item_id, doc in self._fetch(removed).items():
            lookup = self._judge(item_id, doc)
            self._seen[item_id] = lookup
            if doc is None or isinstance(lookup, Gone):
                reasons[item_id] = Removal.DELETED
            elif mapping.parent_folder(doc) != folder:
                reasons[item_id] = Removal.LEFT_SCOPE
                departed.append(doc)
            else:  # back in the folder within the same round
                self._remember(doc)
                if self._record(doc, entries):
                    in_folder.append(doc)
        return departed

    @staticmethod
    def _changes(entries: Iterable[dict[str, Any]]) -> tuple[list[str], list[str]]:
        """Ids changed and ids removed in a delta round (an id's last appearance wins; replays are harmless)."""
        state: dict[str, bool] = {}
        for entry in entries:
            item_id = mapping.contact_id(entry)
            state.pop(item_id, None)
            state[item_id] = "@removed" not in entry
        return [i for i, alive in state.items() if alive], [i for i, alive in state.items() if not alive]

    def _record(self, doc: dict[str, Any], entries: dict[str, str]) -> bool:
        """Note a contact of the folder as seen this pass; True (and listed) when it is in scope."""
        lookup = self._in_folder(doc)
        self._seen[mapping.contact_id(doc)] = lookup
        if isinstance(lookup, Item):
            entries[lookup.id] = lookup.etag
            return True
        entries.pop(lookup.id, None)
        return False

    # -- manual selection housekeeping ----------------------------------------------------------------------------

    def _pick_chain(self) -> PagedRead | None:
        """Manual selection: the default folder's contacts that ask to be synced (full representation, to copy)."""
        if not self._manual:
            return None
        condition = f"categories/any(c: c eq {_odata_string(SYNC_CATEGORY)})"
        return PagedRead(
            "pick", _url("/me/contacts", filter=condition, top=PICK_PAGE_SIZE, expand=mapping.EXPAND_EXTENDED)
        )

    def _take_pick(self, pick: PagedRead, response: BatchResponse) -> None:
        if response.ok:
            pick.take(response)
            pick.url = None  # one page per pass: the rest is found again on the next pass
        elif response.status in (401, 403):
            raise StoreError(f"microsoft: {response.status} {response.error_message}")

    def _housekeeping(
        self,
        in_folder: Sequence[dict[str, Any]],
        picked: Sequence[dict[str, Any]],
        departed: Sequence[dict[str, Any]],
        entries: dict[str, str],
        *,
        skip: set[str] | None = None,
    ) -> None:
        """Manual selection: bring picked contacts into the folder, put the category back on contacts of the folder,
        take it off contacts that left the folder. Failures are left for the next pass."""
        folder = self._require_folder()
        groups: list[list[BatchRequest]] = []
        moves: dict[str, dict[str, Any]] = {}
        for n, doc in enumerate(d for d in picked if mapping.contact_id(d) not in (skip or set())):
            body = mapping.copy_body(doc, with_categories=[SYNC_CATEGORY])
            moves[f"m{n}"] = {"original": doc, "body": body}
            groups.append(
                [
                    BatchRequest(f"m{n}", "POST", f"/me/contactFolders/{folder}/contacts", body=body),
                    BatchRequest(
                        f"o{n}",
                        "DELETE",
                        f"/me/contacts/{mapping.contact_id(doc)}",
                        headers=self._precondition(mapping.change_key(doc)),
                        depends_on=(f"m{n}",),
                    ),
                ]
            )
        fixes: dict[str, dict[str, Any]] = {}
        for n, doc in enumerate(d for d in in_folder if not mapping.has_category(d, SYNC_CATEGORY)):
            fixes[f"k{n}"] = doc
            groups.append([self._categories_patch(f"k{n}", doc, [*mapping.categories(doc), SYNC_CATEGORY])])
        for n, doc in enumerate(d for d in departed if mapping.has_category(d, SYNC_CATEGORY)):
            kept = [c for c in mapping.categories(doc) if c.casefold() != SYNC_CATEGORY.casefold()]
            groups.append([self._categories_patch(f"s{n}", doc, kept)])
        if not groups:
            return
        answers = self._write(groups)
        rollback: list[list[BatchRequest]] = []
        for request_id, move in moves.items():
            created, removed = answers[request_id], answers["o" + request_id[1:]]
            if not isinstance(created, BatchResponse) or not created.ok:
                continue
            doc = _with_extended(created.json, None, move["body"].get("singleValueExtendedProperties", []))
            if isinstance(removed, BatchResponse) and (removed.ok or removed.status == 404):
                self._remember(doc)
                self._record(doc, entries)
            else:  # the original stays: undo the copy so that no duplicate is left
                rollback.append([BatchRequest(f"r{request_id}", "DELETE", f"/me/contacts/{mapping.contact_id(doc)}")])
        for request_id, old in fixes.items():
            answer = answers[request_id]
            if isinstance(answer, BatchResponse) and answer.ok:
                doc = _with_extended(answer.json, old)
                self._remember(doc)
                self._record(doc, entries)
        if rollback:
            self._write(rollback)

    def _categories_patch(self, request_id: str, doc: Mapping[str, Any], names: list[str]) -> BatchRequest:
        return BatchRequest(
            request_id,
            "PATCH",
            f"/me/contacts/{mapping.contact_id(doc)}",
            body={"categories": list(dict.fromkeys(names))},
            headers=self._precondition(mapping.change_key(doc)),
        )

    # -- the folder and the master categories ---------------------------------------------------------------------

    def _setup(self, known_folder: str | None) -> list[BatchRequest]:
        """Find (or create) the folder, note Deleted Items, and check the master categories.

        Returns the category creations still to send (they ride with the next batch).
        """
        wanted = SYNC_CATEGORY if self._manual else DONT_SYNC_CATEGORY
        requests = [
            BatchRequest("categories", "GET", "/me/outlook/masterCategories"),
            BatchRequest("trash", "GET", _url("/me/mailFolders/deleteditems", select="id")),
            self._folder_lookup(known_folder),
        ]
        result = self._batch(requests)
        trash = result["trash"]
        self._trash = str(trash.json["id"]) if trash.ok and trash.json.get("id") else self._trash
        pending: list[BatchRequest] = []
        listed = result["categories"]
        if listed.ok:
            names = {str(c.get("displayName", "")).casefold() for c in listed.json.get("value") or []}
            if wanted.casefold() not in names:
                body = {"displayName": wanted, "color": CATEGORY_COLOURS[wanted]}
                pending.append(BatchRequest("newcategory", "POST", "/me/outlook/masterCategories", body=body))
        self._folder = self._found_folder(result["folder"], known_folder)
        if self._folder is None:
            self._create_folder(pending)
            pending = []
        return pending

    def _folder_lookup(self, known_folder: str | None) -> BatchRequest:
        if known_folder is not None:
            return BatchRequest("folder", "GET", _url(f"/me/contactFolders/{known_folder}", select="id,parentFolderId"))
        condition = f"displayName eq {_odata_string(SYNC_CONTAINER_NAME)}"
        return BatchRequest("folder", "GET", _url("/me/contactFolders", filter=condition, select="id,parentFolderId"))

    def _found_folder(self, answer: BatchResponse, known_folder: str | None) -> str | None:
        if known_folder is not None:
            if self._folder_gone(answer):
                return None
            return known_folder
        self._raise_for(answer)
        for folder in answer.json.get("value") or []:
            if isinstance(folder, dict) and folder.get("id") and folder.get("parentFolderId") != self._trash:
                return str(folder["id"])
        return None

    def _folder_gone(self, answer: BatchResponse) -> bool:
        if answer.status == 404:
            return True
        self._raise_for(answer)
        return self._trash is not None and answer.json.get("parentFolderId") == self._trash

    def _create_folder(self, extras: Sequence[BatchRequest] = ()) -> None:
        body = {"displayName": SYNC_CONTAINER_NAME}
        result = self._batch([BatchRequest("newfolder", "POST", "/me/contactFolders", body=body), *extras])
        answer = result["newfolder"]
        if answer.ok and answer.json.get("id"):
            self._folder = str(answer.json["id"])
            return
        if answer.status == 409:  # a folder of that name appeared meanwhile: use it
            found = self._batch([self._folder_lookup(None)])
            self._folder = self._found_folder(found["folder"], None)
            if self._folder is not None:
                return
        raise StoreError(f"microsoft: cannot create the {SYNC_CONTAINER_NAME!r} folder: {answer.error_message}")

    def _recreate_folder(self) -> None:
        self._folder = None
        self._create_folder()

    def _ensure_folder(self) -> str:
        if self._folder is None:
            pending = self._setup(None)
            if pending:
                self._batch(pending)
        return self._require_folder()

    def _require_folder(self) -> str:
        if self._folder is None:
            raise StoreError(f"microsoft: the {SYNC_CONTAINER_NAME!r} folder is unknown")
        return self._folder

    # -- scope and items ------------------------------------------------------------------------------------------

    def _judge(self, item_id: str, doc: dict[str, Any] | None) -> Lookup:
        """A contact read by id: gone, out of scope (elsewhere, excluded), or the item."""
        if doc is None:
            return Gone(item_id)
        parent = mapping.parent_folder(doc)
        if self._trash is not None and parent == self._trash:
            return Gone(item_id)
        if parent != self._folder:
            return OutOfScope(item_id)
        return self._in_folder(doc)

    def _in_folder(self, doc: Mapping[str, Any]) -> Item | OutOfScope:
        """A contact of the folder: the item, unless private or (automatic selection) excluded by its category."""
        if not self._include_private and mapping.is_private(doc):
            return OutOfScope(mapping.contact_id(doc))
        if not self._manual and mapping.has_category(doc, DONT_SYNC_CATEGORY):
            return OutOfScope(mapping.contact_id(doc))
        return self._item(doc)

    @staticmethod
    def _item(doc: Mapping[str, Any]) -> Item:
        return Item(
            mapping.contact_id(doc),
            mapping.change_key(doc),
            mapping.to_fields(doc),
            mapping.marker_of(doc),
            mapping.modified_at(doc),
        )

    def _remember(self, doc: dict[str, Any]) -> None:
        self._docs[mapping.contact_id(doc)] = doc

    @staticmethod
    def _written(doc: Mapping[str, Any], sent: Fields) -> Written:
        stored = mapping.to_fields(doc)
        return Written(
            mapping.contact_id(doc), mapping.change_key(doc), None if stored == normalise_fields(sent) else stored
        )

    @staticmethod
    def _precondition(etag: str) -> dict[str, str]:
        return {"If-Match": mapping.if_match(etag)} if etag else {}

    @staticmethod
    def _since(result: BatchResult) -> str:
        return _utc_text((result.server_time or datetime.now(UTC)) - RECENT_MARGIN)

    # -- batches --------------------------------------------------------------------------------------------------

    def _batch(self, requests: Sequence[BatchRequest]) -> BatchResult:
        """One read round trip; a whole-call failure is a :class:`StoreError`."""
        try:
            return self._client.batch(requests)
        except VendorError as exc:
            raise StoreError(str(exc)) from exc

    def _follow(self, chains: Sequence[PagedRead]) -> None:
        """Read every chain to its end, one page of each per round trip (at most 20 chains a round)."""
        while True:
            active = [chain for chain in chains if chain.url is not None][:MAX_BATCH_REQUESTS]
            if not active:
                return
            result = self._batch([chain.request() for chain in active])
            for chain in active:
                self._take(chain, result[chain.name])

    @staticmethod
    def _take(chain: PagedRead, response: BatchResponse) -> None:
        if chain.name == "delta" and chain.pages and _delta_expired(response):
            raise _RoundExpired(response.error_message)
        try:
            chain.take(response)
        except PageFailed as exc:
            raise StoreError(f"microsoft: {exc}") from exc

    @staticmethod
    def _take_optional(chain: PagedRead, response: BatchResponse) -> PagedRead | None:
        """The "modified since" query is an optimisation: when Graph refuses it, changed ids are read by id."""
        if response.status in (401, 403):
            raise StoreError(f"microsoft: {response.status} {response.error_message}")
        if not response.ok:
            return None
        chain.take(response)
        return chain

    @staticmethod
    def _raise_for(answer: BatchResponse) -> None:
        if not answer.ok:
            raise StoreError(f"microsoft: {answer.status} {answer.error_code}: {answer.error_message}")

    def _read_for_update(self, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """The contacts an update needs to have read (their other addresses and numbers): by id when one batch
        does, else by reading the folder's contacts in 1,000-contact pages sent side by side (a 5,000-contact
        folder in one round trip), then by id for those the pages missed."""
        wanted = list(dict.fromkeys(ids))
        if len(wanted) <= MAX_BATCH_REQUESTS:
            return self._fetch(wanted)
        contacts = f"/me/contactFolders/{self._ensure_folder()}/contacts"
        targets = set(wanted)
        found: dict[str, dict[str, Any] | None] = {}
        total: int | None = None  # from $count on the first page, else from the first page that is not full
        skip = 0
        while len(found) < len(targets):
            pages = SCAN_PAGES_FIRST if skip == 0 else MAX_BATCH_REQUESTS
            skips = [
                s for s in range(skip, skip + pages * LIST_PAGE_SIZE, LIST_PAGE_SIZE) if total is None or s < total
            ]
            if not skips:
                break
            result = self._batch(
                [
                    BatchRequest(
                        f"p{s}",
                        "GET",
                        _url(
                            contacts,
                            top=LIST_PAGE_SIZE,
                            skip=s,
                            select=UPDATE_SELECT,
                            **({"count": "true"} if s == 0 else {}),
                        ),
                    )
                    for s in skips
                ]
            )
            for s in skips:
                answer = result[f"p{s}"]
                self._raise_for(answer)
                values = [doc for doc in answer.json.get("value") or [] if isinstance(doc, dict)]
                if s == 0 and isinstance(answer.json.get("@odata.count"), int):
                    total = int(answer.json["@odata.count"])
                if len(values) < LIST_PAGE_SIZE and total is None:
                    total = s + len(values)
                found.update({str(doc["id"]): doc for doc in values if doc.get("id") in targets})
            skip = skips[-1] + LIST_PAGE_SIZE
        found.update(self._fetch([i for i in wanted if i not in found]))
        return found

    def _fetch(self, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """Contacts by id (20 per batch, with the extended properties); None for those that do not exist."""
        found: dict[str, dict[str, Any] | None] = {}
        unique = list(dict.fromkeys(ids))
        for chunk in _chunks(unique, MAX_BATCH_REQUESTS):
            requests = [
                BatchRequest(
                    f"g{n}",
                    "GET",
                    _url(f"/me/contacts/{item_id}", select=mapping.SELECT, expand=mapping.EXPAND_EXTENDED),
                )
                for n, item_id in enumerate(chunk)
            ]
            result = self._batch(requests)
            for n, item_id in enumerate(chunk):
                answer = result[f"g{n}"]
                if answer.ok:
                    found[item_id] = answer.json
                elif answer.status == 404 or (answer.status == 400 and answer.error_code == "ErrorInvalidIdMalformed"):
                    found[item_id] = None
                else:
                    self._raise_for(answer)
        return found

    def _write(self, groups: Sequence[Sequence[BatchRequest]]) -> dict[str, BatchResponse | WriteFailure]:
        """Send write requests, 20 per batch (a group with ``dependsOn`` stays in one batch); a batch that fails as
        a whole fails each of its requests, except a revoked grant, which fails the call."""
        answers: dict[str, BatchResponse | WriteFailure] = {}
        batch: list[BatchRequest] = []
        for group in [*groups, []]:
            if batch and (not group or len(batch) + len(group) > MAX_BATCH_REQUESTS):
                answers.update(self._write_batch(batch))
                batch = []
            batch.extend(group)
        return answers

    def _write_batch(self, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse | WriteFailure]:
        try:
            result = self._client.batch(requests)
        except AuthRevoked as exc:
            raise StoreError(str(exc)) from exc
        except Throttled as exc:
            failure = WriteFailure(FailureKind.THROTTLED, str(exc))
        except BatchOutcomeUnknown as exc:
            failure = WriteFailure(FailureKind.UNKNOWN_OUTCOME, str(exc))
        except VendorUnavailable as exc:
            failure = WriteFailure(FailureKind.TRANSIENT, str(exc))
        except VendorError as exc:
            failure = WriteFailure(FailureKind.INVALID, str(exc))
        else:
            return dict(result.responses)
        return {request.id: failure for request in requests}

    @staticmethod
    def _failure(answer: BatchResponse, method: str) -> WriteFailure:
        """One request's failure as the engine's failure kind."""
        message = f"{answer.status} {answer.error_code}: {answer.error_message}".replace("  ", " ")
        status = answer.status
        if status in (401, 403):
            raise StoreError(f"microsoft: {message}")
        if status == 404:
            return WriteFailure(FailureKind.NOT_FOUND, message)
        if status == 412 or (status == 409 and answer.error_code == "ErrorIrresolvableConflict"):
            return WriteFailure(FailureKind.PRECONDITION, message)
        if status == 429:
            return WriteFailure(FailureKind.THROTTLED, message)
        if status >= 500:
            kind = FailureKind.UNKNOWN_OUTCOME if method == "POST" else FailureKind.TRANSIENT
            return WriteFailure(kind, message)
        if status == 424:
            return WriteFailure(FailureKind.TRANSIENT, message)
        return WriteFailure(FailureKind.INVALID, answer.error_message)
