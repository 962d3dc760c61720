"""The installed wargame's version, read once and only when asked.

A leaf module (it imports nothing of the package), so any layer may record the version with a
result without importing the package root. Reading the installed metadata costs about 30 ms,
which every command would otherwise pay before it could even take charge of Ctrl-C; so the
value is read on first use and kept.
"""

from __future__ import annotations

import functools
from typing import Any

UNKNOWN = "0.0.0+unknown"
"""The version of a source tree that was never installed (no package metadata)."""


@functools.cache
def version() -> str:
    """The installed wargame's version (``importlib.metadata``), read once."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("wargame")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        return UNKNOWN


def __getattr__(name: str) -> Any:
    # ``from wargame.version import __version__`` reads the metadata then, not on import.
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'wargame.version' has no attribute {name!r}")
