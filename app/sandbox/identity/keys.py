"""The sandbox's signing key: one RSA key pair per sandbox state, published as a JWKS, signing RS256 JWTs."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Mapping
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

SIGNING_ALGORITHM = "RS256"


class SigningKeys:
    """An RSA key made on first use (so that states nobody signs with cost nothing) and kept across resets."""

    def __init__(self) -> None:
        self._key: RSAKey | None = None
        self._lock = threading.Lock()

    @property
    def key(self) -> RSAKey:
        """The private key (2048 bits, kid = its RFC 7638 thumbprint)."""
        with self._lock:
            if self._key is None:
                self._key = RSAKey.generate_key(
                    2048, parameters={"use": "sig", "alg": SIGNING_ALGORITHM}, auto_kid=True
                )
            return self._key

    @property
    def kid(self) -> str:
        """The key id that signed JWTs carry in their header."""
        kid = self.key.kid
        assert kid is not None
        return kid

    def jwks(self, **extra_members: str) -> dict[str, list[dict[str, Any]]]:
        """The public key set; ``extra_members`` are added to the key (Microsoft lists an ``issuer``)."""
        public: dict[str, Any] = dict(self.key.as_dict(private=False))
        public.update(extra_members)
        return {"keys": [public]}

    def sign(self, claims: Mapping[str, Any]) -> str:
        """A compact RS256 JWT of ``claims`` with ``typ``, ``alg`` and ``kid`` in its header."""
        header = {"typ": "JWT", "alg": SIGNING_ALGORITHM, "kid": self.kid}
        return jwt.encode(header, dict(claims), self.key, algorithms=[SIGNING_ALGORITHM])


def token_hash(value: str) -> str:
    """OpenID Connect's ``at_hash``/``c_hash`` for RS256: base64url of the left half of the SHA-256 digest."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")
