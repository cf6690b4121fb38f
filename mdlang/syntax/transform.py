"""The lark Transformer that builds AST nodes (mdlang.syntax.ast) while the LALR parser reduces.

It runs inside the parser (``Lark(transformer=…)``), so no parse tree is built and no recursion
over a tree happens. Spans come from the tokens: each token's logical offset is mapped back to
the physical line and column through the :class:`~mdlang.syntax.lines.LineMap` of the line being
parsed; a node's span runs from its first to its last part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer

from mdlang.errors import MdlSyntaxError, Span
from mdlang.syntax import ast
from mdlang.syntax.lines import LineMap
from mdlang.syntax.precedence import Operand, build

# ---------------------------------------------------------------------------------------------
# Internal pieces that exist only while a line is being built
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForHead:
    """The ``for`` line; blocks.py pairs it with its ``end`` and the body between."""

    levels: tuple[ast.ForLevel, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class End:
    """The ``end`` line."""

    span: Span


@dataclass(frozen=True, slots=True)
class _Cond:
    expr: ast.Expr
    span: Span


@dataclass(frozen=True, slots=True)
class _Options:
    options: tuple[ast.Option, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class _Stat:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class _As:
    name: ast.Expr
    span: Span


@dataclass(frozen=True, slots=True)
class _Group:
    items: tuple[Any, ...]
    span: Span | None


@dataclass(frozen=True, slots=True)
class _Label:
    text: str
    span: Span


def unquote(text: str) -> str:
    """The value of a quoted string token: quotes removed, doubled quotes undone."""
    q = text[0]
    return text[1:-1].replace(q + q, q)


def join(first: Span, last: Span) -> Span:
    """The span from the start of ``first`` to the end of ``last``."""
    return Span(first.line, first.col, last.end_line, last.end_col)


class AstBuilder(Transformer):
    """Callbacks named after grammar rules (and their ``->`` aliases); see mdlang.lark."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)
        first = LineMap()
        first.add(0, 1, 0)
        #: one LineMap per logical line of the text being parsed (lark counts them from 1)
        self.maps: list[LineMap] = [first]

    def tok_span(self, tok: Token) -> Span:
        """The physical span of a token."""
        start = tok.column - 1
        return self.maps[tok.line - 1].span(start, start + len(tok))

    # -- spans --------------------------------------------------------------------------------

    def _span(self, thing: Any) -> Span | None:
        if isinstance(thing, Token):
            return self.tok_span(thing)
        if isinstance(thing, (list, tuple)):
            return self._cover(thing)
        return getattr(thing, "span", None)

    def _cover(self, children: list[Any] | tuple[Any, ...]) -> Span:
        first = last = None
        for c in children:
            if c is not None:
                first = self._span(c)
                if first is not None:
                    break
        if first is None:
            return ast.NOSPAN
        for c in reversed(children):
            if c is not None:
                last = self._span(c)
                if last is not None:
                    break
        return Span(first.line, first.col, last.end_line, last.end_col)  # type: ignore[union-attr]

    def _error(self, message: str, where: Any, hint: str | None = None) -> MdlSyntaxError:
        return MdlSyntaxError(message, self._span(where) or ast.NOSPAN, hint=hint)

    # -- atoms --------------------------------------------------------------------------------

    def name(self, c: list[Any]) -> ast.Name:
        return ast.Name(str(c[0]), span=self._span(c[0]))

    def binding(self, c: list[Any]) -> ast.Binding:
        return ast.Binding(str(c[0])[1:], span=self._span(c[0]))

    def number(self, c: list[Any]) -> ast.Number:
        return ast.Number(parse_number(str(c[0])), span=self._span(c[0]))

    def neg_number(self, c: list[Any]) -> ast.Number:
        return ast.Number(-parse_number(str(c[1])), span=self._cover(c))

    def string(self, c: list[Any]) -> ast.String:
        return ast.String(unquote(str(c[0])), span=self._span(c[0]))

    def missing(self, c: list[Any]) -> ast.Missing:
        return ast.Missing(span=self._span(c[0]))

    def date_lit(self, c: list[Any]) -> ast.DateLit:
        return ast.DateLit(str(c[0]), span=self._span(c[0]))

    def keyword(self, c: list[Any]) -> ast.Keyword:
        return ast.Keyword(str(c[0]), span=self._span(c[0]))

    def hyphword(self, c: list[Any]) -> ast.Name:
        return ast.Name(str(c[0]), span=self._span(c[0]))

    def call(self, c: list[Any]) -> ast.Call:
        args = tuple(a for a in c[1:-1] if a is not None)
        return ast.Call(str(c[0]), args, span=self._cover(c))

    # -- expressions --------------------------------------------------------------------------

    def signed(self, c: list[Any]) -> Operand:
        core = c[-1]
        minus: list[Span] = []
        for tok in reversed(c[:-1]):
            span = self.tok_span(tok)
            if tok.type == "BANG":
                core = ast.Unary("!", core, span=join(span, core.span))
            else:
                minus.append(span)
        minus.reverse()
        return Operand(minus, core)

    def lone_signed(self, c: list[Any]) -> ast.Expr:
        return build([c[0]], [], [])

    def flat_expr(self, c: list[Any]) -> ast.Expr:
        operands = [x if isinstance(x, Operand) else Operand([], x) for x in c[0::2]]
        ops = c[1::2]
        spans = [self.tok_span(t) for t in ops]
        return build(operands, ops, spans)

    def concat(self, c: list[Any]) -> ast.Concat:
        parts = tuple(x for x in c if not isinstance(x, Token))
        return ast.Concat(parts, span=self._cover(c))

    # -- model terms --------------------------------------------------------------------------

    def prefixed(self, c: list[Any]) -> ast.FactorTerm:
        prefix, item = c
        var = ast.FactorVar(str(prefix)[0], item, span=self._cover(c))
        return ast.FactorTerm((var,), span=var.span)

    def factor(self, c: list[Any]) -> ast.FactorTerm:
        parts: list[ast.FactorVar] = []
        for x in c:
            if isinstance(x, Token):
                continue
            if isinstance(x, ast.FactorTerm):
                parts.extend(x.parts)
            else:
                parts.append(ast.FactorVar(None, x, span=self._span(x) or ast.NOSPAN))
        full = str(c[1]) == "##"
        return ast.FactorTerm(tuple(parts), full=full, span=self._cover(c))

    def ivblock(self, c: list[Any]) -> ast.IVBlock:
        inner = c[1:-1]
        split = next(i for i, x in enumerate(inner) if _is_eq(x))
        return ast.IVBlock(tuple(inner[:split]), tuple(inner[split + 1 :]), span=self._cover(c))

    # -- generic commands ---------------------------------------------------------------------

    def stat(self, c: list[Any]) -> _Stat:
        return _Stat(str(c[0]), self._span(c[0]) or ast.NOSPAN)

    def condition(self, c: list[Any]) -> _Cond:
        return _Cond(c[1], self._cover(c))

    def options(self, c: list[Any]) -> _Options:
        return _Options(tuple(c[1:]), self._cover(c))

    def option_bare(self, c: list[Any]) -> ast.Option:
        self._check_option_name(c[0])
        return ast.Option(str(c[0]), span=self._span(c[0]))

    def option_args(self, c: list[Any]) -> ast.Option:
        self._check_option_name(c[0])
        groups = tuple(g.items for g in c[1:])
        if groups == ((),):
            groups = ()
        args = tuple(x for g in groups for x in g)
        span = self._span(c[0]) or ast.NOSPAN
        last = [g.span for g in c[1:] if g.span is not None]
        if last:
            span = join(span, last[-1])
        return ast.Option(str(c[0]), args, groups, span=span)

    def _check_option_name(self, tok: Token) -> None:
        if str(tok) == "if":
            raise self._error(
                "the if condition must come before the options",
                tok,
                hint="write the condition before the comma: command vars if condition, options",
            )

    def optgroup(self, c: list[Any]) -> _Group:
        return _Group(tuple(c), self._cover(c) if c else None)

    def command(self, c: list[Any]) -> ast.Command:
        name = c[0]
        stat: str | None = None
        cond: ast.Expr | None = None
        options: tuple[ast.Option, ...] = ()
        args: list[Any] = []
        for x in c[1:]:
            if isinstance(x, _Stat):
                stat = x.name
            elif isinstance(x, _Cond):
                cond = x.expr
            elif isinstance(x, _Options):
                options = x.options
            else:
                args.append(x)
        return ast.Command(
            str(name), tuple(args), cond, options, stat, span=self._cover(c)
        )

    # -- import -------------------------------------------------------------------------------

    def regvar(self, c: list[Any]) -> ast.RegVar:
        if len(c) == 3:
            return ast.RegVar(str(c[0]), str(c[2]), span=self._cover(c))
        return ast.RegVar(None, str(c[0]), span=self._span(c[0]))

    def as_name(self, c: list[Any]) -> _As:
        return _As(c[1], self._cover(c))

    def require(self, c: list[Any]) -> ast.Require:
        return ast.Require(str(c[1]), c[2], c[4], span=self._cover(c))

    def import_stmt(self, c: list[Any]) -> ast.Import:
        var = c[1]
        date = as_name = None
        options: tuple[ast.Option, ...] = ()
        for x in c[2:]:
            if isinstance(x, _As):
                as_name = x.name
            elif isinstance(x, _Options):
                options = x.options
            else:
                date = x
        return ast.Import(var, date, as_name, options, span=self._cover(c))

    def import_event(self, c: list[Any]) -> ast.ImportEvent:
        var, start, _to, stop = c[1:5]
        as_name = None
        options: tuple[ast.Option, ...] = ()
        for x in c[5:]:
            if isinstance(x, _As):
                as_name = x.name
            elif isinstance(x, _Options):
                options = x.options
        return ast.ImportEvent(var, start, stop, as_name, options, span=self._cover(c))

    def import_panel(self, c: list[Any]) -> ast.ImportPanel:
        variables = tuple(x for x in c[1:] if isinstance(x, ast.RegVar))
        options: tuple[ast.Option, ...] = ()
        dates = []
        for x in c[1:]:
            if isinstance(x, _Options):
                options = x.options
            elif not isinstance(x, ast.RegVar):
                dates.append(x)
        return ast.ImportPanel(variables, tuple(dates), options, span=self._cover(c))

    def variables_stmt(self, c: list[Any]) -> ast.Command:
        return ast.Command(str(c[0]), tuple(c[1:]), span=self._cover(c))

    def list_labels(self, c: list[Any]) -> ast.Command:
        target = c[1]
        if target.alias is None:
            target = ast.Name(target.name, span=target.span)
        return ast.Command(str(c[0]), (target, *c[2:]), span=self._cover(c))

    # -- data preparation ---------------------------------------------------------------------

    def generate(self, c: list[Any]) -> ast.Generate:
        cond = c[3].expr if len(c) > 3 else None
        return ast.Generate(str(c[0]), c[1], c[2], cond, span=self._cover(c))

    def keep_vars(self, c: list[Any]) -> ast.Command:
        return ast.Command(str(c[0]), tuple(c[1:]), span=self._cover(c))

    def keep_cond(self, c: list[Any]) -> ast.Command:
        return ast.Command(str(c[0]), (), c[1].expr, span=self._cover(c))

    def rename(self, c: list[Any]) -> ast.Rename:
        target = c[2] if len(c) == 3 else None
        return ast.Rename(c[0], target, span=self._cover(c))

    def statgroup(self, c: list[Any]) -> ast.StatGroup:
        return ast.StatGroup(str(c[1]), tuple(c[2:]), span=self._cover(c))

    def collapse(self, c: list[Any]) -> ast.Collapse:
        groups = tuple(x for x in c[1:] if isinstance(x, ast.StatGroup))
        cond, options = self._tail(c)
        return ast.Collapse(str(c[0]), groups, cond, options, span=self._cover(c))

    def clone_variables(self, c: list[Any]) -> ast.CloneVariables:
        items = tuple(x for x in c[1:] if isinstance(x, ast.Rename))
        _, options = self._tail(c)
        return ast.CloneVariables(items, options, span=self._cover(c))

    def merge(self, c: list[Any]) -> ast.Merge:
        variables: list[ast.Expr] = []
        target = on = None
        options: tuple[ast.Option, ...] = ()
        mode = "vars"
        for x in c[1:]:
            if isinstance(x, Token):
                mode = x.type
            elif isinstance(x, _Options):
                options = x.options
            elif mode == "vars":
                variables.append(x)
            elif mode == "INTO":
                target = x
            else:
                on = x
        return ast.Merge(tuple(variables), target, on, options, span=self._cover(c))

    def _tail(self, c: list[Any]) -> tuple[ast.Expr | None, tuple[ast.Option, ...]]:
        cond = None
        options: tuple[ast.Option, ...] = ()
        for x in c:
            if isinstance(x, _Cond):
                cond = x.expr
            elif isinstance(x, _Options):
                options = x.options
        return cond, options

    # -- recode and labels --------------------------------------------------------------------

    def lhs_word(self, c: list[Any]) -> _Label:
        return _Label(str(c[0]), self._span(c[0]) or ast.NOSPAN)

    def interval(self, c: list[Any]) -> ast.Interval:
        low, _slash, high = c
        low_v = str(low) if isinstance(low, Token) else low
        high_v = str(high) if isinstance(high, Token) else high
        return ast.Interval(low_v, high_v, span=self._cover(c))

    def label(self, c: list[Any]) -> _Label:
        tok = c[0]
        text = unquote(str(tok)) if tok.type == "STRING" else str(tok)
        return _Label(text, self._span(tok) or ast.NOSPAN)

    def rule(self, c: list[Any]) -> ast.RecodeRule:
        inner = c[1:-1]
        split = next(i for i, x in enumerate(inner) if _is_eq(x))
        lhs = tuple(x.text if isinstance(x, _Label) else x for x in inner[:split])
        rest = inner[split + 1 :]
        rhs = rest[0]
        label = None
        missing = False
        for x in rest[1:]:
            if isinstance(x, Token):
                missing = True
            else:
                label = x.text
        return ast.RecodeRule(lhs, rhs, label, missing, span=self._cover(c))

    def recode(self, c: list[Any]) -> ast.Recode:
        variables = tuple(x for x in c[1:] if isinstance(x, ast.Expr))
        rules = tuple(x for x in c[1:] if isinstance(x, ast.RecodeRule))
        cond, options = self._tail(c)
        return ast.Recode(variables, rules, cond, options, span=self._cover(c))

    def label_pair(self, c: list[Any]) -> ast.LabelPair:
        return ast.LabelPair(c[0], c[1].text, span=self._cover(c))

    def define_labels(self, c: list[Any]) -> ast.DefineLabels:
        return ast.DefineLabels(c[1], tuple(c[2:]), span=self._cover(c))

    # -- bindings and loops -------------------------------------------------------------------

    def let(self, c: list[Any]) -> ast.Let:
        return ast.Let(str(c[1]), c[2], span=self._cover(c))

    def range_list(self, c: list[Any]) -> ast.ValueList:
        rng = ast.Range(c[0], c[1], span=self._cover(c))
        return ast.ValueList(rng, span=rng.span)

    def value_list(self, c: list[Any]) -> ast.ValueList:
        return ast.ValueList(tuple(c), span=self._cover(c))

    def for_level(self, c: list[Any]) -> ast.ForLevel:
        iterators = tuple(str(x) for x in c if isinstance(x, Token) and x.type == "NAME")
        lists = tuple(x for x in c if isinstance(x, ast.ValueList))
        span = self._cover(c)
        if len(iterators) == 1 and len(lists) > 1:
            # `for forelder in mor, far`: one iterator over a comma-separated list
            if any(isinstance(v.values, ast.Range) for v in lists):
                raise MdlSyntaxError(
                    "a range cannot be combined with other values in one list",
                    span,
                    hint="write the values out, or use one range such as 1 : 5",
                )
            values = tuple(x for v in lists for x in v.values)  # type: ignore[union-attr]
            lists = (ast.ValueList(values, span=join(lists[0].span, lists[-1].span)),)
        if len(iterators) != len(lists):
            raise MdlSyntaxError(
                f"this loop level has {len(iterators)} iterators but {len(lists)} value lists",
                span,
                hint="give one comma-separated value list per iterator: for a, b in 1 2, x y",
            )
        return ast.ForLevel(iterators, lists, span=span)

    def for_head(self, c: list[Any]) -> ForHead:
        return ForHead(tuple(c[1:]), self._cover(c))

    def end(self, c: list[Any]) -> End:
        return End(self._cover(c))

    def coefplot(self, c: list[Any]) -> ast.Coefplot:
        return ast.Coefplot(c[1], span=self._cover(c))

    def start(self, c: list[Any]) -> Any:
        return c[0]

    def script(self, c: list[Any]) -> list[Any]:
        return c


def _is_eq(x: Any) -> bool:
    return isinstance(x, Token) and x.type == "EQ"


def parse_number(text: str) -> int | float:
    """An int when the text has no decimal point or exponent, else a float."""
    if any(ch in text for ch in ".eE"):
        return float(text)
    return int(text)
