"""The sandbox Salesforce org: records, Recycle Bin, query locators, settings, API usage, and the write rules.

:class:`SalesforceOrg` is the vendor backend registered as ``"salesforce"``. Handlers call its methods with the
:class:`~app.sandbox.salesforce.sharing.Caller` a request runs as; every method raises
:class:`~app.sandbox.salesforce.exceptions.ApiError` in Salesforce's own terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from app.sandbox.directory import SandboxUser, UserDirectory
from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce import sharing
from app.sandbox.salesforce.behaviours import behaviour_for
from app.sandbox.salesforce.duplicates import DuplicateRuleHeader, check_duplicates
from app.sandbox.salesforce.exceptions import record_error
from app.sandbox.salesforce.hooks import WriteContext
from app.sandbox.salesforce.ids import ORG_PREFIX, IdFactory, base62, normalize_id, object_for_id, to_18
from app.sandbox.salesforce.limits import ApiUsage
from app.sandbox.salesforce.org_settings import OrgSettings
from app.sandbox.salesforce.query import QueryLocators
from app.sandbox.salesforce.schema import OBJECTS, ObjectDef, cascade_children, lookup_object
from app.sandbox.salesforce.sharing import Caller
from app.sandbox.salesforce.store import BinEntry, RecordStore, Row
from app.sandbox.salesforce.validation import clean_values
from app.sandbox.salesforce.values import format_datetime
from app.sandbox.state import SandboxState, Seed

#: How long deleted records stay in the Recycle Bin.
RECYCLE_BIN_RETENTION = timedelta(days=15)
DEFAULT_VERSION = "59.0"
PROFILES = ("System Administrator", "Standard User", "Read Only")


class SalesforceOrg:
    """One emulated org (``sandbox.my.salesforce.com``)."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.settings = OrgSettings()
        self.store = RecordStore()
        self.ids = IdFactory()
        self.usage = ApiUsage()
        self.locators = QueryLocators()
        self.org_id = to_18(ORG_PREFIX + "Sb0" + base62(1, 9))
        self.created_at = state.clock.now()
        self.profile_ids: dict[str, str] = {}
        self.list_view_ids: dict[str, str] = {}
        self._case_number = 0
        #: sObject -> time of the last record of that type physically deleted from the Recycle Bin.
        self.last_purge: dict[str, datetime] = {}
        #: While set, the time writes are stamped with (seeding records "in the past").
        self._pinned: datetime | None = None

    # ------------------------------------------------------------------------------------------------------------
    # VendorBackend

    def reset(self, seed: Seed, directory: UserDirectory) -> None:
        """Drop every record and setting, then fill the org per ``seed`` for the directory's Salesforce users."""
        from app.sandbox.salesforce.seed import seed_org

        self.settings = OrgSettings()
        self.store.clear()
        self.ids.reset()
        self.usage.reset()
        self.locators.clear()
        self.profile_ids.clear()
        self.list_view_ids.clear()
        self.last_purge.clear()
        self._case_number = 0
        self.created_at = self.now() - timedelta(days=365)
        seed_org(self, seed, directory)

    def user_added(self, user: SandboxUser) -> None:
        """Give a new sandbox user who is a Salesforce user their User record."""
        if user.salesforce_user:
            self.create_user_record(user)

    # ------------------------------------------------------------------------------------------------------------
    # Basics

    def now(self) -> datetime:
        """The sandbox clock (or the pinned time while seeding)."""
        return self._pinned or self.state.clock.now()

    @contextmanager
    def pinned_time(self, moment: datetime) -> Iterator[None]:
        """Stamp every write made inside the block with ``moment``."""
        previous, self._pinned = self._pinned, moment
        try:
            yield
        finally:
            self._pinned = previous

    def stamp(self) -> str:
        """The sandbox clock in Salesforce's wire format."""
        return format_datetime(self.now())

    def find(self, record_id: str) -> tuple[str, Row] | None:
        """(sObject, row) of a record, deleted ones included."""
        return self.store.get(record_id)

    def live(self, record_id: str | None) -> tuple[str, Row] | None:
        """(sObject, row) of a record that is not deleted."""
        found = self.store.get(record_id) if record_id else None
        if found is None or found[1].get("IsDeleted"):
            return None
        return found

    def rows(self, sobject: str) -> Iterator[Row]:
        """Every row of ``sobject``, deleted ones included."""
        return self.store.rows(sobject)

    def object_def(self, name: str) -> ObjectDef | None:
        """The sObject called ``name`` (any case) if this org has it, given its features."""
        definition = lookup_object(name)
        if definition is None or not self.settings.object_available(definition.name):
            return None
        return definition

    def require_object(self, name: str) -> ObjectDef:
        """The sObject called ``name``, or Salesforce's 404 for a resource that does not exist."""
        definition = self.object_def(name)
        if definition is None:
            raise errors.not_found()
        return definition

    def available_objects(self) -> list[ObjectDef]:
        """The org's sObjects in global describe order."""
        return [d for d in OBJECTS.values() if self.settings.object_available(d.name)]

    def caller_for_email(self, email: str) -> Caller | None:
        """The Caller for a sandbox user's address, if they are an active user of this org."""
        person = self.state.directory.get(email)
        if person is None or not person.salesforce_user or not person.salesforce_id:
            return None
        user = self.live(person.salesforce_id)
        if user is None or not user[1].get("IsActive"):
            return None
        profile = self.live(user[1].get("ProfileId"))
        is_admin = profile is not None and profile[1].get("Name") == sharing.ADMIN_PROFILE
        return Caller(person.salesforce_id, person.email, is_admin)

    def admin_caller(self) -> Caller | None:
        """An active System Administrator of the org, to act as the org itself."""
        admin_profile = self.profile_ids.get(sharing.ADMIN_PROFILE)
        for row in self.store.rows("User"):
            if row.get("ProfileId") == admin_profile and row.get("IsActive") and not row.get("IsDeleted"):
                return Caller(row["Id"], str(row["Email"]), True)
        return None

    def next_case_number(self) -> str:
        """The next CaseNumber (auto-number, eight digits)."""
        self._case_number += 1
        return f"{self._case_number:08d}"

    def housekeeping(self) -> None:
        """Purge Recycle Bin entries older than 15 days and drop expired query locators."""
        now = self.now()
        roots = {
            entry.root for entry in self.store.bin_entries().values() if entry.deleted_at + RECYCLE_BIN_RETENTION <= now
        }
        if roots:
            for record_id, entry in self.store.bin_entries().items():
                if entry.root in roots:
                    found = self.store.get(record_id)
                    if found is not None:
                        self.last_purge[found[0]] = now
                    self.store.erase(record_id)
                    for side in ("series", "blobs"):
                        self.store.set_side(side, record_id, None)
        self.locators.expire(now)

    # ------------------------------------------------------------------------------------------------------------
    # Transactions

    def begin(self) -> int:
        """Open a savepoint (for allOrNone and composite requests)."""
        return self.store.begin()

    def rollback(self, mark: int) -> None:
        """Undo everything since the savepoint."""
        self.store.rollback(mark)

    def release(self, mark: int) -> None:
        """Keep everything since the savepoint."""
        self.store.release(mark)

    # ------------------------------------------------------------------------------------------------------------
    # Reading

    def locate(self, definition: ObjectDef, raw_id: str) -> tuple[str, Row]:
        """The (id, row) an sObject Rows URL names; 404 or MALFORMED_ID as Salesforce answers."""
        record_id = normalize_id(raw_id)
        if record_id is None:
            raise errors.external_id_field_missing(raw_id)
        if record_id[:3] != definition.key_prefix:
            raise errors.api_error(
                400, errors.MALFORMED_ID, f"{definition.label} ID: id value of incorrect type: {raw_id}", ["Id"]
            )
        found = self.store.get(record_id)
        if found is None:
            raise errors.not_found()
        return record_id, found[1]

    def retrieve(self, definition: ObjectDef, raw_id: str, caller: Caller) -> Row:
        """A live record the caller may see (404 otherwise)."""
        _, row = self.locate(definition, raw_id)
        if row.get("IsDeleted") or not sharing.can_read(self, caller, definition.name, row):
            raise errors.not_found()
        return row

    def visible_rows(self, sobject: str, caller: Caller, *, include_deleted: bool = False) -> Iterator[Row]:
        """The rows of ``sobject`` the caller may see."""
        for row in self.store.rows(sobject):
            if row.get("IsDeleted") and not include_deleted:
                continue
            if sharing.can_read(self, caller, sobject, row):
                yield row

    def record_json(
        self, definition: ObjectDef, row: Row, api_version: str, fields: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """A record as sObject Rows returns it: ``attributes`` then the fields (all, or those asked for)."""
        names = [f.name for f in definition.iter_fields()] if fields is None else list(fields)
        body: dict[str, Any] = {
            "attributes": {
                "type": definition.name,
                "url": f"/services/data/v{api_version}/sobjects/{definition.name}/{row['Id']}",
            }
        }
        for name in names:
            value = row.get(name)
            if name == "VersionData" and value is not None:
                value = f"/services/data/v{api_version}/sobjects/ContentVersion/{row['Id']}/VersionData"
            body[name] = value
        return body

    def resolve_fields(self, definition: ObjectDef, names: Iterable[str]) -> list[str]:
        """Canonical names for a ``fields`` parameter; 400 INVALID_FIELD for an unknown one."""
        resolved = []
        for name in names:
            field_def = definition.field(name.strip())
            if field_def is None:
                raise errors.api_error(400, errors.INVALID_FIELD, errors.no_such_column(name.strip(), definition.name))
            resolved.append(field_def.name)
        return resolved

    # ------------------------------------------------------------------------------------------------------------
    # Writing

    def create(
        self,
        sobject: str,
        payload: Mapping[str, Any],
        caller: Caller,
        *,
        header: DuplicateRuleHeader | None = None,
        api_version: str = DEFAULT_VERSION,
    ) -> str:
        """Create a record as ``caller``; returns its id."""
        definition = self.require_object(sobject)
        if not definition.createable:
            raise record_error(
                errors.INVALID_TYPE_FOR_OPERATION, f"entity type {definition.name} does not support insert"
            )
        if "Id" in payload or "id" in payload:
            raise record_error(errors.INVALID_FIELD_FOR_INSERT_UPDATE, "cannot specify Id in an insert call", ["Id"])
        values = clean_values(definition, payload, "create")
        return self.insert(definition, values, caller, header=header, api_version=api_version)

    def insert(
        self,
        definition: ObjectDef,
        values: Mapping[str, Any],
        caller: Caller,
        *,
        header: DuplicateRuleHeader | None = None,
        api_version: str = DEFAULT_VERSION,
        check_references: bool = True,
    ) -> str:
        """Store a new record from cleaned ``values`` (the path system-created records take too)."""
        row = self._blank_row(definition, caller)
        row.update(
            {k: v for k, v in values.items() if v is not None or not definition.fields[k.lower()].defaulted_on_create}
        )
        if definition.owned and not row.get("OwnerId"):
            row["OwnerId"] = caller.user_id
        if check_references:
            self._check_references(definition, {**values, "OwnerId": row.get("OwnerId")}, caller)
        self._save(
            WriteContext(self, caller, definition, values, None, row),
            header=header,
            api_version=api_version,
            check_for_duplicates=True,
        )
        return str(row["Id"])

    def update(
        self,
        sobject: str,
        raw_id: str,
        payload: Mapping[str, Any],
        caller: Caller,
        *,
        header: DuplicateRuleHeader | None = None,
        api_version: str = DEFAULT_VERSION,
    ) -> str:
        """Update a record as ``caller``; returns its id."""
        definition = self.require_object(sobject)
        record_id, old = self.locate(definition, raw_id)
        payload = dict(payload)
        sent_id = payload.pop("Id", None) or payload.pop("id", None)
        if sent_id and normalize_id(str(sent_id)) != record_id:
            raise record_error(errors.INVALID_FIELD_FOR_INSERT_UPDATE, "Unable to create/update fields: Id.", ["Id"])
        self._check_writable(definition, old, caller)
        values = clean_values(definition, payload, "update")
        self.apply_update(definition, old, values, caller, header=header, api_version=api_version)
        return record_id

    def apply_update(
        self,
        definition: ObjectDef,
        old: Row,
        values: Mapping[str, Any],
        caller: Caller,
        *,
        header: DuplicateRuleHeader | None = None,
        api_version: str = DEFAULT_VERSION,
        check_references: bool = True,
    ) -> None:
        """Store ``values`` over ``old`` (the path system updates take too)."""
        if check_references:
            self._check_references(definition, values, caller)
        row = {**old, **values}
        stamp = self.stamp()
        if "LastModifiedDate" in row:
            row["LastModifiedDate"] = stamp
            row["LastModifiedById"] = caller.user_id
        row["SystemModstamp"] = stamp
        # Duplicate rules match on email, so an update is checked only when it changes the email.
        self._save(
            WriteContext(self, caller, definition, values, old, row),
            header=header,
            api_version=api_version,
            check_for_duplicates="Email" in values,
        )

    def _save(
        self,
        ctx: WriteContext,
        *,
        header: DuplicateRuleHeader | None,
        api_version: str,
        check_for_duplicates: bool,
    ) -> None:
        """The save sequence of every insert and update: before-save behaviour, uniqueness, duplicate rules,
        store, after-save behaviour."""
        definition, row = ctx.definition, ctx.row
        behaviour = behaviour_for(definition.name)
        behaviour.before_save(ctx)
        self._check_unique(definition, row)
        if check_for_duplicates:
            check_duplicates(
                self.settings,
                definition.name,
                row,
                self.store.rows(definition.name),
                header=header or DuplicateRuleHeader(),
                api_version=api_version,
            )
        self.store.put(definition.name, row)
        behaviour.after_save(ctx)

    def system_update(self, record_id: str, changes: Mapping[str, Any], caller: Caller) -> None:
        """Change fields of a record as Salesforce itself does (no access or write checks)."""
        found = self.store.get(record_id)
        if found is None:
            return
        definition = OBJECTS[found[0]]
        self.apply_update(definition, found[1], changes, caller, check_references=False)

    def delete(self, sobject: str, raw_id: str, caller: Caller) -> str:
        """Move a record (and its cascade-deleted children) to the Recycle Bin; returns its id."""
        definition = self.require_object(sobject)
        record_id, row = self.locate(definition, raw_id)
        if row.get("IsDeleted"):
            raise errors.api_error(404, errors.ENTITY_IS_DELETED, "entity is deleted", [])
        if not sharing.can_read(self, caller, definition.name, row):
            raise errors.not_found()
        if not sharing.can_delete(self, caller, definition.name, row):
            raise errors.api_error(
                400, errors.INSUFFICIENT_ACCESS_OR_READONLY, "insufficient access rights on object id", []
            )
        self.remove(record_id, caller)
        return record_id

    def remove(self, record_id: str, caller: Caller, *, root: str | None = None) -> None:
        """Recycle a record and, recursively, its cascade-deleted children."""
        found = self.store.get(record_id)
        if found is None or found[1].get("IsDeleted"):
            return
        sobject, row = found
        behaviour_for(sobject).before_delete(self, caller, row)
        found = self.store.get(record_id)
        if found is None:
            return
        row = found[1]
        self.store.put(sobject, {**row, "IsDeleted": True, "SystemModstamp": self.stamp()})
        self.store.set_bin(record_id, BinEntry(self.now(), root or record_id))
        for relation in cascade_children(sobject):
            for child in self.store.rows(relation.child_object):
                if child.get(relation.field) == record_id and not child.get("IsDeleted"):
                    self.remove(child["Id"], caller, root=root or record_id)

    def undelete(self, raw_ids: Iterable[str], caller: Caller) -> list[dict[str, Any]]:
        """Restore records from the Recycle Bin (with what their deletion took along); UndeleteResult per id."""
        results = []
        for raw_id in raw_ids:
            record_id = normalize_id(raw_id)
            entry = self.store.bin_entry(record_id) if record_id else None
            if record_id is None:
                results.append(_failure(raw_id, errors.MALFORMED_ID, f"malformed id {raw_id}"))
                continue
            found = self.store.get(record_id)
            if entry is None or found is None:
                results.append(_failure(record_id, "UNDELETE_FAILED", "Entity is not in the recycle bin"))
                continue
            if entry.root != record_id or not OBJECTS[found[0]].undeletable:
                results.append(_failure(record_id, "UNDELETE_FAILED", "Entity is not undeletable"))
                continue
            if not sharing.can_delete(self, caller, found[0], found[1]):
                results.append(
                    _failure(
                        record_id, errors.INSUFFICIENT_ACCESS_OR_READONLY, "insufficient access rights on object id"
                    )
                )
                continue
            for member_id, member in self.store.bin_entries().items():
                if member.root != record_id:
                    continue
                member_found = self.store.get(member_id)
                if member_found is None:
                    continue
                sobject, row = member_found
                restored = {**row, "IsDeleted": False, "SystemModstamp": self.stamp()}
                self.store.put(sobject, restored)
                self.store.set_bin(member_id, None)
                behaviour_for(sobject).after_undelete(self, restored)
            results.append({"id": record_id, "success": True, "errors": []})
        return results

    # ------------------------------------------------------------------------------------------------------------
    # Users

    def create_profile(self, name: str) -> str:
        """A Profile record (profiles are setup data; the API cannot create them)."""
        profile_id = self.ids.for_object("Profile")
        stamp = format_datetime(self.created_at)
        self.store.put(
            "Profile",
            {
                "Id": profile_id,
                "Name": name,
                "UserType": "Standard",
                "Description": None,
                "IsDeleted": False,
                "CreatedDate": stamp,
                "CreatedById": None,
                "LastModifiedDate": stamp,
                "LastModifiedById": None,
                "SystemModstamp": stamp,
            },
        )
        self.profile_ids[name] = profile_id
        return profile_id

    def create_user_record(self, person: SandboxUser, *, when: datetime | None = None) -> str:
        """The User record of a sandbox user (setting ``person.salesforce_id``)."""
        profile_id = self.profile_ids.get(person.salesforce_profile) or self.create_profile(person.salesforce_profile)
        user_id = self.ids.for_object("User")
        stamp = format_datetime(when or self.created_at)
        first, last = person.given_name, person.family_name
        alias = (first[:1] + last[:4]).lower()
        row: dict[str, Any] = {f.name: None for f in OBJECTS["User"].iter_fields()}
        row.update(
            {
                "Id": user_id,
                "Username": person.email,
                "LastName": last,
                "FirstName": first if first != last else None,
                "Name": person.name,
                "CompanyName": "crmbridge Demo",
                "Email": person.email,
                "Alias": alias,
                "CommunityNickname": person.email.split("@", 1)[0],
                "IsActive": True,
                "TimeZoneSidKey": "Europe/London",
                "LocaleSidKey": "en_GB",
                "EmailEncodingKey": "UTF-8",
                "LanguageLocaleKey": "en_US",
                "ProfileId": profile_id,
                "UserType": "Standard",
                "IsDeleted": False,
                "CreatedDate": stamp,
                "LastModifiedDate": stamp,
                "SystemModstamp": stamp,
            }
        )
        row["CreatedById"] = row["LastModifiedById"] = user_id
        self.store.put("User", row)
        person.salesforce_id = user_id
        return user_id

    # ------------------------------------------------------------------------------------------------------------
    # Helpers

    def _blank_row(self, definition: ObjectDef, caller: Caller) -> dict[str, Any]:
        stamp = self.stamp()
        row: dict[str, Any] = {}
        for field_def in definition.iter_fields():
            row[field_def.name] = field_def.default if field_def.defaulted_on_create else None
        row["Id"] = self.ids.for_object(definition.name)
        row["IsDeleted"] = False
        for name in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
            if name in row:
                row[name] = stamp
        for name in ("CreatedById", "LastModifiedById"):
            if name in row:
                row[name] = caller.user_id
        return row

    def _check_writable(self, definition: ObjectDef, row: Row, caller: Caller) -> None:
        if row.get("IsDeleted"):
            raise errors.api_error(404, errors.ENTITY_IS_DELETED, "entity is deleted", [])
        if not sharing.can_read(self, caller, definition.name, row):
            raise errors.not_found()
        if not definition.updateable or not sharing.can_edit(self, caller, definition.name, row):
            raise errors.api_error(
                400, errors.INSUFFICIENT_ACCESS_OR_READONLY, "insufficient access rights on object id", []
            )

    def _check_references(self, definition: ObjectDef, values: Mapping[str, Any], caller: Caller) -> None:
        for name, value in values.items():
            field_def = definition.field(name)
            if field_def is None or field_def.type != "reference" or value is None:
                continue
            target = object_for_id(value)
            if target not in field_def.reference_to:
                raise record_error(
                    errors.FIELD_INTEGRITY_EXCEPTION,
                    f"{field_def.label}: id value of incorrect type: {value}",
                    [field_def.name],
                )
            found = self.store.get(value)
            if found is None or (target is not None and not self.settings.object_available(target)):
                raise record_error(errors.INVALID_CROSS_REFERENCE_KEY, "invalid cross reference id", [field_def.name])
            if found[1].get("IsDeleted"):
                raise record_error(errors.ENTITY_IS_DELETED, "entity is deleted", [field_def.name])
            if not sharing.can_read(self, caller, found[0], found[1]):
                raise record_error(
                    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
                    "insufficient access rights on cross-reference id",
                    [field_def.name],
                )

    def _check_unique(self, definition: ObjectDef, row: Mapping[str, Any]) -> None:
        for field_def in definition.iter_fields():
            if not field_def.unique or row.get(field_def.name) is None:
                continue
            wanted = str(row[field_def.name]).lower()
            for other in self.store.rows(definition.name):
                if (
                    other["Id"] != row["Id"]
                    and not other.get("IsDeleted")
                    and str(other.get(field_def.name) or "").lower() == wanted
                ):
                    raise record_error(
                        errors.DUPLICATE_VALUE,
                        f"duplicate value found: {field_def.name} duplicates value on record with id: {other['Id']}",
                        [field_def.name],
                    )


def _failure(record_id: str, code: str, message: str) -> dict[str, Any]:
    return {"id": record_id, "success": False, "errors": [{"statusCode": code, "message": message, "fields": []}]}
