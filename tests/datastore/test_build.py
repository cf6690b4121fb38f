"""Building versions: atomicity, immutability, byte-identical output, policy and secret."""

from __future__ import annotations

import json
import stat

import pytest

from mdlang.datastore.build import build_datastore
from mdlang.disclosure.policy import default_policy_text
from mdlang.errors import DatastoreError


def test_build_writes_the_contract_layout(tmp_path, mk):
    path = build_datastore(mk.standard(tmp_path / "in"), "no.test", 3, tmp_path / "root")
    assert path == tmp_path / "root" / "no.test" / "3"
    assert sorted(p.name for p in (path / "variables").iterdir()) == [
        "BOSTED.parquet", "INNTEKT.parquet", "KJOENN.parquet", "SIVSTAND.parquet", "STATUS.parquet", "VEKT.parquet",
    ]
    manifest = json.loads((path / "manifest.json").read_text())
    assert (manifest["name"], manifest["version"]) == ("no.test", 3)
    assert set(manifest["checksums"]) == {f"variables/{p.name}" for p in (path / "variables").iterdir()}
    assert (path / "policy.toml").read_text() == default_policy_text("register")
    assert sorted(p.name for p in tmp_path.joinpath("root", "no.test").iterdir()) == ["3"]


def test_stored_parquet_schema(tmp_path, mk):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = build_datastore(mk.standard(tmp_path / "in"), "no.test", 1, tmp_path / "root")
    schema = pq.read_schema(path / "variables" / "SIVSTAND.parquet")
    assert schema.names == ["unit_id", "value", "start_epoch_days", "stop_epoch_days"]
    assert schema.field("unit_id").type == pa.int64()
    assert schema.field("start_epoch_days").type == pa.int32()
    assert schema.field("stop_epoch_days").type == pa.int32()
    table = pq.read_table(path / "variables" / "SIVSTAND.parquet")
    assert table.column("unit_id").to_pylist() == [1, 1, 1, 2, 3]


def test_secret_is_private_random_and_reused_by_later_versions(tmp_path, mk):
    delivery = mk.standard(tmp_path / "in")
    v1 = build_datastore(delivery, "no.test", 1, tmp_path / "root")
    v2 = build_datastore(delivery, "no.test", 2, tmp_path / "root")
    other = build_datastore(delivery, "no.other", 1, tmp_path / "root")
    s1 = (v1 / "private" / "record-key.secret").read_text()
    assert len(bytes.fromhex(s1.strip())) == 32
    assert stat.S_IMODE((v1 / "private" / "record-key.secret").stat().st_mode) == 0o600
    assert (v2 / "private" / "record-key.secret").read_text() == s1
    assert (other / "private" / "record-key.secret").read_text() != s1
    late = build_datastore(delivery, "no.late", 5, tmp_path / "root")
    early = build_datastore(delivery, "no.late", 2, tmp_path / "root")  # built after a later version
    assert (early / "private" / "record-key.secret").read_text() == (late / "private" / "record-key.secret").read_text()


def test_two_builds_give_byte_identical_parquet_and_manifest(tmp_path, mk):
    delivery = mk.standard(tmp_path / "in")
    a = build_datastore(delivery, "no.test", 1, tmp_path / "a")
    b = build_datastore(delivery, "no.test", 1, tmp_path / "b")
    for pa_file in sorted((a / "variables").iterdir()):
        assert pa_file.read_bytes() == (b / "variables" / pa_file.name).read_bytes(), pa_file.name
    assert (a / "manifest.json").read_bytes() == (b / "manifest.json").read_bytes()


def test_existing_version_is_never_overwritten(tmp_path, mk):
    delivery = mk.standard(tmp_path / "in")
    path = build_datastore(delivery, "no.test", 1, tmp_path / "root")
    before = {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}
    mk.write(delivery, "EKSTRA", mk.doc("FIXED", codes=mk.SEX), ["1;1;;;"])
    with pytest.raises(DatastoreError) as err:
        build_datastore(delivery, "no.test", 1, tmp_path / "root")
    assert err.value.message == f"no.test:1 already exists in {tmp_path / 'root'}"
    assert {p: p.read_bytes() for p in path.rglob("*") if p.is_file()} == before


