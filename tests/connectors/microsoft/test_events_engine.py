"""The Graph event store driven by the real sync engine (Salesforce side in memory), counted on the sandbox."""

from __future__ import annotations

from app.connectors.event_fields import EVENT_MULTI_VALUED
from app.sync.config import SyncConfig
from app.sync.engine import run_pass
from app.sync.memory import MemoryItemStore, MemoryStatusStore
from tests.connectors.microsoft.calendar_hands import CalendarUser, alex  # noqa: F401 (fixture)

CONFIG = SyncConfig(multi_valued=EVENT_MULTI_VALUED, match_key=("subject", "start"))


def test_a_first_sync_of_events_then_quiet_passes_and_an_outlook_edit(alex: CalendarUser) -> None:  # noqa: F811
    salesforce, status = MemoryItemStore("sf"), MemoryStatusStore()
    for n in range(25):
        salesforce.put(alex.timed(1 + n % 20, 8 + n % 9, subject=f"Call {n}", attendees=("grace@navy.example",)))
    mine = alex.add(alex.timed(3, 7, subject="Made in Outlook", location="Room 1"))
    store = alex.store()

    before = alex.calls()
    first = run_pass(store, salesforce, status, CONFIG)
    assert first.ok and first.committed, first
    # the listing (1), the Outlook event read in full (1), 25 creates in batches of 20 (2)
    assert alex.calls() - before == 4
    assert len(salesforce.snapshot()) == 26

    before = alex.calls()
    second = run_pass(store, salesforce, status, CONFIG)
    assert second.ok and second.writes == 0, second
    assert alex.calls() - before == 1  # our own creates come back in one delta page and cost nothing

    alex.edit(mine, {"location": "Room 2"})
    before = alex.calls()
    edited = run_pass(store, salesforce, status, CONFIG)
    assert edited.ok and edited.writes == 1, edited
    assert alex.calls() - before == 2  # the delta page, then the event read in full
    assert "Room 2" in {item.fields.get("location") for item in salesforce.snapshot().values()}
    assert run_pass(store, salesforce, status, CONFIG).writes == 0
