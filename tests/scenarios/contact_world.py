"""A user's whole contact sync on the sandbox: crmbridge's database, the live sandbox, and a user's hands.

Used by the scenario tests and by ``bench/sync_contacts.py``. Passes run exactly as ``crmbridge sync`` runs
them (:func:`app.jobs.sync_pass.sync_item` with :data:`app.jobs.contact_sync.CONTACTS`), with the real client
libraries over HTTP. The hands act as the user would in Outlook, Gmail or Salesforce, through the vendors' APIs;
their calls are left out of the counts by taking a :meth:`ContactWorld.mark` before the pass measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.connectors.oauth_clients import VendorOAuth
from app.connectors.retry import RetryPolicy
from app.connectors.salesforce.client import SalesforceClient
from app.connectors.selection import SYNC_CONTAINER_NAME
from app.connectors.vendor_http import RebasingTransport
from app.jobs.contact_sync import CONTACTS
from app.jobs.sync_pass import PassReport, SyncEnvironment, sync_item
from app.models import SyncLink, SyncTrigger, User, UserSetting
from app.sandbox.calls import CallFilter
from app.sandbox.state import SandboxState
from app.sandbox_mode import connect_sandbox_users
from app.services.users import find_user
from app.settings import Settings
from app.token_cipher import TokenCipher

INSTANCE_URL = "https://sandbox.my.salesforce.com"
GRAPH = "https://graph.microsoft.com/v1.0"
PEOPLE = "https://people.googleapis.com/v1"
#: Retries without waiting: the sandbox's Retry-After values are honoured in count, not in wall time.
NO_WAIT = RetryPolicy(sleep=lambda _seconds: None)


@dataclass
class ContactWorld:
    """crmbridge on a test database, every sandbox demo user connected."""

    state: SandboxState
    base_url: str
    engine: Engine
    settings: Settings
    env: SyncEnvironment = field(init=False)

    def __post_init__(self) -> None:
        oauth = VendorOAuth(self.settings, self.base_url)
        cipher = TokenCipher.from_settings(self.settings)
        connect_sandbox_users(self.state, self.engine, oauth=oauth, cipher=cipher)
        self.env = SyncEnvironment(
            engine=self.engine, cipher=cipher, refresher=oauth, vendor_base_url=self.base_url, retry=NO_WAIT
        )

    # -- crmbridge -----------------------------------------------------------------------------------

    def user(self, email: str) -> User:
        with Session(self.engine) as session:
            found = find_user(session, email)
        assert found is not None, email
        return found

    def sync(self, email: str, **options: Any) -> PassReport:
        """One pass, as ``crmbridge sync --user EMAIL`` runs it."""
        return sync_item(self.env, self.user(email), CONTACTS, trigger=SyncTrigger.CLI, **options)

    def set(self, email: str, key: str, value: object) -> None:
        """Store one of the user's settings."""
        user_id = self.user(email).id
        assert user_id is not None
        with Session(self.engine) as session:
            row = session.get(UserSetting, (user_id, key)) or UserSetting(user_id=user_id, key=key, value=value)
            row.value = value
            session.add(row)
            session.commit()

    def links(self, email: str) -> list[SyncLink]:
        with Session(self.engine) as session:
            return list(session.exec(select(SyncLink).where(SyncLink.user_id == self.user(email).id)).all())

    # -- the call log --------------------------------------------------------------------------------

    def mark(self) -> int:
        """The id of the last vendor call so far."""
        return self.state.calls.last_id

    def calls(self, provider: str, since: int, *, path: str | None = None) -> int:
        """Vendor API calls to ``provider`` after ``since`` (token and sign-in calls are not API calls)."""
        where = CallFilter(provider=provider, after_id=since, path=path)  # type: ignore[arg-type]
        calls = self.state.calls.calls(where)
        return len([c for c in calls if "/oauth2/" not in c.path and "/token" not in c.path.rsplit("/", 1)[-1]])

    # -- hands ---------------------------------------------------------------------------------------

    def token(self, provider: str, email: str) -> str:
        return self.state.tokens.issue_access_token(provider, email)  # type: ignore[arg-type]

    def graph(self, email: str) -> httpx.Client:
        """Graph as the user's Outlook would call it."""
        return httpx.Client(
            transport=RebasingTransport(self.base_url),
            headers={"Authorization": f"Bearer {self.token('microsoft', email)}", "Prefer": 'IdType="ImmutableId"'},
            timeout=30,
        )

    def google(self, email: str) -> httpx.Client:
        """The People API as Gmail's contact manager would call it."""
        return httpx.Client(
            transport=RebasingTransport(self.base_url),
            headers={"Authorization": f"Bearer {self.token('google', email)}"},
            timeout=30,
        )

    @contextmanager
    def salesforce(self, email: str) -> Iterator[SalesforceClient]:
        """Salesforce as the user's browser would change it."""
        client = SalesforceClient(
            instance_url=INSTANCE_URL, access_token=self.token("salesforce", email), vendor_base_url=self.base_url
        )
        try:
            yield client
        finally:
            client.close()

    def sync_folder_contacts(self, email: str) -> list[dict[str, Any]]:
        """Every contact in the user's "Salesforce Contacts" folder (Outlook)."""
        with self.graph(email) as graph:
            folders = graph.get(f"{GRAPH}/me/contactFolders", params={"$top": "100"}).json()["value"]
            matches = [f for f in folders if f["displayName"] == SYNC_CONTAINER_NAME]
            if not matches:
                return []
            return list(_pages(graph, f"{GRAPH}/me/contactFolders/{matches[0]['id']}/contacts?$top=1000"))

    def sync_folder_id(self, email: str) -> str | None:
        with self.graph(email) as graph:
            folders = graph.get(f"{GRAPH}/me/contactFolders", params={"$top": "100"}).json()["value"]
        return next((f["id"] for f in folders if f["displayName"] == SYNC_CONTAINER_NAME), None)

    def owned_contacts(self, email: str) -> list[dict[str, Any]]:
        """The Salesforce contacts the user owns."""
        with self.salesforce(email) as client:
            return client.query(
                "SELECT Id, FirstName, LastName, Email, Title, Phone, OtherPhone, Account.Name "
                f"FROM Contact WHERE OwnerId = '{self.salesforce_user_id(email)}'"
            )

    def sandbox_move(self, email: str, item_id: str, destination: str) -> None:
        """Move a mailbox item between folders, as Outlook does (Graph has no move for contacts)."""
        with httpx.Client(base_url=self.base_url, timeout=30) as control:
            response = control.post(
                f"/_sandbox/microsoft/mailboxes/{email}/move", json={"itemId": item_id, "destinationId": destination}
            )
        assert response.status_code == 200, response.text

    def revoke(self, email: str, provider: str) -> None:
        """The user withdraws crmbridge's access at the vendor: every token of theirs stops working."""
        with httpx.Client(base_url=self.base_url, timeout=30) as control:
            response = control.post("/_sandbox/tokens/revoke", json={"provider": provider, "user": email})
        assert response.status_code in (200, 204), response.text

    def salesforce_user_id(self, email: str) -> str:
        user = self.state.directory.get(email)
        assert user is not None and user.salesforce_id is not None
        return user.salesforce_id


def _pages(http: httpx.Client, url: str) -> Iterator[dict[str, Any]]:
    next_url: str | None = url
    while next_url:
        body = http.get(next_url).json()
        yield from body["value"]
        next_url = body.get("@odata.nextLink")
