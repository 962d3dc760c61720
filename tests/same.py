"""Structural equality of JSON-like documents, for the tests that rerun a fit."""

from __future__ import annotations

import math
from typing import Any


def assert_same(a: Any, b: Any, path: str = "", ordered: bool = True) -> None:
    """Equal structures; floats equal to 1e-5 relative (the fit files keep 6 digits). With
    ``ordered`` the keys of every mapping must also come in the same order."""
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, int | float) and isinstance(b, int | float), path
        assert math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9), f"{path}: {a} != {b}"
    elif isinstance(a, dict):
        same_keys = list(a) == list(b) if ordered else sorted(a) == sorted(b)
        assert isinstance(b, dict) and same_keys, f"{path}: keys differ"
        for key in a:
            assert_same(a[key], b[key], f"{path}.{key}", ordered)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]", ordered)
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"
