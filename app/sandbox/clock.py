"""The sandbox's clock: real UTC time plus an offset that the control API can advance (token expiry, purges)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SandboxClock:
    """Wall-clock UTC time shifted by an adjustable offset; never goes backwards when advanced."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """The sandbox's current time (timezone-aware UTC)."""
        return datetime.now(UTC) + self._offset

    @property
    def offset(self) -> timedelta:
        """How far the sandbox runs ahead of real time."""
        return self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` and return the new time."""
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self._offset += delta
        return self.now()

    def reset(self) -> None:
        """Back to real time."""
        self._offset = timedelta(0)
