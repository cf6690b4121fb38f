"""Record keys (vectorised SipHash-2-4 under an HMAC-derived key) and cell keys."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pytest

from mdlang.disclosure.keys import (
    RecordKeys,
    cell_key,
    derive_key,
    read_secret,
    siphash24_u64,
    uniform,
)
from mdlang.errors import DatastoreError

M64 = (1 << 64) - 1


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & M64


def reference_siphash(key: bytes, msg: bytes) -> int:
    """Scalar SipHash-2-4 written from the paper, for any message length."""
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:16], "little")
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D, k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rnd() -> None:
        v[0] = (v[0] + v[1]) & M64
        v[1] = _rotl(v[1], 13) ^ v[0]
        v[0] = _rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & M64
        v[3] = _rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & M64
        v[3] = _rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & M64
        v[1] = _rotl(v[1], 17) ^ v[2]
        v[2] = _rotl(v[2], 32)

    full = len(msg) // 8 * 8
    blocks = [int.from_bytes(msg[i : i + 8], "little") for i in range(0, full, 8)]
    tail = msg[full:]
    blocks.append(int.from_bytes(tail + bytes(7 - len(tail)) + bytes([len(msg) & 0xFF]), "little"))
    for m in blocks:
        v[3] ^= m
        rnd()
        rnd()
        v[0] ^= m
    v[2] ^= 0xFF
    for _ in range(4):
        rnd()
    return v[0] ^ v[1] ^ v[2] ^ v[3]


KEY = bytes(range(16))


def test_reference_matches_published_vectors() -> None:
    # SipHash paper, appendix A (15-byte message) and the reference vector for the 8-byte message
    assert reference_siphash(KEY, bytes(range(15))) == 0xA129CA6149BE45E5
    assert reference_siphash(KEY, bytes(range(8))) == 0x93F5F5799A932462


def test_vectorised_equals_reference() -> None:
    rng = np.random.default_rng(7)
    ids = np.concatenate([rng.integers(-(2**62), 2**62, 3000), [0, -1, 2**63 - 1, -(2**63)]]).astype(np.int64)
    got = siphash24_u64(KEY, ids.view(np.uint64))
    want = [reference_siphash(KEY, int(i).to_bytes(8, "little", signed=True)) for i in ids]
    assert got.tolist() == want


def test_record_keys_depend_on_secret_and_are_cached() -> None:
    ids = np.arange(1000, dtype=np.int64) * 13
    a = RecordKeys(b"a" * 32)
    k1 = a(ids)
    assert a(ids) is k1
    assert a(ids.copy()) is k1  # same content → same cached keys
    assert not k1.flags.writeable
    k2 = RecordKeys(b"b" * 32)(ids)
    assert (k1 != k2).all()
    subkey = hmac.new(b"a" * 32, b"mdlang record key v1", hashlib.sha256).digest()[:16]
    assert k1[5] == reference_siphash(subkey, int(ids[5]).to_bytes(8, "little", signed=True))
    assert derive_key(b"a" * 32, b"mdlang record key v1") == subkey


def test_record_keys_look_uniform() -> None:
    keys = RecordKeys(b"s" * 32)(np.arange(200_000, dtype=np.int64))
    top_bits = (keys >> np.uint64(60)).astype(int)
    counts = np.bincount(top_bits, minlength=16)
    assert counts.min() > 200_000 / 16 * 0.95
    assert len(np.unique(keys)) == len(keys)


def test_cell_key_is_deterministic_and_separates_kinds() -> None:
    assert cell_key(12345, "count") == cell_key(12345, "count")
    assert cell_key(12345, "count") != cell_key(12346, "count")
    assert cell_key(12345, "count") != cell_key(12345, "sum")
    assert cell_key(12345, "sum", ("a",)) != cell_key(12345, "sum", ("b",))
    assert cell_key(12345 + (1 << 64), "count") == cell_key(12345, "count")
    u = uniform(cell_key(1, "count"))
    assert 0.0 < u < 1.0


def test_read_secret(tmp_path) -> None:
    (tmp_path / "private").mkdir()
    secret = bytes(range(32))
    (tmp_path / "private" / "record-key.secret").write_text(secret.hex() + "\n")
    assert read_secret(tmp_path) == secret
    (tmp_path / "private" / "record-key.secret").write_text("zz")
    with pytest.raises(DatastoreError, match="malformed"):
        read_secret(tmp_path)
    with pytest.raises(DatastoreError, match="no record-key secret"):
        read_secret(tmp_path / "other")


def test_keys_of_a_filtered_population_are_taken_from_the_whole_one(monkeypatch) -> None:
    """After ``keep if`` the keys come from the cached keys of the population it was taken
    from, and they are exactly the hashed ones, whatever the selector does afterwards."""
    from mdlang.disclosure import keys as keys_module
    from mdlang.engine.context import Contributors

    ids = np.arange(600_000, dtype=np.int64) * 7 + 3
    whole = Contributors(person_id=ids)
    rk = RecordKeys(b"k" * 32)
    all_keys = rk(whole.person_id)
    mask = (ids % 3) != 0
    sub = whole.take(mask)
    mask[:] = False  # a caller reusing its mask must not change what was taken
    positions = np.flatnonzero((np.arange(len(sub)) % 5) == 1)
    subsub = sub.take(positions)
    hashed = []
    real = keys_module.siphash24_u64
    monkeypatch.setattr(keys_module, "siphash24_u64", lambda k, w: hashed.append(len(w)) or real(k, w))
    k_sub = rk(sub.person_id)
    k_subsub = rk(subsub.person_id)
    assert hashed == []  # no id was hashed again
    fresh = RecordKeys(b"k" * 32)
    assert np.array_equal(k_sub, fresh(sub.person_id.copy()))
    assert np.array_equal(k_subsub, fresh(subsub.person_id.copy()))
    assert np.array_equal(k_sub, all_keys[(ids % 3) != 0])
    assert not k_sub.flags.writeable


def test_siphash_spread_over_threads_equals_one_thread(monkeypatch) -> None:
    """Millions of ids are hashed in shares on several threads; every key is what one thread
    computes (an uneven length, so the last share is short)."""
    from mdlang import parallel

    monkeypatch.setattr(parallel, "workers", lambda: 3)
    words = (np.arange(1_100_003, dtype=np.int64) * 104_729).view(np.uint64)
    key = b"0123456789abcdef"
    together = siphash24_u64(key, words)
    piecewise = np.concatenate([siphash24_u64(key, words[i : i + 200_000]) for i in range(0, len(words), 200_000)])
    assert np.array_equal(together, piecewise)
    assert together[-1] == reference_siphash(key, int(words[-1]).to_bytes(8, "little"))
