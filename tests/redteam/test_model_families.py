"""Attacks A09–A12 of disclosure.md against every model family, not only ``regress``.

For each family one attacker's script runs on the canary store (tests/redteam/canaries.py):

* A09 — a dummy that is 1 for the canary only (also coded 1/2 instead of 0/1, and a three-valued
  variable whose square singles the canary out): intercept + dummy coefficient is the canary's
  value;
* A10 — a dummy that is 1 for everyone but the canary: the intercept is the canary's value;
* A11 — a saturated model ``i.skole##i.trinn##i.kjonn``: the canary's cell (S9, 9, 2) holds the
  canary alone, so the sum of its cell's coefficients is the canary's value;
* A12 — ``*-predict`` residuals or fitted values, summarised for the canary alone and by
  complement differencing (tracker ∪ canary minus tracker).

Each test computes the attacker's best estimate of the canary's value from what was released and
asserts that it misses by the tolerance of disclosure.md (continuous: more than 10 %; binary or
categorical: posterior ≤ 0.9), or that the model (or the differencing step) is refused. The
canary's income (3 000 000) is far above everyone else's, so an estimate within 10 % can only come
from a leak; its angst is 1 (15 % of the others).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from mdlang.errors import MdlError
from mdlang.results import Result
from tests.redteam.attack import PRELUDE_LINES, attack, misses, number, refused
from tests.redteam.canaries import CANARY_INCOME

CANARY_T = 'skole == "S9" & trinn == 9 & kjonn == "2"'
TRACKER = 'skole == "S1"'
#: the canary's true values of the attacked outcomes
TRUTH = {"inntekt": CANARY_INCOME, "y": CANARY_INCOME, "barn": 28.0, "ang": 1.0, "kat": 2.0}
#: the canary's levels (a saturated model's cell)
CANARY_LEVELS = {"skole=S9", "trinn=9", "kjonn=2"}

SETUP = f"""generate c = 0
replace c = 1 if {CANARY_T}
generate cn = 1 - c
generate c12 = 1 + c
generate z = faar - 2 * int(faar / 2)
replace z = 2 if c == 1
generate ang = angst == "1"
generate barn = round(inntekt / 100000) - 2
replace barn = 0 if barn < 0
generate kat = 1 + ang + (bmi > 24)
generate e = 1
"""

PANEL = f"""create-dataset p
import-panel h/INNTEKT h/BMI h/SKOLE h/KLASSETRINN h/KJOENN h/FAAR 2020-01-01 2021-01-01
rename INNTEKT inntekt
rename BMI bmi
rename SKOLE skole
rename KLASSETRINN trinn
rename KJOENN kjonn
rename FAAR faar
generate t = year(date@panel) == 2021
generate y = inntekt * (1 + 0.05 * t) + 50 * bmi * t
generate c = 0
replace c = 1 if {CANARY_T}
generate cn = 1 - c
generate c12 = 1 + c
generate z = faar - 2 * int(faar / 2)
replace z = 2 if c == 1
"""


# --- how the attacker turns a released model into an estimate of the canary's value -----------

def _coefs(result: Result) -> dict[str, float | None]:
    return {str(row[0]): number(row[1]) for row in result.data["rows"]}


def _sum(coefs: dict[str, float | None], names: list[str]) -> float | None:
    values = [coefs.get(n) for n in names]
    return None if any(v is None for v in values) else float(sum(values))


def _logistic(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def _normal_cdf(v: float) -> float:
    return 0.5 * (1.0 + math.erf(v / math.sqrt(2.0)))


LINKS: dict[str, Callable[[float], float]] = {
    "identity": lambda v: v, "logit": _logistic, "probit": _normal_cdf, "log": math.exp,
}


def _canary_index(coefs: dict[str, float | None], how: str) -> float | None:
    """The canary's linear index as the attacker computes it: ``_cons`` plus the canary-only
    dummy (``"dummy:NAME"``, A09), ``_cons`` alone (``"intercept"``, A10: the canary is the one
    at 0), ``_cons + 2 z + 4 z²`` (``"square"``: z = 2 for the canary only), or ``_cons`` plus
    every term whose levels are all the canary's (``"cell"``, A11)."""
    if how.startswith("dummy:"):
        return _sum(coefs, ["_cons", how.split(":", 1)[1]])
    if how == "intercept":
        return _sum(coefs, ["_cons"])
    if how == "square12":  # c12 = 1 for everyone else, 2 for the canary: _cons + 2 b
        parts = [coefs.get("_cons"), coefs.get("c12")]
        return None if any(v is None for v in parts) else parts[0] + 2 * parts[1]
    if how == "square":
        parts = [coefs.get("_cons"), coefs.get("z"), coefs.get("z#z")]
        return None if any(v is None for v in parts) else parts[0] + 2 * parts[1] + 4 * parts[2]
    cell = [t for t in coefs if t != "_cons" and set(t.split("#")) <= CANARY_LEVELS]
    return _sum(coefs, ["_cons", *cell]) if cell else None


