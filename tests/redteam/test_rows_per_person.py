"""A20 (rows per person) as real scripts on an event store where the canary has many rows, and
A21 variants (family linkage after collapse and merge back onto persons).

The store ``no.redteam.forlop:1`` holds 2 000 persons. Each has two diagnosis spells of code 'A'
or 'B' in 2020, except that 12 persons have one spell 'R' and the canary has ``K`` spells 'R'.
The attacker knows everything about everyone but the canary and wants the canary's number of
rows. Every released count must count persons (13 behind 'R', never 12 + K rows), and no
estimate built from the releases may land within 10 % of ``K``.

For A21 the persons also carry a family number (families of three) and an income; the canary's
income is far above everyone's, so the canary's family sum is unique. Collapsing to families and
merging the family sum back onto persons must not name that sum, nor release a statistic of the
canary's family alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore.dates import parse_date
from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.engine.runner import run_script
from mdlang.errors import MdlError
from mdlang.results import Result
from tests.redteam.attack import cell, misses, number, refused

NAME = "no.redteam.forlop"
N = 2000
IDS = np.arange(1, N + 1, dtype=np.int64)
CANARY = 777
K = 40  # the canary's rows
R_OTHERS = IDS[(IDS % 150 == 0)][:12]  # twelve persons with one 'R' spell each
NOISE = 3
PRELUDE = f"require {NAME}:1 as h\ncreate-dataset e\nimport-event h/DIAGNOSE 2020-01-01 to 2020-12-31 as diag\n"
FAMILY = ((IDS - 1) // 3) * 3 + 1
INCOME = np.round(np.random.default_rng(21).lognormal(12.5, 0.4, N), 0)
INCOME[CANARY - 1] = 3_000_000.0
CANARY_FAMILY_SUM = float(INCOME[FAMILY == FAMILY[CANARY - 1]].sum())
PERSONS = (f"require {NAME}:1 as h\ncreate-dataset p\nimport h/INNTEKT as inntekt\n"
           "import h/FAMNR as famnr\n")


def _spells() -> pd.DataFrame:
    day0 = parse_date("2020-01-01")
    rows: list[tuple[int, str, int, int]] = []
    for pid in IDS:
        if pid == CANARY:
            rows += [(pid, "R", day0 + 7 * i, day0 + 7 * i + 2) for i in range(K)]
        elif pid in R_OTHERS:
            rows.append((pid, "R", day0 + 10, day0 + 20))
        else:
            code = "A" if pid % 3 else "B"
            rows += [(pid, code, day0 + 5, day0 + 30), (pid, code, day0 + 100, day0 + 160)]
    frame = pd.DataFrame(rows, columns=["unit_id", "value", "start", "stop"])
    frame["start"] = frame["start"].astype("Int64")
    frame["stop"] = frame["stop"].astype("Int64")
    return frame


def _store(root: Path) -> Path:
    from mdlang.datastore.store import write_version
    from mdlang.disclosure.policy import default_policy_text

    diag = VariableMetadata("DIAGNOSE", "PERSON", Temporality.EVENT, DataType.STRING, title={"no": "Diagnose"},
                            code_list=tuple(Code(c, c) for c in ("A", "B", "R")), sensitive=True)
    sex = VariableMetadata("KJOENN", "PERSON", Temporality.FIXED, DataType.STRING, title={"no": "Kjønn"},
                           code_list=(Code("1", "Mann"), Code("2", "Kvinne")))
    famnr = VariableMetadata("FAMNR", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "Familienummer"},
                             link_unit_type="PERSON")
    income = VariableMetadata("INNTEKT", "PERSON", Temporality.FIXED, DataType.DOUBLE, title={"no": "Inntekt"})
    fixed = [(sex, np.where(IDS % 2 == 1, "1", "2")), (famnr, FAMILY), (income, INCOME)]
    frames = [(meta, pd.DataFrame({"unit_id": IDS, "value": values, "start": pd.array([None] * N, dtype="Int64"),
                                   "stop": pd.array([None] * N, dtype="Int64")})) for meta, values in fixed]
    write_version(root, NAME, 1, [(diag, _spells()), *frames], policy_text=default_policy_text(),
                  secret=bytes(range(2, 34)))
    return root


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _store(tmp_path_factory.mktemp("redteam-forlop"))


def _attack(store: Path, body: str, project: str) -> list[Result]:
    results = run_script(PRELUDE + body, "a20.mdl", datastore_dirs=[str(store)], project=project)
    return [r for r in results if r.line > PRELUDE.count("\n")]


def _persons_with_r() -> int:
    return len(R_OTHERS) + 1


def test_the_store_is_what_the_attacks_assume() -> None:
    spells = _spells()
    per_person = spells[spells["value"] == "R"].groupby("unit_id").size()
    assert per_person.loc[CANARY] == K and len(per_person) == _persons_with_r() == 13
    assert (spells.groupby("unit_id").size().drop(CANARY) <= 2).all()


def test_tabulate_counts_persons_not_rows(store: Path) -> None:
    (tab,) = _attack(store, "tabulate diag\n", "a20-tab")
    released = number(cell(tab, "R", "Freq."))
    assert released is not None and abs(released - _persons_with_r()) <= NOISE
    estimate = released - len(R_OTHERS)  # the attacker's reading: what is left once the others are known
    assert misses(estimate, K)


def test_tabulate_with_a_second_variable_still_counts_persons(store: Path) -> None:
    (tab,) = _attack(store, "create-dataset p\nimport h/KJOENN as kjonn\nmerge kjonn into e\nuse e\n"
                     "tabulate diag kjonn\n", "a20-tab2")[-1:]
    sexes = pd.Series(np.where(np.append(R_OTHERS, CANARY) % 2 == 1, "Mann", "Kvinne")).value_counts()
    for sex, persons in sexes.items():
        got = cell(tab, "R", sex)
        # below T a cell is shown as '<10', never as a row count of the canary
        assert got == "<10" or abs(number(got) - persons) <= NOISE
    assert misses(number(cell(tab, "R", "Total")) and number(cell(tab, "R", "Total")) - len(R_OTHERS), K)


def test_summarize_n_counts_persons(store: Path) -> None:
    (summary,) = _attack(store, "generate dur = STOP@diag - START@diag\nsummarize dur if diag == 'R'\n",
                         "a20-sum")[-1:]
    n = number(summary.data["rows"][0][1])
    assert n is not None and abs(n - _persons_with_r()) <= NOISE
    assert misses(n - len(R_OTHERS), K)


def test_collapse_count_never_names_the_canarys_row_count(store: Path) -> None:
    out = _attack(store, "collapse (count) diag -> n, by(PERSONID_1)\ntabulate n\n", "a20-collapse")
    (tab,) = [r for r in out if r.command == "tabulate"]
    labels = [str(row[0]) for row in tab.data["rows"]]
    assert str(K) not in labels
    counts = {label: number(row[1]) for label, row in zip(labels, tab.data["rows"], strict=True)}
    assert abs(counts["2"] - (N - _persons_with_r())) <= NOISE


def test_collapse_count_mean_times_n_misses_the_canary(store: Path) -> None:
    """With N and the mean released, and the others' counts known, N·mean − Σ others would be
    the canary's count; winsorisation and keyed noise must keep that off by more than 10 %."""
    out = _attack(store, "collapse (count) diag -> n, by(PERSONID_1)\nsummarize n\n", "a20-mean")
    (summary,) = [r for r in out if r.command == "summarize"]
    row = summary.data["rows"][0]
    n, mean = number(row[1]), number(row[2])
    others = 2 * (N - _persons_with_r()) + len(R_OTHERS)
    estimate = None if n is None or mean is None else N * mean - others
    assert misses(estimate, K)
    assert str(K) not in json.dumps(summary.data)


