"""Read a store back: the same results the batch or sweep printed when it finished."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wargame.batch.jobs import sweep_summary
from wargame.batch.run import tallies_from_store
from wargame.batch.store import StoreError, open_existing
from wargame.batch.summary import Labels, batch_summary


@dataclass(frozen=True)
class Stored:
    """What a store holds: the kind of run, its results, and whether it finished."""

    kind: str
    result: dict[str, Any]
    complete: bool
    chunks: int
    expected: int


def read_store(path: Path) -> Stored:
    """Rebuild the results from a store (without the scenario file)."""
    with open_existing(path) as store:
        spec = store.spec()
        try:
            labels = Labels.from_dict(store.meta("labels"))
        except TypeError as exc:
            raise StoreError(f"{path}: damaged store (bad labels: {exc})") from None
        tallies, complete = tallies_from_store(store, spec)
        chunks = len(store.done())
    expected = spec.plan.n_chunks * spec.n_points
    if spec.kind == "batch":
        result = batch_summary(spec, tallies[0], labels)
    elif spec.kind == "sweep":
        result = sweep_summary(spec, tallies, labels)
    else:
        raise StoreError(f"{path}: unknown kind of run {spec.kind!r}")
    return Stored(spec.kind, result, complete, chunks, expected)