def test_failed_build_leaves_nothing(tmp_path, mk):
    delivery = mk.standard(tmp_path / "in")
    mk.write(delivery, "FEIL", mk.doc("FIXED", codes=mk.SEX), ["1;7;;;"])
    with pytest.raises(DatastoreError) as err:
        build_datastore(delivery, "no.test", 1, tmp_path / "root")
    assert err.value.message.startswith(f"{delivery} cannot be built: 1 problem\n")
    assert f"{delivery}/FEIL/FEIL.csv:1: field 'value': code not in the code list" in err.value.message
    assert not (tmp_path / "root").exists() or list((tmp_path / "root").rglob("*.parquet")) == []
    assert not (tmp_path / "root" / "no.test" / "1").exists()


def test_failure_while_writing_removes_the_temporary_folder(tmp_path, mk, monkeypatch):
    from mdlang.datastore import writer

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(writer, "_write_manifest", boom)
    with pytest.raises(OSError):
        build_datastore(mk.standard(tmp_path / "in"), "no.test", 1, tmp_path / "root")
    assert list((tmp_path / "root" / "no.test").iterdir()) == []


def test_policy_file_is_copied_and_checked(tmp_path, mk):
    delivery = mk.standard(tmp_path / "in")
    policy = tmp_path / "policy.toml"
    policy.write_text(default_policy_text("health-survey"))
    path = build_datastore(delivery, "no.test", 1, tmp_path / "root", policy=policy)
    assert (path / "policy.toml").read_text() == default_policy_text("health-survey")
    policy.write_text("preset = [unclosed\n")
    with pytest.raises(DatastoreError, match="not valid TOML"):
        build_datastore(delivery, "no.test", 2, tmp_path / "root", policy=policy)
    assert not (tmp_path / "root" / "no.test" / "2").exists()


def test_rows_are_stored_sorted_by_unit_and_start(tmp_path, mk):
    import pyarrow.parquet as pq

    mk.write(tmp_path / "in", "EV", mk.doc("EVENT", codes=mk.SEX), [
        "3;1;2001-01-01;;", "1;2;2005-01-01;;", "3;2;2000-01-01;2000-12-31;", "1;1;2000-01-01;2004-12-31;",
    ])
    path = build_datastore(tmp_path / "in", "no.test", 1, tmp_path / "root")
    table = pq.read_table(path / "variables" / "EV.parquet")
    assert table.column("unit_id").to_pylist() == [1, 1, 3, 3]
    assert table.column("start_epoch_days").to_pylist() == [10957, 12784, 10957, 11323]
    assert table.column("stop_epoch_days").to_pylist() == [12783, None, 11322, None]
    assert table.column("value").to_pylist() == ["1", "2", "2", "1"]


def test_write_version_fills_validity_and_status_dates(tmp_path):
    import pandas as pd

    from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
    from mdlang.datastore.reader import Datastore
    from mdlang.datastore.store import write_version

    meta = VariableMetadata("S", "PERSON", Temporality.STATUS, DataType.LONG)
    frame = pd.DataFrame({"unit_id": [2, 1, 1], "value": [5, 6, 7], "start": [300, 100, 300], "stop": [300, 100, 300]})
    path = write_version(tmp_path, "no.x", 1, [(meta, frame)], policy_text="", secret=b"k" * 32, description="demo")
    ds = Datastore(path)
    assert ds.status_dates("S") == [100, 300] and ds.validity("S") == (100, 300)
    assert ds.description == "demo"
    assert ds.read_at("S", 300).values.tolist() == [[1, 7], [2, 5]]
    with pytest.raises(DatastoreError, match="already exists"):
        write_version(tmp_path, "no.x", 1, [(meta, frame)], policy_text="", secret=b"k" * 32)


def _status_meta(coded: bool = False):
    from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata

    if coded:
        codes = (Code("1", "Bosatt"), Code("3", "Utvandret"))
        return VariableMetadata("S", "PERSON", Temporality.STATUS, DataType.STRING, code_list=codes)
    return VariableMetadata("S", "PERSON", Temporality.STATUS, DataType.LONG)


