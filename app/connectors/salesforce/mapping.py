"""Pure functions between Salesforce's JSON and crmbridge's records, and the SOQL/SOSL text crmbridge sends.

Every value that goes into a query goes through :func:`soql_string`, :func:`soql_like_contains` or
:func:`sosl_phrase` (SOQL and SOSL reference: "Quoted String Escape Sequences", "Reserved Characters"), and every
id through :func:`require_id`. Nothing here does I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

# --- escaping ------------------------------------------------------------------------------------------------

# SOQL string literals: backslash escapes for these characters (SOQL and SOSL Reference, "Quoted String Escape
# Sequences"). Other control characters are dropped: no address, name or id contains them.
_SOQL_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
# SOSL reserved characters, escaped with a backslash inside FIND {...} (SOSL reference, "FIND"); * and ? are
# escaped too, so that a person's text never turns into a wildcard.
_SOSL_RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")
_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
# Permissive on purpose (apostrophes, plus signs, non-ASCII are all real): no spaces, brackets, quotes or list
# separators, one @, a dot in the domain.
_ADDRESS = re.compile(r"^[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;]+$")


def _clean(value: str) -> str:
    return "".join(char for char in value if char in _SOQL_ESCAPES or unicodedata.category(char) != "Cc")


def soql_string(value: str) -> str:
    """``value`` as a quoted SOQL string literal, for ``=``, ``!=`` and ``IN``."""
    return "'" + "".join(_SOQL_ESCAPES.get(char, char) for char in _clean(value)) + "'"


def soql_string_list(values: Iterable[str]) -> str:
    """``('a', 'b')`` for ``IN``; at least one value is required."""
    quoted = [soql_string(value) for value in values]
    if not quoted:
        raise ValueError("an IN list needs at least one value")
    return "(" + ", ".join(quoted) + ")"


def soql_like_contains(value: str) -> str:
    """A LIKE pattern matching text that contains ``value`` literally (its ``%`` and ``_`` escaped)."""
    escaped = "".join(_SOQL_ESCAPES.get(char, char) for char in _clean(value))
    escaped = escaped.replace("%", "\\%").replace("_", "\\_")
    return "'%" + escaped + "%'"


def sosl_phrase(text: str) -> str:
    """``text`` as one quoted SOSL phrase with every reserved character escaped (for ``FIND {...}``)."""
    cleaned = " ".join(_clean(text).split())
    return '"' + "".join("\\" + char if char in _SOSL_RESERVED else char for char in cleaned) + '"'


def is_salesforce_id(value: str) -> bool:
    """Whether ``value`` has the shape of a 15- or 18-character Salesforce id."""
    return bool(_ID.match(value))


def require_id(value: str) -> str:
    """``value`` when it is shaped like a Salesforce id; ValueError otherwise (ids are never escaped, only checked)."""
    if not is_salesforce_id(value):
        raise ValueError(f"{value!r} is not a Salesforce id")
    return value


def normalise_address(value: str) -> str | None:
    """An email address as crmbridge compares them (trimmed, lower case), or None when it is not one."""
    cleaned = value.strip().strip("<>").strip().lower()
    return cleaned if len(cleaned) <= 320 and _ADDRESS.match(cleaned) else None


# --- objects and ids -----------------------------------------------------------------------------------------

#: Key prefixes (Object Reference) of the objects the sidebar shows or writes.
KEY_PREFIXES: Mapping[str, str] = {
    "001": "Account",
    "003": "Contact",
    "005": "User",
    "006": "Opportunity",
    "00Q": "Lead",
    "00T": "Task",
    "02s": "EmailMessage",
    "500": "Case",
}
#: Objects an email can be "related to" (EmailMessage.RelatedToId, Task.WhatId) from the sidebar.
RELATED_TO_OBJECTS = ("Account", "Opportunity", "Case")
#: Objects an email's people can be (EmailMessageRelation.RelationId, Task.WhoId) from the sidebar.
PERSON_OBJECTS = ("Contact", "Lead")

PersonObject = Literal["Contact", "Lead"]
RelationType = Literal["FromAddress", "ToAddress", "CcAddress"]
Role = Literal["from", "to", "cc"]
ROLE_RELATION_TYPES: Mapping[Role, RelationType] = {"from": "FromAddress", "to": "ToAddress", "cc": "CcAddress"}

#: EmailMessage.Status codes (Object Reference, EmailMessage): a logged email the rep sent is "Sent"; one the
#: rep received (and has read, since they are logging it) is "Read".
EMAIL_STATUS_READ = "1"
EMAIL_STATUS_SENT = "3"


def object_of(record_id: str) -> str | None:
    """The object a record id belongs to, from its key prefix (None for prefixes crmbridge does not use)."""
    return KEY_PREFIXES.get(record_id[:3])


def record_url(instance_url: str, sobject: str, record_id: str) -> str:
    """The Lightning Experience address of a record."""
    return f"{instance_url.rstrip('/')}/lightning/r/{sobject}/{record_id}/view"


# --- the org's capabilities ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgProfile:
    """What an org can do for email logging, read from its describes (never guessed from failed writes)."""

    enhanced_email: bool
    email_lengths: Mapping[str, int] = field(default_factory=dict)
    task_lengths: Mapping[str, int] = field(default_factory=dict)


def _createable(global_describe: Mapping[str, Any], name: str) -> bool:
    return any(
        entry.get("name") == name and bool(entry.get("createable"))
        for entry in global_describe.get("sobjects", [])
        if isinstance(entry, Mapping)
    )


def field_lengths(describe: Any) -> dict[str, int]:
    """Each text field's maximum length, from an sObject describe."""
    if not isinstance(describe, Mapping):
        return {}
    return {
        str(item["name"]): int(item["length"])
        for item in describe.get("fields", [])
        if isinstance(item, Mapping) and item.get("name") and isinstance(item.get("length"), int) and item["length"]
    }


