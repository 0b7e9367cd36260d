"""Sandbox users: the people who own the emulated mailboxes and, if they are Salesforce users, org User records."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

MailProvider = Literal["microsoft", "google"]

#: Namespace for deterministic Microsoft object ids derived from addresses.
_MICROSOFT_NAMESPACE = uuid.UUID("0b6c3a53-0d5f-4b1e-9a47-6f5c2f0f8a11")


@dataclass
class SandboxUser:
    """One sandbox person. Vendor ids are deterministic, so seeded data is the same on every start."""

    email: str
    name: str
    mail_provider: MailProvider
    salesforce_user: bool = True
    salesforce_profile: str = "Standard User"
    #: Set by the Salesforce org when it creates the matching User record.
    salesforce_id: str | None = None
    microsoft_id: str = field(init=False)
    google_id: str = field(init=False)

    def __post_init__(self) -> None:
        self.email = self.email.strip().lower()
        self.microsoft_id = str(uuid.uuid5(_MICROSOFT_NAMESPACE, self.email))
        # Google account ids are 21-digit decimal strings.
        digest = int.from_bytes(hashlib.sha256(self.email.encode()).digest()[:9], "big")
        self.google_id = "1" + str(digest).zfill(20)[-20:]

    @property
    def given_name(self) -> str:
        """First word of the name."""
        return self.name.split(" ", 1)[0]

    @property
    def family_name(self) -> str:
        """Everything after the first word of the name (or the name itself)."""
        parts = self.name.split(" ", 1)
        return parts[1] if len(parts) > 1 else parts[0]


class UserDirectory:
    """The sandbox's users, by case-insensitive address."""

    def __init__(self) -> None:
        self._users: dict[str, SandboxUser] = {}

    def add(self, user: SandboxUser) -> SandboxUser:
        """Register ``user``; raises ValueError if the address is taken."""
        if user.email in self._users:
            raise ValueError(f"a sandbox user with the address {user.email} already exists")
        self._users[user.email] = user
        return user

    def get(self, email: str) -> SandboxUser | None:
        """The user with this address, if any."""
        return self._users.get(email.strip().lower())

    def find(self, predicate_id: str) -> SandboxUser | None:
        """The user whose Microsoft, Google or Salesforce id, or address, is ``predicate_id``."""
        for user in self._users.values():
            if predicate_id in (user.microsoft_id, user.google_id, user.salesforce_id, user.email):
                return user
        return None

    def __iter__(self) -> Iterator[SandboxUser]:
        return iter(list(self._users.values()))

    def __len__(self) -> int:
        return len(self._users)

    def clear(self) -> None:
        """Remove every user."""
        self._users.clear()
