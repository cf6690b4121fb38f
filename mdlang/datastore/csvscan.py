"""Read a microdata-tools data file (``unit_id;value;start;stop;attributes``) in bulk.

A first pass over the raw bytes (numpy, in blocks) counts the fields of every line, so that a
line with the wrong number of fields is reported with its exact line number; pyarrow then parses
the well-formed lines in one go. ``line_numbers`` maps parsed rows back to file lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mdlang.datastore.problems import MAX_LINES_PER_KIND, Problem

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

FIELDS = ("unit_id", "value", "start", "stop", "attributes")
BLOCK = 1 << 26


@dataclass
class CsvData:
    """The parsed columns (as strings) and the map from row position to file line."""

    table: pa.Table
    line_numbers: np.ndarray


def _scan(path: Path) -> tuple[int, np.ndarray, np.ndarray]:
    """Number of lines, and the line numbers and field counts (0 = empty) of malformed lines."""
    import numpy as np

    bad_lines: list[np.ndarray] = []
    bad_counts: list[np.ndarray] = []
    total = 0
    carry = b""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(BLOCK)
            last = not chunk
            buf = np.frombuffer(carry + chunk, dtype=np.uint8)
            ends = np.flatnonzero(buf == 10)
            if last and len(buf) and (len(ends) == 0 or ends[-1] != len(buf) - 1):
                ends = np.append(ends, len(buf))
            if len(ends):
                starts = np.concatenate(([0], ends[:-1] + 1))
                semis = np.flatnonzero(buf == 59)
                fields = np.searchsorted(semis, ends) - np.searchsorted(semis, starts) + 1
                length = ends - starts
                has_cr = (length > 0) & (buf[np.maximum(ends - 1, 0)] == 13)
                empty = (length - has_cr) == 0
                wrong = np.flatnonzero((fields != len(FIELDS)) | empty)
                bad_lines.append(total + wrong + 1)
                bad_counts.append(np.where(empty[wrong], 0, fields[wrong]))
                total += len(ends)
                carry = bytes(buf[ends[-1] + 1 :]) if ends[-1] < len(buf) else b""
            else:
                carry = bytes(buf)
            if last:
                lines = np.concatenate(bad_lines) if bad_lines else np.empty(0, np.int64)
                counts = np.concatenate(bad_counts) if bad_counts else np.empty(0, np.int64)
                return total, lines.astype(np.int64), counts


def _line_problems(file_label: str, lines: np.ndarray, counts: np.ndarray) -> list[Problem]:
    """One problem per malformed line, at most ``MAX_LINES_PER_KIND`` of each kind, then a count."""
    out: list[Problem] = []
    for kind, mask in (("wrong", counts != 0), ("empty", counts == 0)):
        picked = lines[mask]
        for line, n in zip(picked[:MAX_LINES_PER_KIND].tolist(), counts[mask][:MAX_LINES_PER_KIND].tolist(), strict=True):
            text = "empty line" if kind == "empty" else f"expected 5 fields (unit_id;value;start;stop;attributes), found {n}"
            out.append(Problem(file_label, line, "(line)", text))
        if len(picked) > MAX_LINES_PER_KIND:
            gist = "empty line" if kind == "empty" else "wrong number of fields"
            out.append(Problem(file_label, None, "(line)", f"{len(picked) - MAX_LINES_PER_KIND} more lines with the same problem: {gist}"))
    return sorted(out, key=lambda p: (p.line is None, p.line or 0))


def read_delivery_csv(path: Path, file_label: str) -> tuple[CsvData | None, list[Problem]]:
    """Parse ``path``; every line with a wrong field count or that is empty becomes a Problem."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    total, bad_lines, bad_counts = _scan(path)
    problems = _line_problems(file_label, bad_lines, bad_counts)
    try:
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(column_names=list(FIELDS), block_size=1 << 24),
            parse_options=pcsv.ParseOptions(delimiter=";", quote_char=False, ignore_empty_lines=True, invalid_row_handler=lambda row: "skip"),
            convert_options=pcsv.ConvertOptions(column_types={f: pa.string() for f in FIELDS}, strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        problems.append(Problem(file_label, None, "(file)", "cannot be read as UTF-8 text with ';' separators"))
        return None, problems
    if len(bad_lines):
        lines = np.setdiff1d(np.arange(1, total + 1, dtype=np.int64), bad_lines)
    else:
        lines = np.arange(1, table.num_rows + 1, dtype=np.int64)
    if len(lines) != table.num_rows:
        problems.append(Problem(file_label, None, "(file)", "lines could not be matched to rows; check for stray carriage returns"))
        return None, problems
    return CsvData(table, lines), problems
