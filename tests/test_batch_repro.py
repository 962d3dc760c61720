"""Same seed, same bytes: whatever the workers, the scheduler, or the order chunks finish in."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from wargame.cli.app import app
from wargame.engine import compile_scenario
from wargame.montecarlo.executors import ProcessExecutor
from wargame.montecarlo.run import collect, play_chunk
from wargame.montecarlo.spec import BatchSpec
from wargame.scenario import load

TOY = str(Path(__file__).parent / "data" / "valid" / "toy.yaml")
ARGS = ["batch", TOY, "--runs", "3000", "--chunk-size", "400", "--seed", "99", "--per-turn",
        "--format", "json"]


def _run(*extra: str) -> str:
    res = CliRunner().invoke(app, [*ARGS, *extra])
    assert res.exit_code == 0, res.stderr
    return res.stdout


@pytest.fixture(scope="module")
def serial() -> str:
    return _run()


def test_json_is_byte_identical_with_two_worker_processes(serial: str) -> None:
    assert _run("--workers", "2") == serial


def test_json_is_byte_identical_on_a_dask_cluster(serial: str) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        out = _run("--scheduler", cluster.scheduler_address)
    assert out == serial


def test_json_records_what_a_replay_needs(serial: str) -> None:
    meta = json.loads(serial)["meta"]
    assert meta["seed"] == 99
    assert meta["chunk_size"] == 400
    assert meta["n_chunks"] == 8
    assert meta["games"] == 3000
    assert meta["turns"] == 6
    assert meta["overrides"] == []
    assert len(meta["digest"]) == 64
    assert set(meta["versions"]) == {"wargame", "numpy", "python"}


def test_a_different_seed_gives_different_games(serial: str) -> None:
    other = json.loads(_run("--seed", "100"))
    assert other["control"] != json.loads(serial)["control"]


class ShuffledExecutor:
    """Runs every task, then hands the results back in a random order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def imap(self, fn: Any, shared: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        results = [fn(shared, t) for t in tasks]
        self.rng.shuffle(results)
        yield from results


@pytest.mark.parametrize("precision", [None, 0.02])
def test_completion_order_does_not_matter(precision: float | None) -> None:
    loaded = load(TOY)
    spec = BatchSpec("batch", TOY, loaded.digest, [], 5, 4000, 250, 6, precision=precision)
    shared = {0: compile_scenario(loaded.scenario)}
    from wargame.montecarlo.executors import SerialExecutor

    ref = collect(spec, play_chunk, shared, SerialExecutor())[0]
    for seed in range(3):
        got = collect(spec, play_chunk, shared, ShuffledExecutor(seed))[0]
        assert got.games == ref.games
        assert got.mean("casualties") == ref.mean("casualties")
        for key, arr in ref.ints.items():
            assert (got.ints[key] == arr).all(), key


def test_precision_stops_at_the_same_chunk_with_any_workers(tmp_path: Path) -> None:
    args = ["--precision", "0.03", "--runs", "20000"]
    one, two = _run(*args), _run(*args, "--workers", "2")
    assert one == two
    meta = json.loads(one)["meta"]
    assert meta["games"] < 20000 and meta["games"] % 400 == 0
    o = json.loads(one)["outcomes"][0]
    assert (o["ci95"][1] - o["ci95"][0]) / 2 < 0.03


def _big_result(shared: object, task: int) -> Any:
    return np.ones(2_000_000)  # 16 MB, written to the result pipe in many pieces


def test_a_pool_stopped_while_its_workers_write_leaves_no_thread_behind() -> None:
    """Stopping early (a precision reached, an interrupt) ends workers in the middle of writing
    a result; the pool's manager thread must end all the same, or the interpreter hangs at exit
    waiting for it."""
    for _ in range(3):
        results = ProcessExecutor(2).imap(_big_result, None, range(20))
        next(results)
        results.close()
        managers = [t for t in threading.enumerate()
                    if type(t).__name__ == "_ExecutorManagerThread" and t.is_alive()]
        assert managers == []