def org_profile(global_describe: Mapping[str, Any], email_describe: Any, task_describe: Any) -> OrgProfile:
    """The org's profile: Enhanced Email is on when the global describe lists EmailMessage and
    EmailMessageRelation as createable (Salesforce removes both from the describe when it is off)."""
    enhanced = _createable(global_describe, "EmailMessage") and _createable(global_describe, "EmailMessageRelation")
    return OrgProfile(
        enhanced_email=enhanced,
        email_lengths=field_lengths(email_describe) if enhanced else {},
        task_lengths=field_lengths(task_describe),
    )


# --- the lookup ----------------------------------------------------------------------------------------------

_MATCH_LIMIT = 200


def contacts_by_email_query(addresses: Sequence[str]) -> str:
    """Contacts whose Email is one of ``addresses`` (SOQL compares text case-insensitively), with their Account."""
    return (
        "SELECT Id, Name, FirstName, LastName, Email, Title, AccountId, Account.Name FROM Contact "
        f"WHERE Email IN {soql_string_list(addresses)} ORDER BY CreatedDate, Id LIMIT {_MATCH_LIMIT}"
    )


def leads_by_email_query(addresses: Sequence[str]) -> str:
    """Unconverted Leads whose Email is one of ``addresses``."""
    return (
        "SELECT Id, Name, FirstName, LastName, Email, Title, Company FROM Lead "
        f"WHERE Email IN {soql_string_list(addresses)} AND IsConverted = false "
        f"ORDER BY CreatedDate, Id LIMIT {_MATCH_LIMIT}"
    )


def _accounts_of_contacts(addresses: Sequence[str]) -> str:
    return f"(SELECT AccountId FROM Contact WHERE Email IN {soql_string_list(addresses)})"


def open_opportunities_query(addresses: Sequence[str]) -> str:
    """Open Opportunities of the Accounts of the Contacts with these addresses (one semi-join)."""
    return (
        "SELECT Id, Name, StageName, CloseDate, AccountId FROM Opportunity "
        f"WHERE IsClosed = false AND AccountId IN {_accounts_of_contacts(addresses)} "
        f"ORDER BY CloseDate, Id LIMIT {_MATCH_LIMIT}"
    )


