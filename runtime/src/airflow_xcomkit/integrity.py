"""Digests of stored bytes: HMAC-SHA256 keyed with ``[xcomkit] integrity_key``, else plain SHA-256.

A plain SHA-256 of a small value, shown in the UI with the reference, lets anyone who can read the
row confirm a guess of the value; a keyed HMAC does not, and it also stops whoever can write to the
bucket (but does not hold the key) from planting an object that passes the check.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

HMAC_PREFIX = "hmac-sha256:"
SHA_PREFIX = "sha256:"


def new_digest(key: bytes | None) -> Any:
    """A running digest object (``update`` / ``hexdigest``) for the configured key."""
    if key is None:
        return hashlib.sha256()
    return hmac.new(key, digestmod=hashlib.sha256)


def label(key: bytes | None, hexdigest: str) -> str:
    return (SHA_PREFIX if key is None else HMAC_PREFIX) + hexdigest


class Verifier:
    """Checks bytes fed piece by piece against a recorded digest.

    An HMAC reference needs the key to be checked; without it (or with an unknown label) nothing matches.
    """

    def __init__(self, recorded: str, key: bytes | None):
        self._expected: str | None = None
        self._digest: Any = None
        if recorded.startswith(HMAC_PREFIX):
            if key is not None:
                self._digest = new_digest(key)
                self._expected = recorded[len(HMAC_PREFIX) :]
        elif recorded.startswith(SHA_PREFIX):
            self._digest = hashlib.sha256()
            self._expected = recorded[len(SHA_PREFIX) :]

    def update(self, data: Any) -> None:
        if self._digest is not None:
            self._digest.update(data)

    def matches(self) -> bool:
        return self._expected is not None and hmac.compare_digest(self._digest.hexdigest(), self._expected)
