"""Tokens at rest: encrypted with the newest key, readable with any configured key, rotatable."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app.errors import ConfigurationError
from app.settings import Settings
from app.token_cipher import SANDBOX_KEY_FILE, TokenCipher, TokenDecryptionError


def test_round_trip_and_ciphertext_hides_the_token() -> None:
    cipher = TokenCipher([Fernet.generate_key().decode()])
    ciphertext = cipher.encrypt("00DSB!AQ.secret-access-token")
    assert "secret-access-token" not in ciphertext
    assert cipher.decrypt(ciphertext) == "00DSB!AQ.secret-access-token"


def test_rotation_moves_tokens_to_the_newest_key() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = TokenCipher([old]).encrypt("refresh-me")
    both = TokenCipher([new, old])
    rotated = both.rotate(before)
    assert TokenCipher([new]).decrypt(rotated) == "refresh-me"
    with pytest.raises(TokenDecryptionError):
        TokenCipher([new]).decrypt(before)


def test_bad_keys_are_a_configuration_error_that_says_how_to_fix_it() -> None:
    with pytest.raises(ConfigurationError, match=r"Fernet\.generate_key"):
        TokenCipher(["not-a-key"])


def test_sandbox_mode_keeps_a_generated_key_private(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, sandbox=True)  # type: ignore[call-arg]
    first = TokenCipher.from_settings(settings)
    second = TokenCipher.from_settings(settings)
    assert second.decrypt(first.encrypt("kept across restarts")) == "kept across restarts"
    assert (tmp_path / SANDBOX_KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_production_needs_configured_keys(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, sandbox=False)  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match="CRMBRIDGE_TOKEN_ENCRYPTION_KEYS"):
        TokenCipher.from_settings(settings)
    keys = f"{Fernet.generate_key().decode()}, {Fernet.generate_key().decode()}"
    configured = Settings(_env_file=None, data_dir=tmp_path, sandbox=False, token_encryption_keys=keys)  # type: ignore[call-arg]
    assert configured.token_encryption_keys is not None
    TokenCipher.from_settings(configured).encrypt("x")