def open_cases_query(addresses: Sequence[str]) -> str:
    """Open Cases of the Accounts of the Contacts with these addresses."""
    return (
        "SELECT Id, CaseNumber, Subject, Status, AccountId FROM Case "
        f"WHERE IsClosed = false AND AccountId IN {_accounts_of_contacts(addresses)} "
        f"ORDER BY CreatedDate DESC, Id LIMIT {_MATCH_LIMIT}"
    )


def logged_email_query(internet_message_id: str) -> str:
    """The earliest EmailMessage logged for an internet message id, with its relations."""
    return (
        "SELECT Id, Subject, RelatedToId, CreatedById, CreatedDate, "
        "(SELECT Id, RelationId, RelationType FROM EmailMessageRelations) FROM EmailMessage "
        f"WHERE MessageIdentifier = {soql_string(internet_message_id)} ORDER BY CreatedDate, Id LIMIT 1"
    )


def files_of_record_query(record_id: str) -> str:
    """The files linked to a record (title and size), to avoid attaching one twice."""
    return (
        "SELECT ContentDocumentId, ContentDocument.Title, ContentDocument.ContentSize FROM ContentDocumentLink "
        f"WHERE LinkedEntityId = {soql_string(require_id(record_id))} LIMIT 1000"
    )


def files_of_record_reference_query(reference: str) -> str:
    """Like :func:`files_of_record_query`, for a record found by an earlier composite subrequest
    (``reference`` is ``@{...}``, resolved by Salesforce)."""
    return (
        "SELECT ContentDocumentId, ContentDocument.Title, ContentDocument.ContentSize FROM ContentDocumentLink "
        f"WHERE LinkedEntityId = '{reference}' LIMIT 1000"
    )


def visible_task_query(task_id: str) -> str:
    """A Task by id (empty when the user may not see it)."""
    return f"SELECT Id, WhoId, WhatId FROM Task WHERE Id = {soql_string(require_id(task_id))} LIMIT 1"


@dataclass(frozen=True)
class AccountRef:
    """An Account's id and name."""

    id: str
    name: str


@dataclass(frozen=True)
class PersonRecord:
    """A Contact or Lead that matched an address."""

    object: PersonObject
    id: str
    name: str
    email: str
    title: str | None = None
    account: AccountRef | None = None
    company: str | None = None


@dataclass(frozen=True)
class OpportunityRecord:
    """An open Opportunity."""

    id: str
    name: str
    stage: str | None
    close_date: str | None
    account_id: str


@dataclass(frozen=True)
class CaseRecord:
    """An open Case."""

    id: str
    number: str | None
    subject: str | None
    status: str | None
    account_id: str


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def person_records(contacts: Iterable[Mapping[str, Any]], leads: Iterable[Mapping[str, Any]]) -> list[PersonRecord]:
    """Contacts then Leads as person records (records without an Email are left out)."""
    people: list[PersonRecord] = []
    for row in contacts:
        account = row.get("Account") if isinstance(row.get("Account"), Mapping) else None
        people.append(
            PersonRecord(
                object="Contact",
                id=str(row["Id"]),
                name=str(row.get("Name") or row.get("LastName") or ""),
                email=str(row.get("Email") or ""),
                title=_text(row.get("Title")),
                account=AccountRef(str(row["AccountId"]), str((account or {}).get("Name") or ""))
                if row.get("AccountId")
                else None,
            )
        )
    for row in leads:
        people.append(
            PersonRecord(
                object="Lead",
                id=str(row["Id"]),
                name=str(row.get("Name") or row.get("LastName") or ""),
                email=str(row.get("Email") or ""),
                title=_text(row.get("Title")),
                company=_text(row.get("Company")),
            )
        )
    return [person for person in people if person.email]


def opportunity_records(rows: Iterable[Mapping[str, Any]]) -> list[OpportunityRecord]:
    """Opportunity rows as records."""
    return [
        OpportunityRecord(
            str(row["Id"]),
            str(row.get("Name") or ""),
            _text(row.get("StageName")),
            _text(row.get("CloseDate")),
            str(row.get("AccountId") or ""),
        )
        for row in rows
    ]


