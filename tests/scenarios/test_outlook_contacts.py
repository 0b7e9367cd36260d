"""Contact scenarios of the reference catalogue (§4), Outlook and Salesforce, end to end on the sandbox.

Each test runs passes exactly as ``crmbridge sync`` does, then checks both sides, the status rows and, where
it is the point, the number of API calls per side.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlmodel import Session, select

from app.connectors.salesforce.client import Subrequest
from app.connectors.selection import SYNC_CATEGORY
from app.models import SyncConflict, SyncRun, SyncRunStatus
from app.services import sync_settings as keys
from app.sync.config import Side
from tests.scenarios.contact_world import GRAPH, ContactWorld

ALEX = "alex.morgan@example.com"


def first_sync(world: ContactWorld) -> list[dict[str, Any]]:
    report = world.sync(ALEX)
    assert report.status is SyncRunStatus.SUCCEEDED, report.message
    return world.sync_folder_contacts(ALEX)


def emails(contacts: list[dict[str, Any]]) -> list[str]:
    return sorted(c["emailAddresses"][0]["address"].lower() for c in contacts if c.get("emailAddresses"))


def sf_update(world: ContactWorld, contact_id: str, fields: dict[str, Any]) -> None:
    with world.salesforce(ALEX) as client:
        result = client.composite(
            [Subrequest("u", "PATCH", f"sobjects/Contact/{contact_id}", fields)], all_or_none=True
        )
    assert result["u"].ok, result["u"].body


def sf_delete(world: ContactWorld, contact_id: str) -> None:
    with world.salesforce(ALEX) as client:
        result = client.composite([Subrequest("d", "DELETE", f"sobjects/Contact/{contact_id}")], all_or_none=True)
    assert result["d"].ok, result["d"].body


def sf_stamps(world: ContactWorld) -> dict[str, str]:
    """Every contact Alex can see, with its SystemModstamp: any write to Salesforce changes this."""
    with world.salesforce(ALEX) as client:
        return {row["Id"]: row["SystemModstamp"] for row in client.query("SELECT Id, SystemModstamp FROM Contact")}


def folder_keys(world: ContactWorld) -> dict[str, str]:
    """Every contact of Alex's synced folder, with its changeKey: any write to it changes this."""
    return {contact["id"]: contact["changeKey"] for contact in world.sync_folder_contacts(ALEX)}


def sf_contact(world: ContactWorld, contact_id: str) -> dict[str, Any] | None:
    with world.salesforce(ALEX) as client:
        rows = client.query(
            "SELECT Id, FirstName, LastName, Email, Title, Account.Name, IsDeleted "
            f"FROM Contact WHERE Id = '{contact_id}'"
        )
    return rows[0] if rows else None


def test_first_pass_fills_the_folder_and_the_next_is_one_call_per_side_with_no_writes(world: ContactWorld) -> None:
    owned = world.owned_contacts(ALEX)
    assert len(owned) > 5

    folder = first_sync(world)

    assert emails(folder) == sorted(c["Email"].lower() for c in owned if c["Email"])
    assert len(world.links(ALEX)) == len(owned)
    world.sync(ALEX)  # our own creates come back through delta: recognised, nothing written
    mark = world.mark()
    quiet = world.sync(ALEX)
    assert quiet.result is not None and quiet.result.writes == 0
    assert world.calls("microsoft", mark) == 1
    assert world.calls("salesforce", mark) == 1
    with Session(world.engine) as session:
        runs = session.exec(select(SyncRun).where(SyncRun.user_id == world.user(ALEX).id)).all()
    assert [run.status for run in runs] == [SyncRunStatus.SUCCEEDED] * 3
    assert runs[0].counts["mailbox"]["created"] == len(owned)


