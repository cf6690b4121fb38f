"""Fixed refusal texts (disclosure.md D9): each names its rule and a remedy, and never carries a
number derived from the data (only, where useful, a parameter of the owner's policy)."""

from __future__ import annotations

from dataclasses import dataclass

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


def overlap_rule(policy: Policy) -> Rule:
    """D10: a statistic on almost the same persons as an earlier release (differencing)."""
    return Rule(
        "D10 overlap audit",
        f"the persons behind this output differ from those of an earlier output of this project by fewer than {policy.threshold}",
        "use the same selection as before, or one that differs from it by many persons",
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
