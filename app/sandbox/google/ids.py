"""Identifiers in the shapes Google uses, drawn from a seedable generator so seeded data is reproducible."""

from __future__ import annotations

import random
import string

_BASE32HEX = "0123456789abcdefghijklmnopqrstuv"
_URLSAFE = string.ascii_letters + string.digits + "-_"


class IdSource:
    """Random ids of a given alphabet and length; reseeded on every sandbox reset."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)

    def reseed(self, seed: int) -> None:
        """Restart the sequence from ``seed``."""
        self._rng.seed(seed)

    def _draw(self, alphabet: str, bits: int, length: int) -> str:
        # One call to the generator per id: ``bits`` random bits per character of a 2**bits-letter alphabet.
        value = self._rng.getrandbits(bits * length)
        mask = (1 << bits) - 1
        return "".join(alphabet[(value >> (bits * index)) & mask] for index in range(length))

    def hex(self, length: int) -> str:
        """Lowercase hexadecimal (People source ids, Gmail message ids)."""
        return f"{self._rng.getrandbits(4 * length):0{length}x}"

    def digits(self, length: int) -> str:
        """Decimal digits, never starting with 0 (People contact ids)."""
        return str(self._rng.randrange(10 ** (length - 1), 10**length))

    def base32hex(self, length: int) -> str:
        """Characters ``a-v0-9``, as Calendar event ids use."""
        return self._draw(_BASE32HEX, 5, length)

    def urlsafe(self, length: int) -> str:
        """URL-safe base64 characters (Tasks ids, Gmail attachment ids)."""
        return self._draw(_URLSAFE, 6, length)


def is_base32hex(value: str) -> bool:
    """Whether ``value`` uses only the base32hex alphabet of Calendar event ids."""
    return all(char in _BASE32HEX for char in value)
