"""The line preprocessor: script text → logical lines and text blocks, before lark sees anything.

It joins ``\\`` continuations (remembering where every piece came from, so spans point at the
physical lines), strips ``//`` comments outside strings, pulls out ``textblock`` … ``endblock``
bodies verbatim, and finds the lexical mistakes that are easiest to explain here: a ``#``
comment, an unclosed quote, an unclosed or unmatched bracket, a stray ``endblock``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from mdlang.errors import MdlSyntaxError, Span

#: Deeper bracket nesting than this is refused (it protects the recursive printer and checker).
MAX_DEPTH = 64


@dataclass(slots=True)
class LineMap:
    """Maps offsets in a logical line back to physical (line, column) positions.

    ``starts[i]`` is the logical offset where piece ``i`` begins; the piece came from physical
    line ``lines[i]`` starting at 0-based column ``cols[i]``.
    """

    starts: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)

    def add(self, offset: int, line: int, col: int) -> None:
        """Record that the piece starting at logical ``offset`` came from (line, 0-based col)."""
        self.starts.append(offset)
        self.lines.append(line)
        self.cols.append(col)

    def pos(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of the character at a logical offset."""
        i = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        return self.lines[i], self.cols[i] + offset - self.starts[i] + 1

    def span(self, start: int, end: int) -> Span:
        """The span of logical offsets ``[start, end)`` (``end`` exclusive)."""
        if len(self.starts) == 1:
            line, base = self.lines[0], self.cols[0] + 1 - self.starts[0]
            return Span(line, base + start, line, base + max(end, start + 1) - (0 if end > start else 1))
        line, col = self.pos(start)
        end_line, end_col = self.pos(max(end - 1, start))
        return Span(line, col, end_line, end_col + (1 if end > start else 0))


@dataclass(slots=True)
class LogicalLine:
    """One command: its text with continuations joined and comments removed."""

    text: str
    map: LineMap

    @property
    def line(self) -> int:
        """The physical line the command starts on."""
        return self.map.lines[0]


@dataclass(slots=True)
class RawTextBlock:
    """A ``textblock`` body, verbatim, and the span from ``textblock`` to ``endblock``."""

    text: str
    span: Span


@dataclass(slots=True)
class Preprocessed:
    """The result of :func:`split_lines`: items in script order, and errors found on the way.

    ``pending`` says what is still open at the end of the text (for the REPL): ``"continuation"``,
    ``"quote"``, ``"bracket"`` or ``"textblock"``; None when nothing is.
    """

    items: list[LogicalLine | RawTextBlock]
    errors: list[MdlSyntaxError]
    pending: str | None = None


def _scan(text: str) -> tuple[int, str | None, int]:
    """Find where the code of a physical line ends.

    Returns (end index of the code before any ``//`` comment, the open quote character or None,
    the column where that quote opened).
    """
    quote: str | None = None
    quote_col = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if quote is not None:
            if ch == quote:
                if i + 1 < n and text[i + 1] == quote:
                    i += 2
                    continue
                quote = None
        elif ch in "'\"":
            quote = ch
            quote_col = i
        elif ch == "/" and i + 1 < n and text[i + 1] == "/":
            return i, None, 0
        i += 1
    return n, quote, quote_col


def split_lines(text: str) -> Preprocessed:
    """Split a script into logical lines and text blocks (see the module docstring)."""
    items: list[LogicalLine | RawTextBlock] = []
    errors: list[MdlSyntaxError] = []
    # the same line breaks as MdlError.format() uses, so carets land on the right line
    physical = text.splitlines()

    buf: list[str] = []
    lmap = LineMap()
    length = 0
    block_start: int | None = None
    block_body: list[str] = []
    pending: str | None = None

    for idx, raw in enumerate(physical):
        line_no = idx + 1
        if block_start is not None:
            if raw.split("//", 1)[0].strip() == "endblock":
                span = Span(block_start, 1, line_no, len(raw) + 1)
                items.append(RawTextBlock("\n".join(block_body), span))
                block_start = None
                block_body = []
            else:
                block_body.append(raw)
            continue

        stripped = raw.strip()
        if not buf:
            code_end, _, _ = _scan(raw)
            first = raw[:code_end].strip()
            if first == "textblock":
                block_start = line_no
                continue
            if first == "endblock":
                errors.append(
                    MdlSyntaxError(
                        "'endblock' without a 'textblock' before it",
                        Span(line_no, raw.index("endblock") + 1, line_no, len(raw) + 1),
                        hint="start the text with a line holding only 'textblock', or remove this line",
                    )
                )
                continue
            if stripped.startswith("#"):
                col = raw.index("#") + 1
                errors.append(
                    MdlSyntaxError(
                        "'#' does not start a comment",
                        Span(line_no, col, line_no, col + 1),
                        hint="comments start with //",
                    )
                )
                continue

        code_end, quote, quote_col = _scan(raw)
        if quote is not None:
            errors.append(
                MdlSyntaxError(
                    f"unclosed string: the quote {quote} is never closed on this line",
                    Span(line_no, quote_col + 1, line_no, quote_col + 2),
                    hint=f"end the string with a matching {quote} (write {quote}{quote} for a quote inside it)",
                )
            )
            buf, lmap, length = [], LineMap(), 0
            pending = "quote"
            continue
        code = raw[:code_end].rstrip()
        continued = code.endswith("\\")
        if continued:
            code = code[:-1]
        if buf:
            buf.append(" ")
            length += 1
        lmap.add(length, line_no, 0)
        buf.append(code)
        length += len(code)
        if continued:
            pending = "continuation"
            continue
        pending = None
        logical = "".join(buf)
        if logical.strip():
            items.append(LogicalLine(logical, lmap))
        buf, lmap, length = [], LineMap(), 0

    if buf and "".join(buf).strip():
        items.append(LogicalLine("".join(buf), lmap))
    if block_start is not None:
        pending = "textblock"
        errors.append(
            MdlSyntaxError(
                "this 'textblock' is never closed",
                Span(block_start, 1, block_start, 10),
                hint="end the text with a line holding only 'endblock'",
            )
        )
    return Preprocessed(items, errors, pending)


def check_brackets(line: LogicalLine) -> MdlSyntaxError | None:
    """An error for an unclosed, unmatched or too deeply nested bracket, else None."""
    stack: list[int] = []
    quote: str | None = None
    text = line.text
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if quote is not None:
            if ch == quote:
                if i + 1 < n and text[i + 1] == quote:
                    i += 2
                    continue
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            stack.append(i)
            if len(stack) > MAX_DEPTH:
                return MdlSyntaxError(
                    f"brackets nested more than {MAX_DEPTH} deep",
                    line.map.span(i, i + 1),
                    hint="split the expression with generate into simpler steps",
                )
        elif ch == ")":
            if not stack:
                return MdlSyntaxError(
                    "unmatched ')': no '(' is open here",
                    line.map.span(i, i + 1),
                    hint="remove the ')' or add the '(' it belongs to",
                )
            stack.pop()
        i += 1
    if stack:
        at = stack[-1]
        return MdlSyntaxError(
            "unclosed bracket: this '(' is never closed",
            line.map.span(at, at + 1),
            hint="add the missing ')'",
        )
    return None
