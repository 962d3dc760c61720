"""Durable results: kill a batch anywhere, resume it, get the uninterrupted result."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wargame.cli.app import app

TOY = str(Path(__file__).parent / "data" / "valid" / "toy.yaml")
SPEC = ["--runs", "60000", "--chunk-size", "500", "--seed", "2718", "--format", "json"]


def _cli(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def _wargame(*args: str, **kw: object) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "wargame", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kw)  # type: ignore


def _chunks(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(store, timeout=5) as conn:
            n = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        conn.close()
        return int(n)
    except sqlite3.OperationalError:  # not created yet
        return 0


def _wait_for_chunks(proc: subprocess.Popen[str], store: Path, more_than: int) -> None:
    """Wait until the batch has stored a new chunk (imports can be slow on a busy machine)."""
    deadline = time.monotonic() + 60
    while _chunks(store) <= more_than and proc.poll() is None:
        assert time.monotonic() < deadline, "the batch stored nothing in 60 s"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def reference() -> str:
    code, out, err = _cli("batch", TOY, *SPEC)
    assert code == 0, err
    return out


def test_killed_and_resumed_batch_equals_uninterrupted(tmp_path: Path, reference: str) -> None:
    store = tmp_path / "run.db"
    rng = random.Random(20240601)
    counts = [0]
    for _ in range(2):  # SIGKILL at a random moment while running, then again on resume
        proc = _wargame("batch", TOY, *SPEC, "--store", str(store), "--resume", "--quiet")
        _wait_for_chunks(proc, store, counts[-1])
        time.sleep(rng.uniform(0.0, 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        counts.append(_chunks(store))
    assert counts == sorted(counts) and counts[-1] > 0, counts  # chunks only accumulate
    proc = _wargame("batch", TOY, *SPEC, "--store", str(store), "--resume", "--quiet")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out == reference
    code, shown, _ = _cli("results", "show", str(store), "--format", "json")
    assert code == 0 and shown == reference


def test_ctrl_c_exits_130_and_resume_completes(tmp_path: Path, reference: str) -> None:
    store = tmp_path / "int.db"
    proc = _wargame("batch", TOY, *SPEC, "--store", str(store), "--quiet")
    _wait_for_chunks(proc, store, 0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # finished before the signal: nothing to test on this machine
        pytest.skip("the batch finished before Ctrl-C")
    assert proc.returncode == 130
    assert "Traceback" not in err and out == ""
    code, out, err = _cli("batch", TOY, *SPEC, "--store", str(store), "--resume")
    assert code == 0, err
    assert out == reference


def test_store_round_trip_and_exports(tmp_path: Path) -> None:
    store = tmp_path / "small.db"
    code, out, err = _cli("batch", TOY, "--runs", "1200", "--chunk-size", "500", "--seed", "3",
                          "--format", "json", "--store", str(store))
    assert code == 0, err
    code, shown, err = _cli("results", "export", str(store), "--format", "json")
    assert code == 0 and shown == out and err == ""
    code, csv_text, _ = _cli("results", "export", str(store), "--format", "csv", "--table",
                             "outcomes")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert list(rows[0])[:5] == ["outcome", "name", "games", "count", "probability"]
    batch = json.loads(out)
    assert [float(r["probability"]) for r in rows] == [
        o["probability"] for o in batch["outcomes"]]
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "tables"
    code, _, err = _cli("results", "export", str(store), "--format", "parquet", "--out",
                        str(folder))
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == [
        "civilians.parquet", "civilians_by_place.parquet", "control.parquet",
        "factions.parquet", "outcomes.parquet", "timing.parquet"]
    table = pq.read_table(folder / "outcomes.parquet")
    assert str(table.schema.field("probability").type) == "double"
    assert str(table.schema.field("turn_median").type) == "int64"
    assert str(table.schema.field("end_date_median").type) == "date32[day]"
    assert table.column("probability").to_pylist() == [
        o["probability"] for o in batch["outcomes"]]
    assert json.loads(table.schema.metadata[b"wargame"])["seed"] == 3


def test_existing_store_is_never_overwritten(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    args = ["batch", TOY, "--runs", "200", "--seed", "1", "--store", str(store)]
    assert _cli(*args)[0] == 0
    code, out, err = _cli(*args)
    assert code == 2 and out == ""  # the wrong file for this command: invalid input
    assert "already holds a batch; pass --resume to continue it" in err
    code, out, err = _cli(*args[:-2], "--seed", "2", "--store", str(store), "--resume")
    assert code == 2
    assert "holds a different run: seed differs (stored 1, now 2)" in err
    code, _, err = _cli("batch", TOY, "--runs", "200", "--seed", "1", "--set",
                        "factions.red.strength=10", "--store", str(store), "--resume")
    assert code == 2 and "--set overrides differ" in err


@pytest.mark.parametrize("kind", ["directory", "missing_dir", "not_sqlite", "other_sqlite",
                                  "truncated"])
def test_bad_store_paths_get_clear_errors(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "store.db"
    if kind == "directory":
        path.mkdir()
    elif kind == "missing_dir":
        path = tmp_path / "nowhere" / "store.db"
    elif kind == "not_sqlite":
        path.write_text("hello, I am a text file\n" * 100)
    elif kind == "other_sqlite":
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE t(x)")
        conn.close()
    else:
        assert _cli("batch", TOY, "--runs", "100", "--seed", "1", "--store", str(path))[0] == 0
        data = path.read_bytes()
        path.write_bytes(data[:200] + b"\x00garbage" * 64)
    for args in (["batch", TOY, "--runs", "100", "--seed", "1", "--store", str(path),
                  "--resume"], ["results", "show", str(path)]):
        code, out, err = _cli(*args)
        assert code in (1, 2), (kind, err)
        assert out == ""
        assert "Traceback" not in err and "internal error" not in err
        assert str(path) in err.replace("\n", "")


def test_results_show_of_a_missing_file(tmp_path: Path) -> None:
    code, out, err = _cli("results", "show", str(tmp_path / "none.db"))
    assert code == 2 and out == ""
    assert "no such store file" in err


def test_resume_needs_a_store() -> None:
    code, _, err = _cli("batch", TOY, "--runs", "100", "--resume")
    assert code == 2
    assert "--resume needs --store FILE" in err


def test_partial_store_is_shown_with_a_warning(tmp_path: Path) -> None:
    store = tmp_path / "part.db"
    assert _cli("batch", TOY, "--runs", "1500", "--chunk-size", "500", "--seed", "4",
                "--store", str(store))[0] == 0
    with sqlite3.connect(store) as conn:  # as if killed before chunk 1 and the finish
        conn.execute("DELETE FROM chunks WHERE chunk = 1")
        conn.execute("DELETE FROM meta WHERE key = 'finished'")
    conn.close()
    code, out, err = _cli("results", "show", str(store), "--format", "json")
    assert code == 0
    assert json.loads(out)["meta"]["games"] == 1000
    assert "holds 2 of 3 chunks" in err


def test_sweep_store_resume_and_show(tmp_path: Path) -> None:
    store = tmp_path / "sweep.db"
    args = ["sweep", TOY, "--vary", "factions.red.quality=0.8,1.2", "--runs", "1000",
            "--chunk-size", "250", "--seed", "6", "--format", "json"]
    code, full, err = _cli(*args)
    assert code == 0, err
    assert _cli(*args, "--store", str(store))[0] == 0
    with sqlite3.connect(store) as conn:  # as if killed after 5 of 8 chunks
        conn.execute("DELETE FROM chunks WHERE point = 1 AND chunk >= 1")
        conn.execute("DELETE FROM meta WHERE key = 'finished'")
    conn.close()
    code, _, err = _cli("results", "show", str(store))
    assert code == 0 and "holds 5 of 8 chunks" in err
    code, resumed, err = _cli(*args, "--store", str(store), "--resume")
    assert code == 0, err
    assert resumed == full
    code, shown, _ = _cli("results", "show", str(store), "--format", "json")
    assert shown == full


def test_parquet_export_needs_an_output_file(tmp_path: Path) -> None:
    store = tmp_path / "p.db"
    assert _cli("batch", TOY, "--runs", "100", "--seed", "1", "--store", str(store))[0] == 0
    code, out, err = _cli("results", "export", str(store), "--format", "parquet", "--table",
                          "outcomes")
    assert code == 2 and out == ""
    assert "--format parquet needs --out FILE" in err
    code, out, err = _cli("results", "export", str(store), "--format", "csv", "--out",
                          str(tmp_path / "all.csv"))
    assert code == 2 and out == ""
    assert ("choose a table with --table (outcomes, control, factions, timing, civilians, "
            "civilians_by_place)") in err


def test_a_store_of_version_2_reads_as_it_did(tmp_path: Path) -> None:
    """tests/data/stores/toy_v2.db: `batch toy.yaml --runs 1000 --chunk-size 250 --seed 11
    --per-turn --store` by the wargame before the seal (dense histograms up to 1e9), and
    toy_v2.json what that run printed with `--format json`. Read now, the store gives those
    numbers, with a note (whatever the engine now plays)."""
    data = Path(__file__).parent / "data" / "stores"
    copy = tmp_path / "old.db"
    copy.write_bytes((data / "toy_v2.db").read_bytes())
    code, shown, err = _cli("results", "show", str(copy), "--format", "json")
    assert code == 0, err
    assert "store version 2): its labels and scenario copy are not sealed" in err
    got = json.loads(shown)
    want = json.loads((data / "toy_v2.json").read_text(encoding="utf-8"))
    for key in ("outcomes", "factions", "control", "per_turn"):
        assert got[key] == want[key], key
