"""settlement/ is pure: stdlib (+ pydantic) only, nothing from bot/, handlers/ or storage/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "settlement"
ALLOWED = set(sys.stdlib_module_names) | {"pydantic", "settlement"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_stdlib_and_pydantic():
    for path in sorted(PACKAGE.glob("*.py")):
        assert imported_roots(path) <= ALLOWED, f"{path.name} imports {imported_roots(path) - ALLOWED}"


def test_importing_settlement_loads_no_app_package():
    code = ("import sys, settlement, settlement.cli; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('bot', 'handlers', 'storage')); "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parent)
