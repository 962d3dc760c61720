"""Scenarios, stores and file names from a hostile sender: the regression corpus of issue 14.

Every case gives the right result or one clear line with exit code 2 (1 for an I/O failure):
never an internal error, a traceback, a hang, a raw escape sequence on the terminal, mathtext
in a picture or a formula in a spreadsheet. The invalid scenarios with exact messages are in
``tests/data/invalid`` (``limit_*``, ``hostile_*``, ``extends_*``, ``not_a_scenario``); this
file covers what needs commands, pictures, devices, stores or generated files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from wargame.cli.app import app
from wargame.montecarlo import store_check
from wargame.scenario import yamlio
from wargame.scenario.limits import MAX_MAGNITUDE, MAX_TURNS
from wargame.textsafe import FORMULA_STARTS, printable

HERE = Path(__file__).parent
TOY = HERE / "data" / "valid" / "toy.yaml"
ENV = {"NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "COLUMNS": "100"}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SGR = re.compile(r"\x1b\[[0-9;]*m")

MARKUP = {"faction": "[/]", "place": "Aleppo [east]", "outcome": "[bold]x[/bold] :thumbs_up:"}
ESCAPES = {"faction": "\x1b]0;PWNED\x07Red\x1b[2J",          # window title, clear screen
           "place": "\x1b]52;c;ZXZpbA==\x07A\x9b31m",         # clipboard, 8-bit CSI
           "outcome": "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\\r\x08"}  # link
MATHTEXT = {"faction": "plain $5 and $6", "place": "$\\nosuchcmd$", "outcome": "$x^$ $$"}
FORMULAS = {"faction": "=HYPERLINK(\"http:evil.example\",\"open\")", "place": "+1",
            "outcome": "@SUM(A1:A9)"}
HTML = {"faction": "<script>alert(1)</script>", "place": "A & B \"quoted\"",
        "outcome": "</td></tr><img src=x onerror=alert(1)>"}
NAME_SETS = {"markup": MARKUP, "escapes": ESCAPES, "mathtext": MATHTEXT, "formulas": FORMULAS,
             "html": HTML}


def cli(*args: object, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    res = CliRunner(env={**ENV, **(env or {})}).invoke(app, [str(a) for a in args])
    return res.exit_code, res.stdout, res.stderr


def clean(code: int, out: str, err: str, expect: int = 0) -> None:
    """The exit code expected, and nothing a terminal would act on or a user should not see."""
    assert code == expect, err
    for text in (out, err):
        assert not CONTROL.search(text.replace("\n", "").replace("\t", "")), repr(text[:500])
        assert "Traceback" not in text and "internal error" not in text, text
    if expect:
        assert len(err.strip().splitlines()) >= 1


def scenario_with(names: dict[str, str], **meta: Any) -> dict[str, Any]:
    """The toy scenario with a faction, a place and the outcome renamed, and text everywhere."""
    data = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    data["scenario"]["name"] = names["outcome"]
    data["scenario"]["description"] = names["place"]
    data["scenario"]["sources"] = [{"id": "src", "title": names["faction"],
                                    "url": names["place"]}]
    data["scenario"].update(meta)
    data["factions"]["red"]["name"] = names["faction"]
    data["factions"]["red"]["source"] = names["place"]
    data["settlements"]["a"]["name"] = names["place"]
    data["settlements"]["a"]["region"] = names["faction"]
    data["outcomes"]["red_takes_c"]["name"] = names["outcome"]
    return data


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yamlio.dump(data), encoding="utf-8")
    return path


@pytest.fixture(params=list(NAME_SETS), ids=list(NAME_SETS))
def hostile(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    names = NAME_SETS[request.param]
    return write(tmp_path / "hostile.yaml", scenario_with(names)), names


# --- the terminal ---------------------------------------------------------------------------

def test_every_text_command_prints_names_as_written(hostile: tuple[Path, dict[str, str]],
                                                    tmp_path: Path) -> None:
    path, names = hostile
    shown = {k: CONTROL.sub("", re.sub(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\))"
                                       r"|\x9b[0-?]*[ -/]*[@-~]", "", v))
             for k, v in names.items()}
    code, out, err = cli("show", path)
    clean(code, out, err)
    assert shown["faction"] in out and shown["place"] in " ".join(out.split())
    code, out, err = cli("run", path, "--seed", "3")
    clean(code, out, err)
    assert shown["faction"] in out
    for fmt in ("table", "json", "csv"):
        clean(*cli("batch", path, "--runs", "20", "--seed", "1", "-f", fmt))
    clean(*cli("compare", path, path, "--runs", "20", "--seed", "1"))
    clean(*cli("sweep", path, "--vary", "factions.red.quality=0.5,1.5", "--runs", "20",
               "--seed", "1"))
    store = tmp_path / "s.db"
    clean(*cli("batch", path, "--runs", "20", "--seed", "1", "--store", store, "-q"))
    clean(*cli("results", "show", store))
    code, out, err = cli("validate", path)
    clean(code, out, err)


def test_on_a_terminal_only_the_consoles_own_styles_are_sent(tmp_path: Path) -> None:
    path = write(tmp_path / "esc.yaml", scenario_with(ESCAPES))
    for args in (["show", path], ["run", path, "--seed", "1"],
                 ["batch", path, "--runs", "20", "--seed", "1", "--quiet"]):  # no bar
        code, out, err = cli(*args, env={"FORCE_COLOR": "1", "NO_COLOR": None})
        assert code == 0, err
        for text in (out, err):
            assert "\x1b" not in SGR.sub("", text), repr(text[:300])
            assert not CONTROL.search(SGR.sub("", text).replace("\n", ""))


def test_errors_print_file_names_and_values_as_written(tmp_path: Path) -> None:
    weird = tmp_path / "[/] \x1b]0;x\x07 [bold].yaml"
    code, out, err = cli("validate", weird)
    clean(code, out, err, 2)
    assert "[/]" in err and "[bold].yaml: no such file" in err
    code, out, err = cli("batch", TOY, "--runs", "10", "--seed", "1", "--set",
                         "scenario.name=[/]\x1b[2J")
    clean(code, out, err, 2)  # YAML holds no raw control character
    assert err.splitlines() == ["error: --set scenario.name:1:4: invalid YAML: character "
                                "U+001B is not allowed in YAML text"]
    code, out, err = cli("batch", TOY, "--runs", "10", "--seed", "1", "--set",
                         'scenario.name="[/]\\e[2J"')
    clean(code, out, err)
    assert out.startswith(f"{TOY}: 10 games")


# --- pictures -------------------------------------------------------------------------------

def _texts_are_literal(fig: Any) -> list[str]:
    """Every text of a drawn figure, checked: none is mathtext, none holds a control."""
    from matplotlib.text import Text

    fig.canvas.draw()
    found = []
    for t in fig.findobj(Text):
        text = t.get_text()
        drawn, is_math = t._preprocess_math(text)
        assert not is_math, text
        assert not CONTROL.search(drawn.replace("\n", "")), repr(text)
        found.append(drawn)
    return found


def test_pictures_draw_names_literally(tmp_path: Path) -> None:
    import wargame
    from wargame.engine import compile_scenario
    from wargame.report.maps import batch_view, draw_map
    from wargame.report.plots import outcome_times, outcomes_chart, timing_overview

    names = {k: MATHTEXT[k] + " " + ESCAPES[k] for k in MATHTEXT}
    path = write(tmp_path / "m.yaml", scenario_with(names))
    res = wargame.batch(path, runs=50, seed=1, per_turn=True)
    sc = res.loaded.scenario if res.loaded else None
    assert sc is not None
    view = batch_view(compile_scenario(sc), res.tally.ints["control"], res.games, res.turns)
    texts = _texts_are_literal(draw_map(sc, view, 800, 600, "note $1 $2")[0])
    assert any("plain $5 and $6" in t for t in texts)
    assert any("$\\nosuchcmd$ A" in t for t in texts)
    ot = outcome_times(res.tally, res.labels, sc)
    _texts_are_literal(outcomes_chart(ot, 800, 600, sc.scenario.name, note="$x$"))
    _texts_are_literal(timing_overview(ot, 800, 600, sc.scenario.name))


@pytest.mark.parametrize("names", [MATHTEXT, ESCAPES, HTML], ids=["mathtext", "escapes",
                                                                    "html"])
def test_picture_commands_succeed(names: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", scenario_with(names))
    for args in (["map", path, "--out", tmp_path / "a.png"],
                 ["map", path, "--runs", "20", "--seed", "1", "--out", tmp_path / "b.svg"],
                 ["plot", "outcomes", path, "--runs", "20", "--seed", "1", "--out",
                  tmp_path / "c.png"],
                 ["plot", "compare", path, path, "--runs", "20", "--seed", "1", "--out",
                  tmp_path / "d.png"],
                 ["report", path, "--runs", "20", "--seed", "1", "--out", tmp_path / "r.html"]):
        clean(*cli(*args))


def test_html_and_svg_escape_names(tmp_path: Path) -> None:
    from html.parser import HTMLParser
    from xml.etree import ElementTree

    path = write(tmp_path / "h.yaml", scenario_with(HTML))
    clean(*cli("report", path, "--runs", "20", "--seed", "1", "--out", tmp_path / "r.html"))
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    tags: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: Any) -> None:
            tags.append(tag)

    Tags().feed(page)
    assert "script" not in tags and tags.count("img") == 3  # the three pictures only
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    clean(*cli("map", path, "--out", tmp_path / "m.svg"))
    root = ElementTree.parse(tmp_path / "m.svg").getroot()
    assert not [e for e in root.iter() if e.tag.endswith("script")]


# --- spreadsheets ---------------------------------------------------------------------------

def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def _no_formula(cells: list[str]) -> None:
    for c in cells:
        if c.startswith(FORMULA_STARTS):
            float(c)  # only a number may start with - or +


def test_csv_cells_never_start_a_formula(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(Path('=HYPERLINK("http:evil.example","open").yaml'), scenario_with(FORMULAS))
    code, out, err = cli("batch", path, "--runs", "30", "--seed", "1", "-f", "csv")
    clean(code, out, err)
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1] == ["meta", "", "", "", "", "", "scenario", f"'{path}"]
    _no_formula(_cells(out))
    store = tmp_path / "s.db"
    code, out, err = cli("sweep", path, "--vary", 'scenario.description=\'=HYPERLINK("x")\',\'-1\'',
                         "--runs", "20", "--seed", "1", "-f", "csv", "--store", store)
    clean(code, out, err)
    _no_formula(_cells(out))
    assert "'=HYPERLINK(\"x\")" in _cells(out)
    code, out, err = cli("results", "export", store, "--table", "points")
    clean(code, out, err)
    _no_formula(_cells(out))
    clean(*cli("results", "export", store, "--out", tmp_path / "tables"))
    for f in (tmp_path / "tables").iterdir():
        _no_formula(_cells(f.read_text(encoding="utf-8")))


def test_numbers_stay_numbers_in_csv(tmp_path: Path) -> None:
    code, out, err = cli("sweep", TOY, "--vary", "factions.red.quality=0.5,1.5", "--runs",
                         "20", "--seed", "1", "-f", "csv")
    clean(code, out, err)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["factions.red.quality"] for r in rows} == {"0.5", "1.5"}
    assert all(float(r["probability"]) >= 0 for r in rows)


# --- files: devices, pipes, links, names ----------------------------------------------------

def _run_cli_process(*args: object, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "WARGAME_DEBUG")}
    return subprocess.run([sys.executable, "-m", "wargame", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def devices(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    (tmp_path / "loop1.yaml").symlink_to(tmp_path / "loop2.yaml")
    (tmp_path / "loop2.yaml").symlink_to(tmp_path / "loop1.yaml")
    return {"zero": Path("/dev/zero"), "urandom": Path("/dev/urandom"), "fifo": fifo,
            "link_to_zero": zero, "loop": tmp_path / "loop1.yaml",
            "long_name": tmp_path / ("x" * 5000 + ".yaml")}


EXPECTED_READ = {"zero": "is a character device", "urandom": "is a character device",
                 "fifo": "is a named pipe", "link_to_zero": "is a character device",
                 "loop": "too many levels of symbolic links", "long_name": "file name too long"}


@pytest.mark.parametrize("kind", list(EXPECTED_READ))
def test_scenarios_are_read_from_regular_files_only(kind: str, devices: dict[str, Path],
                                                    tmp_path: Path) -> None:
    path = devices[kind]
    for command in (["validate"], ["show"], ["run"], ["batch", "--runs", "5"]):
        code, out, err = cli(command[0], path, *command[1:])
        clean(code, out, err, 2)
        assert EXPECTED_READ[kind] in err
        assert len(err) < 600  # a long name is cut
    if kind != "long_name":  # extends names the same thing (a file name of 5,000 is refused)
        target = path.name if path.parent == tmp_path else path
        (tmp_path / "v.yaml").write_text(f"extends: {target}\n")
        code, out, err = cli("validate", tmp_path / "v.yaml")
        clean(code, out, err, 2)


def test_a_pipe_never_hangs_a_real_process(devices: dict[str, Path]) -> None:
    proc = _run_cli_process("validate", devices["fifo"], devices["urandom"], timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("not a scenario file") == 2 and "Traceback" not in proc.stderr


def test_writing_to_a_full_device_is_one_line_and_exit_1(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    for args in (["schema", "--out", "/dev/full"],
                 ["map", TOY, "--out", tmp_path / "m.png"]):
        if args[0] == "map":
            (tmp_path / "m.png").symlink_to("/dev/full")
        proc = _run_cli_process(*args)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.strip().splitlines() == [
            f"error: cannot write {args[-1]}: No space left on device"]
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "wargame", "batch", str(TOY), "--runs",
                               "10", "--seed", "1", "-f", "csv"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["error: cannot write the output: No space left on "
                                        "device"]


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.html"
    clean(*cli("report", TOY, "--runs", "20", "--seed", "1", "--out", out))
    before = out.read_bytes()

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    for args in (["report", TOY, "--runs", "30", "--seed", "2", "--out", out],
                 ["map", TOY, "--out", tmp_path / "m.png"],
                 ["schema", "--out", tmp_path / "s.json"]):
        code, stdout, err = cli(*args)
        clean(code, stdout, err, 1)
        assert "No space left on device" in err
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # no 0-byte or temp file


# --- sizes and numbers ----------------------------------------------------------------------

def _grid(n: int, f: int) -> dict[str, Any]:
    side = max(1, int(n ** 0.5))
    factions = {f"f{i}": {"name": f"F{i}", "strength": 100.0} for i in range(f)}
    places = {f"s{k}": {"name": f"S{k}", "lat": 30 + k // side * 0.01,
                        "lon": 30 + k % side * 0.01, "controller": f"f{k * f // n}"}
              for k in range(n)}
    links = [{"between": [f"s{k}", f"s{k + 1}"]} for k in range(n - 1)]
    return {"scenario": {"name": "big", "start_date": "2015-10-13", "turns": 2},
            "factions": factions, "settlements": places, "links": links}


def test_memory_is_budgeted_before_any_game(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(json.dumps(_grid(1000, 1000)), encoding="utf-8")
    code, out, err = cli("validate", path)
    clean(code, out, err)  # one game fits: valid
    code, out, err = cli("batch", path, "--runs", "1000", "--seed", "1")
    clean(code, out, err, 2)
    assert "more than the budget of 4.0 GiB: use --chunk-size 465 or less" in err
    code, out, err = cli("batch", TOY, "--runs", "100000000", "--chunk-size", "100000000")
    clean(code, out, err, 2)
    assert "use --chunk-size" in err and "seed" not in err   # no seed before the refusal
    for command in (["sweep", TOY, "--vary", "factions.red.quality=0.5:1.5:2"],
                    ["compare", TOY, TOY]):
        code, out, err = cli(*command, "--runs", "100000000", "--chunk-size", "100000000")
        clean(code, out, err, 2)
        assert "use --chunk-size" in err and "seed" not in err
    code, out, err = cli("batch", path, "--runs", "1000", "--seed", "1",
                         env={"WARGAME_MEMORY_BUDGET": "0.0001"})
    clean(code, out, err, 2)
    code, out, err = cli("validate", path, env={"WARGAME_MEMORY_BUDGET": "0.0001"})
    clean(code, out, err, 2)
    assert "too large to play" in err


@pytest.mark.parametrize(("vary", "extra", "message"), [
    ("factions.red.quality=0:1000:100000000", [], "the grid has 100,000,000 points"),
    ("factions.red.quality=0.5:1.5", ["--design", "lhs", "--points", "100000000"],
     "the design has 100,000,000 points"),
])
def test_sweeps_count_their_points_before_making_them(vary: str, extra: list[str],
                                                      message: str) -> None:
    import tracemalloc

    tracemalloc.start()
    try:
        code, out, err = cli("sweep", TOY, "--vary", vary, *extra, "--runs", "10", "--seed",
                             "1")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    clean(code, out, err, 2)
    assert message in err
    assert peak < 50 * 2**20  # nothing of the size of the design was made


def test_plans_are_counted_before_any_chunk() -> None:
    code, out, err = cli("batch", TOY, "--runs", "2000000000", "--chunk-size", "1")
    clean(code, out, err, 2)
    assert "more than the 1,000,000 one run may have" in err


def test_every_command_has_one_turn_bound() -> None:
    for command in (["run", TOY], ["batch", TOY, "--runs", "5"], ["sweep", TOY, "--vary",
                    "factions.red.quality=0.5,1", "--runs", "5"], ["compare", TOY, TOY,
                    "--runs", "5"]):
        for turns in ("0", str(MAX_TURNS + 1), "10000000"):
            code, out, err = cli(*command, "--turns", turns, "--seed", "1")
            clean(code, out, err, 2)
            assert f"--turns must be between 1 and {MAX_TURNS:,}" in err


def test_the_largest_numbers_play_to_finite_results(tmp_path: Path) -> None:
    data = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    big = MAX_MAGNITUDE
    data["scenario"].update(start_date="8997-12-04", days_per_turn=366, turns=4)
    data["factions"]["red"].update(strength=big, quality=big,
                                   reinforcements=[{"men_per_turn": big, "at": ["a"]}])
    data["factions"]["red"]["doctrine"]["objectives"] = {"c": big}
    data["factions"]["blue"]["strength"] = {"dist": "lognormal", "median": big, "sigma": 5}
    data["settlements"]["a"].update(garrison={"red": big}, population=int(big), value=big)
    data["support"] = {"air": {"kind": "air_strikes", "provider": "P", "beneficiary": "red",
                               "sorties_per_turn": big, "kills_per_sortie": big}}
    path = write(tmp_path / "big.yaml", data)
    code, out, err = cli("run", path, "--seed", "1", "--format", "json", "--turns",
                         str(MAX_TURNS))
    clean(code, out, err)
    assert not re.search(r"\b(NaN|Infinity)\b", out)
    assert json.loads(out)["turns"][-1]["end_date"] == "9999-12-31"  # the calendar's last day
    code, out, err = cli("batch", path, "--runs", "50", "--seed", "1", "-f", "json",
                         "--per-turn")
    clean(code, out, err)
    assert not re.search(r"\b(NaN|Infinity)\b", out)


# --- stores ---------------------------------------------------------------------------------

@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    clean(*cli("batch", TOY, "--runs", "2000", "--chunk-size", "500", "--seed", "3",
               "--per-turn", "--store", path, "-q", "-f", "json"))
    return path


def _edit(path: Path, *sql: tuple[str, tuple[Any, ...]]) -> None:
    with sqlite3.connect(path) as conn:
        for statement, args in sql:
            conn.execute(statement, args)
    conn.close()


def _resign(path: Path, spec: dict[str, Any]) -> None:
    """Rewrite the spec, the seal, every chunk's digest and the record of the finish, as a
    careful forger would."""
    text = json.dumps(spec, sort_keys=True)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'spec'", (text,))
        texts = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        seal = store_check.seal_of(texts)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'seal'", (json.dumps(seal),))
        key = store_check.seal_key(seal)
        for p, c, g, blob in conn.execute("SELECT point, chunk, games, stats FROM chunks")\
                .fetchall():
            conn.execute("UPDATE chunks SET digest = ? WHERE point = ? AND chunk = ?",
                         (store_check.chunk_digest(key, p, c, g, blob), p, c))
        rows = conn.execute("SELECT point, chunk, games, digest FROM chunks").fetchall()
        conn.execute("UPDATE meta SET value = ? WHERE key = 'finished'", (json.dumps(
            {"chunks": len(rows), "rows": store_check.rows_digest(rows)}),))
    conn.close()


def _key(path: Path) -> str:
    """What the store's chunk digests are taken over (its seal)."""
    with sqlite3.connect(path) as conn:
        seal = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'seal'")
                          .fetchone()[0])
    conn.close()
    return store_check.seal_key(seal)


