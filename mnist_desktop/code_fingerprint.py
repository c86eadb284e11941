"""A hash of some modules' code, not of their comments, docstrings or layout.

``train.py`` stores it with a model; a test fails when that code changed after the model was
trained, because the model must then be retrained.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
from collections.abc import Iterable


def _is_text(statement: object) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def code_fingerprint(modules: Iterable[str]) -> str:
    """16 hex digits of SHA-256 over the syntax trees of ``modules`` (full dotted names)."""
    digest = hashlib.sha256()
    for name in modules:
        module = importlib.import_module(name)
        with open(str(module.__file__), encoding="utf-8") as source:
            tree = ast.parse(source.read())
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list):
                body[:] = [s for s in body if not _is_text(s)]
        digest.update(ast.dump(tree, include_attributes=False).encode())
    return digest.hexdigest()[:16]
