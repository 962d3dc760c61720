"""The package's layers run one way: no module of ``wargame`` imports a layer above its own.

The layers, low to high (README.md, "Layout"), and where each module of ``wargame/`` sits:

* ``base``: what every stage uses and that knows no stage: errors, safe text, the version,
  table layout, Ctrl-C handling, argument checks, optional extras, output files and the
  calibrated values the engine reads;
* ``scenario`` < ``engine`` < ``montecarlo`` < ``report`` < ``api`` < ``cli``.

Every import counts: at module level, inside a function, or under ``TYPE_CHECKING`` (a
type-only import still ties the lower layer to the higher one's names). A module that is not
in the table fails the test, so a new top-level module has to be placed.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "wargame"

LAYERS = ("base", "scenario", "engine", "montecarlo", "report", "api", "cli")
"""The layers, lowest first: a module may import its own layer and those below it."""

PLACES = {
    "errors": "base", "textsafe": "base", "jsontypes": "base", "version": "base", "display": "base",
    "interrupts": "base", "arguments": "base", "extras": "base", "outputs": "base",
    "calibration": "scenario",   # the packaged fits, checked against the settings registry
    "scenario": "scenario", "engine": "engine", "montecarlo": "montecarlo",
    "report": "report", "api": "api", "cli": "cli",
    # The package root re-exports the API; ``python -m wargame`` runs the command line.
    "__init__": "api", "__main__": "cli",
}
"""The layer of each top-level module or subpackage of ``wargame`` (a subpackage's modules
share its layer)."""


class Violation(NamedTuple):
    """One import of a higher layer."""

    module: str
    line: int
    imported: str
    module_layer: str
    imported_layer: str

    def __str__(self) -> str:
        return (f"{self.module}:{self.line} ({self.module_layer}) imports {self.imported} "
                f"({self.imported_layer})")


def module_name(path: Path, src: Path) -> str:
    """``wargame/engine/run.py`` -> ``wargame.engine.run``; a package's ``__init__.py`` is
    the package."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str, places: dict[str, str]) -> str | None:
    """The layer of a module of the package (``None`` outside it); a module missing from
    ``places`` raises KeyError."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    return places[parts[1] if len(parts) > 1 else "__init__"]


def imported_modules(tree: ast.Module, module: str, is_package: bool,
                     known: set[str]) -> list[tuple[int, str]]:
    """Every module of the package that ``tree`` imports, with its line: ``import a.b``,
    ``from a.b import c`` (``a.b.c`` when that is a module, else ``a.b``) and relative forms,
    anywhere in the file."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".")
                anchor = here if is_package else here[:-1]
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append((node.lineno, full if full in known else base))
    return found


def check_layers(src: Path, places: dict[str, str] = PLACES) -> list[Violation]:
    """Every import in the package under ``src`` of a layer above the importing module's."""
    files = sorted((src / PACKAGE).rglob("*.py"))
    names = {module_name(f, src): f for f in files}
    known = set(names)
    rank = {name: i for i, name in enumerate(LAYERS)}
    found: list[Violation] = []
    for module, path in names.items():
        mine = layer_of(module, places)
        assert mine is not None
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, imported in imported_modules(tree, module, path.name == "__init__.py", known):
            theirs = layer_of(imported, places)
            if theirs is not None and rank[theirs] > rank[mine]:
                found.append(Violation(module, line, imported, mine, theirs))
    return found


def test_no_module_imports_a_layer_above_its_own() -> None:
    violations = check_layers(ROOT)
    assert not violations, "imports against the layers:\n" + "\n".join(map(str, violations))


def test_every_top_level_module_has_a_layer() -> None:
    tops = {p.stem if p.is_file() else p.name for p in (ROOT / PACKAGE).iterdir()
            if (p.suffix == ".py") or (p / "__init__.py").is_file()}
    assert tops == set(PLACES), f"not placed: {sorted(tops - set(PLACES))}; " \
        f"gone: {sorted(set(PLACES) - tops)}"
    assert set(PLACES.values()) == set(LAYERS)


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in {"wargame/__init__.py": "", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


PLACES_SMALL = {"__init__": "api", "errors": "base", "engine": "engine", "report": "report",
                "cli": "cli"}


def test_the_checker_finds_an_import_of_a_higher_layer(tmp_path: Path) -> None:
    src = _package(tmp_path, {
        "wargame/errors.py": "",
        "wargame/engine/__init__.py": "",
        "wargame/engine/run.py": "import numpy\nfrom wargame.errors import X\n\n\n"
                                 "def f():\n    from wargame.report import tables\n",
        "wargame/engine/step.py": "from . import run\nfrom ..report.tables import draw\n",
        "wargame/report/__init__.py": "",
        "wargame/report/tables.py": "from wargame.engine import run\n",
        "wargame/cli/__init__.py": "",
        "wargame/cli/app.py": "import wargame.report.tables\nfrom wargame import engine\n",
    })
    found = [str(v) for v in check_layers(src, PLACES_SMALL)]
    assert found == [
        "wargame.engine.run:6 (engine) imports wargame.report.tables (report)",
        "wargame.engine.step:2 (engine) imports wargame.report.tables (report)",
    ]


@pytest.mark.parametrize("text", ["import wargame.cli\n", "from wargame import cli\n",
                                  "if TYPE_CHECKING:\n    from wargame.cli.app import App\n",
                                  "import wargame\n"])
def test_the_checker_counts_every_form_of_import(tmp_path: Path, text: str) -> None:
    src = _package(tmp_path, {"wargame/errors.py": text, "wargame/cli/__init__.py": "",
                              "wargame/cli/app.py": ""})
    assert [v.module for v in check_layers(src, PLACES_SMALL)] == ["wargame.errors"]


def test_the_checker_refuses_a_module_without_a_layer(tmp_path: Path) -> None:
    src = _package(tmp_path, {"wargame/stray.py": "import wargame.errors\n",
                              "wargame/errors.py": ""})
    with pytest.raises(KeyError, match="stray"):
        check_layers(src, PLACES_SMALL)
