"""One task sync pass for one user: Microsoft To Do or Google Tasks, and the Salesforce Tasks they own."""

from __future__ import annotations

from app.connectors.google.tasks_client import TasksClient
from app.connectors.google.tasks_store import GoogleTaskStore
from app.connectors.microsoft.client import GraphClient
from app.connectors.microsoft.tasks_store import GraphTaskStore
from app.connectors.salesforce.tasks_store import SalesforceTaskStore
from app.jobs.sync_pass import ItemSync, StoreBuilder, SyncEnvironment, VendorSessions
from app.models import ItemType, MailProvider, User
from app.services.sync_settings import TaskSyncSettings, task_sync_settings
from app.sync.stores import ItemStore


def task_stores(env: SyncEnvironment, user: User, settings: TaskSyncSettings) -> StoreBuilder:
    """How to build the user's task stores."""

    def build(sessions: VendorSessions) -> tuple[ItemStore, ItemStore]:
        mailbox: ItemStore
        if user.mail_provider is MailProvider.MICROSOFT:
            graph = GraphClient(sessions.mailbox_token, vendor_base_url=env.vendor_base_url, retry=env.retry)
            sessions.on_close(graph.close)
            mailbox = GraphTaskStore(graph, selection=settings.selection)
        else:
            tasks = TasksClient(sessions.mailbox_token, vendor_base_url=env.vendor_base_url, retry=env.retry)
            sessions.on_close(tasks.close)
            mailbox = GoogleTaskStore(tasks, selection=settings.selection)
        salesforce = SalesforceTaskStore(
            sessions.salesforce, user_id=sessions.salesforce.salesforce_user_id, retry=env.retry
        )
        return mailbox, salesforce

    return build


#: How tasks sync: the settings that apply now and the stores they build.
TASKS: ItemSync[TaskSyncSettings] = ItemSync(
    ItemType.TASK,
    lambda session, user, now: task_sync_settings(session, user),
    task_stores,
)
