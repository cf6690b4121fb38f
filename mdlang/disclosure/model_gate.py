"""The model gate (disclosure.md D7): rules every model family passes, and its release.

Model commands call the checks before and after fitting; each returns ``None`` when the model
may be released and otherwise a refusal made by the session's gate (fixed text naming the rule
and a remedy, no number derived from the data, logged like every refusal):

* :func:`check_sample` — N ≥ T persons (decided on the noisy count), residual df ≥ the policy's
  minimum, parameters ≤ ratio · N, every level of every factor or two-valued variable (both
  values, the baseline, every interaction cell) with ≥ T persons (A09, A10, A11);
* :func:`check_outcome` — every outcome class of a binary, count or multinomial model with ≥ T
  persons;
* :func:`check_leverage`, :func:`check_r2`, :func:`check_separation` — after the fit (the
  leverage rule also per person, summed over a person's rows, for data with several rows per
  person: :func:`person_leverage_rule`).

:func:`release_model` turns a fitted model into a released ``model`` result: coefficients, SEs,
test statistics and interval bounds rounded to the policy's significant digits, Number of obs
perturbed like any count. Residuals and fitted values never pass through here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mdlang.disclosure.keys import cell_key
from mdlang.disclosure.refusals import Rule
from mdlang.disclosure.rounding import round_sig
from mdlang.engine.context import Contributors
from mdlang.results import Result

RULE_PREFIX = "D7 model gate"
#: p-values are released to this many decimals
P_DECIMALS = 4


def _rule(text: str, remedy: str) -> Rule:
    return Rule(RULE_PREFIX, text, remedy)


def size_rule(policy: Any) -> Rule:
    """Too few persons or residual degrees of freedom."""
    return _rule(
        f"a model needs at least {policy.threshold} persons and {policy.model_min_resid_df} residual degrees of freedom",
        "use a wider condition or fewer explanatory variables",
    )


def parameter_rule(policy: Any) -> Rule:
    """Too many parameters for the number of persons (saturation, A11)."""
    return _rule(
        f"a model may have at most {policy.model_max_param_ratio:g} parameters per person",
        "use fewer explanatory variables, fewer interactions or coarser categories",
    )


def level_rule(policy: Any, term: str) -> Rule:
    """A category of a factor, a value of a two-valued variable or an interaction cell is too small."""
    return _rule(
        f"every category of {term} (both values of a two-valued variable, every interaction cell) needs at least {policy.threshold} persons",
        f"combine small categories of {term} with recode, or leave the term out",
    )


def outcome_rule(policy: Any) -> Rule:
    """An outcome class has too few persons."""
    return _rule(
        f"every outcome category needs at least {policy.threshold} persons",
        "use a wider condition or combine outcome categories",
    )


def leverage_rule(policy: Any) -> Rule:
    """An observation almost determines its own fitted value."""
    return _rule(
        f"an observation has leverage of at least {policy.model_max_leverage:g}, so the estimates would reveal it",
        "leave out variables or categories that single out few persons",
    )


def person_leverage_rule(policy: Any) -> Rule:
    """The rows of one person (panel, event or job data) almost determine their own fitted values."""
    return _rule(
        f"the observations of one person together have leverage of at least {policy.model_max_leverage:g}, "
        "so the estimates would reveal that person",
        "leave out variables or categories that single out few persons",
    )


def r2_rule(policy: Any) -> Rule:
    """An (almost) perfect linear fit."""
    return _rule(
        f"linear models with R-squared of at least {policy.model_max_r2:g} are not released",
        "leave out explanatory variables that determine the outcome",
    )


def separation_rule() -> Rule:
    """Complete or quasi-complete separation in a binary or multinomial model."""
    return _rule(
        "an explanatory variable predicts the outcome perfectly for a group of persons (complete or quasi-complete separation)",
        "leave out or coarsen the variable that separates the outcome",
    )


def refuse(gate: Any, command: str, line: int, rule: Rule) -> Result:
    """A logged refusal for one of the rules above."""
    return gate.refusal(command, line, f"{rule.id}: {rule.text}", rule.remedy)


def _spread(rows: np.ndarray | None, cells: np.ndarray | None, n_total: int) -> np.ndarray:
    """Cells of the sample rows as one cell per dataset row (-1 outside the sample), so the gate
    can reuse the record keys it computed for the dataset's contributors."""
    if rows is None or len(rows) == n_total:  # the sample is every row (rows are sorted positions)
        return np.zeros(n_total, dtype=np.int64) if cells is None else np.asarray(cells, dtype=np.int64)
    full = np.full(n_total, -1, dtype=np.int64)
    full[rows] = 0 if cells is None else cells
    return full