def test_write_version_takes_a_variable_as_chunks_in_unit_order(tmp_path):
    import pandas as pd
    import pyarrow.parquet as pq

    from mdlang.datastore.reader import Datastore
    from mdlang.datastore.store import write_version

    whole = pd.DataFrame(
        {"unit_id": [1, 1, 2, 5, 5, 9], "value": ["1", "3", "1", "3", "9", "1"], "start": [100, 300, 300, 100, 300, 200], "stop": [100, 300, 300, 100, 300, 200]}
    )
    # chunks by unit range, each in any order within itself; "9" is a code outside the code list
    chunks = [whole.iloc[[2, 1, 0]], whole.iloc[0:0], whole.iloc[[4, 3, 5]]]
    a = write_version(tmp_path / "a", "no.x", 1, [(_status_meta(True), whole)], policy_text="", secret=b"k" * 32)
    b = write_version(tmp_path / "b", "no.x", 1, [(_status_meta(True), iter(chunks))], policy_text="", secret=b"k" * 32)
    ta, tb = (pq.read_table(p / "variables" / "S.parquet") for p in (a, b))
    assert tb.column("unit_id").to_pylist() == [1, 1, 2, 5, 5, 9]
    assert tb.column("start_epoch_days").to_pylist() == [100, 300, 300, 100, 300, 200]
    assert tb.column("value").to_pylist() == ["1", "3", "1", "3", "9", "1"] == ta.column("value").to_pylist()
    ds = Datastore(b)
    assert ds.status_dates("S") == [100, 200, 300] and ds.validity("S") == (100, 300)
    assert list(ds.read_at("S", 300)["value"].cat.categories) == ["1", "3", "9"]
    assert json.loads((a / "manifest.json").read_text())["variables"] == json.loads((b / "manifest.json").read_text())["variables"]


def test_chunks_out_of_unit_order_are_refused_and_leave_nothing(tmp_path):
    import pandas as pd

    from mdlang.datastore.store import write_version

    first = pd.DataFrame({"unit_id": [5], "value": [1], "start": [100], "stop": [100]})
    second = pd.DataFrame({"unit_id": [4], "value": [1], "start": [100], "stop": [100]})
    with pytest.raises(DatastoreError) as err:
        write_version(tmp_path, "no.x", 1, [(_status_meta(), [first, second])], policy_text="", secret=b"k" * 32)
    assert err.value.message == "data chunks of S are not in unit_id order"
    assert not (tmp_path / "no.x").exists() or list((tmp_path / "no.x").iterdir()) == []


def test_a_variable_without_chunks_is_an_empty_file(tmp_path):
    import pyarrow.parquet as pq

    from mdlang.datastore.store import write_version

    path = write_version(tmp_path, "no.x", 1, [(_status_meta(), iter(()))], policy_text="", secret=b"k" * 32)
    table = pq.read_table(path / "variables" / "S.parquet")
    assert table.num_rows == 0 and table.column_names == ["unit_id", "value", "start_epoch_days", "stop_epoch_days"]


def test_a_large_unsorted_frame_is_written_sorted_in_row_groups(tmp_path, monkeypatch):
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    from mdlang.datastore import writer
    from mdlang.datastore.store import write_version

    monkeypatch.setattr(writer, "ROW_GROUP_SIZE", 4)
    units = np.array([7, 3, 3, 9, 1, 7, 2, 3, 8, 1])
    starts = np.array([5, 9, 1, 2, 8, 1, 4, 5, 6, 2])
    frame = pd.DataFrame({"unit_id": units, "value": np.arange(10), "start": starts, "stop": starts})
    path = write_version(tmp_path, "no.x", 1, [(_status_meta(), frame)], policy_text="", secret=b"k" * 32)
    pf = pq.ParquetFile(path / "variables" / "S.parquet")
    assert pf.num_row_groups == 3
    order = np.lexsort((starts, units))
    table = pf.read()
    assert table.column("unit_id").to_pylist() == units[order].tolist()
    assert table.column("value").to_pylist() == order.tolist()
