"""What every email-logging use case works with: the rep, their Salesforce, the org's profile, the limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.connectors.salesforce.client import Subrequest, SubResult, raise_for_result
from app.connectors.salesforce.mapping import OrgProfile, org_profile, record_url
from app.models import User
from app.services.email_logging.schemas import RecordLink
from app.services.salesforce_access import RepSalesforce

#: How long an org's describe-based profile is trusted before it is read again.
PROFILE_LIFETIME_SECONDS = 600.0

DESCRIBE_GLOBAL = "describeGlobal"
DESCRIBE_EMAIL = "describeEmailMessage"
DESCRIBE_TASK = "describeTask"
#: The describes an org profile is read from; they ride along in the first composite call of a cold cache.
DESCRIBE_SUBREQUESTS = (
    Subrequest(DESCRIBE_GLOBAL, "GET", "sobjects"),
    Subrequest(DESCRIBE_EMAIL, "GET", "sobjects/EmailMessage/describe"),
    Subrequest(DESCRIBE_TASK, "GET", "sobjects/Task/describe"),
)


class OrgProfiles:
    """Org profiles by instance URL, each kept for a while (one per application, shared by requests)."""

    def __init__(
        self, lifetime_seconds: float = PROFILE_LIFETIME_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._lifetime = lifetime_seconds
        self._clock = clock
        self._profiles: dict[str, tuple[OrgProfile, float]] = {}
        self._lock = threading.Lock()

    def get(self, instance_url: str) -> OrgProfile | None:
        """The org's profile if it was read recently."""
        with self._lock:
            entry = self._profiles.get(instance_url)
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    def put(self, instance_url: str, profile: OrgProfile) -> None:
        """Remember the org's profile."""
        with self._lock:
            self._profiles[instance_url] = (profile, self._clock() + self._lifetime)

    def clear(self) -> None:
        """Forget every profile (read them again on next use)."""
        with self._lock:
            self._profiles.clear()


def profile_from_results(results: Mapping[str, SubResult]) -> OrgProfile:
    """The org's profile from the describe subrequests' answers (EmailMessage's is 404 when Enhanced Email is
    off, which the global describe already says)."""
    raise_for_result(results[DESCRIBE_GLOBAL])
    raise_for_result(results[DESCRIBE_TASK])
    email = results[DESCRIBE_EMAIL]
    return org_profile(results[DESCRIBE_GLOBAL].body, email.body if email.ok else None, results[DESCRIBE_TASK].body)


def _no_checkpoint() -> None:
    return None


@dataclass
class LoggingContext:
    """One rep's request: who they are, their Salesforce, the app's org profiles, the attachment limit, now.

    ``checkpoint`` is called before the use cases wait on Salesforce, when they have nothing of their own
    pending in ``db``: the request boundary may end the database transaction there (so that no connection or
    snapshot is held across the vendor's latency). The use cases never commit themselves.
    """

    db: Session
    user: User
    salesforce: RepSalesforce
    profiles: OrgProfiles
    max_attachment_bytes: int
    now: datetime
    checkpoint: Callable[[], None] = _no_checkpoint

    @property
    def user_id(self) -> int:
        """The rep's crmbridge user id."""
        assert self.user.id is not None
        return self.user.id

    @property
    def rep_address(self) -> str:
        """The rep's own mail address (from crmbridge's records, never from the request)."""
        return self.user.email.lower()

    def link(self, sobject: str, record_id: str, name: str | None = None) -> RecordLink:
        """A record and its address in the rep's org."""
        return RecordLink(
            object=sobject, id=record_id, name=name, url=record_url(self.salesforce.instance_url, sobject, record_id)
        )

    def cached_profile(self) -> OrgProfile | None:
        """The rep's org profile, if known."""
        return self.profiles.get(self.salesforce.instance_url)

    def remember_profile(self, profile: OrgProfile) -> None:
        """Keep the rep's org profile for the next requests."""
        self.profiles.put(self.salesforce.instance_url, profile)
