"""Adding the people Salesforce does not know yet, and finding records to relate an email to.

The Company rule picks a new Contact's Account: an Account whose name equals the company (ignoring case, as
SOQL's ``=`` does) wins, the earliest created when there are several; otherwise the one Account whose name
contains the company, when exactly one does; otherwise none. Both queries travel in one composite call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from app.connectors.salesforce.client import Subrequest, SubResult, raise_for_result
from app.connectors.salesforce.mapping import (
    AccountRef,
    accounts_containing_query,
    accounts_named_query,
    choose_account,
    person_fields,
    query_records,
    related_records_search,
)
from app.errors import InvalidInput
from app.services.email_logging.context import LoggingContext
from app.services.email_logging.schemas import (
    AccountChoice,
    CaseLink,
    CreatedPerson,
    NewPerson,
    OpportunityLink,
    PersonMatch,
    RelatedRecords,
)

EXACT, CONTAINING = "exactAccount", "containingAccount"
#: Shortest text searched (SOSL needs two characters).
MIN_SEARCH_LENGTH = 2

Rule = Literal["exact", "unique_substring", "none"]


def _company(text: str | None) -> str:
    return " ".join((text or "").split())


def match_account(ctx: LoggingContext, company: str) -> AccountChoice:
    """The Account the Company rule picks for ``company`` (one Salesforce call)."""
    ctx.checkpoint()
    cleaned = _company(company)
    if not cleaned:
        return AccountChoice(company="", account=None, rule="none")
    account, rule = _choose(ctx, cleaned)
    link = ctx.link("Account", account.id, account.name) if account else None
    return AccountChoice(company=cleaned, account=link, rule=rule)


def _choose(ctx: LoggingContext, company: str) -> tuple[AccountRef | None, Rule]:
    subrequests = [
        Subrequest.query(EXACT, accounts_named_query(company)),
        Subrequest.query(CONTAINING, accounts_containing_query(company)),
    ]
    results: Mapping[str, SubResult] = ctx.salesforce.call(
        lambda client: client.composite(subrequests, all_or_none=False)
    )
    for result in results.values():
        raise_for_result(result)
    exact, containing = query_records(results[EXACT].body), query_records(results[CONTAINING].body)
    account = choose_account(exact, containing)
    if account is None:
        return None, "none"
    return account, "exact" if exact else "unique_substring"


def create_person(ctx: LoggingContext, person: NewPerson) -> CreatedPerson:
    """Create a Contact (its Account by the Company rule) or a Lead (with its Company) for an unknown address."""
    ctx.checkpoint()
    company = _company(person.company)
    account: AccountRef | None = None
    rule: Literal["exact", "unique_substring", "none", "not_applicable"] = "not_applicable"
    if person.kind == "contact":
        account, rule = _choose(ctx, company) if company else (None, "none")
    elif not company:
        raise InvalidInput("A Lead needs a company: type the company this person works for.")
    sobject: Literal["Contact", "Lead"] = "Contact" if person.kind == "contact" else "Lead"
    fields = person_fields(
        sobject,
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        account_id=account.id if account else None,
        company=company or None,
    )
    record_id = ctx.salesforce.call(lambda client: client.create(sobject, fields))
    name = " ".join(part for part in (person.first_name, person.last_name) if part)
    link = ctx.link(sobject, record_id, name)
    return CreatedPerson(
        person=PersonMatch(
            **link.model_dump(),
            email=person.email,
            account=ctx.link("Account", account.id, account.name) if account else None,
            company=company if sobject == "Lead" else None,
        ),
        account_rule=rule,
    )


def search_related(ctx: LoggingContext, text: str) -> RelatedRecords:
    """Accounts, open Opportunities and open Cases whose name (or a Case's subject) matches ``text``."""
    ctx.checkpoint()
    cleaned = " ".join(text.split())
    if len(cleaned) < MIN_SEARCH_LENGTH:
        raise InvalidInput(f"Type at least {MIN_SEARCH_LENGTH} characters to search.")
    rows = ctx.salesforce.call(lambda client: client.search(related_records_search(cleaned)))
    found = RelatedRecords(accounts=[], opportunities=[], cases=[])
    for row in rows:
        kind = str((row.get("attributes") or {}).get("type") or "")
        record_id = str(row.get("Id") or "")
        if kind == "Account":
            found.accounts.append(ctx.link("Account", record_id, str(row.get("Name") or "")))
        elif kind == "Opportunity":
            link = ctx.link("Opportunity", record_id, str(row.get("Name") or ""))
            found.opportunities.append(OpportunityLink(**link.model_dump(), stage=row.get("StageName")))
        elif kind == "Case":
            number = row.get("CaseNumber")
            link = ctx.link("Case", record_id, str(row.get("Subject") or number or ""))
            found.cases.append(
                CaseLink(**link.model_dump(), number=str(number) if number else None, status=row.get("Status"))
            )
    return found
