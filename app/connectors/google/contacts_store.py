"""Gmail users' contacts as one side of the sync: the People API contact group "Salesforce Contacts".

The group plays the part of Outlook's contact folder. It is created on the first pass, then found again by its
resource name (kept in the cursor, so renaming it changes nothing); with no cursor it is found by name first. When
it was deleted, it is created again and the pass lists it empty (a complete listing), so that the engine's
mass-deletion guard stops the pass.

Selection, with contact groups (:class:`~app.connectors.selection.SelectionMethod`):

- automatic: every contact of "Salesforce Contacts" except the members of "Don't sync with Salesforce" (a group
  created so that the user can use it);
- manual: "Salesforce Contacts" is still the scope. A contact the user puts in "Sync with Salesforce" is added to
  "Salesforce Contacts" and synced; a contact of "Salesforce Contacts" that lost its "Sync with Salesforce"
  membership gets it back; a contact removed from "Salesforce Contacts" leaves the scope and loses its "Sync with
  Salesforce" membership. Both of the last cases look the same on a contact (in "Sync with Salesforce" only), so
  the cursor remembers which contacts were in scope at the last listing (see :class:`_Cursor`).

Housekeeping (group memberships) costs nothing when there is nothing to do; contacts crmbridge creates carry their
memberships and the engine's marker (``clientData``) in the create body.

API calls per operation (see :mod:`app.connectors.google.client` for the limits):

- ``list_changes``: ``connections.list`` pages of 1000 with ``requestSyncToken`` (one call when nothing changed);
  an expired sync token gives a full listing. A listing that shows contacts deleted or outside the group checks the
  groups with one ``contactGroups.batchGet``. With no cursor: one ``contactGroups.list`` page, and a
  ``contactGroups.create`` per missing group. Manual housekeeping: ``contactGroups.members.modify`` per 1000 names.
- ``get_many``: nothing for ids this pass already read; ``people.getBatchGet`` per 200 others.
- ``find_by_markers``: one full scan of the connections (pages of 1000); ``clientData`` cannot be searched.
- ``create_many`` / ``update_many`` / ``delete_many``: ``batchCreateContacts`` per 200, ``batchUpdateContacts`` per
  200 (each contact with its etag), ``batchDeleteContacts`` per 500; one after the other.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from app.connectors.errors import CursorExpired, InvalidData, NotFound, VendorError, VendorUnavailable
from app.connectors.google import mapping
from app.connectors.google.batching import chunks
from app.connectors.google.client import (
    MAX_BATCH_CONTACTS,
    MAX_BATCH_DELETE,
    MAX_MEMBER_CHANGES,
    MAX_PAGE_SIZE,
    BatchRejected,
    ContactError,
    OutcomeUnknown,
    PeopleClient,
)
from app.connectors.google.failures import store_error
from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CATEGORY, SYNC_CONTAINER_NAME, SelectionMethod
from app.connectors.write_failures import failure_kind
from app.sync.items import Item, normalise_fields
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
    Update,
    WriteFailure,
    WriteResult,
    Written,
)

T = TypeVar("T")
MY_CONTACTS = "contactGroups/myContacts"
_CURSOR_VERSION = 1
_PEOPLE_PREFIX = "people/"


def _pack(ids: frozenset[str]) -> str:
    text = "\n".join(sorted(name.removeprefix(_PEOPLE_PREFIX) for name in ids))
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode("ascii")


def _unpack(packed: object) -> frozenset[str]:
    if not isinstance(packed, str) or not packed:
        return frozenset()
    text = zlib.decompress(base64.urlsafe_b64decode(packed.encode("ascii"))).decode()
    return frozenset(_PEOPLE_PREFIX + name for name in text.split("\n") if name)


@dataclass(frozen=True)
class _Groups:
    """The groups a pass works with: the scope group and the selection's other group (when it exists)."""

    scope: str
    #: Automatic: "Don't sync with Salesforce"; manual: "Sync with Salesforce".
    other: str | None


