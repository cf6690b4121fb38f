"""Property tests: no input makes the parser raise anything but MdlError, and whatever parses
prints to text that parses back to an equal AST."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdlang.errors import MdlError
from mdlang.syntax.parser import expected_next, is_complete, parse, parse_all
from mdlang.syntax.printer import print_script

TOKENS = [
    "tabulate", "generate", "replace", "keep", "drop", "import", "import-event", "import-panel",
    "require", "recode", "collapse", "aggregate", "merge", "into", "on", "define-labels", "let",
    "for", "in", "end", "textblock", "endblock", "coefplot", "regress", "ivregress", "barchart",
    "clone-variables", "list-labels", "variables", "help", "if", "as", "to", "by", "min", "max",
    "missing", "nonmissing", "x", "kjønn", "START@x", "db/X", "i.", "c.", "#", "##", "$år", "++",
    "->", "(", ")", ",", ";", ":", "=", "==", "!=", "<", ">=", "&", "|", "!", "+", "-", "*", "/",
    "^", ".", "1", "2.5", "1e3", "2020-01-01", "'a'", '"b c"', "'it''s'", "//", "\\\n", "\n",
    "no.ssb.fdb:38", "over(a, b)", "rowsort()", "'", '"',
]

soup = st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join)
lines = st.lists(soup, max_size=6).map("\n".join)


def _parse_is_safe(text: str) -> None:
    try:
        script = parse(text)
    except MdlError as err:
        err.format()
        return
    printed = print_script(script)
    assert parse(printed) == script, printed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_raises_only_mdl_errors(text: str) -> None:
    _parse_is_safe(text)
    script, errors = parse_all(text)
    assert all(isinstance(e, MdlError) for e in errors)
    is_complete(text)
    expected_next(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines)
def test_token_soup_raises_only_mdl_errors_and_round_trips(text: str) -> None:
    _parse_is_safe(text)
    is_complete(text)
    expected_next(text)


names = st.sampled_from(["a", "b", "kjønn", "$år", "x1"])
atoms = st.one_of(names, st.sampled_from(["1", "2.5", "'s'", ".", "pi()", "f(a, 1)"]))


def _exprs(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    ops = st.sampled_from(["+", "-", "*", "/", "^", "==", "<", "&", "|", "++"])
    return st.one_of(
        st.tuples(inner, ops, inner).map(" ".join),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"-{e}"),
        inner.map(lambda e: f"!{e}"),
    )


expressions = st.recursive(atoms, _exprs, max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(expressions)
def test_generated_expressions_round_trip(expr: str) -> None:
    _parse_is_safe(f"generate v = {expr}\nkeep if {expr}\nlet w = {expr}")
