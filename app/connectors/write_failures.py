"""Which failure kind of the sync engine a vendor error of :mod:`app.connectors.errors` stands for, in a write.

Every connector classifies the shared error tree the same way: throttling past the retries is THROTTLED, an
unreachable or failing vendor TRANSIENT, refused data INVALID, and the connector's own "may have been applied"
error UNKNOWN_OUTCOME. What differs is passed in: that error's class, and the rules a connector checks first (a
Calendar precondition failure, an item that is gone). An error no rule names is left to the caller: it may fail the
whole call (a revoked grant) or stand for a kind of the connector's choosing.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.connectors.errors import InvalidData, Throttled, VendorError, VendorUnavailable
from app.sync.stores import FailureKind

#: One classification rule: the vendor errors of this class (subclasses included) are failures of this kind.
Rule = tuple[type[VendorError], FailureKind]

#: The rules every connector shares, after its "may have been applied" error.
_SHARED_RULES: tuple[Rule, ...] = (
    (Throttled, FailureKind.THROTTLED),
    (VendorUnavailable, FailureKind.TRANSIENT),
    (InvalidData, FailureKind.INVALID),
)


def failure_kind(
    error: VendorError, *, outcome_unknown: type[VendorError], first: Sequence[Rule] = ()
) -> FailureKind | None:
    """The failure kind ``error`` stands for; None when no rule names it.

    ``outcome_unknown`` is the connector's error for a write that may have been applied; ``first`` are the
    connector's own rules, checked before the shared ones (the first that matches wins).
    """
    for kind_of_error, kind in (*first, (outcome_unknown, FailureKind.UNKNOWN_OUTCOME), *_SHARED_RULES):
        if isinstance(error, kind_of_error):
            return kind
    return None
