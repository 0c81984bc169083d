"""Notifications sits above stock: stock never imports it, its services never
import its tasks, and no import hides inside a function to dodge a circle."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def imports(path: Path) -> list[tuple[str, bool]]:
    """(absolute module imported, whether inside a function) for one file."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    inside = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [(name, id(node) in inside) for name in names]
    return found


def sources(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def test_stock_imports_nothing_of_notifications():
    offenders = [
        (str(path.relative_to(ROOT)), name)
        for path in sources("stock")
        for name, _ in imports(path)
        if name.split(".")[0] == "notifications"
    ]
    assert offenders == []


def test_services_never_import_the_tasks_and_nothing_imports_inside_a_function():
    for path in sources("notifications"):
        found = imports(path)
        where = str(path.relative_to(ROOT))
        if "services" in path.parts or path.name == "queue.py":
            assert "notifications.tasks" not in {name for name, _ in found}, where
        if path.name != "apps.py":  # ready() is where Django lets an app wire up
            assert [name for name, inner in found if inner] == [], where
