#!/usr/bin/env python3
"""Benchmark of the Outlook sidebar's API: lookup and log at 1, 10 and 50 concurrent reps, against the sandbox.

Everything runs in this process: the sandbox (demo data) and crmbridge (sandbox mode, a fresh SQLite database) are
each served by uvicorn on a loopback port, and the reps are threads calling crmbridge over HTTP with their own
access tokens, as task panes would. Each rep looks up, then logs, emails with five addresses (a sender and four
copied people, one of them unknown to the org), every email a new one.

Printed: p50 and p95 latency of lookup and log per concurrency level, and Salesforce API calls per lookup and per
log, counted from the sandbox's call log (the org's REST API only; sign-in and token calls are not API calls).

    .venv/bin/python bench/sidebar.py [--rounds 4] [--levels 1,10,50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.api.bearer_auth import SANDBOX_CLIENT_ID
from app.db import create_db_engine, unit_of_work
from app.main import create_app
from app.migrations import upgrade
from app.models import MailProvider, Provider, User
from app.sandbox.app import create_sandbox_app, create_sandbox_state
from app.sandbox.directory import SandboxUser
from app.sandbox.state import SandboxState
from app.services.connections import IssuedTokens, save_connection
from app.settings import Settings
from tests.live_server import serve_in_thread
from tests.sandbox.oauth_browser import api_access_token, vendor_client

INSTANCE_URL = "https://sandbox.my.salesforce.com"


@dataclass
class Rep:
    """A benchmark rep: their address and API token."""

    email: str
    token: str


@dataclass
class Timings:
    """Latencies (seconds) of one operation."""

    samples: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float) -> None:
        with self.lock:
            self.samples.append(seconds)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def api_token(base_url: str, email: str) -> str:
    """An access token for crmbridge's API through the sandbox's Microsoft sign-in (authorization code + PKCE)."""
    with vendor_client(base_url) as http:
        return api_access_token(http, client_id=SANDBOX_CLIENT_ID, email=email)


def make_reps(state: SandboxState, sandbox_url: str, app: Any, count: int) -> list[Rep]:
    """``count`` sandbox users (Microsoft mailbox, Salesforce Standard User), each a connected crmbridge user."""
    reps: list[Rep] = []
    with unit_of_work(app.state.engine) as db:
        for number in range(count):
            email = f"bench.rep{number:02d}@example.com"
            person = state.add_user(SandboxUser(email, f"Bench Rep {number:02d}", "microsoft"))
            user = User(email=email, name=person.name, mail_provider=MailProvider.MICROSOFT)
            db.add(user)
            db.flush()
            assert user.id is not None and person.salesforce_id is not None
            save_connection(
                db,
                user_id=user.id,
                provider=Provider.SALESFORCE,
                account_id=person.salesforce_id,
                tokens=IssuedTokens(
                    access_token=state.tokens.issue_access_token("salesforce", email, lifetime=timedelta(days=1)),
                    expires_at=datetime.now(UTC) + timedelta(days=1),
                    instance_url=INSTANCE_URL,
                ),
                cipher=app.state.token_cipher,
            )
            reps.append(Rep(email, ""))
    for rep in reps:
        rep.token = api_token(sandbox_url, rep.email)
    return reps


def contact_addresses(sandbox_url: str, state: SandboxState) -> list[str]:
    """Addresses of the demo org's Contacts (queried through the REST API as the administrator)."""
    token = state.tokens.issue_access_token("salesforce", "sam.taylor@example.com")
    with vendor_client(sandbox_url) as http:
        answer = http.get(
            f"{INSTANCE_URL}/services/data/v62.0/query",
            params={"q": "SELECT Email FROM Contact WHERE Email != null ORDER BY CreatedDate LIMIT 200"},
            headers={"Authorization": f"Bearer {token}"},
        )
        answer.raise_for_status()
        return [row["Email"] for row in answer.json()["records"]]


def api_calls(state: SandboxState, after_id: int) -> int:
    """Salesforce REST API calls since ``after_id``."""
    return sum(
        1
        for call in state.calls.calls()
        if call.id > after_id and call.provider == "salesforce" and "/services/data/" in call.path
    )


