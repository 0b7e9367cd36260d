"""Creating, updating and deleting contacts for the Salesforce contact store: the records a batch sends, and the
results the engine gets back.

A create is owned by the rep, carries the marker in Description (when the rep may write it) and gets its Account by
the Company rule; an update sets every mapped field and finds the Account again only when the company changed. The
Account lookups of a batch (with the rows of contacts the pass has not read) take one call before the batch is sent
(:mod:`app.connectors.salesforce.contacts_company` has the rule itself). A create a duplicate rule refused is linked
to the record it matched, when that record is in scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from app.connectors import contact_fields as cf
from app.connectors.salesforce.contacts_collections import CollectionWriter, chunks
from app.connectors.salesforce.contacts_company import (
    accounts_containing_any_query,
    accounts_named_any_query,
    choose_accounts,
    company_chunks,
    company_key,
)
from app.connectors.salesforce.contacts_errors import DuplicateFailure, as_store_errors
from app.connectors.salesforce.contacts_mapping import Prepared, prepare, row_key, select_list, stored_if_different
from app.connectors.salesforce.contacts_metadata import ContactMetadata
from app.connectors.salesforce.contacts_paging import PagedQuery, QueryRunner
from app.connectors.salesforce.contacts_reader import ContactReader
from app.connectors.salesforce.contacts_soql import IDS_PER_QUERY, contact_soql, ids_condition
from app.connectors.salesforce.mapping import (
    AccountRef,
    accounts_containing_query,
    accounts_named_query,
    choose_account,
    is_salesforce_id,
)
from app.sync.items import Fields, Item
from app.sync.stores import Create, Delete, FailureKind, Update, WriteFailure, WriteResult, Written


@dataclass(frozen=True)
class _CompanyLookup:
    accounts: Mapping[str, AccountRef | None]
    rows: Mapping[str, dict[str, Any]]


class ContactWriter:
    """Writes the rep's contacts; ``reader`` tells what the pass read (and forgets what is written)."""

    def __init__(
        self,
        reader: ContactReader,
        runner: QueryRunner,
        metadata: ContactMetadata,
        collections: CollectionWriter,
        *,
        user_id: str,
    ) -> None:
        self._reader = reader
        self._runner = runner
        self._metadata = metadata
        self._collections = collections
        self._user_id = user_id

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`."""
        if not creates:
            return []
        self._collections.check_limit()
        with as_store_errors("preparing contacts"):
            lookup = self._lookup([c.fields.get(cf.COMPANY) for c in creates], [])
        lengths = self._metadata.lengths()
        slots: list[WriteResult | None] = []
        payloads: list[dict[str, Any]] = []
        stored: list[Fields | None] = []
        for create in creates:
            prepared = prepare(create.fields, lengths)
            if isinstance(prepared, WriteFailure):
                slots.append(prepared)
                continue
            record: dict[str, Any] = {"attributes": {"type": "Contact"}}
            record.update({name: value for name, value in prepared.values.items() if value is not None})
            record["OwnerId"] = self._user_id
            describe = self._metadata.describe
            if describe is not None and describe.marker_writable:
                record["Description"] = create.marker
            account = lookup.accounts.get(company_key(prepared.company)) if prepared.company else None
            if account is not None:
                record["AccountId"] = account.id
            slots.append(None)
            payloads.append(record)
            stored.append(stored_if_different(create.fields, prepared.written, account.name if account else None))
        answers = iter(self._collections.write("POST", "composite/sobjects", payloads))
        kept = iter(stored)
        results: list[WriteResult] = []
        for slot in slots:
            if slot is not None:
                results.append(slot)
                continue
            answer, written = next(answers), next(kept)
            if isinstance(answer, WriteFailure):
                results.append(answer)
            else:
                results.append(Written(str(answer["id"]), "", written))
        return self._link_duplicates(results)

    def _link_duplicates(self, results: list[WriteResult]) -> list[WriteResult]:
        """A create a duplicate rule refused is linked to the record it matched, when that record is in scope:
        the existing contact stands for the new one (as it holds), instead of failing on every pass."""
        matches = sorted({m for r in results if isinstance(r, DuplicateFailure) for m in r.matches})
        if not matches:
            return results
        with as_store_errors("reading the records duplicate rules matched"):
            found = self._reader.get_many(matches)
        linked: list[WriteResult] = []
        for result in results:
            match = None
            if isinstance(result, DuplicateFailure):
                match = next((found[m] for m in result.matches if isinstance(found.get(m), Item)), None)
            if isinstance(match, Item):
                linked.append(Written(match.id, match.etag, match.fields))
            else:
                linked.append(result)
        return linked

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many`."""
        if not updates:
            return []
        self._collections.check_limit()
        resolve: list[str | None] = []
        unknown: list[str] = []
        for update in updates:
            company = _single(update.fields.get(cf.COMPANY))
            row = self._reader.row(update.id)
            if company and (row is None or company_key(_account_name(row) or "") != company_key(company)):
                resolve.append(company)
                if row is None and is_salesforce_id(update.id):
                    unknown.append(update.id)
        with as_store_errors("preparing contacts"):
            lookup = self._lookup(resolve, unknown)
        lengths = self._metadata.lengths()
        slots: list[WriteResult | None] = []
        payloads: list[dict[str, Any]] = []
        stored: list[Fields | None] = []
        for update in updates:
            row = self._reader.row(update.id) or lookup.rows.get(row_key(update.id))
            prepared = prepare(update.fields, lengths, current_phone=_single(row.get("Phone")) if row else None)
            if isinstance(prepared, WriteFailure):
                slots.append(prepared)
                continue
            if not is_salesforce_id(update.id):
                slots.append(WriteFailure(FailureKind.NOT_FOUND, f"{update.id!r} is not a Salesforce id"))
                continue
            record: dict[str, Any] = {"attributes": {"type": "Contact"}, "id": update.id, **prepared.values}
            company = _account_for_update(record, prepared, row, lookup)
            slots.append(None)
            payloads.append(record)
            stored.append(stored_if_different(update.fields, prepared.written, company))
        answers = iter(self._collections.write("PATCH", "composite/sobjects", payloads))
        kept = iter(stored)
        results: list[WriteResult] = []
        for update, slot in zip(updates, slots, strict=True):
            self._reader.forget(update.id)
            if slot is not None:
                results.append(slot)
                continue
            answer, written = next(answers), next(kept)
            results.append(answer if isinstance(answer, WriteFailure) else Written(update.id, "", written))
        return results

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many`."""
        if not deletes:
            return []
        self._collections.check_limit()
        return self._collections.delete(deletes, forget=self._reader.forget)

    # -- the Company rule -------------------------------------------------------------------------------------

    def _lookup(self, companies: Sequence[object], unknown_ids: Sequence[str]) -> _CompanyLookup:
        """Accounts for ``companies`` by the Company rule, and the current rows of ``unknown_ids``, in one call
        (with the describe when it is not known yet); contacts' companies that a full page may have hidden are
        looked up one by one afterwards."""
        metadata = self._metadata
        names = list({company_key(name): name for name in map(_single, companies) if name}.values())
        company_groups = list(company_chunks(names))
        queries: list[PagedQuery] = []
        for index, group in enumerate(company_groups):
            queries.append(PagedQuery(f"named{index}", accounts_named_any_query(group)))
            queries.append(PagedQuery(f"containing{index}", accounts_containing_any_query(group)))
        rows_queries = [
            PagedQuery(f"rows{index}", contact_soql(select_list(metadata.describe), [ids_condition(chunk)]))
            for index, chunk in enumerate(chunks(list(dict.fromkeys(unknown_ids)), IDS_PER_QUERY))
        ]
        extras = metadata.subrequests()[:1] if metadata.describe is None else []
        if queries or rows_queries or extras:
            metadata.take(self._runner.run([*queries, *rows_queries], extras), refreshed_view=False)
        accounts: dict[str, AccountRef | None] = {}
        unsure: list[str] = []
        for index, group in enumerate(company_groups):
            choice = choose_accounts(group, queries[2 * index].rows, queries[2 * index + 1].rows)
            accounts.update(choice.accounts)
            unsure.extend(choice.unsure)
        if unsure:
            accounts.update(self._lookup_one_by_one(unsure))
        rows = {row_key(str(row["Id"])): row for query in rows_queries for row in query.rows}
        return _CompanyLookup(MappingProxyType(accounts), MappingProxyType(rows))

    def _lookup_one_by_one(self, companies: Sequence[str]) -> dict[str, AccountRef | None]:
        queries: list[tuple[str, PagedQuery, PagedQuery]] = [
            (
                company,
                PagedQuery(f"named{index}", accounts_named_query(company)),
                PagedQuery(f"containing{index}", accounts_containing_query(company)),
            )
            for index, company in enumerate(companies)
        ]
        self._runner.run([query for _company, *pair in queries for query in pair], [])
        return {
            company_key(company): choose_account(named.rows, containing.rows) for company, named, containing in queries
        }


def _account_for_update(
    record: dict[str, Any],
    prepared: Prepared,
    row: Mapping[str, Any] | None,
    lookup: _CompanyLookup,
) -> str | None:
    """Set the record's AccountId per the Company rule; the company Salesforce then holds."""
    current = _account_name(row) if row is not None else None
    if not prepared.company:
        record["AccountId"] = None
        return None
    if current is not None and company_key(current) == company_key(prepared.company):
        return current
    account = lookup.accounts.get(company_key(prepared.company))
    if account is None:
        return current  # no match: the current Account stays
    record["AccountId"] = account.id
    return account.name


def _single(value: object) -> str | None:
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def _account_name(row: Mapping[str, Any]) -> str | None:
    account = row.get("Account")
    name = account.get("Name") if isinstance(account, Mapping) else None
    return name if isinstance(name, str) and name else None
