"""Apps import downward only: core <- catalog <- stock <- (forecasting, returns),
with config on top. Every import counts, a lazy one inside a function too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# App -> the project packages it may import (besides itself).
ALLOWED = {
    "core": set(),
    "catalog": {"core"},
    "stock": {"core", "catalog"},
    "forecasting": {"core", "catalog", "stock"},
    "returns": {"core", "catalog", "stock"},
}
PROJECT = set(ALLOWED) | {"config"}


def imported_packages(path: Path) -> set[str]:
    """The project's top-level packages a module imports (relative imports
    stay within its own package and are left out)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & PROJECT
    return found


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_layers_below_it(app):
    upward = {
        str(path.relative_to(ROOT)): sorted(wrong)
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        and (wrong := imported_packages(path) - ALLOWED[app] - {app})
    }
    assert upward == {}
