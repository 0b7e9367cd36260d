"""People API ``Person`` JSON <-> the contact projection of :mod:`app.connectors.contact_fields` (pure functions).

Reading: first and last name are ``names[0]``'s given and family names; the email is ``emailAddresses[0]``;
``phones`` are the numbers of any type but ``mobile`` and ``home``, and ``mobile_phone`` / ``home_phone`` the first
number of those types; company, title and department come from ``organizations[0]``; the address is the ``work``
address, else the first one.

Writing: a new contact gets exactly the mapped values (plus the engine's marker in ``clientData`` and its group
memberships); an update starts from the contact as last read and replaces only what is mapped, so that the other
email addresses, the second mobile number, an organization's other details, the other addresses and every unmapped
field stay as they are. Every mapped field is written (an absent value clears it), under :data:`UPDATE_MASK`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from app.connectors import contact_fields as cf
from app.sync.items import Fields, normalise_fields, normalise_value

#: The ``clientData`` key that carries the engine's marker on a contact crmbridge created.
MARKER_KEY = "crmbridge.marker"
#: The person fields that hold mapped values (the ``updatePersonFields`` / ``updateMask`` of every update).
UPDATE_MASK = "names,emailAddresses,phoneNumbers,organizations,addresses"
#: Everything read: the mapped fields plus group memberships, our marker and the sources' etags and times.
READ_MASK = UPDATE_MASK + ",memberships,clientData,metadata"

MOBILE = "mobile"
HOME = "home"
WORK = "work"
#: Output-only parts of a field item, never sent back.
_OUTPUT_ONLY = frozenset({"metadata", "formattedType", "canonicalForm", "displayName", "displayNameLastFirst"})
_NAME_DERIVED = frozenset({"unstructuredName"})
_ADDRESS_PARTS = {
    cf.STREET: "streetAddress",
    cf.CITY: "city",
    cf.STATE: "region",
    cf.POSTAL_CODE: "postalCode",
    cf.COUNTRY: "country",
}
_ORGANIZATION_PARTS = {cf.COMPANY: "name", cf.TITLE: "title", cf.DEPARTMENT: "department"}
_FRACTION = re.compile(r"\.(\d+)")

Person = dict[str, Any]


# -- reading -------------------------------------------------------------------------------------------------------


def _items(person: Mapping[str, Any], field: str) -> list[dict[str, Any]]:
    value = person.get(field)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _same(left: object, right: object) -> bool:
    return normalise_value(left) == normalise_value(right)


def _phone_kind(item: Mapping[str, Any]) -> str:
    kind = str(item.get("type") or "").strip()
    return kind if kind in (MOBILE, HOME) else ""


def _address_index(addresses: list[dict[str, Any]]) -> int | None:
    if not addresses:
        return None
    for index, address in enumerate(addresses):
        if str(address.get("type") or "").lower() == WORK:
            return index
    return 0


def contact_fields(person: Mapping[str, Any]) -> Fields:
    """The normalised contact projection of a ``Person``."""
    raw: dict[str, object] = {}
    names = _items(person, "names")
    if names:
        raw[cf.FIRST_NAME] = names[0].get("givenName")
        raw[cf.LAST_NAME] = names[0].get("familyName")
    emails = _items(person, "emailAddresses")
    if emails:
        raw[cf.EMAIL] = emails[0].get("value")
    phones = _items(person, "phoneNumbers")
    raw[cf.PHONES] = [item.get("value") for item in phones if not _phone_kind(item)]
    raw[cf.MOBILE_PHONE] = next((item.get("value") for item in phones if _phone_kind(item) == MOBILE), None)
    raw[cf.HOME_PHONE] = next((item.get("value") for item in phones if _phone_kind(item) == HOME), None)
    organizations = _items(person, "organizations")
    if organizations:
        for name, key in _ORGANIZATION_PARTS.items():
            raw[name] = organizations[0].get(key)
    addresses = _items(person, "addresses")
    index = _address_index(addresses)
    if index is not None:
        for name, key in _ADDRESS_PARTS.items():
            raw[name] = addresses[index].get(key)
    return normalise_fields(raw)


def marker(person: Mapping[str, Any]) -> str | None:
    """The engine's marker the contact carries in ``clientData``, if any."""
    for item in _items(person, "clientData"):
        if item.get("key") == MARKER_KEY and item.get("value"):
            return str(item["value"])
    return None


def group_names(person: Mapping[str, Any]) -> frozenset[str]:
    """The resource names (``contactGroups/…``) of the groups the contact belongs to."""
    names: set[str] = set()
    for membership in _items(person, "memberships"):
        group = membership.get("contactGroupMembership")
        if not isinstance(group, dict):
            continue
        name = group.get("contactGroupResourceName") or (
            f"contactGroups/{group['contactGroupId']}" if group.get("contactGroupId") else None
        )
        if name:
            names.add(str(name))
    return frozenset(names)


def is_deleted(person: Mapping[str, Any]) -> bool:
    """Whether an incremental listing reports the contact as deleted (``metadata.deleted``)."""
    metadata = person.get("metadata")
    return isinstance(metadata, dict) and bool(metadata.get("deleted"))


def modified_at(person: Mapping[str, Any]) -> datetime | None:
    """When the contact's CONTACT source was last updated (UTC), if the person says."""
    metadata = person.get("metadata")
    sources = metadata.get("sources") if isinstance(metadata, dict) else None
    for source in sources if isinstance(sources, list) else []:
        if isinstance(source, dict) and source.get("type") == "CONTACT" and source.get("updateTime"):
            return _parse_time(str(source["updateTime"]))
    return None


