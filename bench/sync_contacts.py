#!/usr/bin/env python3
"""Benchmark of contact sync at scale: API calls per side against the efficiency floors, wall time and memory.

For Outlook (alex.morgan@example.com) and Gmail (priya.shah@example.com), two cases of N contacts (default 5,000):

- ``SF → mailbox``: N contacts owned by the user in Salesforce (of the demo Accounts, dated a month ago); no contact,
  no "Salesforce Contacts" folder (Outlook) or contact group (Gmail) in the mailbox; the default scope ("Only my
  contacts") and selection (automatic).
- ``mailbox → SF``: N contacts in the user's "Salesforce Contacts" folder / contact group (each with a demo company),
  nothing else in the mailbox; the user owns no Salesforce Contact.

Each case runs three passes exactly as ``crmbridge sync`` does (``ContactWorld.sync``): the initial sync, the pass
right after it (our own writes coming back) and a no-change pass.

Each case runs in a child process of its own, on a fresh sandbox (demo data, served in-process on a loopback port
with ``serve_in_thread``) and a fresh SQLite database (``app.migrations.upgrade``), with every demo user connected.
Setup writes straight into the sandbox state: the user's mailbox contacts, contact folders or groups and crmbridge's
two categories ("Sync with Salesforce", "Don't sync with Salesforce", which the Outlook demo mailbox has) are
removed; the demo Contacts the user owns are handed to the org's administrator (the demo Accounts stay); then the N
contacts are put in. Setup and sign-in calls are left out of the counts: a mark is taken after setup.

API calls are the HTTP requests to each vendor in the sandbox's call log (a Graph ``$batch`` or a Salesforce
composite call is one request; OAuth token calls are not counted). Floors, from the reference's §3
(``sync-engine.md``), with N_s the contacts on side s before the pass, W_s the writes the initial pass must make to
side s, Δ_s the writes the previous pass made to side s (its echoes), and at least one read per side (an empty
listing is still a call):

- initial, Salesforce: ``max(1, ⌈N_sf/10,000⌉) + ⌈W_sf/1,000⌉ + ⌈d/25⌉`` with d = 1 (the Contact describe);
- initial, Graph (round trips): ``max(1, ⌈N_mbx/200⌉) + ⌈W_mbx/20⌉ + s`` with s = 1 when the folder or the selection's
  category ("Don't sync with Salesforce") must be created (both fit in one ``$batch``), else 0;
- initial, People: ``max(1, ⌈N_mbx/1,000⌉) + ⌈W_mbx/200⌉ + g`` with g the contact groups to create ("Salesforce
  Contacts" and "Don't sync with Salesforce", one ``contactGroups.create`` each);
- the pass after (§3.3, Δ changes, nothing to write): Graph ``⌈Δ_mbx/200⌉ + 1``, People ``⌈Δ_mbx/1,000⌉ + 1``,
  Salesforce ``⌈Δ_sf/10,000⌉ + 1``;
- no change: 1 call per side (one synced folder or group).

Targets: calls ≤ 1.25 × floor for the initial pass and the pass after it; calls = floor (1 per side) for the
no-change pass. Nothing is asserted: the verdict says OK or OVER. Writes are the contacts created, updated or deleted
on each side (the pass's summary). Wall time is the pass's; "in sandbox" is the part of it the sandbox spent
answering (the call log's durations, token calls included): the sandbox shares this process and its GIL. Memory, by
default, is the growth of the process's ``ru_maxrss`` during the pass (the process holds one case, so the initial
pass's figure is its growth over the seeded state; 0 means the pass stayed under an earlier pass's high-water mark);
``--memory tracemalloc`` reports ``tracemalloc``'s peak of the pass above the traced size at its start instead
(Python allocations of the whole process, sandbox included), at the price of wall times four to six times longer
(about 7 minutes for the whole run on 2 cores, against 1.5 without).

The sandbox's Graph throttling (10,000 requests per 10 minutes and 4 concurrent requests per mailbox, every
``$batch`` sub-request counted) stays on up to N = 9,000: a case's initial pass sends about N + N/100 requests to the
mailbox, within the budget. Above that it is turned off through the sandbox's control API (``PATCH
/_sandbox/microsoft/settings``), so that the counts are of the sync's own requests rather than of 429 retries, and the
notes say so. Retries never sleep (ContactWorld's RetryPolicy); calls refused with an error status are counted.

    .venv/bin/python bench/sync_contacts.py [--contacts 5000] [--only outlook|gmail] [--memory maxrss|tracemalloc]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import tracemalloc
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CATEGORY, SYNC_CONTAINER_NAME
from app.models import SyncRunStatus
from app.sandbox.app import create_sandbox_state
from app.sandbox.demo_people import demo_companies, demo_people
from app.sandbox.google.people.models import PeopleStore
from app.sandbox.salesforce.schema import OBJECTS
from app.sandbox.state import SandboxState
from app.sync.config import Side
from bench.bench_support import (
    CASES,
    MEMORY_CHOICES,
    PASSES,
    PROVIDERS,
    SIDES,
    TARGET_RATIO,
    THROTTLED_UP_TO,
    USERS,
    CaseOutcome,
    PassRow,
    bench_world,
    google_of,
    measure,
    memory_label,
    org_of,
    outcome_from,
    outlook_of,
    run_child,
    run_notes,
    settle,
)
from tests.scenarios.contact_world import ContactWorld

API = {"outlook": "Graph", "gmail": "People"}


# -- setup, straight into the sandbox state ----------------------------------------------------------------------


def people_of(state: SandboxState, email: str) -> PeopleStore:
    return google_of(state, email).people


def hand_owned_contacts_to_admin(state: SandboxState, email: str) -> int:
    """The Contacts ``email`` owns now belong to the org's administrator; how many there were."""
    org = org_of(state)
    admin = org.admin_caller()
    owner = state.directory.get(email)
    assert admin is not None and owner is not None and owner.salesforce_id is not None
    mine = [row for row in org.rows("Contact") if row.get("OwnerId") == owner.salesforce_id]
    for row in mine:
        org.store.put("Contact", {**row, "OwnerId": admin.user_id})
    return len(mine)


