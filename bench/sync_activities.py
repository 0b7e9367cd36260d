#!/usr/bin/env python3
"""Benchmark of event and task sync at scale: API calls per side against the efficiency floors, wall time and memory.

For Outlook (alex.morgan@example.com: the calendar through Graph, the default To Do list) and Gmail
(priya.shah@example.com: the primary Google Calendar, the default Google Tasks list "@default"), four cases per
mailbox, of N events (default 2,000) or N tasks (default 1,000):

- events ``SF → mailbox``: N Salesforce Events owned by the user, single (not recurring), timed (30 or 60 minutes
  between 08:00 and 17:00 UTC), spread evenly over the sync window (the user's effective window, by default 7 days
  back to 90 days ahead: ``event_sync_settings``), each with a subject, a location and a description; the
  mailbox calendar empty.
- events ``mailbox → SF``: N such events in the mailbox calendar, each with one attendee (the demo people in turn:
  300 addresses, every one a Contact or a Lead of the demo org) besides the user; no Salesforce Event of the user.
- tasks ``SF → mailbox``: N Salesforce Tasks owned by the user (subtype Task): every 4th completed, every 5th of
  High priority, two in three with a due date, one in three with a description; the mailbox task list empty.
- tasks ``mailbox → SF``: N such tasks in the default To Do list / Google Tasks list; no Salesforce Task of the user.

Each case runs three passes exactly as ``crmbridge sync --items events|tasks`` does (``ActivityWorld.sync_events``,
``.sync_tasks``, after ``events.enabled`` / ``tasks.enabled`` is turned on, every other setting at its default):
the initial sync, the pass right after it (our own writes coming back) and a no-change pass.

Each case runs in a child process of its own, on a fresh sandbox (demo data, served in-process on a loopback port
with ``serve_in_thread``) and a fresh SQLite database (``app.migrations.upgrade``), with every demo user connected.
Setup writes straight into the sandbox state: every event of the user's mailbox calendar (demo series, private and
all-day events included), or every task of the synced list, is removed; the demo Events, or Tasks, the user owns in
Salesforce are handed to the org's administrator; then the N items are put in (Salesforce rows through the org's
write path, dated a month ago; mailbox items as the sandbox's seeds add them). Setup and sign-in calls are left out
of the counts: a mark is taken after setup.

API calls are the HTTP requests to each vendor in the sandbox's call log (a Graph ``$batch``, a Google HTTP batch or
a Salesforce composite call is one request; OAuth token calls are not counted). The sandbox runs each part of a
Google HTTP batch through its own routes and logs it as a call too: those parts (what Google meters, one call each)
are left out of the counts and listed in the notes (``bench_support.batch_parts``). Floors, from the reference's §3
(``sync-engine.md``), with, per side s, N_s the items in scope before the pass, W_s the writes the initial pass
must make to side s, Δ_s the writes the previous pass made to side s (its echoes), K the tasks in the Google Tasks
list before the pass, and at least one read per side (an empty listing is still a call):

- initial, Salesforce: ``max(1, ⌈N_sf/10,000⌉) + ⌈W_sf/1,000⌉ + L``. The describe (d = 1) rides in the listing's
  composite call, so it adds no call. L is 0 but for events written to Salesforce (``mailbox → SF``): the event
  store relates written events to the contacts and leads invited (``events_relations.py``; on by default), which
  takes one lookup before the write, the Contacts and the Leads by Email of the A distinct attendee addresses,
  ⌈A/200⌉ queries each and five queries per composite call: L = ⌈2⌈A/200⌉/5⌉ (A = min(N, 300): L = 1). The
  relation call after the write is not needed (each event's one attendee becomes its WhoId in the create).
- initial, Graph calendar (round trips): ``max(1, ⌈N_mbx/200⌉) + ⌈N_mbx/20⌉ + ⌈W_mbx/20⌉``: calendar view delta
  pages of 200 (``DELTA_PAGE_SIZE``), then the events listed read in full (delta gives neither the marker nor a text
  body), 20 per ``$batch``, and the writes, 20 per ``$batch``.
- initial, Google Calendar: ``max(1, ⌈N_mbx/2,500⌉) + ⌈W_mbx/50⌉`` (``events.list`` pages of 2,500 hold the whole
  events; writes in HTTP batches of 50, ``MAX_BATCH_CALLS``).
- initial, To Do: ``1 + max(1, ⌈N_mbx/200⌉) + ⌈W_mbx/20⌉``: the default list's id first (Graph has no alias for it
  and the delta's URL needs it), then delta pages of 200 with the linked resources expanded (they hold whole tasks
  and the marker), writes 20 per ``$batch``.
- initial, Google Tasks: ``max(1, ⌈K/100⌉) + ⌈W_mbx/50⌉`` (``tasks.list`` pages of 100, the API's maximum; writes in
  HTTP batches of 50; ``@default`` names the default list, so its id costs nothing).
- the pass after (§3.3, Δ changes, nothing to write): Graph calendar and To Do ``⌈Δ_mbx/200⌉ + 1`` (our writes'
  change keys are known: nothing to read in full), Google Calendar ``⌈Δ_mbx/2,500⌉ + 1``, Google Tasks
  ``max(1, ⌈K/100⌉)`` (see below), Salesforce ``⌈Δ_sf/10,000⌉ + 1``;
- no change: 1 call per side (one calendar or list, one composite call), but Google Tasks ``max(1, ⌈K/100⌉)``.

Google Tasks has no change feed that reports a task moved to another list: ``tasks.list(updatedMin=…)`` shows
changed and deleted tasks of the list, but a task moved out leaves no trace in the list it left. The store
therefore reads the whole list every pass (one call per 100 tasks) and diffs it against the etags in its cursor
(``tasks_listing.py``); that whole read is its floor on every pass, stated as such rather than hidden in a ratio.

Targets: calls ≤ 1.25 × floor for the initial pass and the pass after it; calls = floor for the no-change pass (1
per side, but Google Tasks). Nothing is asserted: the verdict says OK or OVER. Writes are the items created, updated
or deleted on each side (the pass's summary). Wall time is the pass's; "in sandbox" is the part of it the sandbox
spent answering (the call log's durations, token calls included): the sandbox shares this process and its GIL.
Memory, by default, is the growth of the process's ``ru_maxrss`` during the pass (the process holds one case, so
the initial pass's figure is its growth over the seeded state; 0 means the pass stayed under an earlier pass's
high-water mark); ``--memory tracemalloc`` reports ``tracemalloc``'s peak of the pass above the traced size at its
start instead (Python allocations of the whole process, sandbox included), at the price of far longer wall times.
The whole run with the defaults takes under a minute on 2 cores.

The sandbox's Graph throttling (10,000 requests per 10 minutes and 4 concurrent requests per mailbox, every
``$batch`` sub-request counted) stays on up to N = 9,000: a case's passes send about N + N/100 requests to the
mailbox. Above that it is turned off through the sandbox's control API, so that the counts are of the sync's own
requests rather than of 429 retries, and the notes say so. The Google emulators are not rate-limited by default.
Retries never sleep (ContactWorld's RetryPolicy); calls refused with an error status are counted.

    .venv/bin/python bench/sync_activities.py [--events 2000] [--tasks 1000] [--only outlook|gmail]
        [--items events|tasks] [--memory maxrss|tracemalloc]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import tracemalloc
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session

from app.connectors.event_fields import EventWindow
from app.jobs.sync_pass import PassReport
from app.models import SyncRunStatus
from app.sandbox.app import create_sandbox_state
from app.sandbox.demo_people import DemoPerson, demo_people
from app.sandbox.google.tasks.models import TaskListRecord
from app.sandbox.microsoft.seed import add_event, add_task
from app.sandbox.salesforce.schema import OBJECTS
from app.sandbox.salesforce.values import format_datetime
from app.sandbox.state import SandboxState
from app.services.sync_settings import event_sync_settings
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
from tests.scenarios.activity_world import ActivityWorld

ITEMS = ("events", "tasks")
API = {
    ("outlook", "events"): "Graph",
    ("outlook", "tasks"): "To Do",
    ("gmail", "events"): "Calendar",
    ("gmail", "tasks"): "Tasks",
}
#: Per mailbox API: items per listing page, and writes per batch (the stores' sizes).
PAGE = {"Graph": 200, "To Do": 200, "Calendar": 2_500, "Tasks": 100}
WRITE_BATCH = {"Graph": 20, "To Do": 20, "Calendar": 50, "Tasks": 50}
#: Events the Graph store reads in full per ``$batch``.
FULL_READS_PER_BATCH = 20
#: Salesforce: rows per composite read, records per composite write, queries per composite call, addresses per
#: attendee lookup query.
SF_ROWS_PER_CALL, SF_WRITES_PER_CALL, SF_QUERIES_PER_CALL, SF_ADDRESSES_PER_QUERY = 10_000, 1_000, 5, 200
SF_SOBJECT = {"events": "Event", "tasks": "Task"}
MEETINGS = ("Discovery call", "Demo", "Pricing review", "Onboarding", "Quarterly review", "Contract walkthrough")


# -- setup, straight into the sandbox state ----------------------------------------------------------------------


def person(number: int) -> DemoPerson:
    return demo_people()[number % len(demo_people())]


def hand_owned_to_admin(state: SandboxState, email: str, sobject: str) -> int:
    """The ``sobject`` rows (Events or Tasks) ``email`` owns now belong to the org's administrator; how many."""
    org = org_of(state)
    admin = org.admin_caller()
    owner = state.directory.get(email)
    assert admin is not None and owner is not None and owner.salesforce_id is not None
    mine = [row for row in org.rows(sobject) if row.get("OwnerId") == owner.salesforce_id]
    for row in mine:
        org.store.put(sobject, {**row, "OwnerId": admin.user_id})
    return len(mine)


