"""Released results: the only objects that leave the sandbox.

A :class:`Result` is what a renderer, a client or a test sees of a command's output. Only the
disclosure package may construct one: the constructor demands the seal that
``mdlang.disclosure.seal`` holds, and a structural test checks that nothing else imports it.

JSON form (interfaces.md): ``{"command", "line", "kind", "data", "notes"}`` where ``kind`` is one
of ``table``, ``summary``, ``model``, ``figure``, ``message``, ``refusal``.

Table-like ``data``: ``{"title": str, "columns": [str…], "rows": [[cell…]…], "stats": {name: number}}``
with cells that are numbers, label strings, ``None`` (not applicable) or suppression markers — a
string starting with ``"<"`` (``"<10"``) or ``"x"`` (withheld by another rule; a note says which).
``figure`` data: ``{"title", "spec": {...released aggregates...}, "files": [paths]}``.
``message``/``refusal`` data: ``{"text": str}`` (a refusal also has ``"rule"`` and ``"remedy"``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

KINDS = ("table", "summary", "model", "figure", "message", "refusal")


class SealError(TypeError):
    """Raised when code outside mdlang.disclosure tries to construct a released result."""


def _check_seal(seal: object) -> None:
    from mdlang.disclosure.seal import (
        SEAL,  # local import: results must not import disclosure at load
    )

    if seal is not SEAL:
        raise SealError("released results can only be constructed by mdlang.disclosure")


class FrozenDict(dict):
    """A dict that refuses every change: released data cannot be altered after release."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("released result data cannot be changed")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]


class FrozenList(list):
    """A list that refuses every change (see :class:`FrozenDict`)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("released result data cannot be changed")

    __setitem__ = __delitem__ = append = extend = insert = pop = remove = clear = _refuse  # type: ignore[assignment]
    sort = reverse = __iadd__ = __imul__ = _refuse  # type: ignore[assignment]


def _plain(value: Any) -> Any:
    """Convert numpy scalars and tuples to plain JSON-ready Python values, frozen."""
    if isinstance(value, dict):
        return FrozenDict({str(k): _plain(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return FrozenList(_plain(v) for v in value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


@dataclass(frozen=True)
class Result:
    """One released output of one command."""

    command: str
    line: int
    kind: str
    data: dict[str, Any]
    notes: tuple[str, ...] = ()
    _seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_seal(self._seal)
        # Forget the seal once checked, so dataclasses.replace() on a released result cannot
        # forge a new one with other data.
        object.__setattr__(self, "_seal", None)
        if self.kind not in KINDS:
            raise ValueError(f"unknown result kind {self.kind!r}")
        object.__setattr__(self, "data", _plain(self.data))
        object.__setattr__(self, "notes", tuple(self.notes))

    def attach_files(self, paths: list[str]) -> None:
        """Record where the figure of this result was written (``data["files"]``).

        The one change a released result allows: file paths are chosen by the runner, not
        derived from data. Everything else in ``data`` is frozen.
        """
        if self.kind != "figure":
            raise TypeError("only figure results have files")
        data = dict(self.data)
        data["files"] = [str(p) for p in paths]
        object.__setattr__(self, "data", _plain(data))

    @property
    def is_refusal(self) -> bool:
        return self.kind == "refusal"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of interfaces.md."""
        return {
            "command": self.command,
            "line": self.line,
            "kind": self.kind,
            "data": self.data,
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        """One line of JSON with sorted keys inside ``data`` kept in insertion order."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(", ", ": "))