def seed_salesforce(state: SandboxState, email: str, count: int) -> None:
    """``count`` Contacts owned by ``email``, of the demo Accounts, created a month ago through the org's write
    path (the demo org's duplicate rule is off)."""
    org = org_of(state)
    caller = org.caller_for_email(email)
    assert caller is not None
    accounts = {row["Name"]: row["Id"] for row in org.rows("Account") if not row.get("IsDeleted")}
    with org.pinned_time(state.clock.now() - timedelta(days=30)):
        for number in range(count):
            person = demo_people()[number % len(demo_people())]
            local, _, domain = person.email.partition("@")
            values = {
                "FirstName": person.first_name,
                "LastName": person.last_name,
                "Email": f"{local}.{number}@{domain}",
                "Phone": person.phone,
                "MobilePhone": person.mobile,
                "Title": person.title,
                "MailingCity": person.city,
                "MailingCountry": person.country,
                "AccountId": accounts.get(person.company),
                "OwnerId": caller.user_id,
            }
            org.insert(OBJECTS["Contact"], values, caller, check_references=False)


def mailbox_person(number: int) -> dict[str, str]:
    """The ``number``-th mailbox contact: a demo person with a unique address and a demo company."""
    person = demo_people()[number % len(demo_people())]
    local, _, domain = person.email.partition("@")
    return {
        "first": person.first_name,
        "last": person.last_name,
        "email": f"{local}.{number}@{domain}",
        "phone": person.phone,
        "mobile": person.mobile,
        "title": person.title,
        "company": demo_companies()[number % len(demo_companies())].name,
        "city": person.city,
        "country": person.country,
    }


def empty_outlook(state: SandboxState, email: str) -> None:
    """No contact, no contact folder but the default one, none of crmbridge's categories."""
    mailbox = outlook_of(state, email)
    root = mailbox.default_folder("contactFolder")
    for folder in [f for f in mailbox.folders_of("contactFolder") if f.parent == root.key]:
        mailbox.delete_folder(folder)
    for item in [i for i in mailbox.items.values() if i.kind == "contact"]:
        mailbox.delete_item(item)
    mailbox.categories = [c for c in mailbox.categories if c["displayName"] not in (SYNC_CATEGORY, DONT_SYNC_CATEGORY)]


def seed_outlook(state: SandboxState, email: str, count: int) -> None:
    """The "Salesforce Contacts" folder with ``count`` contacts, dated a month ago."""
    mailbox = outlook_of(state, email)
    root = mailbox.default_folder("contactFolder")
    folder = mailbox.add_folder("contactFolder", {"displayName": SYNC_CONTAINER_NAME}, parent=root.key)
    when = state.clock.now() - timedelta(days=30)
    for number in range(count):
        p = mailbox_person(number)
        name = f"{p['first']} {p['last']}"
        props = {
            "givenName": p["first"],
            "surname": p["last"],
            "displayName": name,
            "emailAddresses": [{"name": name, "address": p["email"]}],
            "businessPhones": [p["phone"]],
            "mobilePhone": p["mobile"],
            "jobTitle": p["title"],
            "companyName": p["company"],
            "businessAddress": {"city": p["city"], "countryOrRegion": p["country"]},
            "categories": [],
        }
        mailbox.add_item("contact", folder, props, when)


