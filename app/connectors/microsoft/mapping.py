"""Outlook contacts (Graph JSON) <-> the contact projection of :mod:`app.connectors.contact_fields`.

Pure functions only. The projection maps:

====================  ==========================================
projection            Graph contact
====================  ==========================================
first_name            givenName
last_name             surname
email                 emailAddresses[0].address (an update keeps the other addresses)
phones                businessPhones (a set)
mobile_phone          mobilePhone
home_phone            homePhones[0] (an update keeps the other numbers)
company               companyName
title                 jobTitle
department            department
street, city, state,  businessAddress.street, .city, .state,
postal_code, country  .postalCode, .countryOrRegion
====================  ==========================================

Two single-value extended properties are read with every contact ("Outlook extended properties overview"): the
marker crmbridge writes on the contacts it creates (a string property in crmbridge's own property set), and
``PidTagSensitivity`` (``Integer 0x0036``; 2 is private, [MS-OXCMSG] 2.2.1.13), since the contact resource has no
``sensitivity`` property.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from app.connectors import contact_fields as cf
from app.sync.items import Fields, normalise_fields

#: crmbridge's MAPI property set (a GUID of its own) and the name of the marker property in it.
MARKER_PROPERTY_SET = "8b0f6a52-3c1d-4e7a-9f25-6d41c0b7e3a9"
MARKER_PROPERTY_NAME = "crmbridgeMarker"
MARKER_PROPERTY_ID = f"String {{{MARKER_PROPERTY_SET}}} Name {MARKER_PROPERTY_NAME}"
#: ``PidTagSensitivity`` and its "private" value.
SENSITIVITY_PROPERTY_ID = "Integer 0x0036"
SENSITIVITY_PRIVATE = 2

#: ``$expand`` that brings both extended properties with a contact (an unset one is simply absent).
EXPAND_EXTENDED = (
    f"singleValueExtendedProperties($filter=id eq '{MARKER_PROPERTY_ID}' or id eq '{SENSITIVITY_PROPERTY_ID}')"
)
#: The contact properties crmbridge reads: the mapped ones and what scope and updates need.
SELECT = (
    "id,changeKey,parentFolderId,lastModifiedDateTime,categories,displayName,givenName,middleName,surname,"
    "emailAddresses,businessPhones,mobilePhone,homePhones,companyName,jobTitle,department,businessAddress"
)

_ADDRESS_MEMBERS = (
    (cf.STREET, "street"),
    (cf.CITY, "city"),
    (cf.STATE, "state"),
    (cf.POSTAL_CODE, "postalCode"),
    (cf.COUNTRY, "countryOrRegion"),
)
_SCALARS = (
    (cf.FIRST_NAME, "givenName"),
    (cf.LAST_NAME, "surname"),
    (cf.MOBILE_PHONE, "mobilePhone"),
    (cf.COMPANY, "companyName"),
    (cf.TITLE, "jobTitle"),
    (cf.DEPARTMENT, "department"),
)
#: Properties a contact read carries that a create body must not (read-only or navigation).
_NOT_WRITABLE = frozenset(
    {
        "id",
        "changeKey",
        "createdDateTime",
        "lastModifiedDateTime",
        "parentFolderId",
        "singleValueExtendedProperties",
        "multiValueExtendedProperties",
        "extensions",
        "photo",
    }
)

_GUID = r"\{?([0-9a-fA-F-]{36})\}?"
_NAMED_ID = re.compile(rf"^\s*(\w+)\s+{_GUID}\s+(Name|Id)\s+(.+?)\s*$", re.IGNORECASE)
_TAGGED_ID = re.compile(r"^\s*(\w+)\s+0x([0-9a-fA-F]{1,8})\s*$", re.IGNORECASE)


# -- reading


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


def email_entries(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The contact's email addresses, in order, as Graph gives them (entries without an address dropped)."""
    entries = doc.get("emailAddresses")
    if not isinstance(entries, list):
        return []
    return [dict(e) for e in entries if isinstance(e, dict) and _text(e.get("address"))]


