"""Typed tables: one place that lays results out as columns with one type each.

``to_pandas()``, ``wargame results export --format csv`` and ``--format parquet`` all read the
same :class:`Table`, so a DataFrame, a CSV file and a Parquet file of a result hold the same
rows and columns. Each column has one type (text, whole number, real number, date or
true/false) and ``None`` for a missing value: no column mixes text and numbers.

pandas and pyarrow are the optional extra ``wargame[data]`` and are imported only here, only
when a table is converted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from wargame.errors import WargameError
from wargame.extras import needs
from wargame.jsontypes import JSONObject

Kind = Literal["str", "int", "float", "date", "bool"]


@dataclass(frozen=True)
class Column:
    """One column: a name, its type and its values (``None`` where missing)."""

    name: str
    kind: Kind
    values: list[Any]


@dataclass(frozen=True)
class Table:
    """Named, typed columns of equal length, with the run's metadata alongside."""

    name: str
    columns: list[Column]
    meta: JSONObject = field(default_factory=dict)

    def __post_init__(self) -> None:
        lengths = {len(c.values) for c in self.columns}
        if len(lengths) > 1:
            raise ValueError(f"table {self.name}: columns of different lengths {lengths}")

    @property
    def names(self) -> list[str]:
        """Column names, in order."""
        return [c.name for c in self.columns]

    def __len__(self) -> int:
        return len(self.columns[0].values) if self.columns else 0

    def rows(self) -> Iterator[list[Any]]:
        """The rows, as lists in column order."""
        return (list(r) for r in zip(*(c.values for c in self.columns), strict=True))

    def to_pandas(self) -> Any:
        """A :class:`pandas.DataFrame` with one dtype per column (nullable where needed)."""
        pd = need("pandas")
        data = {c.name: _series(pd, c) for c in self.columns}
        frame = pd.DataFrame(data)
        frame.attrs["wargame"] = self.meta
        return frame

    def to_arrow(self) -> Any:
        """A :class:`pyarrow.Table` with typed columns and the metadata as JSON."""
        pa = need("pyarrow")
        types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(),
                 "date": pa.date32(), "bool": pa.bool_()}
        arrays = [pa.array(c.values, type=types[c.kind]) for c in self.columns]
        schema_meta = {"wargame": json.dumps(self.meta, sort_keys=True, default=str),
                       "wargame.table": self.name}
        return pa.Table.from_arrays(arrays, names=self.names, metadata=schema_meta)


def _series(pd: Any, c: Column) -> Any:
    if c.kind == "str":
        return pd.array(c.values, dtype="string")
    if c.kind == "int":
        return pd.array(c.values, dtype="Int64")
    if c.kind == "float":
        return pd.array([float("nan") if v is None else float(v) for v in c.values],
                        dtype="float64")
    if c.kind == "bool":
        return pd.array(c.values, dtype="boolean")
    return pd.to_datetime(pd.Series(c.values, dtype=object))


def need(module: str) -> Any:
    """Import an optional module of ``wargame[data]``, or fail with the install command."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise WargameError(needs("this", module.partition(".")[0], "data")) from None


def kind_of(values: Sequence[Any]) -> Kind:
    """The type of a column of plain values (sweep parameters): the narrowest that fits."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "float"
    if present and all(isinstance(v, dt.date) for v in present):
        return "date"
    return "str"


def as_kind(values: Sequence[Any], kind: Kind) -> list[Any]:
    """Values made to fit ``kind`` (text columns hold JSON for anything that is not text)."""
    if kind == "str":
        return [v if v is None or isinstance(v, str) else json.dumps(v, default=str)
                for v in values]
    if kind == "float":
        return [None if v is None else float(v) for v in values]
    return list(values)


def table(name: str, spec: Sequence[tuple[str, Kind]], rows: Sequence[Sequence[Any]],
          meta: JSONObject | None = None) -> Table:
    """A table from rows and ``(column, type)`` pairs."""
    cols = [Column(n, k, as_kind([r[i] for r in rows], k)) for i, (n, k) in enumerate(spec)]
    return Table(name, cols, dict(meta or {}))
