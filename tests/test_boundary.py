"""Structural tests that keep microdata inside the sandbox (architecture.md §1).

Three promises, each checked by reading the source with :mod:`ast` (so imports inside functions,
relative imports and ``importlib.import_module("…")`` calls count too):

(a) only ``mdlang/disclosure/`` may reach the seal that constructs released results — nothing
    else imports ``mdlang.disclosure.seal``, names ``SEAL`` or passes ``_seal=``;
(b) renderers (``mdlang/render/``) and ``mdlang/cli.py`` import nothing that holds unit-level
    data: not the engine, the datastore, the disclosure internals, the commands (except the
    registry and the help text), pandas, numpy or pyarrow;
(c) constructing a ``Result`` without the seal raises ``SealError``.

Each checker runs on a root folder, so the tests below also prove that it catches a violation
planted in a small synthetic tree.
"""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mdlang.results import Result, SealError

ROOT = Path(__file__).resolve().parents[1]

SEAL_MODULE = "mdlang.disclosure.seal"
#: (file, module) pairs allowed to import the seal: the Result constructor checks against it.
#: the module that defines the seal field may name it (it clears the seal after checking it)
RESULTS_MODULE_PATH = "mdlang/results/__init__.py"
SEAL_IMPORT_ALLOWED = {("mdlang/results/__init__.py", SEAL_MODULE)}

#: What a renderer or the CLI must not import (the module or anything below it).
RENDER_FORBIDDEN = (
    "mdlang.engine",
    "mdlang.datastore",
    "mdlang.disclosure",
    "mdlang.commands",
    "pandas",
    "numpy",
    "pyarrow",
)
#: Exceptions to RENDER_FORBIDDEN: the command table and its help text hold no data.
RENDER_ALLOWED = ("mdlang.commands.registry", "mdlang.commands.help")