def event_window(world: ActivityWorld, email: str) -> EventWindow:
    """The user's event window now (the settings' defaults unless changed)."""
    with Session(world.engine) as session:
        return event_sync_settings(session, world.user(email), now=world.env.now()).window


def event_start(window: EventWindow, number: int, count: int) -> tuple[datetime, timedelta]:
    """The ``number``-th of ``count`` events: spread evenly over the window's days, between 08:00 and 17:00 UTC."""
    days = (window.end - window.start).days
    start = window.start + timedelta(days=number * days // count, hours=8 + number % 9)
    return start, timedelta(minutes=30 if number % 2 else 60)


def event_subject(number: int) -> str:
    return f"{MEETINGS[number % len(MEETINGS)]} with {person(number).name} #{number + 1}"


def task_due(state: SandboxState, number: int) -> str | None:
    """Two tasks in three have a due date, from 10 days back to 50 ahead (``YYYY-MM-DD``)."""
    if number % 3 == 2:
        return None
    return (state.clock.now().date() + timedelta(days=number % 60 - 10)).isoformat()


def task_subject(number: int) -> str:
    return f"Follow up with {person(number).name} #{number + 1}"


def task_notes(number: int) -> str | None:
    return f"{person(number).company}: send the revised quote." if number % 3 == 0 else None


def empty_outlook(state: SandboxState, email: str, items: str) -> int:
    """No event in the mailbox (series, exceptions and all), or no task in the default To Do list; how many went."""
    mailbox = outlook_of(state, email)
    if items == "events":
        doomed = [item for item in mailbox.items.values() if item.kind == "event"]
    else:
        doomed = mailbox.items_in(mailbox.default_folder("todoList").key, "task")
    for item in doomed:
        if item.key in mailbox.items:  # a series' exceptions go with it
            mailbox.delete_item(item)
    return len(doomed)


def default_task_list(state: SandboxState, email: str) -> TaskListRecord:
    return google_of(state, email).tasks.task_list("@default")


def empty_gmail(state: SandboxState, email: str, items: str) -> int:
    """No event in the primary calendar, or no task in the default task list; how many went."""
    account = google_of(state, email)
    if items == "events":
        removed = len(account.calendar.events)
        account.calendar.events.clear()
        return removed
    record = default_task_list(state, email)
    removed = len(record.tasks)
    record.tasks.clear()
    record.order.clear()
    return removed


def seed_salesforce(state: SandboxState, email: str, items: str, count: int, window: EventWindow) -> None:
    """``count`` Events or Tasks owned by ``email``, created a month ago through the org's write path."""
    org = org_of(state)
    caller = org.caller_for_email(email)
    assert caller is not None
    with org.pinned_time(state.clock.now() - timedelta(days=30)):
        for number in range(count):
            values: dict[str, Any]
            if items == "events":
                start, length = event_start(window, number, count)
                values = {
                    "Subject": event_subject(number),
                    "StartDateTime": format_datetime(start),
                    "DurationInMinutes": int(length.total_seconds() // 60),
                    "Location": person(number).city,
                    "Description": f"Agenda: {person(number).company}.",
                }
            else:
                values = {
                    "Subject": task_subject(number),
                    "TaskSubtype": "Task",
                    "Status": "Completed" if number % 4 == 3 else "Not Started",
                    "Priority": "High" if number % 5 == 4 else "Normal",
                }
                due, notes = task_due(state, number), task_notes(number)
                values.update({"ActivityDate": due} if due else {})
                values.update({"Description": notes} if notes else {})
            org.insert(
                OBJECTS[SF_SOBJECT[items]], {**values, "OwnerId": caller.user_id}, caller, check_references=False
            )


def seed_outlook(state: SandboxState, email: str, items: str, count: int, window: EventWindow) -> None:
    """``count`` events in the calendar, or tasks in the default To Do list, dated a month ago."""
    mailbox = outlook_of(state, email)
    when = state.clock.now() - timedelta(days=30)
    if items == "events":
        for number in range(count):
            start, length = event_start(window, number, count)
            guest = person(number)
            attendee = {
                "type": "required",
                "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": guest.name, "address": guest.email},
            }
            location = {"displayName": guest.city, "locationType": "default", "uniqueIdType": "unknown"}
            add_event(mailbox, event_subject(number), start, length, when, attendees=[attendee], location=location)
        return
    folder = mailbox.default_folder("todoList")
    for number in range(count):
        props: dict[str, Any] = {"importance": "high" if number % 5 == 4 else "normal"}
        due, notes = task_due(state, number), task_notes(number)
        if due:
            props["dueDateTime"] = {"dateTime": f"{due}T00:00:00.0000000", "timeZone": "UTC"}
        if notes:
            props["body"] = {"content": notes, "contentType": "text"}
        if number % 4 == 3:
            props["status"] = "completed"
            props["completedDateTime"] = {"dateTime": f"{when:%Y-%m-%dT%H:%M:%S}.0000000", "timeZone": "UTC"}
        add_task(mailbox, folder, task_subject(number), when, **props)


def seed_gmail(state: SandboxState, email: str, items: str, count: int, window: EventWindow) -> None:
    """``count`` events in the primary calendar, or tasks in the default task list."""
    account = google_of(state, email)
    if items == "events":
        for number in range(count):
            start, length = event_start(window, number, count)
            guest = person(number)
            account.calendar.insert(
                {
                    "summary": event_subject(number),
                    "location": guest.city,
                    "description": f"Agenda: {guest.company}.",
                    "start": {"dateTime": f"{start:%Y-%m-%dT%H:%M:%S}Z"},
                    "end": {"dateTime": f"{start + length:%Y-%m-%dT%H:%M:%S}Z"},
                    "attendees": [{"email": email, "responseStatus": "accepted"}, {"email": guest.email}],
                }
            )
        return
    record = default_task_list(state, email)
    previous: str | None = None
    for number in range(count):
        body: dict[str, Any] = {"title": task_subject(number)}
        due, notes = task_due(state, number), task_notes(number)
        if due:
            body["due"] = f"{due}T00:00:00.000Z"
        if notes:
            body["notes"] = notes
        if number % 4 == 3:
            body["status"] = "completed"
        task = account.tasks.insert(record.id, body, parent=None, previous=previous)
        previous = task.id


def google_tasks_listed(state: SandboxState, email: str) -> int:
    """K: the live tasks of the default Google Tasks list (what the store's listing reads)."""
    return sum(1 for task in default_task_list(state, email).tasks.values() if not task.deleted)


# -- floors ------------------------------------------------------------------------------------------------------


def attendee_lookups(addresses: int) -> int:
    """Calls of the Salesforce event store's attendee lookup: Contacts and Leads by Email, five queries a call."""
    if addresses == 0:
        return 0
    queries = 2 * math.ceil(addresses / SF_ADDRESSES_PER_QUERY)
    return math.ceil(queries / SF_QUERIES_PER_CALL)


def initial_floor(mailbox: str, items: str, case: str, count: int) -> dict[str, int]:
    """§3.2 totals for the initial pass (see the module docstring)."""
    api = API[mailbox, items]
    n_sf, w_mbx = (count, count) if case == "sf-to-mailbox" else (0, 0)
    n_mbx, w_sf = (count, count) if case == "mailbox-to-sf" else (0, 0)
    lookups = attendee_lookups(min(w_sf, len(demo_people()))) if items == "events" else 0
    salesforce = max(1, math.ceil(n_sf / SF_ROWS_PER_CALL)) + math.ceil(w_sf / SF_WRITES_PER_CALL) + lookups
    reads = max(1, math.ceil(n_mbx / PAGE[api]))
    if api == "Graph":
        reads += math.ceil(n_mbx / FULL_READS_PER_BATCH)
    elif api == "To Do":
        reads += 1  # the default list's id
    return {Side.MAILBOX.value: reads + math.ceil(w_mbx / WRITE_BATCH[api]), Side.SALESFORCE.value: salesforce}


def later_floor(mailbox: str, items: str, echoes: dict[str, int] | None, listed: int) -> dict[str, int]:
    """§3.3: the pass after the initial one reads its ``echoes`` (nothing to write); with no echoes given, the
    no-change pass: one call per side. Google Tasks reads its whole list (``listed`` tasks) either way."""
    api = API[mailbox, items]
    mbx, sf = (echoes[Side.MAILBOX.value], echoes[Side.SALESFORCE.value]) if echoes else (0, 0)
    if api == "Tasks":
        mailbox_floor = max(1, math.ceil(listed / PAGE[api]))
    else:
        mailbox_floor = math.ceil(mbx / PAGE[api]) + 1 if echoes else 1
    salesforce_floor = math.ceil(sf / SF_ROWS_PER_CALL) + 1 if echoes else 1
    return {Side.MAILBOX.value: mailbox_floor, Side.SALESFORCE.value: salesforce_floor}


# -- one case, in a child process -------------------------------------------------------------------------------


def run_case(mailbox: str, items: str, case: str, count: int, memory: str) -> CaseOutcome:
    """One case on a fresh sandbox and database: setup, then three measured passes."""
    email = USERS[mailbox]
    notes: list[str] = []
    if memory == "tracemalloc":
        tracemalloc.start()
    state = create_sandbox_state("demo")
    with bench_world(state, ActivityWorld, unthrottle=count > THROTTLED_UP_TO) as (world, base_url):
        world.set(email, f"{items}.enabled", True)
        window = event_window(world, email)
        sobject = SF_SOBJECT[items]
        handed = hand_owned_to_admin(state, email, sobject)
        emptied = (empty_outlook if mailbox == "outlook" else empty_gmail)(state, email, items)
        notes.append(
            f"setup ({mailbox} {items}): {emptied} demo {items} removed from the mailbox, the {handed} demo "
            f"{sobject}s {email} owned handed to the org's administrator"
        )
        if items == "events":
            notes.append(f"event window: {window.key} (end exclusive)")
        seed = seed_salesforce if case == "sf-to-mailbox" else seed_outlook if mailbox == "outlook" else seed_gmail
        seed(state, email, items, count, window)
        floor = initial_floor(mailbox, items, case, count)
        settle(base_url)
        sync = world.sync_events if items == "events" else world.sync_tasks
        rows: list[PassRow] = []
        for name in PASSES:
            measured = measure(world, base_url, provider=PROVIDERS[mailbox], memory=memory, run=lambda: sync(email))
            report: PassReport = measured.report
            row = PassRow(
                mailbox=mailbox,
                case=case,
                name=name,
                calls=measured.calls,
                floor=floor,
                writes=measured.writes,
                seconds=measured.seconds,
                sandbox_seconds=measured.sandbox_seconds,
                memory_mib=measured.memory_mib,
                status=report.status.value,
                message=report.message,
                refused_calls=measured.refused_calls,
                items=items,
                batch_parts=measured.batch_parts,
            )
            rows.append(row)
            if row.status != SyncRunStatus.SUCCEEDED.value or report.skipped:
                notes.append(f"{mailbox} {items} {CASES[case]} {name}: {row.status}: {row.message}")
            listed = google_tasks_listed(state, email) if API[mailbox, items] == "Tasks" else 0
            floor = later_floor(mailbox, items, row.writes if name == "initial" else None, listed)
        return CaseOutcome(rows, notes)


# -- the parent: one child per case, then the table --------------------------------------------------------------


def case_child(mailbox: str, items: str, case: str, counts: dict[str, int], memory: str) -> CaseOutcome:
    """Run one case in a fresh Python process (its own sandbox, database and memory high-water mark)."""
    arguments = ["--events", str(counts["events"]), "--tasks", str(counts["tasks"]), "--memory", memory]
    arguments += ["--case", f"{mailbox}:{items}:{case}"]
    return outcome_from(run_child(__file__, arguments, label=f"{mailbox} {items} {case}"))


def print_table(rows: list[PassRow], counts: dict[str, int], memory: str, notes: list[str], total: float) -> None:
    sizes = ", ".join(f"N = {counts[items]:,} {items}" for items in ITEMS if any(r.items == items for r in rows))
    print(f"\nEvent and task sync on the sandbox, {sizes} per case; calls = HTTP requests to the vendor\n")
    print(
        "| mailbox | items | case | pass | mailbox calls / floor | ratio | verdict "
        "| Salesforce calls / floor | ratio | verdict "
        f"| writes mbx / SF | wall | in sandbox | {memory_label(memory)} |"
    )
    print("|---|---|---|---|---:|---:|---|---:|---:|---|---:|---:|---:|---:|")
    for row in rows:
        cells = []
        for side in SIDES:
            ratio = row.calls[side] / row.floor[side]
            cells.append(f"{row.calls[side]} / {row.floor[side]} | {ratio:.2f} | {row.verdict(side)}")
        print(
            f"| {row.mailbox} ({API[row.mailbox, row.items]}) | {row.items} | {CASES[row.case]} | {row.name} | "
            f"{cells[0]} | {cells[1]} | {row.writes[SIDES[0]]} / {row.writes[SIDES[1]]} | {row.seconds:.1f} s | "
            f"{row.sandbox_seconds:.1f} s | {row.memory_mib:.0f} |"
        )
    print("\nNotes:")
    print(
        f"- verdict: OK when calls ≤ {TARGET_RATIO:g} × floor (initial, echo) or calls ≤ floor (no change: 1 per "
        "side, Google Tasks ⌈K/100⌉); floors as in the module docstring (reference §3.2 totals, §3.3 Δ changes and "
        "no change)"
    )
    print(
        "- Google Tasks reads its whole list every pass (no change feed reports a task moved to another list): "
        "its echo and no-change floors are ⌈K/100⌉, K the tasks in the list"
    )
    parts = [f"{r.mailbox} {r.items} {CASES[r.case]} {r.name}: {r.batch_parts:,}" for r in rows if r.batch_parts]
    if parts:
        print(
            "- Google HTTP batches count as one request each; the sandbox logs every part of a batch as a call of its "
            "own (Google meters each part as one call), and those parts are left out of the counts: " + "; ".join(parts)
        )
    for line in run_notes(rows, [counts[r.items] for r in rows], memory):
        print(f"- {line}")
    for line in notes:
        print(f"- {line}")
    print(f"- whole run: {total:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="events per event case (N)")
    parser.add_argument("--tasks", type=int, default=1000, help="tasks per task case (N)")
    parser.add_argument("--only", choices=sorted(USERS), help="one mailbox provider only")
    parser.add_argument("--items", choices=ITEMS, help="one item type only")
    parser.add_argument(
        "--memory", choices=MEMORY_CHOICES, default="maxrss", help="how to measure memory (tracemalloc: far slower)"
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)  # MAILBOX:ITEMS:CASE, run in a child process
    args = parser.parse_args()
    counts = {"events": args.events, "tasks": args.tasks}

    if args.case:
        mailbox, items, case = args.case.split(":")
        outcome = run_case(mailbox, items, case, counts[items], args.memory)
        print(json.dumps({"rows": [asdict(row) for row in outcome.rows], "notes": outcome.notes}))
        return 0

    began = time.perf_counter()
    rows: list[PassRow] = []
    notes: list[str] = []
    for mailbox in [args.only] if args.only else list(USERS):
        for items in [args.items] if args.items else ITEMS:
            for case in CASES:
                outcome = case_child(mailbox, items, case, counts, args.memory)
                rows.extend(outcome.rows)
                notes.extend(note for note in outcome.notes if note not in notes)
    print_table(rows, counts, args.memory, notes, time.perf_counter() - began)
    return 1 if any(row.status != SyncRunStatus.SUCCEEDED.value for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
