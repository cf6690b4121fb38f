"""Bindings (let, $x, ++, bind()) and for loops: lock-step, nesting, ranges, scopes."""

from __future__ import annotations

import numpy as np
import pytest
from engine_store import IDS, faar, run

from mdlang.engine.bindings import Bindings, evaluate, resolve
from mdlang.engine.session import Session
from mdlang.engine.values import Symbol
from mdlang.errors import MdlRuntimeError
from mdlang.syntax import ast as A
from mdlang.syntax.parser import parse


@pytest.fixture
def s(store_root):
    session = Session(datastore_dirs=[str(store_root)])
    run(session, "require no.test.reg:1 as db\ncreate-dataset p\nimport db/FAAR as faar\n")
    return session


def texts(results):
    return [r.data["text"] for r in results]


def test_let_values_and_messages():
    session = Session()
    out = run(session, 'let a = 2000\nlet b = $a ++ "-01-01"\nlet c = lønn ++ $a - 1984 ++ "_2"\n'
                       "let d = date_fmt($a + 1)\nlet e = 22/7\nlet f = to ++ tusen\nlet g = bind(f ++ \"\")")
    assert texts(out) == [
        "$a = 2000", "$b = '2000-01-01'", "$c = lønn16_2", "$d = '2001-01-01'",
        f"$e = {22 / 7}", "$f = totusen", "$g = totusen",
    ]
    assert session.bindings.get("c") == Symbol("lønn16_2")


def test_undefined_binding_says_how_to_define_it():
    with pytest.raises(MdlRuntimeError) as info:
        run(Session(), "let a = $nope + 1")
    assert info.value.message == "the binding $nope is not defined"
    assert info.value.hint == "define it first with: let nope = …"
    assert info.value.span.line == 1


def test_resolve_replaces_bindings_in_statements():
    b = Bindings()
    b.set("år", 2000)
    b.set("siv", Symbol("sivstand"))
    stmt = parse("generate gift = 1 if siv_ ++ $år + 2 == \"1\" & $siv == '2'").statements[0]
    out = resolve(stmt, b)
    assert out.condition.left.left == A.Name("siv_2002")
    assert out.condition.right.left == A.Name("sivstand")


def test_binding_arithmetic_and_errors():
    b = Bindings()
    b.set("x", "tekst")
    assert evaluate(A.Binary("*", A.Number(3), A.Number(4)), b) == 12
    with pytest.raises(MdlRuntimeError, match="arithmetic in a binding expression needs numbers"):
        evaluate(A.Binary("+", A.Binding("x"), A.Number(1)), b)


def test_names_built_from_bindings_in_generate_and_import(s):
    run(s, "let år = 2021\nimport db/WLONN date_fmt($år, 6, 1) as lønn ++ $år\n"
           "generate alder ++ $år = $år - faar")
    frame = s.datasets["p"].frame
    assert "lønn2021" in frame and frame["lønn2021"].iloc[0] == 1000 + 2021
    np.testing.assert_array_equal(frame["alder2021"].to_numpy(), 2021.0 - faar(IDS))


def test_for_lockstep_with_range(s):
    out = run(s, "for i, navn in 1 : 3, a b c\n  generate $navn = $i\n  let x = $i\nend")
    frame = s.datasets["p"].frame
    assert [frame[n].iloc[0] for n in "abc"] == [1.0, 2.0, 3.0]
    assert texts(out) == ["$x = 1", "$x = 2", "$x = 3"]
    assert out[1].line == 3


def test_for_semicolon_nesting_last_level_innermost(s):
    out = run(s, "for år, verdi in 0 : 2, første andre tredje; sted in 'indre' 'ytre'\n"
                 "let v = $verdi ++ _ ++ $sted ++ $år\nend")
    assert texts(out) == [
        "$v = første_indre0", "$v = første_ytre0", "$v = andre_indre1",
        "$v = andre_ytre1", "$v = tredje_indre2", "$v = tredje_ytre2",
    ]


def test_block_nesting_and_comma_separated_list(s):
    out = run(s, "for forelder in mor, far\n for n in 1:2\n  let v = $forelder ++ $n\n end\nend")
    assert texts(out) == ["$v = mor1", "$v = mor2", "$v = far1", "$v = far2"]


def test_bindings_are_local_to_iteration_and_dataset_changes_persist(s):
    run(s, "let a = 1\nfor i in 1 : 2\n  let a = 99\n  let b = 5\n  generate g ++ $i = $a\nend")
    assert s.bindings.get("a") == 1
    with pytest.raises(MdlRuntimeError):
        s.bindings.get("b")
    assert s.datasets["p"].frame["g2"].iloc[0] == 99.0


def test_loop_error_names_the_inner_line(s):
    with pytest.raises(MdlRuntimeError) as info:
        run(s, "for i in 1 : 2\n  generate x = 1\nend")
    assert info.value.message == "the variable x already exists"
    assert info.value.span.line == 2


def test_unequal_lockstep_lists_are_an_error(s):
    with pytest.raises(MdlRuntimeError, match="different lengths"):
        run(s, "for i, j in 1 : 3, a b\nlet x = 1\nend")


def test_data_free_functions_in_let():
    import math

    session = Session()
    run(session, "let p = pi()\nlet en = cos(2 * pi())\nlet n = to_int('100') + 1\nlet s = to_symbol('navn') ++ 2")
    assert session.bindings.get("p") == pytest.approx(math.pi)
    assert session.bindings.get("en") == pytest.approx(1.0)
    assert session.bindings.get("n") == 101
    assert session.bindings.get("s") == Symbol("navn2")
