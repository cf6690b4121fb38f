"""Write one immutable datastore version: Parquet per variable, manifest, policy and secret.

The output depends only on the inputs: rows are sorted by (unit_id, start), every Parquet file has
an explicit schema, a fixed row-group size and no timestamps, and the manifest is written with
sorted keys. The version is assembled in a hidden folder beside the target and renamed into place
at the end, so a failure leaves nothing behind and an existing version is never touched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mdlang.datastore import layout
from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
from mdlang.errors import DatastoreError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ROW_GROUP_SIZE = 1 << 20


def write_version(
    root: str | os.PathLike,
    name: str,
    version: int,
    variables: Iterable[tuple[VariableMetadata, pd.DataFrame]],
    *,
    policy_text: str,
    secret: bytes,
    description: str | None = None,
) -> Path:
    """Write ``ROOT/NAME/VERSION`` and return its path.

    ``variables`` yields ``(metadata, frame)`` with frame columns ``unit_id``, ``value``, ``start``
    and ``stop`` (epoch days, nullable). Metadata without validity or status dates gets them from
    the data. Raises DatastoreError when the version exists or the input is unusable.
    """
    if not layout.NAME_RE.fullmatch(name):
        raise DatastoreError(f"'{name}' is not a valid datastore name", hint="use lower-case words separated by dots, e.g. no.bergen.helseprofil")
    if not isinstance(version, int) or version < 1:
        raise DatastoreError(f"datastore version must be a positive whole number, not {version!r}")
    if len(secret) < 16:
        raise DatastoreError("the record-key secret must be at least 16 bytes")
    target = layout.version_dir(Path(root), name, version)
    if target.exists():
        raise DatastoreError(
            f"{name}:{version} already exists in {Path(root)}",
            hint="versions are immutable: build the new delivery as a new version number",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{version}.building-", dir=target.parent))
    try:
        metas = _write_variables(tmp, variables)
        (tmp / layout.POLICY).write_text(policy_text, encoding="utf-8")
        _write_secret(tmp, secret)
        _write_manifest(tmp, name, version, description, metas)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; only private/ should stay that way
        try:
            os.rename(tmp, target)
        except OSError as exc:
            raise DatastoreError(f"{name}:{version} already exists in {Path(root)}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _write_variables(tmp: Path, variables: Iterable[tuple[VariableMetadata, pd.DataFrame]]) -> list[VariableMetadata]:
    import pyarrow.parquet as pq

    (tmp / layout.VARIABLES).mkdir()
    metas: dict[str, VariableMetadata] = {}
    for meta, frame in variables:
        if not layout.VARIABLE_RE.fullmatch(meta.name):
            raise DatastoreError(f"'{meta.name}' is not a valid variable name")
        if meta.name in metas:
            raise DatastoreError(f"variable {meta.name} is given twice")
        table = frame_to_table(meta, frame)
        pq.write_table(
            table,
            layout.variable_file(tmp, meta.name),
            row_group_size=ROW_GROUP_SIZE,
            compression="zstd",
            compression_level=3,
            write_statistics=True,
            use_dictionary=["value"],
            # sorted ids and dates shrink to small deltas, which decode faster than dictionaries
            column_encoding={c: "DELTA_BINARY_PACKED" for c in ("unit_id", "start_epoch_days", "stop_epoch_days")},
        )
        metas[meta.name] = _complete_metadata(meta, table)
    return [metas[k] for k in sorted(metas)]


def value_type(meta: VariableMetadata) -> pa.DataType:
    """The Arrow type of the stored ``value`` column for a variable."""
    import pyarrow as pa

    if meta.data_type is DataType.STRING:
        return pa.dictionary(pa.int32(), pa.string()) if meta.is_coded else pa.string()
    if meta.data_type is DataType.DOUBLE:
        return pa.float64()
    return pa.int64()


def frame_to_table(meta: VariableMetadata, frame: pd.DataFrame) -> pa.Table:
    """Sort a variable's rows by (unit_id, start) and give them the stored schema."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = {"unit_id", "value", "start", "stop"} - set(frame.columns)
    if missing:
        raise DatastoreError(f"data of {meta.name} lacks column(s) {', '.join(sorted(missing))}")
    unit = pa.array(frame["unit_id"], type=pa.int64(), from_pandas=True)
    if unit.null_count:
        raise DatastoreError(f"data of {meta.name} has rows without a unit id")
    start = pa.array(frame["start"], type=pa.int32(), from_pandas=True)
    stop = pa.array(frame["stop"], type=pa.int32(), from_pandas=True)
    starts = start.to_numpy(zero_copy_only=False)
    starts = np.where(np.isnan(starts), np.iinfo(np.int32).min, starts) if starts.dtype.kind == "f" else starts
    units = unit.to_numpy()
    if is_sorted(units, starts):
        order = None  # the common case (generators write in order); skips an O(n log n) sort
    else:
        order = np.lexsort((starts, units))
    values = frame["value"]
    if meta.data_type is DataType.STRING:
        text = _as_text(values)
        if meta.is_coded:
            cats = coded_categories(meta, pc.unique(text.drop_null()).to_pylist())
            dictionary = pa.array(cats, type=pa.string())
            value = pa.DictionaryArray.from_arrays(pc.index_in(text, value_set=dictionary).cast(pa.int32()), dictionary)
        else:
            value = text
    else:
        value = pa.array(values, type=value_type(meta), from_pandas=True)
    schema = pa.schema(
        [
            pa.field("unit_id", pa.int64(), nullable=False),
            pa.field("value", value_type(meta)),
            pa.field("start_epoch_days", pa.int32()),
            pa.field("stop_epoch_days", pa.int32()),
        ]
    )
    table = pa.Table.from_arrays([unit, value, start, stop], schema=schema)
    return table if order is None else table.take(pa.array(order))