def _spec(path: Path) -> dict[str, Any]:
    with sqlite3.connect(path) as conn:
        text = conn.execute("SELECT value FROM meta WHERE key = 'spec'").fetchone()[0]
    conn.close()
    return dict(json.loads(text))


def test_swapped_chunks_are_detected(store: Path) -> None:
    with sqlite3.connect(store) as conn:
        a = conn.execute("SELECT stats, digest FROM chunks WHERE chunk = 0").fetchone()
        b = conn.execute("SELECT stats, digest FROM chunks WHERE chunk = 1").fetchone()
        conn.execute("UPDATE chunks SET stats = ?, digest = ? WHERE chunk = 0", b)
        conn.execute("UPDATE chunks SET stats = ?, digest = ? WHERE chunk = 1", a)
    conn.close()
    for args in (["results", "show", store], ["map", "--store", store, "--out",
                 store.with_suffix(".png")],
                 ["batch", TOY, "--runs", "2000", "--chunk-size", "500", "--seed", "3",
                  "--per-turn", "--store", store, "--resume"]):
        code, out, err = cli(*args)
        clean(code, out, err, 2)
        assert "chunk 0 of point 0 does not match its digest" in err


def test_rows_outside_the_plan_are_left_out_and_reported(store: Path) -> None:
    code, before, _ = cli("results", "show", store, "-f", "json")
    with sqlite3.connect(store) as conn:
        row = conn.execute("SELECT games, stats, digest FROM chunks WHERE chunk = 0").fetchone()
        conn.execute("INSERT INTO chunks VALUES (0, 7, ?, ?, ?)", row)
        conn.execute("INSERT INTO chunks VALUES (3, 0, ?, ?, ?)", row)
        conn.execute("DELETE FROM meta WHERE key = 'finished'")  # in an unfinished run
    conn.close()
    code, out, err = cli("results", "show", store, "-f", "json")
    clean(code, out, err)
    assert json.loads(out) == json.loads(before)  # 2,000 games, not 3,000
    assert "holds 2 chunk row(s) outside its run's plan; they were left out" in err


