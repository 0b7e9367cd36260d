"""The org's daily API request allocation, counted per org over a rolling 24 hours of sandbox time."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Any

WINDOW = timedelta(hours=24)


class ApiUsage:
    """API requests made in the last 24 hours; a call is refused once ``used`` reaches the allocation."""

    def __init__(self) -> None:
        self._calls: deque[datetime] = deque()
        #: Requests recorded without a time (set through the control API), counted until the next reset.
        self._preset = 0

    def _expire(self, now: datetime) -> None:
        while self._calls and self._calls[0] <= now - WINDOW:
            self._calls.popleft()

    def used(self, now: datetime) -> int:
        """Requests counted in the window ending at ``now``."""
        self._expire(now)
        return self._preset + len(self._calls)

    def record(self, now: datetime) -> None:
        """Count one request."""
        self._calls.append(now)

    def set_used(self, count: int) -> None:
        """Pretend ``count`` requests were made just now (to test the limit without making them)."""
        self._calls.clear()
        self._preset = max(count, 0)

    def reset(self) -> None:
        """Forget every request."""
        self._calls.clear()
        self._preset = 0


def limits_json(used: int, maximum: int) -> dict[str, Any]:
    """The Limits resource: each limit's ``Max`` and ``Remaining`` (a representative subset of Salesforce's)."""
    static = {
        "ConcurrentAsyncGetReportInstances": (200, 200),
        "DailyAsyncApexExecutions": (250000, 250000),
        "DailyBulkApiBatches": (15000, 15000),
        "DailyBulkV2QueryJobs": (10000, 10000),
        "DailyStreamingApiEvents": (1000000, 1000000),
        "DataStorageMB": (5, 5),
        "FileStorageMB": (20, 20),
        "HourlyTimeBasedWorkflow": (50, 50),
        "MassEmail": (5000, 5000),
        "SingleEmail": (5000, 5000),
    }
    body: dict[str, Any] = {"DailyApiRequests": {"Max": maximum, "Remaining": max(maximum - used, 0)}}
    body.update({name: {"Max": top, "Remaining": left} for name, (top, left) in static.items()})
    return dict(sorted(body.items()))
