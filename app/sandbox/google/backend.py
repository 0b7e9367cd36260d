"""The Google backend: one account (contacts, calendar, tasks, mailbox) per sandbox user, and the emulators'
settings, rate limiter and Gmail add-on message tokens."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.sandbox.clock import SandboxClock
from app.sandbox.directory import SandboxUser, UserDirectory
from app.sandbox.google.calendar.models import CalendarStore
from app.sandbox.google.errors import concurrent_mutation
from app.sandbox.google.gmail.models import Mailbox
from app.sandbox.google.ids import IdSource
from app.sandbox.google.people.models import PeopleStore
from app.sandbox.google.ratelimit import RateLimiter
from app.sandbox.google.settings import GoogleSettings
from app.sandbox.google.tasks.models import TasksStore
from app.sandbox.state import SandboxState, Seed

#: How long a Gmail add-on's per-message access token stays valid.
MESSAGE_TOKEN_LIFETIME = timedelta(hours=1)
DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class MessageToken:
    """A Workspace add-on's per-message token (``gmail.accessToken`` of the event object)."""

    email: str
    message_id: str
    expires_at: datetime


class GoogleAccount:
    """Everything Google holds for one user."""

    def __init__(self, email: str, name: str, clock: SandboxClock, ids: IdSource, settings: GoogleSettings) -> None:
        self.email = email
        self.name = name
        epoch = secrets.token_hex(4)
        self.people = PeopleStore(clock, ids, epoch=epoch, sync_token_days=settings.people_sync_token_days)
        self.calendar = CalendarStore(
            clock,
            ids,
            owner=email,
            time_zone=DEFAULT_TIME_ZONE,
            epoch=epoch,
            sync_token_days=settings.calendar_sync_token_days,
        )
        self.tasks = TasksStore(clock, ids)
        self.gmail = Mailbox(clock, ids, email)
        self._mutating = False

    @asynccontextmanager
    async def people_mutation(self, latency_ms: int) -> AsyncIterator[None]:
        """Hold the user's People write slot for the mutation; 409 ABORTED if another mutation holds it."""
        if self._mutating:
            raise concurrent_mutation()
        self._mutating = True
        try:
            if latency_ms > 0:
                await asyncio.sleep(latency_ms / 1000)
            yield
        finally:
            self._mutating = False

    def apply_settings(self, settings: GoogleSettings) -> None:
        """Carry changed expiry settings into the stores."""
        self.people.sync_token_days = settings.people_sync_token_days
        self.calendar.sync_token_days = settings.calendar_sync_token_days


class GoogleBackend:
    """The Google side of the sandbox (registered as ``google``)."""

    def __init__(self, state: SandboxState) -> None:
        self.clock = state.clock
        self.settings = GoogleSettings()
        self.limiter = RateLimiter()
        self.ids = IdSource()
        self.accounts: dict[str, GoogleAccount] = {}
        self._message_tokens: dict[str, MessageToken] = {}

    @classmethod
    def create(cls, state: SandboxState) -> GoogleBackend:
        """The factory registered in ``BACKEND_FACTORIES``."""
        return cls(state)

    def reset(self, seed: Seed, directory: UserDirectory) -> None:
        """Drop every account and fill the Google users' accounts per ``seed``."""
        from app.sandbox.google.seed import seed_accounts

        self.settings = GoogleSettings()
        self.limiter.clear()
        self._message_tokens.clear()
        self.accounts.clear()
        self.ids.reseed(seed if isinstance(seed, int) else 0)
        for user in directory:
            if user.mail_provider == "google":
                self._open(user.email, user.name)
        seed_accounts(self, seed)

    def user_added(self, user: SandboxUser) -> None:
        """A new Google user gets an empty account."""
        if user.mail_provider == "google" and user.email not in self.accounts:
            self._open(user.email, user.name)

    def _open(self, email: str, name: str) -> GoogleAccount:
        account = GoogleAccount(email, name, self.clock, self.ids, self.settings)
        self.accounts[email] = account
        return account

    def account(self, email: str) -> GoogleAccount:
        """The account of ``email``, opened empty if the user has none yet."""
        email = email.strip().lower()
        found = self.accounts.get(email)
        return found if found is not None else self._open(email, email.split("@", 1)[0])

    def update_settings(self, changes: dict[str, object]) -> GoogleSettings:
        """Apply setting changes (ValueError for bad ones) and carry them into every account."""
        self.settings = self.settings.updated(dict(changes))
        for account in self.accounts.values():
            account.apply_settings(self.settings)
        return self.settings

    def invalidate_sync_tokens(self, email: str | None = None) -> int:
        """Make every outstanding People and Calendar sync token of ``email`` (or of everyone) expire."""
        count = 0
        for account in self.accounts.values():
            if email is None or account.email == email.lower():
                epoch = secrets.token_hex(4)
                account.people.epoch = epoch
                account.calendar.epoch = epoch
                count += 1
        return count

    def mint_message_token(self, email: str, message_id: str) -> str:
        """A per-message token as a Gmail add-on receives it for the open message; KeyError if no such message."""
        account = self.account(email)
        if message_id not in account.gmail.messages:
            raise KeyError(message_id)
        token = "ya29.msg-" + secrets.token_urlsafe(32)
        self._message_tokens[token] = MessageToken(account.email, message_id, self.clock.now() + MESSAGE_TOKEN_LIFETIME)
        return token

    def resolve_message_token(self, token: str) -> MessageToken | None:
        """The live per-message token ``token``, or None."""
        found = self._message_tokens.get(token)
        if found is None or found.expires_at <= self.clock.now():
            return None
        return found
