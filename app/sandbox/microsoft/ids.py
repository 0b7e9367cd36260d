"""Outlook-shaped identifiers: REST ids that change when an item moves, immutable ids that do not, change keys.

Real REST ids are URL-safe base64 of a binary entry id that starts with ``00 03 24 00`` and the mailbox GUID in
ASCII (hence the familiar ``AAMkA...`` prefix); immutable ids start with ``00 09 00 2E`` (``AAkALg...``). The
sandbox packs its own payload after those prefixes: the container key for REST ids (so a move changes the id), the
item key for both. Ids stay opaque to clients, as the documentation asks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

KEY_BYTES = 16

_REST_PREFIX = b"\x00\x03\x24\x00"
_IMMUTABLE_PREFIX = b"\x00\x09\x00\x2e\x00\x00\x00\x00"
_ITEM = b"\x46\x00\x00\x00\x00\x00"
_FOLDER = b"\x2e\x00\x00\x00\x00\x00"
_OCCURRENCE = b"\x51\x00\x00\x00\x00\x00"
_ATTACHMENT = b"\x12\x00\x10\x00\x00\x00"

IdKind = Literal["item", "folder", "occurrence", "attachment"]


@dataclass(frozen=True)
class ParsedId:
    """What an id names: its kind, whether it is immutable, and the keys packed in it."""

    kind: IdKind
    immutable: bool
    mailbox_guid: str
    #: The item's (or folder's) own key.
    key: bytes
    #: REST item ids: the container the item was in when the id was issued. Attachments: the parent item key.
    container: bytes | None = None
    #: Occurrence ids: the occurrence's original start.
    original_start: datetime | None = None


def make_key(*parts: str) -> bytes:
    """A deterministic 16-byte key from ``parts`` (so seeded mailboxes get the same ids on every start)."""
    return hashlib.sha256("\x1f".join(parts).encode()).digest()[:KEY_BYTES]


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _guid_block(mailbox_guid: str) -> bytes:
    return mailbox_guid.encode("ascii") + b"\x00"


def folder_id(mailbox_guid: str, key: bytes) -> str:
    """A container id (contact folder, calendar, task list, mail folder); containers never change ids."""
    return _encode(_REST_PREFIX + _guid_block(mailbox_guid) + _FOLDER + key)


def item_id(mailbox_guid: str, key: bytes, container: bytes, *, immutable: bool) -> str:
    """An item id: the REST form (tied to ``container``) or the immutable form."""
    if immutable:
        return _encode(_IMMUTABLE_PREFIX + uuid_bytes(mailbox_guid) + _ITEM + key)
    return _encode(_REST_PREFIX + _guid_block(mailbox_guid) + _ITEM + container + key)


def occurrence_id(mailbox_guid: str, master_key: bytes, original_start: datetime) -> str:
    """The id of one occurrence of a series: the master's key and the occurrence's original start."""
    stamp = int(original_start.astimezone(UTC).timestamp()).to_bytes(8, "big", signed=True)
    return _encode(_REST_PREFIX + _guid_block(mailbox_guid) + _OCCURRENCE + master_key + stamp)


def attachment_id(mailbox_guid: str, parent_key: bytes, key: bytes) -> str:
    """An attachment id: the parent item's key and the attachment's own."""
    return _encode(_REST_PREFIX + _guid_block(mailbox_guid) + _ATTACHMENT + parent_key + key)


def uuid_bytes(mailbox_guid: str) -> bytes:
    """The mailbox GUID's 16 bytes."""
    return bytes.fromhex(mailbox_guid.replace("-", ""))


def _parse_immutable(body: bytes) -> ParsedId | None:
    if len(body) != 16 + len(_ITEM) + KEY_BYTES or body[16 : 16 + len(_ITEM)] != _ITEM:
        return None
    guid = body[:16].hex()
    guid = f"{guid[:8]}-{guid[8:12]}-{guid[12:16]}-{guid[16:20]}-{guid[20:]}"
    return ParsedId("item", True, guid, body[16 + len(_ITEM) :])


def _parse_rest(body: bytes) -> ParsedId | None:
    end = body.find(b"\x00")
    if end != 36:
        return None
    guid = body[:end].decode("ascii", "replace")
    rest = body[end + 1 :]
    marker, payload = rest[: len(_ITEM)], rest[len(_ITEM) :]
    parsed: ParsedId | None = None
    if marker == _FOLDER and len(payload) == KEY_BYTES:
        parsed = ParsedId("folder", False, guid, payload)
    elif marker == _ITEM and len(payload) == 2 * KEY_BYTES:
        parsed = ParsedId("item", False, guid, payload[KEY_BYTES:], container=payload[:KEY_BYTES])
    elif marker == _OCCURRENCE and len(payload) == KEY_BYTES + 8:
        seconds = int.from_bytes(payload[KEY_BYTES:], "big", signed=True)
        start = datetime.fromtimestamp(seconds, UTC)
        parsed = ParsedId("occurrence", False, guid, payload[:KEY_BYTES], original_start=start)
    elif marker == _ATTACHMENT and len(payload) == 2 * KEY_BYTES:
        parsed = ParsedId("attachment", False, guid, payload[KEY_BYTES:], container=payload[:KEY_BYTES])
    return parsed


def parse_id(value: str) -> ParsedId | None:
    """What ``value`` names, or None when it is not an id this sandbox could have issued (malformed)."""
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii") + b"=" * (-len(value) % 4))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    if raw.startswith(_IMMUTABLE_PREFIX):
        return _parse_immutable(raw[len(_IMMUTABLE_PREFIX) :])
    if raw.startswith(_REST_PREFIX):
        return _parse_rest(raw[len(_REST_PREFIX) :])
    return None


def change_key(mailbox_guid: str, version: int) -> str:
    """A change key: standard base64 of the mailbox's GUID bytes and a version counter, like Exchange's."""
    return base64.b64encode(uuid_bytes(mailbox_guid) + version.to_bytes(6, "big")).decode("ascii")


def etag(change: str) -> str:
    """The ``@odata.etag`` for a change key: a weak etag, ``W/"<changeKey>"``."""
    return f'W/"{change}"'


def ical_uid(key: bytes, instance_date: datetime | None = None) -> str:
    """An Outlook-style iCalUId (a GlobalObjectId in hex); occurrences carry their date, so each one differs."""
    stamp = (
        "00000000"
        if instance_date is None
        else f"{instance_date.year:04X}{instance_date.month:02X}{instance_date.day:02X}"
    )
    return "040000008200E00074C5B7101A82E008" + stamp + "0" * 32 + "10000000" + key.hex().upper()
