"""One account's Gmail mailbox: messages stored as RFC 2822 bytes, read back in Gmail's formats.

Facts relied on (Gmail API reference): ``messages.get`` formats are minimal, full (payload, no raw), raw (base64url
``raw``, no payload) and metadata (headers only, narrowed by ``metadataHeaders``); ``messages.list`` returns only
``id`` and ``threadId`` per message, 100 by default and 500 at most, with ``resultSizeEstimate``; SPAM and TRASH are
left out unless ``includeSpamTrash``; ``labelIds`` must all match; ``internalDate`` is epoch milliseconds as a
string and ``historyId`` a uint64 string.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any

from app.sandbox.clock import SandboxClock
from app.sandbox.google.errors import GoogleApiError, bad_request, invalid_argument, not_found
from app.sandbox.google.gmail.mime import ParsedMessage, metadata_payload, parse_message
from app.sandbox.google.ids import IdSource
from app.sandbox.google.wire import b64url, decode_token, encode_token, epoch_millis

DEFAULT_PAGE = 100
MAX_PAGE = 500
FORMATS = frozenset({"minimal", "full", "raw", "metadata"})
SYSTEM_LABELS = (
    "INBOX",
    "SENT",
    "DRAFT",
    "SPAM",
    "TRASH",
    "UNREAD",
    "STARRED",
    "IMPORTANT",
    "CHAT",
    "CATEGORY_PERSONAL",
    "CATEGORY_SOCIAL",
    "CATEGORY_PROMOTIONS",
    "CATEGORY_UPDATES",
    "CATEGORY_FORUMS",
)


@dataclass
class StoredMessage:
    """A message, its labels and what Gmail derives from its bytes."""

    id: str
    thread_id: str
    raw: bytes
    label_ids: list[str]
    internal_date: datetime
    history_id: int
    parsed: ParsedMessage

    def header(self, name: str) -> str:
        """The first header called ``name`` (decoded), or an empty string."""
        return self.parsed.headers.get(name.lower(), "")

    @property
    def has_attachment(self) -> bool:
        """Whether any part is an attachment."""
        return bool(self.parsed.attachments)


class Mailbox:
    """The messages of one account, newest first."""

    def __init__(self, clock: SandboxClock, ids: IdSource, email_address: str) -> None:
        self.clock = clock
        self.ids = ids
        self.email = email_address
        self.messages: dict[str, StoredMessage] = {}
        self.history_id = 1000

    def add(self, raw: bytes, label_ids: list[str], *, internal_date: datetime | None = None) -> StoredMessage:
        """Store a message (threaded by In-Reply-To/References against stored Message-IDs)."""
        message_id = self.ids.hex(16)
        parsed = parse_message(raw, message_id)
        thread_id = self._thread_for(parsed) or message_id
        self.history_id += 1
        stored = StoredMessage(
            id=message_id,
            thread_id=thread_id,
            raw=raw,
            label_ids=list(dict.fromkeys(label_ids)),
            internal_date=internal_date or self.clock.now(),
            history_id=self.history_id,
            parsed=parsed,
        )
        self.messages[message_id] = stored
        return stored

    def _thread_for(self, parsed: ParsedMessage) -> str | None:
        references = (parsed.headers.get("in-reply-to", "") + " " + parsed.headers.get("references", "")).split()
        if not references:
            return None
        for message in self.messages.values():
            if message.header("Message-ID") in references:
                return message.thread_id
        return None

    def message(self, message_id: str) -> StoredMessage:
        """A stored message; 404 otherwise."""
        found = self.messages.get(message_id)
        if found is None:
            raise not_found()
        return found

    def render(self, message: StoredMessage, fmt: str, metadata_headers: list[str]) -> dict[str, Any]:
        """The ``Message`` JSON in format ``fmt``."""
        if fmt not in FORMATS:
            raise invalid_argument(f"Invalid value at 'format' ({fmt}).")
        out: dict[str, Any] = {
            "id": message.id,
            "threadId": message.thread_id,
            "labelIds": list(message.label_ids),
            "snippet": message.parsed.snippet,
            "sizeEstimate": len(message.raw),
            "historyId": str(message.history_id),
            "internalDate": str(epoch_millis(message.internal_date)),
        }
        if fmt == "full":
            out["payload"] = message.parsed.payload
        elif fmt == "metadata":
            out["payload"] = metadata_payload(message.parsed.payload, metadata_headers)
        elif fmt == "raw":
            out["raw"] = b64url(message.raw)
        return out

    def attachment(self, message_id: str, attachment_id: str) -> dict[str, Any]:
        """A ``MessagePartBody`` with the attachment's bytes."""
        data = self.message(message_id).parsed.attachments.get(attachment_id)
        if data is None:
            raise GoogleApiError(400, "Invalid attachment token", "invalidArgument")

        return {"attachmentId": attachment_id, "size": len(data), "data": b64url(data)}

    def list_messages(
        self,
        *,
        query: str | None,
        label_ids: list[str],
        include_spam_trash: bool,
        max_results: int | None,
        page_token: str | None,
    ) -> dict[str, Any]:
        """One page of ``messages.list``, newest first."""
        size = min(max(max_results or DEFAULT_PAGE, 1), MAX_PAGE)
        offset = 0
        if page_token is not None:
            payload = decode_token(page_token)
            if payload is None or payload.get("kind") != "messages":
                raise bad_request("Invalid pageToken", reason="invalidArgument")
            offset = int(payload["offset"])
        matcher = _Query(query or "", self.clock.now())
        found = [
            message
            for message in sorted(self.messages.values(), key=lambda m: (m.internal_date, m.id), reverse=True)
            if (include_spam_trash or not {"SPAM", "TRASH"} & set(message.label_ids))
            and all(label in message.label_ids for label in label_ids)
            and matcher.matches(message)
        ]
        chunk = found[offset : offset + size]
        body: dict[str, Any] = {}
        if chunk:
            body["messages"] = [{"id": m.id, "threadId": m.thread_id} for m in chunk]
        if offset + size < len(found):
            body["nextPageToken"] = encode_token({"kind": "messages", "offset": offset + size})
        body["resultSizeEstimate"] = len(found)
        return body

    def profile(self) -> dict[str, Any]:
        """The ``Profile`` of ``users.getProfile``."""
        return {
            "emailAddress": self.email,
            "messagesTotal": len(self.messages),
            "threadsTotal": len({m.thread_id for m in self.messages.values()}),
            "historyId": str(self.history_id),
        }

    def labels(self) -> dict[str, Any]:
        """``labels.list``: the system labels."""
        return {"labels": [{"id": label, "name": label, "type": "system"} for label in SYSTEM_LABELS]}


