"""Table-driven tests: every command and option of language.md §3 parses to the expected AST."""

from __future__ import annotations

import pytest

from mdlang.syntax import ast as A
from mdlang.syntax.parser import parse, parse_statement


def N(name: str) -> A.Name:
    return A.Name(name)


def Num(v: int | float) -> A.Number:
    return A.Number(v)


def S(v: str) -> A.String:
    return A.String(v)


def B(name: str) -> A.Binding:
    return A.Binding(name)


def O(name: str, *groups: tuple) -> A.Option:  # noqa: E743
    """An option; with no groups a bare flag, ``O('x', ())`` for ``x()``."""
    if not groups:
        return A.Option(name)
    if groups == ((),):
        return A.Option(name, (), ())
    return A.Option(name, tuple(x for g in groups for x in g), tuple(groups))


def C(name: str, *args: A.Expr, cond: A.Expr | None = None, opts: tuple = (), stat=None) -> A.Command:
    return A.Command(name, tuple(args), cond, tuple(opts), stat)


def I(prefix: str, name: str) -> A.FactorTerm:  # noqa: E743
    return A.FactorTerm((A.FactorVar(prefix, N(name)),))


def RV(alias: str | None, name: str) -> A.RegVar:
    return A.RegVar(alias, name)


GT = A.Binary(">", N("a"), Num(1))

