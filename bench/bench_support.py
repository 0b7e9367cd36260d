"""What the sync benchmarks share (``bench/sync_contacts.py``, ``bench/sync_activities.py``): the demo users, a case's
fresh sandbox and database, the sandbox state's vendor backends, the measure of one pass (calls per side from the
sandbox's call log, wall time, time spent in the sandbox, memory), the row a pass gives and the child process a case
runs in.

Not a script: the benchmarks import it (they put the repository root on ``sys.path`` first, and their own folder is
on it as the script's).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

from app.db import create_db_engine
from app.jobs.sync_pass import PassReport
from app.migrations import upgrade
from app.sandbox.app import create_sandbox_app
from app.sandbox.calls import CallFilter, CallRecord
from app.sandbox.google.backend import GoogleAccount, GoogleBackend
from app.sandbox.microsoft.backend import MicrosoftBackend
from app.sandbox.microsoft.models import Mailbox
from app.sandbox.salesforce.models import SalesforceOrg
from app.sandbox.state import SandboxState
from app.settings import Settings
from app.sync.config import Side
from tests.live_server import serve_in_thread
from tests.scenarios.contact_world import ContactWorld

USERS = {"outlook": "alex.morgan@example.com", "gmail": "priya.shah@example.com"}
PROVIDERS = {"outlook": "microsoft", "gmail": "google"}
CASES = {"sf-to-mailbox": "SF → mailbox", "mailbox-to-sf": "mailbox → SF"}
PASSES = ("initial", "echo", "no change")
#: The initial pass and the pass after it may cost this many times the floor; the no-change pass, the floor.
TARGET_RATIO = 1.25
SIDES = (Side.MAILBOX.value, Side.SALESFORCE.value)
#: Up to this N, a case stays within the sandbox's Graph budget of 10,000 requests per 10 minutes per mailbox.
THROTTLED_UP_TO = 9_000
MEMORY_CHOICES = ("maxrss", "tracemalloc")

World = TypeVar("World", bound=ContactWorld)


@dataclass
class PassRow:
    """One measured pass (sides keyed by ``Side`` values, for JSON); ``items`` names the item type when a benchmark
    measures more than one."""

    mailbox: str
    case: str
    name: str
    calls: dict[str, int]
    floor: dict[str, int]
    writes: dict[str, int]
    seconds: float
    sandbox_seconds: float
    memory_mib: float
    status: str
    message: str | None = None
    refused_calls: int = 0
    items: str = ""
    batch_parts: int = 0

    def verdict(self, side: str) -> str:
        target = self.floor[side] if self.name == "no change" else TARGET_RATIO * self.floor[side]
        return "OK" if self.calls[side] <= target else "OVER"


@dataclass
class CaseOutcome:
    """What a child process hands back."""

    rows: list[PassRow]
    notes: list[str] = field(default_factory=list)


# -- the sandbox state's backends --------------------------------------------------------------------------------


def org_of(state: SandboxState) -> SalesforceOrg:
    return state.backend("salesforce", SalesforceOrg)


def outlook_of(state: SandboxState, email: str) -> Mailbox:
    mailbox = state.backend("microsoft", MicrosoftBackend).mailbox(email)
    assert mailbox is not None, email
    return mailbox


def google_of(state: SandboxState, email: str) -> GoogleAccount:
    return state.backend("google", GoogleBackend).account(email)


# -- a case's sandbox and database -------------------------------------------------------------------------------


def settle(base_url: str) -> None:
    """Wait until the call log holds every answered call (the sandbox records a call just after answering it, and
    serves a control request only after that)."""
    with httpx.Client(base_url=base_url, timeout=30) as control:
        control.get("/_sandbox/users").raise_for_status()


def unthrottle_graph(base_url: str) -> None:
    """Turn the sandbox's per-mailbox Graph throttling off."""
    body = {"throttle": {"requests_per_window": 100_000_000, "max_concurrent": 1_000}}
    with httpx.Client(base_url=base_url, timeout=30) as control:
        control.patch("/_sandbox/microsoft/settings", json=body).raise_for_status()


@contextmanager
def bench_world(state: SandboxState, world_type: type[World], *, unthrottle: bool) -> Iterator[tuple[World, str]]:
    """``state`` served in-process on a loopback port (Graph throttling off when ``unthrottle``), a fresh SQLite
    database, and a ``world_type`` on both with every demo user connected; yields the world and the sandbox's URL."""
    with tempfile.TemporaryDirectory() as directory, serve_in_thread(create_sandbox_app(state)) as base_url:
        if unthrottle:
            unthrottle_graph(base_url)
        database_url = f"sqlite:///{directory}/bench.db"
        upgrade(database_url)
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            data_dir=Path(directory),
            sandbox=True,
            sandbox_url=base_url,
            sandbox_demo_users=False,
            log_level="WARNING",
        )
        engine = create_db_engine(database_url)
        try:
            yield world_type(state=state, base_url=base_url, engine=engine, settings=settings), base_url
        finally:
            engine.dispose()