class _Query:
    """A subset of Gmail's search operators: from:, to:, cc:, subject:, rfc822msgid:, has:attachment, in:, is:,
    label:, after:, before:, newer_than:, older_than: and plain words."""

    def __init__(self, text: str, now: datetime) -> None:
        try:
            self.terms = shlex.split(text)
        except ValueError:
            self.terms = text.split()
        self.now = now

    def matches(self, message: StoredMessage) -> bool:
        return all(self._term(term, message) for term in self.terms)

    def _term(self, term: str, message: StoredMessage) -> bool:
        negate = term.startswith("-")
        term = term.removeprefix("-")
        operator, colon, value = term.partition(":")
        result = self._operator(operator.lower(), value, message) if colon else self._word(term, message)
        return result != negate

    def _operator(self, operator: str, value: str, message: StoredMessage) -> bool:
        value_lower = value.lower()
        if operator in ("from", "to", "cc", "bcc", "subject"):
            return value_lower in message.header(operator).lower()
        if operator == "rfc822msgid":
            return message.header("Message-ID").strip("<>").lower() == value.strip("<>").lower()
        if operator == "has":
            return value_lower == "attachment" and message.has_attachment
        if operator in ("in", "label", "is"):
            return value.upper() in message.label_ids or (value_lower == "anywhere")
        if operator in ("after", "before", "newer_than", "older_than"):
            return self._dated(operator, value, message)
        return self._word(f"{operator}:{value}", message)

    def _dated(self, operator: str, value: str, message: StoredMessage) -> bool:
        if operator in ("after", "before"):
            moment = _date_value(value)
        else:
            age = _age(value)
            moment = None if age is None else self.now - age
        if moment is None:
            return False
        later = message.internal_date >= moment
        return later if operator in ("after", "newer_than") else not later

    def _word(self, word: str, message: StoredMessage) -> bool:
        haystack = " ".join(
            [message.header(name) for name in ("subject", "from", "to", "cc")] + [message.parsed.snippet]
        ).lower()
        return word.lower() in haystack or word.lower() in parseaddr(message.header("from"))[1].lower()


def _date_value(value: str) -> datetime | None:
    if value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    parts = value.replace("-", "/").split("/")
    try:
        return datetime(int(parts[0]), int(parts[1]), int(parts[2]), tzinfo=UTC)
    except (ValueError, IndexError):
        return None


def _age(value: str) -> timedelta | None:
    units = {"d": timedelta(days=1), "m": timedelta(days=30), "y": timedelta(days=365)}
    if len(value) < 2 or not value[:-1].isdigit() or value[-1] not in units:
        return None
    return int(value[:-1]) * units[value[-1]]