STATEMENTS: list[tuple[str, A.Statement]] = [
    # --- data import
    ("require no.ssb.fdb:38 as db", A.Require("no.ssb.fdb", Num(38), N("db"))),
    ("require no.ssb.fdb:$v as $a", A.Require("no.ssb.fdb", B("v"), B("a"))),
    ("import db/BEFOLKNING_KJOENN", A.Import(RV("db", "BEFOLKNING_KJOENN"))),
    ("import db/X as x", A.Import(RV("db", "X"), None, N("x"))),
    (
        "import db/X 2021-01-01 as x, outer_join",
        A.Import(RV("db", "X"), A.DateLit("2021-01-01"), N("x"), (O("outer_join"),)),
    ),
    ("import BOSATTEFDT_BOSTED 2015-06-01 as b", A.Import(RV(None, "BOSATTEFDT_BOSTED"), A.DateLit("2015-06-01"), N("b"))),
    ("import f/V $dato as lønn ++ $år", A.Import(RV("f", "V"), B("dato"), A.Concat((N("lønn"), B("år"))))),
    ("import f/V '2011-11-12'", A.Import(RV("f", "V"), S("2011-11-12"))),
    (
        "import f/V date_fmt($år, 12, 31) as x",
        A.Import(RV("f", "V"), A.Call("date_fmt", (B("år"), Num(12), Num(31))), N("x")),
    ),
    ("import f/V $år ++ '-12-31'", A.Import(RV("f", "V"), A.Concat((B("år"), S("-12-31"))))),
    (
        "import-event db/A 2010-01-01 to 2019-12-15 as a",
        A.ImportEvent(RV("db", "A"), A.DateLit("2010-01-01"), A.DateLit("2019-12-15"), N("a")),
    ),
    ("import-event db/A $d1 to $d2", A.ImportEvent(RV("db", "A"), B("d1"), B("d2"))),
    (
        "import-panel db/A db/B 2019-01-01 2020-01-01",
        A.ImportPanel((RV("db", "A"), RV("db", "B")), (A.DateLit("2019-01-01"), A.DateLit("2020-01-01"))),
    ),
    ("variables", C("variables")),
    ("variables db/A db/B", C("variables", RV("db", "A"), RV("db", "B"))),
    ("list-labels mine", C("list-labels", N("mine"))),
    ("list-labels db/A 2020-01-01", C("list-labels", RV("db", "A"), A.DateLit("2020-01-01"))),
    # --- datasets
    ("create-dataset demografi", C("create-dataset", N("demografi"))),
    ("use demografi", C("use", N("demografi"))),
    ("clone-dataset a b", C("clone-dataset", N("a"), N("b"))),
    ("clone-units a b", C("clone-units", N("a"), N("b"))),
    ("rename-dataset a b", C("rename-dataset", N("a"), N("b"))),
    ("delete-dataset a", C("delete-dataset", N("a"))),
    ("reshape-to-panel lønn sivstand", C("reshape-to-panel", N("lønn"), N("sivstand"))),
    ("reshape-from-panel", C("reshape-from-panel")),
    ("merge a b into ds", A.Merge((N("a"), N("b")), N("ds"))),
    ("merge a into ds on PERSONID_1", A.Merge((N("a"),), N("ds"), N("PERSONID_1"))),
    (
        "collapse (sum) a b (max) c -> maxc, by(famnr)",
        A.Collapse(
            "collapse",
            (
                A.StatGroup("sum", (A.Rename(N("a")), A.Rename(N("b")))),
                A.StatGroup("max", (A.Rename(N("c"), N("maxc")),)),
            ),
            None,
            (O("by", (N("famnr"),)),),
        ),
    ),
    (
        "aggregate (mean) x -> m if a > 1, by(k)",
        A.Collapse("aggregate", (A.StatGroup("mean", (A.Rename(N("x"), N("m")),)),), GT, (O("by", (N("k"),)),)),
    ),
    ("sample 5000 123", C("sample", Num(5000), Num(123))),
    ("sample 0.1 $seed", C("sample", Num(0.1), B("seed"))),
    ("keep a b", C("keep", N("a"), N("b"))),
    ("keep if a > 1", C("keep", cond=GT)),
    ("drop a", C("drop", N("a"))),
    ("drop if a > 1", C("drop", cond=GT)),
    # --- variables
    ("generate x = 1", A.Generate("generate", N("x"), Num(1))),
    ("generate x = .", A.Generate("generate", N("x"), A.Missing())),
    ("generate x = 1 if a > 1", A.Generate("generate", N("x"), Num(1), GT)),
    ("replace x = string(x)", A.Generate("replace", N("x"), A.Call("string", (N("x"),)))),
    ("generate x ++ $i = $i", A.Generate("generate", A.Concat((N("x"), B("i"))), B("i"))),
    ("rename a b", C("rename", N("a"), N("b"))),
    (
        "clone-variables a -> b c, prefix(p_) suffix(_s)",
        A.CloneVariables((A.Rename(N("a"), N("b")), A.Rename(N("c"))), (O("prefix", (N("p_"),)), O("suffix", (N("_s"),)))),
    ),
    ("destring a b", C("destring", N("a"), N("b"))),
    (
        "destring a, prefix(n_) ignore('.,') force dpcomma",
        C("destring", N("a"), opts=(O("prefix", (N("n_"),)), O("ignore", (S(".,"),)), O("force"), O("dpcomma"))),
    ),
    (
        "recode v1 v2 (1 2 3 = 0)",
        A.Recode((N("v1"), N("v2")), (A.RecodeRule((Num(1), Num(2), Num(3)), Num(0)),)),
    ),
    (
        "recode v ('1' '2' = '0') ('4' = '1')",
        A.Recode((N("v"),), (A.RecodeRule((S("1"), S("2")), S("0")), A.RecodeRule((S("4"),), S("1")))),
    ),
    (
        "recode v (1/7 = 0) (nonmissing = 1) (missing = 99 \"vet ikke\" missing)",
        A.Recode(
            (N("v"),),
            (
                A.RecodeRule((A.Interval(Num(1), Num(7)),), Num(0)),
                A.RecodeRule(("nonmissing",), Num(1)),
                A.RecodeRule(("missing",), Num(99), "vet ikke", True),
            ),
        ),
    ),
    (
        "recode v (min/5 = 0) (10/max = 99) (* = 1)",
        A.Recode(
            (N("v"),),
            (
                A.RecodeRule((A.Interval("min", Num(5)),), Num(0)),
                A.RecodeRule((A.Interval(Num(10), "max"),), Num(99)),
                A.RecodeRule(("*",), Num(1)),
            ),
        ),
    ),
    (
        "recode v (1/7 = 0), prefix('new_')",
        A.Recode((N("v"),), (A.RecodeRule((A.Interval(Num(1), Num(7)),), Num(0)),), None, (O("prefix", (S("new_"),)),)),
    ),
    (
        "recode regstat ('3' '5' = '0' 'ikke-bosatt')",
        A.Recode((N("regstat"),), (A.RecodeRule((S("3"), S("5")), S("0"), "ikke-bosatt"),)),
    ),
    (
        "recode a (-5/-1 = . ukjent) if a > 1, generate(b)",
        A.Recode(
            (N("a"),),
            (A.RecodeRule((A.Interval(Num(-5), Num(-1)),), A.Missing(), "ukjent"),),
            GT,
            (O("generate", (N("b"),)),),
        ),
    ),
    # --- labels
    (
        "define-labels fylker '03' Oslo '46' \"Vestland fylke\"",
        A.DefineLabels(N("fylker"), (A.LabelPair(S("03"), "Oslo"), A.LabelPair(S("46"), "Vestland fylke"))),
    ),
    ("define-labels k 1 Mann -1 'Ukjent'", A.DefineLabels(N("k"), (A.LabelPair(Num(1), "Mann"), A.LabelPair(Num(-1), "Ukjent")))),
    ("assign-labels kjønn k", C("assign-labels", N("kjønn"), N("k"))),
    ("drop-labels a b", C("drop-labels", N("a"), N("b"))),
    # --- statistics
    ("tabulate a b if a > 1, rowpct", C("tabulate", N("a"), N("b"), cond=GT, opts=(O("rowpct"),))),
    ("tabulate-panel a", C("tabulate-panel", N("a"))),
    ("summarize", C("summarize")),
    ("summarize-panel a, gini iqr", C("summarize-panel", N("a"), opts=(O("gini"), O("iqr")))),
    ("correlate a b, obs", C("correlate", N("a"), N("b"), opts=(O("obs"),))),
    ("ci a, level(99)", C("ci", N("a"), opts=(O("level", (Num(99),)),))),
    ("anova y a##b", C("anova", N("y"), A.FactorTerm((A.FactorVar(None, N("a")), A.FactorVar(None, N("b"))), True))),
    ("normaltest a if a > 1", C("normaltest", N("a"), cond=GT)),
    ("transitions-panel s", C("transitions-panel", N("s"))),
    # --- models
    ("regress y i.x c.z", C("regress", N("y"), I("i", "x"), I("c", "z"))),
    (
        "regress y i.a#c.b",
        C("regress", N("y"), A.FactorTerm((A.FactorVar("i", N("a")), A.FactorVar("c", N("b"))))),
    ),
    ("regress y i.$v", C("regress", N("y"), A.FactorTerm((A.FactorVar("i", B("v")),)))),
    (
        "ivregress y x (e1 e2 = z1 z2) w, liml",
        C("ivregress", N("y"), N("x"), A.IVBlock((N("e1"), N("e2")), (N("z1"), N("z2"))), N("w"), opts=(O("liml"),)),
    ),
    ("regress-mml y x by g1 g2", C("regress-mml", N("y"), N("x"), A.Keyword("by"), N("g1"), N("g2"))),
    ("oaxaca y x by g, pool", C("oaxaca", N("y"), N("x"), A.Keyword("by"), N("g"), opts=(O("pool"),))),
    ("rdd y r, cutoff(-1.5)", C("rdd", N("y"), N("r"), opts=(O("cutoff", (Num(-1.5),)),))),
    ("coefplot regress y x, standardize", A.Coefplot(C("regress", N("y"), N("x"), opts=(O("standardize"),)))),
    ("cox e t i.k, hazard", C("cox", N("e"), N("t"), I("i", "k"), opts=(O("hazard"),))),
    ("kaplan-meier e t, by(k)", C("kaplan-meier", N("e"), N("t"), opts=(O("by", (N("k"),)),))),
    ("weibull e t", C("weibull", N("e"), N("t"))),
    # --- graphics
    ("barchart(count) x", C("barchart", N("x"), stat="count")),
    ("barchart (mean) x y, over(a, b)", C("barchart", N("x"), N("y"), opts=(O("over", (N("a"),), (N("b"),)),), stat="mean")),
    ("histogram x, bin(20) normal", C("histogram", N("x"), opts=(O("bin", (Num(20),)), O("normal")))),
    ("boxplot a b, over(k s) horizontal", C("boxplot", N("a"), N("b"), opts=(O("over", (N("k"), N("s"))), O("horizontal")))),
    ("piechart s", C("piechart", N("s"))),
    ("hexbin a b, gridsize(25)", C("hexbin", N("a"), N("b"), opts=(O("gridsize", (Num(25),)),))),
    ("sankey a b c", C("sankey", N("a"), N("b"), N("c"))),
    # --- bindings
    ("let x = 22/7", A.Let("x", A.Binary("/", Num(22), Num(7)))),
    ("let s = sivstand", A.Let("s", N("sivstand"))),
    (
        "let x = lønn ++ $år - 2000 ++ \"_2\"",
        A.Let("x", A.Concat((N("lønn"), A.Binary("-", B("år"), Num(2000)), S("_2")))),
    ),
    # --- support
    ("help", C("help")),
    ("help regress-panel-predict", C("help", N("regress-panel-predict"))),
    ("help-function date_fmt", C("help-function", N("date_fmt"))),
    ("history", C("history")),
    ("clear", C("clear")),
    ("save 'mitt skript', edit", C("save", S("mitt skript"), opts=(O("edit"),))),
    ("load 'mitt skript'", C("load", S("mitt skript"))),
    ("edit", C("edit")),
    ("configure alpha", C("configure", N("alpha"))),
    ("textblock\n# Tittel\n  tekst\nendblock", A.TextBlock("# Tittel\n  tekst")),
]


