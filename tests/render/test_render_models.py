"""Stata's presentation of model results (issue #7): column headings of transformed estimates,
labels of every model statistic, F with its degrees of freedom, one-block coefficient tables
with ``~``-abbreviated row labels, and a negative R-squared shown as ``.``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from render_cases import make

from mdlang.render import renderer
from mdlang.render.abbrev import CUT, MIN_STUB, abbreviate, abbreviate_all
from mdlang.render.stats import ANOVA_KEYS, LABEL_ONLY_KEYS, STAT_LABELS, stat_lines
from mdlang.render.width import display_width

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "sample_expected"

ROWS = [["alder", 1.013, 0.002077, 6.24, 0.0, 1.009, 1.017],
        ["mann", 1.5, 0.06919, 8.8, 0.0, 1.371, 1.642],
        ["_cons", 0.3686, 0.03496, -10.52, 0.0, 0.3061, 0.4439]]


def model(first: str, *, rows=ROWS, stats=None, depvar: str = "høylønn", command: str = "logit"):
    """A released model result whose estimate column is ``first``."""
    return make(command, "model", {
        "title": "Logistic regression", "depvar": depvar,
        "columns": ["term", first, "se", "z", "p", "ci_low", "ci_high"],
        "rows": rows, "stats": stats if stats is not None else {"n": 7900}, "level": 95.0, "test": "z",
    })


def render(fmt: str, result) -> str:
    return renderer(fmt).render(result, None)


def header_line(text: str) -> str:
    return next(line for line in text.splitlines() if "Std. err." in line)


# 1. Headings of transformed estimates ---------------------------------------------------------

@pytest.mark.parametrize(("key", "heading"), [
    ("odds_ratio", "Odds ratio"), ("irr", "IRR"), ("hazard_ratio", "Haz. ratio"), ("coef", "Coefficient"),
    ("margin", "Margin"), ("dydx", "dy/dx"), ("eyex", "ey/ex"), ("dyex", "dy/ex"), ("eydx", "ey/dx"),
])
def test_estimate_column_is_headed_as_in_stata(key: str, heading: str) -> None:
    result = model(key)
    text = header_line(render("text", result))
    assert text.split("|")[1].split()[:len(heading.split())] == heading.split()
    assert f"| {heading} | Std. err. |" in render("markdown", result)
    assert f'<th class="num" scope="col">{heading}</th>' in render("html", result)
    for fmt in ("text", "markdown", "html"):
        assert key not in render(fmt, result).replace(heading, "") or key == "coef"
    assert json.loads(render("json", result))["data"]["columns"][1] == key


def test_standardized_beta_column_is_headed_beta() -> None:
    result = make("regress", "model", {
        "depvar": "lønn", "columns": ["term", "coef", "se", "t", "p", "beta"],
        "rows": [["alder", 685.0, 443.4, 1.54, 0.122, 0.01744], ["_cons", 517600.0, 20580.0, 25.15, 0.0, None]],
        "stats": {}})
    assert header_line(render("text", result)).split()[-1] == "Beta"


# 2. Labels of model statistics ----------------------------------------------------------------

def test_raw_statistic_keys_get_labels() -> None:
    stats = {"n": 8565, "alpha": 1.405, "mean_vif": 1.0, "polynomial": 2}
    assert stat_lines(stats) == [("Number of obs", "8,565"), ("alpha", "1.405"), ("Mean VIF", "1"),
                                 ("Polynomial order", "2")]


def test_every_statistic_in_the_model_goldens_has_a_label() -> None:
    """A statistic a model command releases must be known here, or only fill another's label."""
    keys = set()
    for path in sorted(GOLDEN.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            keys |= set(json.loads(line)["data"].get("stats") or {})
    assert keys, "no golden statistics found"
    fields = {"df", "p"} | set(ANOVA_KEYS) | set(LABEL_ONLY_KEYS)
    assert sorted(keys - set(STAT_LABELS) - fields) == []


def test_no_golden_text_prints_a_raw_statistic_key() -> None:
    """No ``key = value`` line of the text goldens starts with an identifier containing ``_``
    (Stata's own ``sigma_u``/``sigma_e`` excepted)."""
    raw = []
    for path in sorted(GOLDEN.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^\s*([a-z][a-z0-9]*_[a-z0-9_]*)\s+= ", line)
            if m and m.group(1) not in ("sigma_u", "sigma_e"):
                raw.append(f"{path.name}: {line.strip()}")
    assert raw == []


# 3. F with its degrees of freedom; the panel F test of u_i under the table ---------------------

FE_STATS = {"n": 26253, "n_groups": 6954, "r2_within": 0.3263, "r2_between": 0.001624, "r2_overall": 0.01403,
            "sigma_u": 380.0, "sigma_e": 73.84, "rho": 0.9636, "f_u": 99.98, "p_f_u": 0.0, "f": 4674.0,
            "df_m": 2, "p_f": 0.0, "df_r": 19297, "df_u_num": 6953, "df_u_den": 19297}


def test_panel_f_shows_its_degrees_of_freedom() -> None:
    labels = dict(stat_lines(FE_STATS))
    assert labels["F(2, 19297)"] == "4674.00"
    assert labels["F test that all u_i=0: F(6953, 19297)"] == "99.98"
    assert not any(key in labels for key in ("F", "f_u", "p_f_u", "df_r", "df_u_num", "df_u_den"))


def test_f_without_released_dfs_drops_the_parentheses() -> None:
    assert stat_lines({"f": 5.66, "p_f": 0.0035}) == [("F", "5.66"), ("Prob > F", "0.0035")]
    assert stat_lines({"f_u": 2.5}) == [("F test that all u_i=0: F", "2.50")]


def test_fixed_effects_text_puts_the_u_i_test_under_the_table_as_stata_does() -> None:
    result = make("regress-panel", "model", {
        "title": "Fixed-effects (within) regression", "depvar": "lønn1000",
        "columns": ["term", "coef", "se", "t", "p", "ci_low", "ci_high"],
        "rows": [["gift", 15.93, 4.846, 3.287, 0.001, 6.428, 25.43]], "stats": FE_STATS, "level": 95.0, "test": "t"})
    lines = render("text", result).splitlines()
    frame = [i for i, line in enumerate(lines) if re.fullmatch(r"-+", line)]
    footer = lines[frame[-1] + 1]
    assert footer.startswith("F test that all u_i=0: F(6953, 19297) = 99.98 ")
    assert footer.endswith("Prob > F = 0.0000")
    assert len(footer) == len(lines[frame[-1]])
    head = "\n".join(lines[: frame[0]])
    assert "F(2, 19297)" in head and "u_i" not in head and "p_f_u" not in head
    md = render("markdown", result)
    assert "- F test that all u_i=0: F(6953, 19297) = 99.98\n- Prob > F = 0.0000" in md


# 4. One block; long labels abbreviated with ~ in text only -------------------------------------

LONG = "landbak=EU/EØS, USA, Canada, Australia og New Zealand"
LONG_ROWS = [["alder", 0.0129, 0.001176, 10.97, 0.0, 0.01059, 0.0152],
             [LONG, 0.0306, 0.04942, 0.62, 0.536, -0.06627, 0.1275],
             [f"{LONG}#kjønn=Kvinne", 55730.0, 35560.0, 1.57, 0.117, -13980.0, 125400.0],
             ["landbak=Resten av verden", -0.01768, 0.0493, -0.36, 0.72, -0.1143, 0.07894],
             ["_cons", -0.5716, 0.05566, -10.27, 0.0, -0.6807, -0.4626]]


@pytest.mark.parametrize("width", [120, 100, 80])
def test_long_labels_keep_the_coefficient_table_one_block(width: int) -> None:
    from mdlang.render.text import TextRenderer

    result = model("coef", rows=LONG_ROWS, stats={"n": 8565, "chi2": 124.1, "df_m": 4, "p_chi2": 0.0})
    lines = TextRenderer(width).render(result, None).splitlines()
    table = [line for line in lines if "|" in line or re.fullmatch(r"[-+]+", line)]
    assert sum(1 for line in table if "Std. err." in line) == 1  # one header: not split into panels
    assert "interval]" in header_line("\n".join(table))
    assert max(display_width(line) for line in lines) <= width
    stubs = [line.split(" | ")[0].strip() for line in table if " | " in line][1:]
    assert len(set(stubs)) == len(LONG_ROWS)
    assert stubs[0] == "alder" and stubs[-1] == "_cons"
    assert (stubs[3] == "landbak=Resten av verden") == (width >= 100)  # shortened only when needed
    assert CUT in stubs[1] and CUT in stubs[2] and stubs[1].startswith("landba")
    if width >= 100:
        assert stubs[2].endswith("#kjønn=Kvinne") and stubs[1].startswith("landbak=EU/EØS")
    else:  # Stata's 12-cell stub
        assert stubs[1:4] == ["landba~aland", "landba~vinne", "landba~erden"]


def test_other_formats_keep_long_labels_whole_in_one_table() -> None:
    result = model("coef", rows=LONG_ROWS)
    md = render("markdown", result)
    assert md.count("|:---|") == 1 and LONG.replace("/", "/") in md and f"{LONG}#kjønn=Kvinne" in md
    assert "~" not in md
    page = render("html", result)
    assert page.count("<table") == 1 and LONG in page and "~" not in page
    assert json.loads(render("json", result))["data"]["rows"][1][0] == LONG


def test_abbreviate_cuts_the_middle_by_display_width() -> None:
    assert abbreviate("abcdefghij", 5) == "ab~ij"
    assert abbreviate("abcdefghij", 6) == "abc~ij"
    assert abbreviate("short", 12) == "short"
    assert abbreviate("東京都庁舎前駅東口", 9) == "東京~東口"  # 4 + 1 + 4 cells
    assert display_width(abbreviate("Årstad bydel i Bergen", MIN_STUB)) == MIN_STUB


def test_abbreviations_stay_distinct() -> None:
    labels = ["abcdefXghijkl", "abcdefYghijkl", "abcdefZghijkl"]
    out = abbreviate_all(labels, 9)
    assert len(set(out)) == 3 and all(display_width(a) <= 9 for a in out)
    assert abbreviate_all(["same", "same"], 3) == ["s~e", "s~e"]  # equal labels may stay equal


# 5. Negative R-squared ------------------------------------------------------------------------

def test_negative_or_missing_r2_shows_a_dot() -> None:
    assert ("R-squared", ".") in stat_lines({"r2": -16.63})
    assert ("R-squared", ".") in stat_lines({"r2": None})
    assert ("Adj R-squared", "-0.0001") in stat_lines({"r2": 0.0003, "adj_r2": -0.0001})  # as Stata
    assert stat_lines({"chi2": None, "df": None, "p": None}) == []  # other missing statistics stay out


def test_iv_golden_releases_a_negative_r2_as_null_with_a_note() -> None:
    results = [json.loads(line) for line in (GOLDEN / "iv.jsonl").read_text(encoding="utf-8").splitlines()]
    models = [r for r in results if r["kind"] == "model"]
    assert models and all(r["data"]["stats"]["r2"] is None for r in models)
    assert all(any(n.startswith("R-squared is missing (.)") for n in r["notes"]) for r in models)
    text = (GOLDEN / "iv.txt").read_text(encoding="utf-8")
    assert re.findall(r"R-squared\s+=\s+(\S+)", text) == ["."] * len(models)


# Estimate tables that are not models (hausman, weibull) --------------------------------------

def test_hausman_table_is_headed_as_in_stata() -> None:
    result = make("hausman", "table", {
        "title": "Hausman test", "columns": ["term", "fe", "re", "diff", "se"],
        "rows": [["gift", 15.93, 16.33, -0.3991, 2.16]], "stats": {"chi2": 0.06, "df": 2, "p_chi2": 0.9681}})
    header = render("text", result).splitlines()[2]
    assert header.split("|")[0].strip() == ""
    assert header.split("|")[1].split() == ["(b)", "fe", "(B)", "re", "(b-B)", "Difference", "Std.", "err."]
    assert "|   | (b) fe | (B) re | (b-B) Difference | Std. err. |" in render("markdown", result)
    assert json.loads(render("json", result))["data"]["columns"] == ["term", "fe", "re", "diff", "se"]


def test_a_table_whose_first_column_is_not_term_keeps_its_headings() -> None:
    result = make("tabulate", "table", {"columns": ["se", "coef", "Freq."], "rows": [["a", "b", 12]]})
    assert render("text", result).splitlines()[0].split() == ["se", "coef", "|", "Freq."]
