"""Per-game records: one row per game, streamed chunk by chunk to Parquet or kept in memory.

:func:`game_columns` is the one place that says what a record holds; it reads a chunk's
:class:`~wargame.engine.result.GameResult` (and the parameters the engine sampled). Columns:

==========================  =========  =====================================================
column                      type       meaning
==========================  =========  =====================================================
``seed``                    text       the batch's root seed
``chunk``                   int64      the chunk: its generator is ``chunk_rng(seed, chunk)``
``replicate``               int32      the game's position in its chunk
``game``                    int64      ``chunk * chunk_size + replicate``
``first_turn.<outcome>``    int16      first turn the outcome held (null: it never came true)
``controller.<place>``      category   faction holding the place at the end (null: nobody)
``start.<faction>``         float64    strength at the start (after sampling)
``strength.<faction>``      float64    strength at the end
``casualties.<faction>``    float64    combat, air and siege losses
``reinforcements.<faction>`` float64   fighters that arrived during the game
``changes_of_control``      int32      places that changed hands, summed over the turns
``civilians_killed``        float64    civilians killed, all places (``.<place>``: there)
``displaced``               float64    civilians who fled, all places (``.<place>``: there)
``param.<path>``            float64    sampled value of each uncertain parameter
==========================  =========  =====================================================

``first_turn`` follows the outcome's verdict: a ``when: final`` outcome that held at the end
has the last turn. The seed path ``(seed, chunk, replicate)`` with the chunk size identifies
the game: ``wargame.play(scenario, seed=seed, game=game, chunk_size=...)`` replays it.

Chunks are written in chunk order, whatever the number of workers, so the file's rows are the
same with one worker or many. Memory is bounded: at most ``ROW_GROUP_ROWS`` rows are held
before they are written as one Parquet row group.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wargame.errors import UsageError, WargameError
from wargame.jsontypes import JSONObject
from wargame.montecarlo.tidy import need
from wargame.outputs import Replacement, cannot_write, check_target, is_special, not_a_file

if TYPE_CHECKING:
    from wargame.engine import Compiled, GameResult

Columns = dict[str, np.ndarray]
ROW_GROUP_ROWS = 16_384  # rows per Parquet row group: a few MiB held before each write
PARAM_PREFIX = "param."


@dataclass(frozen=True)
class GameLayout:
    """What a chunk's records need beyond its results: ids, seed, chunk size, parameter names."""

    seed: int
    chunk_size: int
    factions: list[str]
    settlements: list[str]
    outcomes: list[str]
    params: list[tuple[str, str]]   # (engine parameter name, column name)

    @property
    def param_columns(self) -> list[str]:
        """The ``param.<path>`` columns, in the engine's sampling order."""
        return [col for _, col in self.params]


def layout_for(compiled: Compiled, seed: int, chunk_size: int) -> GameLayout:
    """The layout of a scenario's records; uncertain parameters are named by scenario path."""
    from wargame.scenario.params import param_is_uncertain
    from wargame.scenario.walk import uncertain_params

    path_of = {id(v): p for p, v in uncertain_params(compiled.scenario)}
    params: list[tuple[str, str]] = []
    used: set[str] = set()
    for name, value in compiled.params.items():
        if not param_is_uncertain(value):
            continue
        col = PARAM_PREFIX + path_of.get(id(value), name)
        if col in used:  # one scenario value behind two engine parameters
            col = f"{PARAM_PREFIX}{name}"
        used.add(col)
        params.append((name, col))
    return GameLayout(seed, chunk_size, list(compiled.factions), list(compiled.settlements),
                      list(compiled.outcomes), params)


