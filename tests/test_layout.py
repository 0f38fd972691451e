"""The house's rules, checked: what the export stage loads, how big a class may grow, and that
the type checker finds nothing (README "Architecture", docs/internals.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "migrator"
MAX_CLASS_LINES = 250


def loaded_by(statement: str) -> set[str]:
    """The modules a fresh interpreter has loaded after ``statement``."""
    code = f"{statement}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    return set(done.stdout.split())


def test_the_export_stage_loads_no_http_stack() -> None:
    """Exporting never touches the network, so it does not load what would."""
    modules = loaded_by("import migrator.export")
    assert "requests" not in modules
    assert not {m for m in modules if m.startswith(("urllib3", "migrator.fetch",
                                                    "migrator.crawler", "migrator.media.download"))}


def test_the_package_namespace_loads_the_crawl_only_when_asked() -> None:
    assert "requests" not in loaded_by("import migrator")
    assert "requests" in loaded_by("import migrator\nmigrator.crawl")


def test_no_class_is_longer_than_250_lines() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines}")
    assert long == []


def test_mypy_finds_nothing() -> None:
    """Strict over the package (configuration in pyproject.toml)."""
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_test_reaches_a_private_name() -> None:
    """Tests use the seams (transport, clock, sleep, the scheduler's parameters), so that a
    refactoring breaks them only when behaviour changes."""
    reached = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not (
                    node.attr.startswith("__")
                    or isinstance(node.value, ast.Name) and node.value.id in ("self", "cls",
                                                                             "etree")):
                reached.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("setattr"):
                named = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
                if named and str(named[0]).startswith("_"):
                    reached.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    assert reached == []
