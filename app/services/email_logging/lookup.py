"""Who an email's people are in Salesforce, in one Salesforce call.

One composite request carries up to five queries: Contacts and Leads by every address of the email (SOQL
compares text case-insensitively), the open Opportunities and open Cases of those Contacts' Accounts (semi-joins
on the same addresses, so no second round trip), and the EmailMessage already logged for the internet message
id. When the org's profile is not cached yet, its describes ride along in the same call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from app.connectors.salesforce.client import Subrequest, SubResult, raise_for_result
from app.connectors.salesforce.mapping import (
    OrgProfile,
    PersonRecord,
    Role,
    case_records,
    contacts_by_email_query,
    leads_by_email_query,
    logged_email_query,
    normalise_address,
    open_cases_query,
    open_opportunities_query,
    opportunity_records,
    person_records,
    query_records,
    visible_task_query,
)
from app.models import LoggedEmail
from app.services.email_logging.context import DESCRIBE_SUBREQUESTS, LoggingContext, profile_from_results
from app.services.email_logging.schemas import (
    MAX_ADDRESSES,
    AccountMatch,
    CaseLink,
    EmailHeaders,
    EmailPerson,
    LoggedState,
    LookupResult,
    Mailbox,
    OpportunityLink,
    PersonMatch,
)

CONTACTS, LEADS, OPPORTUNITIES, CASES, LOGGED, LOGGED_TASK = (
    "contacts",
    "leads",
    "opportunities",
    "cases",
    "loggedEmail",
    "loggedTask",
)


@dataclass
class _Entry:
    name: str | None
    roles: list[Role]


def email_people(headers: EmailHeaders, rep_address: str) -> dict[str, _Entry]:
    """The email's addresses (normalised, in from/to/cc order, the rep's own left out) with names and roles."""
    people: dict[str, _Entry] = {}
    listed: list[tuple[Role, Mailbox]] = [("from", headers.sender)] if headers.sender else []
    listed += [("to", item) for item in headers.to] + [("cc", item) for item in headers.cc]
    for role, mailbox in listed:
        address = normalise_address(mailbox.address)
        if address is None or address == rep_address:
            continue
        entry = people.setdefault(address, _Entry(mailbox.name, []))
        if role not in entry.roles:
            entry.roles.append(role)
        entry.name = entry.name or mailbox.name
    return people


def lookup(ctx: LoggingContext, headers: EmailHeaders) -> LookupResult:
    """The Contacts and Leads behind the email's addresses, their Accounts' open Opportunities and Cases, who is
    unknown, and where the email was logged; one Salesforce call at most."""
    people = email_people(headers, ctx.rep_address)
    addresses = list(people)[:MAX_ADDRESSES]
    profile = ctx.cached_profile()
    logged_rows = _logged_rows(ctx, headers.internet_message_id)
    task_row = next((row for row in logged_rows if row.salesforce_object == "Task"), None)
    ctx.checkpoint()

    subrequests: list[Subrequest] = [] if profile else list(DESCRIBE_SUBREQUESTS)
    if addresses:
        subrequests += [
            Subrequest.query(CONTACTS, contacts_by_email_query(addresses)),
            Subrequest.query(LEADS, leads_by_email_query(addresses)),
            Subrequest.query(OPPORTUNITIES, open_opportunities_query(addresses)),
            Subrequest.query(CASES, open_cases_query(addresses)),
        ]
    if headers.internet_message_id and (profile is None or profile.enhanced_email):
        subrequests.append(Subrequest.query(LOGGED, logged_email_query(headers.internet_message_id)))
    elif task_row is not None:
        subrequests.append(Subrequest.query(LOGGED_TASK, visible_task_query(task_row.salesforce_id)))

    results: Mapping[str, SubResult] = (
        ctx.salesforce.call(lambda client: client.composite(subrequests, all_or_none=False)) if subrequests else {}
    )
    if profile is None:
        profile = profile_from_results(results)
        ctx.remember_profile(profile)
    for reference in (CONTACTS, LEADS, OPPORTUNITIES, CASES):
        if reference in results:
            raise_for_result(results[reference])

    matches = person_records(_records(results, CONTACTS), _records(results, LEADS))
    by_address: dict[str, list[PersonRecord]] = {}
    for person in matches:
        by_address.setdefault(person.email.lower(), []).append(person)
    return LookupResult(
        enhanced_email=profile.enhanced_email,
        people=[
            EmailPerson(
                address=address,
                name=people[address].name,
                roles=people[address].roles,
                matches=[_person_match(ctx, person) for person in by_address.get(address, [])],
            )
            for address in addresses
        ],
        unknown=[address for address in addresses if address not in by_address],
        accounts=_accounts(ctx, matches, results),
        logged=_logged_state(ctx, profile, headers.internet_message_id, logged_rows, results),
        truncated=len(people) > len(addresses),
    )


def _records(results: Mapping[str, SubResult], reference: str) -> list[dict[str, object]]:
    result = results.get(reference)
    return query_records(result.body) if result is not None and result.ok else []


def _person_match(ctx: LoggingContext, person: PersonRecord) -> PersonMatch:
    link = ctx.link(person.object, person.id, person.name)
    account = ctx.link("Account", person.account.id, person.account.name) if person.account else None
    return PersonMatch(
        object=link.object,
        id=link.id,
        name=link.name,
        url=link.url,
        email=person.email,
        title=person.title,
        account=account,
        company=person.company,
    )


def _accounts(
    ctx: LoggingContext, people: Sequence[PersonRecord], results: Mapping[str, SubResult]
) -> list[AccountMatch]:
    accounts: dict[str, AccountMatch] = {}
    for person in people:
        if person.account and person.account.id not in accounts:
            link = ctx.link("Account", person.account.id, person.account.name)
            accounts[person.account.id] = AccountMatch(**link.model_dump(), opportunities=[], cases=[])
    for opportunity in opportunity_records(_records(results, OPPORTUNITIES)):
        if opportunity.account_id in accounts:
            link = ctx.link("Opportunity", opportunity.id, opportunity.name)
            accounts[opportunity.account_id].opportunities.append(
                OpportunityLink(**link.model_dump(), stage=opportunity.stage, close_date=opportunity.close_date)
            )
    for case in case_records(_records(results, CASES)):
        if case.account_id in accounts:
            link = ctx.link("Case", case.id, case.subject or case.number)
            accounts[case.account_id].cases.append(
                CaseLink(**link.model_dump(), number=case.number, status=case.status)
            )
    return list(accounts.values())


def _logged_rows(ctx: LoggingContext, internet_message_id: str | None) -> list[LoggedEmail]:
    if not internet_message_id:
        return []
    statement = (
        select(LoggedEmail)
        .where(col(LoggedEmail.internet_message_id) == internet_message_id)
        .order_by(col(LoggedEmail.created_at), col(LoggedEmail.id))
    )
    return list(ctx.db.exec(statement))


def _logged_state(
    ctx: LoggingContext,
    profile: OrgProfile,
    internet_message_id: str | None,
    rows: Sequence[LoggedEmail],
    results: Mapping[str, SubResult],
) -> LoggedState | None:
    if not internet_message_id:
        return None
    if profile.enhanced_email:
        return _logged_email_message(ctx, rows, results)
    return _logged_task(ctx, rows, results)


def _logged_email_message(
    ctx: LoggingContext, rows: Sequence[LoggedEmail], results: Mapping[str, SubResult]
) -> LoggedState | None:
    found = _records(results, LOGGED)
    if found:
        email = found[0]
        mine = any(row.user_id == ctx.user_id for row in rows)
        by_you = mine or email.get("CreatedById") == ctx.salesforce.salesforce_user_id
        record = ctx.link("EmailMessage", str(email["Id"]), str(email.get("Subject") or "") or None)
        related = email.get("RelatedToId")
        return LoggedState(record=record, by_you=by_you, visible=True, related_to_id=str(related) if related else None)
    if any(row.user_id != ctx.user_id and row.salesforce_object == "EmailMessage" for row in rows):
        # Logged by a colleague to an EmailMessage this rep may not see (sharing), or that was deleted since.
        return LoggedState(record=None, by_you=False, visible=False)
    return None


def _logged_task(
    ctx: LoggingContext, rows: Sequence[LoggedEmail], results: Mapping[str, SubResult]
) -> LoggedState | None:
    task_rows = [row for row in rows if row.salesforce_object == "Task"]
    if not task_rows:
        return None
    mine = any(row.user_id == ctx.user_id for row in task_rows)
    # With a cold org profile the Task could not be checked in the same call; it is shown as logged.
    visible = bool(_records(results, LOGGED_TASK)) if LOGGED_TASK in results else True
    if not visible and mine:
        return None  # the rep's own Task is gone: they may log again
    row = task_rows[0]
    record = ctx.link("Task", row.salesforce_id, row.subject) if visible else None
    return LoggedState(record=record, by_you=mine, visible=visible, related_to_id=row.related_to_id)
