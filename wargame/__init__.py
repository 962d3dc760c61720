"""wargame: scenario wargaming from the command line and from Python.

The package is a one-way pipeline: ``wargame.scenario`` (load and validate YAML) ->
``wargame.engine`` (vectorised turn resolution) -> the batch layer (replicates, sweeps,
stores) -> ``wargame.report`` (tables, narrative, pictures) -> ``wargame.cli`` (commands).

The public API (docs/api.md) is the functions below, from :mod:`wargame.api`::

    import wargame
    result = wargame.batch("scenarios/aleppo_2015.yaml", runs=2000, seed=7)
    result.to_pandas()        # one row per outcome: probability, 95% interval, timing

Importing the package is cheap: numpy, the engine and pandas load when first used.
"""

from importlib.metadata import PackageNotFoundError, version

# The batch layer's package is also called ``wargame.batch``; import it first so that the name
# ``wargame.batch`` below is the API function (its submodules import as usual, e.g.
# ``from wargame.batch.results import BatchResult``).
import wargame.batch as _batch_layer  # noqa: F401
from wargame.api import batch, compare, discover, load, play, read_store, sweep

try:
    __version__ = version("wargame")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "batch", "compare", "discover", "load", "play", "read_store",
           "sweep"]
