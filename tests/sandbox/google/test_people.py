"""The People API emulator through google-api-python-client."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.sandbox.google.conftest import Google

FIELDS = "names,emailAddresses,memberships,clientData,metadata"


def _error(exc: HttpError) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exc.content)["error"]
    return body


def _all_connections(people: Any, **params: Any) -> tuple[list[dict[str, Any]], str | None]:
    found: list[dict[str, Any]] = []
    page_token = None
    while True:
        page = people.connections().list(resourceName="people/me", pageToken=page_token, **params).execute()
        found += page.get("connections", [])
        page_token = page.get("nextPageToken")
        if not page_token:
            return found, page.get("nextSyncToken")


def test_full_sync_then_a_change_then_an_incremental_list_with_only_that_change(google: Google) -> None:
    people = google.service("people").people()
    contacts, sync_token = _all_connections(people, personFields=FIELDS, pageSize=7, requestSyncToken=True)
    assert len(contacts) > 20 and sync_token
    assert len({c["resourceName"] for c in contacts}) == len(contacts)

    target = contacts[3]
    updated = people.updateContact(
        resourceName=target["resourceName"],
        updatePersonFields="names",
        body={"etag": target["etag"], "names": [{"givenName": "Renamed", "familyName": "Person"}]},
    ).execute()
    assert updated["names"][0]["displayName"] == "Renamed Person"
    assert updated["etag"] != target["etag"]

    changes, next_token = _all_connections(people, personFields=FIELDS, requestSyncToken=True, syncToken=sync_token)
    assert [c["resourceName"] for c in changes] == [target["resourceName"]]
    assert changes[0]["names"][0]["givenName"] == "Renamed"
    assert next_token and next_token != sync_token

    unchanged, _ = _all_connections(people, personFields=FIELDS, requestSyncToken=True, syncToken=next_token)
    assert unchanged == []


def test_a_deleted_contact_comes_back_marked_deleted_in_the_incremental_list(google: Google) -> None:
    people = google.service("people").people()
    contacts, token = _all_connections(people, personFields="names", pageSize=1000, requestSyncToken=True)
    people.deleteContact(resourceName=contacts[0]["resourceName"]).execute()
    changes, _ = _all_connections(people, personFields="names", requestSyncToken=True, syncToken=token)
    assert len(changes) == 1
    assert changes[0]["resourceName"] == contacts[0]["resourceName"]
    assert changes[0]["metadata"]["deleted"] is True
    with pytest.raises(HttpError) as missing:
        people.get(resourceName=contacts[0]["resourceName"], personFields="names").execute()
    assert missing.value.resp.status == 404


def test_a_sync_token_expires_seven_days_after_the_full_sync(google: Google) -> None:
    people = google.service("people").people()
    _, token = _all_connections(people, personFields="names", pageSize=1000, requestSyncToken=True)
    google.advance(timedelta(days=6))
    people = google.service("people").people()
    _, token_from_incremental = _all_connections(people, personFields="names", requestSyncToken=True, syncToken=token)
    google.advance(timedelta(days=1, seconds=1))
    people = google.service("people").people()
    for stale in (token, token_from_incremental):
        with pytest.raises(HttpError) as expired:
            people.connections().list(
                resourceName="people/me", personFields="names", requestSyncToken=True, syncToken=stale
            ).execute()
        error = _error(expired.value)
        assert expired.value.resp.status == 400
        assert error["status"] == "FAILED_PRECONDITION"
        assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
        assert error["details"][0]["reason"] == "EXPIRED_SYNC_TOKEN"


def test_update_requires_the_etag_and_refuses_a_stale_one(google: Google) -> None:
    people = google.service("people").people()
    contact = people.createContact(body={"names": [{"givenName": "Ada"}]}, personFields="names").execute()
    name = contact["resourceName"]
    people.updateContact(
        resourceName=name, updatePersonFields="names", body={"etag": contact["etag"], "names": [{"givenName": "B"}]}
    ).execute()
    with pytest.raises(HttpError) as stale:
        people.updateContact(
            resourceName=name, updatePersonFields="names", body={"etag": contact["etag"], "names": [{"givenName": "C"}]}
        ).execute()
    error = _error(stale.value)
    assert stale.value.resp.status == 400
    assert error["status"] == "FAILED_PRECONDITION"
    assert error["errors"][0]["reason"] == "failedPrecondition"
    assert "person.etag is different" in error["message"]

    with pytest.raises(HttpError) as no_etag:
        people.updateContact(
            resourceName=name, updatePersonFields="names", body={"names": [{"givenName": "D"}]}
        ).execute()
    assert no_etag.value.resp.status == 400
    with pytest.raises(HttpError) as no_mask:
        people.updateContact(resourceName=name, body={"etag": "x", "names": []}).execute()
    assert no_mask.value.resp.status == 400
    assert "updatePersonFields" in _error(no_mask.value)["message"]


def test_the_source_etag_in_metadata_also_guards_updates(google: Google) -> None:
    people = google.service("people").people()
    contact = people.createContact(body={"names": [{"givenName": "Ada"}]}, personFields="names,metadata").execute()
    source = contact["metadata"]["sources"][0]
    body = {
        "metadata": {"sources": [{"type": "CONTACT", "id": source["id"], "etag": source["etag"]}]},
        "emailAddresses": [{"value": "ada@example.org"}],
    }
    updated = people.updateContact(
        resourceName=contact["resourceName"],
        updatePersonFields="emailAddresses",
        body=body,
        personFields="emailAddresses",
    ).execute()
    assert updated["emailAddresses"][0]["value"] == "ada@example.org"
    with pytest.raises(HttpError) as stale:
        people.updateContact(
            resourceName=contact["resourceName"], updatePersonFields="emailAddresses", body=body
        ).execute()
    assert "metadata.sources.etag" in _error(stale.value)["message"]


def test_a_batch_of_200_creates_and_the_limits_of_batch_writes(google: Google) -> None:
    people = google.service("people").people()
    contacts = [
        {
            "contactPerson": {
                "names": [{"givenName": f"Bulk{i}"}],
                "clientData": [{"key": "sfid", "value": f"003{i:012d}"}],
            }
        }
        for i in range(200)
    ]
    created = people.batchCreateContacts(body={"contacts": contacts, "readMask": "names,clientData"}).execute()
    assert len(created["createdPeople"]) == 200
    assert created["createdPeople"][199]["person"]["clientData"][0]["value"] == "003000000000199"

    with pytest.raises(HttpError) as too_many:
        people.batchCreateContacts(body={"contacts": contacts + contacts[:1], "readMask": "names"}).execute()
    assert too_many.value.resp.status == 400

    names = [item["person"]["resourceName"] for item in created["createdPeople"]]
    first = created["createdPeople"][0]["person"]
    updates = {first["resourceName"]: {"etag": first["etag"], "names": [{"givenName": "Changed"}]}}
    result = people.batchUpdateContacts(
        body={"contacts": updates, "updateMask": "names", "readMask": "names"}
    ).execute()
    assert result["updateResult"][first["resourceName"]]["person"]["names"][0]["givenName"] == "Changed"
    with pytest.raises(HttpError) as stale_batch:
        people.batchUpdateContacts(body={"contacts": updates, "updateMask": "names", "readMask": "names"}).execute()
    stale_error = _error(stale_batch.value)
    assert stale_error["status"] == "FAILED_PRECONDITION"
    # Each contact's entry is a google.rpc.Status, whose code is a google.rpc.Code value (9: FAILED_PRECONDITION).
    assert stale_error["details"][0]["contactErrors"][first["resourceName"]]["code"] == 9

    with pytest.raises(HttpError):
        people.batchDeleteContacts(body={"resourceNames": names * 3}).execute()
    people.batchDeleteContacts(body={"resourceNames": names}).execute()
    remaining, _ = _all_connections(people, personFields="names", pageSize=1000)
    assert not {c["resourceName"] for c in remaining} & set(names)


def test_page_size_is_limited_to_1000_and_page_tokens_must_match_the_query(google: Google) -> None:
    people = google.service("people").people()
    with pytest.raises(HttpError) as too_big:
        people.connections().list(resourceName="people/me", personFields="names", pageSize=1001).execute()
    assert too_big.value.resp.status == 400
    page = people.connections().list(resourceName="people/me", personFields="names", pageSize=2).execute()
    with pytest.raises(HttpError) as mismatch:
        people.connections().list(
            resourceName="people/me",
            personFields="names",
            pageSize=2,
            pageToken=page["nextPageToken"],
            sortOrder="LAST_NAME_ASCENDING",
        ).execute()
    assert mismatch.value.resp.status == 400
    with pytest.raises(HttpError) as no_fields:
        people.connections().list(resourceName="people/me").execute()
    assert "personFields mask is required" in _error(no_fields.value)["message"]


def test_contact_groups_memberships_and_the_salesforce_group(google: Google) -> None:
    service = google.service("people")
    groups = service.contactGroups().list().execute()["contactGroups"]
    salesforce = next(g for g in groups if g.get("name") == "Salesforce Contacts")
    assert salesforce["groupType"] == "USER_CONTACT_GROUP" and salesforce["memberCount"] > 0
    assert {"contactGroups/myContacts", "contactGroups/starred"} <= {g["resourceName"] for g in groups}

    created = service.contactGroups().create(body={"contactGroup": {"name": "VIP"}}).execute()
    with pytest.raises(HttpError) as duplicate:
        service.contactGroups().create(body={"contactGroup": {"name": "VIP"}}).execute()
    assert duplicate.value.resp.status == 409

    person = (
        service.people().createContact(body={"names": [{"givenName": "Grace"}]}, personFields="memberships").execute()
    )
    assert [m["contactGroupMembership"]["contactGroupId"] for m in person["memberships"]] == ["myContacts"]
    result = (
        service.contactGroups()
        .members()
        .modify(
            resourceName=created["resourceName"],
            body={"resourceNamesToAdd": [person["resourceName"], "people/c000"]},
        )
        .execute()
    )
    assert result == {"notFoundResourceNames": ["people/c000"]}
    fetched = service.contactGroups().get(resourceName=created["resourceName"], maxMembers=10).execute()
    assert fetched["memberResourceNames"] == [person["resourceName"]]
    with pytest.raises(HttpError) as too_many:
        service.contactGroups().members().modify(
            resourceName=created["resourceName"], body={"resourceNamesToAdd": ["people/c1"] * 1001}
        ).execute()
    assert too_many.value.resp.status == 400

    reread = service.people().get(resourceName=person["resourceName"], personFields="memberships").execute()
    groups_of_person = {m["contactGroupMembership"]["contactGroupResourceName"] for m in reread["memberships"]}
    assert groups_of_person == {"contactGroups/myContacts", created["resourceName"]}
    only_vip = (
        service.people()
        .updateContact(
            resourceName=person["resourceName"],
            updatePersonFields="memberships",
            body={
                "etag": reread["etag"],
                "memberships": [{"contactGroupMembership": {"contactGroupResourceName": created["resourceName"]}}],
            },
        )
        .execute()
    )
    assert len(only_vip["memberships"]) == 1
    with pytest.raises(HttpError) as no_group:
        service.people().updateContact(
            resourceName=person["resourceName"],
            updatePersonFields="memberships",
            body={"etag": only_vip["etag"], "memberships": []},
        ).execute()
    assert no_group.value.resp.status == 400


def test_unknown_fields_in_a_person_are_refused_as_google_does(google: Google) -> None:
    people = google.service("people").people()
    with pytest.raises(HttpError) as unknown:
        people.createContact(body={"names": [{"givenName": "X", "nickname": "y"}]}).execute()
    assert unknown.value.resp.status == 400
    assert 'Unknown name "nickname"' in _error(unknown.value)["message"]


def test_concurrent_mutations_for_one_user_are_refused(google: Google) -> None:
    response, _ = google.raw(
        "PATCH",
        "_sandbox/google/settings",
        headers={"content-type": "application/json"},
        body=json.dumps({"mutation_latency_ms": 400}),
    )
    assert response.status == 200
    statuses: list[int] = []

    def create(index: int) -> None:
        service = google.service("people")
        try:
            service.people().createContact(body={"names": [{"givenName": f"Racer{index}"}]}).execute()
            statuses.append(200)
        except HttpError as error:
            statuses.append(error.resp.status)
            assert _error(error)["status"] == "ABORTED"

    threads = [threading.Thread(target=create, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]


def test_people_me_is_the_signed_in_user(google: Google) -> None:
    me = google.service("people").people().get(resourceName="people/me", personFields="names,emailAddresses").execute()
    assert me["emailAddresses"][0]["value"] == google.email
    assert me["names"][0]["displayName"] == "Priya Shah"


def test_a_get_too_long_for_a_url_is_served_through_the_method_override(google: Google) -> None:
    # google-api-python-client sends a GET whose URL exceeds 2048 characters as a POST with
    # X-HTTP-Method-Override: GET and the query in a form-encoded body, as Google's front end accepts.
    people = google.service("people").people()
    contacts = [{"contactPerson": {"names": [{"givenName": f"Long{i}"}]}} for i in range(200)]
    created = people.batchCreateContacts(body={"contacts": contacts, "readMask": "names"}).execute()
    names = [item["person"]["resourceName"] for item in created["createdPeople"]]
    before = google.sandbox.state.calls.last_id

    answer = people.getBatchGet(resourceNames=names, personFields="names").execute()

    assert [r["person"]["names"][0]["givenName"] for r in answer["responses"]] == [f"Long{i}" for i in range(200)]
    (call,) = [c for c in google.sandbox.state.calls.calls() if c.id > before]
    assert (call.method, call.path) == ("POST", "/people.googleapis.com/v1/people:batchGet")


def test_the_method_override_serves_the_named_method_only(google: Google) -> None:
    headers = {"x-http-method-override": "GET", "content-type": "application/x-www-form-urlencoded"}
    response, content = google.raw("POST", "people.googleapis.com/v1/contactGroups", headers=headers, body="pageSize=2")
    assert response.status == 200
    listed = json.loads(content)
    assert len(listed["contactGroups"]) == 2 and "nextPageToken" in listed
    response, _ = google.raw("POST", "people.googleapis.com/v1/contactGroups", headers=headers, body="pageSize=0x")
    assert response.status == 400
