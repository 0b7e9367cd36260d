"""Paged composite reads for the Salesforce contact store: :class:`PagedQuery` is one logical query, read batch by
batch; :class:`QueryRunner` reads a set of them to the end in as few composite calls as the five-query limit allows.

A call holds up to five query subrequests of 2,000 rows, the later ones paging on through the earlier ones' results
by reference (``@{ref.nextRecordsUrl}``): every query still reading gets one, and the spare ones go to whichever has
the most batches left. Other subrequests (the describes) can ride in the first call.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.connectors.errors import VendorUnavailable
from app.connectors.retry import RetryPolicy
from app.connectors.salesforce.client import (
    MAX_QUERY_SUBREQUESTS,
    NextBatchOf,
    Subrequest,
    SubResult,
    error_for,
)
from app.connectors.salesforce.contacts_calls import SalesforceCaller, read
from app.connectors.salesforce.mapping import query_records

#: Rows per query batch (Salesforce's default and maximum).
BATCH_ROWS = 2000


@dataclass
class PagedQuery:
    """One logical query, read batch by batch over as many composite calls as it takes."""

    key: str
    soql: str
    all_rows: bool = False
    #: Whether the query may run to many batches (it gets the spare subrequests before its size is known).
    large: bool = False
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None
    next_url: str | None = None
    started: bool = False

    @property
    def done(self) -> bool:
        return self.started and self.next_url is None

    def batches_left(self) -> int | None:
        """Batches still to read (None before the first one says how many rows there are)."""
        if not self.started:
            return None
        if self.next_url is None:
            return 0
        return max(1, math.ceil(((self.total or 0) - len(self.rows)) / BATCH_ROWS))

    def first_subrequest(self, reference_id: str) -> Subrequest:
        if self.next_url is not None:
            return Subrequest.next_batch(reference_id, self.next_url)
        if self.all_rows:
            return Subrequest.query_all(reference_id, self.soql)
        return Subrequest.query(reference_id, self.soql)

    def absorb(self, results: Mapping[str, SubResult], references: Sequence[str]) -> None:
        """Take in the batches a call returned; a chained batch after the last one failed on purpose."""
        for index, reference in enumerate(references):
            if index > 0 and self.next_url is None:
                return
            result = results[reference]
            if not result.ok:
                raise error_for(result.status, result.body)
            body = result.body if isinstance(result.body, Mapping) else {}
            self.rows.extend(query_records(body))
            self.total = int(body.get("totalSize") or 0)
            next_url = body.get("nextRecordsUrl")
            self.next_url = str(next_url) if next_url and not body.get("done", True) else None
            self.started = True
            if self.next_url is not None:
                try:
                    Subrequest.next_batch(reference, self.next_url)
                except ValueError:
                    raise VendorUnavailable(
                        "salesforce", "Salesforce answered a query with an odd nextRecordsUrl"
                    ) from None


class QueryRunner:
    """Reads :class:`PagedQuery` sets with the rep's client."""

    def __init__(self, caller: SalesforceCaller, retry: RetryPolicy) -> None:
        self._caller = caller
        self._retry = retry

    def run(self, queries: Sequence[PagedQuery], extras: Sequence[Subrequest]) -> dict[str, SubResult]:
        """Read ``queries`` to the end in as few composite calls as the five-query limit allows, ``extras`` riding
        in the first call; their results."""
        pending = list(extras)
        extra_results: dict[str, SubResult] = {}
        calls = 0
        while pending or any(not query.done for query in queries):
            active = [query for query in queries if not query.done][:MAX_QUERY_SUBREQUESTS]
            slots = _slots(active)
            subrequests: list[Subrequest | NextBatchOf] = list(pending)
            references: list[tuple[PagedQuery, list[str]]] = []
            for query, count in zip(active, slots, strict=True):
                refs = [f"{query.key}_{calls}_{n}" for n in range(count)]
                subrequests.append(query.first_subrequest(refs[0]))
                subrequests.extend(NextBatchOf(ref, before) for before, ref in itertools.pairwise(refs))
                references.append((query, refs))
            results = read(self._caller, self._retry, subrequests)
            for extra in pending:
                extra_results[extra.reference_id] = results[extra.reference_id]
            pending = []
            for query, refs in references:
                query.absorb(results, refs)
            calls += 1
        return extra_results


def _slots(active: Sequence[PagedQuery]) -> list[int]:
    """Query subrequests per active query: one each, the spare ones to whichever has the most batches left
    (before anything is known, to the first query not started yet: listings put their biggest first)."""
    slots = [1] * len(active)
    unknown = next((index for index, query in enumerate(active) if query.large and not query.started), None)
    for _spare in range(MAX_QUERY_SUBREQUESTS - len(active)):
        needs = []
        for index, query in enumerate(active):
            left = query.batches_left()
            need = (MAX_QUERY_SUBREQUESTS if index == unknown else 0) if left is None else left
            needs.append(need - slots[index])
        best = max(range(len(active)), key=lambda index: needs[index], default=None)
        if best is None or needs[best] <= 0:
            break
        slots[best] += 1
    return slots
