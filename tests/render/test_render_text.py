"""Text layouts: alignment by display width, panels, echo, notes, numbers as released."""

from __future__ import annotations

import re

import pytest
from render_cases import CASES, make

from mdlang.render import renderer
from mdlang.render.grid import build_grid
from mdlang.render.text import TextRenderer, echo, footnotes
from mdlang.render.width import display_width


def _bar_columns(line: str) -> list[int]:
    """Display columns of the ``|`` and ``+`` separators of a table line."""
    cols, pos = [], 0
    for ch in line:
        if ch in "|+":
            cols.append(pos)
        pos += display_width(ch)
    return cols


def _table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "|" in line or re.fullmatch(r"[-+]+", line)]


@pytest.mark.parametrize("name", ["oneway", "twoway", "multicontent", "multiway", "summary", "volume"])
def test_separators_line_up(name: str) -> None:
    result, source = CASES[name]
    lines = [line for line in _table_lines(renderer("text").render(result, source)) if "-+-" in line or " | " in line]
    stub_bar = {_bar_columns(line)[0] for line in lines}
    assert len(stub_bar) == 1, lines


def test_unicode_labels_align_by_display_width() -> None:
    decomposed = "A\u030arstad"  # Å as A + combining ring: 6 cells, 7 code points
    wide = "東京"  # two wide characters: 4 cells
    result = make("tabulate", "table", {
        "columns": ["bydel", "Freq."],
        "rows": [[decomposed, 12], [wide, 3456], ["Fana", 10], ["Total", 3478]],
    })
    text = renderer("text").render(result)
    lines = [line for line in text.splitlines() if "|" in line or "+" in line]
    assert {_bar_columns(line)[0] for line in lines} == {7}
    assert {display_width(line) for line in lines} == {17}
    assert "A\u030arstad |" in text


def test_display_width() -> None:
    assert display_width("kjønn") == 5
    assert display_width("A\u030arstad") == 6
    assert display_width("東京") == 4
    assert display_width("") == 0


def test_oneway_numbers_are_those_released() -> None:
    """Read the table back and compare with the data (commas removed, decimals as released)."""
    result, _ = CASES["oneway"]
    text = renderer("text").render(result)
    body = [line for line in text.splitlines() if " | " in line][1:]
    parsed = [[cell.replace(",", "") for cell in re.split(r"\s*\|\s*|\s{2,}", line.strip())] for line in body]
    expected = [[row[0]] + [("" if c is None else f"{c}") for c in row[1:]] for row in result.data["rows"]]
    assert [[float(c) if c and c[0].isdigit() else c for c in row if c] for row in parsed] == \
        [[float(c) if c and c[0].isdigit() else c for c in row if c] for row in expected]


def test_two_way_layout_exact() -> None:
    result, source = CASES["twoway"]
    assert renderer("text").render(result, source) == (
        ". tabulate kjønn regstat, chi2\n"
        "\n"
        "kjønn × regstat\n"
        "\n"
        "       |       regstat\n"
        " kjønn |   Bosatt  Utvandret |    Total\n"
        "-------+---------------------+---------\n"
        "  Mann |    5,120        <10 |    5,127\n"
        "Kvinne |    4,988         12 |    5,003\n"
        "-------+---------------------+---------\n"
        " Total |   10,108         19 |   10,130\n"
        "\n"
        "chi2(1)         =      3.10\n"
        "Prob > chi2     =    0.0783\n"
        "\n"
        "Note: Counts are perturbed (cell-key noise, |noise| <= 3); totals are perturbed on their own.\n"
        "\n"
    )


def test_model_puts_cons_where_given_and_uses_z_when_data_says_so() -> None:
    result, _ = CASES["logit"]
    text = renderer("text").render(result)
    header = next(line for line in text.splitlines() if "Coefficient" in line)
    assert re.search(r"\bz\s+P>\|z\|\s+\[95% conf\.\s+interval\]$", header)
    terms = [line.split("|")[0].strip() for line in text.splitlines() if " | " in line][1:]
    assert terms == ["klassetrinn", "kjønn=2", "_cons"]


def test_model_level_and_test_hint() -> None:
    result = make("regress", "model", {
        "columns": ["term", "coef", "se", "t|z", "p", "ci_low", "ci_high"], "level": 90, "test": "z",
        "rows": [["x", 1.5, 0.25, 6.0, 0.0, 1.089, 1.911]]})
    header = next(line for line in renderer("text").render(result).splitlines() if "Coefficient" in line)
    assert header.split() == ["|", "Coefficient", "Std.", "err.", "z", "P>|z|", "[90%", "conf.", "interval]"]


