"""Rounding of released numbers to a fixed number of significant digits (D6, D7, A23)."""

from __future__ import annotations

import math


def round_sig(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant digits (0 and non-finite values unchanged)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    exponent = math.floor(math.log10(abs(value)))
    return float(round(value, digits - 1 - exponent))
