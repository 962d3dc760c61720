"""Durable batch results in one SQLite file (``--store FILE``).

Schema (``PRAGMA application_id`` = 0x57415247, "WARG"; ``PRAGMA user_version`` = 3)::

    meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
        'spec'     -> the batch spec as JSON (see wargame.montecarlo.spec.BatchSpec)
        'labels'   -> ids, names and turn dates for the tables
                      (see wargame.montecarlo.summary.Labels)
        'scenario' -> the resolved scenario the run played, as JSON (``extends`` followed,
                      ``--set`` applied): pictures and reports of the store use this copy
        'seal'     -> the SHA-256 of 'spec', 'labels' and 'scenario' as stored
        'finished' -> written when the run ends: how many chunk rows it left and their digest
    chunks(point INTEGER, chunk INTEGER, games INTEGER, stats BLOB, digest TEXT,
           PRIMARY KEY(point, chunk))
        stats:  the chunk's sufficient statistics as a compressed .npz (no pickles)
        digest: SHA-256 over the seal, point, chunk, games and stats
                (see wargame.montecarlo.store_check)

The file is in WAL mode and every chunk is written in its own transaction, so a Ctrl-C, a
crash or a SIGKILL leaves the store holding whole chunks only; ``--resume`` runs the missing
ones and never counts one twice (the primary key forbids it).

A store is checked as it is read (:mod:`wargame.montecarlo.store_check`): a damaged spec, a chunk
whose digest does not match (moved, swapped or edited) or whose arrays are not this run's is
an error, and so are labels, a spec or a scenario copy that no longer match the seal; in a
finished run, a chunk row missing, added or changed is reported as a change to the store, not
read as an unfinished run. In an unfinished one, rows outside the run's plan are left out and
counted (:meth:`Store.ignored`). Stores of version 2 (chunk digests over the spec only, dense
histograms capped at 1e9) and version 1 (no digests, no scenario copy) are still read.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from wargame.errors import EXIT_INVALID, UsageError, WargameError
from wargame.jsontypes import JSONObject, JSONValue, RawMapping
from wargame.montecarlo import store_check
from wargame.montecarlo.spec import BatchSpec
from wargame.montecarlo.summary import Labels
from wargame.montecarlo.tally import Arrays, from_bytes, to_bytes
from wargame.outputs import is_special
from wargame.textsafe import excerpt

APPLICATION_ID = 0x57415247
_T = TypeVar("_T")

SCHEMA_VERSION = 3
UNSEALED_VERSION = 2
"""The store version before the seal and sparse histograms (still read)."""
UNCHECKED_VERSION = 1
"""The store version before chunk digests and the scenario copy (still read)."""
MAX_META_CHARS = 64 * 1024 * 1024
"""The longest metadata value read (a scenario copy is a few MiB at most)."""


class StoreError(WargameError):
    """A store that cannot be read or written (an I/O failure: exit code 1)."""


class BadStoreFile(StoreError):
    """A store whose contents cannot be used: not a wargame store, damaged or changed, of
    another version, or for another run (invalid input: exit code 2)."""

    exit_code = EXIT_INVALID


class Store:
    """An open store. Use :func:`create_or_resume` or :func:`open_existing` to get one."""

    def __init__(self, path: Path, conn: sqlite3.Connection,
                 version: int = SCHEMA_VERSION) -> None:
        self.path = path
        self.conn = conn
        self.version = version

    def close(self) -> None:
        """Close the connection (every chunk is already committed)."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def meta_text(self, key: str) -> str:
        """A metadata value as stored (JSON text)."""
        size = self._one("SELECT length(value) FROM meta WHERE key = ?", (key,))
        if size is not None and isinstance(size[0], int) and size[0] > MAX_META_CHARS:
            raise BadStoreFile(f"{self.path}: damaged store ({key!r} is {size[0]:,} characters "
                             f"long; at most {MAX_META_CHARS:,} are read)")
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        if row is None:
            raise BadStoreFile(f"{self.path}: not a wargame store (no {key!r} record)")
        if not isinstance(row[0], str):
            raise BadStoreFile(f"{self.path}: damaged store ({key!r} is not text)")
        return row[0]

    def meta(self, key: str) -> JSONValue:
        """A metadata value, decoded from JSON (unchecked: read it by checking)."""
        try:
            return json.loads(self.meta_text(key))
        except (ValueError, RecursionError):
            raise BadStoreFile(f"{self.path}: damaged store ({key!r} is not JSON)") from None

    @cached_property
    def spec_text(self) -> str:
        """The spec as stored: what every chunk's digest is taken over."""
        return self.meta_text("spec")

    def spec(self) -> BatchSpec:
        """The stored batch spec, checked (:func:`~wargame.montecarlo.store_check.spec_from`)."""
        return self._checked(store_check.spec_from, self.meta("spec"))

    def labels(self) -> Labels:
        """The stored labels, checked."""
        return self._checked(store_check.labels_from, self.meta("labels"))

    def scenario(self) -> JSONObject | None:
        """The resolved scenario the run played (``None`` in a store of version 1)."""
        if self._one("SELECT 1 FROM meta WHERE key = 'scenario'") is None:
            return None
        data = self.meta("scenario")
        if not isinstance(data, dict):
            raise BadStoreFile(f"{self.path}: damaged store (its scenario is not a mapping)")
        return data

    def _checked(self, read: Callable[[JSONValue], _T], data: JSONValue) -> _T:
        try:
            return read(data)
        except store_check.BadStore as exc:
            raise BadStoreFile(f"{self.path}: damaged or newer store: {exc}") from None

    @cached_property
    def _plan(self) -> tuple[BatchSpec, dict[str, tuple[store_check.Shape, str]]]:
        spec = self.spec()
        return spec, store_check.expected_arrays(self.labels(), spec.per_turn,
                                                 legacy=self.version < SCHEMA_VERSION,
                                                 branch=len(spec.branch.changed)
                                                 if spec.kind == "branch" else None)

    def _text_or_none(self, key: str) -> str | None:
        if self._one("SELECT 1 FROM meta WHERE key = ?", (key,)) is None:
            return None
        return self.meta_text(key)

    @cached_property
    def key(self) -> str:
        """What chunk digests are taken over: the seal (version 3) or the spec (version 2)."""
        if self.version < SCHEMA_VERSION:
            return self.spec_text
        seal = self.meta("seal")
        texts = ({k: v for k, v in seal.items() if isinstance(v, str)}
                 if isinstance(seal, dict) else {})
        if set(texts) != set(store_check.SEALED) or not isinstance(seal, dict) or \
                len(texts) != len(seal):
            raise BadStoreFile(f"{self.path}: damaged store (its seal is not a seal)")
        return store_check.seal_key(texts)

    def check_seal(self) -> None:
        """A changed spec, labels or scenario copy is an error naming what changed."""
        if self.version < SCHEMA_VERSION:
            return
        seal = self.meta("seal")
        self.key  # noqa: B018  (checks the seal's shape)
        assert isinstance(seal, dict)
        now = store_check.seal_of({k: self._text_or_none(k) for k in store_check.SEALED})
        changed = [k for k in store_check.SEALED if seal[k] != now[k]]
        if changed:
            what = " and ".join(f"its {'scenario copy' if k == 'scenario' else k}"
                                for k in changed)
            raise BadStoreFile(f"{self.path}: the store was changed after the run wrote it: "
                               f"{what} no longer match{'es' if len(changed) == 1 else ''} "
                               "what its chunks were played with; play the run again into a "
                               "new store")

    def finish(self) -> None:
        """Record that the run ended, with the chunk rows it left (version 3)."""
        if self.version < SCHEMA_VERSION:
            return
        rows = self._all("SELECT point, chunk, games, digest FROM chunks")
        value = json.dumps({"chunks": len(rows), "rows": store_check.rows_digest(rows)})
        try:
            with self.conn:
                self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES "
                                  "('finished', ?)", (value,))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot write: {_why(exc)}") from None

    def finished(self) -> bool:
        """Whether the run that wrote the store ended (a store of version 3 says so)."""
        return self._one("SELECT 1 FROM meta WHERE key = 'finished'") is not None

    def check_finished(self) -> None:
        """In a finished run, every chunk row as the run left it: a row missing, added,
        renumbered or edited is an error saying what changed."""
        if not self.finished():
            return
        mark = self.meta("finished")
        if not isinstance(mark, dict) or not isinstance(mark.get("chunks"), int) or \
                not isinstance(mark.get("rows"), str):
            raise BadStoreFile(f"{self.path}: damaged store (its record of the finish is "
                               "damaged)")
        rows = self._all("SELECT point, chunk, games, digest FROM chunks")
        if store_check.rows_digest(rows) == mark["rows"] and len(rows) == mark["chunks"]:
            return
        spec = self._plan[0]
        what = []
        outside = [(p, c) for p, c, g, _ in rows if not (
            isinstance(p, int) and isinstance(c, int) and isinstance(g, int)
            and self._planned(p, c, g))]
        if outside:
            p, c = outside[0]
            what.append(f"{len(outside):,} chunk row(s) not of its plan (the first: point "
                        f"{excerpt(repr(p))}, chunk {excerpt(repr(c))})")
        if spec.precision is None:
            have = {(p, c) for p, c, _, _ in rows}
            missing = [(p, c) for p in range(spec.n_points)
                       for c in range(spec.plan.n_chunks) if (p, c) not in have]
            if missing:
                p, c = missing[0]
                what.append(f"{len(missing):,} chunk(s) missing (the first: chunk {c} of "
                            f"point {p})")
        if len(rows) != mark["chunks"]:
            what.append(f"{len(rows):,} chunk rows where the finished run left "
                        f"{mark['chunks']:,}")
        if not what:
            for point, chunk in sorted(self.done()):
                self.get(point, chunk)  # a chunk edited or moved says which
            what.append("a chunk row's digest edited")
        raise BadStoreFile(f"{self.path}: the store was changed after its run finished: "
                           f"{'; '.join(what)}. These are not partial results; play the run "
                           "again into a new store")

    def _rows(self) -> list[tuple[int, int, int]]:
        rows = self._all("SELECT point, chunk, games FROM chunks")
        if not all(isinstance(x, int) for row in rows for x in row):
            raise BadStoreFile(f"{self.path}: damaged store (a chunk row is not numbered)")
        return [(int(p), int(c), int(g)) for p, c, g in rows]

    def _planned(self, point: int, chunk: int, games: int) -> bool:
        spec = self._plan[0]
        plan = spec.plan
        return 0 <= point < spec.n_points and 0 <= chunk < plan.n_chunks and \
            games == plan.games(chunk)

    def done(self) -> set[tuple[int, int]]:
        """The ``(point, chunk)`` pairs of the run's plan already stored."""
        return {(p, c) for p, c, g in self._rows() if self._planned(p, c, g)}

    def ignored(self) -> int:
        """Rows outside the run's plan (a point or chunk it has not, or other games): left out."""
        return sum(1 for p, c, g in self._rows() if not self._planned(p, c, g))

    def put(self, point: int, chunk: int, arrays: Arrays) -> None:
        """Store one chunk in its own transaction (a duplicate is ignored, not double-counted)."""
        blob = to_bytes(arrays)
        games = int(arrays["games"])
        digest = store_check.chunk_digest(self.key, point, chunk, games, blob)
        try:
            with self.conn:
                self.conn.execute(
                    "INSERT OR IGNORE INTO chunks(point, chunk, games, stats, digest) "
                    "VALUES (?,?,?,?,?)", (point, chunk, games, blob, digest))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot write: {_why(exc)}") from None

    def get(self, point: int, chunk: int) -> Arrays | None:
        """One stored chunk's statistics, checked, or ``None``."""
        digest = ", digest" if self.version >= SCHEMA_VERSION else ""
        row = self._one(f"SELECT games, stats{digest} FROM chunks WHERE point = ? AND chunk = ?",
                        (point, chunk))
        if row is None:
            return None
        games, blob = row[0], row[1]
        where = f"{self.path}: chunk {chunk} of point {point}"
        if not isinstance(blob, bytes) or not isinstance(games, int):
            raise BadStoreFile(f"{where} is damaged")
        if digest and row[2] != store_check.chunk_digest(self.key, point, chunk, games, blob):
            raise BadStoreFile(f"{where} does not match its digest: the store was changed after "
                             "the run wrote it (a chunk moved, swapped or edited); play the "
                             "run again into a new store")
        expected = self._plan[1]
        try:
            store_check.check_blob(blob, expected)
            arrays = self._decode(blob, where)
            store_check.check_arrays(arrays, expected, games)
        except store_check.BadStore as exc:
            raise BadStoreFile(f"{where} is damaged ({exc})") from None
        return arrays if self.version >= SCHEMA_VERSION else store_check.from_legacy(arrays)

    def chunks(self) -> Iterator[tuple[int, int, Arrays]]:
        """Every stored chunk of the plan, in (point, chunk) order, one at a time."""
        for point, chunk in sorted(self.done()):
            arrays = self.get(point, chunk)
            if arrays is not None:
                yield point, chunk, arrays

    def _decode(self, blob: bytes, where: str) -> Arrays:
        try:
            return from_bytes(blob)
        except Exception:  # numpy raises several types for a damaged npz
            raise BadStoreFile(f"{where} is damaged") from None

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        try:
            return self.conn.execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: unreadable store: {exc}") from None

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: unreadable store: {exc}") from None


