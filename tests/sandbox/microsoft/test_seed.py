"""Demo mailboxes: the demo people the Salesforce org also holds, deterministic; generated mailboxes for int seeds."""

from __future__ import annotations

import time

from app.sandbox.demo_people import demo_people
from app.sandbox.microsoft.backend import MicrosoftBackend
from app.sandbox.microsoft.seed import SERIES_SUBJECT
from tests.sandbox.conftest import LiveSandbox
from tests.sandbox.microsoft.conftest import ALEX, JORDAN, SAM


def _backend(sandbox: LiveSandbox) -> MicrosoftBackend:
    return sandbox.state.backend("microsoft", MicrosoftBackend)


def _snapshot(sandbox: LiveSandbox) -> dict[str, list[tuple[str, str, object]]]:
    backend = _backend(sandbox)
    return {
        email: sorted(
            (mailbox.item_id(i, immutable=True), i.kind, sorted(i.props.items(), key=str))
            for i in mailbox.items.values()
        )
        for email, mailbox in backend.mailboxes.items()
    }


def test_demo_mailboxes_hold_the_demo_people_each_user_knows(sandbox: LiveSandbox) -> None:
    backend = _backend(sandbox)
    assert set(backend.mailboxes) == {ALEX, SAM, JORDAN}
    for email, mailbox in backend.mailboxes.items():
        known = {p.email for p in demo_people() if p.known_by == email}
        addresses = {i.props["emailAddresses"][0]["address"] for i in mailbox.items.values() if i.kind == "contact"}
        assert addresses == known and known
        kinds = {i.kind for i in mailbox.items.values()}
        assert kinds == {"contact", "event", "task", "message"}
        series = [i for i in mailbox.items.values() if i.kind == "event" and i.props.get("subject") == SERIES_SUBJECT]
        assert len(series) == 1 and len(series[0].exceptions) == 1
        assert any(i.kind == "event" and i.props.get("sensitivity") == "private" for i in mailbox.items.values())
        assert any(i.kind == "message" and i.attachments for i in mailbox.items.values())


def test_demo_data_is_deterministic(live_sandbox: LiveSandbox) -> None:
    live_sandbox.reset("demo")
    first = _snapshot(live_sandbox)
    live_sandbox.reset("demo")
    assert _snapshot(live_sandbox) == first


def test_an_int_seed_generates_n_of_each_per_microsoft_user(live_sandbox: LiveSandbox) -> None:
    live_sandbox.reset(7)
    for mailbox in _backend(live_sandbox).mailboxes.values():
        counts = {
            kind: sum(1 for i in mailbox.items.values() if i.kind == kind) for kind in ("contact", "event", "task")
        }
        assert counts == {"contact": 7, "event": 7, "task": 7}
        addresses = [i.props["emailAddresses"][0]["address"] for i in mailbox.items.values() if i.kind == "contact"]
        assert len(set(addresses)) == 7
    started = time.perf_counter()
    live_sandbox.reset(1000)
    assert time.perf_counter() - started < 5
    assert all(len(m.items) == 3000 for m in _backend(live_sandbox).mailboxes.values())
    live_sandbox.reset("demo")
