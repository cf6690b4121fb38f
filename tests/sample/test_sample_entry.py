"""build_sample, ensure_sample and ``mdlang sample-data``."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from mdlang import cli
from mdlang.datastore import sample
from mdlang.datastore.sample import SAMPLE_NAMES, ensure_sample, is_built, sample_root
from mdlang.errors import DatastoreError, UsageError


def test_sample_data_cli_writes_both_stores(tmp_path, capsys):
    out = tmp_path / "store"
    assert cli.main(["sample-data", "--persons", "2500", "--out", str(out), "--seed", "3"]) == 0
    assert is_built(out)
    assert f"wrote no.ssb.fdb:1, no.bergen.helseprofil:1 to {out}" in capsys.readouterr().out
    manifest = json.loads((out / "no.bergen.helseprofil" / "1" / "manifest.json").read_text())
    assert "syntetisk" in manifest["description"].lower()
    policy = (out / "no.bergen.helseprofil" / "1" / "policy.toml").read_text()
    assert "health-survey" in policy
    # A second build refuses to overwrite, --force replaces.
    assert cli.main(["sample-data", "--persons", "2500", "--out", str(out), "--seed", "3"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (
        cli.main(["sample-data", "--persons", "2500", "--out", str(out), "--seed", "3", "--force"])
        == 0
    )


def test_too_few_persons_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["sample-data", "--persons", "10", "--out", str(tmp_path)]) == 2
    assert "--persons must be at least 2000, not 10" in capsys.readouterr().err
    with pytest.raises(UsageError):
        sample.build_sample(tmp_path, persons=10)


def test_existing_version_is_refused_without_force(tmp_path):
    (tmp_path / "no.ssb.fdb" / "1").mkdir(parents=True)
    with pytest.raises(DatastoreError, match="already exists"):
        sample.build_sample(tmp_path, persons=2500)


def test_sample_root_honours_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MDLANG_SAMPLE_DIR", str(tmp_path / "x"))
    assert sample_root() == tmp_path / "x"
    monkeypatch.delenv("MDLANG_SAMPLE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert sample_root(5).parent == tmp_path / "cache" / "mdlang" / "sample"
    assert sample_root(5).name.endswith("-5")


def test_ensure_sample_returns_a_built_root_untouched(sample_root, monkeypatch):
    monkeypatch.setattr(sample, "build_sample", lambda *a, **k: pytest.fail("must not rebuild"))
    assert ensure_sample(sample_root) == sample_root


def _fake_build(calls: list):
    def build(root, persons=None, seed=sample.DEFAULT_SEED, **kw):
        calls.append(Path(root))
        for name in SAMPLE_NAMES:
            d = Path(root) / name / "1"
            d.mkdir(parents=True)
            (d / "manifest.json").write_text("{}")
        return []

    return build


def test_ensure_sample_builds_once_under_a_lock(tmp_path, monkeypatch):
    calls: list[Path] = []
    monkeypatch.setattr(sample, "build_sample", _fake_build(calls))
    root = tmp_path / "cache" / "sample"
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(ensure_sample(root))) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [root] * 3
    assert len(calls) == 1 and calls[0] != root  # built in a temporary folder, then renamed
    assert is_built(root)
    assert not [p for p in root.parent.iterdir() if p.name.startswith(".sample.building")]


def test_ensure_sample_fills_an_existing_empty_root(tmp_path, monkeypatch):
    calls: list[Path] = []
    monkeypatch.setattr(sample, "build_sample", _fake_build(calls))
    root = tmp_path / "mine"
    root.mkdir()
    assert ensure_sample(root) == root and calls == [root]


def test_failed_build_leaves_nothing(tmp_path, monkeypatch):
    def boom(root, **kw):
        (Path(root) / "partial").mkdir()
        raise DatastoreError("disk full")

    monkeypatch.setattr(sample, "build_sample", boom)
    root = tmp_path / "cache" / "sample"
    with pytest.raises(DatastoreError):
        ensure_sample(root)
    assert not root.exists()
    assert [p.name for p in root.parent.iterdir()] == [".sample.lock"]