def test_a1_the_same_person_on_both_sides_is_linked_not_duplicated(world: ContactWorld) -> None:
    owned = world.owned_contacts(ALEX)
    target = next(c for c in owned if c["Email"])
    folder_id = world.sync_folder_id(ALEX)
    if folder_id is None:
        with world.graph(ALEX) as graph:
            folder_id = graph.post(f"{GRAPH}/me/contactFolders", json={"displayName": "Salesforce Contacts"}).json()[
                "id"
            ]
    with world.graph(ALEX) as graph:
        created = graph.post(
            f"{GRAPH}/me/contactFolders/{folder_id}/contacts",
            json={"givenName": "Someone", "surname": "Else", "emailAddresses": [{"address": target["Email"].upper()}]},
        )
        assert created.status_code == 201

    folder = first_sync(world)

    assert emails(folder).count(target["Email"].lower()) == 1
    assert len(world.owned_contacts(ALEX)) == len(owned)
    linked = [link for link in world.links(ALEX) if link.salesforce_id == target["Id"]]
    assert len(linked) == 1 and linked[0].mailbox_id == created.json()["id"]


def test_c18_forbid_to_remove_brings_a_deleted_contact_back_and_keeps_salesforce(world: ContactWorld) -> None:
    folder = first_sync(world)
    victim = folder[0]
    link = next(link for link in world.links(ALEX) if link.mailbox_id == victim["id"])
    with world.graph(ALEX) as graph:
        assert graph.delete(f"{GRAPH}/me/contacts/{victim['id']}").status_code == 204

    report = world.sync(ALEX)

    assert report.result is not None and report.result.summary[Side.MAILBOX].created == 1
    assert report.result.summary[Side.SALESFORCE].deleted == 0
    assert sf_contact(world, str(link.salesforce_id)) is not None
    back = world.sync_folder_contacts(ALEX)
    assert len(back) == len(folder)
    relinked = next(row for row in world.links(ALEX) if row.salesforce_id == link.salesforce_id)
    assert relinked.mailbox_id != victim["id"]
    assert world.sync(ALEX).result.writes == 0  # type: ignore[union-attr]


def test_c17_with_removal_allowed_a_mailbox_delete_deletes_the_salesforce_contact(world: ContactWorld) -> None:
    folder = first_sync(world)
    world.set(ALEX, keys.CONTACTS_FORBID_TO_REMOVE, False)
    victim = folder[0]
    link = next(link for link in world.links(ALEX) if link.mailbox_id == victim["id"])
    with world.graph(ALEX) as graph:
        assert graph.delete(f"{GRAPH}/me/contacts/{victim['id']}").status_code == 204

    report = world.sync(ALEX)

    assert report.result is not None and report.result.summary[Side.SALESFORCE].deleted == 1
    assert sf_contact(world, str(link.salesforce_id)) is None
    assert all(row.salesforce_id != link.salesforce_id for row in world.links(ALEX))


def test_a_contact_deleted_in_salesforce_leaves_the_folder(world: ContactWorld) -> None:
    folder = first_sync(world)
    link = world.links(ALEX)[0]

    sf_delete(world, str(link.salesforce_id))
    report = world.sync(ALEX)

    assert report.result is not None and report.result.summary[Side.MAILBOX].deleted == 1
    assert len(world.sync_folder_contacts(ALEX)) == len(folder) - 1
    with world.graph(ALEX) as graph:
        assert graph.get(f"{GRAPH}/me/contacts/{link.mailbox_id}").status_code == 404


def test_c23_an_emptied_folder_deletes_nothing_in_salesforce(world: ContactWorld) -> None:
    folder = first_sync(world)
    owned = world.owned_contacts(ALEX)
    with world.graph(ALEX) as graph:
        for contact in folder:
            assert graph.delete(f"{GRAPH}/me/contacts/{contact['id']}").status_code == 204
    world.set(ALEX, keys.CONTACTS_FORBID_TO_REMOVE, False)

    report = world.sync(ALEX)

    assert report.status is SyncRunStatus.ABORTED and report.failed
    assert report.message is not None and "nothing was changed" in report.message
    assert len(world.owned_contacts(ALEX)) == len(owned)
    assert len(world.links(ALEX)) == len(owned)


