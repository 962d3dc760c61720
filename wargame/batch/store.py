"""Durable batch results in one SQLite file (``--store FILE``).

Schema (``PRAGMA application_id`` = 0x57415247, "WARG"; ``PRAGMA user_version`` = 1)::

    meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
        'spec'   -> the batch spec as JSON (see wargame.batch.spec.BatchSpec)
        'labels' -> ids, names and turn dates for the tables (see wargame.batch.summary.Labels)
    chunks(point INTEGER, chunk INTEGER, games INTEGER, stats BLOB, PRIMARY KEY(point, chunk))
        stats: the chunk's sufficient statistics as a compressed .npz (no pickles)

The file is in WAL mode and every chunk is written in its own transaction, so a Ctrl-C, a
crash or a SIGKILL leaves the store holding whole chunks only; ``--resume`` runs the missing
ones and never counts one twice (the primary key forbids it).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wargame.batch.spec import BatchSpec
from wargame.batch.tally import Arrays, from_bytes, to_bytes
from wargame.errors import UsageError, WargameError

APPLICATION_ID = 0x57415247
SCHEMA_VERSION = 1


class StoreError(WargameError):
    """A store that cannot be used: not a wargame store, corrupt, or for another batch."""


class Store:
    """An open store. Use :func:`create_or_resume` or :func:`open_existing` to get one."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    def close(self) -> None:
        """Close the connection (every chunk is already committed)."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def meta(self, key: str) -> Any:
        """A metadata value, decoded from JSON."""
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        if row is None:
            raise StoreError(f"{self.path}: not a wargame store (no {key!r} record)")
        try:
            return json.loads(row[0])
        except ValueError:
            raise StoreError(f"{self.path}: damaged store ({key!r} is not JSON)") from None

    def spec(self) -> BatchSpec:
        """The stored batch spec."""
        try:
            return BatchSpec.from_dict(self.meta("spec"))
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{self.path}: damaged or newer store (bad spec: {exc})") from None

    def done(self) -> set[tuple[int, int]]:
        """The ``(point, chunk)`` pairs already stored."""
        return {(int(p), int(c)) for p, c in self._all("SELECT point, chunk FROM chunks")}

    def put(self, point: int, chunk: int, arrays: Arrays) -> None:
        """Store one chunk in its own transaction (a duplicate is ignored, not double-counted)."""
        blob = to_bytes(arrays)
        try:
            with self.conn:
                self.conn.execute(
                    "INSERT OR IGNORE INTO chunks(point, chunk, games, stats) VALUES (?,?,?,?)",
                    (point, chunk, int(arrays["games"]), blob))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot write: {exc}") from None

    def get(self, point: int, chunk: int) -> Arrays | None:
        """One stored chunk's statistics, or ``None``."""
        row = self._one("SELECT stats FROM chunks WHERE point = ? AND chunk = ?", (point, chunk))
        return None if row is None else self._decode(row[0], point, chunk)

    def chunks(self) -> Iterator[tuple[int, int, Arrays]]:
        """Every stored chunk, in (point, chunk) order, one at a time."""
        for point, chunk in sorted(self.done()):
            arrays = self.get(point, chunk)
            if arrays is not None:
                yield point, chunk, arrays

    def _decode(self, blob: bytes, point: int, chunk: int) -> Arrays:
        try:
            return from_bytes(blob)
        except Exception:  # numpy raises several types for a damaged npz
            raise StoreError(f"{self.path}: damaged chunk {chunk} of point {point}") from None

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
    if must_exist and not path.exists():
        raise UsageError(f"{path}: no such store file")
    parent = path.parent if str(path.parent) else Path(".")
    if not must_exist and not parent.is_dir():
        raise UsageError(f"{path}: directory {parent} does not exist")
    if not must_exist and not os.access(parent, os.W_OK) and not path.exists():
        raise UsageError(f"{path}: cannot create a file in {parent} (permission denied)")


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    try:
        if readonly:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                   isolation_level=None)
        else:
            conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA schema_version").fetchone()  # fails here if not SQLite
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a wargame store ({exc})") from None
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open store: {exc}") from None
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


def _check_kind(path: Path, conn: sqlite3.Connection) -> None:
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = _tables(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: damaged store ({exc})") from None
    if app != APPLICATION_ID or not {"meta", "chunks"} <= tables:
        raise StoreError(f"{path}: not a wargame store")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: made by a newer wargame (store version {version})")


def open_existing(path: Path) -> Store:
    """Open a store read-only (``wargame results``)."""
    _check_path(path, must_exist=True)
    conn = _connect(path, readonly=True)
    try:
        _check_kind(path, conn)
    except WargameError:
        conn.close()
        raise
    return Store(path, conn)


def create_or_resume(path: Path, spec: BatchSpec, labels: dict[str, Any],
                     resume: bool) -> Store:
    """Open a store for writing: a new one, or (with ``resume``) one holding the same batch.

    A file that exists and holds chunks is never overwritten: without ``resume`` that is an
    error, and with ``resume`` the stored spec must match ``spec`` field for field.
    """
    _check_path(path, must_exist=False)
    existed = path.exists() and path.stat().st_size > 0
    conn = _connect(path, readonly=False)
    try:
        if existed and _tables(conn):
            _check_kind(path, conn)
            store = Store(path, conn)
            if not resume:
                raise StoreError(f"{path}: already holds a batch; pass --resume to continue it, "
                                 "or choose another file")
            diffs = spec.mismatches(store.spec())
            if diffs:
                raise StoreError(f"{path}: holds a different run: {'; '.join(diffs)}. "
                                 "Use another file to start afresh")
            return store
        _init(conn, spec, labels)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"{path}: cannot write store: {exc}") from None
    except WargameError:
        conn.close()
        raise
    return Store(path, conn)


def _init(conn: sqlite3.Connection, spec: BatchSpec, labels: dict[str, Any]) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: a crash never corrupts
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("CREATE TABLE chunks(point INTEGER NOT NULL, chunk INTEGER NOT NULL, "
                     "games INTEGER NOT NULL, stats BLOB NOT NULL, PRIMARY KEY(point, chunk))")
        conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                         [("spec", json.dumps(spec.to_dict(), sort_keys=True)),
                          ("labels", json.dumps(labels, sort_keys=True))])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def peek_spec(path: Path) -> BatchSpec | None:
    """The spec of an existing store, or ``None`` when there is no store there yet."""
    if not path.exists() or path.is_dir() or path.stat().st_size == 0:
        return None
    conn = _connect(path, readonly=True)
    try:
        if not _tables(conn):  # created, then killed before the first commit
            return None
        _check_kind(path, conn)
        return Store(path, conn).spec()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: damaged store ({exc})") from None
    finally:
        conn.close()
