"""Tab completion for the REPL, fed by the command registry, the function table and the
semantic scope of the session; it never keeps a list of its own and never touches data.

:class:`Sources` says where candidates come from; :class:`SessionSources` reads a running
executor (its scope, the connected datastores' metadata, the script folder). :class:`MdlCompleter`
asks :func:`mdlang.repl.position.locate` what may be typed at the cursor and offers the matching
names (case-insensitive prefix match), each with a short description.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from mdlang.commands.registry import CommandSpec, all_commands, get
from mdlang.repl.position import Position, locate
from mdlang.semantics.scope import Scope

_MODEL_SHAPES = frozenset({"model", "model-iv", "model-by"})


class Sources(Protocol):
    """Where completion candidates come from."""

    def scope(self) -> Scope:
        """The session's datasets, variables, bindings, aliases and label sets."""
        ...

    def functions(self) -> Mapping[str, Any]:
        """Function name → spec with ``signature`` and ``help`` (``FUNCTIONS``)."""
        ...

    def register_variables(self, alias: str) -> list[tuple[str, str]]:
        """(name, title) of the variables of the datastore connected as ``alias``."""
        ...

    def datastores(self) -> list[str]:
        """Datastore names on the search path (for ``require``)."""
        ...

    def scripts(self) -> list[str]:
        """Names of saved scripts (for ``load``)."""
        ...


class MdlCompleter(Completer):
    """Context-aware completion (see the module docstring)."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        """Completions for the text before the cursor."""
        pos = locate(document.text_before_cursor)
        seen: set[str] = set()
        for text, meta in self.candidates(pos):
            if text in seen or not text.lower().startswith(pos.word.lower()):
                continue
            seen.add(text)
            yield Completion(text, start_position=-len(pos.word), display_meta=meta)

    def candidates(self, pos: Position) -> Iterable[tuple[str, str]]:
        """(text, description) pairs for a position, before prefix matching."""
        kind = pos.kind
        if kind in ("command", "topic"):
            return _commands(all_commands().values())
        if kind == "model":
            return _commands(s for s in all_commands().values() if s.args in _MODEL_SHAPES)
        if kind == "option":
            spec = get(pos.command or "")
            return _options(spec, pos.typed_options) if spec else []
        if kind == "choice":
            spec = get(pos.command or "")
            opt = spec.option(pos.option or "") if spec else None
            return [(c, "") for c in opt.choices] if opt else []
        if kind == "setting":
            spec = get(pos.command or "")
            return [(s, "") for s in (spec.extra.get("settings", ()) if spec else ())]
        if kind == "variable":
            return self._variables()
        if kind == "expression":
            return [*self._variables(), *self._functions()]
        if kind == "function":
            return self._functions()
        if kind == "binding":
            return [("$" + b, "binding") for b in self.sources.scope().binding_names()]
        if kind == "dataset":
            return self._datasets()
        if kind in ("labelset", "labelset-or-regvar"):
            sets = [(n, "label set") for n in sorted(self.sources.scope().labelsets)]
            return sets + self._aliases() if kind == "labelset-or-regvar" else sets
        if kind == "regvar":
            if pos.alias is None:
                return self._aliases()
            return [(name, title) for name, title in self.sources.register_variables(pos.alias)]
        if kind == "datastore":
            return [(n, "datastore") for n in self.sources.datastores()]
        if kind == "script":
            return [(f"'{n}'", "saved script") for n in self.sources.scripts()]
        return []

    def _variables(self) -> list[tuple[str, str]]:
        scope = self.sources.scope()
        ds = scope.dataset
        return [(v, f"variable of {ds.name}") for v in scope.variables()] if ds else []

    def _functions(self) -> list[tuple[str, str]]:
        return [(name, spec.signature) for name, spec in sorted(self.sources.functions().items())]

    def _datasets(self) -> list[tuple[str, str]]:
        scope = self.sources.scope()
        return [
            (name, "active dataset" if name == scope.active else "dataset")
            for name in scope.datasets
        ]

    def _aliases(self) -> list[tuple[str, str]]:
        aliases = self.sources.scope().aliases
        return [(f"{alias}/", f"{name}:{version}") for alias, (name, version) in aliases.items()]


def _commands(specs: Iterable[CommandSpec]) -> list[tuple[str, str]]:
    return sorted((spec.name, spec.summary) for spec in specs)


def _options(spec: CommandSpec, typed: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for opt in spec.options:
        if opt.name in typed:
            continue
        out.append((opt.name, opt.help or (f"{opt.name}({opt.arg})" if opt.arg else "")))
    return out


class SessionSources:
    """Candidates from a running :class:`~mdlang.repl.executor.Executor`.

    Register variables are read from the metadata of the datastores the session has connected
    (cached per datastore); saved scripts are the ``*.mdl`` files of the executor's script folder.
    """

    def __init__(self, executor: Any, datastore_dirs: list[str] | None = None) -> None:
        self.executor = executor
        self.datastore_dirs = datastore_dirs
        self._register: dict[tuple[str, int], list[tuple[str, str]]] = {}
        self._stores: list[str] | None = None

    def scope(self) -> Scope:
        """The executor's scope, rebuilt after every command."""
        return self.executor.scope

    def functions(self) -> Mapping[str, Any]:
        """The function table of the engine."""
        from mdlang.engine.functions import FUNCTIONS

        return FUNCTIONS

    def register_variables(self, alias: str) -> list[tuple[str, str]]:
        """(name, title) of the variables behind ``alias`` (empty when nothing is connected)."""
        store = self.executor.session.datastores.get(alias)
        if store is None:
            return []
        key = (alias, id(store))
        if key not in self._register:
            self._register[key] = [(m.name, _title(m)) for m in store.variables()]
        return self._register[key]

    def datastores(self) -> list[str]:
        """Datastore names on the search path (read once; the sample only if already built)."""
        if self._stores is None:
            from mdlang.datastore.discovery import list_available

            try:
                found = list_available(self.datastore_dirs)
            except (OSError, ImportError):
                found = []
            self._stores = sorted({a.name for a in found})
        return self._stores

    def scripts(self) -> list[str]:
        """Saved scripts in the script folder, without ``.mdl``."""
        folder = Path(self.executor.scripts_dir)
        try:
            return sorted(p.stem for p in folder.glob("*.mdl"))
        except OSError:
            return []


def _title(meta: Any) -> str:
    title = getattr(meta, "title", None)
    if isinstance(title, Mapping):
        return str(title.get("no") or title.get("en") or next(iter(title.values()), ""))
    return str(title or "")
