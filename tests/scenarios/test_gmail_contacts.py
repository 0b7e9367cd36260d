"""Contact scenarios of the reference catalogue (§4), Gmail (People API) and Salesforce, end to end on the sandbox."""

from __future__ import annotations

from typing import Any

import httpx

from app.connectors.selection import SYNC_CONTAINER_NAME
from app.models import SyncRunStatus
from app.sandbox.google.backend import GoogleBackend
from app.services import sync_settings as keys
from app.sync.config import Side
from tests.scenarios.contact_world import PEOPLE, ContactWorld

PRIYA = "priya.shah@example.com"


def group_name(http: httpx.Client) -> str:
    groups = http.get(f"{PEOPLE}/contactGroups", params={"pageSize": "1000"}).json()["contactGroups"]
    return next(g["resourceName"] for g in groups if g.get("name") == SYNC_CONTAINER_NAME)


def group_contacts(world: ContactWorld) -> list[dict[str, Any]]:
    """The people in Priya's "Salesforce Contacts" group."""
    with world.google(PRIYA) as http:
        group = http.get(f"{PEOPLE}/{group_name(http)}", params={"maxMembers": "1000"}).json()
        names = group.get("memberResourceNames", [])
        people: list[dict[str, Any]] = []
        for start in range(0, len(names), 200):
            answer = http.get(
                f"{PEOPLE}/people:batchGet",
                params=[("personFields", "names,emailAddresses")]
                + [("resourceNames", name) for name in names[start : start + 200]],
            ).json()
            people += [entry["person"] for entry in answer["responses"]]
    return people


def emails(people: list[dict[str, Any]]) -> list[str]:
    return sorted(p["emailAddresses"][0]["value"].lower() for p in people if p.get("emailAddresses"))


def first_sync(world: ContactWorld) -> list[dict[str, Any]]:
    report = world.sync(PRIYA)
    assert report.status is SyncRunStatus.SUCCEEDED, report.message
    return group_contacts(world)


def test_first_pass_fills_the_group_and_the_next_is_one_call_per_side_with_no_writes(world: ContactWorld) -> None:
    owned = world.owned_contacts(PRIYA)
    assert len(owned) > 5

    people = first_sync(world)

    assert emails(people) == sorted(c["Email"].lower() for c in owned if c["Email"])
    assert len(world.links(PRIYA)) == len(owned)
    world.sync(PRIYA)
    mark = world.mark()
    quiet = world.sync(PRIYA)
    assert quiet.result is not None and quiet.result.writes == 0
    assert world.calls("google", mark) == 1
    assert world.calls("salesforce", mark) == 1


def test_c18_a_contact_deleted_in_gmail_comes_back_and_salesforce_keeps_it(world: ContactWorld) -> None:
    people = first_sync(world)
    victim = people[0]["resourceName"]
    with world.google(PRIYA) as http:
        assert http.delete(f"{PEOPLE}/{victim}:deleteContact").status_code == 200

    report = world.sync(PRIYA)

    assert report.result is not None
    assert (report.result.summary[Side.MAILBOX].created, report.result.summary[Side.SALESFORCE].deleted) == (1, 0)
    assert emails(group_contacts(world)) == emails(people)


def test_c23_an_emptied_group_deletes_nothing_in_salesforce(world: ContactWorld) -> None:
    people = first_sync(world)
    owned = world.owned_contacts(PRIYA)
    world.set(PRIYA, keys.CONTACTS_FORBID_TO_REMOVE, False)
    with world.google(PRIYA) as http:
        answer = http.post(
            f"{PEOPLE}/people:batchDeleteContacts", json={"resourceNames": [p["resourceName"] for p in people]}
        )
        assert answer.status_code == 200, answer.text

    report = world.sync(PRIYA)

    assert report.status is SyncRunStatus.ABORTED
    assert len(world.owned_contacts(PRIYA)) == len(owned)


def test_d27_a_contact_taken_out_of_the_group_is_unsynced_not_deleted(world: ContactWorld) -> None:
    people = first_sync(world)
    leaving = people[0]["resourceName"]
    owned = len(world.owned_contacts(PRIYA))
    with world.google(PRIYA) as http:
        answer = http.post(f"{PEOPLE}/{group_name(http)}/members:modify", json={"resourceNamesToRemove": [leaving]})
        assert answer.status_code == 200, answer.text

    report = world.sync(PRIYA)

    assert report.result is not None and report.result.writes == 0
    assert report.result.summary[Side.MAILBOX].unlinked == 1
    assert len(world.owned_contacts(PRIYA)) == owned
    with world.google(PRIYA) as http:
        assert http.get(f"{PEOPLE}/{leaving}", params={"personFields": "names"}).status_code == 200


def test_f50_an_expired_sync_token_relists_without_duplicates_or_deletions(world: ContactWorld) -> None:
    people = first_sync(world)
    world.sync(PRIYA)
    world.state.backend("google", GoogleBackend).invalidate_sync_tokens(PRIYA)

    report = world.sync(PRIYA)

    assert report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    assert report.result.writes == 0
    assert emails(group_contacts(world)) == emails(people)
    assert world.sync(PRIYA).result.writes == 0  # type: ignore[union-attr]
