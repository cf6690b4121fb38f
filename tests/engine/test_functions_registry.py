"""The function table: completeness against language.md §4.3, documentation, calling rules."""

from __future__ import annotations

import inspect
import re

import pytest

from mdlang.engine.functions import FUNCTIONS, GROUPS, FunctionSpec, call
from mdlang.errors import MdlRuntimeError
from mdlang.syntax.parser import parse

DOCUMENTED = """
date isoformatdate day month week year halfyear quarter dow doy
binomial binomialp binomialtail normal normalden F Fden Ftail invF invFtail invnFtail nF nFden nFtail
chi2 chi2den chi2tail invchi2 invchi2tail nchi2 nchi2den nchi2tail
betaden ibeta ibetatail invibeta invibetatail t tden ttail invt invttail invnttail nt ntden nttail
acos asin atan cos sin tan comb sqrt exp ln lnfactorial log10 logit abs ceil floor int round quantile pi
rowmax rowmin rowmean rowmedian rowtotal rowstd rowconcat rowmissing rowvalid
length string lower upper startswith endswith substr ltrim rtrim trim
inlist inrange sysmiss label_to_code inlabels labelcontains
date_fmt to_int to_str to_symbol bind
""".split()


def test_every_documented_function_is_there_and_nothing_else():
    assert sorted(FUNCTIONS) == sorted(DOCUMENTED)
    assert len(FUNCTIONS) == 96


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_spec_is_documented(name):
    spec = FUNCTIONS[name]
    assert isinstance(spec, FunctionSpec)
    assert spec.name == name
    assert spec.group in GROUPS
    assert spec.returns in {"number", "string", "same", "symbol", "any"}
    assert spec.signature.startswith(f"{name}(") and spec.signature.endswith(")")
    assert len(spec.help) >= 50 and spec.help.rstrip().endswith((".", ")"))
    assert spec.example.strip() and "\n" not in spec.example
    assert re.search(rf"\b{re.escape(name)}\(", spec.example), "the example should use the function"
    assert spec.impl.__doc__ is None or spec.impl.__doc__.strip()


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_example_parses(name):
    parse(FUNCTIONS[name].example + "\n")


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_arity_matches_signature(name):
    spec = FUNCTIONS[name]
    params = spec.signature[len(name) + 1 : -1]
    parts = [p.strip() for p in params.split(",") if p.strip()]
    if spec.max_args is None:
        assert parts[-1] == "..."
        assert spec.min_args == len(parts) - 2 or spec.min_args == 1
    else:
        assert spec.max_args == len(parts)
        assert spec.min_args == sum(1 for p in parts if not p.endswith("?"))


def test_binding_flags():
    data_bound = {n for n, s in FUNCTIONS.items() if not s.binding_ok}
    assert data_bound == {
        "quantile", "rowmax", "rowmin", "rowmean", "rowmedian", "rowtotal", "rowstd", "rowconcat",
        "rowmissing", "rowvalid", "label_to_code", "inlabels", "labelcontains",
    }
    assert {n for n, s in FUNCTIONS.items() if s.needs_labels} == {"label_to_code", "inlabels", "labelcontains"}
    assert {n for n, s in FUNCTIONS.items() if s.needs_bindings} == {"bind"}


def test_label_and_bind_impls_take_their_keywords():
    for name in ("label_to_code", "inlabels", "labelcontains"):
        assert "labels" in inspect.signature(FUNCTIONS[name].impl).parameters
    assert "bindings" in inspect.signature(FUNCTIONS["bind"].impl).parameters


def test_call_checks_the_name_and_count():
    with pytest.raises(MdlRuntimeError) as info:
        call("substring", "a", 1, 1)
    assert str(info.value) == "unknown function substring()"
    with pytest.raises(MdlRuntimeError) as info:
        call("substr", "a", 1)
    assert str(info.value) == "substr() takes 3 arguments, not 2"
    assert info.value.hint == "write it as substr(s, pos, len)"
    with pytest.raises(MdlRuntimeError) as info:
        call("rowmax")
    assert str(info.value) == "rowmax() takes at least 1 argument, not 0"


@pytest.mark.parametrize("name", sorted(n for n, s in FUNCTIONS.items() if s.binding_ok and s.min_args <= 1))
def test_scalar_calls_return_plain_python_values(name):
    """Data-free calls (as in let) give plain int/float/str/None, never numpy or pandas values."""
    candidates: list[tuple] = [()] if FUNCTIONS[name].min_args == 0 else [(1,), ("abc",), ("a",)]
    for args in candidates:
        try:
            result = call(name, *args, bindings={"a": 5})
        except MdlRuntimeError:
            continue
        assert result is None or type(result) in (int, float, str) or isinstance(result, str), (name, result)
        break
    else:
        pytest.fail(f"{name} accepted none of {candidates}")
