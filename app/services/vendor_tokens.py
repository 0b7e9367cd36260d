"""A connector's access token, read from the user's stored connection and renewed through it.

Each read or renewal is its own short transaction, so a token renewed in the middle of a long sync pass is
kept whatever happens to the pass, and a revoked grant is recorded as "needs re-authorisation".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from app.connectors.errors import AuthRevoked
from app.db import unit_of_work
from app.errors import ConnectionUnavailable
from app.models import Provider
from app.services.connections import (
    TokenRefresher,
    record_revocation,
    vendor_access,
    vendor_access_after_unauthorized,
)
from app.token_cipher import TokenCipher


class ConnectionAccessToken:
    """:class:`app.connectors.access_token.AccessTokenSource` for one user's connection to ``provider``."""

    def __init__(
        self,
        engine: Engine,
        user_id: int,
        provider: Provider,
        *,
        cipher: TokenCipher,
        refresher: TokenRefresher,
        now: Callable[[], datetime],
    ) -> None:
        self._engine = engine
        self._user_id = user_id
        self._provider = provider
        self._cipher = cipher
        self._refresher = refresher
        self._now = now
        self._token: str | None = None

    def current(self) -> str:
        """The token to send (renewed first when it is about to expire)."""
        if self._token is None:
            self._token = self._obtain(renew=False)
        return self._token

    def refreshed(self) -> str:
        """A new token after a 401; :class:`AuthRevoked` when the grant is gone."""
        self._token = self._obtain(renew=True)
        return self._token

    def _obtain(self, *, renew: bool) -> str:
        try:
            with unit_of_work(self._engine) as session:
                if renew:
                    access = vendor_access_after_unauthorized(
                        session, self._user_id, self._provider, cipher=self._cipher, refresher=self._refresher
                    )
                else:
                    access = vendor_access(
                        session,
                        self._user_id,
                        self._provider,
                        cipher=self._cipher,
                        refresher=self._refresher,
                        now=self._now(),
                    )
                return access.access_token
        except ConnectionUnavailable as error:
            with unit_of_work(self._engine) as session:
                record_revocation(session, error)
            raise AuthRevoked(self._provider.value, error.message) from error
