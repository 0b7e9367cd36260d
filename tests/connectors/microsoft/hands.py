"""An Outlook user's hands on a sandbox mailbox, and a Graph contact store wired to the live sandbox.

The hands act as the user would: through Graph (own httpx client, immutable ids) or, for what Graph cannot do (move a
contact, expire delta tokens, change the emulator's settings), through the sandbox control API. The projection ->
Graph conversion here is written independently of ``app.connectors.microsoft.mapping`` on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from app.connectors.access_token import AccessTokenSource
from app.connectors.microsoft.client import GraphClient
from app.connectors.microsoft.contacts_store import GraphContactStore
from app.connectors.retry import RetryPolicy
from app.connectors.selection import SYNC_CONTAINER_NAME, SelectionMethod
from app.connectors.vendor_http import RebasingTransport
from app.sandbox.calls import CallFilter
from app.sandbox.microsoft.backend import MicrosoftBackend
from app.sandbox.microsoft.models import Folder, Mailbox
from tests.sandbox.conftest import LiveSandbox

ALEX = "alex.morgan@example.com"
GRAPH = "https://graph.microsoft.com/v1.0"
IMMUTABLE = 'IdType="ImmutableId"'
SENSITIVITY = "Integer 0x0036"

_SCALARS = {
    "first_name": "givenName",
    "last_name": "surname",
    "mobile_phone": "mobilePhone",
    "company": "companyName",
    "title": "jobTitle",
    "department": "department",
}
_ADDRESS = {
    "street": "street",
    "city": "city",
    "state": "state",
    "postal_code": "postalCode",
    "country": "countryOrRegion",
}


def person(n: int) -> dict[str, object]:
    """A contact in the projection."""
    return {
        "first_name": f"Katherine{n}",
        "last_name": "Johnson",
        "email": f"katherine{n}@nasa.example",
        "phones": (f"+1 757 555 {n:04d}",),
        "title": "Mathematician",
    }


def graph_contact(fields: Mapping[str, object]) -> dict[str, Any]:
    """A Graph contact body for projection fields (None values clear the property)."""
    body: dict[str, Any] = {}
    address: dict[str, Any] = {}
    for name, value in fields.items():
        if name in _SCALARS:
            body[_SCALARS[name]] = value
        elif name == "email":
            body["emailAddresses"] = [{"address": value, "name": value}] if value else []
        elif name == "phones":
            body["businessPhones"] = list(value) if isinstance(value, tuple | list) else ([value] if value else [])
        elif name == "home_phone":
            body["homePhones"] = [value] if value else []
        elif name in _ADDRESS:
            address[_ADDRESS[name]] = value
        else:
            raise KeyError(name)
    if address:
        body["businessAddress"] = address
    return body


class SandboxToken:
    """An access token that a 401 refreshes by minting a new one (as a refresh-token grant would)."""

    def __init__(self, sandbox: LiveSandbox, email: str) -> None:
        self.sandbox = sandbox
        self.email = email
        self.token = sandbox.token("microsoft", email)
        self.refreshes = 0

    def current(self) -> str:
        return self.token

    def refreshed(self) -> str:
        self.refreshes += 1
        self.token = self.sandbox.token("microsoft", self.email)
        return self.token


@dataclass
class Recorder:
    """A retry policy that never waits for real: it records each wait and advances the sandbox clock instead."""

    sandbox: LiveSandbox
    waits: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.sandbox.state.clock.advance(timedelta(seconds=seconds))

    def policy(self, max_attempts: int = 5) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=max_attempts, base_delay=0.5, max_delay=30.0, sleep=self.sleep, jitter=lambda: 0.5
        )


class OutlookUser:
    """Alex Morgan's mailbox on a fresh, empty sandbox, with the user's hands and stores to test."""

    def __init__(self, sandbox: LiveSandbox, *, create_folder: bool = True) -> None:
        sandbox.reset("empty")
        self.sandbox = sandbox
        self.email = ALEX
        created = self.control("POST", "/users", {"email": ALEX, "name": "Alex Morgan", "mail_provider": "microsoft"})
        assert created.status_code == 201, created.text
        self.token = sandbox.token("microsoft", ALEX)
        self.http = httpx.Client(
            transport=RebasingTransport(sandbox.base_url),
            base_url=GRAPH,
            headers={"Authorization": f"Bearer {self.token}", "Prefer": IMMUTABLE},
            timeout=30,
        )
        self.recorder = Recorder(sandbox)
        self._clients: list[GraphClient] = []
        self.folder_id = self.create_folder(SYNC_CONTAINER_NAME) if create_folder else None

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.http.close()

    # -- the stores under test

    def client(
        self,
        *,
        max_attempts: int = 5,
        token: AccessTokenSource | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> GraphClient:
        client = GraphClient(
            token or SandboxToken(self.sandbox, ALEX),
            vendor_base_url=self.sandbox.base_url,
            retry=self.recorder.policy(max_attempts),
            transport=transport,
        )
        self._clients.append(client)
        return client

    def store(
        self,
        selection: SelectionMethod = SelectionMethod.AUTOMATIC,
        *,
        include_private: bool = False,
        max_attempts: int = 5,
        token: AccessTokenSource | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> GraphContactStore:
        client = self.client(max_attempts=max_attempts, token=token, transport=transport)
        return GraphContactStore(client, selection=selection, include_private=include_private)

    # -- the sandbox behind

    @property
    def mailbox(self) -> Mailbox:
        mailbox = self.sandbox.state.backend("microsoft", MicrosoftBackend).mailbox(ALEX)
        assert mailbox is not None
        return mailbox

    def stored_contacts(self) -> int:
        """Contacts in the mailbox, read from the sandbox's state (no API call, so no throttling)."""
        return sum(1 for item in self.mailbox.items.values() if item.kind == "contact")

    def seed_folder(self, count: int) -> None:
        """``count`` contacts (:func:`person`) in the synced folder, put straight into the sandbox (no API call)."""
        mailbox = self.mailbox
        folder = next(f for f in mailbox.folders.values() if f.props.get("displayName") == SYNC_CONTAINER_NAME)
        now = self.sandbox.state.clock.now()
        for n in range(count):
            props = graph_contact(person(n)) | {"displayName": f"Katherine{n} Johnson"}
            mailbox.add_item("contact", folder, props, now)

    def sandbox_folder(self, folder_id: str) -> Folder:
        """The sandbox's record of a folder, by its Graph id."""
        mailbox = self.mailbox
        return next(f for f in mailbox.folders.values() if mailbox.folder_id(f) == folder_id)

    def folder_in_deleted_items(self, name: str) -> str:
        """A contact folder that sits in Deleted Items, as Outlook leaves a deleted folder (the sandbox's Graph
        cannot put one there, so it is made in the sandbox's state); its id."""
        mailbox = self.mailbox
        trash = mailbox.well_known("mailFolder", "deleteditems")
        assert trash is not None
        return mailbox.folder_id(mailbox.add_folder("contactFolder", {"displayName": name}, parent=trash.key))

    def vanish_folder(self, folder_id: str) -> None:
        """A contact folder and its contacts disappear without a trace in the change log (so no folder delta
        reports it): the next read of it answers 404."""
        mailbox = self.mailbox
        folder = self.sandbox_folder(folder_id)
        for item in mailbox.items_in(folder.key):
            del mailbox.items[item.key]
        del mailbox.folders[folder.key]

    def calls(self) -> int:
        """Graph calls so far (a ``$batch`` is one)."""
        return self.sandbox.state.calls.count(CallFilter(path="/graph.microsoft.com/"))

    def control(self, method: str, path: str, body: Any = None) -> httpx.Response:
        with httpx.Client(base_url=self.sandbox.base_url, timeout=30) as client:
            return client.request(method, f"/_sandbox{path}", json=body)

    def settings(self, **sections: dict[str, Any]) -> None:
        response = self.control("PATCH", "/microsoft/settings", sections)
        assert response.status_code == 200, response.text

    def expire_delta_tokens(self, code: str = "syncStateNotFound") -> None:
        response = self.control("POST", "/microsoft/expire-delta-tokens", {"mailbox": ALEX, "code": code})
        assert response.status_code == 200, response.text

    # -- the user's hands

    def create_folder(self, name: str, *, parent: str | None = None) -> str:
        """A contact folder (under the default Contacts folder, or a child of ``parent``); its id."""
        path = "/me/contactFolders" if parent is None else f"/me/contactFolders/{parent}/childFolders"
        response = self.http.post(path, json={"displayName": name})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def add(
        self,
        fields: Mapping[str, object],
        *,
        folder: str | None = None,
        categories: list[str] | None = None,
        private: bool = False,
        **extra: Any,
    ) -> str:
        """A contact in ``folder`` (default: the synced folder; ``"contacts"``: the default folder); its id."""
        body = graph_contact(fields) | extra
        if categories:
            body["categories"] = categories
        if private:
            body["singleValueExtendedProperties"] = [{"id": SENSITIVITY, "value": "2"}]
        target = folder or self.folder_id
        path = "/me/contacts" if target == "contacts" else f"/me/contactFolders/{target}/contacts"
        response = self.http.post(path, json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.patch(item_id, graph_contact(changes))

    def patch(self, item_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        response = self.http.patch(f"/me/contacts/{item_id}", json=dict(body))
        assert response.status_code == 200, response.text
        return dict(response.json())

    def get(self, item_id: str, **params: str) -> httpx.Response:
        return self.http.get(f"/me/contacts/{item_id}", params=params)

    def remove(self, item_id: str) -> None:
        response = self.http.delete(f"/me/contacts/{item_id}")
        assert response.status_code == 204, response.text

    def move(self, item_id: str, destination: str = "contacts") -> None:
        response = self.control(
            "POST", f"/microsoft/mailboxes/{ALEX}/move", {"itemId": item_id, "destinationId": destination}
        )
        assert response.status_code == 200, response.text

    def contacts_in(self, folder: str | None) -> list[dict[str, Any]]:
        """Every contact of a folder (``None``: the synced folder; ``"contacts"``: the default folder)."""
        target = folder or self.folder_id
        path = "/me/contacts" if target == "contacts" else f"/me/contactFolders/{target}/contacts"
        response = self.http.get(path, params={"$top": "1000"})
        assert response.status_code == 200, response.text
        return list(response.json()["value"])

    def category_names(self) -> set[str]:
        response = self.http.get("/me/outlook/masterCategories")
        assert response.status_code == 200, response.text
        return {entry["displayName"] for entry in response.json()["value"]}


class BatchSpy(httpx.BaseTransport):
    """Real HTTP to the sandbox, keeping the sub-requests of every ``$batch`` sent (one list per call)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.batches: list[list[dict[str, Any]]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/$batch"):
            self.batches.append(list(json.loads(request.read())["requests"]))
        return self.inner.handle_request(request)

    def urls(self, batch: int = -1) -> list[str]:
        """The sub-request URLs of a batch (the last one by default)."""
        return [str(sub["url"]) for sub in self.batches[batch]]
