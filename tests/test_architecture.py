"""The house's shape, checked in every test run: one direction of imports between the layers
(pyproject.toml [tool.importlinter], docs/ARCHITECTURE.md) and no import cycle anywhere —
including imports hidden inside functions, which is where cycles used to hide."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "nlu", "storage", "settlement")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)


def test_layer_contracts_hold():
    # The CLI, as an operator runs it: the contracts are the ones in pyproject.toml.
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), str(ROOT / "pyproject.toml")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def _is_package_of(a: str, b: str) -> bool:
    return b.startswith(a + ".")


def test_no_module_imports_itself_back(graph):
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            # A package's __init__ naming its own modules is how a package exports; the modules
            # never import the package back (checked by the chain search for everything else).
            if _is_package_of(importer, imported) or imported not in graph.modules:
                continue
            chain = graph.find_shortest_chain(importer=imported, imported=importer)
            if chain is not None:
                cycles.append(" -> ".join((importer, *chain)))
    assert cycles == [], "import cycles:\n" + "\n".join(cycles[:20])


def test_the_checker_sees_function_level_imports(graph):
    # A lazy import is still an import: the graph must contain one we know is inside a function,
    # or the cycle test above could pass by not seeing the imports that used to hide cycles.
    assert graph.direct_import_exists(importer="bot.cli", imported="bot.app")


def test_the_desk_does_not_reach_up_into_the_edge(graph):
    for low in ("handlers", "nlu", "storage", "settlement"):
        assert graph.chain_exists(importer=low, imported="bot", as_packages=True) is False, low
