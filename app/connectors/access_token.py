"""Where a connector gets the bearer token it sends, and a fresh one after a 401."""

from __future__ import annotations

from typing import Protocol

from app.connectors.errors import AuthRevoked


class AccessTokenSource(Protocol):
    """One user's access token at one vendor.

    ``current`` is the token to send (refreshed first when it is about to expire); ``refreshed`` is called
    once after the vendor answered 401 and returns a new token, or raises :class:`AuthRevoked` when the
    grant is gone (the connection then needs re-authorisation).
    """

    def current(self) -> str:
        """The token to send now."""
        ...

    def refreshed(self) -> str:
        """A new token after a 401; raises :class:`AuthRevoked` when there is none."""
        ...


class StaticAccessToken:
    """A token that cannot be refreshed (tests, benchmarks, one-off scripts)."""

    def __init__(self, token: str, *, vendor: str) -> None:
        self._token = token
        self._vendor = vendor

    def current(self) -> str:
        """See :meth:`AccessTokenSource.current`."""
        return self._token

    def refreshed(self) -> str:
        """See :meth:`AccessTokenSource.refreshed`."""
        raise AuthRevoked(self._vendor, "the access token was refused and cannot be refreshed")
