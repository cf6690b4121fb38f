"""Deterministic formatting of released cells.

Every renderer formats numbers through :func:`format_cell`, so text, Markdown and HTML agree.
The disclosure layer has already rounded what it released; these rules only choose a layout and
never add significant digits: a general float shows at most :data:`SIGNIFICANT` significant
digits with trailing zeros removed. Fixed-decimal styles (percentages, p-values, test
statistics, R²) follow the conventions researchers know from Stata.
"""

from __future__ import annotations

import math
from typing import Any

#: Upper bound of significant digits shown for a general float (Stata's ``%9.0g`` shows ~7).
SIGNIFICANT = 7

#: Cell styles: how a number in a column (or a row of a multi-content table) is shown.
STYLES = ("count", "pct", "pvalue", "pvalue4", "stat", "r2", "general")

_FIXED_DECIMALS = {"pct": 2, "pvalue": 3, "pvalue4": 4, "stat": 2, "r2": 4}


def is_marker(cell: Any) -> bool:
    """True for a suppression marker: a string starting with ``<`` (``"<10"``) or ``"x"``."""
    return isinstance(cell, str) and (cell.startswith("<") or cell == "x")


def is_number(cell: Any) -> bool:
    """True for an int or float cell (booleans are labels, not numbers)."""
    return isinstance(cell, (int, float)) and not isinstance(cell, bool)


def format_count(value: float | int) -> str:
    """A count as an integer with Stata's thousands commas (``10,130``).

    A non-integral value (a weighted or averaged count) keeps its released digits instead.
    """
    if isinstance(value, float) and not value.is_integer():
        return format_general(value)
    return f"{int(value):,}"


def format_general(value: float | int) -> str:
    """A number with at most :data:`SIGNIFICANT` significant digits, no trailing zeros.

    Fixed-point for magnitudes in [1e-4, 1e10), scientific notation outside (as Stata does when
    a number will not fit its column); ``-0`` shows as ``0``.
    """
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return ""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude < 1e-4 or magnitude >= 1e10:
        mantissa, _, exponent = f"{value:.{SIGNIFICANT - 1}e}".partition("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{exponent}"
    decimals = max(SIGNIFICANT - 1 - math.floor(math.log10(magnitude)), 0)
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_fixed(value: float | int, decimals: int) -> str:
    """A number with a fixed count of decimals; ``-0.00`` shows as ``0.00``."""
    text = f"{float(value):.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text


def format_number(value: float | int, style: str = "general") -> str:
    """Format one number in one of :data:`STYLES`."""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if style == "count":
        return format_count(value)
    if style in _FIXED_DECIMALS:
        return format_fixed(value, _FIXED_DECIMALS[style])
    return format_general(value)


def format_label(value: Any) -> str:
    """A stub label: strings as given (one line), numbers without grouping, None as blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_general(value)
    return " ".join(str(value).splitlines())


def format_cell(value: Any, style: str = "general") -> str:
    """Format a value cell: numbers by ``style``, markers and labels as given, None as blank."""
    if value is None:
        return ""
    if is_number(value):
        return format_number(value, style)
    return format_label(value)


def significant_digits(value: float | int) -> int:
    """Significant digits of a value as released (its shortest repr, trailing zeros dropped)."""
    mantissa = repr(float(value)).split("e")[0].lstrip("-").replace(".", "").strip("0")
    return max(len(mantissa), 1)


def round_like(value: float, *parts: float | int) -> float:
    """Round a sum of released ``parts`` to the last decimal place all parts are known to, so a
    derived number (a total) never shows more digits than went into it."""
    if value == 0 or not math.isfinite(value) or not parts:
        return value
    places = [math.floor(math.log10(abs(p))) - significant_digits(p) + 1 for p in parts if p]
    return float(round(value, -max(places))) if places else value
