"""Fixed refusal texts (disclosure.md D9): each names its rule and a remedy, and never carries a
number derived from the data (only, where useful, a parameter of the owner's policy). An overlap
refusal adds the project's earlier outputs on the same variables — their numbers, commands and
script lines, metadata the researcher wrote (:func:`overlap_explanation`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mdlang.disclosure.ledger import EarlierOutput, Ledger
from mdlang.disclosure.policy import Policy


@dataclass(frozen=True)
class Rule:
    """A disclosure rule as a refusal names it: an id, a sentence, a remedy."""

    id: str
    text: str
    remedy: str


def floor_rule(policy: Policy) -> Rule:
    """D12: a dataset may not shrink below the floor."""
    return Rule(
        "D12 dataset floor",
        f"the dataset would have fewer than {policy.dataset_floor} units, the minimum the data owner allows",
        "use a wider condition so that more units remain, or analyse subgroups with `if` instead",
    )


def table_size_rule(policy: Policy) -> Rule:
    """A table may not have more cells than the policy allows."""
    return Rule(
        "table size",
        f"the table would have more than {policy.max_table_cells} cells, the most the data owner allows",
        "use fewer categories (coarsen with recode) or fewer variables",
    )


def threshold_rule(policy: Policy) -> Rule:
    """D4: every released number needs T distinct persons."""
    return Rule(
        "D4 threshold",
        f"fewer than {policy.threshold} persons contribute, the minimum for any released number",
        "widen the condition or combine categories",
    )


def no_values_rule() -> Rule:
    """Nothing to release: no numeric variable or no valid value."""
    return Rule(
        "no data",
        "there is nothing to release for the selected units",
        "check the condition and the variables",
    )


#: what to do about an overlap refusal (D10): one population for every output on the variables
OVERLAP_REMEDY = (
    "use one population for every output on these variables: mark the units that have all the "
    "variables you need, e.g. `generate begge = !sysmiss(a) & !sysmiss(b)`, and add `if begge == 1` "
    "to each command; or use a selection that differs from the earlier one by many persons"
)


def overlap_rule(policy: Policy) -> Rule:
    """D10: a statistic on almost the same persons as an earlier release (differencing)."""
    return Rule(
        "D10 overlap audit",
        f"the persons behind this output differ from those of an earlier output of this project by fewer than {policy.threshold}",
        OVERLAP_REMEDY,
    )


def overlap_explanation(earlier: Sequence[EarlierOutput], total: int) -> str:
    """The sentence an overlap refusal adds: the earlier outputs on the same variables (newest
    first), named by number, command and script line — metadata the researcher wrote. Which of
    them clashed is not said: that would tell in which category the few differing persons are."""
    if not earlier:
        return ""
    names = ", ".join(e.describe() for e in earlier)
    older = total - len(earlier)
    if older > 0:
        names += f" and {older} older one{'s' if older > 1 else ''}"
    many = total > 1
    return (
        f"Earlier output{'s' if many else ''} of this project on the same variables: {names}. "
        + ("One of them covers almost the same persons (which one is not said, as that could tell "
           "something about the persons who differ)." if many else "It covers almost the same persons.")
    )


def budget_rule(policy: Policy) -> Rule:
    """D10: the project's release budget on this data version is spent."""
    return Rule(
        "D10 release budget",
        f"this project has used its budget of {policy.budget_cells} released cells on this data version",
        "ask the data owner to review the project's outputs and its budget",
    )


def budget_warning(policy: Policy) -> str:
    """The note on releases once the budget is past its warning fraction (D10)."""
    return (
        f"Note: this project has used more than {round(policy.budget_warning * 100)} % of its budget "
        f"of {policy.budget_cells} released cells on this data version."
    )


def audit_refusal(policy: Policy, reason: str, ledger: Ledger | None, topics: Sequence[str]) -> tuple[str, str, str]:
    """The rule, remedy and added sentence of a refusal by the privacy ledger (D10): ``reason``
    is ``"overlap"`` or ``"budget"``; an overlap refusal lists the earlier outputs on the same
    variables (``topics``) from ``ledger`` (:func:`overlap_explanation`)."""
    rule = overlap_rule(policy) if reason == "overlap" else budget_rule(policy)
    detail = ""
    if reason == "overlap" and ledger is not None:
        detail = overlap_explanation(*ledger.earlier_outputs(topics))
    return f"{rule.id}: {rule.text}", rule.remedy, detail
