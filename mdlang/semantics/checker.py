"""The checker's state: the scope, the diagnostics found so far, and the helpers every rule uses
(report a problem, look up a variable, resolve a name, read the catalogue)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mdlang.datastore.metadata import UNIT_TYPES
from mdlang.errors import MdlError, Span
from mdlang.semantics.diagnostics import Diagnostic
from mdlang.semantics.scope import Scope, UnknownBinding, resolve_name
from mdlang.semantics.suggest import did_you_mean
from mdlang.syntax import ast

#: identifier variables every dataset of that unit type shows (PERSONID_1, …); always accepted
ID_NAMES = frozenset(UNIT_TYPES.values())

#: a catalogue opens a datastore version: (name, version) -> Datastore (raises DatastoreError)
Catalogue = Callable[[str, Any], Any]


class Checker:
    """Walks a script once, keeping a :class:`Scope` and collecting :class:`Diagnostic` s."""

    def __init__(self, file: str | None = None, catalogue: Catalogue | None = None,
                 on_statement: Callable[[ast.Statement, Scope], None] | None = None) -> None:
        self.file = file
        self.catalogue = catalogue
        self.scope = Scope()
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[tuple[int, int, str]] = set()
        self.stmt_span: Span | None = None
        #: statements at or after this line may follow a statement that failed to parse
        self.lenient_from: int | None = None
        self.on_statement = on_statement
        self._stores: dict[str, Any] = {}
        self._store_names: dict[str, list[str]] = {}
        #: the script's lines, when known (some rules look at how something was written)
        self.source_lines: list[str] | None = None
        #: statement checks still allowed for checking loops once per value (see check._for)
        self.unroll_budget = 20_000
        #: how many unrolled loops enclose the statement being checked
        self.loop_depth = 0
        #: function name -> spec (min_args, max_args, signature); None: calls are not checked
        self.functions: Any = None

    # --- reporting -----------------------------------------------------------------------------

    def report(self, node: Any, message: str, hint: str | None = None, severity: str = "error") -> None:
        """Record a diagnostic at ``node`` (or at the current statement when it has no place)."""
        span = getattr(node, "span", None)
        if span is None or span.line == 0:
            span = self.stmt_span
        line, col = (span.line, span.col) if span is not None else (0, 0)
        # inside a loop checked once per value, one place gets one report (not one per round)
        key = (line, col, severity) if self.loop_depth else (line, col, message)
        if key in self._seen:
            return
        self._seen.add(key)
        self.diagnostics.append(
            Diagnostic(self.file, line, col, severity, "semantic", message, hint)
        )

    def warn(self, node: Any, message: str, hint: str | None = None) -> None:
        """Record a warning at ``node``."""
        self.report(node, message, hint, severity="warning")

    def report_error(self, node: Any, err: MdlError) -> None:
        """Record an error raised while evaluating (at its own place when it has one)."""
        self.report(node if err.span is None else _At(err.span), err.message, err.hint)

    # --- names ---------------------------------------------------------------------------------

    def name(self, node: Any) -> str | None:
        """The name a name position holds, None when it cannot be known (an undefined binding is
        reported)."""
        try:
            return resolve_name(node, self.scope)
        except UnknownBinding as exc:
            self.unknown_binding(exc.node)
            return None

    def unknown_binding(self, node: ast.Binding) -> None:
        """Report a ``$name`` that no ``let`` or loop defines."""
        hint = did_you_mean(node.name, self.scope.binding_names())
        self.report(node, f"the binding ${node.name} is not defined",
                    hint or f"define it first with: let {node.name} = …")

    def lenient(self) -> bool:
        """True after a line that failed to parse: unknown names are then not reported."""
        return (
            self.lenient_from is not None
            and self.stmt_span is not None
            and self.stmt_span.line >= self.lenient_from
        )

    def active(self, node: Any) -> Any:
        """The active dataset scope; reports (once per statement) when there is none."""
        ds = self.scope.dataset
        if ds is None and not self.lenient():
            self.report(self.stmt_span and _At(self.stmt_span), "there is no active dataset",
                        "create one with: create-dataset NAME")
        return ds

    def use_var(self, node: Any, name: str | None = None) -> None:
        """Check that a variable exists in the active dataset."""
        if name is None:
            name = self.name(node)
            if name is None:
                return
        ds = self.active(node)
        if ds is None or ds.open or name in ds.variables or name in ID_NAMES or self.lenient():
            return
        if name in ds.dropped:
            self.report(node, f"variable {name} {ds.dropped[name]}",
                        f"it no longer exists in dataset {ds.name}")
            return
        hint = did_you_mean(name, ds.variables)
        if hint is None:
            elsewhere = [d.name for d in self.scope.datasets.values() if name in d.variables]
            hint = (f"it is in dataset {elsewhere[0]}; switch with: use {elsewhere[0]}" if elsewhere
                    else "import or generate it first")
        self.report(node, f"unknown variable {name}", hint)

    def new_var(self, node: Any, name: str | None = None, *, check: bool = True) -> str | None:
        """Create a variable in the active dataset; it must not exist yet (language.md §7.4)."""
        if name is None:
            name = self.name(node)
        ds = self.active(node)
        if ds is None:
            return name
        if name is None:
            ds.open = True
            return None
        if check and name in ds.variables:
            self.report(node, f"variable {name} already exists",
                        "use replace to change it, or drop it first")
        ds.add(name)
        if ds.kind == "empty":
            ds.kind = "cross"
        return name

    def use_dataset(self, node: Any) -> str | None:
        """The name of an existing dataset, reporting an unknown one."""
        name = self.name(node)
        if name is None:
            return None
        if name not in self.scope.datasets:
            hint = did_you_mean(name, self.scope.datasets)
            self.report(node, f"unknown dataset {name}",
                        hint or "create it first with: create-dataset " + name)
            return None
        return name

    def new_dataset(self, node: Any) -> str | None:
        """A new dataset name, reporting one that exists already."""
        name = self.name(node)
        if name is not None and name in self.scope.datasets:
            self.report(node, f"dataset {name} already exists",
                        "choose another name, or delete-dataset it first")
        return name

    # --- catalogue ----------------------------------------------------------------------------

    def store(self, alias: str) -> Any:
        """The datastore connected under ``alias`` (None without a catalogue or when unknown)."""
        return self._stores.get(alias)

    def connect(self, alias: str, name: str, version: Any, node: Any) -> None:
        """Open the datastore behind an alias through the catalogue (a warning when it cannot be opened)."""
        self._stores.pop(alias, None)
        self._store_names.pop(alias, None)
        if self.catalogue is None:
            return
        try:
            self._stores[alias] = self.catalogue(name, version)
        except MdlError as err:
            # the script may be meant for another machine: say so, but do not fail the check
            self.warn(node, f"{err.message} (register variables are not checked)", err.hint)
        except (ImportError, OSError):
            self.warn(node, f"datastore {name}:{version} could not be opened "
                      "(register variables are not checked)",
                      "give its folder with --datastore-dir")

    def store_names(self, alias: str) -> list[str]:
        """The variable names of the datastore behind ``alias`` (cached)."""
        if alias not in self._store_names:
            ds = self._stores[alias]
            self._store_names[alias] = [m.name for m in ds.variables()]
        return self._store_names[alias]


class _At:
    """A bare place, for reports that are not about one node."""

    __slots__ = ("span",)

    def __init__(self, span: Span) -> None:
        self.span = span
