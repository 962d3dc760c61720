"""wargame: scenario wargaming from the command line.

The package is a one-way pipeline: ``wargame.scenario`` (load and validate YAML) ->
``wargame.engine`` (vectorised turn resolution) -> ``wargame.batch`` (replicates, sweeps,
stores) -> ``wargame.report`` (tables, narrative, pictures) -> ``wargame.cli`` (commands).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wargame")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
