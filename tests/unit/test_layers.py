"""The layers import downwards only: services know nothing of aiogram, the bot or handlers."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"
FORBIDDEN = ("aiogram", "aiogram_dialog", "bot", "handlers")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_service_imports_aiogram_or_an_upper_layer() -> None:
    modules = sorted(SERVICES.rglob("*.py"))
    assert len(modules) > 50, "found suspiciously few service modules"
    reaching = {
        str(path.relative_to(SERVICES.parent)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] in FORBIDDEN
        )
        for path in modules
    }
    assert {path: names for path, names in reaching.items() if names} == {}
