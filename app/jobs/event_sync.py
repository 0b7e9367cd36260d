"""One event sync pass for one user: the Outlook or Google calendar, and the Salesforce Events they own."""

from __future__ import annotations

from app.connectors.google.calendar_client import CalendarClient
from app.connectors.google.events_store import GoogleEventStore
from app.connectors.microsoft.client import GraphClient
from app.connectors.microsoft.events_store import GraphEventStore
from app.connectors.salesforce.events_store import SalesforceEventStore
from app.jobs.sync_pass import ItemSync, StoreBuilder, SyncEnvironment, VendorSessions
from app.models import ItemType, MailProvider, User
from app.services.sync_settings import EventSyncSettings, event_sync_settings
from app.sync.stores import ItemStore


def event_stores(env: SyncEnvironment, user: User, settings: EventSyncSettings) -> StoreBuilder:
    """How to build the user's event stores over the settings' window."""

    def build(sessions: VendorSessions) -> tuple[ItemStore, ItemStore]:
        mailbox: ItemStore
        if user.mail_provider is MailProvider.MICROSOFT:
            graph = GraphClient(sessions.mailbox_token, vendor_base_url=env.vendor_base_url, retry=env.retry)
            sessions.on_close(graph.close)
            mailbox = GraphEventStore(
                graph,
                window=settings.window,
                selection=settings.selection,
                include_private=settings.include_private,
                include_series=settings.series,
            )
        else:
            calendar = CalendarClient(sessions.mailbox_token, vendor_base_url=env.vendor_base_url, retry=env.retry)
            sessions.on_close(calendar.close)
            mailbox = GoogleEventStore(
                calendar,
                window=settings.window,
                selection=settings.selection,
                include_private=settings.include_private,
                include_series=settings.series,
            )
        salesforce = SalesforceEventStore(
            sessions.salesforce,
            user_id=sessions.salesforce.salesforce_user_id,
            window=settings.window,
            include_private=settings.include_private,
            include_series=settings.series,
            relate_attendees=settings.relate_attendees,
            retry=env.retry,
        )
        return mailbox, salesforce

    return build


#: How events sync: the settings that apply now and the stores they build.
EVENTS: ItemSync[EventSyncSettings] = ItemSync(
    ItemType.EVENT,
    lambda session, user, now: event_sync_settings(session, user, now=now),
    event_stores,
)
