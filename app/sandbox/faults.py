"""Fault injection: rules that make matching vendor calls fail (or slow down) before the emulator sees them.

A rule matches by provider, HTTP method and a glob on the vendor path (``/graph.microsoft.com/v1.0/me/contacts*``).
It fires for the next N matching calls, or with a probability drawn from a seedable generator, or both; without
either it fires on every matching call until removed. The first matching rule that fires answers the call.
"""

from __future__ import annotations

import fnmatch
import random
import secrets
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from app.sandbox.tokens import Provider


@dataclass(frozen=True)
class FaultSpec:
    """What a rule matches and what it does."""

    provider: Provider | None = None
    #: An HTTP method, or ``*`` for any.
    method: str = "*"
    #: A glob on the vendor path (host and path, no query), e.g. ``/sandbox.my.salesforce.com/services/data/*``.
    path: str = "*"
    #: The status to answer with; None only delays the call, which then proceeds.
    status: int | None = None
    #: The vendor's error code in its own format (Salesforce errorCode, Graph code, Google reason, OAuth error).
    code: str | None = None
    message: str | None = None
    #: A body to send verbatim (JSON) instead of the vendor's default error body.
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    delay_seconds: float = 0.0
    #: Fire on at most this many matching calls.
    times: int | None = None
    #: Fire with this probability on each matching call.
    probability: float | None = None
    seed: int | None = None


@dataclass
class FaultRule:
    """A registered rule and its counters."""

    id: str
    spec: FaultSpec
    #: Matching calls seen (whether or not the rule fired).
    matched: int = 0
    #: Calls the rule answered.
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def remaining(self) -> int | None:
        """How many more times the rule fires (None: no limit)."""
        return None if self.spec.times is None else max(self.spec.times - self.fired, 0)

    def matches(self, provider: Provider, method: str, path: str) -> bool:
        """Whether a call falls under this rule (before its count and probability are considered)."""
        spec = self.spec
        return (
            (spec.provider is None or spec.provider == provider)
            and (spec.method == "*" or spec.method == method.upper())
            and fnmatch.fnmatchcase(path, spec.path)
        )


class FaultInjector:
    """The sandbox's fault rules, in the order they were added. Safe to use from several threads."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, spec: FaultSpec) -> FaultRule:
        """Register a rule; its generator is seeded with ``spec.seed`` when given."""
        rng = random.Random(spec.seed) if spec.seed is not None else random.Random(secrets.randbits(64))
        rule = FaultRule(id=f"fault-{secrets.token_hex(4)}", spec=spec, _rng=rng)
        with self._lock:
            self._rules.append(rule)
        return rule

    def rules(self) -> list[FaultRule]:
        """Copies of the registered rules (counters as of now)."""
        with self._lock:
            return [replace(rule) for rule in self._rules]

    def remove(self, rule_id: str) -> bool:
        """Remove one rule; returns whether it existed."""
        with self._lock:
            before = len(self._rules)
            self._rules = [rule for rule in self._rules if rule.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> int:
        """Remove every rule; returns how many there were."""
        with self._lock:
            count = len(self._rules)
            self._rules.clear()
            return count

    def fire(self, provider: Provider, method: str, path: str) -> FaultRule | None:
        """The rule that answers this call, counting it; None when the call goes to the emulator untouched.

        A rule whose count is used up stays listed (with ``remaining`` 0) until removed or cleared.
        """
        with self._lock:
            for rule in self._rules:
                if not rule.matches(provider, method, path):
                    continue
                rule.matched += 1
                if rule.remaining == 0:
                    continue
                if rule.spec.probability is not None and rule._rng.random() >= rule.spec.probability:
                    continue
                rule.fired += 1
                return replace(rule)
        return None