def _parse_time(value: str) -> datetime | None:
    text = _FRACTION.sub(lambda match: "." + match.group(1)[:6].ljust(6, "0"), value.replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


# -- writing -------------------------------------------------------------------------------------------------------


def _text(fields: Fields, name: str) -> str | None:
    value = fields.get(name)
    return value if isinstance(value, str) else None


def _many(fields: Fields, name: str) -> tuple[str, ...]:
    value = fields.get(name)
    if isinstance(value, tuple):
        return value
    return (value,) if isinstance(value, str) else ()


def _clean(item: Mapping[str, Any], drop: Iterable[str] = ()) -> dict[str, Any]:
    dropped = _OUTPUT_ONLY | frozenset(drop)
    return {key: value for key, value in item.items() if key not in dropped}


def _set_parts(item: dict[str, Any], values: Mapping[str, str | None]) -> dict[str, Any]:
    for key, value in values.items():
        if value:
            item[key] = value
        else:
            item.pop(key, None)
    return item


def _names(current: list[dict[str, Any]], fields: Fields) -> list[dict[str, Any]]:
    parts = {"givenName": _text(fields, cf.FIRST_NAME), "familyName": _text(fields, cf.LAST_NAME)}
    first = _set_parts(_clean(current[0], _NAME_DERIVED) if current else {}, parts)
    return [first] if first else []


def _emails(current: list[dict[str, Any]], fields: Fields) -> list[dict[str, Any]]:
    email = _text(fields, cf.EMAIL)
    rest = [_clean(item) for item in current[1:]]
    if not email:
        return rest
    first = _clean(current[0]) if current else {"type": WORK}
    first["value"] = email
    return [first, *rest]


def _phones(current: list[dict[str, Any]], fields: Fields) -> list[dict[str, Any]]:
    singles = {MOBILE: _text(fields, cf.MOBILE_PHONE), HOME: _text(fields, cf.HOME_PHONE)}
    wanted = list(_many(fields, cf.PHONES))
    result: list[dict[str, Any]] = []
    seen_single: set[str] = set()
    for item in current:
        kind = _phone_kind(item)
        if kind and kind in seen_single:
            result.append(_clean(item))  # a second mobile or home number is not mapped: kept as it is
        elif kind:
            seen_single.add(kind)
            if singles[kind]:
                result.append({**_clean(item), "value": singles[kind]})
        else:
            match = next((value for value in wanted if _same(value, item.get("value"))), None)
            if match is not None:
                wanted.remove(match)
                result.append(_clean(item))
    result.extend({"value": value, "type": WORK} for value in wanted)
    result.extend(
        {"value": value, "type": kind} for kind, value in singles.items() if value and kind not in seen_single
    )
    return result


def _organizations(current: list[dict[str, Any]], fields: Fields) -> list[dict[str, Any]]:
    parts = {key: _text(fields, name) for name, key in _ORGANIZATION_PARTS.items()}
    rest = [_clean(item) for item in current[1:]]
    first = _set_parts(_clean(current[0]) if current else {}, parts)
    keeps_something = any(value for key, value in first.items() if key not in ("type", "primary"))
    return [first, *rest] if keeps_something else rest


def _addresses(current: list[dict[str, Any]], fields: Fields) -> list[dict[str, Any]]:
    parts = {key: _text(fields, name) for name, key in _ADDRESS_PARTS.items()}
    result = [_clean(item, ("formattedValue",)) for item in current]
    index = _address_index(result)
    if index is None:
        address = _set_parts({"type": WORK}, parts)
        return [address] if len(address) > 1 else []
    address = result[index]
    if not _same(address.get("country"), parts["country"]):
        address.pop("countryCode", None)
    _set_parts(address, parts)
    if not any(value for key, value in address.items() if key != "type"):
        del result[index]
    return result


def _person_values(current: Mapping[str, Any], fields: Fields) -> Person:
    return {
        "names": _names(_items(current, "names"), fields),
        "emailAddresses": _emails(_items(current, "emailAddresses"), fields),
        "phoneNumbers": _phones(_items(current, "phoneNumbers"), fields),
        "organizations": _organizations(_items(current, "organizations"), fields),
        "addresses": _addresses(_items(current, "addresses"), fields),
    }


def _membership(group: str) -> dict[str, Any]:
    return {"contactGroupMembership": {"contactGroupResourceName": group}}


def new_person(fields: Fields, marker_value: str, groups: Iterable[str]) -> Person:
    """The ``Person`` body that creates a contact with ``fields``, our marker and these group memberships."""
    person = {key: value for key, value in _person_values({}, fields).items() if value}
    person["memberships"] = [_membership(group) for group in groups]
    person["clientData"] = [{"key": MARKER_KEY, "value": marker_value}]
    return person


def updated_person(current: Mapping[str, Any], fields: Fields, etag: str) -> Person:
    """The ``Person`` body that sets every mapped field of ``current`` to ``fields`` (under :data:`UPDATE_MASK`).

    ``current`` is the contact as last read: what is not mapped is sent back unchanged, so the update keeps it.
    ``etag`` is the precondition: Google refuses the update if the contact changed since.
    """
    return {"etag": etag, **_person_values(current, fields)}
