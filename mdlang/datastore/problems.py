"""One problem found in a data delivery, located by file, line and field."""

from __future__ import annotations

from dataclasses import dataclass

from mdlang.errors import DatastoreError

#: At most this many lines are listed for one kind of problem in one file; the rest are counted.
MAX_LINES_PER_KIND = 50


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, and where: ``file:line: field 'F': message`` (line may be unknown)."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: field '{self.field}': {self.message}"


def problems_error(problems: list[Problem], what: str) -> DatastoreError:
    """One DatastoreError that lists every problem, one per line, in a stable order."""
    lines = "\n".join(f"  {p}" for p in problems)
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    return DatastoreError(
        f"{what}: {count} {noun}\n{lines}",
        hint="fix the lines named above in the delivery and run the command again",
    )
