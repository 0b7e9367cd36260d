"""Data for the Google accounts: the demo mailboxes (people shared with the Salesforce demo org) or N generated
records of each kind per user.

The demo data is deterministic: the same contacts, groups, events, tasks and messages on every reset, with dates
placed relative to the sandbox's day so the calendar and inbox look current.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from app.sandbox.demo_people import DemoPerson, demo_people
from app.sandbox.google.calendar.recurrence import zone
from app.sandbox.google.wire import digest_b64

if TYPE_CHECKING:
    from app.sandbox.google.backend import GoogleAccount, GoogleBackend
    from app.sandbox.state import Seed

SALESFORCE_GROUP = "Salesforce Contacts"
#: Demo users' calendar time zones (others use UTC).
TIME_ZONES = {"priya.shah@example.com": "America/Los_Angeles", "zoe.lefevre@example.com": "Europe/Paris"}
#: How many messages an int seed generates per user at most (MIME parsing is the slow part).
MAX_GENERATED_MESSAGES = 50
_FAKE_PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def seed_accounts(backend: GoogleBackend, seed: Seed) -> None:
    """Fill every open account per ``seed`` (nothing for ``empty``)."""
    if seed == "empty":
        return
    for account in backend.accounts.values():
        account.calendar.time_zone = TIME_ZONES.get(account.email, "UTC")
        if seed == "demo":
            _demo_account(account, backend.clock.now())
        else:
            _generated_account(account, int(seed), backend.clock.now())


# -- demo ----------------------------------------------------------------------------------------------------------


def _demo_account(account: GoogleAccount, now: datetime) -> None:
    # Messages are dated from the start of the hour, so their bytes (and parses) repeat across resets.
    now = now.replace(minute=0, second=0, microsecond=0)
    people = [person for person in demo_people() if person.known_by == account.email]
    _demo_contacts(account, people)
    _demo_events(account, people, now)
    _demo_tasks(account, people, now)
    _demo_messages(account, people, now)


def _person_body(person: DemoPerson, groups: Sequence[str] = ()) -> dict[str, Any]:
    body: dict[str, Any] = {
        "names": [{"givenName": person.first_name, "familyName": person.last_name}],
        "emailAddresses": [{"value": person.email, "type": "work"}],
        "phoneNumbers": [{"value": person.phone, "type": "work"}, {"value": person.mobile, "type": "mobile"}],
        "organizations": [{"name": person.company, "title": person.title, "type": "work"}],
        "addresses": [{"city": person.city, "country": person.country, "type": "work"}],
    }
    if groups:
        body["memberships"] = [
            {"contactGroupMembership": {"contactGroupResourceName": f"contactGroups/{group}"}}
            for group in ["myContacts", *groups]
        ]
    return body


def _demo_contacts(account: GoogleAccount, people: list[DemoPerson]) -> None:
    store = account.people
    group = store.create_group(SALESFORCE_GROUP, [{"key": "crmbridge", "value": "salesforce-contacts"}])
    for index, person in enumerate(people):
        in_group = person.kind == "contact" and index % 2 == 0
        store.create_contact(_person_body(person, [group.group_id] if in_group else []))
    for given, family, phone in (("Mum", "", "+44 20 7946 0018"), ("Dr. Hannah", "Okafor", "+44 20 7946 0321")):
        names = {"givenName": given, **({"familyName": family} if family else {})}
        store.create_contact({"names": [names], "phoneNumbers": [{"value": phone, "type": "mobile"}]})


def _at(day: date, hour: int, minute: int, tz_name: str) -> str:
    local = datetime.combine(day, time(hour, minute), tzinfo=zone(tz_name))
    return local.isoformat()


def _monday(now: datetime) -> date:
    today = now.date()
    return today - timedelta(days=today.weekday())


def _demo_events(account: GoogleAccount, people: list[DemoPerson], now: datetime) -> None:
    calendar = account.calendar
    tz = calendar.time_zone
    monday = _monday(now)
    series = calendar.insert(
        {
            "summary": "Weekly pipeline review",
            "description": "Forecast, commits and deals at risk.",
            "location": "Board room / Meet",
            "start": {"dateTime": _at(monday, 9, 30, tz), "timeZone": tz},
            "end": {"dateTime": _at(monday, 10, 15, tz), "timeZone": tz},
            "recurrence": [
                "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=12",
                f"EXDATE;TZID={tz}:{(monday + timedelta(weeks=3)).strftime('%Y%m%d')}T093000",
            ],
            "attendees": [{"email": account.email, "responseStatus": "accepted"}]
            + [{"email": p.email, "displayName": p.name} for p in people[:2]],
        }
    )
    moved_from = monday + timedelta(weeks=1)
    instance = (
        f"{series.id}_{datetime.combine(moved_from, time(9, 30), tzinfo=zone(tz)).astimezone(UTC):%Y%m%dT%H%M%SZ}"
    )
    calendar.replace(
        instance,
        {
            "start": {"dateTime": _at(moved_from + timedelta(days=1), 14, 0, tz), "timeZone": tz},
            "end": {"dateTime": _at(moved_from + timedelta(days=1), 14, 45, tz), "timeZone": tz},
            "summary": "Weekly pipeline review (moved to Tuesday)",
        },
        merge=True,
        if_match=None,
    )
    for offset, person in enumerate(people[:8]):
        day = monday + timedelta(days=offset - 3)
        calendar.insert(
            {
                "summary": f"{person.company} — {person.first_name} {person.last_name}",
                "description": f"Call with {person.name} ({person.title}).",
                "start": {"dateTime": _at(day, 11 + offset % 5, 0, tz)},
                "end": {"dateTime": _at(day, 11 + offset % 5, 30, tz)},
                "attendees": [{"email": account.email, "responseStatus": "accepted"}, {"email": person.email}],
            }
        )
    calendar.insert(
        {
            "summary": "Doctor's appointment",
            "start": {"dateTime": _at(monday + timedelta(days=2), 8, 0, tz)},
            "end": {"dateTime": _at(monday + timedelta(days=2), 9, 0, tz)},
            "visibility": "private",
            "transparency": "opaque",
        }
    )
    calendar.insert(
        {
            "summary": "Sales kick-off (offsite)",
            "start": {"date": (monday + timedelta(days=10)).isoformat()},
            "end": {"date": (monday + timedelta(days=12)).isoformat()},
            "transparency": "transparent",
        }
    )
    cancelled = calendar.insert(
        {
            "summary": "Lunch (cancelled)",
            "start": {"dateTime": _at(monday + timedelta(days=4), 12, 30, tz)},
            "end": {"dateTime": _at(monday + timedelta(days=4), 13, 30, tz)},
        }
    )
    calendar.delete(cancelled.id, if_match=None)


def _demo_tasks(account: GoogleAccount, people: list[DemoPerson], now: datetime) -> None:
    store = account.tasks
    default = next(iter(store.lists.values())).id
    for index, person in enumerate(people[:5]):
        due = (now + timedelta(days=index + 1)).isoformat()
        store.insert(
            default,
            {
                "title": f"Send the proposal to {person.name}",
                "due": due,
                "notes": f"{person.company}: pricing for 50 seats.",
            },
            parent=None,
            previous=None,
        )
    done = store.insert(default, {"title": "Log last week's calls", "status": "completed"}, parent=None, previous=None)
    done.completed = now - timedelta(days=1)
    follow_ups = store.create_list("Follow-ups")
    for person in people[5:8]:
        store.insert(follow_ups.id, {"title": f"Follow up with {person.first_name}"}, parent=None, previous=None)


def _demo_messages(account: GoogleAccount, people: list[DemoPerson], now: datetime) -> None:
    mailbox = account.gmail
    for index, person in enumerate(people[:8]):
        received = now - timedelta(hours=6 * index + 1)
        attachments: tuple[tuple[str, str, bytes], ...] = ()
        if index % 3 == 0:
            attachments += ((f"Quote-{person.company.split()[0]}.pdf", "application/pdf", _FAKE_PDF),)
        if index == 1:
            attachments += (("requirements.csv", "text/csv", b"item,quantity\nlicences,50\nsupport,1\n"),)
        raw = build_message(
            sender=(person.name, person.email),
            to=((account.name, account.email),),
            subject=f"{person.company}: next steps" if index % 2 else f"Re: Proposal for {person.company}",
            text=f"Hi {account.name.split()[0]},\n\nThanks for your time today. Could you send the updated "
            f"quote?\n\nBest regards,\n{person.name}\n{person.title}, {person.company}\n",
            sent_at=received,
            message_id=f"<{digest_b64(account.email, index, length=16)}@{person.email.split('@')[1]}>",
            attachments=attachments,
        )
        labels = ["INBOX", "CATEGORY_PERSONAL"] + (["UNREAD"] if index < 3 else [])
        inbound = mailbox.add(raw, labels, internal_date=received)
        if index == 0:
            reply = build_message(
                sender=(account.name, account.email),
                to=((person.name, person.email),),
                subject=f"Re: Proposal for {person.company}",
                text=f"Hi {person.first_name},\n\nPlease find the updated quote attached.\n\n{account.name}\n",
                sent_at=received + timedelta(minutes=40),
                message_id=f"<reply-{digest_b64(account.email, index, length=12)}@example.com>",
                in_reply_to=inbound.header("Message-ID"),
                attachments=(("Quote-v2.pdf", "application/pdf", _FAKE_PDF),),
            )
            mailbox.add(reply, ["SENT"], internal_date=received + timedelta(minutes=40))


@lru_cache(maxsize=512)
def build_message(
    *,
    sender: tuple[str, str],
    to: tuple[tuple[str, str], ...],
    subject: str,
    text: str,
    sent_at: datetime,
    message_id: str | None = None,
    html: str | None = None,
    in_reply_to: str | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> bytes:
    """An RFC 5322 message (multipart/alternative text and HTML, attachments as multipart/mixed), CRLF-terminated."""
    message = EmailMessage(policy=SMTP)
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    message["Date"] = format_datetime(sent_at.astimezone(UTC))
    message["From"] = f"{sender[0]} <{sender[1]}>"
    message["To"] = ", ".join(f"{name} <{address}>" for name, address in to)
    message["Subject"] = subject
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(text)
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n\n"))
    message.add_alternative(html or f"<html><body>{paragraphs}</body></html>", subtype="html")
    for filename, mime_type, data in attachments:
        maintype, subtype = mime_type.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


# -- generated -----------------------------------------------------------------------------------------------------


def _generated_account(account: GoogleAccount, count: int, now: datetime) -> None:
    rng = random.Random(f"{count}:{account.email}")
    pool = demo_people()
    tz = account.calendar.time_zone
    for index in range(count):
        person = pool[index % len(pool)]
        local, domain = person.email.split("@", 1)
        body = _person_body(person)
        body["emailAddresses"] = [{"value": f"{local}.{index}@{domain}", "type": "work"}]
        account.people.create_contact(body)
    monday = _monday(now)
    for index in range(count):
        day = monday + timedelta(days=rng.randint(-30, 60))
        hour = rng.randint(8, 17)
        account.calendar.insert(
            {
                "summary": f"Meeting {index + 1}",
                "start": {"dateTime": _at(day, hour, 0, tz)},
                "end": {"dateTime": _at(day, hour, 30, tz)},
            }
        )
    default = next(iter(account.tasks.lists.values())).id
    for index in range(count):
        due = (now + timedelta(days=rng.randint(-10, 30))).isoformat() if index % 2 else None
        body = {"title": f"Task {index + 1}", **({"due": due} if due else {})}
        if index % 4 == 3:
            body["status"] = "completed"
        account.tasks.insert(default, body, parent=None, previous=None)
    anchor = now.replace(minute=0, second=0, microsecond=0)
    for index in range(min(count, MAX_GENERATED_MESSAGES)):
        person = pool[index % len(pool)]
        sent_at = anchor - timedelta(minutes=37 * (index + 1))
        raw = build_message(
            sender=(person.name, person.email),
            to=((account.name, account.email),),
            subject=f"Message {index + 1}",
            text=f"Generated message {index + 1}.\n",
            sent_at=sent_at,
            message_id=f"<gen-{index}-{digest_b64(account.email, length=8)}@example.com>",
        )
        account.gmail.add(raw, ["INBOX"], internal_date=sent_at)