def _noisy_persons(gate: Any, contributors: Contributors, rows: np.ndarray | None) -> int:
    agg = gate.aggregate(_spread(rows, None, len(contributors)), 1, contributors)
    return gate.noisy_count(int(agg.persons[0]), agg.key_sums[0])


def count_noise(gate: Any, contributors: Contributors, rows: np.ndarray | None = None) -> int:
    """The cell-key noise the gate adds to the person count of the sample's contributors."""
    agg = gate.aggregate(_spread(rows, None, len(contributors)), 1, contributors)
    persons = int(agg.persons[0])
    return gate.noisy_count(persons, agg.key_sums[0]) - persons if persons else 0


def row_count_noise(gate: Any, contributors: Contributors, rows: np.ndarray | None = None) -> int:
    """The cell-key noise of the number of sample rows on data with several rows per person
    (panel models' Number of obs), drawn apart from the person count's (:func:`count_noise`).

    Each row carries its person's record key, so the rows' key sum weighs a person by their rows
    and is keyed as a count of its own: the same rows always get the same noise, and the rows'
    noise is not the persons', so ``rows − persons`` (and with it, from a pair of models that
    differ by one person, that person's number of rows) is no longer released exactly.
    """
    keys = gate.record_keys(contributors.person_id)
    if rows is not None and len(rows) != len(keys):
        keys = keys[rows]
    n_rows = len(keys)
    if not n_rows:
        return 0
    row_sum = int(np.sum(keys, dtype=np.uint64))  # modulo 2^64, as the persons' key sums
    return gate.noisy_count(n_rows, cell_key(row_sum, "rows")) - n_rows


def _small_cell(gate: Any, cells: np.ndarray, n_cells: int, contributors: Contributors, rows: np.ndarray | None) -> bool:
    """True when a non-empty cell's noisy person count is below the threshold."""
    agg = gate.aggregate(_spread(rows, cells, len(contributors)), n_cells, contributors)
    for persons, key_sum in zip(agg.persons, agg.key_sums, strict=True):
        if persons > 0 and gate.noisy_count(int(persons), key_sum) < gate.policy.threshold:
            return True
    return False


def check_sample(
    gate: Any,
    contributors: Contributors,
    *,
    n_rows: int,
    n_params: int,
    groups: Iterable[tuple[str, np.ndarray, int]],
    command: str,
    line: int,
    rows: np.ndarray | None = None,
) -> Result | None:
    """The rules decided before fitting (see the module docstring); ``groups`` are
    ``(term, cells per sample row, number of cells)``. ``contributors`` are the dataset's and
    ``rows`` the positions of the sample in it (None: every row is in the sample)."""
    pol = gate.policy
    persons = _noisy_persons(gate, contributors, rows) if n_rows else 0
    if persons < pol.threshold or n_rows - n_params < pol.model_min_resid_df:
        return refuse(gate, command, line, size_rule(pol))
    if n_params > pol.model_max_param_ratio * persons:
        return refuse(gate, command, line, parameter_rule(pol))
    for term, cells, n_cells in groups:
        if _small_cell(gate, cells, n_cells, contributors, rows):
            return refuse(gate, command, line, level_rule(pol, term))
    return None


def check_outcome(gate: Any, contributors: Contributors, classes: np.ndarray, n_classes: int, *, command: str, line: int,
                  rows: np.ndarray | None = None) -> Result | None:
    """Every outcome class (0/1, zero/positive counts, mlogit categories) has T persons
    (``classes`` per sample row; ``contributors`` and ``rows`` as in :func:`check_sample`)."""
    agg = gate.aggregate(_spread(rows, classes, len(contributors)), n_classes, contributors)
    for persons, key_sum in zip(agg.persons, agg.key_sums, strict=True):
        if persons == 0 or gate.noisy_count(int(persons), key_sum) < gate.policy.threshold:
            return refuse(gate, command, line, outcome_rule(gate.policy))
    return None


