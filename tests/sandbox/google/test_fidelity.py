"""Every resource the Google emulators return, checked against the schemas of the shipped discovery documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.sandbox.google.conftest import Google
from tests.sandbox.google.discovery_schema import method_response, problems

ALL_PERSON_FIELDS = (
    "addresses,ageRanges,biographies,birthdays,calendarUrls,clientData,coverPhotos,emailAddresses,events,externalIds,"
    "genders,imClients,interests,locales,locations,memberships,metadata,miscKeywords,names,nicknames,occupations,"
    "organizations,phoneNumbers,photos,relations,sipAddresses,skills,urls,userDefined"
)
RICH_PERSON = {
    "names": [{"givenName": "Élodie", "familyName": "Durand", "middleName": "M", "honorificPrefix": "Dr."}],
    "emailAddresses": [{"value": "elodie@example.fr", "type": "work"}, {"value": "e@home.example", "type": "home"}],
    "phoneNumbers": [{"value": "+33 1 23 45 67 89", "type": "mobile"}],
    "addresses": [
        {
            "streetAddress": "1 rue de Rivoli",
            "city": "Paris",
            "postalCode": "75001",
            "country": "France",
            "countryCode": "FR",
            "type": "work",
        }
    ],
    "organizations": [{"name": "Atelier", "title": "CEO", "department": "Board", "type": "work", "current": True}],
    "biographies": [{"value": "Met at the fair.", "contentType": "TEXT_PLAIN"}],
    "birthdays": [{"date": {"year": 1980, "month": 2, "day": 29}}],
    "urls": [{"value": "https://example.fr", "type": "homePage"}],
    "externalIds": [{"value": "003XYZ", "type": "account"}],
    "events": [{"date": {"month": 6, "day": 1}, "type": "anniversary"}],
    "relations": [{"person": "Paul", "type": "spouse"}],
    "nicknames": [{"value": "Lodie"}],
    "occupations": [{"value": "Designer"}],
    "imClients": [{"username": "elodie", "protocol": "jabber", "type": "work"}],
    "userDefined": [{"key": "tier", "value": "gold"}],
    "clientData": [{"key": "salesforceId", "value": "003000000000001AAA"}],
    "genders": [{"value": "female"}],
    "locales": [{"value": "fr-FR"}],
    "interests": [{"value": "sailing"}],
    "miscKeywords": [{"value": "vip", "type": "OUTLOOK_KEYWORD"}],
    "sipAddresses": [{"value": "sip:elodie@example.fr", "type": "work"}],
    "calendarUrls": [{"url": "https://calendar.example.fr/elodie", "type": "freeBusy"}],
    "locations": [{"value": "Building 2", "type": "desk", "current": True}],
}


class Checked:
    """Collects responses with the schema they must satisfy, and reports every departure."""

    def __init__(self, api: str) -> None:
        self.api = api
        self.failures: list[str] = []
        self.count = 0

    def method(self, dotted: str, response: dict[str, Any]) -> dict[str, Any]:
        """Check ``response`` against the response schema of the method ``dotted``."""
        return self.schema(method_response(self.api, dotted), response)

    def schema(self, name: str, value: dict[str, Any]) -> dict[str, Any]:
        """Check ``value`` against the schema ``name``."""
        self.count += 1
        self.failures += problems(self.api, name, value)
        return value

    def assert_clean(self, at_least: int) -> None:
        assert self.failures == []
        assert self.count >= at_least


def test_the_checker_refuses_unknown_and_mistyped_fields() -> None:
    assert problems("people", "Person", {"resourceName": "people/c1", "nickname": "x"}) == [
        "Person: unknown property 'nickname'"
    ]
    assert problems("gmail", "Message", {"internalDate": 1700000000000}) == [
        "Message.internalDate: expected a string, got int"
    ]
    assert problems("gmail", "Message", {"historyId": "12a"}) == [
        "Message.historyId: '12a' is not a decimal uint64 string"
    ]
    assert problems("calendar", "Event", {"start": {"dateTime": "2030-01-01 10:00"}})
    assert problems("calendar", "Event", {"attendees": {"email": "a@b.c"}})
    assert problems("people", "Source", {"type": "SOMETHING"})
    assert problems("calendar", "Event", {"sequence": "3"})


def test_people_resources_match_the_discovery_schemas(google: Google) -> None:
    service = google.service("people")
    people = service.people()
    check = Checked("people")
    full = check.method(
        "people.connections.list",
        people.connections()
        .list(resourceName="people/me", personFields=ALL_PERSON_FIELDS, pageSize=1000, requestSyncToken=True)
        .execute(),
    )
    rich = check.method(
        "people.createContact", people.createContact(body=RICH_PERSON, personFields=ALL_PERSON_FIELDS).execute()
    )
    assert rich["names"][0]["displayName"] == "Dr. Élodie M Durand"
    updated = check.method(
        "people.updateContact",
        people.updateContact(
            resourceName=rich["resourceName"],
            updatePersonFields="nicknames,urls",
            body={"etag": rich["etag"], "nicknames": [{"value": "E"}]},
            personFields=ALL_PERSON_FIELDS,
        ).execute(),
    )
    assert "urls" not in updated
    check.method("people.get", people.get(resourceName=rich["resourceName"], personFields=ALL_PERSON_FIELDS).execute())
    check.method("people.get", people.get(resourceName="people/me", personFields=ALL_PERSON_FIELDS).execute())
    check.method(
        "people.getBatchGet",
        people.getBatchGet(resourceNames=[rich["resourceName"], "people/c404"], personFields="names").execute(),
    )
    created = check.method(
        "people.batchCreateContacts",
        people.batchCreateContacts(
            body={"contacts": [{"contactPerson": RICH_PERSON}], "readMask": ALL_PERSON_FIELDS}
        ).execute(),
    )
    person = created["createdPeople"][0]["person"]
    check.method(
        "people.batchUpdateContacts",
        people.batchUpdateContacts(
            body={
                "contacts": {person["resourceName"]: {"etag": person["etag"], "names": []}},
                "updateMask": "names",
                "readMask": ALL_PERSON_FIELDS,
            }
        ).execute(),
    )
    people.deleteContact(resourceName=rich["resourceName"]).execute()
    check.method(
        "people.connections.list",
        people.connections()
        .list(
            resourceName="people/me",
            personFields=ALL_PERSON_FIELDS,
            syncToken=full["nextSyncToken"],
            requestSyncToken=True,
        )
        .execute(),
    )
    groups = service.contactGroups()
    listed = check.method(
        "contactGroups.list", groups.list(groupFields="clientData,groupType,memberCount,metadata,name").execute()
    )
    group = check.method(
        "contactGroups.create",
        groups.create(
            body={"contactGroup": {"name": "Fidelity", "clientData": [{"key": "k", "value": "v"}]}}
        ).execute(),
    )
    check.method(
        "contactGroups.members.modify",
        groups.members()
        .modify(resourceName=group["resourceName"], body={"resourceNamesToAdd": [person["resourceName"], "people/c1"]})
        .execute(),
    )
    check.method(
        "contactGroups.get",
        groups.get(
            resourceName=group["resourceName"],
            maxMembers=5,
            groupFields="clientData,groupType,memberCount,metadata,name",
        ).execute(),
    )
    check.method(
        "contactGroups.batchGet",
        groups.batchGet(resourceNames=[g["resourceName"] for g in listed["contactGroups"][:3]]).execute(),
    )
    check.method(
        "contactGroups.update",
        groups.update(
            resourceName=group["resourceName"], body={"contactGroup": {"name": "Fidelity 2", "etag": group["etag"]}}
        ).execute(),
    )
    check.method("contactGroups.list", groups.list(syncToken=listed["nextSyncToken"]).execute())
    check.assert_clean(at_least=15)


def test_calendar_resources_match_the_discovery_schemas(google: Google) -> None:
    service = google.service("calendar")
    events = service.events()
    check = Checked("calendar")
    calendar_list = check.method("calendarList.list", service.calendarList().list().execute())
    check.method("calendarList.get", service.calendarList().get(calendarId="primary").execute())
    check.method("calendars.get", service.calendars().get(calendarId="primary").execute())
    first = check.method("events.list", events.list(calendarId="primary").execute())
    check.method(
        "events.list",
        events.list(
            calendarId="primary", singleEvents=True, orderBy="startTime", showDeleted=True, maxAttendees=1
        ).execute(),
    )
    series = next(e for e in first["items"] if "recurrence" in e)
    instances = check.method("events.instances", events.instances(calendarId="primary", eventId=series["id"]).execute())
    check.method("events.get", events.get(calendarId="primary", eventId=instances["items"][2]["id"]).execute())
    inserted = check.method(
        "events.insert",
        events.insert(
            calendarId="primary",
            body={
                "summary": "Full",
                "description": "d",
                "location": "l",
                "colorId": "3",
                "visibility": "confidential",
                "transparency": "transparent",
                "start": {"dateTime": "2030-02-01T09:00:00Z"},
                "end": {"dateTime": "2030-02-01T10:00:00Z"},
                "attendees": [{"email": "a@example.org", "optional": True}],
                "reminders": {"useDefault": False, "overrides": [{"method": "email", "minutes": 30}]},
                "extendedProperties": {"private": {"a": "1"}, "shared": {"b": "2"}},
                "source": {"title": "CRM", "url": "https://crm.example/1"},
                "unknownField": "ignored by Calendar",
            },
        ).execute(),
    )
    assert "unknownField" not in inserted
    check.method(
        "events.patch", events.patch(calendarId="primary", eventId=inserted["id"], body={"summary": "P"}).execute()
    )
    events.delete(calendarId="primary", eventId=inserted["id"]).execute()
    check.method("events.get", events.get(calendarId="primary", eventId=inserted["id"]).execute())
    check.method("events.list", events.list(calendarId="primary", syncToken=first["nextSyncToken"]).execute())
    check.method(
        "events.list", events.list(calendarId="primary", syncToken=first["nextSyncToken"], singleEvents=True).execute()
    )
    check.method("calendarList.list", service.calendarList().list(syncToken=calendar_list["nextSyncToken"]).execute())
    check.assert_clean(at_least=13)


def test_tasks_resources_match_the_discovery_schemas(google: Google) -> None:
    service = google.service("tasks")
    check = Checked("tasks")
    lists = check.method("tasklists.list", service.tasklists().list().execute())
    check.method("tasklists.get", service.tasklists().get(tasklist=lists["items"][0]["id"]).execute())
    check.method("tasklists.insert", service.tasklists().insert(body={"title": "Schema"}).execute())
    task = check.method(
        "tasks.insert",
        service.tasks()
        .insert(tasklist="@default", body={"title": "T", "notes": "n", "due": "2030-01-01T10:00:00Z"})
        .execute(),
    )
    check.method(
        "tasks.patch",
        service.tasks().patch(tasklist="@default", task=task["id"], body={"status": "completed"}).execute(),
    )
    service.tasks().clear(tasklist="@default").execute()
    child = service.tasks().insert(tasklist="@default", body={"title": "c"}, parent=task["id"]).execute()
    service.tasks().delete(tasklist="@default", task=child["id"]).execute()
    check.method("tasks.get", service.tasks().get(tasklist="@default", task=child["id"]).execute())
    check.method("tasks.list", service.tasks().list(tasklist="@default", showDeleted=True, showHidden=True).execute())
    check.method("tasks.move", service.tasks().move(tasklist="@default", task=task["id"]).execute())
    check.assert_clean(at_least=8)


def test_gmail_resources_match_the_discovery_schemas(google: Google) -> None:
    users = google.service("gmail").users()
    check = Checked("gmail")
    listed = check.method("users.messages.list", users.messages().list(userId="me").execute())
    check.method("users.messages.list", users.messages().list(userId="me", q="subject:nothing-like-this").execute())
    for item in listed["messages"]:
        for fmt in ("full", "metadata", "minimal", "raw"):
            message = check.method(
                "users.messages.get", users.messages().get(userId="me", id=item["id"], format=fmt).execute()
            )
            if fmt != "full":
                continue
            for part in message["payload"].get("parts", []):
                attachment_id = part.get("body", {}).get("attachmentId")
                if attachment_id:
                    check.method(
                        "users.messages.attachments.get",
                        users.messages()
                        .attachments()
                        .get(userId="me", messageId=item["id"], id=attachment_id)
                        .execute(),
                    )
    check.method("users.getProfile", users.getProfile(userId="me").execute())
    check.method("users.labels.list", users.labels().list(userId="me").execute())
    check.assert_clean(at_least=40)


@pytest.mark.parametrize(
    ("api", "call"),
    [
        ("people", lambda s: s.people().get(resourceName="people/c1", personFields="names")),
        ("calendar", lambda s: s.events().get(calendarId="primary", eventId="nope1")),
        ("tasks", lambda s: s.tasks().get(tasklist="@default", task="nope")),
        ("gmail", lambda s: s.users().messages().get(userId="me", id="nope")),
    ],
)
def test_not_found_errors_in_each_apis_format(google: Google, api: str, call: Any) -> None:
    with pytest.raises(HttpError) as missing:
        call(google.service(api)).execute()
    body = json.loads(missing.value.content)
    assert missing.value.resp.status == 404
    error = body["error"]
    assert error["code"] == 404 and error["errors"][0]["reason"] == "notFound"
    assert set(error) == (
        {"code", "message", "errors"} if api == "calendar" else {"code", "message", "errors", "status"}
    )
    if api == "calendar":
        assert body == {
            "error": {
                "errors": [{"domain": "global", "reason": "notFound", "message": "Not Found"}],
                "code": 404,
                "message": "Not Found",
            }
        }
    else:
        assert error["status"] == "NOT_FOUND"
