"""The Google emulators' knobs, changed through ``/_sandbox/google/settings``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

RateLimitReason = Literal["rateLimitExceeded", "userRateLimitExceeded"]


@dataclass(frozen=True)
class GoogleSettings:
    """How the emulators throttle, delay and expire things. Every value has a documented or neutral default."""

    #: Requests per minute per user and API (a sliding minute of sandbox time); None means unlimited.
    requests_per_minute: int | None = None
    #: The status an over-limit call gets: Google answers ``rateLimitExceeded`` with 403 or 429.
    over_limit_status: Literal[403, 429] = 429
    over_limit_reason: RateLimitReason = "rateLimitExceeded"
    #: How long a People mutation holds the user's write slot; another mutation meanwhile is refused (409 ABORTED).
    mutation_latency_ms: int = 0
    #: People sync tokens "expire 7 days after the full sync".
    people_sync_token_days: float = 7.0
    #: Google publishes no lifetime for Calendar sync tokens; the sandbox expires them after this many days.
    calendar_sync_token_days: float = 7.0

    def as_json(self) -> dict[str, Any]:
        """The settings as the control API shows them."""
        return asdict(self)

    def updated(self, changes: dict[str, Any]) -> GoogleSettings:
        """A copy with ``changes`` applied; raises ValueError for an unknown name or an unacceptable value."""
        known = {item.name for item in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown Google setting(s): {', '.join(unknown)}")
        candidate = replace(self, **changes)
        candidate.check()
        return candidate

    def check(self) -> None:
        """Raise ValueError if a value is out of range."""
        rpm = self.requests_per_minute
        if rpm is not None and (not isinstance(rpm, int) or isinstance(rpm, bool) or rpm < 1):
            raise ValueError("requests_per_minute must be a positive integer or null")
        if self.over_limit_status not in (403, 429):
            raise ValueError("over_limit_status must be 403 or 429")
        if self.over_limit_reason not in ("rateLimitExceeded", "userRateLimitExceeded"):
            raise ValueError("over_limit_reason must be rateLimitExceeded or userRateLimitExceeded")
        if not isinstance(self.mutation_latency_ms, int) or not 0 <= self.mutation_latency_ms <= 60_000:
            raise ValueError("mutation_latency_ms must be an integer between 0 and 60000")
        for name in ("people_sync_token_days", "calendar_sync_token_days"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive number")
