"""Microsoft's own Python SDK (msgraph-sdk) against the sandbox: if the SDK cannot read our answers, ours are wrong."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.headers_collection import HeadersCollection
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.contact import Contact
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.event_type import EventType
from msgraph.graph_request_adapter import options as SDK_OPTIONS
from msgraph_core import GraphClientFactory

from app.connectors.vendor_http import AsyncRebasingTransport
from tests.sandbox.microsoft.conftest import GRAPH, Graph, run_async

T = TypeVar("T")


class _StaticToken(AccessTokenProvider):
    def __init__(self, token: str) -> None:
        self.token = token

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        return self.token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return AllowedHostsValidator(["graph.microsoft.com"])


def _run(graph: Graph, work: Callable[[GraphServiceClient], Awaitable[T]]) -> T:
    """Run ``work`` with an SDK client whose HTTP goes through the rebasing transport to the sandbox."""
    token = graph.client.headers["Authorization"].removeprefix("Bearer ")

    async def main() -> T:
        http = httpx.AsyncClient(transport=AsyncRebasingTransport(graph.sandbox.base_url), base_url=GRAPH, timeout=10)
        client = GraphClientFactory.create_with_default_middleware(client=http, options=SDK_OPTIONS)
        adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(_StaticToken(token)), client=client)
        try:
            return await work(GraphServiceClient(request_adapter=adapter))
        finally:
            await http.aclose()

    with warnings.catch_warnings():
        # The generated SDK warns about its own deprecated request-configuration classes; not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        return run_async(main)


def _prefer(header: str) -> RequestConfiguration[Any]:
    config: RequestConfiguration[Any] = RequestConfiguration()
    headers = HeadersCollection()
    headers.add("Prefer", header)
    config.headers = headers
    return config


def test_the_sdk_lists_contacts_and_pages_through_them(graph: Graph) -> None:
    async def work(client: GraphServiceClient) -> list[Contact]:
        found: list[Contact] = []
        page = await client.me.contacts.get()
        while page is not None:
            found.extend(page.value or [])
            if not page.odata_next_link:
                break
            page = await client.me.contacts.with_url(page.odata_next_link).get()
        return found

    contacts = _run(graph, work)
    expected = graph.mailbox.items_in(graph.mailbox.default_folder("contactFolder").key, "contact")
    assert len(contacts) == len(expected) > 10
    assert all(c.id and c.display_name and c.email_addresses for c in contacts)
    assert contacts[0].email_addresses[0].address  # type: ignore[index]


def test_the_sdk_follows_a_delta_link(graph: Graph) -> None:
    folder = graph.get("/me/contactFolders").json()["value"][0]["id"]

    async def work(client: GraphServiceClient) -> tuple[int, list[Any]]:
        delta = client.me.contact_folders.by_contact_folder_id(folder).contacts.delta
        page = await delta.get(request_configuration=_prefer("odata.maxpagesize=2"))
        seen = 0
        while page is not None and page.odata_next_link:
            seen += len(page.value or [])
            page = await delta.with_url(page.odata_next_link).get()
        assert page is not None and page.odata_delta_link
        seen += len(page.value or [])
        first = (await client.me.contact_folders.by_contact_folder_id(folder).contacts.get()).value[0]  # type: ignore[union-attr, index]
        await client.me.contacts.by_contact_id(first.id).patch(Contact(job_title="Changed by the SDK"))  # type: ignore[arg-type]
        changes = await delta.with_url(page.odata_delta_link).get()
        assert changes is not None and changes.odata_delta_link
        return seen, list(changes.value or [])

    seen, changes = _run(graph, work)
    folder_key = graph.mailbox.folders[
        next(k for k, f in graph.mailbox.folders.items() if graph.mailbox.folder_id(f) == folder)
    ].key
    assert seen == len(graph.mailbox.items_in(folder_key, "contact")) > 2
    assert [c.job_title for c in changes] == ["Changed by the SDK"]


def test_the_sdk_creates_an_event(graph: Graph) -> None:
    event = Event(
        subject="Created by the SDK",
        transaction_id="sdk-transaction-1",
        start=DateTimeTimeZone(date_time="2030-04-01T09:00:00", time_zone="Pacific Standard Time"),
        end=DateTimeTimeZone(date_time="2030-04-01T09:30:00", time_zone="Pacific Standard Time"),
    )

    async def work(client: GraphServiceClient) -> tuple[Event | None, Event | None]:
        created = await client.me.events.post(event)
        again = await client.me.events.by_event_id(created.id).get()  # type: ignore[union-attr, arg-type]
        return created, again

    created, again = _run(graph, work)
    assert created is not None and again is not None
    assert created.id == again.id and created.type == EventType.SingleInstance
    assert created.start is not None and created.start.time_zone == "UTC"
    assert created.start.date_time == "2030-04-01T16:00:00.0000000"  # 09:00 Pacific daylight time
    assert again.subject == "Created by the SDK" and again.transaction_id == "sdk-transaction-1"


def test_the_sdk_runs_a_batch(graph: Graph) -> None:
    from msgraph_core.requests.batch_request_content import BatchRequestContent
    from msgraph_core.requests.batch_request_item import BatchRequestItem

    async def work(client: GraphServiceClient) -> dict[str, int | None]:
        items: dict[str, BatchRequestItem] = {}
        for n in range(3):
            contact = Contact(
                given_name=f"Sdk{n}", surname="Batch", email_addresses=[EmailAddress(address=f"sdk{n}@batch.example")]
            )
            info = client.me.contacts.to_post_request_information(contact)
            items[str(n + 1)] = BatchRequestItem(request_information=info, id=str(n + 1))
        items["4"] = BatchRequestItem(request_information=client.me.to_get_request_information(), id="4")
        result = await client.batch.post(batch_request_content=BatchRequestContent(items))
        assert result is not None and result.responses is not None
        return {key: response.status for key, response in result.responses.items()}

    statuses = _run(graph, work)
    assert statuses == {"1": 201, "2": 201, "3": 201, "4": 200}
    created = graph.get("/me/contacts", params={"$filter": "surname eq 'Batch'"}).json()["value"]
    assert sorted(c["givenName"] for c in created) == ["Sdk0", "Sdk1", "Sdk2"]
