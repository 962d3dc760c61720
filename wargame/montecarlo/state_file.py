"""A branch's games saved at a turn (``wargame branch --save-state FILE``), to branch again
from them without playing the first turns again (``--from-state FILE``).

The file is a NumPy ``.npz`` archive (no pickles) holding:

* ``meta``: JSON text: ``format`` (:data:`STATE_FORMAT`), ``kind`` (:data:`KIND`), the
  scenario's name and digest (the fingerprint of the resolved scenario, ``--set`` included),
  ``seed``, ``runs``, ``chunk_size``, the turn ``at``, the names of the state's fields and of
  the parameters, and the versions it was made with;
* for each chunk ``i``: ``i/state/FIELD`` for every field of the game state, ``i/param/NAME``
  for every parameter drawn, and ``i/rng``, the JSON state of the chunk's generator.

On load every part is checked: a file that is not a saved state, of another format, of another
scenario (digest) or damaged is a clear error naming the file.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from wargame.engine import Compiled, Game, Snapshot
from wargame.engine.snapshot import generator_at
from wargame.engine.state import State
from wargame.errors import EXIT_INVALID, WargameError
from wargame.montecarlo.seeds import ChunkPlan
from wargame.montecarlo.spec import versions
from wargame.scenario.limits import BUDGET_VARIABLE, memory_budget
from wargame.textsafe import excerpt

STATE_FORMAT = 1
KIND = "wargame branch state"


class BadStateFile(WargameError):
    """A saved state that cannot be used (invalid input: exit code 2)."""

    exit_code = EXIT_INVALID


@dataclass(frozen=True)
class SavedState:
    """The games of every chunk of a batch at turn ``at``, and the batch they come from."""

    scenario: str
    digest: str
    seed: int
    runs: int
    chunk_size: int
    at: int
    chunks: dict[int, Snapshot]

    @property
    def plan(self) -> ChunkPlan:
        """The batch's chunks."""
        return ChunkPlan(self.runs, self.chunk_size)


def to_bytes(saved: SavedState) -> bytes:
    """The ``.npz`` archive of a saved state (see the module docstring)."""
    first = saved.chunks[0].game
    meta = {"format": STATE_FORMAT, "kind": KIND, "scenario": saved.scenario,
            "digest": saved.digest, "seed": str(saved.seed), "runs": saved.runs,
            "chunk_size": saved.chunk_size, "at": saved.at,
            "fields": [f.name for f in fields(State)], "params": list(first.params),
            "versions": versions()}
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta))}
    for i, snap in sorted(saved.chunks.items()):
        st = snap.game.state
        for f in fields(State):
            arrays[f"{i}/state/{f.name}"] = np.asarray(getattr(st, f.name))
        for k, v in snap.game.params.items():
            arrays[f"{i}/param/{k}"] = np.asarray(v)
        arrays[f"{i}/rng"] = np.array(json.dumps(snap.rng_state))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def read(path: Path) -> SavedState:
    """A saved state, checked (:class:`BadStateFile` naming the file and the fault)."""
    where = excerpt(path, 200)
    if not path.is_file():
        raise BadStateFile(f"--from-state {where}: no such file")
    try:
        with zipfile.ZipFile(path) as zf:
            size = sum(info.file_size for info in zf.infolist())
        if size > memory_budget():  # checked before anything is decompressed
            raise BadStateFile(f"--from-state {where}: holds {size:,} bytes of arrays, more "
                               f"than the memory budget of {memory_budget():,} bytes "
                               f"({BUDGET_VARIABLE} GiB)")
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise BadStateFile(f"--from-state {where}: not a saved state ({excerpt(exc, 120)})") \
            from None
    try:
        return _parse(data)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError,
            RecursionError) as exc:
        raise BadStateFile(f"--from-state {where}: not a saved state, or a damaged one "
                           f"({excerpt(exc, 160)})") from None


def _parse(data: dict[str, np.ndarray]) -> SavedState:
    meta = json.loads(str(data["meta"][()]))
    if not isinstance(meta, dict) or meta.get("kind") != KIND:
        raise ValueError("its meta record is not a saved state's")
    if meta.get("format") != STATE_FORMAT:
        raise ValueError(f"format {meta.get('format')!r}; this version reads format "
                         f"{STATE_FORMAT}")
    names = [f.name for f in fields(State)]
    if meta["fields"] != names:
        raise ValueError("its game state has other fields than this version's (saved by "
                         f"wargame {meta.get('versions', {}).get('wargame', '?')})")
    plan = ChunkPlan(int(meta["runs"]), int(meta["chunk_size"]))
    at = int(meta["at"])
    chunks = {}
    for i in range(plan.n_chunks):
        games = plan.games(i)
        state = {}
        for name in names:
            a = data[f"{i}/state/{name}"]
            if a.ndim < 1 or a.shape[0] != games or a.dtype.kind not in "biuf":
                raise ValueError(f"chunk {i}: state field {name} holds {a.shape[:1]} games, "
                                 f"not {games}")
            state[name] = a
        params = {}
        for k in meta["params"]:
            v = data[f"{i}/param/{k}"]
            if v.shape != (games,) or v.dtype.kind != "f":
                raise ValueError(f"chunk {i}: parameter {k} is not one number per game")
            params[k] = v
        rng_state = json.loads(str(data[f"{i}/rng"][()]))
        generator_at(rng_state)  # a generator state numpy accepts (so a mapping)
        assert isinstance(rng_state, dict)
        chunks[i] = Snapshot(Game(State(**state), params, at), rng_state)
    return SavedState(str(meta["scenario"]), str(meta["digest"]), int(meta["seed"]),
                      plan.runs, plan.chunk_size, at, chunks)


def check_fits(saved: SavedState, digest: str, path: Path) -> None:
    """The saved state belongs to the scenario whose digest is ``digest``."""
    if saved.digest != digest:
        raise BadStateFile(f"--from-state {excerpt(path, 200)}: saved from another scenario "
                           f"(digest {saved.digest[:12]} in the file, {digest[:12]} here; it "
                           f"was saved from {excerpt(saved.scenario, 200)} with its --set "
                           "overrides): give the scenario it was saved from")


def check_games(saved: SavedState, c: Compiled, path: Path) -> None:
    """Every chunk's games are games of the compiled scenario ``c``: each state field of its
    shape and type, and its parameters (a file of another wargame version may differ)."""
    from wargame.engine.branch import state_layout

    layout = state_layout(c)
    where = f"--from-state {excerpt(path, 200)}"
    for i, snap in sorted(saved.chunks.items()):
        if list(snap.game.params) != list(c.params):
            raise BadStateFile(f"{where}: its games drew other parameters than this version "
                               "of wargame draws for the scenario; save the state again")
        for f in fields(State):
            a = np.asarray(getattr(snap.game.state, f.name))
            shape, dtype = layout[f.name]
            if a.shape[1:] != shape or a.dtype != dtype:
                raise BadStateFile(f"{where}: damaged (chunk {i}: its state's {f.name} is "
                                   f"{a.dtype} {a.shape[1:]}, not {dtype} {shape})")
