"""How the Salesforce contact store reaches Salesforce: through a :class:`SalesforceCaller` (the rep's client), with
one kind of call, a paged composite request (``allOrNone`` false), retried per the store's policy.

A read is retried whenever the policy allows. A write that may have created records is not: when its answer is lost
(:class:`LostResponse`), the records' markers tell later whether it reached Salesforce.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from app.connectors.errors import VendorUnavailable
from app.connectors.retry import RetryPolicy, with_retries
from app.connectors.salesforce.client import NextBatchOf, SalesforceClient, Subrequest, SubResult

T = TypeVar("T")


class SalesforceCaller(Protocol):
    """Runs an operation with the rep's Salesforce client (:class:`app.services.salesforce_access.RepSalesforce`)."""

    def call(self, operation: Callable[[SalesforceClient], T]) -> T:
        """Run ``operation`` (refreshing the token once when Salesforce says it expired)."""
        ...


class LostResponse(Exception):
    """A create's call may or may not have reached Salesforce: never retried."""

    def __init__(self, error: VendorUnavailable) -> None:
        super().__init__(error.message)
        self.error = error


def read(
    caller: SalesforceCaller, retry: RetryPolicy, subrequests: Sequence[Subrequest | NextBatchOf]
) -> dict[str, SubResult]:
    """One composite call that writes nothing; the subrequests' results."""

    def operation(client: SalesforceClient) -> dict[str, SubResult]:
        return client.composite_paged(subrequests, all_or_none=False)

    return with_retries(lambda: caller.call(operation), retry)


def send(
    caller: SalesforceCaller, retry: RetryPolicy, subrequests: Sequence[Subrequest], *, lost_is_unknown: bool
) -> dict[str, SubResult]:
    """One composite call that writes; the subrequests' results. With ``lost_is_unknown``, an answer that did not
    come back raises :class:`LostResponse` instead of being retried."""

    def operation(client: SalesforceClient) -> dict[str, SubResult]:
        return client.composite_paged(subrequests, all_or_none=False)

    def once() -> dict[str, SubResult]:
        try:
            return caller.call(operation)
        except VendorUnavailable as error:
            if lost_is_unknown:
                raise LostResponse(error) from error
            raise

    return with_retries(once, retry)
