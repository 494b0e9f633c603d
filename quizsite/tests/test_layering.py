"""The layering of docs/architecture.md holds: imports run downward only,

    accounts <- classrooms <- quizzes <- attempts <- grading, analytics <- lti

with quizsite (settings, URLs, API conventions, live-event transport, page helpers) below them all, and top-level
apps outside this chain (demo) above everything. A lower app that must tell a higher one something sends a signal.

Every module of every app is imported (so a module that only works thanks to import order fails here) and its
source is read for imports at any depth — a local import inside a function counts, and so does import_module.
"""

from __future__ import annotations

import ast
import importlib
import pathlib

import pytest
from django.conf import settings

ROOT = pathlib.Path(settings.BASE_DIR)
RANK = {
    "accounts": 0, "classrooms": 1, "quizzes": 2, "attempts": 3, "grading": 4, "analytics": 4,
    "integrity": 5, "lti": 5, "reports": 5,
}
# The project package may import apps only where it aggregates them.
AGGREGATORS = {"urls.py", "routing.py", "asgi.py", "wsgi.py", "settings.py", "celery.py", "ws_auth.py"}
TOP_LEVEL_APPS = {p.parent.name for p in ROOT.glob("*/apps.py")} - set(RANK)


def _modules():
    for package in [*RANK, *sorted(TOP_LEVEL_APPS), "quizsite"]:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "tests" in rel.parts or "migrations" in rel.parts:
                continue
            yield rel


def _imported_names(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "attr", None) or getattr(func, "id", None)
            if name in {"import_module", "__import__"}:
                yield node.lineno, "<dynamic import>"


def _upward(rel: pathlib.Path, imported: str) -> bool:
    src, dst = rel.parts[0], imported.split(".")[0]
    if imported == "<dynamic import>":
        return src in RANK
    if dst == src or dst not in (set(RANK) | TOP_LEVEL_APPS | {"quizsite"}):
        return False
    if src == "quizsite":
        return dst != "quizsite" and rel.name not in AGGREGATORS
    if dst == "quizsite":
        return False
    if dst in TOP_LEVEL_APPS:
        return src not in TOP_LEVEL_APPS
    if src in TOP_LEVEL_APPS:
        return False
    return RANK[dst] > RANK[src]


@pytest.mark.parametrize("rel", list(_modules()), ids=str)
def test_module_imports_and_imports_only_downward(rel):
    module = ".".join(rel.with_suffix("").parts)
    if module.endswith(".__init__"):
        module = module.rsplit(".", 1)[0]
    if module not in {"quizsite.serve", "quizsite.gunicorn_conf"}:  # process launchers, not importable app code
        importlib.import_module(module)
    tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
    bad = [f"{rel}:{line} imports {name}" for line, name in _imported_names(tree) if _upward(rel, name)]
    assert not bad, "imports that run upward (docs/architecture.md):\n" + "\n".join(bad)


def test_the_checker_sees_an_upward_import():
    # The rule itself, so the sweep above cannot pass by looking at nothing.
    assert _upward(pathlib.Path("quizzes/services.py"), "attempts.models")
    assert _upward(pathlib.Path("accounts/admin.py"), "classrooms.resources")
    assert _upward(pathlib.Path("quizsite/pages.py"), "accounts.models")
    assert _upward(pathlib.Path("attempts/services.py"), "<dynamic import>")
    assert not _upward(pathlib.Path("grading/services.py"), "quizzes.signals")
    assert not _upward(pathlib.Path("quizsite/urls.py"), "quizzes.urls")
    assert len(list(_modules())) > 100