@pytest.mark.parametrize(("text", "expected"), STATEMENTS, ids=[t for t, _ in STATEMENTS])
def test_statement_parses_to_expected_ast(text: str, expected: A.Statement) -> None:
    assert parse_statement(text) == expected


# Every option named in language.md §3, on a command that takes it: (command line, option text, Option).
OPTIONS: list[tuple[str, str, A.Option]] = [
    *[("tabulate a b", o, O(o)) for o in "missing nolabels freq rowpct colpct cellpct chi2 flatten".split()],
    ("tabulate a b", "colsort('1' '2')", O("colsort", (S("1"), S("2")))),
    ("tabulate a b", "rowsort(1)", O("rowsort", (Num(1),))),
    ("tabulate a b", "rowsort()", O("rowsort", ())),
    ("tabulate a", "top(10)", O("top", (Num(10),))),
    ("tabulate a", "bottom(10)", O("bottom", (Num(10),))),
    ("tabulate a", "summarize(x, y)", O("summarize", (N("x"),), (N("y"),))),
    *[("tabulate a, summarize(x)", o, O(o)) for o in "mean std sum p25 p50 p75 gini iqr".split()],
    *[("summarize a", o, O(o)) for o in ("gini", "iqr")],
    *[("correlate a b", o, O(o)) for o in "covariance pairwise obs sig".split()],
    ("ci a", "level(90)", O("level", (Num(90),))),
    *[("anova y a", o, O(o)) for o in ("noconstant", "posthoc")],
    *[("regress y x", o, O(o)) for o in "noconstant robust ov vif het_bp het_iid het_fstat standardize".split()],
    ("regress y x", "cluster(fylke)", O("cluster", (N("fylke"),))),
    ("regress y x", "control(i.bosted, i.næring)", O("control", (I("i", "bosted"),), (I("i", "næring"),))),
    ("regress y x", "margins()", O("margins", ())),
    ("regress y x", "margins(mann)", O("margins", (N("mann"),))),
    *[
        ("regress-predict y x", f"{o}(n)", O(o, (N("n"),)))
        for o in ("predicted", "residuals", "cooksd")
    ],
    ("logit y x", "mfx(dydx)", O("mfx", (N("dydx"),))),
    ("logit y x", "mfx_at(median)", O("mfx_at", (N("median"),))),
    ("logit y x", "or", O("or")),
    ("logit-predict y x", "probabilities(p)", O("probabilities", (N("p"),))),
    ("poisson y x", "irr", O("irr")),
    ("poisson y x", "exposure(t)", O("exposure", (N("t"),))),
    *[("ivregress y (e = z)", o, O(o)) for o in "tsls liml gmm endog firststage overid".split()],
    *[("regress-panel y x", o, O(o)) for o in "fe re be pooled".split()],
    ("regress-panel-predict y x", "effects(e)", O("effects", (N("e"),))),
    *[("hausman y x", o, O(o)) for o in "sigmamore sigmaless include_constant".split()],
    ("oaxaca y x by g", "pool", O("pool")),
    ("rdd y r", "cutoff(600000)", O("cutoff", (Num(600000),))),
    ("rdd y r", "polynomial(2)", O("polynomial", (Num(2),))),
    ("rdd y r", "fuzzy(d)", O("fuzzy", (N("d"),))),
    ("rdd y r", "derivate(1)", O("derivate", (Num(1),))),
    ("cox e t", "hazard", O("hazard")),
    *[("histogram x", o, O(o)) for o in "density freq fraction percent normal discrete".split()],
    ("histogram x", "width(2.5)", O("width", (Num(2.5),))),
    *[("barchart (count) x", o, O(o)) for o in ("stack", "horizontal")],
    ("barchart (count) x", "over(a, b)", O("over", (N("a"),), (N("b"),))),
    ("hexbin a b", "groups(10)", O("groups", (Num(10),))),
    ("import db/X 2020-01-01", "outer_join", O("outer_join")),
    ("save 'x'", "edit", O("edit")),
]


