"""Proof Key for Code Exchange (RFC 7636): checking a ``code_verifier`` against the ``code_challenge``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Literal

ChallengeMethod = Literal["S256", "plain"]

#: RFC 7636 section 4.1: 43 to 128 characters of the unreserved set.
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def s256_challenge(verifier: str) -> str:
    """The S256 challenge of ``verifier``: base64url (no padding) of its SHA-256 digest."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(challenge: str, method: ChallengeMethod, verifier: str) -> bool:
    """Whether ``verifier`` is well formed and proves ``challenge`` under ``method``."""
    if not _VERIFIER.fullmatch(verifier):
        return False
    expected = s256_challenge(verifier) if method == "S256" else verifier
    return hmac.compare_digest(expected.encode("ascii"), challenge.encode("ascii", "replace"))
