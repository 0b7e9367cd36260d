"""Wire formats shared by the Google emulators: timestamps, opaque tokens, base64url and etags."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any


def rfc3339(moment: datetime) -> str:
    """``2024-05-01T10:00:00.000Z``: UTC with milliseconds, as Calendar and Tasks write timestamps."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def rfc3339_micros(moment: datetime) -> str:
    """``2024-05-01T10:00:00.123456Z``: the ``google-datetime`` form the People API uses for ``updateTime``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_rfc3339(value: str) -> datetime | None:
    """An aware datetime from an RFC 3339 timestamp (``Z`` or an offset is mandatory); None if malformed."""
    text = value.strip()
    if len(text) < 20 or "T" not in text.upper():
        return None
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


def parse_date(value: str) -> date | None:
    """A ``yyyy-mm-dd`` date; None if malformed."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def epoch_millis(moment: datetime) -> int:
    """Milliseconds since the Unix epoch."""
    return int(moment.timestamp() * 1000)


def b64url(data: bytes) -> str:
    """URL-safe base64 with padding, as Gmail encodes bodies and raw messages."""
    return base64.urlsafe_b64encode(data).decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode URL-safe base64 that may lack its padding."""
    cleaned = text.strip().replace("+", "-").replace("/", "_")
    return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))


def encode_token(payload: dict[str, Any]) -> str:
    """An opaque page or sync token carrying ``payload``."""
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(token: str) -> dict[str, Any] | None:
    """The payload of a token made by :func:`encode_token`; None if it is not one."""
    try:
        payload = json.loads(b64url_decode(token))
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def fingerprint(*parts: object) -> str:
    """A short stable digest of request parameters (to check that a page token matches its query)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def digest_b64(*parts: object, length: int = 12) -> str:
    """A short URL-safe digest of ``parts`` (material for etags and opaque ids)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:length]
