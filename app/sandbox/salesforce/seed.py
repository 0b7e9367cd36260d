"""Filling the org: profiles, users and list views always; the demo records, or N generated records per type.

The demo org is deterministic: the same ids, names and values on every start. Dates are fixed offsets from the
start of the current day (UTC), so meetings stay "this week" and ``updated`` windows stay meaningful. The demo
records go through the org's normal write path (so relations, series and files come out as Salesforce makes
them); generated records (``seed=N``) are written directly, for speed.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import Any

from app.sandbox.demo_people import DemoPerson, demo_companies, demo_people
from app.sandbox.directory import UserDirectory
from app.sandbox.salesforce.ids import LIST_VIEW_PREFIX
from app.sandbox.salesforce.listviews import LIST_VIEWS
from app.sandbox.salesforce.models import PROFILES, SalesforceOrg
from app.sandbox.salesforce.schema import OBJECTS, STAGE_PROPERTIES
from app.sandbox.salesforce.sharing import Caller
from app.sandbox.salesforce.values import format_date, format_datetime, wire_datetime_to_python
from app.sandbox.state import Seed

_ACCOUNT_TYPES = ("Customer - Direct", "Customer - Channel", "Prospect", "Technology Partner", "Customer - Direct")
_LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Working - Contacted", "Closed - Not Converted")
_LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
_STAGES = tuple(STAGE_PROPERTIES)
_PRODUCTS = ("Platform licences", "Support renewal", "Onboarding services", "Data migration", "Expansion seats")
_CASE_SUBJECTS = (
    "Cannot log in to the portal",
    "Invoice shows the wrong VAT rate",
    "Sync stopped after password change",
    "Request for a data export",
    "Calendar invitations arrive twice",
    "Question about the renewal terms",
)
_CASE_STATUSES = ("New", "Working", "Escalated", "Closed", "Closed")
_MEETINGS = (
    "Discovery call",
    "Quarterly business review",
    "Demo of the new release",
    "Contract negotiation",
    "Onboarding kick-off",
    "Lunch",
    "Pricing workshop",
)
_TASKS = (
    ("Call back about the proposal", "Call"),
    ("Send revised quote", "Task"),
    ("Email: follow-up on the demo", "Email"),
    ("Prepare the QBR deck", "Task"),
    ("Call: renewal check-in", "Call"),
    ("Email: contract draft", "Email"),
)
_TASK_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Completed")


def seed_org(org: SalesforceOrg, seed: Seed, directory: UserDirectory) -> None:
    """Profiles, the directory's Salesforce users, the list views, then records per ``seed``."""
    for name in PROFILES:
        org.create_profile(name)
    for view in LIST_VIEWS:
        org.list_view_ids[view.developer_name] = org.ids.next_id(LIST_VIEW_PREFIX)
    for person in directory:
        if person.salesforce_user:
            org.create_user_record(person)
    owners = _owners(org, directory)
    if not owners or seed == "empty":
        return
    anchor = datetime.combine(org.now().date(), time(0), UTC)
    if seed == "demo":
        DemoSeeder(org, owners, anchor).run()
    else:
        generate(org, int(seed), owners, anchor)


def _owners(org: SalesforceOrg, directory: UserDirectory) -> dict[str, Caller]:
    """Callers for the directory's Salesforce users, by address (the admin first)."""
    callers = {p.email: org.caller_for_email(p.email) for p in directory if p.salesforce_user}
    found = {email: caller for email, caller in callers.items() if caller is not None}
    return dict(sorted(found.items(), key=lambda item: not item[1].is_admin))


