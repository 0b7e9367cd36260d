"""Exchange's per-mailbox throttling: a request budget per time window and a cap on concurrent requests.

Graph documents the Outlook limits per app and mailbox as 10,000 requests per 10 minutes and 4 concurrent requests
("Microsoft Graph service-specific throttling limits"). Throttled requests get 429 with ``Retry-After`` in seconds;
inside ``$batch`` every sub-request is counted and throttled on its own. Windows follow the sandbox clock, so a test
can advance the clock past ``Retry-After`` instead of sleeping.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.sandbox.clock import SandboxClock
from app.sandbox.microsoft.exceptions import throttled

RATE_MESSAGE = "Application is over its MailboxRequestRate limit."
CONCURRENCY_MESSAGE = "Application is over its MailboxConcurrency limit."


@dataclass
class ThrottleSettings:
    """The budgets, adjustable through ``PATCH /_sandbox/microsoft/settings``."""

    #: Requests one mailbox accepts per window.
    requests_per_window: int = 10_000
    window_seconds: int = 600
    #: Requests one mailbox serves at the same time.
    max_concurrent: int = 4
    #: ``Retry-After`` for a concurrency rejection (the rate rejection computes its own).
    concurrency_retry_after: int = 1
    #: Whether 429s carry ``Retry-After`` (some real ones do not; clients must then back off on their own).
    send_retry_after: bool = True
    #: Hold every request this long (in real time) before answering, to make concurrency observable in tests.
    request_delay_ms: int = 0


class Throttle:
    """Admission control per mailbox. Used from the event loop only."""

    def __init__(self, clock: SandboxClock, settings: ThrottleSettings) -> None:
        self._clock = clock
        self.settings = settings
        self._recent: dict[str, deque[datetime]] = {}
        self._in_flight: dict[str, int] = {}

    def admit(self, mailbox: str) -> None:
        """Count one request for ``mailbox``; 429 (raised) if a budget is spent. Pair with :meth:`release`."""
        settings = self.settings
        if self._in_flight.get(mailbox, 0) >= settings.max_concurrent:
            retry = settings.concurrency_retry_after if settings.send_retry_after else None
            raise throttled(CONCURRENCY_MESSAGE, retry)
        now = self._clock.now()
        window = timedelta(seconds=settings.window_seconds)
        recent = self._recent.setdefault(mailbox, deque())
        while recent and recent[0] <= now - window:
            recent.popleft()
        if len(recent) >= settings.requests_per_window:
            wait = (recent[0] + window - now).total_seconds()
            raise throttled(RATE_MESSAGE, max(1, math.ceil(wait)) if settings.send_retry_after else None)
        recent.append(now)
        self._in_flight[mailbox] = self._in_flight.get(mailbox, 0) + 1

    def release(self, mailbox: str) -> None:
        """A request admitted by :meth:`admit` has finished."""
        self._in_flight[mailbox] = max(0, self._in_flight.get(mailbox, 0) - 1)

    def usage(self, mailbox: str) -> dict[str, int]:
        """Requests counted in the current window and requests in flight, for the control API."""
        now = self._clock.now()
        window = timedelta(seconds=self.settings.window_seconds)
        recent = [t for t in self._recent.get(mailbox, ()) if t > now - window]
        return {"requestsInWindow": len(recent), "inFlight": self._in_flight.get(mailbox, 0)}

    def reset(self) -> None:
        """Forget every count."""
        self._recent.clear()
        self._in_flight.clear()
