"""Per-game records: streamed to Parquet in row groups, nothing left behind on failure, and
clear errors for a bad ``--games`` file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import wargame
from wargame.cli.app import app
from wargame.montecarlo import games as gm

ROOT = Path(__file__).resolve().parent.parent
TOY = str(ROOT / "tests" / "data" / "valid" / "toy.yaml")
pq = pytest.importorskip("pyarrow.parquet")


def cli(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_records_stream_in_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gm, "ROW_GROUP_ROWS", 300)
    target = tmp_path / "g.parquet"
    res = wargame.batch(TOY, runs=1000, seed=1, chunk_size=100, games=target)
    meta = pq.ParquetFile(target).metadata
    assert meta.num_rows == 1000
    assert meta.num_row_groups == 4   # 300 rows held at most, then written: 3 x 300 + 100
    assert [p.name for p in tmp_path.iterdir()] == ["g.parquet"]  # no temporary file left
    assert res.records is not None and res.records.path == target
    table = pq.read_table(target)
    assert table.column_names[:4] == ["seed", "chunk", "replicate", "game"]
    assert str(table.schema.field("controller.c").type) == "dictionary<values=string, " \
        "indices=int8, ordered=0>"
    assert str(table.schema.field("first_turn.red_takes_c").type) == "int16"
    assert "param.factions.blue.strength" in table.column_names


class _Breaks:
    """Runs two chunks, then fails as an interrupted run would."""

    def imap(self, fn: Any, shared: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        for k, task in enumerate(tasks):
            if k == 2:
                raise KeyboardInterrupt
            yield fn(shared, task)


def test_an_interrupted_run_leaves_no_records_file(tmp_path: Path) -> None:
    target = tmp_path / "g.parquet"
    with pytest.raises(KeyboardInterrupt):
        wargame.batch(TOY, runs=500, seed=1, chunk_size=100, games=target,
                      executor=_Breaks())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "message"), [
    ("games.csv", "per-game records are written as Parquet; give a file name ending in "
                  ".parquet"),
    ("missing/games.parquet", "directory"),
])
def test_bad_games_file_fails_before_playing(tmp_path: Path, name: str, message: str) -> None:
    code, out, err = cli("batch", TOY, "--runs", "100", "--seed", "1", "--games",
                         str(tmp_path / name))
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_cli_games_file_is_the_api_one(tmp_path: Path) -> None:
    target = tmp_path / "cli.parquet"
    code, out, err = cli("batch", TOY, "--runs", "300", "--seed", "8", "--games", str(target),
                         "-f", "json")
    assert code == 0, err
    assert f"wrote {target} (300 games)" in err
    api = wargame.batch(TOY, runs=300, seed=8, games=True)
    assert api.to_json() + "\n" == out
    assert api.records is not None
    assert pq.read_table(target).drop_columns([]).equals(api.records.to_arrow())
    back = gm.read_games(target)
    assert back.layout.outcomes == ["red_takes_c"] and len(back) == 300
