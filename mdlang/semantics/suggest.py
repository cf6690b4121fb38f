"""“Did you mean …?” suggestions for misspelt names (commands, options, variables, functions)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates most similar to ``name``, best first (case-insensitive matching)."""
    pool = sorted(set(candidates))
    by_lower: dict[str, str] = {}
    for c in pool:
        by_lower.setdefault(c.lower(), c)
    found = difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.6)
    return [by_lower[f] for f in found]


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint like ``did you mean tabulate?`` (or ``… a or b?``), or None when nothing is close."""
    found = closest(name, candidates)
    if not found:
        return None
    if len(found) == 1:
        return f"did you mean {found[0]}?"
    return "did you mean " + ", ".join(found[:-1]) + f" or {found[-1]}?"
