"""One contact sync pass for one user: the Outlook folder or Gmail group, and the Salesforce Contacts in scope."""

from __future__ import annotations

from app.connectors.google.client import PeopleClient
from app.connectors.google.contacts_store import PeopleContactStore
from app.connectors.microsoft.client import GraphClient
from app.connectors.microsoft.contacts_store import GraphContactStore
from app.connectors.salesforce.contacts_store import SalesforceContactStore
from app.jobs.sync_pass import ItemSync, StoreBuilder, SyncEnvironment, VendorSessions
from app.models import ItemType, MailProvider, User
from app.services.sync_settings import ContactSyncSettings, contact_sync_settings
from app.sync.stores import ItemStore


def contact_stores(env: SyncEnvironment, user: User, settings: ContactSyncSettings) -> StoreBuilder:
    """How to build the user's contact stores: their mailbox's and their Salesforce Contacts in scope."""

    def build(sessions: VendorSessions) -> tuple[ItemStore, ItemStore]:
        mailbox: ItemStore
        if user.mail_provider is MailProvider.MICROSOFT:
            graph = GraphClient(sessions.mailbox_token, vendor_base_url=env.vendor_base_url, retry=env.retry)
            sessions.on_close(graph.close)
            mailbox = GraphContactStore(graph, selection=settings.selection, include_private=settings.include_private)
        else:
            people = PeopleClient(sessions.mailbox_token, vendor_base_url=env.vendor_base_url, retry=env.retry)
            sessions.on_close(people.close)
            mailbox = PeopleContactStore(people, selection=settings.selection)
        salesforce = SalesforceContactStore(
            sessions.salesforce,
            user_id=sessions.salesforce.salesforce_user_id,
            scope=settings.scope,
            list_view_id=settings.list_view_id,
            retry=env.retry,
        )
        return mailbox, salesforce

    return build


#: How contacts sync: the settings that apply now and the stores they build.
CONTACTS: ItemSync[ContactSyncSettings] = ItemSync(
    ItemType.CONTACT,
    lambda session, user, now: contact_sync_settings(session, user),
    contact_stores,
)
