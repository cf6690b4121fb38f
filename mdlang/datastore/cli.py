"""``mdlang datastore build | validate | list | describe`` (dispatched from mdlang/cli.py).

Each function takes the argparse namespace and returns an exit code: 0 ok, 1 a data problem,
2 a usage problem. Only metadata is ever printed, never values.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable

from mdlang.datastore.dates import format_date
from mdlang.datastore.metadata import VariableMetadata
from mdlang.errors import DatastoreError, MdlError, UsageError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _named(command: str) -> Callable:
    """Let errors name the sub-command instead of a script (mdlang/cli.py prints them)."""

    def wrap(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        @functools.wraps(fn)
        def run(args: argparse.Namespace) -> int:
            try:
                return fn(args)
            except MdlError as err:
                raise err.located(file=f"mdlang datastore {command}") from None

        return run

    return wrap


@_named("validate")
def cli_validate(args: argparse.Namespace) -> int:
    """Check a delivery and list every problem; exit 1 when there is any."""
    from pathlib import Path

    from mdlang.datastore.validate import validate_delivery

    path = Path(args.input)
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder", hint="give the folder that holds one VAR/VAR.csv + VAR/VAR.json per variable")
    results, problems = validate_delivery(path, _progress_bar())
    for p in problems:
        sys.stderr.write(f"{p}\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) in {path}\n")
        return EXIT_DATA
    sys.stdout.write(f"{path}: {len(results)} variable(s), no problems\n")
    return EXIT_OK


@_named("build")
def cli_build(args: argparse.Namespace) -> int:
    """Validate and build a new datastore version."""
    from pathlib import Path

    from mdlang.datastore import layout
    from mdlang.datastore.build import build_datastore

    if not Path(args.input).is_dir():
        raise UsageError(f"{args.input} is not a folder", hint="give the folder that holds one VAR/VAR.csv + VAR/VAR.json per variable")
    if not layout.NAME_RE.fullmatch(args.name):
        raise UsageError(f"'{args.name}' is not a valid datastore name", hint="use lower-case words separated by dots, e.g. no.bergen.helseprofil")
    if args.version < 1:
        raise UsageError("--version must be a positive whole number")
    if args.policy is not None and not Path(args.policy).is_file():
        raise UsageError(f"the policy file {args.policy} does not exist")
    path = build_datastore(args.input, args.name, args.version, args.out, policy=args.policy, progress=_progress_bar())
    sys.stdout.write(f"built {args.name}:{args.version} in {path}\n")
    return EXIT_OK


@_named("list")
def cli_list(args: argparse.Namespace) -> int:
    """List the datastores on the search path with their versions."""
    from mdlang.datastore.discovery import list_available, sample_names

    found = list_available(getattr(args, "datastore_dir", None))
    shown = set()
    for a in found:
        versions = ", ".join(str(v) for v in a.versions)
        tag = " (synthetic sample)" if a.sample else ""
        sys.stdout.write(f"{a.name}  versions {versions}  in {a.root}{tag}\n")
        shown.add(a.name)
    for name in sample_names():
        if name not in shown:
            sys.stdout.write(f"{name}  (synthetic sample, built on first use)\n")
    return EXIT_OK


@_named("describe")
def cli_describe(args: argparse.Namespace) -> int:
    """Describe a datastore (its variables) or one variable in detail; metadata only."""
    from mdlang.datastore.discovery import find_datastore, list_available, parse_reference

    try:
        name, version = parse_reference(args.name)
    except DatastoreError as err:
        raise UsageError(err.message) from None
    dirs = getattr(args, "datastore_dir", None)
    if version is None:
        versions = sorted({v for a in list_available(dirs) if a.name == name for v in a.versions})
        version = versions[-1] if versions else 1
    ds = find_datastore(name, version, dirs)
    if args.variable:
        sys.stdout.write(describe_variable(ds.metadata(args.variable)))
        return EXIT_OK
    sys.stdout.write(describe_datastore(ds))
    return EXIT_OK


def _progress_bar():
    """A one-line progress bar on a terminal; None (silent) when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, name: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name}"
        sys.stderr.write("\r" + line.ljust(79)[:79])
        if done == total:
            sys.stderr.write("\r" + " " * 79 + "\r")
        sys.stderr.flush()

    return show


def _validity(meta: VariableMetadata) -> str:
    if meta.valid_from is None and meta.valid_until is None:
        return "∞"
    return f"{format_date(meta.valid_from)} – {format_date(meta.valid_until)}"


def _codes(meta: VariableMetadata) -> str:
    return "" if meta.code_list is None else str(len({c.code for c in meta.code_list}))


def describe_datastore(ds) -> str:
    """A table of every variable: unit type, temporality, type, validity, code-list size, title."""
    head = [f"{ds.name}:{ds.version}", ds.description or ""]
    if ds.note:
        head.append(f"note: {ds.note}")
    rows = [("variable", "unit type", "temporality", "type", "valid", "codes", "title")]
    for m in ds.variables():
        rows.append((m.name, m.unit_type, m.temporality.value, m.data_type.value, _validity(m), _codes(m), m.label()))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1] for r in rows]
    return "\n".join([h for h in head if h] + [""] + [line.rstrip() for line in lines]) + "\n"


def describe_variable(meta: VariableMetadata) -> str:
    """One variable in detail, with its code list."""
    out = [
        f"{meta.name}: {meta.label()}",
        f"  unit type:    {meta.unit_type}",
        f"  temporality:  {meta.temporality.value}",
        f"  data type:    {meta.data_type.value}",
        f"  valid:        {_validity(meta)}",
    ]
    if meta.status_dates:
        out.append(f"  status dates: {', '.join(format_date(d) for d in meta.status_dates)}")
    if meta.link_unit_type:
        out.append(f"  links to:     {meta.link_unit_type}")
    if meta.unit_of_measure:
        out.append(f"  unit:         {meta.unit_of_measure}")
    if meta.sensitive:
        out.append("  sensitive:    yes (class disclosure applies)")
    desc = meta.description.get("no") or next(iter(meta.description.values()), "")
    if desc:
        out.append(f"  description:  {desc}")
    if meta.code_list is not None:
        out.append(f"  code list ({len(meta.code_list)} entries):")
        for c in meta.code_list:
            valid = ""
            if c.valid_from is not None or c.valid_until is not None:
                valid = f"  [{format_date(c.valid_from)} – {format_date(c.valid_until)}]"
            out.append(f"    {c.code}  {c.label}{valid}")
    return "\n".join(out) + "\n"
