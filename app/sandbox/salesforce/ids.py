"""Salesforce record ids: 15-character case-sensitive ids, their 18-character case-safe form, and key prefixes.

An id is a three-character key prefix naming the object, then twelve characters. The 18-character form adds
three characters that encode, for each five-character chunk of the 15-character id, which positions are
upper-case letters, so that an id survives a case-insensitive system.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

#: Key prefix per sObject. EventRelation's "0RE" and the list view's "00B" are documented; EmailMessageRelation's
#: prefix could not be confirmed from the references at hand (see COVERAGE.md).
KEY_PREFIXES: Mapping[str, str] = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "Profile": "00e",
    "Lead": "00Q",
    "Task": "00T",
    "Event": "00U",
    "Case": "500",
    "EmailMessage": "02s",
    "ContentVersion": "068",
    "ContentDocument": "069",
    "ContentDocumentLink": "06A",
    "EventRelation": "0RE",
    "EmailMessageRelation": "0Rs",
}
ORG_PREFIX = "00D"
LIST_VIEW_PREFIX = "00B"
QUERY_LOCATOR_PREFIX = "01g"

_OBJECT_BY_PREFIX = {prefix: name for name, prefix in KEY_PREFIXES.items()}
_SUFFIX_ALPHABET = string.ascii_uppercase + "012345"
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_ALPHANUMERIC = frozenset(string.ascii_letters + string.digits)
#: The two "pod" characters and the reserved character between the prefix and the counter of sandbox ids.
_INSTANCE = "Sb0"


def checksum_suffix(id15: str) -> str:
    """The three case-safety characters that turn a 15-character id into its 18-character form."""
    return _chunk_code(id15[0:5]) + _chunk_code(id15[5:10]) + _chunk_code(id15[10:15])


@lru_cache(maxsize=65536)
def _chunk_code(chunk: str) -> str:
    bits = 0
    for position, char in enumerate(chunk):
        if "A" <= char <= "Z":
            bits |= 1 << position
    return _SUFFIX_ALPHABET[bits]


def to_18(id15: str) -> str:
    """The 18-character form of a 15-character id."""
    return id15 + checksum_suffix(id15)


def normalize_id(text: str) -> str | None:
    """The canonical 18-character id for a 15- or 18-character id, or None if ``text`` is not a well-formed id.

    An 18-character id's suffix restores the case of its first 15 characters, as Salesforce does for ids that
    went through a case-insensitive system.
    """
    if len(text) not in (15, 18) or not _ALPHANUMERIC.issuperset(text):
        return None
    if len(text) == 15:
        return to_18(text)
    head, suffix = text[:15], text[15:].upper()
    chars = list(head)
    for chunk, code in enumerate(suffix):
        bits = _SUFFIX_ALPHABET.find(code)
        if bits < 0:
            return None
        for position in range(5):
            index = chunk * 5 + position
            upper = bool(bits & (1 << position))
            if upper:
                if not chars[index].isalpha():
                    return None
                chars[index] = chars[index].upper()
            else:
                chars[index] = chars[index].lower()
    return to_18("".join(chars))


def object_for_id(record_id: str) -> str | None:
    """The sObject an id's key prefix names, or None."""
    return _OBJECT_BY_PREFIX.get(record_id[:3])


def base62(number: int, width: int) -> str:
    """``number`` in base 62, left-padded with zeros to ``width`` characters."""
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return "".join(reversed(digits)).rjust(width, "0")


@dataclass
class IdFactory:
    """Issues sequential ids per key prefix, so the same sequence of creations always yields the same ids."""

    _counters: dict[str, int] = field(default_factory=dict)

    def next_id(self, prefix: str) -> str:
        """A new 18-character id with ``prefix``."""
        count = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = count
        return to_18(prefix + _INSTANCE + base62(count, 9))

    def for_object(self, sobject: str) -> str:
        """A new id for a record of ``sobject``."""
        return self.next_id(KEY_PREFIXES[sobject])

    def reset(self) -> None:
        """Start every sequence again."""
        self._counters.clear()