@pytest.mark.parametrize(("change", "message"), [
    ([1, 2], "its spec is a list, not a mapping"),
    ({"runs": "2000"}, "its spec is damaged: runs: must be a whole number"),
    ({"points": {"a": 1}}, "its spec is damaged: points"),
    ({"runs": 10**18, "n_chunks": 2 * 10**15}, "its spec is damaged"),
    ({"turns": 10**6}, "its spec is damaged: turns: must be at most 1000"),
])
def test_a_spec_of_the_wrong_types_is_damaged_not_a_crash(store: Path, change: Any,
                                                           message: str) -> None:
    spec = change if isinstance(change, list) else {**_spec(store), **change}
    _resign(store, spec)  # type: ignore[arg-type]
    code, out, err = cli("results", "show", store)
    clean(code, out, err, 2)
    assert message in err


def test_pictures_of_a_store_use_its_own_copy_of_the_scenario(store: Path,
                                                               tmp_path: Path) -> None:
    _resign(store, {**_spec(store), "scenario": "/dev/zero"})
    for args in (["report", "--store", store, "--out", tmp_path / "r.html"],
                 ["map", "--store", store, "--out", tmp_path / "m.png"],
                 ["plot", "outcomes", "--store", store, "--out", tmp_path / "o.png"]):
        clean(*cli(*args))
    _resign(store, {**_spec(store), "scenario": "/etc/shadow"})
    code, out, err = cli("report", "--store", store, "--out", tmp_path / "r.html")
    clean(code, out, err)


