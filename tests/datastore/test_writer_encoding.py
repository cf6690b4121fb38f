"""The writer's coded-string fast path and column encodings: a Categorical value column is written
from its integer codes to exactly the file its strings give, and every file keeps SSB's schema
(unit_id int64, start/stop int32) with sorted ids delta-encoded and values in a dictionary."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.datastore.writer import frame_to_table, write_version

CODES = tuple(Code(c, f"kode {c}") for c in ("03", "01", "02", "04"))


def _meta(name: str = "KODE") -> VariableMetadata:
    return VariableMetadata(
        name=name,
        unit_type="PERSON",
        temporality=Temporality.STATUS,
        data_type=DataType.STRING,
        title={"no": "Kode"},
        code_list=CODES,
    )


def _frames(n: int = 5_000):
    rng = np.random.default_rng(3)
    ids = np.repeat(np.arange(n // 5, dtype=np.int64) * 7 + 1, 5)
    days = np.tile(np.array([16450, 16481, 16509, 16540, 16570], np.int32), n // 5)
    # categories in another order than the code list, one unused ("04"), one not in the list ("99")
    labels = ["02", "99", "01", "03", "04"]
    codes = rng.choice(4, size=n)
    codes[::97] = -1  # missing values
    cat = pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype=object))
    text = pd.array(np.where(codes < 0, None, np.asarray(labels, dtype=object)[np.maximum(codes, 0)]), dtype="str")
    start = pd.arrays.IntegerArray(days, np.zeros(n, bool))

    def frame(values):
        return pd.DataFrame({"unit_id": ids, "value": values, "start": start, "stop": start})

    return frame(cat), frame(text)


def test_categorical_fast_path_gives_the_table_of_the_strings():
    cat, text = _frames()
    fast = frame_to_table(_meta(), cat)
    slow = frame_to_table(_meta(), text)
    assert fast.equals(slow)
    value = fast.column("value").combine_chunks()
    # the dictionary is the code list in its order, then the codes outside it that occur
    assert value.dictionary.to_pylist() == ["03", "01", "02", "04", "99"]
    assert value.null_count == len(range(0, 5_000, 97))
    expected = pd.Series(text["value"]).astype(object).where(text["value"].notna(), None).tolist()
    assert value.to_pylist() == expected


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_categorical_and_string_values_write_byte_identical_files(tmp_path):
    cat, text = _frames()
    kw = {"policy_text": "", "secret": b"k" * 32}
    a = write_version(tmp_path / "a", "test.codes", 1, [(_meta(), cat)], **kw)
    b = write_version(tmp_path / "b", "test.codes", 1, [(_meta(), text)], **kw)
    fa, fb = a / "variables" / "KODE.parquet", b / "variables" / "KODE.parquet"
    assert _digest(fa) == _digest(fb)


def test_stored_schema_and_encodings(tmp_path):
    cat, _ = _frames(2_000_000)  # two row groups
    path = write_version(tmp_path, "test.codes", 1, [(_meta(), cat)], policy_text="", secret=b"k" * 32)
    pf = pq.ParquetFile(path / "variables" / "KODE.parquet")
    schema = pf.schema_arrow
    assert schema.field("unit_id").type == pa.int64()
    assert schema.field("start_epoch_days").type == pa.int32()
    assert schema.field("stop_epoch_days").type == pa.int32()
    assert pf.metadata.num_row_groups == 2
    for g in range(pf.metadata.num_row_groups):
        cols = {pf.metadata.row_group(g).column(i).path_in_schema: pf.metadata.row_group(g).column(i) for i in range(4)}
        assert "DELTA_BINARY_PACKED" in cols["unit_id"].encodings
        assert "RLE_DICTIONARY" in cols["value"].encodings
        assert "PLAIN" in cols["start_epoch_days"].encodings
        assert "RLE_DICTIONARY" not in cols["start_epoch_days"].encodings
        assert cols["unit_id"].compression == "ZSTD"
        assert cols["unit_id"].statistics.has_min_max
    back = pq.read_table(path / "variables" / "KODE.parquet")
    assert back.num_rows == 2_000_000
    assert back.column("start_epoch_days").to_pylist()[:5] == [16450, 16481, 16509, 16540, 16570]


@pytest.mark.parametrize("ordered", [False, True])
def test_frames_out_of_order_are_sorted_unless_known_ordered(ordered):
    cat, _ = _frames(50)
    shuffled = cat.iloc[::-1].reset_index(drop=True)
    table = frame_to_table(_meta(), shuffled if not ordered else cat, ordered=ordered)
    ids = table.column("unit_id").to_numpy()
    days = table.column("start_epoch_days").to_numpy()
    assert (np.diff(ids) >= 0).all()
    assert ((np.diff(ids) > 0) | (np.diff(days) > 0)).all()
