"""Demo mailboxes: the shared demo people as Outlook contacts, meetings with them, tasks about them, mail from them.

``demo`` gives each Microsoft demo user the people they know (``demo_people()``): contacts in the Contacts folder
and two sub-folders, some categorized "Sync with Salesforce" or "Don't sync with Salesforce", some private through
``PidTagSensitivity``; a weekly series of ten with one moved occurrence, a monthly series, a private event, meetings
and an all-day event; two To Do lists; and messages with file attachments. An integer seed N instead gives every
Microsoft user N generated contacts, events and tasks. Both are deterministic: only the dates follow the sandbox
clock (anchored on the current day and week), so that the calendar always has something this week.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from app.sandbox.demo_people import DemoPerson, demo_companies, demo_people
from app.sandbox.microsoft import calendar, extended
from app.sandbox.microsoft.categories import category_entry
from app.sandbox.microsoft.models import Attachment, Folder, Item, Mailbox
from app.sandbox.microsoft.recurrence import normalize
from app.sandbox.microsoft.timezones import require_zone
from app.sandbox.state import Seed

SYNC_CATEGORY = "Sync with Salesforce"
NO_SYNC_CATEGORY = "Don't sync with Salesforce"
SERIES_SUBJECT = "Weekly pipeline review"
SERIES_TIME_ZONE = "Eastern Standard Time"


def seed_mailbox(mailbox: Mailbox, seed: Seed, now: datetime) -> None:
    """Fill a new mailbox per ``seed`` (``empty`` leaves it as Outlook creates it)."""
    if seed == "empty":
        return
    _categories(mailbox)
    # Everything is anchored on today's midnight (UTC), so two resets on the same day give the same data.
    now = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    week = _monday(now)
    if seed == "demo":
        people = [p for p in demo_people() if p.known_by == mailbox.user.email]
        _demo_contacts(mailbox, people, now)
        _demo_events(mailbox, people, week, now)
        _demo_tasks(mailbox, people, week, now)
        _demo_messages(mailbox, people, now)
    else:
        _generated(mailbox, int(seed), week, now)


def _monday(now: datetime) -> datetime:
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def _categories(mailbox: Mailbox) -> None:
    for name, color in ((SYNC_CATEGORY, "preset4"), (NO_SYNC_CATEGORY, "preset0")):
        mailbox.categories.append(category_entry(mailbox.user.email, name, color))


def _contact_props(person: DemoPerson, categories: list[str]) -> dict[str, Any]:
    company = next((c for c in demo_companies() if c.name == person.company), None)
    address: dict[str, Any] = {"city": person.city, "countryOrRegion": person.country}
    if company is not None:
        address.update(street=company.street, postalCode=company.postal_code)
    return {
        "givenName": person.first_name,
        "surname": person.last_name,
        "displayName": person.name,
        "fileAs": f"{person.last_name}, {person.first_name}",
        "emailAddresses": [{"name": person.name, "address": person.email}],
        "businessPhones": [person.phone],
        "mobilePhone": person.mobile,
        "jobTitle": person.title,
        "companyName": person.company,
        "businessAddress": address,
        "categories": categories,
    }


def _demo_contacts(mailbox: Mailbox, people: Sequence[DemoPerson], now: datetime) -> None:
    root = mailbox.default_folder("contactFolder")
    customers = mailbox.add_folder("contactFolder", {"displayName": "Customers"}, parent=root.key)
    partners = mailbox.add_folder("contactFolder", {"displayName": "Partners"}, parent=root.key)
    for index, person in enumerate(people):
        categories = []
        if index % 4 == 0:
            categories.append(SYNC_CATEGORY)
        elif index % 9 == 2:
            categories.append(NO_SYNC_CATEGORY)
        if index % 11 == 6:
            categories.append("Blue category")
        folder = customers if index % 6 == 1 else partners if index % 10 == 3 else root
        created = now - timedelta(days=90 - index % 60, hours=index % 24)
        contact = mailbox.add_item("contact", folder, _contact_props(person, categories), created)
        contact.modified = created
        if index % 7 == 5:
            extended.write(contact, [{"id": extended.SENSITIVITY_ID, "value": extended.SENSITIVITY_PRIVATE}])


def _attendees(people: Sequence[DemoPerson]) -> list[dict[str, Any]]:
    return [
        {
            "type": "required",
            "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
            "emailAddress": {"name": p.name, "address": p.email},
        }
        for p in people
    ]


def add_event(
    mailbox: Mailbox,
    subject: str,
    start: datetime,
    length: timedelta,
    now: datetime,
    *,
    zone: str = "UTC",
    folder: Folder | None = None,
    **props: Any,
) -> Item:
    """Store an event the way a POST would (a series master is aligned on its first occurrence)."""
    target = folder or mailbox.default_folder("calendar")
    event_zone = require_zone(zone)
    body = {"subject": subject, "body": {"contentType": "html", "content": f"<p>{subject}</p>"}, **props}
    item = mailbox.add_item(
        "event", target, body, now, start=start, end=start + length, start_zone=event_zone, end_zone=event_zone
    )
    if item.props.get("recurrence"):
        series_zone = item.props["recurrence"].get("range", {}).get("recurrenceTimeZone") or event_zone.name
        item.props["recurrence"] = normalize(item.props["recurrence"], start.date(), series_zone)
        calendar.align_master(item)
    return item


def _demo_events(mailbox: Mailbox, people: Sequence[DemoPerson], week: datetime, now: datetime) -> None:
    guests = list(people[:3])
    zone = require_zone(SERIES_TIME_ZONE)
    first = week - timedelta(weeks=2)
    local_ten = datetime(first.year, first.month, first.day, 10, tzinfo=zone.tz).astimezone(UTC)
    series = add_event(
        mailbox,
        SERIES_SUBJECT,
        local_ten,
        timedelta(minutes=45),
        now,
        zone=SERIES_TIME_ZONE,
        attendees=_attendees(guests[:2]),
        categories=[SYNC_CATEGORY],
        recurrence={
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "sunday"},
            "range": {
                "type": "numbered",
                "startDate": first.date().isoformat(),
                "numberOfOccurrences": 10,
                "recurrenceTimeZone": SERIES_TIME_ZONE,
            },
        },
    )
    assert series.start is not None
    fourth = calendar.occurrence_starts(series, series.start + timedelta(weeks=5))[3]
    moved = calendar.make_exception(mailbox, calendar.occurrence(mailbox, series, fourth), now)
    moved.start = fourth + timedelta(days=1)
    moved.end = moved.start + timedelta(minutes=45)
    moved.props["subject"] = f"{SERIES_SUBJECT} (moved to Tuesday)"
    mailbox.touch(moved, now)
    mailbox.touch(series, now)

    monthly_start = datetime(week.year, week.month, 1, 14, tzinfo=UTC)
    add_event(
        mailbox,
        "Monthly forecast call",
        monthly_start,
        timedelta(hours=1),
        now,
        recurrence=calendar_recurrence_monthly(monthly_start),
    )
    add_event(
        mailbox,
        "Doctor's appointment",
        week + timedelta(days=2, hours=16),
        timedelta(hours=1),
        now,
        sensitivity="private",
        showAs="oof",
    )
    add_event(
        mailbox,
        "Trade show",
        week + timedelta(days=10),
        timedelta(days=2),
        now,
        isAllDay=True,
        showAs="free",
    )
    for index, person in enumerate(people[3:8]):
        add_event(
            mailbox,
            f"Meeting with {person.name} ({person.company})",
            week + timedelta(days=index + 1, hours=9 + index),
            timedelta(minutes=30),
            now,
            attendees=_attendees([person]),
            location={"displayName": person.city, "locationType": "default", "uniqueIdType": "unknown"},
            categories=[SYNC_CATEGORY] if index % 2 == 0 else [],
        )


def calendar_recurrence_monthly(start: datetime) -> dict[str, Any]:
    """A first-Thursday-of-the-month recurrence for six months from ``start``."""
    end = (start + timedelta(days=186)).date()
    return normalize(
        {
            "pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["thursday"], "index": "first"},
            "range": {"type": "endDate", "startDate": start.date().isoformat(), "endDate": end.isoformat()},
        },
        start.date(),
        "UTC",
    )


def add_task(mailbox: Mailbox, folder: Folder, title: str, now: datetime, **props: Any) -> Item:
    """Store a To Do task."""
    return mailbox.add_item("task", folder, {"title": title, **props}, now)


def _due(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _demo_tasks(mailbox: Mailbox, people: Sequence[DemoPerson], week: datetime, now: datetime) -> None:
    tasks = mailbox.default_folder("todoList")
    follow_ups = mailbox.add_folder("todoList", {"displayName": "Salesforce follow-ups"})
    names = [p.name for p in people[:6]] or ["a customer"] * 6
    add_task(
        mailbox,
        tasks,
        f"Send the proposal to {names[0]}",
        now,
        importance="high",
        dueDateTime=_due(week + timedelta(days=3)),
        categories=[SYNC_CATEGORY],
        body={"content": "Pricing for 50 seats, two-year term.", "contentType": "text"},
    )
    add_task(mailbox, tasks, f"Call {names[1]} about the renewal", now, dueDateTime=_due(week + timedelta(days=4)))
    add_task(mailbox, tasks, "Prepare the QBR deck", now, status="inProgress", categories=[NO_SYNC_CATEGORY])
    add_task(
        mailbox,
        tasks,
        f"Book the demo with {names[2]}",
        now,
        status="completed",
        completedDateTime=_due(week - timedelta(days=2)),
        dueDateTime=_due(week - timedelta(days=3)),
    )
    add_task(mailbox, follow_ups, f"Log the call with {names[3]}", now, categories=[SYNC_CATEGORY])
    add_task(mailbox, follow_ups, f"Update the opportunity for {names[4]}", now, importance="low")
    add_task(mailbox, follow_ups, f"Send the contract to {names[5]}", now, dueDateTime=_due(week + timedelta(days=8)))


def _message_id(seed: str, domain: str) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return f"<{digest[:20].upper()}@{domain}>"


def add_message(
    mailbox: Mailbox,
    folder: Folder,
    *,
    sender: tuple[str, str],
    recipients: Sequence[tuple[str, str]],
    subject: str,
    html_body: str,
    received: datetime,
    cc: Sequence[tuple[str, str]] = (),
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> Item:
    """Store a message as delivered (``attachments`` are (name, content type, bytes))."""
    domain = sender[1].split("@", 1)[-1]
    props = {
        "subject": subject,
        "body": {"contentType": "html", "content": html_body},
        "from": {"emailAddress": {"name": sender[0], "address": sender[1]}},
        "sender": {"emailAddress": {"name": sender[0], "address": sender[1]}},
        "toRecipients": [{"emailAddress": {"name": n, "address": a}} for n, a in recipients],
        "ccRecipients": [{"emailAddress": {"name": n, "address": a}} for n, a in cc],
        "receivedDateTime": received.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sentDateTime": (received - timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "internetMessageId": _message_id(f"{mailbox.user.email}:{subject}:{received.isoformat()}", domain),
        "conversationId": hashlib.sha256(subject.encode()).hexdigest()[:40],
        "isRead": folder.well_known != "inbox",
    }
    item = mailbox.add_item("message", folder, props, received)
    for name, content_type, content in attachments:
        item.attachments.append(Attachment(mailbox.new_key("attachment"), name, content_type, content, received))
    return item


def _demo_messages(mailbox: Mailbox, people: Sequence[DemoPerson], now: datetime) -> None:
    inbox = mailbox.default_folder("mailFolder")
    sent = mailbox.well_known("mailFolder", "sentitems")
    assert sent is not None
    me = (mailbox.user.name, mailbox.user.email)
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    for index, person in enumerate(people[:6]):
        them = (person.name, person.email)
        received = now - timedelta(hours=6 + index * 19)
        files: list[tuple[str, str, bytes]] = []
        if index % 2 == 0:
            files.append((f"Proposal {person.company}.pdf", "application/pdf", pdf))
        if index % 3 == 0:
            notes = f"Notes from {person.name}\nBudget approved for Q3.\n".encode()
            files.append(("meeting-notes.txt", "text/plain", notes))
        add_message(
            mailbox,
            inbox,
            sender=them,
            recipients=[me],
            subject=f"Re: {person.company} proposal",
            html_body=f"<html><body><p>Hi {mailbox.user.given_name},</p><p>Thanks for the call. "
            f"Please find our notes attached.</p><p>Best regards,<br>{person.name}<br>{person.title}</p></body></html>",
            received=received,
            attachments=files,
        )
    for index, person in enumerate(people[6:8]):
        add_message(
            mailbox,
            sent,
            sender=me,
            recipients=[(person.name, person.email)],
            subject=f"Following up: {person.company}",
            html_body=f"<html><body><p>Dear {person.first_name},</p><p>Following up on our call.</p></body></html>",
            received=now - timedelta(days=1 + index, hours=3),
        )


def _generated(mailbox: Mailbox, count: int, week: datetime, now: datetime) -> None:
    """N contacts, N events and N tasks, cycling through the demo people (addresses made unique)."""
    people = demo_people()
    root = mailbox.default_folder("contactFolder")
    calendar_folder = mailbox.default_folder("calendar")
    tasks = mailbox.default_folder("todoList")
    for n in range(count):
        person = people[n % len(people)]
        local, domain = person.email.split("@", 1)
        props = _contact_props(person, [SYNC_CATEGORY] if n % 3 == 0 else [])
        props["emailAddresses"] = [{"name": person.name, "address": f"{local}.{n}@{domain}"}]
        mailbox.add_item("contact", root, props, now)
        start = week + timedelta(days=(n % 28) - 7, hours=8 + n % 9)
        zone = require_zone("UTC")
        mailbox.add_item(
            "event",
            calendar_folder,
            {"subject": f"Meeting {n + 1} with {person.name}", "attendees": _attendees([person])},
            now,
            start=start,
            end=start + timedelta(minutes=30),
            start_zone=zone,
            end_zone=zone,
        )
        mailbox.add_item("task", tasks, {"title": f"Follow up {n + 1}: {person.name}"}, now)