def test_d27_a_contact_moved_out_of_the_folder_is_unsynced_not_deleted(world: ContactWorld) -> None:
    folder = first_sync(world)
    moved = folder[0]
    link = next(link for link in world.links(ALEX) if link.mailbox_id == moved["id"])
    world.sandbox_move(ALEX, moved["id"], "contacts")

    report = world.sync(ALEX)

    assert report.result is not None and report.result.writes == 0
    assert report.result.summary[Side.MAILBOX].unlinked == 1
    assert sf_contact(world, str(link.salesforce_id)) is not None
    parked = next(row for row in world.links(ALEX) if row.id == link.id)
    assert parked.scope_state == "parked:mailbox"
    sf_update(world, str(link.salesforce_id), {"Title": "Changed while out of scope"})
    assert world.sync(ALEX).result.summary[Side.MAILBOX].updated == 0  # type: ignore[union-attr]


def test_b9_b10_edits_merge_field_by_field_and_a_true_conflict_is_logged(world: ContactWorld) -> None:
    folder = first_sync(world)
    contact = folder[0]
    link = next(link for link in world.links(ALEX) if link.mailbox_id == contact["id"])
    with world.graph(ALEX) as graph:
        graph.patch(f"{GRAPH}/me/contacts/{contact['id']}", json={"jobTitle": "Mailbox title", "department": "Ops"})
    sf_update(world, str(link.salesforce_id), {"Title": "Salesforce title", "FirstName": "Renamed"})

    report = world.sync(ALEX)

    assert report.result is not None and len(report.result.conflicts) == 1
    sf = sf_contact(world, str(link.salesforce_id))
    assert sf is not None and sf["Title"] == "Salesforce title" and sf["FirstName"] == "Renamed"
    with world.graph(ALEX) as graph:
        mb = graph.get(f"{GRAPH}/me/contacts/{contact['id']}").json()
    assert (mb["jobTitle"], mb["givenName"], mb["department"]) == ("Salesforce title", "Renamed", "Ops")
    with Session(world.engine) as session:
        (conflict,) = session.exec(select(SyncConflict)).all()
    assert (conflict.field_name, conflict.mailbox_value, conflict.winner) == ("title", "Mailbox title", "salesforce")
    assert world.sync(ALEX).result.writes == 0  # type: ignore[union-attr]


def test_a_mailbox_contact_reaches_salesforce_with_its_account_and_cut_fields(world: ContactWorld) -> None:
    first_sync(world)
    with world.salesforce(ALEX) as client:
        account = client.query("SELECT Id, Name FROM Account ORDER BY CreatedDate LIMIT 1")[0]
    folder_id = world.sync_folder_id(ALEX)
    long_title = "Vice President " * 12
    with world.graph(ALEX) as graph:
        created = graph.post(
            f"{GRAPH}/me/contactFolders/{folder_id}/contacts",
            json={
                "givenName": "Nadia",
                "surname": "Okafor",
                "emailAddresses": [{"address": "nadia.okafor@new.example.com"}],
                "companyName": account["Name"],
                "jobTitle": long_title,
            },
        ).json()

    report = world.sync(ALEX)

    assert report.result is not None and report.result.summary[Side.SALESFORCE].created == 1
    link = next(link for link in world.links(ALEX) if link.mailbox_id == created["id"])
    sf = sf_contact(world, str(link.salesforce_id))
    assert sf is not None and sf["Account"]["Name"] == account["Name"]
    assert long_title.startswith(sf["Title"]) and len(sf["Title"]) < len(long_title.strip())
    assert world.sync(ALEX).result.writes == 0  # type: ignore[union-attr]
    with world.graph(ALEX) as graph:
        assert graph.get(f"{GRAPH}/me/contacts/{created['id']}").json()["jobTitle"] == long_title


