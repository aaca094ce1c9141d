"""Architecture rules that the code must keep.

- The engines (``auyl.engines``) are pure Python: they import neither Django nor any of the
  Django apps, so they can be tested, benchmarked and reused without a database. Checked
  twice: by import-linter's contract in pyproject.toml, and by a plain walk of the syntax
  trees (which also catches imports inside functions and ``importlib`` strings).
- Migrations have names a reader understands: never Django's ``NNNN_auto_YYYYMMDD_HHMM``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "auyl"
ENGINES = SRC / "engines"
FORBIDDEN_IN_ENGINES = ("django", "auyl.registry", "auyl.accounts", "auyl.jobs", "auyl.demo")


def _imported_modules(tree: ast.AST, module: str) -> set[str]:
    """Every module name a file imports, with relative imports resolved against ``module``."""
    package = module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _is_forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_ENGINES)


def test_import_linter_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "0 broken" in output, output


def test_no_engine_file_imports_django_or_an_app():
    files = sorted(ENGINES.rglob("*.py"))
    assert files, f"no engine modules found under {ENGINES}"
    offences = []
    for path in files:
        relative = path.relative_to(SRC.parent).with_suffix("")
        module = ".".join(relative.parts)
        if path.name == "__init__.py":
            module += ".__init__"  # so relative imports resolve against the package itself
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        bad = sorted(name for name in _imported_modules(tree, module) if _is_forbidden(name))
        if bad:
            offences.append(f"{path.relative_to(ROOT)}: {', '.join(bad)}")
    assert not offences, "engines must be pure Python:\n" + "\n".join(offences)


def test_the_ast_check_would_catch_an_offence():
    tree = ast.parse(
        "import os\n"
        "def f():\n"
        "    from django.db import models\n"
        "    from ..registry import models as m\n"
        "    return importlib.import_module('auyl.jobs.services')\n"
    )
    names = _imported_modules(tree, "auyl.engines.example")
    assert {"django.db", "auyl.registry", "auyl.jobs.services"} <= names
    assert [n for n in sorted(names) if _is_forbidden(n)]
    assert not _is_forbidden("djangoish")


AUTO_NAME = re.compile(r"_auto_|^\d{4}_auto")


def test_migrations_have_meaningful_names():
    migrations = sorted(path for path in SRC.rglob("migrations/*.py") if path.name != "__init__.py")
    assert migrations, "no migrations found"
    badly_named = [str(p.relative_to(ROOT)) for p in migrations if AUTO_NAME.search(p.name)]
    assert not badly_named, (
        "rename these migrations (makemigrations --name describe_the_change):\n"
        + "\n".join(badly_named)
    )


def test_highs_and_or_tools_load_in_one_process_in_either_order():
    """OR-Tools bundles its own libhighs.so.1: highspy must be the matching release
    (pinned in pyproject.toml), or whichever loads second fails with an undefined symbol."""
    import subprocess
    import sys

    orders = (
        "import highspy; import ortools.linear_solver.pywraplp; highspy.Highs()",
        "import ortools.linear_solver.pywraplp; import highspy; highspy.Highs()",
    )
    for code in orders:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-500:]
