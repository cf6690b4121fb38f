"""Engine handlers that release text but no data: ``textblock`` (Markdown), ``let`` (shows the
new binding), ``variables`` (catalogue metadata), ``help`` and ``help-function``."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from mdlang.commands.registry import handler
from mdlang.datastore.dates import format_date
from mdlang.engine import bindings as b
from mdlang.errors import MdlError, MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session


@handler("textblock")
def textblock(session: Session, stmt: ast.TextBlock) -> list[Result]:
    """A text block: its Markdown text passes through as a message (dedented, so that a block
    indented inside a loop keeps its headings)."""
    return [session.message(stmt, textwrap.dedent(stmt.text).strip("\n"))]


@handler("let")
def let(session: Session, stmt: ast.Let) -> list[Result]:
    """Bind a name to a data-free value and show it."""
    value = b.evaluate(stmt.expr, session.bindings)
    session.bindings.set(stmt.target, value)
    return [session.message(stmt, f"${stmt.target} = {b.describe(value)}")]


def _period(meta) -> str:
    lo, hi = meta.valid_from, meta.valid_until
    if lo is None and hi is None:
        return ""
    return f"{format_date(lo) if lo is not None else '…'} – {format_date(hi) if hi is not None else '…'}"


def describe_variable(alias: str, meta) -> str:
    """One catalogue line: name, unit type, temporality, type, validity and title."""
    parts = [f"{alias}/{meta.name}", meta.unit_type, meta.temporality.value, meta.data_type.value]
    period = _period(meta)
    if period:
        parts.append(period)
    return "  ".join(parts) + f"  {meta.label()}"


@handler("variables")
def variables(session: Session, stmt: ast.Command) -> list[Result]:
    """List register variables of the connected datastores with their metadata."""
    if not session.datastores:
        raise MdlRuntimeError(
            "no datastore is connected", stmt.span, hint="connect one first, e.g. require no.ssb.fdb:38 as db"
        )
    lines: list[str] = []
    if stmt.args:
        for node in stmt.args:
            if not isinstance(node, ast.RegVar):
                raise MdlRuntimeError("variables takes register variables", node.span, hint="write: variables db/VARIABLE")
            from mdlang.commands.datasets import _store_and_meta

            _store, meta, alias = _store_and_meta(session, node)
            lines.append(describe_variable(alias, meta))
            description = meta.description.get("no") or next(iter(meta.description.values()), "")
            if description:
                lines.append(f"    {description}")
    else:
        for alias, store in session.datastores.items():
            lines.extend(describe_variable(alias, meta) for meta in store.variables())
    return [session.message(stmt, "\n".join(lines))]


def _topic(stmt: ast.Command) -> str | None:
    if not stmt.args:
        return None
    node = stmt.args[0]
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.String):
        return node.value
    return b.name_of(node, "a command name")


@handler("help")
def help_(session: Session, stmt: ast.Command) -> list[Result]:
    """Help for a command, or the list of commands."""
    from mdlang.commands.help import help_text

    try:
        text = help_text(_topic(stmt))
    except MdlError as err:
        raise MdlRuntimeError(err.message, stmt.span, hint=err.hint) from None
    return [session.message(stmt, text)]


@handler("help-function")
def help_function(session: Session, stmt: ast.Command) -> list[Result]:
    """Help for a function, or the list of functions."""
    from mdlang.commands.help import function_help_text

    try:
        text = function_help_text(_topic(stmt))
    except MdlError as err:
        raise MdlRuntimeError(err.message, stmt.span, hint=err.hint) from None
    return [session.message(stmt, text)]


#: settings of ``configure``; mdlang has no experimental commands and no result cache, so both
#: are accepted for compatibility and change nothing
CONFIGURE_SETTINGS = ("alpha", "nocache")


@handler("configure")
def configure(session: Session, stmt: ast.Command) -> list[Result]:
    """Accept microdata.no's script settings (``alpha``, ``nocache``) so scripts run unchanged."""
    setting = _topic(stmt)
    if setting not in CONFIGURE_SETTINGS:
        raise MdlRuntimeError(
            f"unknown setting {setting}" if setting else "configure needs a setting",
            stmt.span,
            hint="write configure alpha or configure nocache",
        )
    session.settings.add(setting)
    return []