def test_one_way_directions_never_write_the_read_only_side(world: ContactWorld) -> None:
    folder = first_sync(world)
    contact = folder[0]
    link = next(link for link in world.links(ALEX) if link.mailbox_id == contact["id"])
    world.set(ALEX, keys.CONTACTS_DIRECTION, "sf_to_mailbox")
    with world.graph(ALEX) as graph:
        graph.patch(f"{GRAPH}/me/contacts/{contact['id']}", json={"jobTitle": "Edited in Outlook"})
        graph.post(
            f"{GRAPH}/me/contactFolders/{world.sync_folder_id(ALEX)}/contacts",
            json={"givenName": "Only", "surname": "Mailbox", "emailAddresses": [{"address": "only@mailbox.example"}]},
        )
    salesforce_before = sf_stamps(world)

    report = world.sync(ALEX)

    assert report.result is not None and report.result.summary[Side.SALESFORCE].writes == 0
    assert sf_stamps(world) == salesforce_before
    sf = sf_contact(world, str(link.salesforce_id))
    assert sf is not None and sf["Title"] != "Edited in Outlook"

    world.set(ALEX, keys.CONTACTS_DIRECTION, "mailbox_to_sf")
    sf_update(world, str(link.salesforce_id), {"Title": "Edited in Salesforce"})
    mailbox_before = folder_keys(world)
    report = world.sync(ALEX)
    assert report.result is not None and report.result.summary[Side.MAILBOX].writes == 0
    assert folder_keys(world) == mailbox_before
    assert report.result.summary[Side.SALESFORCE].created == 1  # the held mailbox-only contact


def test_manual_selection_syncs_only_what_the_user_marks(world: ContactWorld) -> None:
    world.set(ALEX, keys.SYNC_SELECTION, "manual")
    first_sync(world)
    with world.graph(ALEX) as graph:
        marked = graph.post(
            f"{GRAPH}/me/contacts",
            json={
                "givenName": "Marked",
                "surname": "ForSync",
                "emailAddresses": [{"address": "marked@sync.example"}],
                "categories": [SYNC_CATEGORY],
            },
        ).json()
        graph.post(
            f"{GRAPH}/me/contacts",
            json={"givenName": "Not", "surname": "Marked", "emailAddresses": [{"address": "unmarked@sync.example"}]},
        )
    before = {c["Email"] for c in world.owned_contacts(ALEX)}

    world.sync(ALEX)
    world.sync(ALEX)

    after = {c["Email"] for c in world.owned_contacts(ALEX)}
    assert after - before == {"marked@sync.example"}
    assert "marked@sync.example" in emails(world.sync_folder_contacts(ALEX))
    with world.graph(ALEX) as graph:  # brought into the folder: the copy there replaced the original
        assert graph.get(f"{GRAPH}/me/contacts/{marked['id']}").status_code == 404
    synced = next(c for c in world.sync_folder_contacts(ALEX) if emails([c]) == ["marked@sync.example"])
    assert SYNC_CATEGORY in synced["categories"]
    assert world.sync(ALEX).result.writes == 0  # type: ignore[union-attr]


def test_a_revoked_connection_pauses_the_sync_and_reads_nothing(world: ContactWorld) -> None:
    first_sync(world)
    world.revoke(ALEX, "microsoft")
    salesforce_before = sf_stamps(world)
    links_before = len(world.links(ALEX))

    report = world.sync(ALEX)
    mark = world.mark()
    again = world.sync(ALEX)

    assert report.status in (SyncRunStatus.FAILED, SyncRunStatus.ABORTED)
    assert again.status is SyncRunStatus.ABORTED and again.message is not None
    assert "connected again" in again.message
    assert world.calls("microsoft", mark) == 0 and world.calls("salesforce", mark) == 0
    assert sf_stamps(world) == salesforce_before
    assert len(world.links(ALEX)) == links_before


