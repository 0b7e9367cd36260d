"""The Calendar API client: one user's primary calendar, through google-api-python-client.

Built on :class:`~app.connectors.google.client.GoogleApiClient` (credentials, rebased endpoints, retries, errors).
Reads of one page go out one at a time; reads and writes by event id go out in HTTP batches of
:data:`MAX_BATCH_CALLS`, each inner call answered on its own (a JSON dict, or the vendor error it stands for).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.connectors.access_token import AccessTokenSource
from app.connectors.google.client import BatchAnswer, GoogleApiClient
from app.connectors.retry import RetryPolicy

#: Where the Calendar API lives: the discovery document's ``rootUrl`` + ``servicePath``.
CALENDAR_ROOT = "https://www.googleapis.com/calendar/v3/"
#: The Calendar API's HTTP batch endpoint.
CALENDAR_BATCH_URI = "https://www.googleapis.com/batch/calendar/v3"
#: The calendar crmbridge syncs.
PRIMARY = "primary"
#: ``events.list``: "maxResults … The page size can never be larger than 2500 events".
MAX_PAGE_SIZE = 2500
#: The batch guide allows 1000 calls per batch; 50 is the practical size (see reference/sync-engine.md §2.3).
MAX_BATCH_CALLS = 50


class CalendarClient(GoogleApiClient):
    """One user's primary calendar (``events``), as JSON dicts."""

    def __init__(
        self, token: AccessTokenSource, *, vendor_base_url: str | None, retry: RetryPolicy = RetryPolicy()
    ) -> None:
        super().__init__(
            token,
            api=("calendar", "v3"),
            root=CALENDAR_ROOT,
            batch_uri=CALENDAR_BATCH_URI,
            vendor_base_url=vendor_base_url,
            retry=retry,
        )

    def list_events(self, **params: Any) -> dict[str, Any]:
        """One page of ``events.list`` on the primary calendar (``params`` as the API names them)."""
        return self._call(lambda: self._service.events().list(calendarId=PRIMARY, **params))

    def get_events(self, event_ids: Sequence[str]) -> list[BatchAnswer]:
        """``events.get`` for each id (at most one batch): the event (cancelled ones included) or the error."""
        return self._batch([self._getter(event_id) for event_id in event_ids], repeatable=True)

    def insert_events(self, bodies: Sequence[Mapping[str, Any]]) -> list[BatchAnswer]:
        """``events.insert`` for each body (each with a client-chosen ``id``, so a repeat is a 409 duplicate)."""
        requests = [self._inserter(body) for body in bodies]
        return self._batch(requests, repeatable=all(body.get("id") for body in bodies))

    def patch_events(self, patches: Sequence[tuple[str, str, Mapping[str, Any]]]) -> list[BatchAnswer]:
        """``events.patch`` for each (id, etag, body), with ``If-Match: etag`` when an etag is given."""
        return self._batch([self._patcher(*patch) for patch in patches], repeatable=False)

    def delete_events(self, deletes: Sequence[tuple[str, str]]) -> list[BatchAnswer]:
        """``events.delete`` for each (id, etag), with ``If-Match`` when an etag is given (410 if already gone)."""
        return self._batch([self._deleter(*delete) for delete in deletes], repeatable=True)

    # -- request factories -------------------------------------------------------------------------------------

    def _getter(self, event_id: str) -> Callable[[], Any]:
        return lambda: self._service.events().get(calendarId=PRIMARY, eventId=event_id)

    def _inserter(self, body: Mapping[str, Any]) -> Callable[[], Any]:
        return lambda: self._service.events().insert(calendarId=PRIMARY, body=dict(body), sendUpdates="none")

    def _patcher(self, event_id: str, etag: str, body: Mapping[str, Any]) -> Callable[[], Any]:
        def make() -> Any:
            request = self._service.events().patch(
                calendarId=PRIMARY, eventId=event_id, body=dict(body), sendUpdates="none"
            )
            if etag:
                request.headers["If-Match"] = etag
            return request

        return make

    def _deleter(self, event_id: str, etag: str) -> Callable[[], Any]:
        def make() -> Any:
            request = self._service.events().delete(calendarId=PRIMARY, eventId=event_id, sendUpdates="none")
            if etag:
                request.headers["If-Match"] = etag
            return request

        return make