def case_records(rows: Iterable[Mapping[str, Any]]) -> list[CaseRecord]:
    """Case rows as records."""
    return [
        CaseRecord(
            str(row["Id"]),
            _text(row.get("CaseNumber")),
            _text(row.get("Subject")),
            _text(row.get("Status")),
            str(row.get("AccountId") or ""),
        )
        for row in rows
    ]


def query_records(body: Any) -> list[dict[str, Any]]:
    """The ``records`` of a query result body."""
    if not isinstance(body, Mapping):
        return []
    return [dict(row) for row in body.get("records") or [] if isinstance(row, Mapping)]


def child_records(row: Mapping[str, Any], relationship: str) -> list[dict[str, Any]]:
    """The records of a child-relationship subquery in a query row."""
    return query_records(row.get(relationship))


# --- company rules -------------------------------------------------------------------------------------------


def accounts_named_query(company: str) -> str:
    """Accounts whose name equals ``company`` (SOQL ``=`` ignores case), earliest created first."""
    return (
        f"SELECT Id, Name, CreatedDate FROM Account WHERE Name = {soql_string(company)} "
        "ORDER BY CreatedDate, Id LIMIT 1"
    )


def accounts_containing_query(company: str) -> str:
    """Up to two Accounts whose name contains ``company``: enough to tell whether the match is unique."""
    return (
        f"SELECT Id, Name, CreatedDate FROM Account WHERE Name LIKE {soql_like_contains(company)} "
        "ORDER BY CreatedDate, Id LIMIT 2"
    )


def choose_account(exact: Sequence[Mapping[str, Any]], containing: Sequence[Mapping[str, Any]]) -> AccountRef | None:
    """The Company rule: an exact name match wins (several: the earliest created, which the query sorted first);
    otherwise a unique match of an Account whose name contains the company; otherwise no Account."""
    if exact:
        return AccountRef(str(exact[0]["Id"]), str(exact[0].get("Name") or ""))
    if len(containing) == 1:
        return AccountRef(str(containing[0]["Id"]), str(containing[0].get("Name") or ""))
    return None


def related_records_search(text: str) -> str:
    """SOSL for the records an email can be related to, by name (Cases also by subject and number)."""
    return (
        f"FIND {{{sosl_phrase(text)}}} IN NAME FIELDS RETURNING "
        "Account(Id, Name ORDER BY Name LIMIT 10), "
        "Opportunity(Id, Name, StageName, AccountId WHERE IsClosed = false ORDER BY Name LIMIT 10), "
        "Case(Id, CaseNumber, Subject, Status, AccountId WHERE IsClosed = false ORDER BY CaseNumber LIMIT 10)"
    )


# --- what gets written -----------------------------------------------------------------------------------------

TRUNCATION_NOTE = "\n\n[Shortened by crmbridge to fit Salesforce.]"


def truncate(text: str, limit: int | None, *, note: str = "") -> str:
    """``text`` cut to ``limit`` characters (with ``note`` at the end when it had to be cut)."""
    if limit is None or len(text) <= limit:
        return text
    if len(note) >= limit:
        return text[:limit]
    return text[: limit - len(note)] + note


def join_addresses(addresses: Sequence[str], limit: int | None) -> str | None:
    """Addresses as Salesforce's address fields hold them ("a; b"), cut at an address boundary to fit."""
    joined = ""
    for address in addresses:
        candidate = f"{joined}; {address}" if joined else address
        if limit is not None and len(candidate) > limit:
            break
        joined = candidate
    return joined or None


