"""How the Google stores report failures: a whole call's as a :class:`StoreError`, one item's write as the
engine's failure kind (:func:`app.connectors.write_failures.failure_kind`) in Google's words."""

from __future__ import annotations

from app.connectors.errors import AuthRevoked, LimitExceeded, NotFound, VendorError
from app.connectors.google.client import OutcomeUnknown, PreconditionFailed
from app.connectors.write_failures import Rule, failure_kind
from app.sync.stores import FailureKind, StoreError, WriteFailure

#: Google's rules before the shared ones: a Calendar 412 is a precondition failure (not refused data).
_RULES: tuple[Rule, ...] = (
    (PreconditionFailed, FailureKind.PRECONDITION),
    (NotFound, FailureKind.NOT_FOUND),
)

#: What an item's failure message says before Google's message, by kind (nothing for the kinds not named).
_OPENINGS = {
    FailureKind.PRECONDITION: "Changed since it was read: ",
    FailureKind.INVALID: "Google refused it: ",
}


def store_error(error: VendorError) -> StoreError:
    """A whole store call's failure."""
    return StoreError(f"{type(error).__name__}: {error}")


def failure_of(error: VendorError) -> WriteFailure:
    """One item's failed write, as the engine classifies it; raises for a failure of the whole grant (revoked, or
    a quota spent)."""
    if isinstance(error, AuthRevoked | LimitExceeded):
        raise store_error(error)
    kind = failure_kind(error, outcome_unknown=OutcomeUnknown, first=_RULES)
    if kind is None:
        return WriteFailure(FailureKind.TRANSIENT, f"{type(error).__name__}: {error.message}")
    return WriteFailure(kind, f"{_OPENINGS.get(kind, '')}{error.message}")
