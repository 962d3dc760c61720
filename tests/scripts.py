"""The scripts of ``validation/`` loaded as modules, for the tests of their functions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

VALIDATION = Path(__file__).resolve().parents[1] / "validation"


def validation_script(name: str) -> ModuleType:
    """``validation/NAME.py`` as the module ``NAME`` (loaded once: a script that imports
    another, as ``campaigns`` imports ``aleppo_hindcast``, shares it)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, VALIDATION / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module
