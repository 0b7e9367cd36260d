"""Get Updated and Get Deleted, the Recycle Bin, its 15-day purge and undelete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.sandbox.salesforce.conftest import OrgSandbox, Rest


def _now(sf_sandbox: OrgSandbox) -> datetime:
    return sf_sandbox.state.clock.now()


def _minute(moment: datetime) -> str:
    return moment.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def test_updated_and_deleted_windows(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    start = _now(sf_sandbox) - timedelta(minutes=2)
    created = sf.Contact.create({"LastName": "Østergaard"})["id"]
    changed = sf.Contact.create({"LastName": "Bæk"})["id"]
    removed = sf.Contact.create({"LastName": "Lund"})["id"]
    sf_sandbox.state.clock.advance(timedelta(minutes=3))
    sf.Contact.update(changed, {"Title": "CTO"})
    sf.Contact.delete(removed)
    sf_sandbox.state.clock.advance(timedelta(minutes=2))
    end = _now(sf_sandbox)

    updated = sf.Contact.updated(start, end)
    assert set(updated["ids"]) == {created, changed}
    assert updated["latestDateCovered"] == _minute(end)

    deleted = sf.Contact.deleted(start, end)
    [entry] = deleted["deletedRecords"]
    assert entry["id"] == removed and entry["deletedDate"].endswith("+0000")
    assert deleted["latestDateCovered"] == _minute(end)
    assert deleted["earliestDateAvailable"] <= deleted["latestDateCovered"]

    # A window ending in the future is covered up to now; the seconds of start and end are ignored.
    future = sf.Contact.updated(end - timedelta(minutes=1), end + timedelta(days=1))
    assert _minute(end) <= future["latestDateCovered"] <= _minute(_now(sf_sandbox))


def test_window_errors(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    now = _now(sf_sandbox)
    with pytest.raises(SalesforceMalformedRequest) as too_old:
        sf.Contact.updated(now - timedelta(days=31), now)
    assert too_old.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    assert sf.Contact.updated(now - timedelta(days=29), now)["ids"]
    with pytest.raises(SalesforceMalformedRequest) as deleted_too_old:
        sf.Contact.deleted(now - timedelta(days=16), now)
    assert deleted_too_old.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    with pytest.raises(SalesforceMalformedRequest) as reversed_window:
        sf.Contact.updated(now, now - timedelta(hours=1))
    assert reversed_window.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    with pytest.raises(SalesforceMalformedRequest) as same_minute:
        sf.Contact.updated(now.replace(second=1), now.replace(second=50))
    assert same_minute.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"


def test_deleting_an_account_recycles_its_contacts_and_purge_after_15_days(
    sf: Salesforce, sf_sandbox: OrgSandbox
) -> None:
    account_id = sf.Account.create({"Name": "Lofoten Reiser AS"})["id"]
    contact_id = sf.Contact.create({"LastName": "Haugen", "AccountId": account_id})["id"]
    start = _now(sf_sandbox) - timedelta(minutes=1)
    sf.Account.delete(account_id)
    rows = sf.query_all(f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{contact_id}'", include_deleted=True)
    assert rows["records"][0]["IsDeleted"] is True

    sf_sandbox.state.clock.advance(timedelta(days=14, hours=23))
    sf = sf_sandbox.client()
    assert sf.query_all(f"SELECT Id FROM Account WHERE Id = '{account_id}'", include_deleted=True)["totalSize"] == 1
    assert [r["id"] for r in sf.Contact.deleted(start + timedelta(hours=1), _now(sf_sandbox))["deletedRecords"]] == []

    sf_sandbox.state.clock.advance(timedelta(hours=2))
    sf = sf_sandbox.client()
    purge_started = _now(sf_sandbox)
    assert sf.query_all(f"SELECT Id FROM Account WHERE Id = '{account_id}'", include_deleted=True)["totalSize"] == 0
    assert sf.query_all(f"SELECT Id FROM Contact WHERE Id = '{contact_id}'", include_deleted=True)["totalSize"] == 0
    now = _now(sf_sandbox)
    after_purge = sf.Account.deleted(now - timedelta(days=14), now)
    assert after_purge["deletedRecords"] == []
    assert _minute(purge_started) <= after_purge["earliestDateAvailable"] <= _minute(now)


def test_undelete_through_the_control_api(sf: Salesforce, sf_sandbox: OrgSandbox, rest: Rest) -> None:
    account_id = sf.Account.create({"Name": "Ticino Gelati SA"})["id"]
    contact_id = sf.Contact.create({"LastName": "Rüegg", "AccountId": account_id})["id"]
    sf.Account.delete(account_id)
    response = sf_sandbox.control(
        "POST",
        "org/undelete",
        json={"ids": [account_id, contact_id, "001Sb00000000zzIAA"], "user": "alex.morgan@example.com"},
    )
    results = response.json()["results"]
    assert results[0] == {"id": account_id, "success": True, "errors": []}
    # The contact went to the bin with the account and comes back with it, not on its own.
    assert results[1]["success"] is False and results[2]["errors"][0]["statusCode"] == "UNDELETE_FAILED"
    assert sf.Contact.get(contact_id)["IsDeleted"] is False
    assert sf.Account.get(account_id)["Name"] == "Ticino Gelati SA"
    assert rest.get(f"sobjects/Account/{account_id}").status_code == 200


def test_updated_respects_sharing(sf_sandbox: OrgSandbox) -> None:
    sf_sandbox.control("PATCH", "org", json={"sharing": {"Lead": "Private"}})
    priya = sf_sandbox.client("priya.shah@example.com")
    lead_id = priya.Lead.create({"LastName": "Iyer", "Company": "Monsoon Analytics"})["id"]
    sf_sandbox.state.clock.advance(timedelta(minutes=2))
    now = _now(sf_sandbox)
    alex = sf_sandbox.client()
    assert lead_id not in alex.Lead.updated(now - timedelta(minutes=5), now)["ids"]
    assert lead_id in priya.Lead.updated(now - timedelta(minutes=5), now)["ids"]
    assert datetime.now(UTC) < now  # the clock really moved