def empty_gmail(state: SandboxState, email: str) -> None:
    """No contact and no user contact group."""
    people = people_of(state, email)
    for group in [g for g in people.groups.values() if not g.system and not g.deleted]:
        people.delete_group(group.resource_name, delete_contacts=True)
    for contact in people.live_contacts():
        people.delete_contact(f"people/{contact.person_id}")


def seed_gmail(state: SandboxState, email: str, count: int) -> None:
    """The "Salesforce Contacts" group (as crmbridge would have made it) with ``count`` contacts."""
    people = people_of(state, email)
    group = people.create_group(SYNC_CONTAINER_NAME, [{"key": "crmbridge", "value": "salesforce-contacts"}])
    memberships = [
        {"contactGroupMembership": {"contactGroupResourceName": name}}
        for name in ("contactGroups/myContacts", group.resource_name)
    ]
    for number in range(count):
        p = mailbox_person(number)
        people.create_contact(
            {
                "names": [{"givenName": p["first"], "familyName": p["last"]}],
                "emailAddresses": [{"value": p["email"], "type": "work"}],
                "phoneNumbers": [{"value": p["phone"], "type": "work"}, {"value": p["mobile"], "type": "mobile"}],
                "organizations": [{"name": p["company"], "title": p["title"], "type": "work"}],
                "addresses": [{"city": p["city"], "country": p["country"], "type": "work"}],
                "memberships": memberships,
            }
        )


def mailbox_setup_writes(state: SandboxState, mailbox: str, email: str) -> int:
    """Round trips the initial pass needs to create the folder/group and the selection's category/group."""
    if mailbox == "outlook":
        outlook = outlook_of(state, email)
        has_folder = any(f.props.get("displayName") == SYNC_CONTAINER_NAME for f in outlook.folders_of("contactFolder"))
        has_category = any(c["displayName"] == DONT_SYNC_CATEGORY for c in outlook.categories)
        return 0 if has_folder and has_category else 1
    names = {g.name for g in people_of(state, email).groups.values() if not g.system and not g.deleted}
    return sum(1 for wanted in (SYNC_CONTAINER_NAME, DONT_SYNC_CATEGORY) if wanted not in names)


# -- floors ------------------------------------------------------------------------------------------------------


def initial_floor(mailbox: str, case: str, count: int, setup_writes: int) -> dict[str, int]:
    """§3.2 totals for the initial pass (see the module docstring)."""
    n_sf, w_mbx = (count, count) if case == "sf-to-mailbox" else (0, 0)
    n_mbx, w_sf = (count, count) if case == "mailbox-to-sf" else (0, 0)
    salesforce = max(1, math.ceil(n_sf / 10_000)) + math.ceil(w_sf / 1_000) + math.ceil(1 / 25)
    if mailbox == "outlook":
        reads, writes = max(1, math.ceil(n_mbx / 200)), math.ceil(w_mbx / 20)
    else:
        reads, writes = max(1, math.ceil(n_mbx / 1_000)), math.ceil(w_mbx / 200)
    return {Side.MAILBOX.value: reads + writes + setup_writes, Side.SALESFORCE.value: salesforce}


def echo_floor(mailbox: str, echoes: dict[str, int]) -> dict[str, int]:
    """§3.3 reads of Δ changes per side (nothing to write)."""
    page = 200 if mailbox == "outlook" else 1_000
    return {
        Side.MAILBOX.value: math.ceil(echoes[Side.MAILBOX.value] / page) + 1,
        Side.SALESFORCE.value: math.ceil(echoes[Side.SALESFORCE.value] / 10_000) + 1,
    }


# -- one case, in a child process -------------------------------------------------------------------------------


def run_case(mailbox: str, case: str, count: int, memory: str) -> CaseOutcome:
    """One case on a fresh sandbox and database: setup, then three measured passes."""
    email = USERS[mailbox]
    notes: list[str] = []
    if memory == "tracemalloc":
        tracemalloc.start()
    state = create_sandbox_state("demo")
    with bench_world(state, ContactWorld, unthrottle=count > THROTTLED_UP_TO) as (world, base_url):
        handed = hand_owned_contacts_to_admin(state, email)
        notes.append(f"setup: the {handed} demo Contacts {email} owned were handed to the org's administrator")
        (empty_outlook if mailbox == "outlook" else empty_gmail)(state, email)
        if case == "sf-to-mailbox":
            seed_salesforce(state, email, count)
        else:
            (seed_outlook if mailbox == "outlook" else seed_gmail)(state, email, count)
        floor = initial_floor(mailbox, case, count, mailbox_setup_writes(state, mailbox, email))
        settle(base_url)
        rows: list[PassRow] = []
        for name in PASSES:
            row = measure_pass(world, base_url, mailbox=mailbox, case=case, name=name, floor=floor, memory=memory)
            rows.append(row)
            if row.status != SyncRunStatus.SUCCEEDED.value:
                notes.append(f"{mailbox} {CASES[case]} {name}: {row.status}: {row.message}")
            floor = echo_floor(mailbox, row.writes) if name == "initial" else dict.fromkeys(SIDES, 1)
        return CaseOutcome(rows, notes)