def check_leverage(gate: Any, max_leverage: float, *, command: str, line: int) -> Result | None:
    """No observation may have leverage at or above the policy's maximum."""
    if not math.isfinite(max_leverage) or max_leverage >= gate.policy.model_max_leverage:
        return refuse(gate, command, line, leverage_rule(gate.policy))
    return None


def check_r2(gate: Any, r2: float, *, command: str, line: int) -> Result | None:
    """Linear fits that are (almost) perfect are refused."""
    if not math.isfinite(r2) or r2 >= gate.policy.model_max_r2:
        return refuse(gate, command, line, r2_rule(gate.policy))
    return None


def check_separation(gate: Any, separated: bool, *, command: str, line: int) -> Result | None:
    """Refuse a binary or multinomial model whose outcome is separated."""
    return refuse(gate, command, line, separation_rule()) if separated else None


@dataclass
class ModelTable:
    """A fitted model as released: one row per shown term, scalars in ``stats``.

    ``rows`` hold ``[term, coef, se, stat, p, ci_low, ci_high]`` (or the columns given); every
    float except p-values is rounded to the policy's significant digits on release, p-values to
    four decimals. With the sample's contributors, ``stats["n"]`` (the rows of the sample) gets
    the count noise of those persons; ``df_r_from_n`` says that ``stats["df_r"]`` is n − k and
    moves with it, so the two never disagree and together reveal no more than the noisy count.
    """

    title: str
    depvar: str
    rows: list[list[Any]]
    stats: dict[str, Any]
    test: str = "t"
    level: float = 95.0
    columns: Sequence[str] = ("term", "coef", "se", "t", "p", "ci_low", "ci_high")
    notes: list[str] = field(default_factory=list)
    kind: str = "model"
    df_r_from_n: bool = False
    n_noise: int | None = None  # the noise of ``stats["n"]`` when it is not the persons' (panel rows)


def _round(value: Any, digits: int, column: str) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    if not math.isfinite(value):
        return None
    if column in ("p", "p_f", "p_chi2"):
        return round(value, P_DECIMALS)
    return round_sig(value, digits)


#: statistics released as exact integers (degrees of freedom, counts of groups)
INTEGER_STATS = ("df_m", "df_r", "df", "n_groups")


def rounding_note(policy: Any, with_n: bool = True) -> str:
    """The footnote of a released model (or of a table that belongs to one)."""
    if not with_n:
        return f"Estimates are rounded to {policy.model_digits} significant digits (D7)."
    return (
        f"Estimates are rounded to {policy.model_digits} significant digits and Number of obs is "
        f"perturbed like a count (D7); residuals and fitted values are never shown."
    )


def release_model(gate: Any, table: ModelTable, contributors: Contributors | None, *, command: str, line: int,
                  rows: np.ndarray | None = None) -> Result:
    """Round a fitted model's numbers and release them through the gate (D7); ``contributors``
    (the dataset's, with the sample's ``rows``) make Number of obs a noisy count."""
    digits = gate.policy.model_digits
    cols = list(table.columns)
    noise = count_noise(gate, contributors, rows) if contributors is not None else 0
    n_noise = table.n_noise if table.n_noise is not None else noise
    released = [[_round(cell, digits, cols[i]) if i else cell for i, cell in enumerate(row)] for row in table.rows]
    stats: dict[str, Any] = {}
    for key, value in table.stats.items():
        if key == "n" and contributors is not None:
            stats["n"] = int(value) + n_noise
        elif key == "df_r" and table.df_r_from_n and value is not None:
            stats["df_r"] = int(value) + noise
        elif key in INTEGER_STATS and value is not None:
            stats[key] = int(value)
        else:
            stats[key] = _round(value, digits, key)
    data: dict[str, Any] = {"title": table.title, "columns": cols, "rows": released, "stats": stats}
    if table.kind == "model":
        data = {"title": table.title, "depvar": table.depvar, "columns": cols, "rows": released,
                "stats": stats, "level": table.level, "test": table.test}
    notes = [*table.notes, rounding_note(gate.policy, contributors is not None)]
    return gate.release(
        command, line, table.kind, data, notes,
        protections=("model gate", "rounding"), cells=len(released) * max(len(cols) - 1, 1),
    )