def run_level(
    app_url: str, state: SandboxState, reps: list[Rep], addresses: list[str], rounds: int
) -> dict[str, float]:
    """Every rep looks up, then logs, ``rounds`` emails at once; latencies and Salesforce calls per operation."""
    results: dict[str, float] = {}
    errors: list[str] = []

    def email_of(rep_index: int, round_index: int) -> dict[str, Any]:
        rep = reps[rep_index]
        base = (rep_index * 7 + round_index * 3) % (len(addresses) - 4)
        people = addresses[base : base + 4]
        return {
            "internet_message_id": f"<bench-{len(reps)}-{rep_index}-{round_index}-{time.monotonic_ns()}@bench.example>",
            "subject": f"Bench email {round_index}",
            "from": {"address": people[0]},
            "to": [{"address": rep.email}],
            "cc": [{"address": address} for address in people[1:]] + [{"address": "nobody@unknown.example"}],
            "date": datetime.now(UTC).isoformat(),
            "text_body": "Hello from the benchmark.",
            "html_body": "<p>Hello from the benchmark.</p>",
        }

    emails = [[email_of(r, k) for k in range(rounds)] for r in range(len(reps))]
    lookups: list[list[dict[str, Any]]] = [[] for _ in reps]

    def phase(name: str, work: Callable[[httpx.Client, int, int], None]) -> None:
        timings = Timings()
        barrier = threading.Barrier(len(reps))

        def worker(index: int) -> None:
            with httpx.Client(
                base_url=app_url, timeout=120, headers={"Authorization": f"Bearer {reps[index].token}"}
            ) as client:
                barrier.wait()
                for round_index in range(rounds):
                    started = time.perf_counter()
                    try:
                        work(client, index, round_index)
                    except Exception as exc:
                        errors.append(f"{name}: {exc}")
                    timings.add(time.perf_counter() - started)

        mark = state.calls.last_id
        threads = [threading.Thread(target=worker, args=(index,)) for index in range(len(reps))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results[f"{name}_p50"] = timings.percentile(0.5)
        results[f"{name}_p95"] = timings.percentile(0.95)
        results[f"{name}_calls"] = api_calls(state, mark) / (len(reps) * rounds)

    def lookup(client: httpx.Client, index: int, round_index: int) -> None:
        email = emails[index][round_index]
        body = {key: email[key] for key in ("internet_message_id", "from", "to", "cc")}
        answer = client.post("/api/emails/lookup", json=body)
        answer.raise_for_status()
        lookups[index].append(answer.json())

    def log(client: httpx.Client, index: int, round_index: int) -> None:
        found = lookups[index][round_index]
        ids = [match["id"] for person in found["people"] for match in person["matches"]]
        related = found["accounts"][0]["id"] if found["accounts"] else None
        answer = client.post(
            "/api/emails/log",
            json={"email": emails[index][round_index], "relate_ids": ids, "related_to_id": related},
        )
        answer.raise_for_status()

    phase("lookup", lookup)
    phase("log", log)
    if errors:
        print(f"  {len(errors)} errors at {len(reps)} reps, e.g. {errors[0]}", file=sys.stderr)
    results["errors"] = len(errors)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4, help="emails each rep looks up and logs per level")
    parser.add_argument("--levels", default="1,10,50", help="concurrent reps, comma-separated")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]

    state = create_sandbox_state("demo")
    with tempfile.TemporaryDirectory() as directory, serve_in_thread(create_sandbox_app(state)) as sandbox_url:
        database_url = f"sqlite:///{directory}/bench.db"
        upgrade(database_url)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=database_url,
            data_dir=Path(directory),
            sandbox=True,
            sandbox_url=sandbox_url,
            sandbox_demo_users=False,
            log_level="WARNING",
        )
        engine = create_db_engine(database_url)
        app = create_app(settings, engine)
        addresses = contact_addresses(sandbox_url, state)
        all_reps = make_reps(state, sandbox_url, app, max(levels))
        rows = []
        with serve_in_thread(app) as app_url:
            run_level(app_url, state, all_reps[:1], addresses, 1)  # warm up: connections, the org's profile
            for level in levels:
                rows.append((level, run_level(app_url, state, all_reps[:level], addresses, args.rounds)))
        engine.dispose()

    print(f"\nSidebar API on the sandbox ({args.rounds} emails per rep and level, 5 addresses each)\n")
    print("| concurrent reps | lookup p50 | lookup p95 | log p50 | log p95 | Salesforce calls per lookup | per log |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for level, result in rows:
        print(
            f"| {level} | {result['lookup_p50'] * 1000:.0f} ms | {result['lookup_p95'] * 1000:.0f} ms | "
            f"{result['log_p50'] * 1000:.0f} ms | {result['log_p95'] * 1000:.0f} ms | "
            f"{result['lookup_calls']:.2f} | {result['log_calls']:.2f} |"
        )
    failed = sum(int(result["errors"]) for _, result in rows)
    if failed:
        print(f"\n{failed} operations failed (see above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
