"""How to install what an optional feature needs, said the same way by every message.

The optional extras of ``pyproject.toml`` are installed from lock files (exact versions with
hashes), never from unpinned names: ``make install`` installs ``data`` (pandas, xarray,
pyarrow) and ``discover`` (scikit-learn) from ``requirements/runtime.txt``; ``make
install-all`` adds ``dask`` and ``sensitivity`` (Dask, SALib) from ``requirements/all.txt``.
"""

from __future__ import annotations

TARGETS = {"data": "install", "discover": "install", "dask": "install-all",
           "sensitivity": "install-all"}
"""The make target that installs each extra."""
LOCKS = {"install": "requirements/runtime.txt", "install-all": "requirements/all.txt"}
"""The lock file each target installs from."""


def install_hint(extra: str) -> str:
    """How to install ``extra`` from the lock: the make target, and the pip command it runs."""
    target = TARGETS[extra]
    return (f"run 'make {target}' in the wargame folder (or: pip install --require-hashes "
            f"-r {LOCKS[target]})")


def needs(what: str, package: str, extra: str) -> str:
    """``scenario discovery needs scikit-learn: run 'make install' ...``."""
    return f"{what} needs {package}: {install_hint(extra)}"
