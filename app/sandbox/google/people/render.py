"""People API resources as JSON: a stored contact rendered under a ``personFields`` mask, and request bodies
reduced to what a contact stores (output-only values such as ``metadata``, ``formattedType`` and
``displayName`` are recomputed, never taken from the client)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from app.sandbox.google.wire import rfc3339_micros

if TYPE_CHECKING:
    from app.sandbox.google.people.records import Contact, ContactGroupRecord

#: Every ``personFields`` path the People API accepts for contacts.
PERSON_FIELDS = frozenset(
    {
        "addresses",
        "ageRanges",
        "biographies",
        "birthdays",
        "calendarUrls",
        "clientData",
        "coverPhotos",
        "emailAddresses",
        "events",
        "externalIds",
        "genders",
        "imClients",
        "interests",
        "locales",
        "locations",
        "memberships",
        "metadata",
        "miscKeywords",
        "names",
        "nicknames",
        "occupations",
        "organizations",
        "phoneNumbers",
        "photos",
        "relations",
        "sipAddresses",
        "skills",
        "urls",
        "userDefined",
    }
)
#: The paths ``updatePersonFields`` / ``updateMask`` accept (updateContact reference).
UPDATABLE_FIELDS = frozenset(
    {
        "addresses",
        "biographies",
        "birthdays",
        "calendarUrls",
        "clientData",
        "emailAddresses",
        "events",
        "externalIds",
        "genders",
        "imClients",
        "interests",
        "locales",
        "locations",
        "memberships",
        "miscKeywords",
        "names",
        "nicknames",
        "occupations",
        "organizations",
        "phoneNumbers",
        "relations",
        "sipAddresses",
        "urls",
        "userDefined",
    }
)
#: "more than one field is specified on a field that is a singleton for contact sources" -> 400.
SINGLETON_FIELDS = ("biographies", "birthdays", "genders", "names")
#: Fields whose ``type`` gets a ``formattedType`` in the viewer's locale (English here).
_TYPED_FIELDS = frozenset(
    {"addresses", "emailAddresses", "phoneNumbers", "organizations", "urls", "events", "externalIds", "relations"}
)
_OUTPUT_ONLY = {
    "names": ("displayName", "displayNameLastFirst", "metadata"),
    "phoneNumbers": ("canonicalForm", "formattedType", "metadata"),
    "genders": ("formattedValue", "metadata"),
    "imClients": ("formattedType", "formattedProtocol", "metadata"),
    "relations": ("formattedType", "metadata"),
    "events": ("formattedType", "metadata"),
    "sipAddresses": ("formattedType", "metadata"),
    "calendarUrls": ("formattedType", "metadata"),
}
_FORMATTED_TYPES = {
    "home": "Home",
    "work": "Work",
    "other": "Other",
    "mobile": "Mobile",
    "main": "Main",
    "homeFax": "Home Fax",
    "workFax": "Work Fax",
    "otherFax": "Other Fax",
    "pager": "Pager",
    "workMobile": "Work Mobile",
    "workPager": "Work Pager",
    "googleVoice": "Google Voice",
    "school": "School",
    "blog": "Blog",
    "profile": "Profile",
    "homePage": "Home Page",
    "appInstallPage": "App Install Page",
    "reservations": "Reservations",
    "anniversary": "Anniversary",
    "account": "Account",
    "customer": "Customer",
    "network": "Network",
    "organization": "Organization",
}
DEFAULT_GROUP_FIELDS = frozenset({"metadata", "groupType", "memberCount", "name"})
GROUP_FIELDS = frozenset({"clientData", "groupType", "memberCount", "metadata", "name"})


def stored_items(field: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items of ``field`` as a contact stores them: output-only keys dropped, empty items removed."""
    dropped = _OUTPUT_ONLY.get(field, ("formattedType", "metadata") if field in _TYPED_FIELDS else ("metadata",))
    kept = []
    for item in items:
        clean = {key: value for key, value in item.items() if key not in dropped and value not in (None, "")}
        if clean:
            kept.append(clean)
    return kept