@dataclass(frozen=True)
class _Cursor:
    """What a pass hands to the next one, as compact JSON.

    ``members`` (manual selection) are the contacts in scope at this listing, and ``marked_out`` the contacts
    carrying our marker that were seen out of scope: together they tell "removed from Salesforce Contacts" from
    "just put in Sync with Salesforce" for a contact that is now only in "Sync with Salesforce".
    """

    selection: SelectionMethod
    groups: _Groups
    sync_token: str | None
    members: frozenset[str] = frozenset()
    marked_out: frozenset[str] = frozenset()

    def encode(self) -> str:
        """The cursor string."""
        data: dict[str, Any] = {
            "v": _CURSOR_VERSION,
            "selection": self.selection.value,
            "group": self.groups.scope,
            "other": self.groups.other,
            "token": self.sync_token,
        }
        if self.selection is SelectionMethod.MANUAL:
            data["members"] = _pack(self.members)
            data["marked_out"] = _pack(self.marked_out)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str | None) -> _Cursor | None:
        """The cursor in ``text``; None for no cursor or one this store cannot read (a full listing follows)."""
        if not text:
            return None
        try:
            data = json.loads(text)
            if data.get("v") != _CURSOR_VERSION or not data.get("group"):
                return None
            return cls(
                selection=SelectionMethod(data["selection"]),
                groups=_Groups(str(data["group"]), str(data["other"]) if data.get("other") else None),
                sync_token=str(data["token"]) if data.get("token") else None,
                members=_unpack(data.get("members")),
                marked_out=_unpack(data.get("marked_out")),
            )
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error, zlib.error):
            return None


@dataclass
class _Read:
    """A contact as this pass read it, and whether it is in scope."""

    person: dict[str, Any]
    in_scope: bool


@dataclass
class _Housekeeping:
    """Membership changes a listing found necessary (manual selection)."""

    add_to_scope: list[str] = field(default_factory=list)
    add_to_other: list[str] = field(default_factory=list)
    remove_from_other: list[str] = field(default_factory=list)
    keep_in_my_contacts: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.add_to_scope or self.add_to_other or self.remove_from_other)


def _refusal(problem: ContactError) -> WriteFailure:
    if problem.stale_etag:
        return WriteFailure(FailureKind.PRECONDITION, problem.message)
    if problem.not_found:
        return WriteFailure(FailureKind.NOT_FOUND, problem.message)
    return WriteFailure(FailureKind.INVALID, problem.message)