def test_f49_an_expired_delta_token_relists_without_duplicates_or_deletions(world: ContactWorld) -> None:
    folder = first_sync(world)
    world.sync(ALEX)
    with httpx.Client(base_url=world.base_url, timeout=30) as control:
        expired = control.post(
            "/_sandbox/microsoft/expire-delta-tokens", json={"mailbox": ALEX, "code": "syncStateNotFound"}
        )
        assert expired.status_code == 200, expired.text

    report = world.sync(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    assert report.result.writes == 0
    assert emails(world.sync_folder_contacts(ALEX)) == emails(folder)


def test_g56_throttled_batch_requests_are_retried_and_the_end_state_is_the_same(world: ContactWorld) -> None:
    with httpx.Client(base_url=world.base_url, timeout=30) as control:
        rule = control.post(
            "/_sandbox/faults",
            json={
                "provider": "microsoft",
                "method": "POST",
                "path": "/graph.microsoft.com/v1.0/$batch",
                "status": 429,
                "retry_after": 1,
                "times": 2,
            },
        )
        assert rule.status_code in (200, 201), rule.text

    folder = first_sync(world)

    assert emails(folder) == sorted(c["Email"].lower() for c in world.owned_contacts(ALEX) if c["Email"])
    assert world.sync(ALEX).result.writes == 0  # type: ignore[union-attr]
    with httpx.Client(base_url=world.base_url, timeout=30) as control:
        fired = control.get("/_sandbox/calls", params={"status": 429}).json()
    assert len(fired["calls"]) == 2


def new_in_folder(world: ContactWorld, body: dict[str, Any]) -> dict[str, Any]:
    with world.graph(ALEX) as graph:
        created = graph.post(f"{GRAPH}/me/contactFolders/{world.sync_folder_id(ALEX)}/contacts", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_h67_a_missing_last_name_is_derived_in_salesforce_and_not_written_back(world: ContactWorld) -> None:
    first_sync(world)
    created = new_in_folder(world, {"givenName": "Cher", "emailAddresses": [{"address": "cher@solo.example"}]})

    report = world.sync(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    link = next(link for link in world.links(ALEX) if link.mailbox_id == created["id"])
    sf = sf_contact(world, str(link.salesforce_id))
    assert sf is not None and sf["LastName"]
    with world.graph(ALEX) as graph:
        assert not graph.get(f"{GRAPH}/me/contacts/{created['id']}").json().get("surname")
    assert world.sync(ALEX).result.writes == 0  # type: ignore[union-attr]


def test_g59_one_rejected_contact_fails_alone_is_told_in_words_and_retried(world: ContactWorld) -> None:
    first_sync(world)
    good = [
        new_in_folder(
            world, {"givenName": f"Ok{n}", "surname": "Person", "emailAddresses": [{"address": f"ok{n}@x.example"}]}
        )
        for n in range(3)
    ]
    bad = new_in_folder(
        world, {"givenName": "Bad", "surname": "Address", "emailAddresses": [{"address": "not-an-email"}]}
    )

    report = world.sync(ALEX)

    assert report.status is SyncRunStatus.PARTIAL and report.result is not None
    assert report.result.summary[Side.SALESFORCE].created == 3 and report.result.summary[Side.SALESFORCE].errors == 1
    assert report.message is not None and report.message.startswith("Salesforce rejected 1 contact:")
    assert "INVALID_EMAIL_ADDRESS" in report.message
    linked = {link.mailbox_id for link in world.links(ALEX)}
    assert {c["id"] for c in good} <= linked and bad["id"] not in linked
    with world.graph(ALEX) as graph:
        graph.patch(f"{GRAPH}/me/contacts/{bad['id']}", json={"emailAddresses": [{"address": "fixed@x.example"}]})
    fixed = world.sync(ALEX)
    assert fixed.status is SyncRunStatus.SUCCEEDED and fixed.result is not None
    assert fixed.result.summary[Side.SALESFORCE].created == 1


def test_d32_a_contact_given_to_another_owner_leaves_the_folder_alone(world: ContactWorld) -> None:
    folder = first_sync(world)
    link = world.links(ALEX)[0]
    sf_update(world, str(link.salesforce_id), {"OwnerId": world.salesforce_user_id("sam.taylor@example.com")})

    report = world.sync(ALEX)

    assert report.result is not None and report.result.writes == 0
    assert report.result.summary[Side.SALESFORCE].unlinked == 1
    assert len(world.sync_folder_contacts(ALEX)) == len(folder)
    parked = next(row for row in world.links(ALEX) if row.id == link.id)
    assert parked.scope_state == "parked:salesforce"
