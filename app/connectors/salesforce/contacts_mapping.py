"""Pure functions for the Salesforce contact store: Contact rows and the contact projection, what a write sends,
the Company rule, the SOQL the store runs, and what Salesforce's per-record errors mean.

The projection (``app.connectors.contact_fields``) maps to Contact as FirstName, LastName, Email, ``phones`` =
{Phone, OtherPhone} (at most two), MobilePhone, HomePhone, Account.Name (``company``, read through the relationship),
Title, Department and the Mailing address. Values longer than the org describes are cut, a missing LastName is
derived, and what Salesforce then holds is reported so that the engine neither takes it for a change nor writes it
back.

The marker of a contact crmbridge created is the first line of its ``Description`` that starts with
``crmbridge:``: a standard field every org has (no custom field needed), which the projection does not sync and
updates never touch. Long text is not filterable in SOQL, so the store finds markers among the contacts the user
created (or owns) since its watermark, in one query.

Nothing here does I/O. Values go into SOQL through :mod:`app.connectors.salesforce.mapping`'s escaping; ids are
checked, never escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from app.connectors import contact_fields as cf
from app.connectors.salesforce.mapping import (
    AccountRef,
    is_salesforce_id,
    soql_like_contains,
    soql_string,
    soql_string_list,
)
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
        items = body.get("fields", []) if isinstance(body, Mapping) else []
        by_name = {str(item.get("name")): item for item in items if isinstance(item, Mapping)}
        lengths = {
            name: int(by_name[name]["length"])
            for name in WRITTEN_FIELDS
            if name in by_name and isinstance(by_name[name].get("length"), int) and by_name[name]["length"] > 0
        }
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


# --- the Company rule ------------------------------------------------------------------------------------------

#: Rows of one containing-name query; a full page may hide further matches.
CONTAINING_LIMIT = 2000
#: Characters of quoted company names per lookup query (keeps subrequest URLs well under Salesforce's limits).
_COMPANY_CHUNK_CHARACTERS = 3000


def company_key(company: str) -> str:
    """How company names compare (SOQL compares text case-insensitively)."""
    return " ".join(company.split()).casefold()


def company_chunks(companies: Iterable[str]) -> Iterator[list[str]]:
    """Companies in groups small enough for one lookup query each."""
    chunk: list[str] = []
    size = 0
    for company in companies:
        if chunk and size + len(company) > _COMPANY_CHUNK_CHARACTERS:
            yield chunk
            chunk, size = [], 0
        chunk.append(company)
        size += len(company) + 8
    if chunk:
        yield chunk


def accounts_named_any_query(companies: Sequence[str]) -> str:
    """Accounts whose name equals one of ``companies``, earliest created first."""
    return f"SELECT Id, Name FROM Account WHERE Name IN {soql_string_list(companies)} ORDER BY CreatedDate, Id"


def accounts_containing_any_query(companies: Sequence[str]) -> str:
    """Accounts whose name contains one of ``companies``, earliest created first, at most one page."""
    likes = " OR ".join(f"Name LIKE {soql_like_contains(company)}" for company in companies)
    return f"SELECT Id, Name FROM Account WHERE {likes} ORDER BY CreatedDate, Id LIMIT {CONTAINING_LIMIT}"


@dataclass(frozen=True)
class AccountChoice:
    """The Company rule's answer for a batch: the Account per company key (None: no Account), and the companies
    whose containing-name matches a full page may have hidden (to be looked up one by one)."""

    accounts: Mapping[str, AccountRef | None]
    unsure: frozenset[str]


def choose_accounts(
    companies: Iterable[str], named: Sequence[Mapping[str, Any]], containing: Sequence[Mapping[str, Any]]
) -> AccountChoice:
    """The Company rule over batch query results (rows sorted by creation): an exact name match wins (several:
    the earliest created); otherwise a unique Account whose name contains the company; otherwise none."""
    full_page = len(containing) >= CONTAINING_LIMIT
    accounts: dict[str, AccountRef | None] = {}
    unsure: set[str] = set()
    for company in companies:
        key = company_key(company)
        exact = next((row for row in named if company_key(str(row.get("Name") or "")) == key), None)
        if exact is not None:
            accounts[key] = AccountRef(str(exact["Id"]), str(exact.get("Name") or ""))
            continue
        hits = [row for row in containing if key in company_key(str(row.get("Name") or ""))]
        if len(hits) < 2 and full_page:
            unsure.add(company)
        accounts[key] = AccountRef(str(hits[0]["Id"]), str(hits[0].get("Name") or "")) if len(hits) == 1 else None
    return AccountChoice(MappingProxyType(accounts), frozenset(unsure))


# --- listing SOQL ----------------------------------------------------------------------------------------------


def soql_datetime(moment: datetime) -> str:
    """A SOQL date-time literal (UTC, whole seconds: rounded down)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ids_condition(ids: Sequence[str]) -> str:
    """``Id IN (...)`` for Salesforce-shaped ids."""
    return "Id IN " + soql_string_list([record_id for record_id in ids if is_salesforce_id(record_id)])


def owner_condition(user_id: str, *, owned: bool = True) -> str:
    """``OwnerId = 'user'`` (or ``!=``)."""
    return f"OwnerId {'=' if owned else '!='} {soql_string(user_id)}"