class DemoSeeder:
    """Writes the demo records through the org's write path, each at its own moment in the past."""

    def __init__(self, org: SalesforceOrg, owners: Mapping[str, Caller], anchor: datetime) -> None:
        self.org = org
        self.owners = owners
        self.anchor = anchor
        self.admin = next(iter(owners.values()))
        self.accounts: dict[str, str] = {}
        self.contacts: list[tuple[DemoPerson, str]] = []

    def owner_for(self, email: str) -> Caller:
        """The user who owns records of people ``email`` knows (the admin for people of non-Salesforce users)."""
        return self.owners.get(email, self.admin)

    def add(
        self,
        sobject: str,
        values: Mapping[str, Any],
        caller: Caller,
        created: datetime,
        modified: datetime | None = None,
    ) -> str:
        """Create a record as ``caller`` at ``created``, last modified at ``modified``."""
        with self.org.pinned_time(created):
            record_id = self.org.insert(OBJECTS[sobject], dict(values), caller, check_references=False)
        if modified is not None and modified > created:
            found = self.org.find(record_id)
            if found is not None:
                stamp = format_datetime(modified)
                self.org.store.put(sobject, {**found[1], "LastModifiedDate": stamp, "SystemModstamp": stamp})
        return record_id

    def run(self) -> None:
        """Every demo record."""
        self.seed_accounts()
        self.seed_people()
        self.seed_opportunities()
        self.seed_cases()
        self.seed_events()
        self.seed_tasks()
        self.seed_emails()

    def seed_accounts(self) -> None:
        """About fifty accounts from the demo companies."""
        owners = list(self.owners.values())
        for index, company in enumerate(demo_companies()):
            values: dict[str, Any] = {
                "Name": company.name,
                "Type": _ACCOUNT_TYPES[index % len(_ACCOUNT_TYPES)],
                "Industry": company.industry,
                "Phone": company.phone,
                "Website": f"https://www.{company.domain}",
                "BillingStreet": company.street,
                "BillingCity": company.city,
                "BillingPostalCode": company.postal_code,
                "BillingCountry": company.country,
                "ShippingCity": company.city,
                "ShippingCountry": company.country,
                "NumberOfEmployees": 40 + (index * 137) % 5000,
                "AnnualRevenue": float(1_000_000 + (index * 7_919_000) % 250_000_000),
                "Rating": ("Hot", "Warm", "Cold")[index % 3],
            }
            created = self.anchor - timedelta(days=420 - index * 5, hours=9)
            modified = self.anchor - timedelta(days=index % 45, hours=3)
            self.accounts[company.name] = self.add("Account", values, owners[index % len(owners)], created, modified)

    def seed_people(self) -> None:
        """The demo people: contacts of the accounts and leads at prospects."""
        for index, person in enumerate(demo_people()):
            owner = self.owner_for(person.known_by)
            created = self.anchor - timedelta(days=360 - index, hours=index % 9)
            modified = self.anchor - timedelta(days=index % 40, minutes=index)
            common = {
                "FirstName": person.first_name,
                "LastName": person.last_name,
                "Email": person.email,
                "Phone": person.phone,
                "MobilePhone": person.mobile,
                "Title": person.title,
                "LeadSource": _LEAD_SOURCES[index % len(_LEAD_SOURCES)],
            }
            if person.kind == "lead":
                lead: dict[str, Any] = {
                    **common,
                    "Company": person.company,
                    "City": person.city,
                    "Country": person.country,
                    "Status": _LEAD_STATUSES[index % len(_LEAD_STATUSES)],
                    "Rating": ("Hot", "Warm", "Cold")[index % 3],
                }
                self.add("Lead", lead, owner, created, modified)
                continue
            values: dict[str, Any] = {
                **common,
                "AccountId": self.accounts[person.company],
                "MailingCity": person.city,
                "MailingCountry": person.country,
                "Department": ("Sales", "Finance", "IT", "Operations", "Procurement")[index % 5],
            }
            self.contacts.append((person, self.add("Contact", values, owner, created, modified)))

    def seed_opportunities(self) -> None:
        """Forty opportunities, open and closed."""
        owners = list(self.owners.values())
        names = list(self.accounts)
        for index in range(40):
            account = names[(index * 3) % len(names)]
            stage = _STAGES[index % len(_STAGES)]
            closed = STAGE_PROPERTIES[stage][1]
            close_date = self.anchor.date() + timedelta(days=(-index * 4) if closed else 10 + index * 3)
            values: dict[str, Any] = {
                "Name": f"{account} — {_PRODUCTS[index % len(_PRODUCTS)]}",
                "AccountId": self.accounts[account],
                "StageName": stage,
                "CloseDate": format_date(close_date),
                "Amount": float(5_000 + (index * 12_345) % 240_000),
                "Type": "New Customer" if index % 3 else "Existing Customer - Upgrade",
                "LeadSource": _LEAD_SOURCES[index % len(_LEAD_SOURCES)],
            }
            created = self.anchor - timedelta(days=200 - index * 4)
            self.add(
                "Opportunity", values, owners[index % len(owners)], created, self.anchor - timedelta(days=index % 20)
            )

    def seed_cases(self) -> None:
        """Twenty-five cases, open and closed."""
        owners = list(self.owners.values())
        for index in range(25):
            person, contact_id = self.contacts[(index * 5) % len(self.contacts)]
            values: dict[str, Any] = {
                "Subject": _CASE_SUBJECTS[index % len(_CASE_SUBJECTS)],
                "ContactId": contact_id,
                "AccountId": self.accounts[person.company],
                "Status": _CASE_STATUSES[index % len(_CASE_STATUSES)],
                "Priority": ("High", "Medium", "Low")[index % 3],
                "Origin": ("Email", "Phone", "Web")[index % 3],
                "SuppliedEmail": person.email,
            }
            created = self.anchor - timedelta(days=90 - index * 3, hours=2)
            self.add("Case", values, owners[index % len(owners)], created, self.anchor - timedelta(days=index % 10))

    def seed_events(self) -> None:
        """Meetings for every user, a weekly series with an exception, an all-day and a private event."""
        for number, (email, caller) in enumerate(self.owners.items()):
            mine = [(p, cid) for p, cid in self.contacts if self.owner_for(p.known_by) == caller] or self.contacts
            for index in range(6):
                person, contact_id = mine[(index * 7 + number) % len(mine)]
                day = self.anchor.date() + timedelta(days=(index * 5 + number) % 21 - 7)
                start = datetime.combine(day, time(9 + (index + number) % 8), UTC)
                values: dict[str, Any] = {
                    "Subject": f"{_MEETINGS[(index + number) % len(_MEETINGS)]} with {person.first_name}",
                    "StartDateTime": format_datetime(start),
                    "DurationInMinutes": (30, 60, 45, 90)[index % 4],
                    "WhoId": contact_id,
                    "WhatId": self.accounts[person.company],
                    "Location": f"{person.city}" if index % 2 else "Microsoft Teams",
                    "ShowAs": "Busy",
                }
                self.add("Event", values, caller, self.anchor - timedelta(days=30 - index, hours=number))
            if email == "alex.morgan@example.com":
                self.seed_series(caller)
                self.add(
                    "Event",
                    {
                        "Subject": "Dentist",
                        "StartDateTime": format_datetime(
                            datetime.combine(self.anchor.date() + timedelta(days=2), time(16), UTC)
                        ),
                        "DurationInMinutes": 60,
                        "IsPrivate": True,
                        "ShowAs": "OutOfOffice",
                    },
                    caller,
                    self.anchor - timedelta(days=5),
                )
            if email == "priya.shah@example.com":
                self.add(
                    "Event",
                    {
                        "Subject": "Customer summit",
                        "IsAllDayEvent": True,
                        "ActivityDate": format_date(self.anchor.date() + timedelta(days=9)),
                        "DurationInMinutes": 2880,
                        "Location": "Lisboa",
                    },
                    caller,
                    self.anchor - timedelta(days=12),
                )
            if email == "zoe.lefevre@example.com":
                self.seed_invitations(caller)

    def seed_series(self, caller: Caller) -> None:
        """Alex's weekly pipeline review: eight Mondays at 09:00 London time, the fourth moved to 10:00."""
        monday = self.anchor.date() - timedelta(days=self.anchor.weekday() + 14)
        start = datetime.combine(monday, time(9), UTC)
        values: dict[str, Any] = {
            "Subject": "Weekly pipeline review",
            "StartDateTime": format_datetime(start),
            "DurationInMinutes": 45,
            "IsRecurrence2": True,
            "Recurrence2PatternText": "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;COUNT=8",
            "Recurrence2PatternTimeZone": "Europe/London",
            "Location": "Boardroom",
        }
        first = self.add("Event", values, caller, self.anchor - timedelta(days=20))
        occurrences = sorted(
            (row for row in self.org.rows("Event") if self.org.store.side("series").get(row["Id"]) == first),
            key=lambda row: row["StartDateTime"],
        )
        moved = occurrences[3]
        moved_start = wire_datetime_to_python(moved["StartDateTime"]) + timedelta(hours=1)
        with self.org.pinned_time(self.anchor - timedelta(days=3)):
            self.org.apply_update(
                OBJECTS["Event"], moved, {"StartDateTime": format_datetime(moved_start)}, caller, check_references=False
            )

    def seed_invitations(self, caller: Caller) -> None:
        """Zoë's workshop with three contacts and a colleague invited."""
        start = datetime.combine(self.anchor.date() + timedelta(days=4), time(13), UTC)
        created = self.anchor - timedelta(days=6)
        event_id = self.add(
            "Event",
            {"Subject": "Implementation workshop", "StartDateTime": format_datetime(start), "DurationInMinutes": 120},
            caller,
            created,
        )
        invitees = [cid for _, cid in self.contacts[10:13]] + [u.user_id for u in self.owners.values() if u != caller][
            :1
        ]
        for index, relation_id in enumerate(invitees):
            status = ("Accepted", "New", "Declined", "Accepted")[index % 4]
            self.add(
                "EventRelation", {"EventId": event_id, "RelationId": relation_id, "Status": status}, caller, created
            )

    def seed_tasks(self) -> None:
        """Thirty tasks: calls, emails and to-dos, open and completed."""
        owners = list(self.owners.values())
        for index in range(30):
            person, contact_id = self.contacts[(index * 11) % len(self.contacts)]
            subject, subtype = _TASKS[index % len(_TASKS)]
            values: dict[str, Any] = {
                "Subject": subject,
                "TaskSubtype": subtype,
                "Status": _TASK_STATUSES[index % len(_TASK_STATUSES)],
                "Priority": ("Normal", "High", "Normal", "Low")[index % 4],
                "ActivityDate": format_date(self.anchor.date() + timedelta(days=index % 15 - 5)),
                "WhoId": contact_id,
                "WhatId": self.accounts[person.company],
            }
            self.add("Task", values, owners[index % len(owners)], self.anchor - timedelta(days=20 - index % 20))

    def seed_emails(self) -> None:
        """Five emails logged by Alex, one with an attached file."""
        alex = self.owners.get("alex.morgan@example.com")
        if alex is None:
            return
        for index, (person, contact_id) in enumerate(self.contacts[:5]):
            created = self.anchor - timedelta(days=10 - index, hours=4)
            incoming = index % 2 == 1
            values: dict[str, Any] = {
                "Subject": f"Re: {('Pricing', 'Renewal', 'Workshop agenda', 'Contract', 'Next steps')[index]}",
                "TextBody": f"Hello {person.first_name},\n\nThanks for your time today.\n\nBest regards,\nAlex",
                "HtmlBody": f"<p>Hello {person.first_name},</p><p>Thanks for your time today.</p><p>Alex</p>",
                "FromAddress": person.email if incoming else alex.email,
                "FromName": person.name if incoming else "Alex Morgan",
                "ToAddress": alex.email if incoming else person.email,
                "MessageDate": format_datetime(created),
                "MessageIdentifier": f"<demo-{index}@mail.example.com>",
                "Incoming": incoming,
                "Status": "1" if incoming else "3",
                "RelatedToId": self.accounts[person.company],
            }
            email_id = self.add("EmailMessage", values, alex, created)
            sender, recipient = (contact_id, alex.user_id) if incoming else (alex.user_id, contact_id)
            self.add(
                "EmailMessageRelation",
                {"EmailMessageId": email_id, "RelationId": sender, "RelationType": "FromAddress"},
                alex,
                created,
            )
            self.add(
                "EmailMessageRelation",
                {"EmailMessageId": email_id, "RelationId": recipient, "RelationType": "ToAddress"},
                alex,
                created,
            )
            if index == 0:
                data = base64.b64encode("Proposal for Iberia Logística\n".encode()).decode()
                self.add(
                    "ContentVersion",
                    {
                        "Title": "Proposal",
                        "PathOnClient": "Proposal.txt",
                        "VersionData": data,
                        "FirstPublishLocationId": email_id,
                    },
                    alex,
                    created,
                )


