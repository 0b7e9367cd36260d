"""The Company rule: which Account a contact written from the mailbox gets, and what Salesforce then holds."""

from __future__ import annotations

from datetime import timedelta

from app.sync.items import normalise_fields
from app.sync.stores import Create, Item, Update, Written
from tests.connectors.salesforce.support import OrgHands, api_calls, last_call_id, make_store
from tests.sandbox.conftest import LiveSandbox


def person(n: int, **extra: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "first_name": f"Kim{n}",
        "last_name": f"Account{n}",
        "email": f"kim{n}@acc.example.com",
    }
    fields.update(extra)
    return fields


def create(live: LiveSandbox, *batch: dict[str, object]) -> list[Written]:
    store = make_store(live)
    results = store.create_many(
        [Create(normalise_fields(fields), f"crmbridge:mailbox:acc{i}") for i, fields in enumerate(batch)]
    )
    assert all(isinstance(result, Written) for result in results), results
    return [result for result in results if isinstance(result, Written)]


def test_an_exact_name_wins_and_of_several_the_earliest_created(live: LiveSandbox, hands: OrgHands) -> None:
    now = live.state.clock.now()
    newer = hands.account("Globex", created=now - timedelta(days=1))  # the smaller id, created later
    earliest = hands.account("GLOBEX", created=now - timedelta(days=30))
    hands.account("Globex Europe")

    (result,) = create(live, person(1, company="globex"))

    assert hands.row(result.id)["AccountId"] == earliest != newer
    assert result.stored is not None and result.stored["company"] == "GLOBEX"


def test_a_unique_containing_name_matches(live: LiveSandbox, hands: OrgHands) -> None:
    initech = hands.account("Initech Holdings Ltd")
    hands.account("Umbrella")

    (result,) = create(live, person(1, company="initech"))

    assert hands.row(result.id)["AccountId"] == initech
    assert result.stored is not None and result.stored["company"] == "Initech Holdings Ltd"


def test_an_ambiguous_containing_name_or_none_means_no_account_and_no_company(
    live: LiveSandbox, hands: OrgHands
) -> None:
    hands.account("Umbrella East")
    hands.account("Umbrella West")

    ambiguous, unknown = create(live, person(1, company="Umbrella"), person(2, company="Nowhere Inc"))

    for result, n in ((ambiguous, 1), (unknown, 2)):
        assert hands.row(result.id)["AccountId"] is None
        assert result.stored == normalise_fields(person(n))  # written, but without its company
    read = make_store(live).get_many([ambiguous.id])[ambiguous.id]
    assert isinstance(read, Item) and read.fields == ambiguous.stored


def test_a_batch_finds_every_company_in_one_lookup_call(live: LiveSandbox, hands: OrgHands) -> None:
    accounts = {name: hands.account(name) for name in ("Acme", "Zenith Labs", "O'Brien & Sons")}
    store = make_store(live)
    store.list_changes(None)  # the describe is cached from here
    batch = [person(n, company=company) for n, company in enumerate(["acme", "Zenith", "O'Brien & Sons", "Acme"] * 5)]

    before = last_call_id(live)
    results = store.create_many([Create(normalise_fields(f), f"crmbridge:mailbox:b{i}") for i, f in enumerate(batch)])

    assert api_calls(live, before) == 2  # the lookup, then the writes
    expected = [accounts["Acme"], accounts["Zenith Labs"], accounts["O'Brien & Sons"], accounts["Acme"]] * 5
    assert [hands.row(r.id)["AccountId"] for r in results if isinstance(r, Written)] == expected


def test_an_update_that_changes_company_finds_the_account_again_and_no_match_keeps_it(
    live: LiveSandbox, hands: OrgHands
) -> None:
    acme, zeta = hands.account("Acme"), hands.account("Zeta")
    contact = hands.add(person(1), account_id=acme)
    store = make_store(live)
    store.list_changes(None)

    def update(**changes: object) -> Written:
        item = store.get_many([contact])[contact]
        assert isinstance(item, Item)
        (answer,) = store.update_many([Update(contact, item.etag, normalise_fields(person(1, **changes)))])
        assert isinstance(answer, Written), answer
        return answer

    before = last_call_id(live)
    same = update(company="ACME")
    assert api_calls(live, before) == 1  # the listing read it; the company is unchanged: the write alone
    assert hands.row(contact)["AccountId"] == acme and same.stored is not None and same.stored["company"] == "Acme"

    moved = update(company="Zeta")
    assert hands.row(contact)["AccountId"] == zeta and moved.stored is None

    kept = update(company="Nobody Ltd")
    assert hands.row(contact)["AccountId"] == zeta
    assert kept.stored is not None and kept.stored["company"] == "Zeta"

    cleared = update()
    assert hands.row(contact)["AccountId"] is None and cleared.stored is None


def test_an_update_without_a_read_first_still_knows_the_current_account(live: LiveSandbox, hands: OrgHands) -> None:
    acme = hands.account("Acme")
    contact = hands.add(person(1), account_id=acme)
    store = make_store(live)

    (answer,) = store.update_many([Update(contact, "", normalise_fields(person(1, company="Nobody Ltd")))])

    assert isinstance(answer, Written)
    assert hands.row(contact)["AccountId"] == acme
    assert answer.stored is not None and answer.stored["company"] == "Acme"