@pytest.mark.parametrize(("line", "text", "expected"), OPTIONS, ids=[f"{c}|{t}" for c, t, _ in OPTIONS])
def test_option_parses(line: str, text: str, expected: A.Option) -> None:
    sep = " " if "," in line else ", "
    stmt = parse_statement(f"{line}{sep}{text}")
    assert stmt.options[-1] == expected


def test_options_with_space_and_comma_groups() -> None:
    stmt = parse_statement("tabulate a, over(x y, z) colsort('1')")
    over = stmt.options[0]
    assert over.args == (N("x"), N("y"), N("z"))
    assert over.groups == ((N("x"), N("y")), (N("z"),))


def test_barchart_with_and_without_space_are_equal() -> None:
    assert parse_statement("barchart(count) x") == parse_statement("barchart (count) x")


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("for i in 1 2 3", [(("i",), [(Num(1), Num(2), Num(3))])]),
        ("for i in 1:3", [(("i",), [A.Range(Num(1), Num(3))])]),
        ("for år in 2000 : 2002", [(("år",), [A.Range(Num(2000), Num(2002))])]),
        ("for forelder in mor, far", [(("forelder",), [(N("mor"), N("far"))])]),
        ("for k in $a : $b", [(("k",), [A.Range(B("a"), B("b"))])]),
        (
            "for a, b in 1:3, x y z",
            [(("a", "b"), [A.Range(Num(1), Num(3)), (N("x"), N("y"), N("z"))])],
        ),
        (
            "for år, verdi in 0 : 2, første andre tredje; sted in 'indre' 'ytre'",
            [
                (("år", "verdi"), [A.Range(Num(0), Num(2)), (N("første"), N("andre"), N("tredje"))]),
                (("sted",), [(S("indre"), S("ytre"))]),
            ],
        ),
    ],
)
def test_for_levels(text: str, levels: list) -> None:
    stmt = parse_statement(text + "\n    tabulate x\nend")
    expected = tuple(
        A.ForLevel(its, tuple(A.ValueList(v) for v in lists)) for its, lists in levels
    )
    assert stmt == A.For(expected, (C("tabulate", N("x")),))


