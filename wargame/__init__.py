"""wargame: scenario wargaming from the command line and from Python.

The package is a one-way pipeline: ``wargame.scenario`` (load and validate YAML) ->
``wargame.engine`` (vectorised turn resolution) -> ``wargame.montecarlo`` (replicates, sweeps,
stores) -> ``wargame.report`` (tables, narrative, pictures) -> ``wargame.cli`` (commands).

The public API (docs/api.md) is the functions below, from :mod:`wargame.api`::

    import wargame
    result = wargame.batch("scenarios/aleppo_2015.yaml", runs=2000, seed=7)
    result.to_pandas()        # one row per outcome: probability, 95% interval, timing

Importing the package is cheap: numpy, the engine and pandas load when first used.
"""

from typing import Any

from wargame.api import (
    batch,
    branch,
    compare,
    discover,
    load,
    open_store,
    play,
    read_store,
    sweep,
)

__all__ = ["__version__", "batch", "branch", "compare", "discover", "load", "open_store",
           "play", "read_store", "sweep"]


def __getattr__(name: str) -> Any:
    # ``__version__`` is looked up on first use (see :mod:`wargame.version`): reading the
    # installed metadata costs 30 ms, which every command would pay before it could even take
    # charge of Ctrl-C.
    if name == "__version__":
        from wargame.version import version

        value = version()
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'wargame' has no attribute {name!r}")