class PeopleContactStore:
    """The contacts of one Gmail user's "Salesforce Contacts" group (implements :class:`app.sync.stores.ItemStore`)."""

    def __init__(self, client: PeopleClient, *, selection: SelectionMethod = SelectionMethod.AUTOMATIC) -> None:
        self._client = client
        self._selection = selection
        self._groups: _Groups | None = None
        #: Contacts read during this pass (listing, fetches, our own writes), by resource name.
        self._read: dict[str, _Read] = {}
        #: Contacts whose memberships this pass's housekeeping changed: the etag they had before.
        self._touched: dict[str, str] = {}
        #: Contacts re-read before an update with only our membership change since: the etag the engine knows.
        self._etag_stands_for: dict[str, str] = {}

    # -- ItemStore: reading ----------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        self._read.clear()
        self._touched.clear()
        self._etag_stands_for.clear()
        try:
            return self._list(_Cursor.decode(cursor))
        except VendorError as error:
            raise store_error(error) from error

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`."""
        try:
            missing = [item_id for item_id in dict.fromkeys(ids) if item_id not in self._read]
            if missing:
                self._fetch(missing)
        except VendorError as error:
            raise store_error(error) from error
        return MappingProxyType({item_id: self._lookup(item_id) for item_id in ids})

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers` (one full scan: clientData is not searchable)."""
        wanted = set(markers)
        found: dict[str, Marked] = {}
        try:
            groups = self._known_groups(create=False)
            people, _token = self._read_pages(sync_token=None, request_sync_token=False)
        except VendorError as error:
            raise store_error(error) from error
        for person in people:
            marker = mapping.marker(person)
            if marker in wanted and marker is not None and not mapping.is_deleted(person):
                read = self._remember(person, self._in_scope(person, groups))
                found[marker] = Marked(self._item(read.person), read.in_scope)
        return MappingProxyType(found)

    # -- ItemStore: writing ----------------------------------------------------------------------------------

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many` (``batchCreateContacts``, 200 per call)."""
        if not creates:
            return []
        try:
            groups = self._known_groups(create=True)
        except VendorError as error:
            raise store_error(error) from error
        assert groups is not None
        return self._in_chunks(creates, MAX_BATCH_CONTACTS, lambda chunk: self._create_chunk(chunk, groups))

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many` (``batchUpdateContacts``, 200 per call)."""
        if not updates:
            return []
        try:
            self._prepare_updates(updates)
        except VendorError as error:
            raise store_error(error) from error
        return self._in_chunks(updates, MAX_BATCH_CONTACTS, self._update_chunk)

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many` (``batchDeleteContacts``, 500 per call)."""
        if not deletes:
            return []
        return self._in_chunks(deletes, MAX_BATCH_DELETE, self._delete_chunk)

    # -- listing ---------------------------------------------------------------------------------------------

    def _list(self, cursor: _Cursor | None) -> Listing:
        if cursor is not None and cursor.selection is not self._selection:
            cursor = None  # another selection is another scope: list it whole, with no history
        if cursor is None:
            groups = self._known_groups(create=True, fresh=True)
            assert groups is not None
            return self._full_listing(groups, history=None)
        self._groups = cursor.groups
        if cursor.sync_token:
            try:
                people, token = self._read_pages(sync_token=cursor.sync_token, request_sync_token=True)
            except CursorExpired:
                pass
            else:
                if not any(mapping.is_deleted(p) or cursor.groups.scope not in mapping.group_names(p) for p in people):
                    return self._incremental_listing(people, token, cursor.groups, cursor)
                # Contacts deleted or outside the group: was the group itself deleted?
                checked = self._check_groups(cursor.groups)
                if checked is None:
                    return self._after_group_loss()
                return self._incremental_listing(people, token, checked, cursor)
        # No sync token, or an expired one: a full listing, of a group that must still exist.
        checked = self._check_groups(cursor.groups)
        if checked is None:
            return self._after_group_loss()
        return self._full_listing(checked, history=cursor)

    def _full_listing(self, groups: _Groups, history: _Cursor | None) -> Listing:
        people, token = self._read_pages(sync_token=None, request_sync_token=True)
        if history is not None and history.groups.scope != groups.scope:
            history = None
        scope, groups = self._classify(people, groups, history)
        members = frozenset(item_id for item_id, read in scope.items() if read.in_scope)
        marked_out = frozenset(
            item_id for item_id, read in scope.items() if not read.in_scope and mapping.marker(read.person)
        )
        entries = {item_id: str(scope[item_id].person.get("etag") or "") for item_id in sorted(members)}
        cursor = _Cursor(self._selection, groups, token, members, marked_out)
        return Listing(MappingProxyType(entries), complete=True, cursor=cursor.encode())

    def _incremental_listing(
        self, people: list[dict[str, Any]], token: str | None, groups: _Groups, cursor: _Cursor
    ) -> Listing:
        deleted = {str(p["resourceName"]) for p in people if mapping.is_deleted(p)}
        for name in deleted:
            self._remember({"resourceName": name, "metadata": {"deleted": True}}, in_scope=False)
        scope, groups = self._classify([p for p in people if not mapping.is_deleted(p)], groups, cursor)
        entries: dict[str, str] = {}
        removed: dict[str, Removal] = dict.fromkeys(sorted(deleted), Removal.DELETED)
        for item_id, read in sorted(scope.items()):
            if read.in_scope:
                entries[item_id] = str(read.person.get("etag") or "")
            else:
                removed[item_id] = Removal.LEFT_SCOPE
        members = (cursor.members - deleted - set(removed)) | set(entries)
        marked_out = (cursor.marked_out - deleted - set(entries)) | {
            item_id for item_id, read in scope.items() if not read.in_scope and mapping.marker(read.person)
        }
        following = _Cursor(self._selection, groups, token, frozenset(members), frozenset(marked_out))
        return Listing(
            MappingProxyType(entries),
            complete=False,
            cursor=following.encode(),
            removed=MappingProxyType(removed),
        )

    def _after_group_loss(self) -> Listing:
        """The scope group is gone: list a group of that name if the user made one, else create it and list it
        empty (complete), so that the engine's mass-deletion guard stops the pass."""
        found = self._find_groups()
        existed = SYNC_CONTAINER_NAME.casefold() in found
        groups = self._known_groups(create=True, fresh=True, listed=found)
        assert groups is not None
        if existed:
            return self._full_listing(groups, history=None)
        cursor = _Cursor(self._selection, groups, None)
        return Listing(MappingProxyType({}), complete=True, cursor=cursor.encode())

    def _read_pages(
        self, *, sync_token: str | None, request_sync_token: bool
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Every page of ``connections.list`` (a page that fails is retried by the client, never skipped)."""
        people: dict[str, dict[str, Any]] = {}
        page_token: str | None = None
        while True:
            page = self._client.list_connections(
                person_fields=mapping.READ_MASK,
                page_size=MAX_PAGE_SIZE,
                request_sync_token=request_sync_token,
                sync_token=sync_token,
                page_token=page_token,
            )
            for person in page.get("connections") or []:
                if isinstance(person, dict) and person.get("resourceName"):
                    people[str(person["resourceName"])] = person
            page_token = page.get("nextPageToken")
            if not page_token:
                token = page.get("nextSyncToken")
                return list(people.values()), str(token) if token else None

    # -- scope and selection ---------------------------------------------------------------------------------

    def _in_scope(self, person: Mapping[str, Any], groups: _Groups | None) -> bool:
        if groups is None or mapping.is_deleted(person):
            return False
        names = mapping.group_names(person)
        if groups.scope not in names:
            return False
        return self._selection is SelectionMethod.MANUAL or groups.other is None or groups.other not in names

    def _classify(
        self, people: list[dict[str, Any]], groups: _Groups, history: _Cursor | None
    ) -> tuple[dict[str, _Read], _Groups]:
        """Decide each contact's scope; under manual selection, put the memberships right first.

        Returns the contacts as read and the groups to record (the selection group may have been created again).
        """
        chores = _Housekeeping()
        decided: dict[str, bool] = {}
        for person in people:
            item_id = str(person["resourceName"])
            if self._selection is SelectionMethod.AUTOMATIC or groups.other is None:
                decided[item_id] = self._in_scope(person, groups)
            else:
                decided[item_id] = self._select(person, groups, history, chores)
        if chores:
            groups = self._housekeep(chores, groups, {str(p["resourceName"]): p for p in people})
        reads = {str(p["resourceName"]): self._remember(p, decided[str(p["resourceName"])]) for p in people}
        return reads, groups

    def _select(self, person: dict[str, Any], groups: _Groups, history: _Cursor | None, chores: _Housekeeping) -> bool:
        """Manual selection for one contact: whether it is in scope, and the membership changes it needs."""
        item_id = str(person["resourceName"])
        names = mapping.group_names(person)
        in_scope_group, selected = groups.scope in names, groups.other in names
        if in_scope_group:
            if not selected:
                chores.add_to_other.append(item_id)
            return True
        if not selected:
            return False
        if self._was_in_scope(person, history):
            chores.remove_from_other.append(item_id)
            if names <= {groups.other}:
                chores.keep_in_my_contacts.append(item_id)
            return False
        chores.add_to_scope.append(item_id)
        return True

    @staticmethod
    def _was_in_scope(person: Mapping[str, Any], history: _Cursor | None) -> bool:
        """Whether a contact now only in "Sync with Salesforce" was in scope before (so it was removed from it)."""
        if history is None:
            return False
        item_id = str(person["resourceName"])
        if item_id in history.members:
            return True
        # Created by crmbridge (in scope from birth) since the last listing, and never seen out of scope.
        return mapping.marker(person) is not None and item_id not in history.marked_out

    def _housekeep(self, chores: _Housekeeping, groups: _Groups, people: Mapping[str, dict[str, Any]]) -> _Groups:
        """Apply the membership changes (``contactGroups.members.modify``, 1000 names per call).

        "Sync with Salesforce" may have been deleted by the user: it is then found by name or created again, and
        the groups to carry on with are returned.
        """
        assert groups.other is not None
        changes = (
            (MY_CONTACTS, chores.keep_in_my_contacts, True),  # so that leaving the selection is not a last group
            (groups.scope, chores.add_to_scope, True),
            (None, chores.add_to_other, True),  # None: the selection group
            (None, chores.remove_from_other, False),
        )
        for fixed, names, add in changes:
            for chunk in chunks(names, MAX_MEMBER_CHANGES):
                target: str | None = fixed or groups.other
                assert target is not None
                try:
                    self._modify(target, chunk, add=add)
                except NotFound:
                    if fixed is not None:
                        raise
                    groups = _Groups(groups.scope, self._find_or_create(self._other_group_name()))
                    self._groups = groups
                    target = groups.other
                    assert target is not None
                    if not add:
                        continue  # a new group has no members to remove
                    self._modify(target, chunk, add=add)
                for name in chunk:
                    person = people[name]
                    self._touched.setdefault(name, str(person.get("etag") or ""))
                    _change_membership(person, target, add)
        return groups

    def _modify(self, group: str, names: list[str], *, add: bool) -> None:
        if add:
            self._client.modify_members(group, add=names)
        else:
            self._client.modify_members(group, remove=names)

    # -- groups ----------------------------------------------------------------------------------------------

    def _other_group_name(self) -> str:
        return DONT_SYNC_CATEGORY if self._selection is SelectionMethod.AUTOMATIC else SYNC_CATEGORY

    def _find_groups(self) -> dict[str, str]:
        """User contact groups by case-folded name (``contactGroups.list``, pages of 1000)."""
        found: dict[str, str] = {}
        page_token: str | None = None
        while True:
            page = self._client.list_groups(page_token=page_token)
            for group in page.get("contactGroups") or []:
                if isinstance(group, dict) and group.get("groupType") == "USER_CONTACT_GROUP" and group.get("name"):
                    found.setdefault(str(group["name"]).casefold(), str(group["resourceName"]))
            page_token = page.get("nextPageToken")
            if not page_token:
                return found

    def _known_groups(
        self, *, create: bool, fresh: bool = False, listed: dict[str, str] | None = None
    ) -> _Groups | None:
        """The groups of this store: remembered, else found by name (and created when ``create``)."""
        if self._groups is not None and not fresh:
            return self._groups
        found = listed if listed is not None else self._find_groups()
        scope = found.get(SYNC_CONTAINER_NAME.casefold())
        other = found.get(self._other_group_name().casefold())
        if create:
            scope = scope or self._create_group(SYNC_CONTAINER_NAME)
            other = other or self._create_group(self._other_group_name())
        if scope is None:
            return None
        self._groups = _Groups(scope, other)
        return self._groups

    def _find_or_create(self, name: str) -> str:
        return self._find_groups().get(name.casefold()) or self._create_group(name)

    def _create_group(self, name: str) -> str:
        try:
            return str(self._client.create_group(name)["resourceName"])
        except InvalidData as error:
            if error.code != "ALREADY_EXISTS":
                raise
        existing = self._find_groups().get(name.casefold())
        if existing is None:
            raise InvalidData("google", f"contact group {name!r} exists but cannot be found")
        return existing

    def _check_groups(self, groups: _Groups) -> _Groups | None:
        """The groups after checking that they still exist (None: the scope group is gone)."""
        names = [groups.scope] + ([groups.other] if groups.other else [])
        alive = {
            str(answer.get("requestedResourceName"))
            for answer in self._client.get_groups(names)
            if isinstance(answer.get("contactGroup"), dict)
            and not (answer.get("status") or {}).get("code")
            and not (answer["contactGroup"].get("metadata") or {}).get("deleted")
        }
        if groups.scope not in alive:
            return None
        if groups.other is not None and groups.other in alive:
            return groups
        self._groups = _Groups(groups.scope, self._find_or_create(self._other_group_name()))
        return self._groups

    # -- reading by id ---------------------------------------------------------------------------------------

    def _remember(self, person: dict[str, Any], in_scope: bool) -> _Read:
        read = _Read(person, in_scope)
        self._read[str(person["resourceName"])] = read
        return read

    def _fetch(self, ids: Sequence[str]) -> None:
        """Read contacts by resource name (``people.getBatchGet``, 200 per call) into this pass's memory."""
        groups = self._known_groups(create=False)
        for chunk in chunks(ids, MAX_BATCH_CONTACTS):
            for answer in self._client.get_batch(chunk, person_fields=mapping.READ_MASK):
                name = str(answer.get("requestedResourceName") or "")
                person = answer.get("person")
                status = int(answer.get("httpStatusCode") or 200)
                if isinstance(person, dict) and status == 200:
                    self._remember(person, self._in_scope(person, groups))
                elif status == 404 or (answer.get("status") or {}).get("code") == 5:
                    self._remember({"resourceName": name, "metadata": {"deleted": True}}, in_scope=False)
                else:
                    raise VendorUnavailable("google", f"{name}: HTTP {status} in getBatchGet")

    def _lookup(self, item_id: str) -> Lookup:
        read = self._read.get(item_id)
        if read is None or mapping.is_deleted(read.person):
            return Gone(item_id)
        if not read.in_scope:
            return OutOfScope(item_id)
        return self._item(read.person)

    @staticmethod
    def _item(person: Mapping[str, Any]) -> Item:
        return Item(
            str(person["resourceName"]),
            str(person.get("etag") or ""),
            mapping.contact_fields(person),
            mapping.marker(person),
            mapping.modified_at(person),
        )

    # -- writing ---------------------------------------------------------------------------------------------

    def _in_chunks(
        self, writes: Sequence[T], size: int, send: Callable[[list[T]], list[WriteResult]]
    ) -> list[WriteResult]:
        """Send ``writes`` in vendor-sized chunks; a failed chunk fails its items only.

        Once throttling outlasts the retries, or the grant or a quota is gone, the remaining chunks are not sent.
        """
        results: list[WriteResult] = []
        stop: WriteFailure | None = None
        for chunk in chunks(writes, size):
            if stop is not None:
                results.extend([stop] * len(chunk))
                continue
            try:
                answers = send(chunk)
            except VendorError as error:
                kind = failure_kind(error, outcome_unknown=OutcomeUnknown)
                if kind is None and not results:
                    raise store_error(error) from error
                failure = WriteFailure(kind or FailureKind.TRANSIENT, str(error))
                if kind is None or kind is FailureKind.THROTTLED:
                    stop = failure
                answers = [failure] * len(chunk)
            results.extend(answers)
        return results

    def _written(self, person: dict[str, Any], sent: Mapping[str, object]) -> Written:
        self._remember(person, self._in_scope(person, self._groups))
        stored = mapping.contact_fields(person)
        return Written(
            str(person["resourceName"]),
            str(person.get("etag") or ""),
            None if stored == normalise_fields(sent) else stored,
        )

    def _create_chunk(self, chunk: list[Create], groups: _Groups) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        pending = list(range(len(chunk)))
        regrouped = False
        while pending:
            memberships = [MY_CONTACTS, groups.scope]
            if self._selection is SelectionMethod.MANUAL and groups.other is not None:
                memberships.append(groups.other)
            bodies = [mapping.new_person(chunk[index].fields, chunk[index].marker, memberships) for index in pending]
            try:
                created = self._client.batch_create(bodies, read_mask=mapping.READ_MASK)
            except BatchRejected as error:
                problems = {
                    pending[int(key)]: problem
                    for key, problem in error.contact_errors.items()
                    if key.isdigit() and int(key) < len(pending)
                }
                if not problems:
                    raise
                if not regrouped and all("contact group" in p.message.lower() for p in problems.values()):
                    regrouped = True  # a group was deleted under us: find or create it again, then retry
                    refreshed = self._known_groups(create=True, fresh=True)
                    assert refreshed is not None
                    groups = refreshed
                    continue
                for index, problem in problems.items():
                    results[index] = _refusal(problem)
                pending = [index for index in pending if index not in problems]
                continue
            by_marker = {mapping.marker(answer.get("person") or {}): answer.get("person") for answer in created}
            for position, index in enumerate(pending):
                person = by_marker.get(chunk[index].marker)
                if person is None and position < len(created):
                    person = created[position].get("person")
                if isinstance(person, dict) and person.get("resourceName"):
                    results[index] = self._written(person, chunk[index].fields)
                else:
                    results[index] = WriteFailure(FailureKind.UNKNOWN_OUTCOME, "the created contact was not returned")
            pending = []
        return [results[index] for index in range(len(chunk))]

    def _prepare_updates(self, updates: Sequence[Update]) -> None:
        """Read what an update needs: contacts not read this pass, and those our housekeeping touched.

        A membership change made by this pass's housekeeping gave the contact a new etag that the engine has not
        seen; when nothing but that change happened since, the engine's etag stands for the new one.
        """
        touched = [u.id for u in updates if self._touched.get(u.id) == u.etag and u.id in self._read]
        before = {item_id: self._read.pop(item_id).person for item_id in touched}
        unread = [u.id for u in updates if u.id not in self._read]
        if unread:
            self._fetch(list(dict.fromkeys(unread)))
        for item_id, old in before.items():
            self._touched.pop(item_id, None)
            fresh = self._read.get(item_id)
            if fresh is None or mapping.is_deleted(fresh.person):
                continue
            unchanged = mapping.contact_fields(fresh.person) == mapping.contact_fields(old)
            if unchanged and mapping.marker(fresh.person) == mapping.marker(old):
                self._etag_stands_for[item_id] = str(old.get("etag") or "")

    def _etag_for(self, update: Update, current_etag: str) -> str | None:
        """The etag to send for ``update``, or None when the contact changed since the engine read it."""
        if self._etag_stands_for.pop(update.id, None) == update.etag:
            return current_etag
        return update.etag if update.etag == current_etag else None

    def _update_chunk(self, chunk: list[Update]) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        bodies: dict[str, tuple[int, dict[str, Any]]] = {}
        for index, update in enumerate(chunk):
            read = self._read.get(update.id)
            if read is None or mapping.is_deleted(read.person):
                results[index] = WriteFailure(FailureKind.NOT_FOUND, f"{update.id} does not exist")
                continue
            etag = self._etag_for(update, str(read.person.get("etag") or ""))
            if etag is None:
                results[index] = WriteFailure(FailureKind.PRECONDITION, f"{update.id} changed since it was read")
                continue
            bodies[update.id] = (index, mapping.updated_person(read.person, update.fields, etag))
        while bodies:
            try:
                updated = self._client.batch_update(
                    {name: body for name, (_index, body) in bodies.items()},
                    update_mask=mapping.UPDATE_MASK,
                    read_mask=mapping.READ_MASK,
                )
            except BatchRejected as error:
                refused = set(error.contact_errors) & set(bodies)
                if not refused:
                    raise
                for name in refused:
                    results[bodies.pop(name)[0]] = _refusal(error.contact_errors[name])
                continue
            for name, (index, _body) in bodies.items():
                person = (updated.get(name) or {}).get("person")
                if isinstance(person, dict) and person.get("resourceName"):
                    results[index] = self._written(person, chunk[index].fields)
                else:
                    results[index] = WriteFailure(FailureKind.UNKNOWN_OUTCOME, "the updated contact was not returned")
            bodies = {}
        return [results[index] for index in range(len(chunk))]

    def _delete_chunk(self, chunk: list[Delete]) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        pending: dict[str, int] = {}
        for index, delete in enumerate(chunk):
            read = self._read.get(delete.id)
            known_etag = None if read is None else str(read.person.get("etag") or "")
            if read is not None and mapping.is_deleted(read.person):
                results[index] = WriteFailure(FailureKind.NOT_FOUND, f"{delete.id} is already deleted")
            elif known_etag and delete.etag and known_etag != delete.etag and delete.id not in self._touched:
                results[index] = WriteFailure(FailureKind.PRECONDITION, f"{delete.id} changed since it was read")
            else:
                pending.setdefault(delete.id, index)
        for attempt in range(2):
            if not pending:
                break
            try:
                self._client.batch_delete(list(pending))
            except NotFound:
                if attempt:
                    raise
                self._fetch(list(pending))
                for name in [name for name in pending if mapping.is_deleted(self._read[name].person)]:
                    results[pending.pop(name)] = WriteFailure(FailureKind.NOT_FOUND, f"{name} is already deleted")
                continue
            for name, index in pending.items():
                self._remember({"resourceName": name, "metadata": {"deleted": True}}, in_scope=False)
                results[index] = Written(name, "")
            pending = {}
        return [
            results.get(index, WriteFailure(FailureKind.NOT_FOUND, "already deleted")) for index in range(len(chunk))
        ]


def _change_membership(person: dict[str, Any], group: str, add: bool) -> None:
    """Record in a read person a membership change made through ``contactGroups.members.modify``."""
    memberships = [
        item
        for item in person.get("memberships") or []
        if not (
            isinstance(item, dict)
            and (item.get("contactGroupMembership") or {}).get("contactGroupResourceName") == group
        )
    ]
    if add:
        memberships.append({"contactGroupMembership": {"contactGroupResourceName": group}})
    person["memberships"] = memberships
