"""The Graph contact store driven by the real sync engine (Salesforce side in memory), counted on the sandbox."""

from __future__ import annotations

from app.connectors.contact_fields import MATCH_KEY, MULTI_VALUED
from app.sync.config import SyncConfig
from app.sync.engine import run_pass
from app.sync.memory import MemoryItemStore, MemoryStatusStore
from tests.connectors.microsoft.hands import OutlookUser

CONFIG = SyncConfig(multi_valued=MULTI_VALUED, match_key=MATCH_KEY)


def salesforce_with(count: int) -> MemoryItemStore:
    side = MemoryItemStore("sf")
    for n in range(count):
        side.put({"first_name": f"Mary{n}", "last_name": "Jackson", "email": f"mary{n}@nasa.example", "title": "Eng"})
    return side


def test_a_first_sync_into_an_empty_folder_then_a_quiet_pass(outlook: OutlookUser) -> None:
    salesforce, status = salesforce_with(45), MemoryStatusStore()
    store = outlook.store()

    before = outlook.calls()
    first = run_pass(store, salesforce, status, CONFIG)

    assert first.ok and first.committed, first
    # setup (1) + the empty folder's listing (1) + 45 creates in batches of 20 (3)
    assert outlook.calls() - before == 5
    assert len(outlook.contacts_in(None)) == 45

    before = outlook.calls()
    second = run_pass(store, salesforce, status, CONFIG)
    assert second.ok and second.writes == 0, second
    assert outlook.calls() - before == 1  # our own creates come back in one batch and cost nothing

    before = outlook.calls()
    third = run_pass(store, salesforce, status, CONFIG)
    assert third.ok and third.writes == 0
    assert outlook.calls() - before == 1


def test_an_outlook_edit_reaches_salesforce_and_a_deleted_folder_trips_the_guard(outlook: OutlookUser) -> None:
    salesforce, status = salesforce_with(5), MemoryStatusStore()
    store = outlook.store()
    run_pass(store, salesforce, status, CONFIG)
    run_pass(store, salesforce, status, CONFIG)
    contact = outlook.contacts_in(None)[0]
    outlook.patch(contact["id"], {"jobTitle": "Aerospace Engineer"})

    edited = run_pass(store, salesforce, status, CONFIG)

    assert edited.ok and edited.writes == 1
    assert "Aerospace Engineer" in {item.fields.get("title") for item in salesforce.snapshot().values()}

    assert outlook.http.delete(f"/me/contactFolders/{outlook.folder_id}").status_code == 204
    guarded = run_pass(store, salesforce, status, CONFIG)
    assert guarded.guard is not None and guarded.writes == 0
    assert len(salesforce.snapshot()) == 5
