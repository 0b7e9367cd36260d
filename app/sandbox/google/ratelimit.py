"""Per-user request rates: a sliding minute of sandbox time for each user and API."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from app.sandbox.google.errors import Api

WINDOW = timedelta(minutes=1)


class RateLimiter:
    """Counts each user's calls to each API and says when a call is over the configured rate."""

    def __init__(self) -> None:
        self._calls: dict[tuple[str, Api], deque[datetime]] = {}

    def admit(self, email: str, api: Api, now: datetime, per_minute: int | None) -> bool:
        """Record a call at ``now`` and return whether it is within ``per_minute`` (always, when None).

        Refused calls are not counted, so a client that backs off gets through once the minute has slid on.
        """
        if per_minute is None:
            return True
        calls = self._calls.setdefault((email, api), deque())
        while calls and calls[0] <= now - WINDOW:
            calls.popleft()
        if len(calls) >= per_minute:
            return False
        calls.append(now)
        return True

    def clear(self) -> None:
        """Forget every count."""
        self._calls.clear()