def estimate(result: Any, link: str, how: str) -> float | None:
    """The canary's value (or posterior of its class) implied by a released linear-index model."""
    if refused(result) or result.kind != "model":
        return None
    coefs = _coefs(result)
    if link == "mlogit":  # posterior of the canary's class (kat = 2) from the multinomial index
        index: dict[str, float | None] = {}
        for cls in ("1", "2", "3"):
            mine = {k.split(": ", 1)[1]: v for k, v in coefs.items() if k.startswith(f"kat={cls}: ")}
            index[cls] = _canary_index(mine, how) if mine else 0.0  # the base class has index 0
        if any(v is None for v in index.values()):
            return None
        try:
            total = sum(math.exp(v) for v in index.values())
            return math.exp(index["2"]) / total
        except OverflowError:
            return None
    value = _canary_index(coefs, how)
    if value is None:
        return None
    try:
        return LINKS[link](value)
    except OverflowError:
        return None


def hits(value: float | None, outcome: str) -> bool:
    """Whether an estimate discloses the canary (disclosure.md's tolerance)."""
    if value is None:
        return False
    if outcome in ("ang", "kat"):
        return value > 0.9  # posterior of the canary's true class
    return not misses(value, TRUTH[outcome])


# --- the families -------------------------------------------------------------------------------

#: family → (outcome, link, model template with {x} for the regressors, dataset setup)
FAMILIES: dict[str, tuple[str, str, str, str]] = {
    "regress": ("inntekt", "identity", "regress inntekt {x}", SETUP),
    "logit": ("ang", "logit", "logit ang {x}", SETUP),
    "probit": ("ang", "probit", "probit ang {x}", SETUP),
    "poisson": ("barn", "log", "poisson barn {x}", SETUP),
    "negative-binomial": ("barn", "log", "negative-binomial barn {x}", SETUP),
    "mlogit": ("kat", "mlogit", "mlogit kat {x}", SETUP),
    "ivregress": ("inntekt", "identity", "ivregress inntekt {x} (bmi = faar)", SETUP),
    "regress-mml": ("inntekt", "identity", "regress-mml inntekt {x} by faar", SETUP),
    "regress-panel pooled": ("y", "identity", "regress-panel y {x}, pooled", PANEL),
    "regress-panel re": ("y", "identity", "regress-panel y {x} t, re", PANEL),
    "regress-panel be": ("y", "identity", "regress-panel y {x}, be", PANEL),
    "cox": ("inntekt", "none", "cox e inntekt {x}", SETUP),
}

#: the A09/A10 regressors: (name of the attack, regressors, how the attacker adds up the canary)
DUMMIES = [
    ("A09 canary-only dummy", "c", "dummy:c"),
    ("A09 canary-only dummy coded 1/2", "c12", "square12"),
    ("A09 canary singled out by a square", "c.z##c.z", "square"),
    ("A10 dummy for everyone but the canary", "cn", "intercept"),
]


