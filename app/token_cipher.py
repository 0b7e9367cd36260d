"""Encryption of vendor tokens at rest: MultiFernet over the configured keys, newest first.

Decryption tries every key, so rotating means putting a new key first and re-encrypting
(``crmbridge keys rotate``); old keys can be dropped once nothing needs them.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.errors import ConfigurationError
from app.settings import Settings

#: In sandbox mode without configured keys, a key generated once and kept here (inside the data directory).
SANDBOX_KEY_FILE = "sandbox-token-key"


class TokenDecryptionError(Exception):
    """A stored token cannot be decrypted with any configured key (a key was removed too early)."""


class TokenCipher:
    """Encrypts and decrypts tokens; never logs or returns plaintext anywhere but to its caller."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigurationError("CRMBRIDGE_TOKEN_ENCRYPTION_KEYS holds no key")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError as exc:
            raise ConfigurationError(
                "CRMBRIDGE_TOKEN_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes each); "
                "make one with: python -c "
                '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
            ) from exc

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        """The cipher for ``settings``: its keys, or in sandbox mode a key kept in the data directory."""
        if settings.token_encryption_keys is not None and settings.token_encryption_keys.get_secret_value().strip():
            keys = [key.strip() for key in settings.token_encryption_keys.get_secret_value().split(",") if key.strip()]
            return cls(keys)
        if not settings.sandbox_mode:
            raise ConfigurationError("CRMBRIDGE_TOKEN_ENCRYPTION_KEYS is required outside sandbox mode")
        return cls([_sandbox_key(settings.data_dir)])

    def encrypt(self, plaintext: str) -> str:
        """Ciphertext (ASCII) of ``plaintext`` under the newest key."""
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """The plaintext of ``ciphertext``, whichever configured key made it."""
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except InvalidToken as exc:
            raise TokenDecryptionError("a stored token cannot be decrypted with the configured keys") from exc

    def rotate(self, ciphertext: str) -> str:
        """``ciphertext`` re-encrypted under the newest key."""
        try:
            return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise TokenDecryptionError("a stored token cannot be decrypted with the configured keys") from exc


class UnconfiguredTokenCipher(TokenCipher):
    """Stands in when no key is configured, so that the app can still be built; every use raises the
    configuration error (``crmbridge serve`` refuses to start before that can happen)."""

    def __init__(self, problem: str) -> None:
        self._problem = problem

    def encrypt(self, plaintext: str) -> str:
        """Refuse: no key is configured."""
        raise ConfigurationError(self._problem)

    def decrypt(self, ciphertext: str) -> str:
        """Refuse: no key is configured."""
        raise ConfigurationError(self._problem)

    def rotate(self, ciphertext: str) -> str:
        """Refuse: no key is configured."""
        raise ConfigurationError(self._problem)


def _sandbox_key(data_dir: Path) -> str:
    path = data_dir / SANDBOX_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
    # Created owner-only before the key is written, so it is never readable by others.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
