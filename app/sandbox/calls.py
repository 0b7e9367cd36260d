"""The call log: one entry per request to an emulated vendor, for counting API calls in tests and benchmarks.

The server writes it from the event loop while tests read it from their own thread, so every access holds a lock.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from app.sandbox.tokens import Provider

#: Key in the ASGI scope under which a handler names the user of a call that carries no bearer token
#: (a token request, a sign-in), so that the call log can still say whose call it was.
CALL_USER_SCOPE_KEY = "crmbridge.sandbox.call_user"

_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class CallRecord:
    """One vendor call as the sandbox saw it."""

    id: int
    time: datetime
    provider: Provider
    user: str | None
    method: str
    #: The vendor URL's host and path, e.g. ``/graph.microsoft.com/v1.0/me/contacts``.
    path: str
    #: The query string, with token-like parameters redacted.
    query: str
    status: int
    duration_ms: float
    #: Whether a fault rule answered instead of the emulator.
    injected: bool = False
    fault_id: str | None = None


@dataclass(frozen=True)
class CallFilter:
    """Which calls to select; every field that is set must match."""

    provider: Provider | None = None
    user: str | None = None
    method: str | None = None
    #: A substring of the path, or a glob when it contains ``*``, ``?`` or ``[``.
    path: str | None = None
    status: int | None = None
    since: datetime | None = None
    #: Only calls whose id is greater than this (ids grow by one per call).
    after_id: int | None = None
    injected: bool | None = None

    def matches(self, call: CallRecord) -> bool:
        """Whether ``call`` passes this filter."""
        checks = (
            self.provider is None or call.provider == self.provider,
            self.user is None or (call.user is not None and call.user == self.user.strip().lower()),
            self.method is None or call.method == self.method.upper(),
            self.path is None or _path_matches(call.path, self.path),
            self.status is None or call.status == self.status,
            self.since is None or call.time >= self.since,
            self.after_id is None or call.id > self.after_id,
            self.injected is None or call.injected == self.injected,
        )
        return all(checks)


def _path_matches(path: str, pattern: str) -> bool:
    if _GLOB_CHARACTERS.intersection(pattern):
        return fnmatch.fnmatchcase(path, pattern)
    return pattern in path


@dataclass
class CallLog:
    """Every vendor call since the last reset or clear, oldest first."""

    _calls: list[CallRecord] = field(default_factory=list)
    _next_id: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self,
        *,
        time: datetime,
        provider: Provider,
        user: str | None,
        method: str,
        path: str,
        query: str,
        status: int,
        duration_ms: float,
        injected: bool = False,
        fault_id: str | None = None,
    ) -> CallRecord:
        """Append one call and return it with its id."""
        with self._lock:
            call = CallRecord(
                id=self._next_id,
                time=time,
                provider=provider,
                user=user.lower() if user else None,
                method=method.upper(),
                path=path,
                query=query,
                status=status,
                duration_ms=duration_ms,
                injected=injected,
                fault_id=fault_id,
            )
            self._next_id += 1
            self._calls.append(call)
            return call

    def calls(self, where: CallFilter | None = None) -> list[CallRecord]:
        """The calls that match ``where`` (all of them without it), oldest first."""
        with self._lock:
            snapshot: Iterable[CallRecord] = list(self._calls)
        return [call for call in snapshot if where is None or where.matches(call)]

    def count(self, where: CallFilter | None = None) -> int:
        """How many calls match ``where``."""
        return len(self.calls(where))

    @property
    def last_id(self) -> int:
        """The id of the newest call (0 when none was made); use it as ``after_id`` to count what follows."""
        with self._lock:
            return self._next_id - 1

    def clear(self) -> int:
        """Forget every call (ids keep growing, so ``after_id`` stays meaningful); returns how many there were."""
        with self._lock:
            cleared = len(self._calls)
            self._calls.clear()
            return cleared
