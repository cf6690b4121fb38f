"""Same seed → byte-identical stores; another seed → other data."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mdlang.datastore.sample import build_sample

PERSONS = 3_000


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path):
    build_sample(tmp_path / "a", persons=PERSONS, seed=7)
    build_sample(tmp_path / "b", persons=PERSONS, seed=7)
    build_sample(tmp_path / "c", persons=PERSONS, seed=8)
    a, b, c = (_hashes(tmp_path / x) for x in "abc")
    assert len(a) > 180
    assert a == b
    parquet = [k for k in a if k.endswith(".parquet")]
    assert sum(a[k] != c[k] for k in parquet) > len(parquet) // 2


def test_both_stores_share_one_secret(tmp_path):
    build_sample(tmp_path, persons=PERSONS, seed=7)
    secrets = {p.read_text() for p in tmp_path.rglob("record-key.secret")}
    assert len(secrets) == 1
    assert len(bytes.fromhex(secrets.pop().strip())) == 32