def salesforce_datetime(moment: datetime) -> str:
    """A datetime as Salesforce accepts it, in UTC with milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class MailAddress:
    """One address of an email, with its display name."""

    address: str
    name: str | None = None


@dataclass(frozen=True)
class EmailContent:
    """What is written about an email: its headers and bodies, and whether the rep sent it."""

    internet_message_id: str
    subject: str
    sender: MailAddress
    to: tuple[MailAddress, ...]
    cc: tuple[MailAddress, ...]
    date: datetime
    text_body: str
    html_body: str | None
    sent_by_rep: bool


def email_message_fields(
    content: EmailContent, lengths: Mapping[str, int], related_to_id: str | None
) -> dict[str, Any]:
    """An EmailMessage for a logged email: Status "Sent" or "Read", Incoming, MessageIdentifier, bodies cut to the
    org's field lengths."""
    fields: dict[str, Any] = {
        "Subject": truncate(content.subject, lengths.get("Subject")),
        "FromAddress": content.sender.address,
        "FromName": truncate(content.sender.name, lengths.get("FromName")) if content.sender.name else None,
        "ToAddress": join_addresses([item.address for item in content.to], lengths.get("ToAddress")),
        "CcAddress": join_addresses([item.address for item in content.cc], lengths.get("CcAddress")),
        "MessageDate": salesforce_datetime(content.date),
        "MessageIdentifier": content.internet_message_id,
        "Status": EMAIL_STATUS_SENT if content.sent_by_rep else EMAIL_STATUS_READ,
        "Incoming": not content.sent_by_rep,
        "TextBody": truncate(content.text_body, lengths.get("TextBody"), note=TRUNCATION_NOTE),
        "HtmlBody": truncate(content.html_body, lengths.get("HtmlBody"), note="<p>[Shortened by crmbridge.]</p>")
        if content.html_body
        else None,
        "RelatedToId": related_to_id,
    }
    return {name: value for name, value in fields.items() if value is not None}


def email_task_fields(
    content: EmailContent, lengths: Mapping[str, int], *, who_id: str | None, what_id: str | None
) -> dict[str, Any]:
    """A completed Task with TaskSubtype "Email", for orgs without Enhanced Email; the headers lead the comments."""
    header = [f"From: {content.sender.address}"]
    if content.to:
        header.append("To: " + "; ".join(item.address for item in content.to))
    if content.cc:
        header.append("Cc: " + "; ".join(item.address for item in content.cc))
    header.append("Date: " + content.date.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    header.append("Message-ID: " + content.internet_message_id)
    description = "\n".join(header) + "\n\n" + content.text_body
    fields: dict[str, Any] = {
        "Subject": truncate(f"Email: {content.subject}", lengths.get("Subject", 255)),
        "Description": truncate(description, lengths.get("Description"), note=TRUNCATION_NOTE),
        "Status": "Completed",
        "TaskSubtype": "Email",
        "Type": "Email",
        "ActivityDate": content.date.astimezone(UTC).date().isoformat(),
        "WhoId": who_id,
        "WhatId": what_id,
    }
    return {name: value for name, value in fields.items() if value is not None}


def relation_record(email_id: str, relation_id: str, relation_type: RelationType, address: str) -> dict[str, Any]:
    """An EmailMessageRelation for an sObject Collections create (``email_id`` may be a composite reference)."""
    return {
        "attributes": {"type": "EmailMessageRelation"},
        "EmailMessageId": email_id,
        "RelationId": relation_id,
        "RelationType": relation_type,
        "RelationAddress": address,
    }


def content_version_fields(name: str, content_base64: str, linked_to: str) -> dict[str, Any]:
    """A ContentVersion (a File) published to ``linked_to``, which links it there (ContentDocumentLink)."""
    return {
        "Title": name,
        "PathOnClient": name,
        "VersionData": content_base64,
        "FirstPublishLocationId": linked_to,
    }


def person_fields(
    object_name: PersonObject,
    *,
    email: str,
    first_name: str | None,
    last_name: str,
    account_id: str | None,
    company: str | None,
) -> dict[str, Any]:
    """A new Contact (with its Account) or Lead (with its Company) for an unknown address."""
    fields: dict[str, Any] = {"Email": email, "FirstName": first_name or None, "LastName": last_name}
    if object_name == "Contact":
        fields["AccountId"] = account_id
    else:
        fields["Company"] = company
    return {name: value for name, value in fields.items() if value is not None}