def test_block_nesting() -> None:
    script = parse("for a in 1 2\nfor b in x y\nsummarize v\nend\nhelp\nend\nclear")
    outer, last = script.statements
    assert last == C("clear")
    inner = outer.body[0]
    assert isinstance(inner, A.For) and inner.body == (C("summarize", N("v")),)
    assert outer.body[1] == C("help")


def test_textblock_inside_loop_is_kept_verbatim() -> None:
    stmt = parse_statement("for i in 1 2\n  textblock\n  ## Tittel $i\n  endblock\nend")
    assert stmt.body == (A.TextBlock("  ## Tittel $i"),)


def test_unicode_and_system_names() -> None:
    stmt = parse_statement("keep if kjønn == '1' & START@x > date(2010, 1, 1) & år22 >= date@panel")
    names = {"kjønn", "START@x", "år22", "date@panel"}
    seen: set[str] = set()

    def walk(e: A.Expr) -> None:
        if isinstance(e, A.Name):
            seen.add(e.name)
        for child in getattr(e, "left", None), getattr(e, "right", None):
            if child is not None:
                walk(child)

    walk(stmt.condition)
    assert seen == names


def test_date_is_arithmetic_outside_imports() -> None:
    stmt = parse_statement("generate x = 2020-01-01")
    assert stmt.expr == A.Binary("-", A.Binary("-", Num(2020), Num(1)), Num(1))


def test_division_outside_register_positions() -> None:
    stmt = parse_statement("generate x = a/b")
    assert stmt.expr == A.Binary("/", N("a"), N("b"))


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1), ("1.5", 1.5), (".5", 0.5), ("1e3", 1000.0), ("2.5E-2", 0.025), ("10.", 10.0)],
)
def test_numbers(text: str, value: float) -> None:
    expr = parse_statement(f"generate x = {text}").expr
    assert expr == Num(value) and type(expr.value) is type(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [("'abc'", "abc"), ('"abc"', "abc"), ("'it''s'", "it's"), ('"say ""hi"""', 'say "hi"'), ("'a // b'", "a // b")],
)
def test_strings(text: str, value: str) -> None:
    assert parse_statement(f"generate x = {text}").expr == S(value)


def test_comments_after_command_and_on_own_line() -> None:
    script = parse("// alene\ngenerate r = 1 if inlist(c, '03') //Oslo\n")
    assert script.statements == (
        A.Generate("generate", N("r"), Num(1), A.Call("inlist", (N("c"), S("03")))),
    )


def test_line_continuation_joins_lines() -> None:
    stmt = parse_statement("define-labels f \\\n    '03' Oslo \\\n    '46' Vestland")
    assert stmt == A.DefineLabels(N("f"), (A.LabelPair(S("03"), "Oslo"), A.LabelPair(S("46"), "Vestland")))