@dataclasses.dataclass(frozen=True, order=True)
class Violation:
    """One broken rule at one place."""

    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _module_name(rel: Path) -> tuple[str, bool]:
    """Dotted module name of a file relative to the root, and whether it is a package."""
    parts = list(rel.with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from … import`` statement reads from."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """Every module a file imports, with its line: ``import``, ``from``, ``import_module("…")``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, module, is_package)
            for alias in node.names:
                # `from pkg import name` may load the submodule pkg.name: check both forms.
                yield node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in ("import_module", "__import__") and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                yield node.lineno, first.value


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes of a module, its classes and functions (prose may name the seal)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _python_files(root: Path, under: str) -> Iterator[tuple[Path, str, bool, ast.AST]]:
    for path in sorted((root / under).rglob("*.py")):
        rel = path.relative_to(root)
        module, is_package = _module_name(rel)
        yield rel, module, is_package, ast.parse(path.read_text(encoding="utf-8"), str(rel))


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def seal_violations(root: Path) -> list[Violation]:
    """Rule (a): every place outside mdlang/disclosure/ that reaches for the seal."""
    found: set[Violation] = set()
    for rel, module, is_package, tree in _python_files(root, "mdlang"):
        if rel.parts[:2] == ("mdlang", "disclosure"):
            continue
        path = rel.as_posix()
        for line, name in imports(tree, module, is_package):
            if _within(name, (SEAL_MODULE,)) and (path, SEAL_MODULE) not in SEAL_IMPORT_ALLOWED:
                found.add(Violation(path, line, f"imports {name} (only mdlang/disclosure/ may)"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "_seal":
                found.add(Violation(path, node.value.lineno, "passes _seal= (only mdlang/disclosure/ may)"))
            elif isinstance(node, ast.Attribute) and node.attr == "SEAL":
                found.add(Violation(path, node.lineno, "reads .SEAL (only mdlang/disclosure/ may)"))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings and path != RESULTS_MODULE_PATH \
                    and (node.value in ("_seal", "SEAL") or "disclosure.seal" in node.value):
                found.add(Violation(path, node.lineno, f"names the seal in a string {node.value!r}"))
    return sorted(found)


def render_violations(root: Path) -> list[Violation]:
    """Rule (b): imports of unit-level machinery in mdlang/render/ and mdlang/cli.py."""
    files = list(_python_files(root, "mdlang/render")) if (root / "mdlang/render").is_dir() else []
    cli = root / "mdlang" / "cli.py"
    if cli.is_file():
        files.append((Path("mdlang/cli.py"), "mdlang.cli", False, ast.parse(cli.read_text(encoding="utf-8"))))
    found: set[Violation] = set()
    for rel, module, is_package, tree in files:
        for line, name in imports(tree, module, is_package):
            if _within(name, RENDER_FORBIDDEN) and not _within(name, RENDER_ALLOWED):
                found.add(Violation(rel.as_posix(), line,
                                    f"imports {name} (renderers and the CLI see released results only)"))
    return sorted(found)


def _report(violations: list[Violation]) -> str:
    return "boundary broken:\n" + "\n".join(f"  {v}" for v in violations)


# --- the real tree --------------------------------------------------------------------------


def test_only_disclosure_reaches_the_seal() -> None:
    violations = seal_violations(ROOT)
    assert not violations, _report(violations)


def test_renderers_and_cli_import_no_unit_level_machinery() -> None:
    assert (ROOT / "mdlang/render/text.py").is_file() and (ROOT / "mdlang/cli.py").is_file()
    violations = render_violations(ROOT)
    assert not violations, _report(violations)


def test_importing_renderers_and_cli_loads_no_data_library() -> None:
    """The same promise at run time: transitive imports included."""
    code = (
        "import sys, mdlang.cli, mdlang.render, mdlang.render.text, mdlang.render.markdown, "
        "mdlang.render.json\n"
        "bad = ('pandas', 'numpy', 'pyarrow', 'mdlang.engine', 'mdlang.datastore', 'mdlang.disclosure')\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in bad or "
        "any(m == b or m.startswith(b + '.') for b in bad))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "", f"importing the renderers loaded: {done.stdout.split()}"


@pytest.mark.parametrize("seal", [None, object(), "SEAL"])
def test_result_without_the_seal_is_refused(seal: object) -> None:
    with pytest.raises(SealError, match="only be constructed by mdlang.disclosure"):
        Result("tabulate", 1, "table", {"columns": [], "rows": []}, _seal=seal)


def test_result_default_construction_is_refused() -> None:
    with pytest.raises(SealError):
        Result("tabulate", 1, "message", {"text": "hi"})


def test_replace_cannot_forge_a_released_result() -> None:
    from mdlang.disclosure.seal import SEAL  # the test plays the disclosure package here

    released = Result("tabulate", 1, "message", {"text": "released"}, _seal=SEAL)
    with pytest.raises(SealError):
        dataclasses.replace(released, data={"text": "forged"})


# --- the checkers catch what they should ----------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_seal_checker_finds_planted_violations(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "mdlang/__init__.py": '"""pkg."""\n',
        "mdlang/disclosure/gate.py": "from mdlang.disclosure.seal import SEAL\nx = dict(_seal=SEAL)\n",
        "mdlang/results/__init__.py": '"""Uses mdlang.disclosure.seal."""\n'
                                      "def f():\n    from mdlang.disclosure.seal import SEAL\n",
        "mdlang/commands/describe.py": (
            '"""Docstrings may mention mdlang.disclosure.seal."""\n'
            "from mdlang.results import Result\n"
            "def f():\n"
            "    from mdlang.disclosure.seal import SEAL\n"
            "    return Result('t', 1, 'table', {}, _seal=SEAL)\n"
        ),
        "mdlang/engine/sneaky.py": (
            "import importlib\n"
            "from ..disclosure import seal\n"
            "import mdlang.disclosure\n"
            "s = mdlang.disclosure.seal.SEAL\n"
            "m = importlib.import_module('mdlang.disclosure.seal')\n"
            "kw = {'_seal': s}\n"
        ),
    })
    assert [str(v) for v in seal_violations(root)] == [
        "mdlang/commands/describe.py:4: imports mdlang.disclosure.seal.SEAL (only mdlang/disclosure/ may)",
        "mdlang/commands/describe.py:5: passes _seal= (only mdlang/disclosure/ may)",
        "mdlang/engine/sneaky.py:2: imports mdlang.disclosure.seal (only mdlang/disclosure/ may)",
        "mdlang/engine/sneaky.py:4: reads .SEAL (only mdlang/disclosure/ may)",
        "mdlang/engine/sneaky.py:5: imports mdlang.disclosure.seal (only mdlang/disclosure/ may)",
        "mdlang/engine/sneaky.py:5: names the seal in a string 'mdlang.disclosure.seal'",
        "mdlang/engine/sneaky.py:6: names the seal in a string '_seal'",
    ]


def test_render_checker_finds_planted_violations(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "mdlang/render/__init__.py": "from mdlang.results import Result\nfrom mdlang.errors import MdlError\n",
        "mdlang/render/bad.py": (
            "import importlib\n"
            "from mdlang.commands.registry import all_commands\n"
            "from mdlang.commands import help\n"
            "def draw(x):\n"
            "    import pandas as pd\n"
            "    return pd.DataFrame(x)\n"
            "def more():\n"
            "    from ..engine import session\n"
            "    from numpy.linalg import norm\n"
            "    return importlib.import_module('mdlang.datastore.store')\n"
        ),
        "mdlang/render/sub/__init__.py": "from ...commands import specs\n",
        "mdlang/cli.py": "import importlib\nimport pyarrow.parquet as pq\n",
    })
    assert [str(v) for v in render_violations(root)] == [
        "mdlang/cli.py:2: imports pyarrow.parquet (renderers and the CLI see released results only)",
        "mdlang/render/bad.py:5: imports pandas (renderers and the CLI see released results only)",
        "mdlang/render/bad.py:8: imports mdlang.engine.session (renderers and the CLI see released results only)",
        "mdlang/render/bad.py:9: imports numpy.linalg.norm (renderers and the CLI see released results only)",
        "mdlang/render/bad.py:10: imports mdlang.datastore.store (renderers and the CLI see released results only)",
        "mdlang/render/sub/__init__.py:1: imports mdlang.commands.specs (renderers and the CLI see released results only)",
    ]


