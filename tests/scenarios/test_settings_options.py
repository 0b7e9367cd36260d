"""Each sync setting, and the admin's sync configuration, changes what the next pass does (Outlook and Salesforce,
end to end on the sandbox).

Settings change as a request changes them: through :mod:`app.services.preferences` in a session of their own,
committed; the next pass reads them at its start. The options ``test_outlook_contacts.py`` already covers (the two
one-way directions, manual selection, forbid-to-remove either way, the guard at the default share) are not repeated.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.connectors.microsoft.mapping import SENSITIVITY_PRIVATE, SENSITIVITY_PROPERTY_ID
from app.connectors.salesforce.client import Subrequest
from app.errors import InvalidInput
from app.models import PolicyMode, SyncConflict, SyncLink, SyncRun, SyncRunStatus
from app.services import preferences
from app.services import sync_settings as keys
from app.services.preferences import ConfigurationSpec, SettingSource
from app.services.users import find_user
from app.sync.config import Side
from tests.scenarios.contact_world import GRAPH, ContactWorld

ALEX = "alex.morgan@example.com"  # Outlook, Standard User
SAM = "sam.taylor@example.com"  # System Administrator: an admin in crmbridge
EUROPE_VIEW = "Key contacts — Europe"

# -- settings and configurations, as the request boundary changes them ---------------------------------------------


def change(world: ContactWorld, changes: Mapping[str, object]) -> None:
    """Alex changes settings with ``crmbridge settings set``: validated, audited, committed."""
    with Session(world.engine) as session:
        user = find_user(session, ALEX)
        assert user is not None
        preferences.change_settings(session, user, changes, actor=None, source="cli")
        session.commit()


def configure(world: ContactWorld, **fields: Any) -> int:
    """Sam (an admin) creates a sync configuration for Alex; its id."""
    with Session(world.engine) as session:
        admin = find_user(session, SAM)
        spec = ConfigurationSpec(name="Alex's configuration", user_emails=[ALEX], **fields)
        policy = preferences.create_configuration(session, spec, actor=admin, source="api")
        session.commit()
        assert policy.id is not None
        return policy.id


def unconfigure(world: ContactWorld, configuration_id: int) -> None:
    """Sam deletes the configuration: Alex falls back to the built-in one."""
    with Session(world.engine) as session:
        admin = find_user(session, SAM)
        preferences.delete_configuration(session, configuration_id, actor=admin, source="api")
        session.commit()


def effective(world: ContactWorld, key: str) -> preferences.Resolved:
    with Session(world.engine) as session:
        user = find_user(session, ALEX)
        assert user is not None
        return preferences.effective_settings(session, user).settings[key]


# -- both sides ----------------------------------------------------------------------------------------------------


def first_sync(world: ContactWorld) -> list[dict[str, Any]]:
    report = world.sync(ALEX)
    assert report.status is SyncRunStatus.SUCCEEDED, report.message
    return world.sync_folder_contacts(ALEX)


def emails(contacts: list[dict[str, Any]]) -> list[str]:
    return sorted(c["emailAddresses"][0]["address"].lower() for c in contacts if c.get("emailAddresses"))


def sf_emails(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(row["Email"].lower() for row in rows if row["Email"])


def link_of(world: ContactWorld, mailbox_id: str) -> SyncLink:
    return next(link for link in world.links(ALEX) if link.mailbox_id == mailbox_id)


def active_links(world: ContactWorld) -> list[SyncLink]:
    return [link for link in world.links(ALEX) if link.scope_state == "linked"]


def mailbox_contact(world: ContactWorld, contact_id: str) -> dict[str, Any]:
    with world.graph(ALEX) as graph:
        answer = graph.get(f"{GRAPH}/me/contacts/{contact_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def mailbox_edit(world: ContactWorld, contact_id: str, fields: dict[str, Any]) -> None:
    with world.graph(ALEX) as graph:
        answer = graph.patch(f"{GRAPH}/me/contacts/{contact_id}", json=fields)
    assert answer.status_code == 200, answer.text


def mailbox_delete(world: ContactWorld, contact_id: str) -> None:
    with world.graph(ALEX) as graph:
        assert graph.delete(f"{GRAPH}/me/contacts/{contact_id}").status_code == 204


def new_in_folder(world: ContactWorld, body: dict[str, Any]) -> dict[str, Any]:
    with world.graph(ALEX) as graph:
        created = graph.post(f"{GRAPH}/me/contactFolders/{world.sync_folder_id(ALEX)}/contacts", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def sf_update(world: ContactWorld, contact_id: str, fields: dict[str, Any]) -> None:
    with world.salesforce(ALEX) as client:
        result = client.composite(
            [Subrequest("u", "PATCH", f"sobjects/Contact/{contact_id}", fields)], all_or_none=True
        )
    assert result["u"].ok, result["u"].body


def sf_delete(world: ContactWorld, contact_ids: list[str]) -> None:
    with world.salesforce(ALEX) as client:
        results = client.composite(
            [Subrequest(f"d{n}", "DELETE", f"sobjects/Contact/{cid}") for n, cid in enumerate(contact_ids)],
            all_or_none=True,
        )
    assert all(result.ok for result in results.values()), results


def sf_contact(world: ContactWorld, contact_id: str) -> dict[str, Any] | None:
    with world.salesforce(ALEX) as client:
        rows = client.query(f"SELECT Id, Email, Title, Department FROM Contact WHERE Id = '{contact_id}'")
    return rows[0] if rows else None


def sf_get(world: ContactWorld, path: str) -> Any:
    with world.salesforce(ALEX) as client:
        answer = client.composite([Subrequest("get", "GET", path)], all_or_none=False)["get"]
    assert answer.ok, answer.body
    return answer.body


def visible_contacts(world: ContactWorld) -> list[dict[str, Any]]:
    with world.salesforce(ALEX) as client:
        return client.query("SELECT Id, Email, OwnerId FROM Contact")


def sf_stamps(world: ContactWorld) -> dict[str, str]:
    """Every contact Alex can see, with its SystemModstamp: any write in Salesforce changes this."""
    with world.salesforce(ALEX) as client:
        return {row["Id"]: row["SystemModstamp"] for row in client.query("SELECT Id, SystemModstamp FROM Contact")}


def runs(world: ContactWorld) -> int:
    with Session(world.engine) as session:
        return len(session.exec(select(SyncRun).where(col(SyncRun.user_id) == world.user(ALEX).id)).all())


def advance_clock(world: ContactWorld) -> None:
    """A minute passes on every vendor (what "newest" compares)."""
    world.state.clock.advance(timedelta(minutes=1))


# -- the tests -----------------------------------------------------------------------------------------------------


def test_contact_sync_turned_off_reads_and_writes_nothing_and_turned_on_syncs_again(world: ContactWorld) -> None:
    folder = first_sync(world)
    contact = folder[0]
    link = link_of(world, contact["id"])
    change(world, {keys.CONTACTS_ENABLED: False})
    sf_update(world, str(link.salesforce_id), {"Title": "Changed in Salesforce while off"})
    mailbox_edit(world, contact["id"], {"department": "Changed in Outlook while off"})
    before = runs(world)
    mark = world.mark()

    report = world.sync(ALEX)

    assert report.skipped and not report.failed and report.result is None
    assert report.message == "contact sync is turned off"
    assert (world.calls("microsoft", mark), world.calls("salesforce", mark), world.calls("google", mark)) == (0, 0, 0)
    assert runs(world) == before  # a skipped pass records no sync run
    assert mailbox_contact(world, contact["id"]).get("jobTitle") != "Changed in Salesforce while off"
    sf = sf_contact(world, str(link.salesforce_id))
    assert sf is not None and sf["Department"] != "Changed in Outlook while off"

    change(world, {keys.CONTACTS_ENABLED: True})
    report = world.sync(ALEX)

    assert not report.skipped and report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    assert (report.result.summary[Side.MAILBOX].updated, report.result.summary[Side.SALESFORCE].updated) == (1, 1)
    assert mailbox_contact(world, contact["id"])["jobTitle"] == "Changed in Salesforce while off"
    sf = sf_contact(world, str(link.salesforce_id))
    assert sf is not None and sf["Department"] == "Changed in Outlook while off"
    assert runs(world) == before + 1


def test_scope_all_brings_others_contacts_in_and_back_to_mine_unlinks_them_deleting_nothing(
    world: ContactWorld,
) -> None:
    owned = world.owned_contacts(ALEX)
    sams = world.owned_contacts(SAM)
    visible = visible_contacts(world)
    assert emails(first_sync(world)) == sf_emails(owned)
    assert sams and len(visible) > len(owned)

    change(world, {keys.CONTACTS_SCOPE: "all"})
    report = world.sync(ALEX)

    others = len(visible) - len(owned)
    assert report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    assert report.result.summary[Side.MAILBOX].created == others
    assert report.result.summary[Side.SALESFORCE].writes == 0
    folder = emails(world.sync_folder_contacts(ALEX))
    assert folder == sf_emails(visible)
    assert set(sf_emails(sams)) <= set(folder)
    assert len(active_links(world)) == len(visible)

    change(world, {keys.CONTACTS_SCOPE: "mine"})
    report = world.sync(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    assert report.result.writes == 0  # nothing deleted, on either side
    assert report.result.summary[Side.SALESFORCE].unlinked == others
    assert len(world.owned_contacts(SAM)) == len(sams)
    assert len(visible_contacts(world)) == len(visible)
    # README: a contact that leaves scope ("no longer the user's") is unlinked, never deleted: the copies stay.
    assert emails(world.sync_folder_contacts(ALEX)) == folder
    mine = {row["Id"] for row in owned}
    assert {link.salesforce_id for link in active_links(world)} == mine
    parked = [link for link in world.links(ALEX) if link.scope_state != "linked"]
    assert len(parked) == others and {link.scope_state for link in parked} == {"parked:salesforce"}
    assert world.sync(ALEX).result.writes == 0  # type: ignore[union-attr]


def test_scope_list_view_syncs_only_the_views_contacts(world: ContactWorld) -> None:
    views = {view["label"]: view["id"] for view in sf_get(world, "sobjects/Contact/listviews")["listviews"]}
    view_id = views[EUROPE_VIEW]
    with world.salesforce(ALEX) as client:  # the view's members, by the query Salesforce gives for it
        members = client.query(sf_get(world, f"sobjects/Contact/listviews/{view_id}/describe")["query"])
    owned = world.owned_contacts(ALEX)
    in_view = {row["Id"] for row in members}
    mine = {row["Id"] for row in owned}
    assert in_view - mine and mine - in_view  # others' contacts in the view, and some of Alex's outside it
    first_sync(world)

    change(world, {keys.CONTACTS_SCOPE: "list_view", keys.CONTACTS_LIST_VIEW: view_id})
    report = world.sync(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    assert report.result.summary[Side.MAILBOX].created == len(in_view - mine)
    assert report.result.summary[Side.SALESFORCE].unlinked == len(mine - in_view)
    assert report.result.summary[Side.SALESFORCE].writes == 0
    assert {link.salesforce_id for link in active_links(world)} == in_view
    # Alex's own contacts outside the view left scope: their copies stay in the folder, unsynced.
    outside = [row for row in owned if row["Id"] not in in_view]
    assert emails(world.sync_folder_contacts(ALEX)) == sorted(sf_emails(members) + sf_emails(outside))
    assert world.sync(ALEX).result.writes == 0  # type: ignore[union-attr]


def test_include_private_lets_a_private_outlook_contact_reach_salesforce(world: ContactWorld) -> None:
    first_sync(world)
    private = new_in_folder(
        world,
        {
            "givenName": "Pat",
            "surname": "Private",
            "emailAddresses": [{"address": "pat.private@home.example"}],
            "singleValueExtendedProperties": [{"id": SENSITIVITY_PROPERTY_ID, "value": str(SENSITIVITY_PRIVATE)}],
        },
    )

    left_out = world.sync(ALEX)

    assert left_out.result is not None and left_out.result.summary[Side.SALESFORCE].created == 0
    assert "pat.private@home.example" not in sf_emails(world.owned_contacts(ALEX))
    assert all(link.mailbox_id != private["id"] for link in world.links(ALEX))

    change(world, {keys.SYNC_INCLUDE_PRIVATE: True})
    included = world.sync(ALEX)

    assert included.status is SyncRunStatus.SUCCEEDED and included.result is not None
    assert included.result.summary[Side.SALESFORCE].created == 1
    assert "pat.private@home.example" in sf_emails(world.owned_contacts(ALEX))
    link = link_of(world, private["id"])
    assert link.scope_state == "linked"

    change(world, {keys.SYNC_INCLUDE_PRIVATE: False})  # made private again: out of scope, unlinked, kept
    report = world.sync(ALEX)

    assert report.result is not None and report.result.writes == 0
    assert report.result.summary[Side.MAILBOX].unlinked == 1
    assert sf_contact(world, str(link.salesforce_id)) is not None
    assert link_of(world, private["id"]).scope_state == "parked:mailbox"


def test_mailbox_wins_keeps_the_mailbox_value_of_a_field_changed_on_both_sides(world: ContactWorld) -> None:
    contact = first_sync(world)[0]
    link = link_of(world, contact["id"])
    change(world, {keys.SYNC_CONFLICT_POLICY: "mailbox_wins"})
    mailbox_edit(world, contact["id"], {"jobTitle": "Mailbox title"})
    sf_update(world, str(link.salesforce_id), {"Title": "Salesforce title"})

    report = world.sync(ALEX)

    assert report.result is not None and len(report.result.conflicts) == 1
    assert report.result.conflicts[0].winner is Side.MAILBOX
    sf = sf_contact(world, str(link.salesforce_id))
    assert sf is not None and sf["Title"] == "Mailbox title"
    assert mailbox_contact(world, contact["id"])["jobTitle"] == "Mailbox title"
    with Session(world.engine) as session:
        (conflict,) = session.exec(select(SyncConflict)).all()
    assert (conflict.field_name, conflict.salesforce_value, conflict.winner) == ("title", "Salesforce title", "mailbox")
    assert world.sync(ALEX).result.writes == 0  # type: ignore[union-attr]


def test_newest_wins_keeps_the_later_change_of_a_field_changed_on_both_sides(world: ContactWorld) -> None:
    folder = first_sync(world)
    newer_in_sf, newer_in_mailbox = folder[0], folder[1]
    sf_ids = {c["id"]: str(link_of(world, c["id"]).salesforce_id) for c in (newer_in_sf, newer_in_mailbox)}
    change(world, {keys.SYNC_CONFLICT_POLICY: "newest_wins"})
    mailbox_edit(world, newer_in_sf["id"], {"jobTitle": "Older Outlook title"})
    advance_clock(world)
    sf_update(world, sf_ids[newer_in_sf["id"]], {"Title": "Newer Salesforce title"})
    sf_update(world, sf_ids[newer_in_mailbox["id"]], {"Title": "Older Salesforce title"})
    advance_clock(world)
    mailbox_edit(world, newer_in_mailbox["id"], {"jobTitle": "Newer Outlook title"})

    report = world.sync(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    assert sorted(conflict.winner for conflict in report.result.conflicts) == [Side.MAILBOX, Side.SALESFORCE]
    for contact, title in ((newer_in_sf, "Newer Salesforce title"), (newer_in_mailbox, "Newer Outlook title")):
        sf = sf_contact(world, sf_ids[contact["id"]])
        assert sf is not None and sf["Title"] == title
        assert mailbox_contact(world, contact["id"])["jobTitle"] == title
    assert world.sync(ALEX).result.writes == 0  # type: ignore[union-attr]


def test_a_configuration_without_mailbox_deletions_overrides_the_users_allowed_removal(world: ContactWorld) -> None:
    folder = first_sync(world)
    change(world, {keys.CONTACTS_FORBID_TO_REMOVE: False})
    configuration = configure(world, allow_mailbox_deletions=False)
    resolved = effective(world, keys.CONTACTS_FORBID_TO_REMOVE)
    assert resolved.value is True and resolved.note is not None  # Alex's false is passed over, and told why
    victim = link_of(world, folder[0]["id"])
    mailbox_delete(world, folder[0]["id"])

    report = world.sync(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    assert report.result.summary[Side.SALESFORCE].deleted == 0
    assert report.result.summary[Side.MAILBOX].created == 1  # the mailbox copy comes back
    assert sf_contact(world, str(victim.salesforce_id)) is not None
    assert len(world.sync_folder_contacts(ALEX)) == len(folder)

    unconfigure(world, configuration)  # Alex's own choice applies again
    second = link_of(world, folder[1]["id"])
    mailbox_delete(world, folder[1]["id"])
    report = world.sync(ALEX)

    assert report.result is not None and report.result.summary[Side.SALESFORCE].deleted == 1
    assert sf_contact(world, str(second.salesforce_id)) is None


def test_a_lowered_max_delete_share_stops_a_pass_the_default_share_lets_through(world: ContactWorld) -> None:
    folder = first_sync(world)
    linked = len(world.links(ALEX))
    doomed = [str(link.salesforce_id) for link in world.links(ALEX)[:5]]
    assert 0.05 * linked < len(doomed) <= 0.2 * linked
    configuration = configure(world, max_delete_share=0.05)
    sf_delete(world, doomed)

    stopped = world.sync(ALEX)

    assert stopped.status is SyncRunStatus.ABORTED and stopped.result is not None and stopped.result.guard
    assert stopped.message == (
        f"the pass would delete 5 of {linked} linked items on the mailbox side (more than 5%); nothing was changed"
    )
    assert len(world.sync_folder_contacts(ALEX)) == len(folder)
    assert len(world.links(ALEX)) == linked

    unconfigure(world, configuration)
    report = world.sync(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    assert report.result.summary[Side.MAILBOX].deleted == 5
    assert len(world.sync_folder_contacts(ALEX)) == len(folder) - 5


def test_an_enforced_salesforce_to_mailbox_direction_overrides_the_users_both(world: ContactWorld) -> None:
    folder = first_sync(world)
    change(world, {keys.CONTACTS_DIRECTION: "mailbox_to_sf"})
    change(world, {keys.CONTACTS_DIRECTION: "both"})  # Alex's own, stored choice
    assert effective(world, keys.CONTACTS_DIRECTION).source is SettingSource.USER
    configure(world, mode=PolicyMode.ENFORCED, defaults={keys.CONTACTS_DIRECTION: "sf_to_mailbox"})
    resolved = effective(world, keys.CONTACTS_DIRECTION)
    assert (resolved.value, resolved.source) == ("sf_to_mailbox", SettingSource.ENFORCED)
    with pytest.raises(InvalidInput, match="cannot be changed"):
        change(world, {keys.CONTACTS_DIRECTION: "both"})
    edited, from_salesforce = folder[0], folder[1]
    edited_link = link_of(world, edited["id"])
    mailbox_edit(world, edited["id"], {"jobTitle": "Edited in Outlook"})
    new_in_folder(
        world, {"givenName": "Only", "surname": "Mailbox", "emailAddresses": [{"address": "only@mailbox.example"}]}
    )
    sf_update(world, str(link_of(world, from_salesforce["id"]).salesforce_id), {"Title": "Edited in Salesforce"})
    before = sf_stamps(world)

    report = world.sync(ALEX)

    assert report.status is SyncRunStatus.SUCCEEDED and report.result is not None
    assert report.result.summary[Side.SALESFORCE].writes == 0
    assert sf_stamps(world) == before  # no contact created, changed or deleted in Salesforce
    sf = sf_contact(world, str(edited_link.salesforce_id))
    assert sf is not None and sf["Title"] != "Edited in Outlook"
    assert mailbox_contact(world, from_salesforce["id"])["jobTitle"] == "Edited in Salesforce"


def test_a_configuration_allowing_only_my_contacts_overrides_a_users_all_contacts(world: ContactWorld) -> None:
    change(world, {keys.CONTACTS_SCOPE: "all"})
    configure(world, contact_scopes=["mine"])

    synced = first_sync(world)

    assert emails(synced) == sf_emails(world.owned_contacts(ALEX))
    assert effective(world, keys.CONTACTS_SCOPE).value == "mine"