def measure_pass(
    world: ContactWorld, base_url: str, *, mailbox: str, case: str, name: str, floor: dict[str, int], memory: str
) -> PassRow:
    """Run one pass and count what it cost."""
    email = USERS[mailbox]
    measured = measure(world, base_url, provider=PROVIDERS[mailbox], memory=memory, run=lambda: world.sync(email))
    return PassRow(
        mailbox=mailbox,
        case=case,
        name=name,
        calls=measured.calls,
        floor=floor,
        writes=measured.writes,
        seconds=measured.seconds,
        sandbox_seconds=measured.sandbox_seconds,
        memory_mib=measured.memory_mib,
        status=measured.report.status.value,
        message=measured.report.message,
        refused_calls=measured.refused_calls,
    )


# -- the parent: one child per case, then the table --------------------------------------------------------------


def case_child(mailbox: str, case: str, count: int, memory: str) -> CaseOutcome:
    """Run one case in a fresh Python process (its own sandbox, database and memory high-water mark)."""
    arguments = ["--contacts", str(count), "--memory", memory, "--case", f"{mailbox}:{case}"]
    return outcome_from(run_child(__file__, arguments, label=f"{mailbox} {case}"))


def print_table(rows: list[PassRow], count: int, memory: str, notes: list[str], total: float) -> None:
    print(f"\nContact sync on the sandbox, N = {count:,} contacts per case; calls = HTTP requests to the vendor\n")
    print(
        "| mailbox | case | pass | mailbox calls / floor | ratio | verdict "
        "| Salesforce calls / floor | ratio | verdict "
        f"| writes mbx / SF | wall | in sandbox | {memory_label(memory)} |"
    )
    print("|---|---|---|---:|---:|---|---:|---:|---|---:|---:|---:|---:|")
    for row in rows:
        cells = []
        for side in SIDES:
            ratio = row.calls[side] / row.floor[side]
            cells.append(f"{row.calls[side]} / {row.floor[side]} | {ratio:.2f} | {row.verdict(side)}")
        print(
            f"| {row.mailbox} ({API[row.mailbox]}) | {CASES[row.case]} | {row.name} | {cells[0]} | {cells[1]} | "
            f"{row.writes[SIDES[0]]} / {row.writes[SIDES[1]]} | {row.seconds:.1f} s | {row.sandbox_seconds:.1f} s | "
            f"{row.memory_mib:.0f} |"
        )
    print("\nNotes:")
    print(
        f"- verdict: OK when calls ≤ {TARGET_RATIO:g} × floor (initial, echo) or calls = floor (no change); "
        "floors as in the module docstring (reference §3.2 totals, §3.3 Δ changes and no change)"
    )
    for line in run_notes(rows, [count], memory):
        print(f"- {line}")
    for line in notes:
        print(f"- {line}")
    print(f"- whole run: {total:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=5000, help="contacts per case (N)")
    parser.add_argument("--only", choices=sorted(USERS), help="one mailbox provider only")
    parser.add_argument(
        "--memory",
        choices=MEMORY_CHOICES,
        default="maxrss",
        help="how to measure memory (tracemalloc: far slower)",
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)  # MAILBOX:CASE, run in a child process
    args = parser.parse_args()

    if args.case:
        mailbox, case = args.case.split(":")
        outcome = run_case(mailbox, case, args.contacts, args.memory)
        print(json.dumps({"rows": [asdict(row) for row in outcome.rows], "notes": outcome.notes}))
        return 0

    began = time.perf_counter()
    rows: list[PassRow] = []
    notes: list[str] = []
    for mailbox in [args.only] if args.only else list(USERS):
        for case in CASES:
            outcome = case_child(mailbox, case, args.contacts, args.memory)
            rows.extend(outcome.rows)
            notes.extend(note for note in outcome.notes if note not in notes)
    print_table(rows, args.contacts, args.memory, notes, time.perf_counter() - began)
    return 1 if any(row.status != SyncRunStatus.SUCCEEDED.value for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