def to_fields(doc: Mapping[str, Any]) -> Fields:
    """The normalised projection of a Graph contact."""
    raw: dict[str, object] = {}
    for name, prop in _SCALARS:
        raw[name] = _text(doc.get(prop))
    emails = email_entries(doc)
    raw[cf.EMAIL] = emails[0]["address"] if emails else None
    raw[cf.PHONES] = _strings(doc.get("businessPhones"))
    homes = _strings(doc.get("homePhones"))
    raw[cf.HOME_PHONE] = homes[0] if homes else None
    address = doc.get("businessAddress")
    if isinstance(address, dict):
        for name, member in _ADDRESS_MEMBERS:
            raw[name] = _text(address.get(member))
    return normalise_fields(raw)


def contact_id(doc: Mapping[str, Any]) -> str:
    """The contact's id."""
    return str(doc["id"])


def change_key(doc: Mapping[str, Any]) -> str:
    """The contact's change key (the etag crmbridge compares), from ``changeKey`` or ``@odata.etag``."""
    key = doc.get("changeKey")
    if isinstance(key, str) and key:
        return key
    etag = doc.get("@odata.etag")
    if isinstance(etag, str) and etag:
        return etag.removeprefix("W/").strip('"')
    return ""


def if_match(etag: str) -> str:
    """The ``If-Match`` value for a change key (the form of ``@odata.etag``)."""
    return f'W/"{etag}"'


def parent_folder(doc: Mapping[str, Any]) -> str | None:
    """The id of the folder that holds the contact."""
    value = doc.get("parentFolderId")
    return value if isinstance(value, str) and value else None


def categories(doc: Mapping[str, Any]) -> list[str]:
    """The contact's categories."""
    return _strings(doc.get("categories"))


def has_category(doc: Mapping[str, Any], name: str) -> bool:
    """Whether the contact carries category ``name`` (Outlook compares category names ignoring case)."""
    return any(category.casefold() == name.casefold() for category in categories(doc))


def modified_at(doc: Mapping[str, Any]) -> datetime | None:
    """``lastModifiedDateTime`` as an aware UTC datetime."""
    value = doc.get("lastModifiedDateTime")
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _property_key(property_id: str) -> tuple[str, ...] | None:
    """A comparison key for an extended property id: types, GUIDs and tags ignore case, string names do not."""
    named = _NAMED_ID.match(property_id)
    if named is not None:
        kind, guid, how, name = named.groups()
        if how.lower() == "id":
            try:
                return (kind.lower(), guid.lower(), "id", str(int(name, 16)))
            except ValueError:
                return None
        return (kind.lower(), guid.lower(), "name", name)
    tagged = _TAGGED_ID.match(property_id)
    if tagged is not None:
        return (tagged.group(1).lower(), "tag", str(int(tagged.group(2), 16)))
    return None


_MARKER_KEY = _property_key(MARKER_PROPERTY_ID)
_SENSITIVITY_KEY = _property_key(SENSITIVITY_PROPERTY_ID)


def _extended(doc: Mapping[str, Any], key: tuple[str, ...] | None) -> str | None:
    entries = doc.get("singleValueExtendedProperties")
    if not isinstance(entries, list):
        return None
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and _property_key(entry["id"]) == key:
            value = entry.get("value")
            return None if value is None else str(value)
    return None


def marker_of(doc: Mapping[str, Any]) -> str | None:
    """The crmbridge marker the contact carries (read through :data:`EXPAND_EXTENDED`)."""
    return _text(_extended(doc, _MARKER_KEY))


def sensitivity_of(doc: Mapping[str, Any]) -> int:
    """``PidTagSensitivity`` (0 normal when unset)."""
    value = _extended(doc, _SENSITIVITY_KEY)
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def is_private(doc: Mapping[str, Any]) -> bool:
    """Whether the contact is marked private."""
    return sensitivity_of(doc) == SENSITIVITY_PRIVATE


# -- writing


def _scalar(fields: Fields, name: str) -> str | None:
    value = fields.get(name)
    return value if isinstance(value, str) else None


def _multi(fields: Fields, name: str) -> list[str]:
    value = fields.get(name)
    if isinstance(value, tuple):
        return list(value)
    return [value] if isinstance(value, str) else []


