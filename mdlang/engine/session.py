"""The interpreter session: datastores, datasets, bindings, loops, the gate.

``Session.execute(statement)`` runs one statement and returns its released results;
``Session.run(script)`` streams the results of a whole script and stops at the first error with
an :class:`MdlError` located at file:line:col. Unexpected exceptions become an "internal error"
that carries no data. Command handlers live in :mod:`mdlang.commands` and are found through the
registry; analysis commands get an :class:`AnalysisContext` built here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from mdlang.commands import registry
from mdlang.engine.bindings import Bindings, resolve
from mdlang.engine.dataset import Dataset
from mdlang.engine.expr import EvalEnv
from mdlang.errors import MdlError, MdlRuntimeError, Span
from mdlang.results import Result
from mdlang.syntax import ast

#: statement classes without a ``name`` field → their command name
_TYPE_NAMES: dict[type, str] = {
    ast.Require: "require",
    ast.Import: "import",
    ast.ImportEvent: "import-event",
    ast.ImportPanel: "import-panel",
    ast.CloneVariables: "clone-variables",
    ast.Merge: "merge",
    ast.Recode: "recode",
    ast.DefineLabels: "define-labels",
    ast.Let: "let",
    ast.For: "for",
    ast.TextBlock: "textblock",
    ast.Coefplot: "coefplot",
}

#: commands that only make sense in an interactive session (language.md §7.10)
SESSION_ONLY = frozenset({"history", "save", "load", "edit"})


def command_name(stmt: ast.Statement) -> str:
    """The command name of a statement as the registry knows it."""
    name = _TYPE_NAMES.get(type(stmt))
    return name if name is not None else stmt.name  # type: ignore[attr-defined]


_SKIP_MODULES = ("registry", "help")


def _load_handlers() -> None:
    """Import every command module so that its @handler/@analysis functions register."""
    import importlib
    import pkgutil

    import mdlang.commands

    for info in pkgutil.iter_modules(mdlang.commands.__path__):
        if info.name in _SKIP_MODULES or info.name.startswith("specs"):
            continue
        importlib.import_module(f"mdlang.commands.{info.name}")


class Session:
    """State of one run or REPL session (see the module docstring)."""

    def __init__(
        self,
        *,
        datastore_dirs: list[str] | None = None,
        project: str | None = None,
        policy_override: Any = None,
        audit: Any = None,
        interactive: bool = False,
        figures_dir: str | None = None,
    ) -> None:
        _load_handlers()
        self.datastore_dirs = list(datastore_dirs) if datastore_dirs else None
        self.project = project
        self.policy_override = policy_override
        self.audit = audit
        self.interactive = interactive
        self.figures_dir = figures_dir
        self.datastores: dict[str, Any] = {}
        self.notes: dict[str, str | None] = {}
        self.gates: dict[str, Any] = {}
        self.datasets: dict[str, Dataset] = {}
        self.active: str | None = None
        self.labelsets: dict[str, dict[Any, str]] = {}
        self.bindings = Bindings()
        self.loop_stack: list[dict[str, Any]] = []
        self.settings: set[str] = set()
        self._fallback_gate: Any = None
        self.file: str | None = None
        self.source: str | None = None

    # -- state helpers used by command modules ----------------------------------------------

    @property
    def gate(self) -> Any:
        """The gate of the most recently connected datastore (a default gate before require)."""
        if self.gates:
            return next(reversed(self.gates.values()))
        if self._fallback_gate is None:
            from mdlang.disclosure.gate import Gate
            from mdlang.disclosure.policy import Policy

            policy = self.policy_override or Policy.from_preset("register")
            self._fallback_gate = Gate(policy, bytes(32), audit=self.audit)
        return self._fallback_gate

    def gate_for(self, ds: Dataset | None) -> Any:
        """The gate of the datastores a dataset's data came from: that datastore's own gate, or
        for a dataset mixing several datastores a gate with the strictest policy of them all
        (:func:`mdlang.commands.datasets.combined_gate`)."""
        if ds is None:
            return self.gate
        from mdlang.commands.datasets import combined_gate, dataset_sources

        sources = dataset_sources(self, ds)
        if not sources:
            return self.gate
        if len(sources) == 1:
            return self.gates[sources[0]]
        return combined_gate(self, sources)

    def dataset(self, name: str, span: Span | None = None) -> Dataset:
        """A dataset by name, with a "did you mean" error when it does not exist."""
        if name in self.datasets:
            return self.datasets[name]
        close = difflib.get_close_matches(name, list(self.datasets), n=1)
        if close:
            hint = f"did you mean {close[0]}?"
        elif self.datasets:
            hint = "existing datasets: " + ", ".join(sorted(self.datasets))
        else:
            hint = "create one with: create-dataset NAME"
        raise MdlRuntimeError(f"there is no dataset named {name}", span, hint=hint)

    def active_dataset(self, span: Span | None = None) -> Dataset:
        """The active dataset; an error saying how to make one when there is none."""
        if self.active is None or self.active not in self.datasets:
            raise MdlRuntimeError(
                "there is no active dataset", span, hint="create one with: create-dataset NAME"
            )
        return self.datasets[self.active]

    def env(self, ds: Dataset) -> EvalEnv:
        """The evaluation environment of a dataset (identifier and link variables refused)."""
        restricted: dict[str, str] = {}
        if ds.id_name is not None:
            restricted[ds.id_name] = "is the unit identifier and cannot be used in expressions"
        for link in ds.links:
            restricted[link] = "holds pseudonymised identifiers and cannot be used in expressions"
        return EvalEnv(frame=ds.frame, restricted=restricted, labels=lambda v: self.labels_of(ds, v))

    def labels_of(self, ds: Dataset, var: str) -> dict[Any, str] | None:
        """The label set of a variable: user-assigned first, else the register code list."""
        name = ds.labelsets.get(var)
        if name is not None and name in self.labelsets:
            return self.labelsets[name]
        return ds.code_labels.get(var)

    def message(self, stmt: ast.Statement, text: str, notes: tuple[str, ...] = ()) -> Result:
        """A released message for a statement (made by the gate, as every output is)."""
        return self.gate.message(command_name(stmt), line_of(stmt), text, notes)

    # -- running ----------------------------------------------------------------------------

    def execute(self, stmt: ast.Statement) -> list[Result]:
        """Run one statement and return its results (unexpected failures become a data-free
        "internal error" MdlError)."""
        return list(self.guarded(stmt))

    def iter_execute(self, stmt: ast.Statement) -> Iterator[Result]:
        """Run one statement, yielding each result as soon as it exists."""
        try:
            if isinstance(stmt, ast.For):
                from mdlang.engine.loops import run_for

                yield from run_for(self, stmt)
                return
            yield from self._dispatch(resolve(stmt, self.bindings))
        except MdlError as err:
            if err.span is not None and err.span.line <= 0:
                err.span = None  # a node without a position (built by hand, or a NOSPAN default)
            err.located(file=self.file, source=self.source, span=_span(stmt))
            raise

    def _dispatch(self, stmt: ast.Statement) -> Iterator[Result]:
        name = command_name(stmt)
        if name in SESSION_ONLY and not self.interactive:
            raise MdlRuntimeError(
                f"{name} only works in the interactive command window",
                _span(stmt),
                hint="remove it from the script, or run it in mdlang repl",
            )
        if name in registry.ANALYSES:
            from mdlang.engine.analysis import run_analysis

            self._begin_command(name, stmt)
            yield from run_analysis(self, name, stmt)
            return
        fn = registry.HANDLERS.get(name)
        if fn is None:
            known = registry.get(name) is not None
            raise MdlRuntimeError(
                f"the command {name} is not available in this version of mdlang"
                if known
                else f"unknown command {name}",
                _span(stmt),
                hint="see help for the list of commands",
            )
        yield from fn(self, stmt)

    def _begin_command(self, name: str, stmt: Any) -> None:
        """Tell the gate which variables an analysis names outside its ``if`` (its privacy-ledger
        streams) and which register variables they come from (datastore-wide bounds)."""
        import dataclasses

        from mdlang.engine.analysis import names_in

        ds = self.datasets.get(self.active) if self.active is not None else None
        begin = getattr(self.gate_for(ds), "begin_command", None)
        if ds is None or begin is None:
            return
        parts = [getattr(stmt, f.name) for f in dataclasses.fields(stmt) if f.name not in ("condition", "span")]
        names = [n.name for n in names_in(tuple(parts)) if ds.has(n.name)]
        begin(name, names, {var: meta.name for var, meta in ds.register.items()})

    def run(self, script: ast.Script) -> Iterator[Result]:
        """Run every statement of a parsed script in order, streaming results; stop at the first
        error (raised as a located MdlError)."""
        self.file = script.file if script.file is not None else self.file
        self.source = script.source if script.source is not None else self.source
        if self.source is not None:
            # gates opened by an earlier `require` (e.g. in the REPL) now serve this script
            for gate in self.gates.values():
                gate.begin_script(self.source, self.file)
        for stmt in script.statements:
            yield from self.guarded(stmt)

    def guarded(self, stmt: ast.Statement) -> Iterator[Result]:
        """:meth:`iter_execute` that turns unexpected exceptions into a data-free MdlError."""
        try:
            yield from self.iter_execute(stmt)
        except MdlError:
            raise
        except Exception as exc:  # noqa: BLE001 — nothing unexpected may reach a user raw
            raise internal_error(stmt, self.file, self.source) from exc

    def clear(self) -> None:
        """Forget datasets, label sets and bindings (the ``clear`` command)."""
        self.datasets.clear()
        self.active = None
        self.labelsets.clear()
        self.bindings.clear()


def internal_error(stmt: ast.Statement, file: str | None, source: str | None) -> MdlRuntimeError:
    """The error shown for a bug: no exception text (it could carry data), a hint to report it."""
    return MdlRuntimeError(
        f"internal error while running {command_name(stmt)}",
        _span(stmt),
        hint="this is a bug in mdlang; please report it with the script (not the data)",
        file=file,
        source=source,
    )


def _span(stmt: Any) -> Span | None:
    span = getattr(stmt, "span", None)
    return span if span is not None and span.line > 0 else None


def line_of(stmt: Any) -> int:
    """The script line a statement starts on (0 when unknown)."""
    span = getattr(stmt, "span", None)
    return span.line if span is not None else 0