def test_regress_statistics_block() -> None:
    result, _ = CASES["regress"]
    lines = renderer("text").render(result).splitlines()
    right = [re.sub(r"^.*\s{3}(?=[A-Z])", "", line) for line in lines[2:8]]
    assert [re.sub(r"\s+", " ", r) for r in right] == [
        "Number of obs = 10,130", "F(2, 10127) = 812.30", "Prob > F = 0.0000",
        "R-squared = 0.1382", "Adj R-squared = 0.1380", "Root MSE = 195200"]
    assert lines[4].startswith("   Model |  6.191e+13           2   3.096e+13")
    # the total sum of squares is the sum of the released parts; no MS is invented for it
    assert lines[7].startswith("   Total |  4.478e+14      10,129 ")
    assert "3.096e+13" in lines[4] and lines[7].split("|")[1].split()[:3] == ["4.478e+14", "10,129", "Root"]


def test_model_without_anova_has_no_source_block() -> None:
    result, _ = CASES["logit"]
    assert "Source" not in renderer("text").render(result)


def test_wide_table_splits_into_panels_that_repeat_the_stub() -> None:
    result, _ = CASES["wide"]
    r = TextRenderer(width=90)
    text = r.render(result)
    assert max(display_width(line) for line in text.splitlines()) <= 90
    headers = [line for line in text.splitlines() if line.startswith("    bydel |")]
    assert len(headers) == 3
    for column in result.data["columns"][1:]:
        assert sum(column in h for h in headers) == 1


def test_narrow_table_is_one_panel() -> None:
    result, _ = CASES["oneway"]
    assert renderer("text").render(result).count(" kjønn |") == 1


def test_echo_marks_continuation_lines() -> None:
    assert echo("regress y x \\\n    z") == [". regress y x \\", ">     z"]
    assert echo("tabulate kjønn\n") == [". tabulate kjønn"]


def test_footnotes_wrap_and_number() -> None:
    assert footnotes([]) == []
    assert footnotes(["one"]) == ["Note: one"]
    assert footnotes(["a", "b"]) == ["Notes:", "  1. a", "  2. b"]
    long = footnotes(["word " * 30], width=40)
    assert all(len(line) <= 40 for line in long) and long[1].startswith("      word")


def test_message_echo_has_no_blank_line_and_no_trailing_spaces() -> None:
    result = make("generate", "message", {"text": "12 values replaced   \nsecond line"})
    assert renderer("text").render(result, "replace x = 1") == \
        ". replace x = 1\n12 values replaced\nsecond line\n\n"


def test_refusal_states_rule_and_remedy() -> None:
    result, source = CASES["refusal"]
    assert renderer("text").render(result, source).splitlines()[1:-1] == [
        "*** Output withheld by disclosure control ***",
        "The table has cells with fewer than 10 persons in every column.",
        "Rule: D4",
        "What to do: use fewer categories, e.g. coarsen bydel",
    ]


def test_figure_names_its_files() -> None:
    result, _ = CASES["figure"]
    assert renderer("text").render(result) == (
        "Figure: Histogram of lønn\n"
        "  written to figures/line-12-histogram.png\n"
        "  written to figures/line-12-histogram.svg\n\n")


def test_empty_and_stubless_tables() -> None:
    empty = make("tabulate", "table", {"columns": [], "rows": []})
    assert renderer("text").render(empty) == "(empty table)\n\n"
    stubless = make("count", "table", {"stub": 0, "columns": ["N"], "rows": [[10130]]})
    assert renderer("text").render(stubless) == "       N\n--------\n  10,130\n\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_trailing_spaces(name: str) -> None:
    result, source = CASES[name]
    for line in renderer("text").render(result, source).splitlines():
        assert line == line.rstrip()


def test_textblock_is_not_echoed() -> None:
    result, source = CASES["textblock"]
    out = renderer("text").render(result, source)
    assert out.startswith("# Helseprofil 0-20\n") and ". textblock" not in out


def test_column_variable_from_the_title_of_a_cross_table() -> None:
    data = {"title": "kjønn × regstat", "columns": ["kjønn", "Bosatt", "Total"],
            "rows": [["Mann", 5120, 5127], ["Total", 10108, 10130]]}
    lines = renderer("text").render(make("tabulate", "table", data)).splitlines()
    assert lines[2] == "      | regstat"
    assert build_grid("table", {**data, "colvar": "status"}).spanner == "status"
    flat = {**data, "title": "kjønn × regstat", "columns": ["kjønn", "regstat", "Freq."],
            "rows": [["Mann", "Bosatt", 5120]]}
    assert build_grid("table", flat).spanner == ""
    assert build_grid("table", {**data, "title": "alder × regstat"}).spanner == ""
