"""The ``mdlang`` command line.

Each sub-command's work lives in its own package; this module only parses the command line,
imports the implementation lazily (so ``mdlang check`` does not pay for pandas or statsmodels)
and turns errors into messages and exit codes. No traceback reaches a user.

Exit codes: 0 every command ran; 1 a runtime or data error stopped the script; 2 a usage error on
the command line; 3 a syntax or semantic error found before anything ran; 4 an output was
withheld by disclosure control and ``--strict`` was given.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from mdlang.errors import MdlError

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_USAGE = 2
EXIT_CHECK = 3
EXIT_WITHHELD = 4

EPILOG = """exit codes:
  0  every command ran
  1  a runtime or data error stopped the script
  2  a usage error on the command line
  3  a syntax or semantic error found before anything ran
  4  an output was withheld by disclosure control and --strict was given
"""

#: sub-command → "module:function"; each function takes the parsed namespace and returns an exit code.
IMPLEMENTATIONS = {
    "run": "mdlang.engine.runner:cli_run",
    "check": "mdlang.semantics.cli:cli_check",
    "repl": "mdlang.repl.app:cli_repl",
    "help": "mdlang.commands.help:cli_help",
    "sample-data": "mdlang.datastore.sample:cli_sample_data",
    "datastore build": "mdlang.datastore.cli:cli_build",
    "datastore validate": "mdlang.datastore.cli:cli_validate",
    "datastore list": "mdlang.datastore.cli:cli_list",
    "datastore describe": "mdlang.datastore.cli:cli_describe",
    "audit verify": "mdlang.disclosure.audit_cli:cli_verify",
    "audit show": "mdlang.disclosure.audit_cli:cli_show",
    "audit explain": "mdlang.disclosure.ledger_cli:cli_explain",
}


class _Parser(argparse.ArgumentParser):
    """argparse that exits with code 2 and a one-line hint, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"mdlang: usage error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _add_datastore_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--datastore-dir",
        action="append",
        default=None,
        metavar="DIR",
        help="look for datastores in DIR first (repeatable; then $MDLANG_DATASTORE_DIR, then the sample)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mdlang",
        description="An interpreter for the microdata.no analysis language with disclosure control.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = sub.add_parser("run", help="run a script and print its released results", epilog=EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("script", help="the script file, or - for standard input")
    run.add_argument("--output", choices=["text", "markdown", "json", "html"], default="text")
    run.add_argument("-o", dest="out", metavar="FILE", help="write the output to FILE instead of standard output")
    run.add_argument("--figures", metavar="DIR", help="write figures (PNG and SVG) into DIR")
    run.add_argument("--strict", action="store_true", help="exit with code 4 when any output was withheld")
    run.add_argument("--project", metavar="NAME", help="privacy-ledger project name (default: $MDLANG_PROJECT or 'local')")
    _add_datastore_dir(run)

    check = sub.add_parser("check", help="parse and check a script without touching data", epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("script", help="the script file, or - for standard input")
    check.add_argument("--format", choices=["text", "json"], default="text")
    _add_datastore_dir(check)

    repl = sub.add_parser("repl", help="interactive session (also: mdlang with no arguments)")
    repl.add_argument("--project", metavar="NAME")
    _add_datastore_dir(repl)

    hlp = sub.add_parser("help", help="help for a command or function")
    hlp.add_argument("topic", nargs="?", help="a command or function name")

    sample = sub.add_parser("sample-data", help="build the synthetic sample datastores")
    sample.add_argument("--persons", type=int, default=None, help="number of persons (default: Bergen scale)")
    sample.add_argument("--out", metavar="DIR", default=None, help="datastore root to write into")
    sample.add_argument("--seed", type=int, default=20240601)
    sample.add_argument("--force", action="store_true", help="rebuild even if the datastores exist")

    ds = sub.add_parser("datastore", help="build, validate, list and describe datastores")
    dsub = ds.add_subparsers(dest="ds_command", parser_class=_Parser)
    b = dsub.add_parser("build", help="build a datastore version from microdata-tools input")
    b.add_argument("input", help="folder with one VAR/VAR.csv + VAR/VAR.json per variable")
    b.add_argument("--name", required=True)
    b.add_argument("--version", required=True, type=int)
    b.add_argument("--out", required=True, metavar="DIR", help="datastore root")
    b.add_argument("--policy", metavar="FILE", help="policy.toml for the new version (default: register preset)")
    v = dsub.add_parser("validate", help="check microdata-tools input without building")
    v.add_argument("input")
    li = dsub.add_parser("list", help="list the datastores on the search path")
    _add_datastore_dir(li)
    de = dsub.add_parser("describe", help="describe a datastore or one of its variables (metadata only)")
    de.add_argument("name", help="NAME or NAME:VERSION")
    de.add_argument("variable", nargs="?")
    _add_datastore_dir(de)

    au = sub.add_parser("audit", help="verify or show an audit log")
    asub = au.add_subparsers(dest="audit_command", parser_class=_Parser)
    av = asub.add_parser("verify", help="check the hash chain of an audit log")
    av.add_argument("log")
    ash = asub.add_parser("show", help="list releases and refusals of an audit log (metadata only)")
    ash.add_argument("log")
    aex = asub.add_parser("explain", help="list a project's refusals with the earlier outputs on the same variables")
    aex.add_argument("ledger", help="a project's ledger.sqlite (or its folder)")
    return parser


def _version() -> str:
    from mdlang import __version__

    return f"mdlang {__version__}"


def _implementation(key: str):
    module, func = IMPLEMENTATIONS[key].split(":")
    return getattr(importlib.import_module(module), func)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mdlang`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        argv = ["repl"]
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    key = args.command
    if key == "datastore":
        if not args.ds_command:
            parser.error("datastore needs one of: build, validate, list, describe")
        key = f"datastore {args.ds_command}"
    elif key == "audit":
        if not args.audit_command:
            parser.error("audit needs one of: verify, show, explain")
        key = f"audit {args.audit_command}"
    try:
        return int(_implementation(key)(args))
    except MdlError as err:
        sys.stderr.write(err.format() + "\n")
        return EXIT_USAGE if err.kind == "usage error" else EXIT_RUNTIME
    except KeyboardInterrupt:
        sys.stderr.write("mdlang: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
