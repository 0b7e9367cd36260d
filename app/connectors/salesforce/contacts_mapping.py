"""Pure functions for the Salesforce contact store: Contact rows and the contact projection, and what a write sends.

The projection (``app.connectors.contact_fields``) maps to Contact as FirstName, LastName, Email, ``phones`` =
{Phone, OtherPhone} (at most two), MobilePhone, HomePhone, Account.Name (``company``, read through the relationship),
Title, Department and the Mailing address. Values longer than the org describes are cut, a missing LastName is
derived, and what Salesforce then holds is reported so that the engine neither takes it for a change nor writes it
back.

The marker of a contact crmbridge created is the first line of its ``Description`` that starts with
``crmbridge:``: a standard field every org has (no custom field needed), which the projection does not sync and
updates never touch. Long text is not filterable in SOQL, so the store finds markers among the contacts the user
created (or owns) since its watermark, in one query.

Nothing here does I/O. The rest of the store's pure parts live beside this module, and their names can still be
imported from here: the Company rule in :mod:`app.connectors.salesforce.contacts_company`, the SOQL it runs in
:mod:`app.connectors.salesforce.contacts_soql`, and what Salesforce's per-record errors mean in
:mod:`app.connectors.salesforce.contacts_errors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from app.connectors import contact_fields as cf
from app.connectors.salesforce.describe_fields import field_lengths, fields_by_name
from app.sync.items import Fields, FieldValue, normalise_fields, normalise_value
from app.sync.stores import FailureKind, WriteFailure

# --- fields ----------------------------------------------------------------------------------------------------

#: Single-valued projection fields and the Contact field each one is.
SINGLE_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        cf.FIRST_NAME: "FirstName",
        cf.LAST_NAME: "LastName",
        cf.EMAIL: "Email",
        cf.MOBILE_PHONE: "MobilePhone",
        cf.HOME_PHONE: "HomePhone",
        cf.TITLE: "Title",
        cf.DEPARTMENT: "Department",
        cf.STREET: "MailingStreet",
        cf.CITY: "MailingCity",
        cf.STATE: "MailingState",
        cf.POSTAL_CODE: "MailingPostalCode",
        cf.COUNTRY: "MailingCountry",
    }
)
#: The Contact fields that hold the ``phones`` set, in the order values fill them.
PHONE_FIELDS = ("Phone", "OtherPhone")
#: Every Contact field an update sets (absent in the projection: null).
WRITTEN_FIELDS: tuple[str, ...] = (*SINGLE_FIELDS.values(), *PHONE_FIELDS)
#: Where a contact created by crmbridge carries the engine's marker.
MARKER_FIELD = "Description"
MARKER_PREFIX = "crmbridge:"
#: LastName when neither a first name nor an email gives one (Salesforce's own Web-to-Lead placeholder).
PLACEHOLDER_LAST_NAME = "[not provided]"
_SYSTEM_FIELDS = ("Id", "IsDeleted", "SystemModstamp", "LastModifiedDate", "OwnerId", "AccountId")
_ACCOUNT_NAME = "Account.Name"


@dataclass(frozen=True)
class ContactDescribe:
    """What the store needs from Contact's describe: lengths of the written fields, which of its optional fields
    the user may read, and whether the marker field may be written on create."""

    lengths: Mapping[str, int]
    readable: frozenset[str]
    marker_writable: bool

    @classmethod
    def from_body(cls, body: Any) -> ContactDescribe:
        """From a ``sobjects/Contact/describe`` answer."""
        by_name = fields_by_name(body)
        lengths = field_lengths(by_name, WRITTEN_FIELDS)
        marker = by_name.get(MARKER_FIELD)
        return cls(
            lengths=MappingProxyType(lengths),
            readable=frozenset(name for name in (*WRITTEN_FIELDS, MARKER_FIELD, "AccountId") if name in by_name),
            marker_writable=bool(marker and marker.get("createable")),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON form for the cursor."""
        return {"lengths": dict(self.lengths), "readable": sorted(self.readable), "marker": self.marker_writable}

    @classmethod
    def from_json(cls, data: Any) -> ContactDescribe | None:
        """Back from :meth:`to_json`; None when ``data`` is not one."""
        if not isinstance(data, Mapping) or not isinstance(data.get("lengths"), Mapping):
            return None
        lengths = {str(k): int(v) for k, v in data["lengths"].items() if isinstance(v, int)}
        readable = frozenset(str(name) for name in data.get("readable") or ())
        return cls(MappingProxyType(lengths), readable, bool(data.get("marker")))


def select_list(describe: ContactDescribe | None) -> str:
    """The SELECT list of a full Contact row (only fields the user may read, once the describe says which)."""
    optional = [*WRITTEN_FIELDS, MARKER_FIELD]
    if describe is not None:
        optional = [name for name in optional if name in describe.readable]
    account = [_ACCOUNT_NAME] if describe is None or "AccountId" in describe.readable else []
    system = [name for name in _SYSTEM_FIELDS if name != "AccountId" or account]
    return ", ".join([*system, *optional, *account])