@cache
def _run(store: Path, family: str) -> dict[str, list[Result]]:
    """Run one script with every attack on ``family``; results by attack name (or an error)."""
    outcome, link, template, setup = FAMILIES[family]
    lines = {name: template.format(x=x) for name, x, _ in DUMMIES}
    lines["A11 saturated model"] = template.format(x="i.skole##i.trinn##i.kjonn")
    body = setup + "".join(f"{line}\n" for line in lines.values())
    first = PRELUDE_LINES + len(setup.splitlines()) + 1  # script line of the first model
    out = attack(store, body, f"families-{family}")
    by_line: dict[int, list[Result]] = {}
    for r in out:
        by_line.setdefault(r.line, []).append(r)
    return {name: by_line.get(first + i, []) for i, name in enumerate(lines)}


def _model(results: list[Result]) -> Result:
    kinds = [r for r in results if r.kind in ("model", "refusal")]
    assert kinds, "the model command released neither a model nor a refusal"
    return kinds[0]


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize(("attack_name", "how"), [(a, h) for a, _x, h in DUMMIES], ids=[a for a, _x, _h in DUMMIES])
def test_a09_a10_dummy_attacks_miss_or_are_refused(store, family, attack_name, how) -> None:
    outcome, link, _template, _setup = FAMILIES[family]
    model = _model(_run(store, family)[attack_name])
    if link == "none":  # cox: a one-person dummy's coefficient gives the canary's rank in time
        assert refused(model), f"{family}: {attack_name} was released"
        return
    value = estimate(model, link, how)
    assert not hits(value, outcome), f"{family}: {attack_name} estimates the canary as {value}"
    # the gate's rules, not luck, stop these: every such model is refused outright
    assert refused(model), f"{family}: {attack_name} was released"


@pytest.mark.parametrize("family", list(FAMILIES))
def test_a11_saturated_model_misses_or_is_refused(store, family) -> None:
    outcome, link, _template, _setup = FAMILIES[family]
    model = _model(_run(store, family)["A11 saturated model"])
    value = None if link == "none" else estimate(model, link, "cell")
    assert not hits(value, outcome)
    assert refused(model), f"{family}: the saturated model was released"


# --- families with their own syntax --------------------------------------------------------------

def _one(store: Path, body: str, project: str) -> list[Result]:
    return attack(store, SETUP + body, project)


def _row(result: Result, label: str) -> float | None:
    for row in result.data["rows"]:
        if str(row[0]) == label:
            return number(row[1])
    return None


@pytest.mark.parametrize(("by", "group"), [("c", "Group B mean"), ("cn", "Group A mean")], ids=["A09", "A10"])
def test_oaxaca_group_of_the_canary_alone(store, by, group) -> None:
    """The decomposition releases each group's mean: a group of one would be the canary's income."""
    (res,) = [r for r in _one(store, f"oaxaca inntekt bmi by {by}\n", f"oaxaca-{by}") if r.command == "oaxaca"]
    value = None if refused(res) else _row(res, group)
    assert misses(value, CANARY_INCOME)
    assert refused(res)


def test_oaxaca_saturated_within_groups(store) -> None:
    (res,) = [r for r in _one(store, "oaxaca inntekt i.skole##i.trinn by kjonn\n", "oaxaca-a11") if r.command == "oaxaca"]
    assert refused(res)


@pytest.mark.parametrize("side", ["above", "below"])
def test_rdd_with_the_canary_alone_on_one_side(store, side) -> None:
    """A running variable that puts the canary alone beyond the cutoff: the jump is its income
    minus the other side's limit."""
    value = "100" if side == "above" else "-100"
    body = f"generate r = bmi\nreplace r = {value} if c == 1\nrdd inntekt r, cutoff({'50' if side == 'above' else '0'})\n"
    (res,) = [r for r in _one(store, body, f"rdd-{side}") if r.command == "rdd"]
    jump = None if refused(res) else number(res.data["rows"][0][1])
    assert jump is None or misses(jump + 480_000.0, CANARY_INCOME)
    assert refused(res)