def test_checkers_pass_a_clean_tree(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "mdlang/render/text.py": "from mdlang.results import Result\nfrom .numbers import fmt\n",
        "mdlang/render/numbers.py": "import math\n",
        "mdlang/cli.py": "IMPLEMENTATIONS = {'run': 'mdlang.engine.runner:cli_run'}\n",
        "mdlang/engine/runner.py": "import pandas\nfrom mdlang.render import renderer\n",
    })
    assert render_violations(root) == []
    assert seal_violations(root) == []


def test_released_data_cannot_be_changed_after_release() -> None:
    import json

    from mdlang.disclosure.seal import SEAL  # the test plays the disclosure package here

    released = Result("tabulate", 1, "table", {"title": "t", "rows": [["a", 12]], "stats": {"n": 12}},
                      _seal=SEAL)
    with pytest.raises(TypeError):
        released.data["rows"][0][1] = 1
    with pytest.raises(TypeError):
        released.data["rows"].append(["b", 1])
    with pytest.raises(TypeError):
        released.data["stats"]["n"] = 1
    with pytest.raises(TypeError):
        released.data.update(title="forged")
    assert json.loads(released.to_json())["data"]["rows"] == [["a", 12]]


def test_only_figure_files_may_be_attached() -> None:
    from mdlang.disclosure.seal import SEAL

    figure = Result("histogram", 3, "figure", {"title": "h", "spec": {}, "files": []}, _seal=SEAL)
    figure.attach_files(["out/s-line3-histogram.png"])
    assert figure.data["files"] == ["out/s-line3-histogram.png"]
    table = Result("tabulate", 1, "table", {"rows": []}, _seal=SEAL)
    with pytest.raises(TypeError):
        table.attach_files(["x.png"])
