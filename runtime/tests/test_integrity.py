"""The digests a reference records and the check a read makes against them, without any storage."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from airflow_xcomkit.integrity import HMAC_PREFIX, SHA_PREFIX, Verifier, label, new_digest

KEY = b"k" * 32
DATA = [b"first block ", b"", b"second block"]
WHOLE = b"".join(DATA)


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, data: bytes) -> str:
    return "hmac-sha256:" + hmac.new(key, data, hashlib.sha256).hexdigest()


def _check(recorded: str, key: bytes | None, pieces: list[bytes]) -> bool:
    verifier = Verifier(recorded, key)
    for piece in pieces:
        verifier.update(piece)
    return verifier.matches()


def test_the_labels_are_the_ones_references_store():
    assert SHA_PREFIX == "sha256:"
    assert HMAC_PREFIX == "hmac-sha256:"
    assert label(None, "ab12") == "sha256:ab12"
    assert label(KEY, "ab12") == "hmac-sha256:ab12"


def test_without_a_key_the_digest_is_a_plain_sha256_and_with_one_an_hmac():
    plain, keyed = new_digest(None), new_digest(KEY)
    for piece in DATA:
        plain.update(piece)
        keyed.update(piece)
    assert label(None, plain.hexdigest()) == _sha(WHOLE)
    assert label(KEY, keyed.hexdigest()) == _hmac(KEY, WHOLE)


def test_bytes_fed_in_pieces_match_the_digest_of_the_whole():
    assert _check(_sha(WHOLE), None, DATA)
    assert _check(_hmac(KEY, WHOLE), KEY, DATA)


def test_one_changed_byte_or_a_missing_piece_does_not_match():
    assert not _check(_sha(WHOLE), None, [b"first block ", b"second blocK"])
    assert not _check(_sha(WHOLE), None, DATA[:1])
    assert not _check(_hmac(KEY, WHOLE), KEY, DATA[:1])


def test_an_hmac_reference_needs_the_key_that_wrote_it():
    recorded = _hmac(KEY, WHOLE)
    assert not _check(recorded, None, DATA)
    assert not _check(recorded, b"other" * 8, DATA)


def test_a_plain_sha256_reference_is_still_checked_when_a_key_is_configured():
    # Version 1 references and values written before the key was set carry a plain SHA-256.
    assert _check(_sha(WHOLE), KEY, DATA)
    assert not _check(_sha(b"something else"), KEY, DATA)


def test_an_hmac_cannot_pass_as_a_plain_hash_or_the_other_way_round():
    # Someone without the key can compute a plain SHA-256 of a planted object, never the HMAC.
    sha_hex = hashlib.sha256(WHOLE).hexdigest()
    assert not _check("hmac-sha256:" + sha_hex, KEY, DATA)
    hmac_hex = hmac.new(KEY, WHOLE, hashlib.sha256).hexdigest()
    assert not _check("sha256:" + hmac_hex, KEY, DATA)


@pytest.mark.parametrize(
    "recorded",
    ["md5:" + hashlib.md5(WHOLE).hexdigest(), hashlib.sha256(WHOLE).hexdigest(), "", "sha256", "SHA256:x"],
)
def test_an_unknown_or_missing_label_never_matches(recorded):
    assert not _check(recorded, KEY, DATA)
    assert not _check(recorded, None, DATA)


def test_nothing_fed_matches_only_the_digest_of_no_bytes():
    assert _check(_sha(b""), None, [])
    assert not _check(_sha(WHOLE), None, [])