def test_rdd_with_a_canary_only_fuzzy_treatment(store) -> None:
    """The first-stage jump of a treatment held by the canary alone says on which side of the
    cutoff the canary is (their bmi above or below 21: posterior 1)."""
    (res,) = [r for r in _one(store, "rdd inntekt bmi, cutoff(21) fuzzy(c)\n", "rdd-fuzzy") if r.command == "rdd"]
    jump = None if refused(res) else number(res.data["rows"][1][1])
    assert jump is None or jump == 0
    assert refused(res)


@pytest.mark.parametrize("groups", ["c", "c12", "skole c"])
def test_mixed_model_with_a_group_of_the_canary_alone(store, groups) -> None:
    """``regress-mml y x by c``: with two groups the fixed intercept is about the average of the
    two group means, so 2·_cons − (the others' mean) is the canary's income (this leaked, with
    an estimate of 2 885 000 for 3 000 000, before every group had to hold T persons)."""
    out = _one(store, f"regress-mml inntekt bmi by {groups}\n", f"mml-{groups}")
    (res,) = [r for r in out if r.command == "regress-mml"]
    value = None
    if not refused(res):
        cons, slope = _row(res, "_cons"), _row(res, "bmi")
        value = None if cons is None or slope is None else 2 * (cons + slope * 21.0) - 478_957.0
    assert misses(value, CANARY_INCOME)
    assert refused(res)


def test_rdd_saturated_controls(store) -> None:
    (res,) = [r for r in _one(store, "rdd inntekt bmi i.skole##i.trinn##i.kjonn, cutoff(21)\n", "rdd-a11")
              if r.command == "rdd"]
    assert refused(res)


@pytest.mark.parametrize("regressor", ["c", "cn", "c12"])
def test_anova_on_a_canary_dummy(store, regressor) -> None:
    """anova's sum of squares of a one-person factor is (canary − mean)² (times (n−1)/n)."""
    (res,) = [r for r in _one(store, f"anova inntekt {regressor}\n", f"anova-{regressor}") if r.command == "anova"]
    value = None
    if not refused(res):
        ss = _row(res, regressor)
        value = None if ss is None else 478_957.0 + math.sqrt(ss)
    assert misses(value, CANARY_INCOME)
    assert refused(res)


def test_anova_saturated(store) -> None:
    (res,) = [r for r in _one(store, "anova inntekt skole##trinn##kjonn\n", "anova-a11") if r.command == "anova"]
    assert refused(res)


@pytest.mark.parametrize("regressor", ["c", "cn", "c12", "z"])
def test_correlate_with_a_canary_dummy(store, regressor) -> None:
    """cov(y, d) for a one-person indicator d is (y_canary − mean) / (n − 1)."""
    out = _one(store, f"correlate inntekt {regressor}, covariance\n", f"corr-{regressor}")
    (res,) = [r for r in out if r.command == "correlate"][:1]
    value = None
    if not refused(res):
        cov = number(res.data["rows"][1][1])
        value = None if cov is None else 478_957.0 + abs(cov) * 3999
    assert misses(value, CANARY_INCOME)
    if regressor != "z":
        assert refused(res)


@pytest.mark.parametrize("command", ["kaplan-meier", "weibull"])
@pytest.mark.parametrize("by", ["c", "cn"])
def test_survival_curves_by_a_canary_group(store, command, by) -> None:
    """Survival of income by a group of one: the group's median would be the canary's income."""
    out = _one(store, f"{command} e inntekt, by({by})\n", f"{command}-{by}")
    for res in out:
        if res.kind != "table" and res.kind != "figure":
            continue
        text = str(res.data)
        assert "3000000" not in text.replace(",", "").replace(".0", "")
        if res.kind == "table":
            for row in res.data["rows"]:
                for cell in row[1:]:
                    v = number(cell)
                    assert v is None or misses(v, CANARY_INCOME)