def game_columns(res: GameResult, layout: GameLayout, chunk: int) -> Columns:
    """The per-game records of one chunk (``res`` played with ``record_turns=True``)."""
    r = res.replicates
    idx = np.arange(r)
    cols: Columns = {"chunk": np.full(r, chunk, dtype=np.int64),
                     "replicate": idx.astype(np.int32),
                     "game": chunk * layout.chunk_size + idx.astype(np.int64)}
    turn = np.asarray(res.outcome_turn, dtype=np.int16)
    for o, oid in enumerate(layout.outcomes):
        cols[f"first_turn.{oid}"] = turn[:, o]
    control = np.asarray(res.control, dtype=np.int16)
    for s, sid in enumerate(layout.settlements):
        cols[f"controller.{sid}"] = control[:, s]
    for group, values in (("start", res.initial_strength), ("strength", res.strength),
                          ("casualties", res.casualties),
                          ("reinforcements", res.reinforcements)):
        v = np.asarray(values, dtype=np.float64)
        for f, fid in enumerate(layout.factions):
            cols[f"{group}.{fid}"] = v[:, f]
    if res.control_by_turn is None:
        raise ValueError("per-game records need simulate(..., record_turns=True)")
    cbt = np.asarray(res.control_by_turn)
    cols["changes_of_control"] = (cbt[1:] != cbt[:-1]).sum(axis=(0, 2)).astype(np.int32)
    for group, count in (("civilians_killed", res.civilians_killed),
                         ("displaced", res.displaced)):
        if count is None:
            continue
        v = np.asarray(count, dtype=np.float64)
        cols[group] = v.sum(axis=1)
        for s, sid in enumerate(layout.settlements):
            cols[f"{group}.{sid}"] = v[:, s]
    params = res.params or {}
    for name, col in layout.params:
        cols[col] = np.asarray(params[name], dtype=np.float64)
    return cols


def to_arrow(cols: Columns, layout: GameLayout, meta: JSONObject | None = None) -> Any:
    """One chunk's columns as a :class:`pyarrow.Table` (nulls for "never" and "nobody")."""
    pa = need("pyarrow")
    factions = pa.array(layout.factions, pa.string())
    n = len(cols["game"])
    names = ["seed"]
    arrays = [pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int8)),
                                             pa.array([str(layout.seed)]))]
    for name, v in cols.items():
        if name.startswith("first_turn."):
            arr = pa.array(v, pa.int16(), mask=v < 0)
        elif name.startswith("controller."):
            arr = pa.DictionaryArray.from_arrays(pa.array(v.astype(np.int8), mask=v < 0),
                                                 factions)
        else:
            arr = pa.array(v)
        names.append(name)
        arrays.append(arr)
    metadata = None if meta is None else {"wargame": json.dumps(meta, sort_keys=True,
                                                                default=str)}
    return pa.Table.from_arrays(arrays, names=names, metadata=metadata)


def _pandas(tbl: Any) -> Any:
    """Arrow to pandas with nullable whole numbers (null turns stay null, not NaN floats)."""
    pa = need("pyarrow")
    pd = need("pandas")
    ints = {pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
            pa.int64(): pd.Int64Dtype()}
    return tbl.to_pandas(types_mapper=ints.get)


def check_games_path(path: Path) -> None:
    """Fail early on a ``--games`` file that cannot be written, before any game is played."""
    if path.suffix.lower() != ".parquet":
        raise UsageError(f"--games {path}: per-game records are written as Parquet; give a "
                         "file name ending in .parquet")
    if is_special(path):  # records are renamed into place: never over a device
        raise not_a_file(path, "--games")
    check_target(path, "--games")
    need("pyarrow")


class RecordSink:
    """Where the records of each chunk go, in chunk order: memory, or a Parquet file."""

    def __init__(self, layout: GameLayout, path: Path | None = None,
                 meta: JSONObject | None = None) -> None:
        self.layout = layout
        self.path = path
        self.meta = meta or {}
        self.rows = 0
        self._chunks: list[Columns] = []   # in memory: every chunk; on file: the unwritten
        self._buffered = 0
        self._writer: Any = None
        self._file: Replacement | None = None  # the file being written, put in place at close

    def add(self, cols: Columns) -> None:
        """Take the next chunk's records."""
        self._chunks.append(cols)
        n = len(cols["game"])
        self.rows += n
        self._buffered += n
        if self.path is not None and self._buffered >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._chunks:
            return
        pa = need("pyarrow")
        pq = need("pyarrow.parquet")
        tbl = pa.concat_tables([to_arrow(c, self.layout, self.meta) for c in self._chunks])
        path = self.path
        assert path is not None
        if self._writer is None:
            self._file = Replacement(path)
            try:
                self._writer = pq.ParquetWriter(self._file.path, tbl.schema)
            except OSError as exc:
                raise cannot_write(path, exc) from None
        try:
            self._writer.write_table(tbl)
        except OSError as exc:
            raise cannot_write(path, exc) from None
        self._chunks = []
        self._buffered = 0

    def close(self, ok: bool) -> GameRecords:
        """Finish: on a file, write the rest and put the file in place (only if ``ok``)."""
        if self.path is None:
            return GameRecords(self.layout, None, self.rows, self._chunks, self.meta)
        path = self.path
        done = False
        try:
            if ok:
                self._flush()
            if self._writer is not None:
                try:
                    self._writer.close()
                except OSError as exc:
                    raise cannot_write(path, exc) from None
            if ok and self._file is not None:
                self._file.commit()
            done = True
        finally:
            if self._file is not None and not (ok and done):
                self._file.discard()
        return GameRecords(self.layout, self.path, self.rows, [], self.meta)


