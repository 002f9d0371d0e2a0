"""Every third-party package the library imports is one that `pip install -e .`
installs (or an extra whose absence the library explains in one line)."""

from __future__ import annotations

import ast
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
IMPORT_NAMES = {"scikit-learn": "sklearn"}  # distribution name -> import name, where they differ
OPTIONAL = {"safetensors"}  # an extra: `.safetensors` files only, with an install hint


def imported_packages() -> dict:
    """Top-level third-party import names in autograd/ and nn/ -> the files importing them."""
    found = {}
    for path in sorted((ROOT / "autograd").rglob("*.py")) + sorted((ROOT / "nn").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ("autograd", "nn"):
                    found.setdefault(top, []).append(path.relative_to(ROOT).as_posix())
    return found


def declared(group=None) -> set:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] if group is None else project["optional-dependencies"][group]
    names = {re.match(r"[A-Za-z0-9_.-]+", r).group().lower() for r in requirements}
    return {IMPORT_NAMES.get(n, n) for n in names}


def test_every_imported_package_is_a_dependency():
    imported = imported_packages()
    assert "hypothesis" in imported and "numpy" in imported  # the scan sees the imports
    missing = {name: files for name, files in imported.items() if name not in declared() | OPTIONAL}
    assert not missing, f"imported but not in pyproject's dependencies: {missing}"
    assert OPTIONAL <= declared("safetensors")


def test_hypothesis_is_a_runtime_dependency():
    assert "hypothesis" in declared()  # autograd.testing and glassgrad check work after pip install -e .


def test_without_hypothesis_autograd_testing_says_what_to_install(monkeypatch):
    import importlib

    import pytest

    for name in [m for m in sys.modules if m.split(".")[0] == "hypothesis" or m == "autograd.testing"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # an import of it fails
    with pytest.raises(ImportError, match=r"^autograd.testing needs hypothesis: pip install hypothesis$"):
        importlib.import_module("autograd.testing")