def test_isolating_the_canary_by_its_row_count_is_suppressed(store: Path) -> None:
    out = _attack(store, "collapse (count) diag -> n, by(PERSONID_1)\nsummarize n if n > 5\n"
                         "tabulate n if n > 5\n", "a20-isolate")
    summary, tab = [r for r in out if r.command in ("summarize", "tabulate")]
    assert refused(summary) or number(summary.data["rows"][0][2]) is None
    assert refused(tab) or all(str(K) != str(row[0]) for row in tab.data["rows"])
    for result in (summary, tab):
        assert str(K) not in json.dumps(result.data)


def test_barchart_bars_count_persons(store: Path) -> None:
    (chart,) = _attack(store, "barchart (count) diag\n", "a20-bar")
    spec = chart.data["spec"]
    (series,) = spec["panels"][0]["series"]
    bars = dict(zip(spec["panels"][0]["categories"], series["values"], strict=True))
    assert abs(number(bars["R"]) - _persons_with_r()) <= NOISE
    a_persons = int(np.sum((IDS % 3 != 0) & (IDS != CANARY) & ~np.isin(IDS, R_OTHERS)))
    assert abs(number(bars["A"]) - a_persons) <= NOISE  # persons, not their 2 × rows
    assert misses(number(bars["R"]) - len(R_OTHERS), K)


def _family_attack(store: Path, body: str, project: str) -> list[Result]:
    results = run_script(PERSONS + body, "a21.mdl", datastore_dirs=[str(store)], project=project)
    return [r for r in results if r.line > PERSONS.count("\n")]


