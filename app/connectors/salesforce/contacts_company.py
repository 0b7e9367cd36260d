"""The Company rule, pure: how company names compare, the Account queries a batch of companies needs, and which
Account each company gets from their results (an exact name match, else a unique Account whose name contains it).

Nothing here does I/O; the contact store's writer runs the queries
(:mod:`app.connectors.salesforce.contacts_writer`). Values go into SOQL through
:mod:`app.connectors.salesforce.mapping`'s escaping.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from app.connectors.salesforce.mapping import AccountRef, soql_like_contains, soql_string_list

#: Rows of one containing-name query; a full page may hide further matches.
CONTAINING_LIMIT = 2000
#: Characters of quoted company names per lookup query (keeps subrequest URLs well under Salesforce's limits).
_COMPANY_CHUNK_CHARACTERS = 3000


def company_key(company: str) -> str:
    """How company names compare (SOQL compares text case-insensitively)."""
    return " ".join(company.split()).casefold()


def company_chunks(companies: Iterable[str]) -> Iterator[list[str]]:
    """Companies in groups small enough for one lookup query each."""
    chunk: list[str] = []
    size = 0
    for company in companies:
        if chunk and size + len(company) > _COMPANY_CHUNK_CHARACTERS:
            yield chunk
            chunk, size = [], 0
        chunk.append(company)
        size += len(company) + 8
    if chunk:
        yield chunk


def accounts_named_any_query(companies: Sequence[str]) -> str:
    """Accounts whose name equals one of ``companies``, earliest created first."""
    return f"SELECT Id, Name FROM Account WHERE Name IN {soql_string_list(companies)} ORDER BY CreatedDate, Id"


def accounts_containing_any_query(companies: Sequence[str]) -> str:
    """Accounts whose name contains one of ``companies``, earliest created first, at most one page."""
    likes = " OR ".join(f"Name LIKE {soql_like_contains(company)}" for company in companies)
    return f"SELECT Id, Name FROM Account WHERE {likes} ORDER BY CreatedDate, Id LIMIT {CONTAINING_LIMIT}"


@dataclass(frozen=True)
class AccountChoice:
    """The Company rule's answer for a batch: the Account per company key (None: no Account), and the companies
    whose containing-name matches a full page may have hidden (to be looked up one by one)."""

    accounts: Mapping[str, AccountRef | None]
    unsure: frozenset[str]


def choose_accounts(
    companies: Iterable[str], named: Sequence[Mapping[str, Any]], containing: Sequence[Mapping[str, Any]]
) -> AccountChoice:
    """The Company rule over batch query results (rows sorted by creation): an exact name match wins (several:
    the earliest created); otherwise a unique Account whose name contains the company; otherwise none."""
    full_page = len(containing) >= CONTAINING_LIMIT
    accounts: dict[str, AccountRef | None] = {}
    unsure: set[str] = set()
    for company in companies:
        key = company_key(company)
        exact = next((row for row in named if company_key(str(row.get("Name") or "")) == key), None)
        if exact is not None:
            accounts[key] = AccountRef(str(exact["Id"]), str(exact.get("Name") or ""))
            continue
        hits = [row for row in containing if key in company_key(str(row.get("Name") or ""))]
        if len(hits) < 2 and full_page:
            unsure.add(company)
        accounts[key] = AccountRef(str(hits[0]["Id"]), str(hits[0].get("Name") or "")) if len(hits) == 1 else None
    return AccountChoice(MappingProxyType(accounts), frozenset(unsure))
