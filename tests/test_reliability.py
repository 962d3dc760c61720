"""The reliability corpus of issues 22 and 23: wrong numbers with exit 0, shared loaded
scenarios, tampered stores, arguments of the wrong type, control characters in the HTML
report, devices and closed outputs.

Every case gives the right result or one clear line in the project's words (exit 1 or 2):
never an internal error, a traceback, or a wrong number with exit 0.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import wargame
from wargame.cli.app import app
from wargame.errors import WargameError

HERE = Path(__file__).parent
TOY = HERE / "data" / "valid" / "toy.yaml"
ENV = {"NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "COLUMNS": "100"}


def cli(*args: object) -> tuple[int, str, str]:
    res = CliRunner(env=ENV).invoke(app, [str(a) for a in args])
    return res.exit_code, res.stdout, res.stderr


def clean(code: int, out: str, err: str, expect: int = 0) -> None:
    assert code == expect, err
    for text in (out, err):
        assert "Traceback" not in text and "internal error" not in text, text


def toy() -> dict[str, Any]:
    return dict(yaml.safe_load(TOY.read_text(encoding="utf-8")))


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- 23.1: strength percentiles past 1e9 ----------------------------------------------------

def huge(tmp_path: Path) -> Path:
    """Every number within the limits; final strengths far above 1e9."""
    data = toy()
    data["factions"]["red"]["strength"] = {"dist": "uniform", "low": 5e8, "high": 1e9}
    data["factions"]["red"]["reinforcements"] = [
        {"men_per_turn": {"dist": "uniform", "low": 1e8, "high": 1e9}, "at": ["a"]}]
    data["scenario"]["turns"] = 30
    return write(tmp_path / "huge.yaml", data)


def test_strength_percentiles_are_exact_above_a_billion(tmp_path: Path) -> None:
    res = wargame.batch(huge(tmp_path), runs=400, seed=3, games=True)
    assert res.records is not None
    red = next(f for f in res.factions if f.id == "red")
    finals = res.records.column("strength.red")
    assert finals.max() > 5e9   # the case: far past the old cap of the bins
    for got, q in ((red.strength.p05, 0.05), (red.strength.p95, 0.95)):
        exact = float(np.quantile(finals, q, method="inverted_cdf"))
        assert got is not None and abs(got - exact) <= 0.005 * exact, (got, exact)
    assert red.strength.max == pytest.approx(float(finals.max()))


def test_strength_percentiles_at_the_largest_float() -> None:
    from wargame.montecarlo.stats import LogBins, sparse_histogram, sparse_quantile

    bins = LogBins()
    v = np.array([[0.0, 0.3, 1.0, 1e9, 3.7e9, 2.2e10, 1e300, np.finfo(float).max]])
    rows = sparse_histogram(v, bins)
    assert rows[:, 2].sum() == v.size and (rows[:, 1] < bins.size).all()
    for q, exact in ((0.5, 1e9), (0.75, 2.2e10), (0.85, 1e300)):
        got = sparse_quantile(rows[:, 1], rows[:, 2], q, bins, 0.0, float(v.max()))
        assert abs(got - exact) <= 0.005 * exact, (q, got)
    top = sparse_quantile(rows[:, 1], rows[:, 2], 1.0, bins, 0.0, float(v.max()))
    assert math.isfinite(top) and top >= 0.995 * float(v.max())


# --- 22.1, 22.2: tampered stores --------------------------------------------------------------

@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    clean(*cli("batch", TOY, "--runs", "2000", "--chunk-size", "500", "--seed", "3",
               "--store", path, "-q", "-f", "json"))
    return path


def _meta(path: Path, key: str) -> Any:
    with sqlite3.connect(path) as conn:
        text = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]
    conn.close()
    return json.loads(text)


def _sql(path: Path, statement: str, *args: Any) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(statement, args)
    conn.close()


def _set_meta(path: Path, key: str, value: Any) -> None:
    _sql(path, "UPDATE meta SET value = ? WHERE key = ?", json.dumps(value, sort_keys=True), key)


def _swap(values: list[Any], i: int, j: int) -> list[Any]:
    out = list(values)
    out[i], out[j] = out[j], out[i]
    return out


LABEL_CHANGES = {
    "settlement ids swapped": lambda d: {**d, "settlements": _swap(d["settlements"], 0, 2)},
    "faction ids swapped": lambda d: {**d, "factions": _swap(d["factions"], 0, 1)},
    "faction names swapped": lambda d: {**d, "faction_names": _swap(d["faction_names"], 0, 1)},
    "outcome renamed": lambda d: {**d, "outcome_names": ["Blue holds C"]},
    "dates moved": lambda d: {**d, "end_dates": [x.replace("2015", "2016")
                                                 for x in d["end_dates"]]},
}


@pytest.mark.parametrize("change", list(LABEL_CHANGES))
def test_changed_labels_are_tampering_not_a_result(store: Path, change: str) -> None:
    _set_meta(store, "labels", LABEL_CHANGES[change](_meta(store, "labels")))
    code, out, err = cli("results", "show", store)
    clean(code, out, err, 2)
    assert out == ""
    assert "the store was changed after the run wrote it: its labels no longer match" in err


def test_changed_spec_and_scenario_copy_are_named(store: Path) -> None:
    _set_meta(store, "spec", {**_meta(store, "spec"), "seed": 4})
    code, out, err = cli("results", "show", store)
    clean(code, out, err, 2)
    assert "its spec no longer matches" in err
    scenario = _meta(store, "scenario")
    scenario["factions"]["red"]["strength"] = 9000
    _set_meta(store, "scenario", scenario)
    code, out, err = cli("map", "--store", store, "--out", store.with_suffix(".png"))
    clean(code, out, err, 2)
    assert "its spec and its scenario copy no longer match" in err
    assert not store.with_suffix(".png").exists()


ROW_CHANGES = {
    "row deleted": ("DELETE FROM chunks WHERE chunk = 2", "1 chunk(s) missing (the first: "
                    "chunk 2 of point 0)"),
    "index made negative": ("UPDATE chunks SET chunk = -1 WHERE chunk = 1",
                            "1 chunk row(s) not of its plan (the first: point 0, chunk -1)"),
    "point moved": ("UPDATE chunks SET point = 7 WHERE chunk = 0",
                    "1 chunk row(s) not of its plan (the first: point 7, chunk 0)"),
    "games altered": ("UPDATE chunks SET games = 499 WHERE chunk = 3",
                      "1 chunk row(s) not of its plan"),
    "row added": ("INSERT INTO chunks SELECT point, 9, games, stats, digest FROM chunks "
                  "WHERE chunk = 0", "5 chunk rows where the finished run left 4"),
}


@pytest.mark.parametrize("change", list(ROW_CHANGES))
def test_changed_rows_of_a_finished_run_are_tampering_not_partial(store: Path,
                                                                  change: str) -> None:
    statement, message = ROW_CHANGES[change]
    _sql(store, statement)
    for args in (["results", "show", store],
                 ["batch", TOY, "--runs", "2000", "--chunk-size", "500", "--seed", "3",
                  "--store", store, "--resume", "-q"]):
        code, out, err = cli(*args)
        clean(code, out, err, 2)
        assert message in err
        assert "(an unfinished run)" not in err and "these are partial results" not in err
    with pytest.raises(WargameError, match="changed after"):
        wargame.read_store(store)
    _sql(store, "DELETE FROM meta WHERE key = 'finished'")  # as if killed before the end
    code, out, err = cli("results", "show", store)
    clean(code, out, err, 0)
    assert "(an unfinished run)" in err or "outside its run's plan; they were left out" in err


@pytest.mark.parametrize(("key", "value", "message"), [
    ("finished", [1], "its record of the finish is damaged"),
    ("seal", "x", "its seal is not a seal"),
])
def test_a_damaged_seal_or_finish_is_damage(store: Path, key: str, value: Any,
                                            message: str) -> None:
    _set_meta(store, key, value)
    code, out, err = cli("results", "show", store)
    clean(code, out, err, 2)
    assert message in err


# --- 23.2, 22.5: loaded scenarios are read-only ---------------------------------------------

def test_a_loaded_scenario_cannot_be_changed_under_a_later_run() -> None:
    import copy

    first = wargame.load(TOY)
    before = wargame.batch(TOY, runs=200, seed=5)
    attempts = [
        lambda: first.scenario.factions.__setitem__("green", first.scenario.factions["red"]),
        lambda: first.scenario.settlements.pop("b"),
        lambda: first.scenario.settlements.__delitem__("b"),
        lambda: first.scenario.links.append(first.scenario.links[0]),
        lambda: first.data["scenario"].__setitem__("turns", 10**6),
        lambda: first.data["factions"]["red"].update(strength=9000),
        lambda: first.data["settlements"].clear(),
        lambda: setattr(first.scenario.scenario, "turns", 10**6),
    ]
    for attempt in attempts:
        with pytest.raises((WargameError, ValueError)):
            attempt()
    again = wargame.load(TOY)
    assert again.digest == first.digest
    assert again.data == copy.deepcopy(first.data)
    after = wargame.batch(TOY, runs=200, seed=5)
    assert after.to_dict() == before.to_dict()
    writable = copy.deepcopy(first.data)   # the way to a variant: a plain copy
    writable["factions"]["red"]["strength"] = 9000
    assert type(writable["factions"]) is dict


def test_a_run_from_a_loaded_scenario_is_the_run_of_its_file(tmp_path: Path) -> None:
    """The attack of issue 23 changed the cached scenario, wrote half a store from it and
    resumed that from the file. The change is now refused where it is written."""
    loaded = wargame.load(TOY)
    with pytest.raises(WargameError, match="read-only"):
        loaded.data["factions"]["red"]["strength"] = 9000
    with pytest.raises(WargameError, match="read-only"):
        loaded.scenario.factions["red"] = loaded.scenario.factions["blue"]
    store = tmp_path / "s.db"
    played = wargame.batch(loaded, runs=1000, chunk_size=250, seed=2, store=store)
    clean_run = wargame.batch(TOY, runs=1000, chunk_size=250, seed=2)
    assert played.spec.digest == clean_run.spec.digest
    assert [o.probability for o in played.outcomes] == \
        [o.probability for o in clean_run.outcomes]
    assert played.factions == clean_run.factions


TYPE_CASES = [
    ("batch", {"runs": "10"}, "--runs must be a whole number of at least 1 (got '10')"),
    ("batch", {"runs": 10.5}, "--runs must be a whole number of at least 1 (got 10.5)"),
    ("batch", {"runs": True}, "--runs must be a whole number of at least 1 (got True)"),
    ("batch", {"seed": "5"}, "--seed must be a whole number of at least 0 (got '5')"),
    ("batch", {"seed": 1.5}, "--seed must be a whole number of at least 0 (got 1.5)"),
    ("batch", {"seed": float("nan")}, "--seed must be a whole number of at least 0 (got nan)"),
    ("batch", {"workers": "2"}, "--workers must be a whole number of at least 1 (got '2')"),
    ("batch", {"chunk_size": 3.7}, "--chunk-size must be a whole number of at least 1 "
                                   "(got 3.7)"),
    ("batch", {"turns": "5"}, "--turns must be a whole number between 1 and 1,000 (got '5')"),
    ("batch", {"precision": "x"}, "--precision must be between 0 and 0.5 (got 'x')"),
    ("batch", {"games": 5}, "games must be a .parquet file name, True (keep the records in "
                            "memory) or None (got 5)"),
    ("batch", {"overrides": "factions.red.strength=10"}, "overrides must be a list of texts"),
    ("batch", {"store": {}}, "store must be a file name (got {})"),
    ("batch", {"per_turn": "yes"}, "--per-turn must be True or False (got 'yes')"),
    ("batch", {"resume": 1, "store": "x.db"}, "--resume must be True or False (got 1)"),
    ("sweep", {"vary": "factions.red.quality=1,2"}, "vary must be a list of texts"),
    ("sweep", {"vary": ["factions.red.quality=1,2"], "runs": 2.0},
     "--runs must be a whole number of at least 1 (got 2.0)"),
    ("compare", {"runs": "10"}, "--runs must be a whole number of at least 1 (got '10')"),
    ("play", {"seed": 1.5}, "--seed must be a whole number of at least 0 (got 1.5)"),
    ("play", {"seed": 1, "game": 1.5, "runs": 10}, "game must be a whole number of at least "
                                                   "0 (got 1.5)"),
    ("play", {"turns": 2.5}, "--turns must be a whole number between 1 and 1,000 (got 2.5)"),
    ("play", {"overrides": "factions.red.strength=10"}, "overrides must be a list of texts"),
    ("read_store", {}, "store must be a file name (got None)"),
]


@pytest.mark.parametrize(("function", "kwargs", "message"), TYPE_CASES)
def test_api_arguments_of_the_wrong_type_are_errors_that_name_them(
        function: str, kwargs: dict[str, Any], message: str, tmp_path: Path) -> None:
    fn = getattr(wargame, function)
    args: list[Any] = [TOY, TOY] if function == "compare" else [None] \
        if function == "read_store" else [TOY]
    kw = dict(kwargs)
    if function == "sweep":
        args.append(kw.pop("vary"))
    if isinstance(kw.get("store"), str):
        kw["store"] = tmp_path / kw["store"]
    with pytest.raises(WargameError) as got:
        fn(*args, **kw)
    assert message in str(got.value)
    assert type(got.value).__name__ == "UsageError"


@pytest.mark.parametrize("scenario", [{"scenario": {}}, None, [str(TOY)], 5, ""])
def test_a_scenario_that_is_no_file_name_is_an_error(scenario: Any) -> None:
    for call in (lambda: wargame.batch(scenario, runs=10, seed=1),
                 lambda: wargame.play(scenario, seed=1),
                 lambda: wargame.load(scenario),
                 lambda: wargame.compare(scenario, TOY, runs=10, seed=1)):
        with pytest.raises(WargameError, match="must be a file name"):
            call()


# --- 23.4: control characters in the HTML report ------------------------------------------

ESCAPES = {"name": "\x1b]52;c;ZXZpbA==\x07Theatre\x1b]0;PWNED\x07",
           "faction": "\x1b]8;;http://evil.example\x1b\\Red\x1b]8;;\x1b\\\x9b31m",
           "place": "A\x1b[2J\r\x08", "outcome": "Red takes C\x90x\x9c\x07"}


def test_the_html_report_holds_no_control_characters(tmp_path: Path) -> None:
    data = toy()
    data["scenario"]["name"] = ESCAPES["name"]
    data["scenario"]["description"] = ESCAPES["place"]
    data["scenario"]["sources"] = [{"id": "src", "title": ESCAPES["faction"],
                                    "url": ESCAPES["name"], "note": ESCAPES["outcome"]}]
    data["factions"]["red"]["name"] = ESCAPES["faction"]
    data["factions"]["red"]["source"] = ESCAPES["place"]
    data["settlements"]["a"]["name"] = ESCAPES["place"]
    data["settlements"]["a"]["region"] = ESCAPES["faction"]
    data["outcomes"]["red_takes_c"]["name"] = ESCAPES["outcome"]
    path = write(tmp_path / "e.yaml", data)
    out = tmp_path / "r.html"
    clean(*cli("report", path, "--runs", "20", "--seed", "1", "--out", out))
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", page), \
        sorted({repr(c) for c in page if not c.isprintable() and c not in "\n\t"})
    assert "<title>Theatre – wargame report</title>" in page
    assert "<h1>Theatre</h1>" in page and "ZXZpbA" not in page and "PWNED" not in page


# --- 22.4: stores and records on devices and pipes ----------------------------------------
# Private device nodes and pipes in a temporary folder: a test must never point SQLite or a
# rename at the machine's own /dev/null (the bug below replaced it with a file).

def _specials(tmp_path: Path) -> dict[str, Path]:
    import os
    import stat

    found = {"fifo": tmp_path / "pipe"}
    os.mkfifo(found["fifo"])
    for name, minor in (("null", 3), ("full", 7)):
        try:
            os.mknod(tmp_path / f"{name}dev", 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        except (PermissionError, OSError):
            continue   # no right to make device nodes here: the pipe stands for them
        found[name] = tmp_path / f"{name}dev"
    return found


def test_stores_on_devices_and_pipes_are_refused_before_any_game(tmp_path: Path) -> None:
    import os
    import stat

    for kind, target in _specials(tmp_path).items():
        link = tmp_path / f"{kind}.db"
        link.symlink_to(target)
        for where in (target, link):
            for args in (["batch", TOY, "--runs", "10", "--seed", "1", "--store", where],
                         ["batch", TOY, "--runs", "10", "--seed", "1", "--store", where,
                          "--resume"],
                         ["results", "show", where]):
                code, out, err = cli(*args)
                clean(code, out, err, 2)
                assert "is a device, a pipe or a socket, not a store file" in err, err
                assert "seed" not in err
        assert not stat.S_ISREG(os.stat(target).st_mode)
        assert not list(tmp_path.glob("*-journal")) and not list(tmp_path.glob("*-wal"))


def test_records_are_never_renamed_over_a_device(tmp_path: Path) -> None:
    import os
    import stat

    for kind, target in _specials(tmp_path).items():
        link = tmp_path / f"{kind}.parquet"
        link.symlink_to(target)
        code, out, err = cli("batch", TOY, "--runs", "10", "--seed", "1", "--games", link)
        clean(code, out, err, 2)
        assert "is a device, a pipe or a socket, not a file" in err
        assert not stat.S_ISREG(os.stat(target).st_mode), f"{kind} was replaced by a file"
    from wargame.outputs import Replacement

    for target in _specials(tmp_path / "again" if (tmp_path / "again").mkdir() is None
                            else tmp_path).values():
        with pytest.raises(WargameError, match="not a file"):
            Replacement(target)


# --- 23.7: a closed standard output -------------------------------------------------------

def _without_stdout(*args: object) -> tuple[int, str]:
    import os
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "wargame", *map(str, args)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          preexec_fn=lambda: os.close(1), timeout=120, check=False,
                          env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, proc.stderr


@pytest.mark.slow
def test_a_closed_stdout_is_one_line_and_exit_1(tmp_path: Path) -> None:
    for args in (["batch", TOY, "--runs", "10", "--seed", "1", "-f", "json"],
                 ["batch", TOY, "--runs", "10", "--seed", "1", "-f", "csv"],
                 ["batch", TOY, "--runs", "10", "--seed", "1"],
                 ["validate", TOY], ["schema"], ["run", TOY, "--seed", "1"]):
        code, err = _without_stdout(*args)
        assert code == 1, (args, err)
        assert err.strip() == "error: cannot write the output: standard output is closed", err
    code, err = _without_stdout("map", TOY, "--out", tmp_path / "m.png")  # no result to write
    assert code == 0, err


def test_temporary_files_of_a_killed_run_are_removed_by_the_next(tmp_path: Path) -> None:
    target = tmp_path / "games.parquet"
    stale = tmp_path / ".games.parquet.999999999.k9x2.tmp"   # no such process
    stale.write_bytes(b"\0" * 1024)
    other = tmp_path / ".other.parquet.999999999.k9x2.tmp"   # another target's: left alone
    other.write_bytes(b"\0")
    clean(*cli("batch", TOY, "--runs", "10", "--seed", "1", "--games", target, "-q"))
    assert target.exists() and not stale.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, target.name]


# --- 23.5, 23.8: sweep memory and the small ones ------------------------------------------

def test_a_sweep_over_the_budget_is_refused_before_any_game(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARGAME_MEMORY_BUDGET", "0.01")
    code, out, err = cli("sweep", TOY, "--vary", "factions.red.quality=0.5:1.5:2000", "--runs",
                         "10", "--seed", "1")
    clean(code, out, err, 2)
    assert re.search(r"a sweep of 2,000 points of this scenario \(3 settlements × 2 factions\) "
                     r"keeps about \d+ MiB of results in memory, more than the budget of "
                     r"10 MiB: use [\d,]+ points or fewer", err), err


def test_a_sweep_keeps_no_compiled_scenario_per_point() -> None:
    from wargame.montecarlo.sweep import PointScenarios

    res = wargame.sweep(TOY, ["factions.red.quality=0.5:1.5:5"], runs=20, seed=1)
    assert len(res.points) == 5
    shared = PointScenarios(wargame.load(TOY), [[f"factions.red.quality={q}"]
                                                for q in (0.5, 1.0, 1.5)])
    for k in range(3):
        assert shared[k] is shared[k]
    assert len(shared._made) == PointScenarios.KEEP


@pytest.mark.parametrize(("budget", "shown"), [("1.7e308", None), ("1e-9", "1 bytes"),
                                               ("0.0000001", "107 bytes")])
def test_memory_budgets_at_their_limits(monkeypatch: pytest.MonkeyPatch, budget: str,
                                        shown: str | None) -> None:
    monkeypatch.setenv("WARGAME_MEMORY_BUDGET", budget)
    code, out, err = cli("batch", TOY, "--runs", "10", "--seed", "1", "-q")
    if shown is None:
        clean(code, out, err, 0)
    else:
        clean(code, out, err, 2)
        assert f"budget of {shown}" in err and "0 MiB" not in err, err


def test_a_store_begun_by_another_writer_at_the_same_moment(store: Path) -> None:
    from wargame.montecarlo import store as store_module
    from wargame.montecarlo.spec import BatchSpec

    spec = BatchSpec("batch", "x", "0" * 64, [], 1, 10, 10, 6)
    conn = sqlite3.connect(store, isolation_level=None)
    try:
        with pytest.raises(WargameError, match="another run began writing this store"):
            store_module._init(store, conn, spec, {}, None)
    finally:
        conn.close()


def test_coverage_of_an_outcome_that_never_came_true_is_undefined() -> None:
    from wargame.montecarlo.discovery import fit

    rng = np.random.default_rng(1)
    found = fit(rng.random((200, 2)), ["a", "b"], np.zeros(200, dtype=bool), "never")
    assert found.hits == 0
    assert all(b.coverage is None for b in found.boxes)
    assert json.loads(json.dumps(found.to_dict()))["boxes"][0]["coverage"] is None


# --- 22.4: full disks (a small tmpfs, where the machine allows one) -----------------------

@pytest.fixture
def full_disk(tmp_path: Path) -> Any:
    import os
    import subprocess

    where = tmp_path / "small"
    where.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs",
                                            str(where)], capture_output=True,
                                           check=False).returncode != 0:
        pytest.skip("no small tmpfs can be mounted here")
    try:
        (where / "fill").write_bytes(b"\0" * 200 * 1024)
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_stores_records_and_outputs_on_a_full_disk(full_disk: Path) -> None:
    aleppo = HERE.parent / "scenarios" / "aleppo_2015.yaml"
    code, out, err = cli("batch", aleppo, "--runs", "2000", "--chunk-size", "100", "--seed", "1",
                         "--store", full_disk / "s.db", "-q")
    clean(code, out, err, 1)
    assert err.strip().endswith("cannot write store: no space left on the disk"), err
    code, out, err = cli("batch", aleppo, "--runs", "2000", "--chunk-size", "500", "--seed", "1",
                         "--games", full_disk / "g.parquet", "-q")
    clean(code, out, err, 1)
    assert "cannot write" in err and "No space left on device" in err
    code, out, err = cli("report", TOY, "--runs", "50", "--seed", "1", "--out",
                         full_disk / "r.html")
    clean(code, out, err, 1)
    assert "No space left on device" in err
    assert sorted(p.name for p in full_disk.iterdir()) == ["fill"]  # nothing half-written


def test_open_store_says_whether_the_run_finished(store: Path) -> None:
    """``wargame.open_store`` gives the stored result with how much of the run it holds, as
    ``wargame results show`` reads it."""
    got = wargame.open_store(store)
    assert got.kind == "batch" and got.complete and got.chunks == got.expected == 4
    assert got.result.to_dict() == wargame.read_store(store).to_dict()
    _sql(store, "DELETE FROM meta WHERE key = 'finished'")  # as if killed before the end
    _sql(store, "DELETE FROM chunks WHERE chunk = 3")
    part = wargame.open_store(store)
    assert not part.complete and part.chunks == 3 and part.expected == 4
