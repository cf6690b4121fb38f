"""Options shared by the model commands (language.md §3.6), read from a parsed statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mdlang.commands.models_design import Term, expr_name, parse_terms
from mdlang.errors import MdlRuntimeError, Span
from mdlang.syntax import ast

MFX_METHODS = ("dydx", "eyex", "dyex", "eydx")
MFX_AT = ("overall", "mean", "median", "zero")


def _span(node: Any) -> Span | None:
    span = getattr(node, "span", None)
    return span if span is not None and span.line else None


@dataclass
class ModelOptions:
    """What the options of one model statement ask for."""

    constant: bool = True
    level: float = 95.0
    vce: str = "ols"
    cluster: tuple[str, Span | None] | None = None
    exposure: tuple[str, Span | None] | None = None
    control: list[Term] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    margins: tuple[str | None, Span | None] | None = None
    mfx: str | None = None
    mfx_at: str = "overall"
    outputs: dict[str, str] = field(default_factory=dict)


def _one_name(opt: ast.Option, command: str) -> tuple[str, Span | None]:
    if not opt.args or len(opt.args) != 1:
        raise MdlRuntimeError(
            f"{opt.name}() needs one variable name", _span(opt), hint=f"for example: {command} y x, {opt.name}(name)"
        )
    return expr_name(opt.args[0]), _span(opt.args[0])


def _word(opt: ast.Option, choices: tuple[str, ...]) -> str:
    if not opt.args or len(opt.args) != 1 or expr_name(opt.args[0]) not in choices:
        raise MdlRuntimeError(
            f"{opt.name}() takes one of: " + ", ".join(choices), _span(opt), hint=f"for example: {opt.name}({choices[0]})"
        )
    return expr_name(opt.args[0])


def read_options(stmt: ast.Command, command: str, outputs: tuple[str, ...] = ()) -> ModelOptions:
    """The :class:`ModelOptions` of a statement; errors name the option and its place."""
    out = ModelOptions()
    for opt in stmt.options:
        name = opt.name
        if name == "noconstant":
            out.constant = False
        elif name == "level":
            value = opt.args[0].value if opt.args and len(opt.args) == 1 and isinstance(opt.args[0], ast.Number) else None
            if value is None or not 10 <= value <= 99.99:
                raise MdlRuntimeError("level() needs a number between 10 and 99.99", _span(opt), hint="for example: level(90)")
            out.level = float(value)
        elif name == "robust":
            out.vce = "cluster" if out.vce == "cluster" else "robust"
            out.flags.add(name)
        elif name == "cluster":
            out.cluster = _one_name(opt, command)
            out.vce = "cluster"
        elif name == "exposure":
            out.exposure = _one_name(opt, command)
        elif name == "control":
            out.control = parse_terms(opt.args or (), control=True)
        elif name == "margins":
            if opt.args:
                out.margins = _one_name(opt, command)
            else:
                out.margins = (None, _span(opt))
        elif name == "mfx":
            out.mfx = _word(opt, MFX_METHODS)
        elif name == "mfx_at":
            out.mfx_at = _word(opt, MFX_AT)
        elif name in outputs:
            out.outputs[name] = _one_name(opt, command)[0] if opt.args else name
        else:
            out.flags.add(name)
    if "robust" in out.flags and out.cluster is not None:
        raise MdlRuntimeError(
            "robust and cluster() cannot be combined", _span(stmt), hint="cluster() already gives robust standard errors; remove robust"
        )
    return out


def dependent(stmt: ast.Command, command: str) -> tuple[str, Span | None]:
    """The dependent variable (first argument) of a model statement."""
    if not stmt.args or isinstance(stmt.args[0], ast.FactorTerm | ast.IVBlock | ast.Keyword):
        raise MdlRuntimeError(
            f"{command} needs the dependent variable first", _span(stmt), hint=f"for example: {command} y x1 x2"
        )
    return expr_name(stmt.args[0]), _span(stmt.args[0])