def _source(contact: Contact) -> dict[str, Any]:
    return {"type": "CONTACT", "id": contact.source_id}


def _field_metadata(contact: Contact, primary: bool) -> dict[str, Any]:
    metadata: dict[str, Any] = {"source": _source(contact)}
    if primary:
        metadata["primary"] = True
        metadata["sourcePrimary"] = True
    return metadata


def _decorate(field: str, item: dict[str, Any]) -> dict[str, Any]:
    out = dict(item)
    if field == "names":
        given = " ".join(part for part in (item.get("givenName"), item.get("middleName")) if part)
        family = item.get("familyName", "")
        display = " ".join(part for part in (item.get("honorificPrefix"), given, family) if part)
        display = display or item.get("unstructuredName", "")
        if display:
            out["displayName"] = display
            out["displayNameLastFirst"] = ", ".join(part for part in (family, given) if part) or display
            out.setdefault("unstructuredName", display)
    elif field == "phoneNumbers":
        digits = re.sub(r"[^\d+]", "", str(item.get("value", "")))
        if digits.startswith("+") and len(digits) > 7:
            out["canonicalForm"] = digits
    elif field == "genders" and "value" in item:
        out["formattedValue"] = str(item["value"]).capitalize()
    kind = item.get("type")
    if field in _TYPED_FIELDS and isinstance(kind, str) and kind:
        out["formattedType"] = _FORMATTED_TYPES.get(kind, kind)
    return out


def render_person(contact: Contact, fields: frozenset[str]) -> dict[str, Any]:
    """The contact as a ``Person`` with the fields of ``fields`` (resourceName and etag always)."""
    person: dict[str, Any] = {"resourceName": contact.resource_name, "etag": contact.etag}
    if contact.deleted:
        person["metadata"] = {"sources": [_source_with_etag(contact)], "objectType": "PERSON", "deleted": True}
        return person
    if "metadata" in fields:
        person["metadata"] = {"sources": [_source_with_etag(contact)], "objectType": "PERSON"}
    for field in sorted(fields & UPDATABLE_FIELDS - {"memberships"}):
        items = contact.data.get(field)
        if items:
            person[field] = [
                {**_decorate(field, item), "metadata": _field_metadata(contact, index == 0)}
                for index, item in enumerate(items)
            ]
    if "memberships" in fields and contact.groups:
        person["memberships"] = [
            {
                "metadata": {"source": _source(contact)},
                "contactGroupMembership": {
                    "contactGroupId": group,
                    "contactGroupResourceName": f"contactGroups/{group}",
                },
            }
            for group in contact.groups
        ]
    return person


def _source_with_etag(contact: Contact) -> dict[str, Any]:
    return {
        "type": "CONTACT",
        "id": contact.source_id,
        "etag": contact.source_etag,
        "updateTime": rfc3339_micros(contact.updated),
    }


def render_group(group: ContactGroupRecord, fields: frozenset[str], member_count: int) -> dict[str, Any]:
    """A ``ContactGroup`` with the fields of ``fields`` (resourceName and etag always)."""
    out: dict[str, Any] = {"resourceName": group.resource_name, "etag": group.etag}
    if group.deleted:
        out["metadata"] = {"updateTime": rfc3339_micros(group.updated), "deleted": True}
        return out
    if "metadata" in fields:
        out["metadata"] = {"updateTime": rfc3339_micros(group.updated)}
    if "groupType" in fields:
        out["groupType"] = "SYSTEM_CONTACT_GROUP" if group.system else "USER_CONTACT_GROUP"
    if "name" in fields:
        out["name"] = group.name
        out["formattedName"] = group.formatted_name
    if "clientData" in fields and group.client_data:
        out["clientData"] = [dict(item) for item in group.client_data]
    if "memberCount" in fields and member_count:
        out["memberCount"] = member_count
    return out