def _address(fields: Fields) -> dict[str, Any]:
    return {member: _scalar(fields, name) for name, member in _ADDRESS_MEMBERS}


def derived_display_name(given: object, middle: object, surname: object) -> str:
    """The display name Outlook derives from the name parts."""
    return " ".join(str(part).strip() for part in (given, middle, surname) if isinstance(part, str) and part.strip())


def _mapped_properties(fields: Fields) -> dict[str, Any]:
    body: dict[str, Any] = {prop: _scalar(fields, name) for name, prop in _SCALARS}
    body["businessPhones"] = _multi(fields, cf.PHONES)
    body["businessAddress"] = _address(fields)
    return body


def _email_entry(address: str, name: str | None) -> dict[str, Any]:
    return {"address": address, "name": name or address}


def create_body(fields: Fields, *, marker: str, with_categories: Iterable[str] = ()) -> dict[str, Any]:
    """A ``POST .../contacts`` body: the mapped fields, the categories, and the marker extended property."""
    body = {key: value for key, value in _mapped_properties(fields).items() if value not in (None, [], {})}
    if not any(body["businessAddress"].values()):
        del body["businessAddress"]
    else:
        body["businessAddress"] = {k: v for k, v in body["businessAddress"].items() if v is not None}
    display = derived_display_name(_scalar(fields, cf.FIRST_NAME), None, _scalar(fields, cf.LAST_NAME))
    email = _scalar(fields, cf.EMAIL)
    if display or email:
        body["displayName"] = display or email
    if email:
        body["emailAddresses"] = [_email_entry(email, display)]
    home = _scalar(fields, cf.HOME_PHONE)
    if home:
        body["homePhones"] = [home]
    names = list(dict.fromkeys(with_categories))
    if names:
        body["categories"] = names
    body["singleValueExtendedProperties"] = [{"id": MARKER_PROPERTY_ID, "value": marker}]
    return body


def update_body(fields: Fields, current: Mapping[str, Any]) -> dict[str, Any]:
    """A ``PATCH`` body setting every mapped property to ``fields`` (absent fields are cleared).

    ``current`` is the contact as last read: its other email addresses and home numbers are kept, and a display
    name Outlook derived from the old name parts is derived again from the new ones.
    """
    body = _mapped_properties(fields)
    display = derived_display_name(
        _scalar(fields, cf.FIRST_NAME), current.get("middleName"), _scalar(fields, cf.LAST_NAME)
    )
    emails = email_entries(current)
    email = _scalar(fields, cf.EMAIL)
    others = emails[1:]
    if email is None:
        body["emailAddresses"] = others
    elif emails and emails[0]["address"].casefold() == email.casefold():
        body["emailAddresses"] = [{**emails[0], "address": email}, *others]
    else:
        body["emailAddresses"] = [_email_entry(email, display), *others]
    homes = _strings(current.get("homePhones"))
    home = _scalar(fields, cf.HOME_PHONE)
    body["homePhones"] = ([home] if home else []) + homes[1:]
    old_display = current.get("displayName")
    old_derived = derived_display_name(current.get("givenName"), current.get("middleName"), current.get("surname"))
    if not _text(old_display) or old_display == old_derived:
        body["displayName"] = display or email or ""
    return body


def copy_body(doc: Mapping[str, Any], *, with_categories: Iterable[str]) -> dict[str, Any]:
    """A create body that copies a contact as read (every writable property, the marker and the sensitivity),
    with ``with_categories`` added to its categories: how a contact is "moved" (Graph v1.0 has no move for contacts).
    """
    body = {key: value for key, value in doc.items() if not key.startswith("@") and key not in _NOT_WRITABLE}
    body["categories"] = list(dict.fromkeys([*categories(doc), *with_categories]))
    extended: list[dict[str, str]] = []
    marker = marker_of(doc)
    if marker is not None:
        extended.append({"id": MARKER_PROPERTY_ID, "value": marker})
    sensitivity = sensitivity_of(doc)
    if sensitivity:
        extended.append({"id": SENSITIVITY_PROPERTY_ID, "value": str(sensitivity)})
    if extended:
        body["singleValueExtendedProperties"] = extended
    return body
