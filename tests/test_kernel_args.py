"""The engine's compiled kernels take a few named bundles, not long lists of arrays.

Every array has the same Numba type, so two positional arrays swapped at a call are not
caught by anything: the games just change. Kernels take their inputs as named tuples (the
map, a faction's state in each game, the turn's plan, a phase's settings) and read them by
name. This test parses ``wargame/engine`` and fails if a function decorated with ``@njit``
takes more than ``MAX_ARGS`` arguments.
"""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "wargame" / "engine"

MAX_ARGS = 8
"""The most arguments a compiled kernel may take."""


def _is_njit(decorator: ast.expr) -> bool:
    """``@njit``, ``@njit(...)``, ``@numba.njit`` or ``@numba.njit(...)``."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Name) and target.id == "njit") or (
        isinstance(target, ast.Attribute) and target.attr == "njit")


def kernels(root: Path = ENGINE) -> dict[str, int]:
    """``module.function`` -> its number of arguments, for every ``@njit`` function under
    ``root`` (positional, keyword-only, ``*args`` and ``**kwargs`` each count one)."""
    out: dict[str, int] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(map(_is_njit, node.decorator_list)):
                a = node.args
                n = (len(a.posonlyargs) + len(a.args) + len(a.kwonlyargs)
                     + (a.vararg is not None) + (a.kwarg is not None))
                out[f"{path.relative_to(root).with_suffix('').as_posix()}.{node.name}"] = n
    return out


def test_the_engine_has_compiled_kernels() -> None:
    found = kernels()
    # The parse finds the kernels (a rename of the decorator would make the next test pass
    # on nothing).
    assert len(found) > 20
    assert "phases/engagement.engage" in found


def test_no_kernel_takes_more_than_eight_arguments() -> None:
    too_many = {name: n for name, n in kernels().items() if n > MAX_ARGS}
    assert not too_many, (
        f"compiled kernels with more than {MAX_ARGS} arguments (pass named tuples of arrays "
        f"instead): {too_many}")


def test_the_count_sees_every_kind_of_argument(tmp_path: Path) -> None:
    (tmp_path / "k.py").write_text(
        "from numba import njit\n"
        "import numba\n"
        "@njit(cache=True)\n"
        "def a(x, y, /, z, *rest, w, **more):\n"
        "    pass\n"
        "@numba.njit\n"
        "def b(x):\n"
        "    pass\n"
        "def c(x, y, z, u, v, w, p, q, r):\n"
        "    pass\n", encoding="utf-8")
    assert kernels(tmp_path) == {"k.a": 6, "k.b": 1}