def _check_path(path: Path, must_exist: bool) -> None:
    if path.is_dir():
        raise UsageError(f"{path}: is a directory, not a store file")
    if is_special(path):  # SQLite would fail on it in its own words, or write a journal by it
        raise UsageError(f"{path}: is a device, a pipe or a socket, not a store file; give "
                         "the name of a file")
    if must_exist and not path.exists():
        raise UsageError(f"{path}: no such store file")
    parent = path.parent if str(path.parent) else Path(".")
    # A store to write is always the --store option's; one to read may be an argument.
    if not must_exist and not parent.is_dir():
        raise UsageError(f"--store {path}: folder {parent} does not exist")
    if not must_exist and not os.access(parent, os.W_OK) and not path.exists():
        raise UsageError(f"--store {path}: cannot create a file in {parent} "
                         "(permission denied)")


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    try:
        if readonly:
            return _connect_readonly(path)
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA schema_version").fetchone()  # fails here if not SQLite
    except sqlite3.OperationalError as exc:
        why = " (a read-only file system)" if _read_only_fs(path) else ""
        raise StoreError(f"{path}: cannot open the store for writing{why}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise BadStoreFile(f"{path}: not a wargame store ({exc})") from None
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open store: {exc}") from None
    return conn


def _read_only_fs(path: Path) -> bool:
    try:
        folder = path.parent if str(path.parent) else Path(".")
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Open for reading only. A store in WAL mode needs its ``-shm`` file to be read; where it
    cannot be made (a read-only file system or folder, a CD, a mounted archive) and no
    ``-wal`` file holds unsaved pages, the file is opened as immutable instead."""
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.OperationalError:
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
    conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None)
    conn.execute("PRAGMA schema_version").fetchone()
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


def _check_kind(path: Path, conn: sqlite3.Connection) -> int:
    """The store's version, once it is known to be a wargame store this version reads."""
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = _tables(conn)
    except sqlite3.DatabaseError as exc:
        raise BadStoreFile(f"{path}: damaged store ({exc})") from None
    if app != APPLICATION_ID or not {"meta", "chunks"} <= tables:
        raise BadStoreFile(f"{path}: not a wargame store")
    if version > SCHEMA_VERSION:
        raise BadStoreFile(f"{path}: made by a newer wargame (store version {version})")
    if version < UNCHECKED_VERSION:
        raise BadStoreFile(f"{path}: damaged store (store version {version})")
    return int(version)


def open_existing(path: Path) -> Store:
    """Open a store read-only (``wargame results``)."""
    _check_path(path, must_exist=True)
    conn = _connect(path, readonly=True)
    try:
        store = Store(path, conn, _check_kind(path, conn))
        store.check_seal()
        store.check_finished()
    except WargameError:
        conn.close()
        raise
    return store


def create_or_resume(path: Path, spec: BatchSpec, labels: Labels,
                     resume: bool, scenario: RawMapping | None = None) -> Store:
    """Open a store for writing: a new one, or (with ``resume``) one holding the same batch.

    A file that exists and holds chunks is never overwritten: without ``resume`` that is an
    error, and with ``resume`` the stored spec must match ``spec`` field for field.
    ``scenario`` (the resolved scenario data) is kept in a new store for its pictures.
    """
    _check_path(path, must_exist=False)
    fresh = not path.exists()
    existed = not fresh and path.stat().st_size > 0
    conn = _connect(path, readonly=False)
    try:
        if existed and _tables(conn):
            version = _check_kind(path, conn)
            store = Store(path, conn, version)
            if not resume:
                raise BadStoreFile(f"{path}: already holds a batch; pass --resume to continue it, "
                                 "or choose another file")
            if version < SCHEMA_VERSION:
                raise BadStoreFile(f"{path}: made by an earlier wargame (store version "
                                 f"{version}), which --resume cannot continue: use another "
                                 "file to play the run again")
            store.check_seal()
            store.check_finished()
            diffs = spec.mismatches(store.spec())
            if diffs:
                raise BadStoreFile(f"{path}: holds a different run: {'; '.join(diffs)}. "
                                 "Use another file to start afresh")
            return store
        _init(path, conn, spec, labels, scenario)
    except sqlite3.Error as exc:
        conn.close()
        if fresh:
            _remove(path)
        raise StoreError(f"{path}: cannot write store: {_why(exc)}") from None
    except BaseException:
        conn.close()
        if fresh:
            _remove(path)
        raise
    return Store(path, conn)


def _why(exc: sqlite3.Error) -> str:
    """SQLite's reason in the project's words where it has a plainer one."""
    text = str(exc)
    if "disk is full" in text or "SQLITE_FULL" in text:
        return "no space left on the disk"
    if "disk I/O error" in text:
        return "an I/O error (the disk, or a file that is not a store file)"
    return text


def _remove(path: Path) -> None:
    """Remove a store this run created but could not make (nothing is left under its name)."""
    for name in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(OSError):
            name.unlink(missing_ok=True)


def _init(path: Path, conn: sqlite3.Connection, spec: BatchSpec, labels: Labels,
          scenario: RawMapping | None) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: a crash never corrupts
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _tables(conn):  # another run made the store between our look and our lock
            raise BadStoreFile(f"{path}: another run began writing this store at the same "
                               "moment; choose another file, or pass --resume to continue it "
                               "once that run has ended")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("CREATE TABLE chunks(point INTEGER NOT NULL, chunk INTEGER NOT NULL, "
                     "games INTEGER NOT NULL, stats BLOB NOT NULL, digest TEXT NOT NULL, "
                     "PRIMARY KEY(point, chunk))")
        texts = {"spec": json.dumps(spec.to_dict(), sort_keys=True),
                 "labels": json.dumps(labels.to_dict(), sort_keys=True),
                 "scenario": None if scenario is None else json.dumps(scenario, sort_keys=True,
                                                                      default=str)}
        rows = [(k, v) for k, v in texts.items() if v is not None]
        rows.append(("seal", json.dumps(store_check.seal_of(texts), sort_keys=True)))
        conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", rows)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # the failure may have ended it already (a full disk)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def peek_spec(path: Path) -> BatchSpec | None:
    """The spec of an existing store, or ``None`` when there is no store there yet."""
    if not path.exists() or path.is_dir() or is_special(path) or path.stat().st_size == 0:
        return None  # create_or_resume refuses what is no file
    conn = _connect(path, readonly=True)
    try:
        if not _tables(conn):  # created, then killed before the first commit
            return None
        return Store(path, conn, _check_kind(path, conn)).spec()
    except sqlite3.DatabaseError as exc:
        raise BadStoreFile(f"{path}: damaged store ({exc})") from None
    finally:
        conn.close()