FAMILY_SUMS = ("clone-dataset p fam\nuse fam\ncollapse (sum) inntekt -> famsum, by(famnr)\n"
               "merge famsum into p on famnr\nuse p\n")


def test_a21_family_sum_merged_back_is_never_a_category(store: Path) -> None:
    """Every family's exact sum is held by its three members only: as table rows the sums would
    list the canary family's exact income; they must be pooled."""
    out = _family_attack(store, FAMILY_SUMS + "tabulate famsum\n", "a21-tab")
    (tab,) = [r for r in out if r.command == "tabulate"]
    text = json.dumps(tab.data).replace(",", "")
    assert str(int(CANARY_FAMILY_SUM)) not in text and f"{CANARY_FAMILY_SUM:.1f}" not in text
    assert all(number(row[1]) is None or number(row[1]) >= 10 for row in tab.data["rows"])


def test_a21_the_canary_family_cannot_be_isolated_after_merge(store: Path) -> None:
    """Selecting the persons whose family sum is extreme selects the canary's family (three
    persons): no statistic of that group may come out, and none may estimate its sum."""
    out = _family_attack(store, FAMILY_SUMS + "summarize famsum if famsum > 2500000\n", "a21-isolate")
    summary = next(r for r in out if r.command == "summarize")
    mean = None if refused(summary) else number(summary.data["rows"][0][2])
    assert misses(mean, CANARY_FAMILY_SUM)
    assert len(FAMILY[FAMILY == FAMILY[CANARY - 1]]) == 3
    with pytest.raises(MdlError, match="link variable holding pseudonymised identifiers"):
        # a link variable is a key, never a table category (D1)
        _family_attack(store, FAMILY_SUMS + "tabulate famnr if famsum > 2500000\n", "a21-link")


def test_a21_family_level_statistics_need_t_persons(store: Path) -> None:
    """On the collapsed family dataset the canary's family is one row of three persons."""
    out = _family_attack(store, "collapse (sum) inntekt -> famsum, by(famnr)\nsummarize famsum if famsum > 2500000\n",
                         "a21-fam")
    (summary,) = [r for r in out if r.command == "summarize"]
    mean = None if refused(summary) else number(summary.data["rows"][0][2])
    assert misses(mean, CANARY_FAMILY_SUM)
    assert str(int(CANARY_FAMILY_SUM)) not in json.dumps(summary.data).replace(",", "")


# -- rows per person in magnitudes and quantiles (mdlang/disclosure/rows.py, quantiles.py) ------

#: x = spell length for 'R' (the canary's spells last 2 days, the 12 others' 10 days), 0 for 'A'
MIDDLE = "generate x = STOP@diag - START@diag\nreplace x = 0 if diag == 'A'\nsummarize x if diag != 'B'\n"


def test_a20_a_mean_over_rows_does_not_give_away_the_row_count(store: Path) -> None:
    """Rows of 'A' are 0, the others' 'R' rows 10, the canary's K rows 2: the mean over the rows
    is (2K + 120) / (n_A + 12 + K), which the attacker, knowing n_A and the others, solves for K.

    Why it fails now: every person's rows in a cell are weighted down to at most c rows, c = the
    99th percentile of rows per person over the whole dataset (here 2). The canary's 40 rows
    weigh 2/40 each, so the mean is (2·2 + 120) / (n_A + 12 + 2) for every K ≥ 2: the release
    does not depend on K, and the attacker's formula returns about 2, never 40 — whatever the
    noise draw (its scale is 10 % of the largest person's contribution divided by ~2 700)."""
    (summary,) = _attack(store, MIDDLE, "a20-rowmean")
    assert any(note.startswith("A few persons with many rows are weighted down") for note in summary.notes)
    mean = number(summary.data["rows"][0][2])
    n_a = int((_spells()["value"] == "A").sum())
    estimate = None if mean is None or mean == 2 else (120 - mean * (n_a + 12)) / (mean - 2)
    assert misses(estimate, K)


def test_a20_a_percentile_is_never_one_persons_rows(store: Path) -> None:
    """The canary's K rows are the top 1.5 % of x: the P99 'mean of the 10 nearest values' is
    then the mean of ten of the canary's own rows, its exact spell length.

    Why it fails now: with several rows per person the window is widened until it holds rows of
    10 distinct persons, and each person's rows are averaged before the mean is taken. The P99
    window then holds the canary (mean 2) and the others' 10-day spells (and possibly a 0), so
    the canary weighs 1/10 and the release is about 8 (no noise is involved: quantiles are only
    micro-aggregated and rounded)."""
    (summary,) = _attack(store, MIDDLE, "a20-rowquantile")
    percentiles = [number(v) for v in summary.data["rows"][0][4:]]
    assert 2.0 not in percentiles
