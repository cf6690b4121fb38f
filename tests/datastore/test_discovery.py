"""The search path: --datastore-dir, $MDLANG_DATASTORE_DIR, then the sample; errors name what exists."""

from __future__ import annotations

import os
import sys
import types

import pytest

from mdlang.datastore.build import build_datastore
from mdlang.datastore.discovery import ENV_VAR, find_datastore, list_available, search_roots
from mdlang.datastore.store import open_datastore
from mdlang.errors import DatastoreError


@pytest.fixture
def roots(tmp_path, mk, monkeypatch):
    """Two roots: a holds demo:1 and demo:2, b holds demo:2 and other:5."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    delivery = tmp_path / "in"
    mk.write(delivery, "KJOENN", mk.doc("FIXED", codes=mk.SEX), ["1;1;;;"])
    for root, name, version in [("a", "demo", 1), ("a", "demo", 2), ("b", "demo", 2), ("b", "other", 5)]:
        build_datastore(delivery, name, version, tmp_path / root)
    return tmp_path / "a", tmp_path / "b"


@pytest.fixture
def fake_sample(tmp_path, mk, monkeypatch):
    """A stand-in for mdlang.datastore.sample whose ensure_sample builds no.ssb.fdb:1 once."""
    root = tmp_path / "sample"
    calls = []

    def ensure_sample():
        calls.append(1)
        if not root.exists():
            delivery = tmp_path / "sample-in"
            mk.write(delivery, "BEFOLKNING_KJOENN", mk.doc("FIXED", codes=mk.SEX), ["1;1;;;"])
            build_datastore(delivery, "no.ssb.fdb", 1, root)
        return root

    module = types.ModuleType("mdlang.datastore.sample")
    module.ensure_sample = ensure_sample
    module.sample_root = lambda: root
    monkeypatch.setitem(sys.modules, "mdlang.datastore.sample", module)
    return calls


def test_search_order_dirs_then_environment(roots, monkeypatch):
    a, b = roots
    monkeypatch.setenv(ENV_VAR, os.pathsep.join([str(b), ""]))
    assert search_roots([a]) == [a, b]
    assert find_datastore("demo", 2, [a]).path == a / "demo" / "2"
    assert find_datastore("demo", 2, None).path == b / "demo" / "2"
    assert find_datastore("other", 5, [a]).path == b / "other" / "5"
    ds = open_datastore("demo", 1, [b, a])
    assert (ds.path, ds.version, ds.stored_version, ds.note) == (a / "demo" / "1", 1, 1, None)


def test_unknown_version_lists_available(roots):
    a, b = roots
    with pytest.raises(DatastoreError) as err:
        find_datastore("demo", 7, [a, b])
    assert err.value.message == "datastore demo has no version 7; available: 1, 2"
    assert err.value.hint == "require demo:2 for the newest version"


def test_unknown_name_lists_names(roots, fake_sample):
    a, b = roots
    with pytest.raises(DatastoreError) as err:
        find_datastore("nothing", 1, [a, b])
    assert err.value.message == "no datastore named nothing; available: demo, no.bergen.helseprofil, no.ssb.fdb, other"
    assert fake_sample == []  # the sample is not built for a name it does not serve


def test_sample_answers_any_version_with_a_note(roots, fake_sample):
    a, _ = roots
    ds = find_datastore("no.ssb.fdb", 38, [a])
    assert (ds.version, ds.stored_version) == (38, 1)
    assert ds.note == "no.ssb.fdb:38 is served by the synthetic sample, which holds one data version under every version number."
    assert ds.has("BEFOLKNING_KJOENN")
    assert fake_sample == [1]


def test_user_root_shadows_the_sample(tmp_path, mk, fake_sample, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    delivery = tmp_path / "own"
    mk.write(delivery, "X", mk.doc("FIXED", codes=mk.SEX), ["1;1;;;"])
    build_datastore(delivery, "no.ssb.fdb", 23, tmp_path / "mine")
    assert find_datastore("no.ssb.fdb", 23, [tmp_path / "mine"]).note is None
    with pytest.raises(DatastoreError, match="datastore no.ssb.fdb has no version 38; available: 23"):
        find_datastore("no.ssb.fdb", 38, [tmp_path / "mine"])
    assert fake_sample == []


def test_list_available_in_search_order(roots, fake_sample):
    a, b = roots
    found = [(x.name, x.versions, x.root, x.sample) for x in list_available([a, b])]
    assert found == [("demo", (1, 2), a, False), ("demo", (2,), b, False), ("other", (5,), b, False)]
    find_datastore("no.ssb.fdb", 1, [a])
    assert [x.name for x in list_available([a]) if x.sample] == ["no.ssb.fdb"]


def test_discovery_and_opening_do_not_import_pandas():
    import subprocess

    code = "import sys, mdlang.datastore.discovery, mdlang.datastore.metadata, mdlang.datastore.reader, mdlang.datastore.store; print(sorted(m for m in ('pandas', 'pyarrow', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
