"""Retrying a vendor call: ``Retry-After`` when the vendor gives one, else exponential back-off with jitter.

Only :class:`Throttled` and :class:`VendorUnavailable` are retried; every other error is final. After
``max_attempts`` the last error is raised, so the caller parks the work instead of hammering the vendor.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from app.connectors.errors import Throttled, VendorUnavailable

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait. ``sleep`` is injectable so tests do not wait for real."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    #: A vendor's Retry-After is honoured up to this (Graph may ask for minutes; retrying sooner is refused).
    max_retry_after: float = 600.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        backoff: float = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        spread: float = self.jitter()
        return backoff / 2 + backoff / 2 * spread


def with_retries(call: Callable[[], T], policy: RetryPolicy) -> T:
    """Run ``call``, retrying throttling and transient failures per ``policy``."""
    attempt = 1
    while True:
        try:
            return call()
        except (Throttled, VendorUnavailable) as error:
            if attempt >= policy.max_attempts:
                raise
            retry_after = error.retry_after if isinstance(error, Throttled) else None
            policy.sleep(policy.delay(attempt, retry_after))
            attempt += 1