def test_a_tampered_scenario_copy_is_validated(store: Path, tmp_path: Path) -> None:
    _edit(store, ("UPDATE meta SET value = ? WHERE key = 'scenario'",
                  (json.dumps({"scenario": [1], "factions": "x"}),)))
    _resign(store, _spec(store))  # sealed again, as a careful forger would
    code, out, err = cli("map", "--store", store, "--out", tmp_path / "m.png")
    clean(code, out, err, 2)
    assert "(its scenario)" in err


def test_a_blob_that_would_expand_is_refused(store: Path) -> None:
    import numpy as np

    buf = io.BytesIO()
    np.savez_compressed(buf, games=np.array(500), outcome_count=np.zeros(10**8, np.int64))
    blob = buf.getvalue()
    assert len(blob) < 2**20
    _edit(store, ("UPDATE chunks SET stats = ?, digest = ? WHERE chunk = 0",
                  (blob, store_check.chunk_digest(_key(store), 0, 0, 500, blob))))
    _resign(store, _spec(store))
    code, out, err = cli("results", "show", store)
    clean(code, out, err, 2)
    assert "chunk 0 of point 0 is damaged" in err


def test_stores_on_a_read_only_file_system_are_read(store: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from wargame.montecarlo import store as store_module

    real = sqlite3.connect
    opened: list[str] = []

    def read_only_fs(where: Any, *args: Any, **kw: Any) -> sqlite3.Connection:
        opened.append(str(where))
        if "mode=ro" in str(where) and "immutable" not in str(where):
            raise sqlite3.OperationalError("unable to open database file")  # no -shm file
        if "mode=ro" not in str(where):
            raise AssertionError("a store was opened for writing")
        return real(where, *args, **kw)

    before = store.stat().st_mtime_ns
    monkeypatch.setattr(store_module.sqlite3, "connect", read_only_fs)
    clean(*cli("results", "show", store))
    clean(*cli("results", "export", store, "--table", "outcomes"))
    assert any("immutable=1" in w for w in opened)
    assert store.stat().st_mtime_ns == before


# --- any name at all ------------------------------------------------------------------------

NAME = st.text(st.characters(codec=None, exclude_categories=["Cs"]), min_size=1, max_size=12)
EXAMPLES = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 100


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(faction=NAME, place=NAME, outcome=NAME, title=NAME)
def test_any_unicode_name_is_shown_drawn_and_exported_safely(
        faction: str, place: str, outcome: str, title: str, tmp_path: Path) -> None:
    names = {"faction": faction, "place": place, "outcome": outcome}
    data = scenario_with(names)
    data["scenario"]["name"] = title
    data["scenario"]["turns"] = 2
    path = write(tmp_path / "any.yaml", data)
    code, out, err = cli("show", path, env={"COLUMNS": "1000"})  # wide enough to cut nothing
    clean(code, out, err)
    for word in printable(faction).split():
        assert word in out
    clean(*cli("run", path, "--seed", "1"))
    clean(*cli("map", path, "--runs", "5", "--seed", "1", "--size", "400x300", "--out",
               tmp_path / "m.png"))
    code, out, err = cli("batch", path, "--runs", "5", "--seed", "1", "-f", "csv")
    clean(code, out, err)
    _no_formula(_cells(out))