# --- A12: *-predict --------------------------------------------------------------------------------

#: family → (predict statement creating r, setup); every predict stores the variable ``r``
PREDICTS: dict[str, tuple[str, str]] = {
    "regress": ("regress-predict inntekt bmi, residuals(r)", SETUP),
    "regress fitted": ("regress-predict inntekt bmi faar, predicted(r)", SETUP),
    "logit": ("logit-predict ang bmi, residuals(r)", SETUP),
    "probit": ("probit-predict ang bmi, probabilities(r)", SETUP),
    "mlogit": ("mlogit-predict kat bmi, probabilities(r)", SETUP),
    "poisson": ("poisson-predict barn bmi, residuals(r)", SETUP),
    "negative-binomial": ("negative-binomial-predict barn bmi, residuals(r)", SETUP),
    "ivregress": ("ivregress-predict inntekt (bmi = faar), residuals(r)", SETUP),
    "regress-mml": ("regress-mml-predict inntekt bmi by faar, residuals(r)", SETUP),
    "regress-panel": ("regress-panel-predict y bmi t, residuals(r) pooled", PANEL),
}


@pytest.mark.parametrize("family", list(PREDICTS))
def test_a12_predictions_of_every_family_do_not_leak(store, family) -> None:
    predict, setup = PREDICTS[family]
    var = "r_2" if family == "mlogit" else "r"
    body = (f"{predict}\nsummarize {var} if {CANARY_T}\n"
            f"summarize {var} if {TRACKER} | ({CANARY_T})\nsummarize {var} if {TRACKER}\n")
    out = attack(store, setup + body, f"a12-{family}")
    made, alone, with_c, without = (r for r in out if r.command != "generate")
    assert not refused(made) and made.kind == "message"
    # the canary alone: nothing but suppression markers
    assert refused(alone) or all(isinstance(v, str) or v is None for row in alone.data["rows"] for v in row[1:])
    # complement differencing: the second half differs by one person and is refused (D10)
    assert not refused(with_c)
    assert refused(without)


@pytest.mark.parametrize("family", ["regress", "logit", "poisson", "mlogit", "ivregress", "regress-mml"])
def test_a12_predict_with_a_canary_dummy_is_refused(store, family) -> None:
    """The fitted value of a model with a one-person dummy is the canary's outcome: the predict
    command passes the same gate as its model and creates nothing."""
    predict = {
        "regress": "regress-predict inntekt c, predicted(r)",
        "logit": "logit-predict ang c, probabilities(r)",
        "poisson": "poisson-predict barn c, predicted(r)",
        "mlogit": "mlogit-predict kat c, probabilities(r)",
        "ivregress": "ivregress-predict inntekt c (bmi = faar), predicted(r)",
        "regress-mml": "regress-mml-predict inntekt c by skole, predicted(r)",
    }[family]
    try:
        out = attack(store, SETUP + predict + "\nsummarize r\n", f"a12c-{family}")
    except MdlError as err:  # the refused predict created no r, so the summary stops the script
        assert "r" in err.message
        return
    made = [r for r in out if r.command.endswith("-predict")]
    assert made and refused(made[0])


def test_every_family_in_this_file_ran_its_attacks(store) -> None:
    """A guard against a test that cannot fail: each family's script ran all its attack lines
    and produced a model or a refusal for each."""
    for family in FAMILIES:
        runs = _run(store, family)
        assert set(runs) == {a for a, _x, _d in DUMMIES} | {"A11 saturated model"}
        for name, results in runs.items():
            assert any(r.kind in ("model", "refusal") for r in results), (family, name)


