"""Checking a command's options against its registry spec: unknown options, option arguments
(missing, superfluous or of the wrong kind), options that exclude or require each other, required
options, options that need several variables, and the number of positional arguments."""

from __future__ import annotations

from typing import Any

from mdlang.commands.help import option_label
from mdlang.commands.registry import CommandSpec, OptionSpec
from mdlang.semantics.checker import Checker
from mdlang.semantics.exprs import check_expr
from mdlang.semantics.scope import UNKNOWN, is_name_node, static_value
from mdlang.semantics.suggest import did_you_mean
from mdlang.syntax import ast

#: argument kinds that may be written with empty parentheses or none at all
_OPTIONAL_ARG = frozenset({"codes", "optional-var"})

_KIND_WORDS = {
    "int": "a whole number",
    "number": "a number",
    "string": "a text in quotes",
    "var": "one variable",
    "varlist": "variables",
    "terms": "variables or factor terms",
    "word": "one word",
    "name": "a new variable name",
    "names": "new variable names",
    "optional-var": "at most one variable",
}


def check_arity(ck: Checker, spec: CommandSpec, node: Any, count: int, what: str = "argument") -> None:
    """Report a wrong number of positional items."""
    lo, hi = spec.min_args, spec.max_args
    plural = what + ("s" if (hi or lo) != 1 else "")
    if hi is not None and lo == hi and count != lo:
        ck.report(node, f"{spec.name} takes {lo} {plural}, not {count}", f"write it as: {spec.syntax}")
    elif count < lo:
        ck.report(node, f"{spec.name} needs at least {lo} {what}{'s' if lo != 1 else ''}, not {count}",
                  f"write it as: {spec.syntax}")
    elif hi is not None and count > hi:
        ck.report(node, f"{spec.name} takes at most {hi} {what}{'s' if hi != 1 else ''}, not {count}",
                  f"write it as: {spec.syntax}")


def check_options(ck: Checker, spec: CommandSpec, options: tuple[ast.Option, ...], node: Any,
                  nvars: int | None = None) -> dict[str, ast.Option]:
    """Check every option; returns the known ones by name (the first of each name)."""
    given: dict[str, ast.Option] = {}
    for option in options:
        ospec = spec.option(option.name)
        if ospec is None:
            names = [o.name for o in spec.options]
            hint = did_you_mean(option.name, names)
            if hint is None:
                hint = ("options: " + " ".join(names)) if names else f"{spec.name} takes no options"
            ck.report(option, f"{spec.name} has no option {option.name}", hint)
            continue
        if option.name in given:
            ck.warn(option, f"option {option.name} is given twice", "give each option once")
            continue
        given[option.name] = option
        _check_argument(ck, spec, ospec, option)
    _check_relations(ck, spec, given, node, nvars)
    return given


def _check_argument(ck: Checker, spec: CommandSpec, ospec: OptionSpec, option: ast.Option) -> None:
    args = option.args
    label = option_label(ospec)
    if ospec.arg is None:
        if args:
            ck.report(option, f"option {option.name} takes no argument", f"write just {option.name}")
        return
    if not args:
        if ospec.arg not in _OPTIONAL_ARG:
            ck.report(option, f"option {option.name} needs an argument: {label}", f"write it as {label}")
        return
    kind = ospec.arg
    if kind in ("int", "number", "string", "var", "word", "name", "optional-var") and len(args) > 1:
        ck.report(option, f"option {option.name} takes {_KIND_WORDS[kind]}, not {len(args)} items",
                  f"write it as {label}")
        return
    if kind in ("int", "number"):
        _check_number(ck, option, args[0], kind == "int", label)
    elif kind == "string":
        if not isinstance(args[0], (ast.String, ast.Name, ast.Binding, ast.Concat)):
            ck.report(args[0], f"option {option.name} needs a text in quotes", f"write it as {label}")
    elif kind == "word":
        word = ck.name(args[0]) if is_name_node(args[0]) else None
        if word is not None and ospec.choices and word not in ospec.choices:
            hint = did_you_mean(word, ospec.choices) or "choose one of " + ", ".join(ospec.choices)
            ck.report(args[0], f"option {option.name} does not accept {word}", hint)
        elif word is None and not is_name_node(args[0]):
            ck.report(args[0], f"option {option.name} needs one of: {', '.join(ospec.choices)}",
                      f"write it as {label}")
    elif kind in ("var", "varlist", "optional-var", "terms"):
        for arg in args:
            if isinstance(arg, ast.FactorTerm) and kind == "terms":
                check_expr(ck, arg)
            elif is_name_node(arg):
                check_expr(ck, arg)
            else:
                ck.report(arg, f"option {option.name} needs {_KIND_WORDS[kind]}", f"write it as {label}")
    elif kind in ("name", "names"):
        for arg in args:
            if not is_name_node(arg):
                ck.report(arg, f"option {option.name} needs new variable names", f"write it as {label}")


def _check_number(ck: Checker, option: ast.Option, arg: Any, whole: bool, label: str) -> None:
    value = static_value(arg, ck.scope) if not isinstance(arg, ast.Name) else None
    if value is UNKNOWN:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and whole:
        ok = float(value).is_integer()
    if not ok:
        what = "a whole number" if whole else "a number"
        ck.report(arg, f"option {option.name} needs {what}", f"write it as {label}")


def _shown(spec: CommandSpec, name: str) -> str:
    """An option's name as people write it in prose: ``robust``, ``cluster()``."""
    ospec = spec.option(name)
    return f"{name}()" if ospec is not None and ospec.arg is not None else name


def _check_relations(ck: Checker, spec: CommandSpec, given: dict[str, ast.Option], node: Any,
                     nvars: int | None) -> None:
    reported: set[frozenset[str]] = set()
    for name, option in given.items():
        ospec = spec.option(name)
        assert ospec is not None
        for other in ospec.excludes:
            pair = frozenset((name, other))
            if other in given and pair not in reported:
                reported.add(pair)
                first, second = sorted(pair, key=lambda n: list(given).index(n))
                a, b = _shown(spec, first), _shown(spec, second)
                ck.report(given[second], f"options {a} and {b} cannot be combined",
                          f"remove {a} or {b}")
        for needed in ospec.requires:
            if needed not in given:
                ck.report(option, f"option {_shown(spec, name)} needs the option {_shown(spec, needed)}",
                          f"add {option_label(spec.option(needed))} or remove {name}")
        least = spec.extra.get("option_min_args", {}).get(name)
        if least and nvars is not None and nvars < least:
            ck.report(option, f"option {name} needs {least} or more variables",
                      f"list {least} or more variables, or remove {name}")
    for required in spec.extra.get("required_options", ()):
        if required not in given:
            label = option_label(spec.option(required))
            ck.report(node, f"{spec.name} needs the option {label}", f"add , {label} at the end")
