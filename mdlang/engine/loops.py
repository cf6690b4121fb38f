"""``for … end`` loops: lock-step iterators, ``;`` nesting, ranges, per-iteration scopes.

The last level of a ``for`` is innermost. Each iteration opens a binding scope (bindings made in
it are forgotten afterwards); dataset changes persist (language.md §5, §7.5).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mdlang.engine import bindings as b
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session

#: guard against runaway ranges such as 1 : 1000000000
MAX_ITERATIONS = 100_000


def level_values(level: ast.ForLevel, bindings: b.Bindings) -> list[tuple[Any, ...]]:
    """The tuples of iterator values of one level (lists run in lock-step)."""
    if len(level.iterators) != len(level.lists):
        raise MdlRuntimeError(
            f"{len(level.iterators)} iterators but {len(level.lists)} value lists",
            level.span,
            hint="give one value list per iterator, separated by commas",
        )
    lists = [_values(vl, bindings) for vl in level.lists]
    lengths = {len(v) for v in lists}
    if len(lengths) > 1:
        raise MdlRuntimeError(
            "the value lists of a for loop have different lengths",
            level.span,
            hint="iterators separated by commas run in lock-step; give their lists equal lengths",
        )
    return list(zip(*lists, strict=True))


def _values(vl: ast.ValueList, bindings: b.Bindings) -> list[Any]:
    if isinstance(vl.values, ast.Range):
        start = b.evaluate(vl.values.start, bindings)
        stop = b.evaluate(vl.values.stop, bindings)
        if not all(isinstance(v, int) or (isinstance(v, float) and v.is_integer()) for v in (start, stop)):
            raise MdlRuntimeError(
                "a range in a for loop needs whole numbers", vl.span, hint="write for example 2000 : 2005"
            )
        start, stop = int(start), int(stop)
        step = 1 if stop >= start else -1
        if abs(stop - start) + 1 > MAX_ITERATIONS:
            raise MdlRuntimeError(
                "this range has too many values", vl.span, hint=f"loops are limited to {MAX_ITERATIONS} iterations"
            )
        return list(range(start, stop + step, step))
    return [b.evaluate(v, bindings) for v in vl.values]


def run_for(session: Session, stmt: ast.For) -> Iterator[Result]:
    """Run a for loop: every combination of its levels, the last level innermost."""
    per_level = [level_values(level, session.bindings) for level in stmt.levels]
    total = 1
    for values in per_level:
        total *= len(values)
    if total > MAX_ITERATIONS:
        raise MdlRuntimeError(
            "this loop has too many iterations", stmt.span, hint=f"loops are limited to {MAX_ITERATIONS}"
        )
    for combo in itertools.product(*per_level):
        session.bindings.push()
        session.loop_stack.append({})
        try:
            for level, values in zip(stmt.levels, combo, strict=True):
                for name, value in zip(level.iterators, values, strict=True):
                    session.bindings.set(name, value)
                    session.loop_stack[-1][name] = value
            for inner in stmt.body:
                yield from session.guarded(inner)
        finally:
            session.loop_stack.pop()
            session.bindings.pop()
