"""Numba's on-disk cache of the engine's kernels, kept in step with the engine's sources.

Numba keys a cached kernel on the modification time and size of the kernel's own source file
only. A kernel that calls a compiled function of another file (``common.pairwise_sum``, say)
holds that function's machine code too; when only the other file changes (a ``git pull``, an
edit), Numba loads the stale kernel, which computes with the old rule or crashes the process.
So on import the engine compares one digest of all its sources with the digest stamped beside
the cache and, when they differ, removes the cached kernels; they are compiled again on first
use (about 10 s) and cached for the next run. The check reads the sources once (about a
millisecond). A cache kept elsewhere (``NUMBA_CACHE_DIR``) is the user's to manage.

The first kernel call of a process also builds Numba's typing and lowering registries, and
one of their modules, ``numba.np.arraymath``, probes on import for a BLAS by importing
``scipy.linalg`` (where scipy is installed, as the ``discover`` extra and the development
tools install it): a few tenths of a second of a one-game batch, for ``np.correlate`` and
``np.convolve``, which no kernel calls. :func:`skip_blas_probe` answers the probe "no BLAS"
instead, when the registries are built. It changes no kernel: ``np.dot`` and the other
linear algebra check for BLAS again when a kernel using them is compiled, and
``np.correlate`` then sums in a loop.

Those registries are needed to compile a kernel, not to load one from the cache: Numba builds
them before every load "to ensure [the context] is initialized", and again, itself, before it
compiles anything. :func:`defer_registries` makes a load initialise only Numba's runtime (the
memory management the kernels' arrays use), so a run whose kernels are all cached never builds
the registries, and a run that compiles builds them when it compiles. It changes no kernel:
the machine code loaded is the cache's.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

ENGINE = Path(__file__).resolve().parent
"""The engine's package folder: its ``.py`` files, and the phases' below it."""
STAMP = "kernels.digest"
"""The file, in the engine's ``__pycache__``, holding the digest the cache was built from."""
CACHED = ("*.nbi", "*.nbc")
"""Numba's cache files: an index per kernel and its compiled code."""


def sources_digest(root: Path = ENGINE) -> str:
    """SHA-256 of every ``.py`` file under ``root``, by relative path and content."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def refresh(root: Path = ENGINE) -> bool:
    """Remove the cached kernels under ``root`` if its sources changed since they were built;
    True if anything was removed. Never fails: a cache it cannot read or write is left as is."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return False
    try:
        digest = sources_digest(root)
        stamp = root / "__pycache__" / STAMP
        if stamp.is_file() and stamp.read_text(encoding="ascii").strip() == digest:
            return False
        removed = False
        for cache in root.rglob("__pycache__"):
            for pattern in CACHED:
                for f in cache.glob(pattern):
                    f.unlink(missing_ok=True)
                    removed = True
        stamp.parent.mkdir(exist_ok=True)
        tmp = stamp.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(digest + "\n", encoding="ascii")
        tmp.replace(stamp)
        return removed
    except OSError:
        return False


def skip_blas_probe() -> bool:
    """Import ``numba.np.arraymath`` with its BLAS probe answered "none", so that building the
    registries for a compile does not import ``scipy.linalg``; True if it did so. Nothing is
    done when the module is already imported or scipy's linear algebra already loaded (the
    probe is then free), or when Numba's layout is not the one expected (the probe then runs
    as usual)."""
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return False
    try:
        from numba.np import linalg
        probe = linalg.ensure_blas
    except (ImportError, AttributeError):
        return False

    def no_blas() -> None:
        raise ImportError("BLAS probe skipped: no kernel of the engine uses it")

    linalg.ensure_blas = no_blas
    try:
        from numba.np import arraymath
    finally:
        linalg.ensure_blas = probe
    arraymath.ensure_blas = probe
    return True


def defer_registries() -> bool:
    """Load cached kernels without building Numba's typing and lowering registries first
    (Numba's compiler builds them itself before compiling, and then, through
    :func:`skip_blas_probe`, without the BLAS probe); True if it did so. Nothing is done when
    Numba's layout is not the one expected (loads then build them as usual)."""
    try:
        from numba.core import caching
        from numba.core.runtime import rtsys
    except ImportError:
        return False
    cache = getattr(caching, "Cache", None)
    load = getattr(cache, "load_overload", None)
    if load is None or getattr(load, "deferred", False) or not hasattr(
            cache, "_guard_against_spurious_io_errors") or not hasattr(cache, "_load_overload"):
        return False

    def load_overload(self: Any, sig: Any, target_context: Any) -> Any:
        # Numba's own method, but for ``target_context.refresh()``: only the runtime the
        # loaded code calls into is initialised.
        rtsys.initialize(target_context)
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)

    load_overload.deferred = True  # type: ignore[attr-defined]
    setattr(cache, "load_overload", load_overload)  # noqa: B010 (a method of Numba's class)
    try:
        from numba.core.cpu import CPUContext
        registries = CPUContext.load_additional_registries
    except (ImportError, AttributeError):
        return True

    def load_additional_registries(self: Any) -> None:
        # When a compile does build them, it builds them without the BLAS probe.
        skip_blas_probe()
        registries(self)

    setattr(CPUContext, "load_additional_registries",  # noqa: B010 (as above)
            load_additional_registries)
    return True
