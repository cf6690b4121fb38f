"""Dates as epoch days (days since 1970-01-01), the way microdata.no stores them.

Only the standard library is used here so that modules needing dates stay cheap to import.
"""

from __future__ import annotations

import datetime as _dt
import re

_EPOCH = _dt.date(1970, 1, 1)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str) -> int:
    """Turn ``YYYY-MM-DD`` into epoch days; raise ValueError for anything else."""
    if not _ISO.fullmatch(text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return (_dt.date.fromisoformat(text) - _EPOCH).days


def format_date(days: int | None) -> str:
    """Turn epoch days into ``YYYY-MM-DD`` (None gives an empty string)."""
    if days is None:
        return ""
    return (_EPOCH + _dt.timedelta(days=int(days))).isoformat()