def test_the_estimators_would_find_the_canary_in_an_unprotected_release() -> None:
    """The attacker's arithmetic is right: fed the numbers an unprotected release would carry,
    each estimator recovers the canary (so a miss above means protection, not a wrong formula)."""
    from types import SimpleNamespace

    def model(rows: list[list[Any]]) -> Any:  # what a release without protection would carry
        return SimpleNamespace(kind="model", data={"rows": rows, "columns": ["term", "coef"]})

    mean = 478_957.0
    assert hits(estimate(model([["c", CANARY_INCOME - mean], ["_cons", mean]]), "identity", "dummy:c"), "inntekt")
    assert hits(estimate(model([["cn", mean - CANARY_INCOME], ["_cons", CANARY_INCOME]]), "identity", "intercept"), "inntekt")
    assert hits(estimate(model([["c12", CANARY_INCOME - mean], ["_cons", 2 * mean - CANARY_INCOME]]), "identity", "square12"), "inntekt")
    assert hits(estimate(model([["z", 0.0], ["z#z", (CANARY_INCOME - mean) / 4], ["_cons", mean]]), "identity", "square"), "inntekt")
    assert hits(estimate(model([["c", 5.0], ["_cons", -1.7]]), "logit", "dummy:c"), "ang")
    assert hits(estimate(model([["c", math.log(28) - 1.5], ["_cons", 1.5]]), "log", "dummy:c"), "barn")
    cell = [["skole=S9", 1e6], ["trinn=9", 1e6], ["kjonn=2", 2e5], ["skole=S9#trinn=9#kjonn=2", -2e5], ["_cons", 1e6]]
    assert hits(estimate(model(cell), "identity", "cell"), "inntekt")
    mrows = [["kat=1: c", 0.0], ["kat=1: _cons", 0.0], ["kat=3: c", 0.0], ["kat=3: _cons", 0.0]]
    assert not hits(estimate(model(mrows), "mlogit", "dummy:c"), "kat")  # class 2 at 1/3: no leak
    mrows = [["kat=1: c", -9.0], ["kat=1: _cons", 0.0], ["kat=3: c", -9.0], ["kat=3: _cons", 0.0]]
    assert hits(estimate(model(mrows), "mlogit", "dummy:c"), "kat")


def test_the_person_leverage_rule_is_what_stops_the_panel_attack(store, monkeypatch) -> None:
    """On a panel the canary has two rows, each of leverage 1/2, so the per-row leverage rule
    alone let ``regress y c.z##c.z`` through and ``_cons + 2 z + 4 z²`` was the canary's income.
    With the leverage limit switched off in a test-only policy the attack succeeds again."""
    from dataclasses import replace

    from mdlang.disclosure.policy import Policy

    body = PANEL + "regress y c.z##c.z\n"
    (model,) = [r for r in attack(store, body, "panel-square-on") if r.command == "regress"]
    assert refused(model) and "observations of one person" in model.data["text"]
    original = Policy.load.__func__
    monkeypatch.setattr(Policy, "load", classmethod(lambda cls, path: replace(original(cls, path), model_max_leverage=1.01)))
    (model,) = [r for r in attack(store, body, "panel-square-off") if r.command == "regress"]
    assert hits(estimate(model, "identity", "square"), "y")


@pytest.mark.parametrize("family", ["regress", "logit", "poisson", "cox"])
def test_a09_dummy_coded_1_2_for_a_small_group(store, family) -> None:
    """A dummy for three persons (the canaries and one more) coded 1/2 instead of 0/1: no single
    observation has high leverage, but its coefficient is the mean of three persons (D4). Every
    two-valued variable is a dummy to the gate, whatever its coding."""
    _outcome, _link, template, _setup = FAMILIES[family]
    body = ('generate g = 1\nreplace g = 2 if trinn == 9 | (skole == "S1" & trinn == 1 & bmi == 18.1)\n'
            + template.format(x="g") + "\n")
    (model,) = [r for r in _one(store, body, f"a09-12-{family}") if r.kind in ("model", "refusal")]
    assert refused(model) and "every category of g" in model.data["text"]
