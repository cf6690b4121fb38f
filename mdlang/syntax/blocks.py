"""Nesting of loop blocks: pairs each ``for`` line with its ``end`` and gathers the body between.

Lines are parsed one at a time, so a ``for`` header and its ``end`` arrive as separate items;
this pass turns the flat sequence into :class:`~mdlang.syntax.ast.For` nodes. ``;`` levels live
inside one header; block nesting (``for … for … end end``) is handled here by a stack.
"""

from __future__ import annotations

from mdlang.errors import MdlSyntaxError, Span
from mdlang.syntax import ast
from mdlang.syntax.transform import End, ForHead


def nest(items: list[ast.Statement | ForHead | End]) -> tuple[list[ast.Statement], list[MdlSyntaxError]]:
    """Build For blocks. Unclosed loops are closed at the end (and reported); a stray ``end``
    is reported and skipped, so a script with such mistakes still yields every statement."""
    errors: list[MdlSyntaxError] = []
    stack: list[tuple[ForHead, list[ast.Statement]]] = []
    top: list[ast.Statement] = []
    for item in items:
        body = stack[-1][1] if stack else top
        if isinstance(item, ForHead):
            stack.append((item, []))
        elif isinstance(item, End):
            if not stack:
                errors.append(
                    MdlSyntaxError(
                        "'end' without a 'for' to close",
                        item.span,
                        hint="remove this line, or start the loop with 'for … in …'",
                    )
                )
                continue
            head, stmts = stack.pop()
            outer = stack[-1][1] if stack else top
            outer.append(_close(head, stmts, item.span))
        else:
            body.append(item)
    while stack:
        head, stmts = stack.pop()
        errors.append(
            MdlSyntaxError(
                "this 'for' loop is never closed",
                head.span,
                hint="end the loop body with a line holding only 'end'",
            )
        )
        outer = stack[-1][1] if stack else top
        outer.append(_close(head, stmts, head.span))
    return top, errors


def _close(head: ForHead, body: list[ast.Statement], end: Span) -> ast.For:
    span = Span(head.span.line, head.span.col, end.end_line, end.end_col)
    return ast.For(head.levels, tuple(body), span=span)
