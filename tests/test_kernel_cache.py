"""The kernel cache is cleared when any engine source changes (wargame.engine.kernel_cache)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wargame.engine.kernel_cache import STAMP, refresh, sources_digest


def _engine(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A stand-in engine: two source files, each with cached kernels beside it."""
    root = tmp_path / "engine"
    (root / "phases" / "__pycache__").mkdir(parents=True)
    (root / "__pycache__").mkdir()
    (root / "common.py").write_text("def f():\n    return 1\n")
    (root / "phases" / "orders.py").write_text("from common import f\n")
    cached = [root / "__pycache__" / "common.f-1.py311.nbi",
              root / "phases" / "__pycache__" / "orders.g-1.py311.1.nbc"]
    for c in cached:
        c.write_bytes(b"kernel")
    return root, cached


def test_a_cache_built_from_other_sources_is_removed_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    root, cached = _engine(tmp_path)
    assert refresh(root) is True                     # no stamp yet: built from unknown sources
    assert not any(c.exists() for c in cached)
    assert (root / "__pycache__" / STAMP).read_text().strip() == sources_digest(root)
    for c in cached:                                 # compiled again, from these sources
        c.write_bytes(b"kernel")
    assert refresh(root) is False
    assert all(c.exists() for c in cached)
    # A change to a file the kernel does not live in (a callee) still clears every kernel.
    (root / "common.py").write_text("def f():\n    return 2\n")
    assert refresh(root) is True
    assert not any(c.exists() for c in cached)
    assert (root / "phases" / "orders.py").exists()  # sources are never touched


def test_a_cache_kept_elsewhere_is_left_alone(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "elsewhere"))
    root, cached = _engine(tmp_path)
    assert refresh(root) is False
    assert all(c.exists() for c in cached)


def test_the_digest_names_the_files_and_their_content(tmp_path: Path) -> None:
    root, _ = _engine(tmp_path)
    before = sources_digest(root)
    (root / "common.py").rename(root / "other.py")   # same bytes, another file
    assert sources_digest(root) != before


GAME = """
import json, sys
import numpy as np
from wargame.engine import compile_scenario, simulate
from wargame.scenario import load
c = compile_scenario(load("scenarios/aleppo_2015.yaml", []).scenario)
simulate(c, np.random.default_rng(1), 1)
print(json.dumps({"registries": "numba.np.arraymath" in sys.modules,
                  "scipy": "scipy.linalg" in sys.modules}))
"""

COMPILE = """
import json, sys
import numpy as np
from numba import njit
import wargame.engine

@njit
def twice(a):
    return 2.0 * a.sum()

first = float(twice(np.arange(3.0)))     # compiles: the registries are built now
built = "numba.np.arraymath" in sys.modules
probe_skipped = "scipy.linalg" not in sys.modules
from numba.np import arraymath, linalg
restored = arraymath.ensure_blas is linalg.ensure_blas

@njit
def dot(a, b):
    return np.dot(a, b)

print(json.dumps({"first": first, "built": built, "probe_skipped": probe_skipped,
                  "restored": restored, "dot": float(dot(np.arange(3.0), np.arange(3.0)))}))
"""


def _run(code: str) -> dict[str, object]:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(root)})
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_a_game_from_cached_kernels_builds_no_compiler_registries() -> None:
    """Numba's registries are for compiling: a game whose kernels are all in the cache (the
    second run; the first may compile them) never builds them, nor imports scipy.linalg."""
    _run(GAME)
    assert _run(GAME) == {"registries": False, "scipy": False}


def test_a_compile_builds_the_registries_without_the_blas_probe() -> None:
    """A kernel compiled after the engine's import gets the registries built, without
    Numba's BLAS probe (no scipy.linalg), and a kernel compiled later still gets np.dot
    from BLAS."""
    pytest.importorskip("scipy")
    assert _run(COMPILE) == {"first": 6.0, "built": True, "probe_skipped": True,
                             "restored": True, "dot": 5.0}
