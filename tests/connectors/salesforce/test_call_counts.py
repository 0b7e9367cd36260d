"""API calls against the floors of sync-engine.md §3: reads ⌈R/10,000⌉ composite calls, writes ⌈W/1,000⌉, a pass
with no change one call; counted from the sandbox's call log."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from app.connectors.contact_fields import MATCH_KEY, MULTI_VALUED
from app.connectors.salesforce.contacts_store import ContactScope
from app.sync.config import Side, SyncConfig
from app.sync.engine import run_pass
from app.sync.items import normalise_fields
from app.sync.memory import MemoryItemStore, MemoryStatusStore
from app.sync.stores import Create, Item, Update, Written
from tests.connectors.salesforce.support import OrgHands, api_calls, last_call_id, make_store, seed_contacts
from tests.sandbox.conftest import LiveSandbox

COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises", "Soylent")


def person(n: int, **extra: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "first_name": f"Nia{n}",
        "last_name": f"Count{n}",
        "email": f"nia{n}@count.example.com",
        "phones": (f"+1 555 {n:04d}",),
        "title": "Buyer",
    }
    fields.update(extra)
    return fields


@pytest.fixture
def seeded(live_sandbox: LiveSandbox) -> LiveSandbox:
    """5,000 generated contacts (and as many of every other object), owned round-robin, all visible to Alex."""
    seed_contacts(live_sandbox, 5000)
    return live_sandbox


def test_a_complete_listing_of_5000_is_one_call_and_a_pass_with_no_change_is_one(seeded: LiveSandbox) -> None:
    store = make_store(seeded, scope=ContactScope.ALL)

    before = last_call_id(seeded)
    first = store.list_changes(None)
    found = store.get_many(sorted(first.entries))
    assert len(first.entries) == 5000 and all(isinstance(item, Item) for item in found.values())
    assert api_calls(seeded, before) == math.ceil(5000 / 10_000)  # the describe rides along

    before = last_call_id(seeded)
    second = store.list_changes(first.cursor)
    assert api_calls(seeded, before) == 1 and second.entries == {}

    seeded.state.clock.advance(timedelta(days=1, minutes=1))
    before = last_call_id(seeded)
    daily = store.list_changes(second.cursor)
    assert api_calls(seeded, before) == 1  # Id + SystemModstamp of all 5,000, and the describe again
    assert daily.complete and len(daily.entries) == 5000


def test_more_rows_than_one_call_reads_page_on_in_the_next(live_sandbox: LiveSandbox) -> None:
    seed_contacts(live_sandbox, 10_500)
    store = make_store(live_sandbox, scope=ContactScope.ALL)

    before = last_call_id(live_sandbox)
    listing = store.list_changes(None)

    assert len(listing.entries) == 10_500
    assert api_calls(live_sandbox, before) == math.ceil(10_500 / 10_000)


def test_1000_creates_are_one_call_and_their_companies_one_more(live: LiveSandbox, hands: OrgHands) -> None:
    for company in COMPANIES:
        hands.account(company)
    store = make_store(live)
    store.list_changes(None)

    before = last_call_id(live)
    plain = store.create_many([Create(normalise_fields(person(n)), f"crmbridge:mailbox:p{n}") for n in range(1000)])
    assert api_calls(live, before) == 1 and all(isinstance(result, Written) for result in plain)

    batch = [person(n, company=COMPANIES[n % len(COMPANIES)]) for n in range(1000, 2000)]
    before = last_call_id(live)
    made = store.create_many([Create(normalise_fields(f), f"crmbridge:mailbox:c{i}") for i, f in enumerate(batch)])
    assert api_calls(live, before) == 1 + 1
    assert all(isinstance(result, Written) and result.stored is None for result in made)

    items = [(r.id, f) for r, f in zip(plain, range(1000), strict=True) if isinstance(r, Written)]
    before = last_call_id(live)
    updated = store.update_many([Update(i, "", normalise_fields(person(n, title="Head buyer"))) for i, n in items])
    deleted = store.delete_many([])
    assert api_calls(live, before) == 1 and all(isinstance(result, Written) for result in updated) and not deleted


def test_an_initial_sync_of_5000_mailbox_contacts_stays_within_the_floor(live: LiveSandbox, hands: OrgHands) -> None:
    for company in COMPANIES:
        hands.account(company)
    mailbox = MemoryItemStore("mailbox")
    for n in range(5000):
        mailbox.put(person(n, company=COMPANIES[n % len(COMPANIES)]))
    salesforce = make_store(live)
    status = MemoryStatusStore()
    config = SyncConfig(multi_valued=MULTI_VALUED, match_key=MATCH_KEY)

    before = last_call_id(live)
    first = run_pass(mailbox, salesforce, status, config)
    calls = api_calls(live, before)

    assert first.ok and first.summary[Side.SALESFORCE].created == 5000
    floor = math.ceil(0 / 10_000) + math.ceil(5000 / 1000) + 1  # reads, writes, the describe
    assert calls == 1 + 1 + 5 <= 1.25 * floor  # the listing (with the describe), one company lookup, five writes
    assert len(hands.contacts()) == 5000

    before = last_call_id(live)
    echo = run_pass(mailbox, salesforce, status, config)
    assert echo.ok and echo.writes == 0
    assert api_calls(live, before) == 1  # our 5,000 writes come back in one listing and cost nothing more

    before = last_call_id(live)
    quiet = run_pass(mailbox, salesforce, status, config)
    assert quiet.ok and quiet.writes == 0 and api_calls(live, before) == 1
