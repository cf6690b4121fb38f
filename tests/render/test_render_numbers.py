"""Number formatting: deterministic, Stata-like, never more digits than were released."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdlang.render.numbers import (
    SIGNIFICANT,
    format_cell,
    format_count,
    format_general,
    format_number,
    is_marker,
    round_like,
    significant_digits,
)


@pytest.mark.parametrize(("value", "text"), [
    (0.1234, "0.1234"),
    (1234.5, "1234.5"),
    (6165.2573, "6165.257"),
    (0.30000000000000004, "0.3"),
    (2.0, "2"),
    (-0.0, "0"),
    (0.0, "0"),
    (9.99999999, "10"),
    (1234567890.0, "1234567890"),
    (12345678901.0, "1.234568e+10"),
    (6.191e13, "6.191e+13"),
    (-1.234e-05, "-1.234e-05"),
    (0.0001, "0.0001"),
    (7, "7"),
    (-45670.0, "-45670"),
])
def test_general(value: float, text: str) -> None:
    assert format_general(value) == text


@pytest.mark.parametrize(("value", "style", "text"), [
    (10130, "count", "10,130"),
    (5120.0, "count", "5,120"),
    (12.5, "count", "12.5"),
    (50.0, "pct", "50.00"),
    (33.333, "pct", "33.33"),
    (-0.001, "pct", "0.00"),
    (0.0, "pvalue", "0.000"),
    (0.0783, "pvalue4", "0.0783"),
    (-19.85, "stat", "-19.85"),
    (0.138, "r2", "0.1380"),
    (float("nan"), "general", ""),
    (float("inf"), "count", ""),
])
def test_styles(value: float, style: str, text: str) -> None:
    assert format_number(value, style) == text


def test_cells_markers_labels_and_none() -> None:
    assert format_cell(None) == ""
    assert format_cell("<10", "count") == "<10"
    assert format_cell("x", "pct") == "x"
    assert format_cell(True) == "true"
    assert format_cell("two\nlines") == "two lines"
    assert is_marker("<10") and is_marker("x") and not is_marker("xyz") and not is_marker(10)


def _significant_digits(text: str) -> int:
    mantissa = text.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa.rstrip("0")) if mantissa else 0


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300))
def test_general_never_adds_digits_and_stays_close(value: float) -> None:
    text = format_general(value)
    integer_digits = len(text.split("e")[0].lstrip("-").split(".")[0])
    # digits left of the point are the value itself (up to 1e10); rounding them would misstate it
    assert _significant_digits(text) <= max(SIGNIFICANT, integer_digits)
    shown = float(text)
    assert math.isclose(shown, value, rel_tol=10 ** (1 - SIGNIFICANT), abs_tol=1e-300)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_count_round_trips(value: int) -> None:
    assert int(format_count(value).replace(",", "")) == value


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 4)))
def test_released_four_digit_values_are_shown_exactly(value: float) -> None:
    """A value the disclosure layer rounded is shown with its own digits, nothing more."""
    rounded = float(f"{value:.4g}")
    assert float(format_general(rounded)) == rounded
    assert _significant_digits(format_general(rounded)) <= 4


@pytest.mark.parametrize(("value", "digits"), [(0.1234, 4), (1200000.0, 2), (5, 1), (0.0, 1), (-45.67, 4)])
def test_significant_digits(value: float, digits: int) -> None:
    assert significant_digits(value) == digits


@pytest.mark.parametrize(("parts", "total"), [
    ((6.191e13, 3.859e14), 4.478e14),
    ((1.2e13, 3.859e14), 3.98e14),
    ((1595.93249, 847.526967), 2443.45946),
    ((0.1, 0.2), 0.3),
])
def test_derived_totals_keep_the_precision_of_their_parts(parts: tuple[float, ...], total: float) -> None:
    assert round_like(sum(parts), *parts) == total