def is_sorted(units, starts) -> bool:
    """Whether rows are already ordered by (unit_id, start) (starts may be float with NaN first)."""
    if len(units) < 2:
        return True
    du = units[1:] - units[:-1]
    if (du < 0).any():
        return False
    same = du == 0
    return not (same & (starts[1:] < starts[:-1])).any()


def _as_text(values: pd.Series) -> pa.Array:
    """A value column as an Arrow string array (nulls kept)."""
    import pyarrow as pa

    arr = pa.array(values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    return arr if arr.type == pa.string() else arr.cast(pa.string())


def coded_categories(meta: VariableMetadata, extra: Iterable[str] = ()) -> list[str]:
    """Category order of a coded variable: code-list order, then any other codes sorted."""
    cats = list(dict.fromkeys(c.code for c in meta.code_list or ()))
    known = set(cats)
    return cats + sorted({str(x) for x in extra} - known)


def _complete_metadata(meta: VariableMetadata, table: pa.Table) -> VariableMetadata:
    """Fill validity and status dates from the data where the metadata leaves them open."""
    import pyarrow.compute as pc

    if meta.temporality is Temporality.FIXED or table.num_rows == 0:
        return meta
    changes: dict = {}
    start, stop = table.column("start_epoch_days"), table.column("stop_epoch_days")
    if meta.valid_from is None:
        changes["valid_from"] = pc.min(start).as_py()
    if meta.valid_until is None:
        highs = [v for v in (pc.max(start).as_py(), pc.max(stop).as_py()) if v is not None]
        changes["valid_until"] = max(highs) if highs else None
    if meta.temporality is Temporality.STATUS and not meta.status_dates:
        changes["status_dates"] = tuple(int(d) for d in pc.unique(start.drop_null()).to_numpy().tolist())
        changes["status_dates"] = tuple(sorted(changes["status_dates"]))
    return dataclasses.replace(meta, **changes)


def _write_secret(tmp: Path, secret: bytes) -> None:
    private = tmp / layout.PRIVATE
    private.mkdir(mode=0o700)
    path = tmp / layout.SECRET
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret.hex() + "\n")
    os.chmod(path, 0o600)


def _write_manifest(tmp: Path, name: str, version: int, description: str | None, metas: list[VariableMetadata]) -> None:
    checksums = {}
    for meta in metas:
        path = layout.variable_file(tmp, meta.name)
        checksums[f"{layout.VARIABLES}/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {
        "format": layout.FORMAT_VERSION,
        "name": name,
        "version": version,
        "description": description or "",
        "variables": [m.to_dict() for m in metas],
        "checksums": checksums,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (tmp / layout.MANIFEST).write_text(text, encoding="utf-8")