# ---------------------------------------------------------------------------------------------------------------
# seed=N: generated records, written directly


@cache
def _template(sobject: str) -> dict[str, Any]:
    return {f.name: (f.default if f.defaulted_on_create else None) for f in OBJECTS[sobject].iter_fields()}


class _Writer:
    def __init__(self, org: SalesforceOrg) -> None:
        self.org = org

    def put(
        self, sobject: str, values: Mapping[str, Any], owner: str | None, created: datetime, modified: datetime
    ) -> str:
        row = dict(_template(sobject))
        row.update(values)
        record_id = self.org.ids.for_object(sobject)
        created_stamp, modified_stamp = format_datetime(created), format_datetime(modified)
        row.update({"Id": record_id, "IsDeleted": False, "SystemModstamp": modified_stamp})
        if "CreatedDate" in row:
            row.update(
                {
                    "CreatedDate": created_stamp,
                    "LastModifiedDate": modified_stamp,
                    "CreatedById": owner,
                    "LastModifiedById": owner,
                }
            )
        if "OwnerId" in row:
            row["OwnerId"] = owner
        self.org.store.put(sobject, row)
        return record_id


class _Generator:
    """``count`` generated records per type, owned round-robin by the org's users, dated over the past months."""

    def __init__(self, org: SalesforceOrg, count: int, owners: Mapping[str, Caller], anchor: datetime) -> None:
        self.writer = _Writer(org)
        self.org = org
        self.count = count
        self.anchor = anchor
        self.owner_ids: Sequence[str] = [c.user_id for c in owners.values()]
        self.people = demo_people()
        self.companies = demo_companies()

    def owner(self, index: int) -> str:
        return self.owner_ids[index % len(self.owner_ids)]

    def put(self, sobject: str, index: int, values: Mapping[str, Any]) -> str:
        created = self.anchor - timedelta(days=60 + index % 300, minutes=index % 1440)
        modified = self.anchor - timedelta(days=index % 29, minutes=index % 1440)
        return self.writer.put(sobject, values, self.owner(index), created, modified)

    def accounts(self) -> list[str]:
        ids = []
        for index in range(self.count):
            company = self.companies[index % len(self.companies)]
            suffix = f" {index // len(self.companies) + 1}" if index >= len(self.companies) else ""
            values = {
                "Name": company.name + suffix,
                "Industry": company.industry,
                "Phone": company.phone,
                "BillingCity": company.city,
                "BillingCountry": company.country,
                "Website": f"https://www.{company.domain}",
                "Type": _ACCOUNT_TYPES[index % len(_ACCOUNT_TYPES)],
            }
            ids.append(self.put("Account", index, values))
        return ids

    def contacts(self, accounts: Sequence[str]) -> list[str]:
        ids = []
        for index in range(self.count):
            person = self.people[index % len(self.people)]
            local, _, domain = person.email.partition("@")
            values = {
                "FirstName": person.first_name,
                "LastName": person.last_name,
                "Name": person.name,
                "Email": f"{local}.{index}@{domain}",
                "Phone": person.phone,
                "MobilePhone": person.mobile,
                "Title": person.title,
                "MailingCity": person.city,
                "MailingCountry": person.country,
                "AccountId": accounts[index % len(accounts)] if accounts else None,
            }
            ids.append(self.put("Contact", index, values))
        return ids

    def leads(self) -> None:
        for index in range(self.count):
            person = self.people[(index + 7) % len(self.people)]
            local, _, domain = person.email.partition("@")
            values = {
                "FirstName": person.first_name,
                "LastName": person.last_name,
                "Name": person.name,
                "Email": f"{local}.lead{index}@{domain}",
                "Company": person.company,
                "Phone": person.phone,
                "City": person.city,
                "Country": person.country,
                "Status": _LEAD_STATUSES[index % len(_LEAD_STATUSES)],
            }
            self.put("Lead", index, values)

    def opportunities(self, accounts: Sequence[str]) -> None:
        for index in range(self.count):
            stage = _STAGES[index % len(_STAGES)]
            probability, closed, won = STAGE_PROPERTIES[stage]
            values = {
                "Name": f"Deal {index + 1} — {_PRODUCTS[index % len(_PRODUCTS)]}",
                "StageName": stage,
                "CloseDate": format_date(self.anchor.date() + timedelta(days=index % 120 - 60)),
                "Amount": float(1000 + index * 37 % 90000),
                "Probability": float(probability),
                "IsClosed": closed,
                "IsWon": won,
                "AccountId": accounts[index % len(accounts)] if accounts else None,
            }
            self.put("Opportunity", index, values)

    def cases(self, contacts: Sequence[str]) -> None:
        for index in range(self.count):
            status = _CASE_STATUSES[index % len(_CASE_STATUSES)]
            values = {
                "CaseNumber": self.org.next_case_number(),
                "Subject": _CASE_SUBJECTS[index % len(_CASE_SUBJECTS)],
                "Status": status,
                "IsClosed": status == "Closed",
                "Priority": ("High", "Medium", "Low")[index % 3],
                "ContactId": contacts[index % len(contacts)] if contacts else None,
            }
            self.put("Case", index, values)

    def events(self, contacts: Sequence[str]) -> None:
        for index in range(self.count):
            day = self.anchor.date() + timedelta(days=index % 60 - 30)
            start = datetime.combine(day, time(8 + index % 9), UTC)
            who = contacts[index % len(contacts)] if contacts else None
            values = {
                "Subject": f"{_MEETINGS[index % len(_MEETINGS)]} #{index + 1}",
                "StartDateTime": format_datetime(start),
                "ActivityDateTime": format_datetime(start),
                "ActivityDate": format_date(day),
                "EndDateTime": format_datetime(start + timedelta(minutes=60)),
                "EndDate": format_date(day),
                "DurationInMinutes": 60,
                "WhoId": who,
            }
            event_id = self.put("Event", index, values)
            if who is not None:
                relation = {"EventId": event_id, "RelationId": who, "IsParent": True, "IsInvitee": False}
                self.put("EventRelation", index, relation)

    def tasks(self, contacts: Sequence[str]) -> None:
        for index in range(self.count):
            status = _TASK_STATUSES[index % len(_TASK_STATUSES)]
            subject, subtype = _TASKS[index % len(_TASKS)]
            values = {
                "Subject": subject,
                "TaskSubtype": subtype,
                "Status": status,
                "IsClosed": status == "Completed",
                "Priority": "Normal",
                "ActivityDate": format_date(self.anchor.date() + timedelta(days=index % 30 - 10)),
                "WhoId": contacts[index % len(contacts)] if contacts else None,
            }
            self.put("Task", index, values)


def generate(org: SalesforceOrg, count: int, owners: Mapping[str, Caller], anchor: datetime) -> None:
    """``count`` Accounts, Contacts, Leads, Opportunities, Cases, Events and Tasks (for benchmarks)."""
    generator = _Generator(org, count, owners, anchor)
    accounts = generator.accounts()
    contacts = generator.contacts(accounts)
    generator.leads()
    generator.opportunities(accounts)
    generator.cases(contacts)
    generator.events(contacts)
    generator.tasks(contacts)