def contact_soql(select: str, conditions: Sequence[str], *, scope: str | None = None) -> str:
    """``SELECT select FROM Contact [USING SCOPE scope] [WHERE (c1) AND (c2) ...]``."""
    text = f"SELECT {select} FROM Contact"
    if scope:
        text += f" USING SCOPE {scope}"
    if conditions:
        text += " WHERE " + " AND ".join(f"({condition})" for condition in conditions)
    return text


_CLAUSE = re.compile(r"(FROM|USING\s+SCOPE|WHERE|WITH|GROUP\s+BY|ORDER\s+BY|LIMIT|OFFSET|FOR)\b", re.IGNORECASE)
_SCOPE = re.compile(r"^[A-Za-z_]+$")


@dataclass(frozen=True)
class ListViewFilter:
    """What decides a list view's membership: its ``USING SCOPE`` and its WHERE condition (either may be absent)."""

    scope: str | None
    where: str | None

    @classmethod
    def parse(cls, soql: str) -> ListViewFilter:
        """From the SOQL a list view's describe gives (``SELECT ... FROM Contact [USING SCOPE s] [WHERE ...]
        [ORDER BY ...]``). ValueError when it is not a query on Contact."""
        clauses: dict[str, str] = {}
        positions = list(_clause_positions(soql))
        for index, (_start, end, word) in enumerate(positions):
            stop = positions[index + 1][0] if index + 1 < len(positions) else len(soql)
            clauses.setdefault(" ".join(word.upper().split()), soql[end:stop].strip())
        sobject = clauses.get("FROM", "").split()
        if not sobject or sobject[0].lower() != "contact":
            raise ValueError("the list view does not query Contact")
        scope = clauses.get("USING SCOPE") or None
        if scope is not None and not _SCOPE.match(scope):
            raise ValueError(f"unexpected list view scope {scope!r}")
        return cls(scope=scope.lower() if scope else None, where=clauses.get("WHERE") or None)

    def conditions(self) -> list[str]:
        """The view's WHERE condition, as a list of conditions to AND with others."""
        return [self.where] if self.where else []


def _clause_positions(soql: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, keyword) of every clause keyword outside quotes and parentheses."""
    depth, index, quoted = 0, 0, False
    while index < len(soql):
        char = soql[index]
        if quoted:
            if char == "\\":
                index += 1
            elif char == "'":
                quoted = False
        elif char == "'":
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and (index == 0 or not (soql[index - 1].isalnum() or soql[index - 1] in "_.")):
            match = _CLAUSE.match(soql, index)
            if match:
                yield match.start(), match.end(), match[1]
                index = match.end()
                continue
        index += 1


# --- per-record errors ------------------------------------------------------------------------------------------

#: Error codes of a record that is not there (any more) when updated or deleted.
_GONE_CODES = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND"})
_TRANSIENT_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"})
LIMIT_CODE = "REQUEST_LIMIT_EXCEEDED"


def error_code(errors: Any) -> str:
    """The first error's code in a SaveResult's or an error body's list."""
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], Mapping) else {}
    return str(first.get("statusCode") or first.get("errorCode") or "")


@dataclass(frozen=True)
class DuplicateFailure(WriteFailure):
    """A create a duplicate rule refused; ``matches`` are the ids of the existing records it matched."""

    matches: tuple[str, ...] = ()


def duplicate_matches(error: Mapping[str, Any]) -> list[str]:
    """The ids of the records a DUPLICATES_DETECTED error says the record duplicates."""
    result = error.get("duplicateResult")
    matches = result.get("matchResults") if isinstance(result, Mapping) else None
    ids: list[str] = []
    for match in matches if isinstance(matches, list) else []:
        for record in match.get("matchRecords") or [] if isinstance(match, Mapping) else []:
            found = record.get("record") if isinstance(record, Mapping) else None
            if isinstance(found, Mapping) and isinstance(found.get("Id"), str):
                ids.append(found["Id"])
    return ids


def write_failure(errors: Any) -> WriteFailure:
    """A failed record's result as the engine's failure kind, with Salesforce's own message."""
    items = [item for item in errors if isinstance(item, Mapping)] if isinstance(errors, list) else []
    first = items[0] if items else {}
    code = error_code(items)
    message = str(first.get("message") or "Salesforce refused the record")
    fields = [str(name) for name in first.get("fields") or ()]
    if code in _GONE_CODES or (code == "INVALID_CROSS_REFERENCE_KEY" and not fields):
        return WriteFailure(FailureKind.NOT_FOUND, f"{code}: {message}")
    if code == LIMIT_CODE:
        return WriteFailure(FailureKind.THROTTLED, f"{code}: {message}")
    if code in _TRANSIENT_CODES:
        return WriteFailure(FailureKind.TRANSIENT, f"{code}: {message}")
    if code == "DUPLICATES_DETECTED":
        matched = duplicate_matches(first)
        if matched:
            return DuplicateFailure(
                FailureKind.INVALID,
                f"DUPLICATES_DETECTED: a duplicate rule matched existing record {', '.join(matched)} ({message})",
                tuple(matched),
            )
    named = f" [{', '.join(fields)}]" if fields else ""
    return WriteFailure(FailureKind.INVALID, f"{code or 'ERROR'}{named}: {message}")
