"""The People client: addressing, tokens, retries and the vendor error tree (google-api-python-client over HTTP)."""

from __future__ import annotations

import pytest

from app.connectors.access_token import StaticAccessToken
from app.connectors.errors import AuthRevoked, Throttled
from app.connectors.google.client import PeopleClient
from app.connectors.google.contacts_store import PeopleContactStore
from app.connectors.retry import RetryPolicy
from app.sandbox.faults import FaultSpec
from app.sync.items import normalise_fields
from app.sync.stores import Create, FailureKind, StoreError, Update, WriteFailure, Written
from tests.connectors.google.hands import NO_SLEEP, SALESFORCE_CONTACTS, PeopleHands

V1 = "/people.googleapis.com/v1"


class RefreshingToken:
    """A token source whose current token is refused until it is refreshed."""

    def __init__(self, stale: str, fresh: str) -> None:
        self.token = stale
        self.fresh = fresh
        self.refreshes = 0

    def current(self) -> str:
        return self.token

    def refreshed(self) -> str:
        self.refreshes += 1
        self.token = self.fresh
        return self.fresh


def fields(n: int) -> dict[str, object]:
    return {"first_name": f"Mary{n}", "last_name": "Jackson", "email": f"mary{n}@nasa.example"}


def test_without_a_base_url_the_client_speaks_to_google_itself() -> None:
    client = PeopleClient(StaticAccessToken("t", vendor="google"), vendor_base_url=None)
    try:
        assert client.batch_uri == "https://people.googleapis.com/batch"
        assert client._service._baseUrl == "https://people.googleapis.com/"
    finally:
        client.close()


def test_with_a_base_url_calls_and_batches_are_rebased(hands: PeopleHands) -> None:
    client = hands.client()
    assert client.batch_uri == f"{hands.sandbox.base_url}/people.googleapis.com/batch"
    assert client._service._baseUrl == f"{hands.sandbox.base_url}/people.googleapis.com/"


def test_a_401_refreshes_the_token_once_and_repeats_the_call(hands: PeopleHands) -> None:
    source = RefreshingToken("ya29.not-a-token", hands.sandbox.token("google", hands.email))
    client = PeopleClient(source, vendor_base_url=hands.sandbox.base_url, retry=NO_SLEEP)
    mark = hands.last_call_id()
    try:
        page = client.list_connections(person_fields="names", page_size=10, request_sync_token=True)
        assert "nextSyncToken" in page
        client.list_connections(person_fields="names", page_size=10, request_sync_token=True)
    finally:
        client.close()
    assert source.refreshes == 1
    statuses = [call.status for call in hands.sandbox.state.calls.calls() if call.id > mark]
    assert statuses == [401, 200, 200]


def test_a_revoked_grant_stops_the_store_and_infers_nothing(hands: PeopleHands) -> None:
    client = PeopleClient(
        StaticAccessToken("ya29.revoked", vendor="google"), vendor_base_url=hands.sandbox.base_url, retry=NO_SLEEP
    )
    store = PeopleContactStore(client)
    try:
        with pytest.raises(StoreError) as stopped:
            store.list_changes(None)
        with pytest.raises(StoreError):
            store.get_many(["people/c1"])
    finally:
        client.close()
    assert isinstance(stopped.value.__cause__, AuthRevoked)


def test_a_create_that_fails_on_the_server_is_never_repeated(hands: PeopleHands) -> None:
    store = hands.store()
    store.list_changes(None)
    hands.sandbox.state.faults.add(
        FaultSpec(provider="google", method="POST", path=f"{V1}/people:batchCreateContacts", status=500, times=1)
    )
    mark = hands.last_call_id()

    answers = store.create_many([Create(normalise_fields(fields(n)), f"crmbridge:salesforce:m{n}") for n in range(3)])

    assert all(isinstance(a, WriteFailure) and a.kind is FailureKind.UNKNOWN_OUTCOME for a in answers)
    assert hands.call_paths(mark) == [f"POST {V1}/people:batchCreateContacts"]


def test_throttling_and_server_errors_on_updates_are_retried(hands: PeopleHands) -> None:
    contact = hands.add(fields(1), hands.group(SALESFORCE_CONTACTS))
    store = hands.store()
    listing = store.list_changes(None)
    path = f"{V1}/people:batchUpdateContacts"
    hands.sandbox.state.faults.add(FaultSpec(provider="google", method="POST", path=path, status=503, times=1))
    hands.sandbox.state.faults.add(FaultSpec(provider="google", method="POST", path=path, status=429, times=1))
    mark = hands.last_call_id()

    (answer,) = store.update_many([Update(contact, listing.entries[contact], normalise_fields(fields(2)))])

    assert isinstance(answer, Written)
    assert hands.call_paths(mark) == [f"POST {path}"] * 3
    assert hands.get(contact)["names"][0]["givenName"] == "Mary2"


def test_throttling_past_the_retries_fails_the_chunk_and_sends_no_more(hands: PeopleHands) -> None:
    waits: list[float] = []
    store = hands.store(retry=RetryPolicy(max_attempts=2, sleep=waits.append, jitter=lambda: 0.0))
    store.list_changes(None)
    path = f"{V1}/people:batchCreateContacts"
    hands.sandbox.state.faults.add(FaultSpec(provider="google", method="POST", path=path, status=429))
    mark = hands.last_call_id()

    answers = store.create_many([Create(normalise_fields(fields(n)), f"crmbridge:salesforce:t{n}") for n in range(250)])

    assert {a.kind for a in answers if isinstance(a, WriteFailure)} == {FailureKind.THROTTLED}
    assert len(answers) == 250
    assert hands.call_paths(mark) == [f"POST {path}"] * 2  # the first chunk, retried once; the second never sent
    assert waits == [0.25]


def test_a_403_rate_limit_is_throttling(hands: PeopleHands) -> None:
    hands.sandbox.state.faults.add(
        FaultSpec(
            provider="google",
            method="GET",
            path=f"{V1}/people/me/connections",
            status=403,
            code="rateLimitExceeded",
            times=5,
        )
    )
    client = hands.client(RetryPolicy(max_attempts=2, sleep=lambda _s: None))
    with pytest.raises(Throttled):
        client.list_connections(person_fields="names", page_size=10, request_sync_token=False)


def test_overlapping_mutations_are_retried(hands: PeopleHands) -> None:
    store = hands.store()
    store.list_changes(None)
    hands.sandbox.state.faults.add(
        FaultSpec(
            provider="google",
            method="POST",
            path=f"{V1}/people:batchCreateContacts",
            status=409,
            body={"error": {"code": 409, "message": "aborted", "status": "ABORTED", "errors": [{"reason": "aborted"}]}},
            times=1,
        )
    )

    (answer,) = store.create_many([Create(normalise_fields(fields(1)), "crmbridge:salesforce:r1")])

    assert isinstance(answer, Written)
