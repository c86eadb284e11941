"""The scripts beside the package (benchmarks, train.py, the screenshot script) import
only names the package has: a module that moved or a name that went is caught here, not
halfway through `make bench`."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((REPO / "benchmarks").glob("*.py")) + [REPO / "train.py",
                                                        REPO / "docs" / "take_screenshots.py"]


def _package_imports(path: Path) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mnist_desktop"):
            found += [(str(node.module), alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names
                      if alias.name.startswith("mnist_desktop")]
    return found


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_every_package_import_of_a_script_resolves(script: Path) -> None:
    imports = _package_imports(script)
    missing = []
    for module_name, name in imports:
        module = importlib.import_module(module_name)
        if name is not None and not hasattr(module, name) and \
                importlib.util.find_spec(f"{module_name}.{name}") is None:
            missing.append(f"from {module_name} import {name}")
    assert not missing, f"{script.name}: {missing}"


def test_the_scripts_are_found() -> None:
    assert len(SCRIPTS) >= 10
    assert sum(len(_package_imports(path)) for path in SCRIPTS) > 30
