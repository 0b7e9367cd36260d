"""RFC 2822 / MIME messages as the Gmail API shows them: a tree of ``MessagePart`` with base64url bodies.

Part ids follow Gmail: ``""`` for the message itself, ``"0"``, ``"1"``... for its parts, ``"0.1"`` for a part of
part 0. A leaf part that is an attachment (it has a file name) carries an ``attachmentId`` and its size instead of
``data``; container parts carry ``{"size": 0}``. Header values are unfolded and RFC 2047 words decoded.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from functools import lru_cache
from typing import Any

from app.sandbox.google.wire import b64url, digest_b64


@dataclass
class ParsedMessage:
    """A message's payload tree, its attachments by id, and the values Gmail derives from it."""

    payload: dict[str, Any]
    attachments: dict[str, bytes] = field(default_factory=dict)
    snippet: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1024)
def parse_message(raw: bytes, message_id: str) -> ParsedMessage:
    """Parse ``raw`` into Gmail's payload structure; attachment ids are derived from ``message_id``.

    Cached: the result is shared and must not be changed.
    """
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    parsed = ParsedMessage(payload={})
    parsed.payload = _part(message, "", message_id, parsed)
    parsed.headers = {item["name"].lower(): item["value"] for item in reversed(parsed.payload["headers"])}
    return parsed


def header_value(value: str) -> str:
    """An unfolded header value with encoded words decoded."""
    unfolded = re.sub(r"\r?\n[ \t]+", " ", value)
    try:
        return str(make_header(decode_header(unfolded)))
    except (UnicodeDecodeError, LookupError, ValueError):
        return unfolded


def _part(part: Message, part_id: str, message_id: str, parsed: ParsedMessage) -> dict[str, Any]:
    headers = [{"name": name, "value": header_value(str(value))} for name, value in part.items()]
    filename = part.get_filename() or ""
    out: dict[str, Any] = {
        "partId": part_id,
        "mimeType": part.get_content_type(),
        "filename": header_value(filename) if filename else "",
        "headers": headers,
    }
    if part.is_multipart():
        out["body"] = {"size": 0}
        children = part.get_payload()
        assert isinstance(children, list)
        prefix = f"{part_id}." if part_id else ""
        out["parts"] = [_part(child, f"{prefix}{index}", message_id, parsed) for index, child in enumerate(children)]
        return out
    data = part.get_payload(decode=True)
    content = data if isinstance(data, bytes) else b""
    if filename:
        attachment_id = "ANGjdJ" + digest_b64("attachment", message_id, part_id, length=90)
        parsed.attachments[attachment_id] = content
        out["body"] = {"attachmentId": attachment_id, "size": len(content)}
    else:
        out["body"] = {"size": len(content), "data": b64url(content)} if content else {"size": 0}
        if not parsed.snippet and part.get_content_type() == "text/plain":
            parsed.snippet = snippet_of(content.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return out


def snippet_of(text: str, length: int = 200) -> str:
    """Gmail's snippet: the start of the text, whitespace collapsed, HTML-escaped."""
    collapsed = " ".join(text.split())[:length]
    return html.escape(collapsed, quote=True).replace("&#x27;", "&#39;")


def metadata_payload(payload: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    """The payload of ``format=metadata``: headers only, narrowed to ``wanted`` names when given."""
    names = {name.lower() for name in wanted}
    headers = [h for h in payload["headers"] if not names or h["name"].lower() in names]
    return {"partId": "", "mimeType": payload["mimeType"], "filename": payload["filename"], "headers": headers}