# --- reading ---------------------------------------------------------------------------------------------------


def projection(row: Mapping[str, Any]) -> Fields:
    """A Contact row as the contact projection (normalised)."""
    raw: dict[str, object] = {name: row.get(field) for name, field in SINGLE_FIELDS.items()}
    raw[cf.PHONES] = tuple(str(row[field]) for field in PHONE_FIELDS if row.get(field))
    account = row.get("Account")
    raw[cf.COMPANY] = account.get("Name") if isinstance(account, Mapping) else None
    return normalise_fields(raw)


def marker_of(row: Mapping[str, Any]) -> str | None:
    """The engine's marker a contact carries, if crmbridge created it."""
    text = row.get(MARKER_FIELD)
    if not isinstance(text, str):
        return None
    for line in text.splitlines():
        marker = line.strip()
        if marker.startswith(MARKER_PREFIX) and len(marker.split()) == 1:
            return marker
    return None


def parse_stamp(text: str) -> datetime:
    """A Salesforce date-time (``2024-05-01T09:30:00.000+0000``) as a timezone-aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def modified_at(row: Mapping[str, Any]) -> datetime | None:
    """The row's LastModifiedDate."""
    value = row.get("LastModifiedDate")
    return parse_stamp(value) if isinstance(value, str) and value else None


def row_key(record_id: str) -> str:
    """The case-sensitive 15-character form of an id, so that 15- and 18-character ids meet."""
    return record_id[:15]


# --- writing ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """One contact ready to send: every written Contact field (None clears it), what Salesforce will hold in the
    projection's terms (company left to the Company rule), and the company to find an Account for."""

    values: Mapping[str, str | None]
    written: Mapping[str, FieldValue]
    company: str | None


def _text(fields: Fields, name: str) -> str | None:
    value = fields.get(name)
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value


def _cut(value: str | None, limit: int | None) -> str | None:
    if value is None or limit is None or len(value) <= limit:
        return value
    cut = normalise_value(value[:limit])
    return cut if isinstance(cut, str) else None


def _derived_last_name(first_name: str | None, email: str | None) -> str:
    if first_name:
        return first_name
    local = (email or "").partition("@")[0].strip()
    return local or PLACEHOLDER_LAST_NAME


def _phones(fields: Fields, lengths: Mapping[str, int], keep_first: str | None) -> list[str]:
    value = fields.get(cf.PHONES)
    listed = [value] if isinstance(value, str) else list(value or ())
    cut = [_cut(phone, lengths.get(PHONE_FIELDS[0])) for phone in listed]
    phones = list(dict.fromkeys(phone for phone in cut if phone))
    if keep_first in phones:
        phones.remove(keep_first)
        phones.insert(0, keep_first)
    return phones[: len(PHONE_FIELDS)]


def prepare(fields: Fields, lengths: Mapping[str, int], *, current_phone: str | None = None) -> Prepared | WriteFailure:
    """What to send for ``fields``: values cut to ``lengths``, phones into Phone then OtherPhone (``current_phone``
    stays in Phone when it is kept; a third one is dropped), and a LastName derived when there is none (from the
    first name, which then is not sent as FirstName too; else the email's local part; else a placeholder).

    An email longer than Salesforce holds is refused rather than cut (a cut address is another address)."""
    values: dict[str, str | None] = {
        field: _cut(_text(fields, name), lengths.get(field)) for name, field in SINGLE_FIELDS.items()
    }
    email = _text(fields, cf.EMAIL)
    email_limit = lengths.get("Email")
    if email is not None and email_limit is not None and len(email) > email_limit:
        return WriteFailure(
            FailureKind.INVALID, f"Email: {email!r} is longer than the {email_limit} characters Salesforce holds"
        )
    if not values["LastName"]:
        derived = _derived_last_name(values["FirstName"], email)
        if values["FirstName"] == derived:
            values["FirstName"] = None
        values["LastName"] = _cut(derived, lengths.get("LastName")) or PLACEHOLDER_LAST_NAME
    phones = _phones(fields, lengths, current_phone)
    for index, field in enumerate(PHONE_FIELDS):
        values[field] = phones[index] if index < len(phones) else None
    written: dict[str, object] = {name: values[field] for name, field in SINGLE_FIELDS.items()}
    written[cf.PHONES] = tuple(phones)
    return Prepared(MappingProxyType(values), normalise_fields(written), _text(fields, cf.COMPANY))


def stored_if_different(sent: Fields, written: Mapping[str, FieldValue], company: str | None) -> Fields | None:
    """What Salesforce holds after the write, when it differs from what was sent; None otherwise."""
    stored = normalise_fields({**written, cf.COMPANY: company})
    return None if dict(stored) == dict(normalise_fields(sent)) else stored