# -- one pass ----------------------------------------------------------------------------------------------------


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@dataclass
class Measured:
    """What one pass cost (calls keyed by ``Side`` values)."""

    report: PassReport
    calls: dict[str, int]
    seconds: float
    sandbox_seconds: float
    memory_mib: float
    refused_calls: int
    #: Inner calls of Google HTTP batches (quota units), left out of ``calls`` (see :func:`batch_parts`).
    batch_parts: int

    @property
    def writes(self) -> dict[str, int]:
        """The items created, updated or deleted on each side (the pass's summary)."""
        summary = self.report.result.summary if self.report.result is not None else None
        return {side.value: summary[side].writes if summary else 0 for side in Side}


def measure(
    world: ContactWorld, base_url: str, *, provider: str, memory: str, run: Callable[[], PassReport]
) -> Measured:
    """Run one pass (``run``) and count what it cost: the HTTP requests to the mailbox ``provider`` and to Salesforce
    after a mark taken just before it (token calls and the parts of Google HTTP batches left out), wall time, the
    sandbox's part of it and memory (see :func:`run_notes`)."""
    mark = world.mark()
    if memory == "tracemalloc":
        tracemalloc.reset_peak()
        traced_before, _ = tracemalloc.get_traced_memory()
    rss_before = max_rss_mib()
    began = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - began
    if memory == "tracemalloc":
        memory_mib = (tracemalloc.get_traced_memory()[1] - traced_before) / 2**20
    else:
        memory_mib = max_rss_mib() - rss_before
    settle(base_url)
    calls = world.state.calls.calls(CallFilter(after_id=mark))
    parts = batch_parts(calls)
    return Measured(
        report=report,
        calls={
            Side.MAILBOX.value: world.calls(provider, mark) - len(parts),
            Side.SALESFORCE.value: world.calls("salesforce", mark),
        },
        seconds=seconds,
        sandbox_seconds=sum(call.duration_ms for call in calls) / 1000,
        memory_mib=memory_mib,
        refused_calls=sum(1 for call in calls if call.status >= 400),
        batch_parts=len(parts),
    )


def batch_parts(calls: list[CallRecord]) -> list[CallRecord]:
    """The inner calls of Google HTTP batches among ``calls``: the sandbox runs each part of a batch through its own
    routes, so its call log holds every part as a call of its own (logged while the batch is answered, before the
    batch itself), although the batch is one HTTP request. A Google client sends one request at a time, so the
    Google calls that start while a batch is being answered are its parts."""
    batches = [call for call in calls if call.provider == "google" and _is_batch(call.path)]
    return [
        call
        for call in calls
        if call.provider == "google"
        and not _is_batch(call.path)
        and any(
            batch.id > call.id and batch.time <= call.time <= batch.time + timedelta(milliseconds=batch.duration_ms)
            for batch in batches
        )
    ]


def _is_batch(path: str) -> bool:
    """Whether a Google path is an HTTP batch endpoint (``/www.googleapis.com/batch/calendar/v3``,
    ``/tasks.googleapis.com/batch``), not a batch method such as ``people:batchCreateContacts``."""
    return path.endswith("/batch") or "/batch/" in path


# -- the parent: one child per case ------------------------------------------------------------------------------


def run_child(script: str, arguments: list[str], *, label: str) -> dict[str, Any]:
    """Run one case of ``script`` in a fresh Python process (its own sandbox, database and memory high-water mark);
    the JSON object it printed last."""
    finished = subprocess.run([sys.executable, script, *arguments], stdout=subprocess.PIPE, text=True, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"the {label} case failed (exit status {finished.returncode})")
    data: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return data


def outcome_from(data: dict[str, Any]) -> CaseOutcome:
    """A child's JSON back as rows and notes."""
    return CaseOutcome([PassRow(**row) for row in data["rows"]], data["notes"])


def memory_label(memory: str) -> str:
    """The memory column's heading."""
    return "peak MiB (tracemalloc)" if memory == "tracemalloc" else "maxrss +MiB"


def run_notes(rows: list[PassRow], counts: list[int], memory: str) -> list[str]:
    """The notes every benchmark prints: Graph throttling, refused calls, how memory was measured."""
    notes = []
    if max(counts) > THROTTLED_UP_TO:
        notes.append(
            f"N > {THROTTLED_UP_TO:,}: the sandbox's Graph per-mailbox throttling was turned off through "
            "/_sandbox/microsoft/settings; retries never sleep"
        )
    else:
        notes.append(
            "the sandbox's Graph throttling was left on (10,000 requests / 10 min, 4 concurrent per mailbox); "
            "retries never sleep"
        )
    refused = sum(row.refused_calls for row in rows)
    notes.append(f"vendor calls answered with an error status across all passes: {refused}")
    if memory == "maxrss":
        notes.append("memory: ru_maxrss growth during the pass, one process per case (0: under an earlier pass's peak)")
    else:
        notes.append("memory: tracemalloc peak during the pass, whole process (sandbox included); wall times inflated")
    return notes