@dataclass
class GameRecords:
    """The per-game records of a batch: in a Parquet file (``path``) or in memory."""

    layout: GameLayout
    path: Path | None
    rows: int
    chunks: list[Columns] = field(default_factory=list, repr=False)
    meta: JSONObject = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return self.rows

    def to_arrow(self) -> Any:
        """The records as a :class:`pyarrow.Table`."""
        if self.path is not None:
            return need("pyarrow.parquet").read_table(self.path)
        pa = need("pyarrow")
        return pa.concat_tables([to_arrow(c, self.layout, self.meta) for c in self.chunks])

    def to_pandas(self) -> Any:
        """One row per game as a :class:`pandas.DataFrame` (needs ``wargame[data]``)."""
        return _pandas(self.to_arrow())

    def column(self, name: str) -> np.ndarray:
        """One column as a numpy array (-1 for "never" and "nobody"), without pandas."""
        if self.path is None:
            if self.chunks and name not in self.chunks[0]:
                raise KeyError(name)
            return np.concatenate([c[name] for c in self.chunks]) if self.chunks else \
                np.zeros(0)
        pq = need("pyarrow.parquet")
        col = pq.read_table(self.path, columns=[name]).column(name).combine_chunks()
        if name.startswith("controller."):
            return np.asarray(col.indices.fill_null(-1))
        return np.asarray(col.fill_null(-1) if name.startswith("first_turn.") else col)


def read_games(path: Path) -> GameRecords:
    """Open a ``--games`` file written by a batch (its layout is in the file's metadata)."""
    pq = need("pyarrow.parquet")
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise WargameError(f"{path}: not a Parquet file ({exc})") from None
    raw = (schema.metadata or {}).get(b"wargame")
    if raw is None:
        raise WargameError(f"{path}: not a file of per-game records (written by "
                           "`wargame batch --games`)")
    meta, seed, chunk_size = _records_meta(raw)
    if meta is None:
        raise WargameError(f"{path}: its metadata is damaged (no seed and chunk size)")
    names = schema.names
    layout = GameLayout(
        seed, chunk_size,
        [n.split(".", 1)[1] for n in names if n.startswith("strength.")],
        [n.split(".", 1)[1] for n in names if n.startswith("controller.")],
        [n.split(".", 1)[1] for n in names if n.startswith("first_turn.")],
        [("", n) for n in names if n.startswith(PARAM_PREFIX)])
    rows = pq.ParquetFile(path).metadata.num_rows
    return GameRecords(layout, path, rows, [], meta)


def _records_meta(raw: bytes) -> tuple[JSONObject | None, int, int]:
    """The batch's spec kept in a records file, with its seed and chunk size (``None`` if it
    is not one)."""
    try:
        meta = json.loads(raw)
    except (ValueError, RecursionError):
        return None, 0, 0
    if not isinstance(meta, dict):
        return None, 0, 0
    seed, chunk_size = meta.get("seed"), meta.get("chunk_size")
    if isinstance(seed, str) and seed.isdigit():
        seed = int(seed)   # batch_job writes it as text
    if not isinstance(seed, int) or not isinstance(chunk_size, int):
        return None, 0, 0
    return meta, seed, chunk_size
