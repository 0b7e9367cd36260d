"""A rep's own Salesforce connection for the length of one request, so that Salesforce's sharing applies.

:meth:`RepSalesforce.call` runs an operation with a client for the rep's org through
``connections.call_as_user``: when Salesforce answers 401 the access token is renewed once and the operation run
again; a second 401 marks the connection "needs re-authorisation". ``checkpoint``, when given, is called after
such a refresh so that the request boundary can keep the new token whatever happens next.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session

from app.connectors.salesforce.client import SalesforceClient
from app.errors import ConnectionUnavailable
from app.models import Provider
from app.services.connections import TokenRefresher, VendorAccess, call_as_user, vendor_access
from app.token_cipher import TokenCipher

T = TypeVar("T")


class RepSalesforce:
    """Salesforce as one rep: their token, their org, their sharing."""

    def __init__(
        self,
        db: Session,
        user_id: int,
        *,
        cipher: TokenCipher,
        refresher: TokenRefresher,
        vendor_base_url: str | None,
        now: datetime,
        checkpoint: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._checkpoint = checkpoint
        self._user_id = user_id
        self._cipher = cipher
        self._refresher = refresher
        self._vendor_base_url = vendor_base_url
        self._now = now
        self._access: VendorAccess | None = None
        self._client: SalesforceClient | None = None

    @property
    def access(self) -> VendorAccess:
        """The rep's connection (its token refreshed first when about to expire)."""
        if self._access is None:
            self._access = vendor_access(
                self._db,
                self._user_id,
                Provider.SALESFORCE,
                cipher=self._cipher,
                refresher=self._refresher,
                now=self._now,
            )
        return self._access

    @property
    def instance_url(self) -> str:
        """The rep's org address (``https://...my.salesforce.com``)."""
        instance_url = self.access.instance_url
        if not instance_url:
            raise ConnectionUnavailable(
                "Your Salesforce connection does not say which org it belongs to; connect Salesforce again.",
                provider=Provider.SALESFORCE.value,
                needs_reauth=True,
            )
        return instance_url

    @property
    def salesforce_user_id(self) -> str:
        """The rep's Salesforce User id."""
        return self.access.account_id

    def call(self, operation: Callable[[SalesforceClient], T]) -> T:
        """Run ``operation``; after a 401, refresh the token once and run it again (``call_as_user``)."""

        def run(access: VendorAccess) -> T:
            if access is not self._access:
                self._replace_client(access)
            return operation(self._ensure_client())

        return call_as_user(
            self._db,
            self._user_id,
            Provider.SALESFORCE,
            run,
            cipher=self._cipher,
            refresher=self._refresher,
            now=self._now,
            access=self.access,
            on_refresh=self._checkpoint,
        )

    def close(self) -> None:
        """Release the HTTP connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _ensure_client(self) -> SalesforceClient:
        if self._client is None:
            self._client = SalesforceClient(
                instance_url=self.instance_url,
                access_token=self.access.access_token,
                vendor_base_url=self._vendor_base_url,
            )
        return self._client

    def _replace_client(self, access: VendorAccess) -> None:
        self.close()
        self._access = access
