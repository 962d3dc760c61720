"""What a new analyst meets first: deletions that cannot silently do nothing, usage errors in
the project's words, install hints that name the make target, replays labelled as what they
are, stories that follow what an event changes, and the forces at each place."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import wargame
from wargame.cli.app import app
from wargame.errors import InvalidInput

ROOT = Path(__file__).resolve().parent.parent
ALEPPO = str(ROOT / "scenarios" / "aleppo_2015.yaml")
TOY = str(ROOT / "tests" / "data" / "valid" / "toy.yaml")
ENV = {"NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "COLUMNS": "100"}


def cli(*args: str) -> tuple[int, str, str]:
    res = CliRunner(env=ENV).invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


# --- deletions -------------------------------------------------------------------------------

def test_a_misspelt_deletion_in_a_variant_is_refused(tmp_path: Path) -> None:
    variant = tmp_path / "no_air.yaml"
    variant.write_text(f"extends: {ALEPPO}\nsupport:\n  russian_airr: null\n", encoding="utf-8")
    code, out, err = cli("validate", str(variant))
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == (
        f"error: {variant}:3:3: support.russian_airr: null deletes nothing: there is no "
        "support line 'russian_airr' (did you mean 'russian_air'?)")
    # compare cannot run it either: no silent 0.0 points everywhere.
    code, out, err = cli("compare", ALEPPO, str(variant), "--runs", "10", "--seed", "1")
    assert (code, out) == (2, "") and "null deletes nothing" in err


def test_a_misspelt_deletion_of_a_key_is_refused(tmp_path: Path) -> None:
    variant = tmp_path / "v.yaml"
    variant.write_text(f"extends: {TOY}\nfactions:\n  red:\n    qualty: null\n",
                       encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        wargame.load(variant)
    assert info.value.lines() == [
        f"{variant}:4:5: factions.red.qualty: null deletes nothing: factions.red has no key "
        "'qualty' (did you mean 'quality'?)"]


def test_set_null_deletes_and_a_misspelt_one_is_refused() -> None:
    loaded = wargame.load(ALEPPO, ["events.russian_escalation=null"])
    assert "russian_escalation" not in loaded.scenario.events
    code, out, err = cli("validate", ALEPPO, "--set", "support.russian_airr=null")
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == (
        "error: --set support.russian_airr: support.russian_airr: null deletes nothing: there "
        "is no support line 'russian_airr' (did you mean 'russian_air'?)")
    code, _, err = cli("validate", ALEPPO, "--set", "support.russian_air.sorties_per_turn=")
    assert code == 2 and "missing value" in err


def test_an_unknown_id_names_its_section_in_words() -> None:
    code, _, err = cli("validate", ALEPPO, "--set", "support.nope.first_turn=2")
    assert code == 2
    assert "; the support lines are russian_air, " in err


def test_vary_refuses_a_null_point() -> None:
    code, _, err = cli("sweep", TOY, "--vary", "factions.red.strength=1000,null", "--runs", "5",
                       "--seed", "1")
    assert code == 2 and "missing value" in err


# --- usage errors ------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "expected"), [
    (["batch", TOY, "--runs", "1.5"],
     "error: --runs: '1.5' is not a whole number (see 'wargame batch --help')"),
    (["run", TOY, "--seed", "x"],
     "error: --seed: 'x' is not a whole number (see 'wargame run --help')"),
    (["batch", TOY, "--format", "xml"],
     "error: --format: 'xml' is not one of 'table', 'json', 'csv' (see 'wargame batch --help')"),
    (["batch", TOY, "--runz", "3"],
     "error: no such option --runz (did you mean --runs or --per-turn or --turns?) "
     "(see 'wargame batch --help')"),
    (["frob"], "error: no such command 'frob' (see 'wargame --help')"),
])
def test_usage_errors_are_one_line_in_the_projects_words(args: list[str], expected: str) -> None:
    code, out, err = cli(*args)
    assert (code, out) == (2, "")
    assert err == expected + "\n"


def test_a_store_in_a_missing_folder_names_the_option(tmp_path: Path) -> None:
    where = tmp_path / "nowhere" / "x.db"
    code, out, err = cli("batch", TOY, "--runs", "5", "--seed", "1", "--store", str(where))
    assert (code, out) == (2, "")
    assert err == f"error: --store {where}: folder {where.parent} does not exist\n"


# --- installs ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("module", "command", "target"), [
    ("sklearn", ["discover", TOY, "--outcome", "red_takes_c", "--runs", "20", "--seed", "1"],
     "install"),
    ("pyarrow", ["batch", TOY, "--runs", "5", "--seed", "1", "--games", "g.parquet"],
     "install"),
])
def test_a_missing_package_names_the_make_target(module: str, command: list[str], target: str,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)
    code, _, err = cli(*command)
    assert code == 1
    assert f"run 'make {target}' in the wargame folder (or: pip install --require-hashes -r " \
           "requirements/runtime.txt)" in err


def _pins(lock: Path) -> set[str]:
    return {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock.read_text(
        encoding="utf-8"), flags=re.M)}


def test_the_install_lock_holds_what_the_tour_uses() -> None:
    runtime = _pins(ROOT / "requirements" / "runtime.txt")
    assert {"pandas", "xarray", "pyarrow", "scikit-learn", "numba", "typer"} <= runtime
    everything = _pins(ROOT / "requirements" / "all.txt")
    assert runtime | {"dask", "distributed", "salib"} <= everything
    dev = _pins(ROOT / "requirements" / "dev.txt")
    # The same versions everywhere: what is installed is what was tested.
    for lock in ("runtime.txt", "all.txt"):
        text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
        pins = set(re.findall(r"^([A-Za-z0-9_.-]+==\S+)", text, flags=re.M))
        dev_text = (ROOT / "requirements" / "dev.txt").read_text(encoding="utf-8")
        assert pins <= set(re.findall(r"^([A-Za-z0-9_.-]+==\S+)", dev_text, flags=re.M))
    assert runtime <= dev
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "RUN_EXTRAS := --extra data --extra discover" in makefile
    assert re.search(r"^install: \$\(STAMP_RUN\)", makefile, flags=re.M)
    assert re.search(r"^install-all: \$\(STAMP_ALL\)", makefile, flags=re.M)


# --- replay ------------------------------------------------------------------------------------

def test_run_replays_a_game_of_a_batch_and_says_so() -> None:
    code, out, err = cli("run", TOY, "--game", "3", "--runs", "40", "--seed", "7",
                         "--chunk-size", "16", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["replay"] == {"game": 3, "runs": 40, "chunk_size": 16, "default_chunk": False}
    assert data["label"] == ("game 3 of a 40-game batch with seed 7 (replay with --game 3 "
                             "--runs 40 --seed 7 --chunk-size 16)")
    game = wargame.play(TOY, seed=7, game=3, runs=40, chunk_size=16)
    assert game.to_dict()["turns"] == data["turns"]
    assert game.narrative(width=200).splitlines()[0] == f"Toy front — {data['label']}"
    code, out, _ = cli("run", TOY, "--game", "3", "--runs", "40", "--seed", "7",
                       "--chunk-size", "16")
    assert " ".join(out.splitlines()[:2]) == f"Toy front — {data['label']}"
    plain = wargame.play(TOY, seed=7)
    assert plain.label == "seed 7" and plain.replay is None


def test_run_game_options_go_together() -> None:
    code, _, err = cli("run", TOY, "--game", "3", "--seed", "7")
    assert code == 2 and "needs the batch's --seed and --runs" in err
    code, _, err = cli("run", TOY, "--runs", "30", "--seed", "7")
    assert code == 2 and "--runs and --chunk-size go with --game" in err
    code, _, err = cli("run", TOY, "--game", "30", "--runs", "30", "--seed", "7")
    assert code == 2 and "--game must be between 0 and 29 (got 30)" in err


def test_api_strings_have_no_trailing_padding() -> None:
    text = wargame.play(ALEPPO, seed=1).narrative(width=140)
    assert text and all(line == line.rstrip() for line in text.splitlines())


# --- the story follows the game ----------------------------------------------------------------

def test_an_event_with_nothing_to_scale_is_told_as_changing_nothing() -> None:
    game = wargame.play(ALEPPO, seed=1, overrides=["support.russian_air.sorties_per_turn=0"])
    told = [s for lines in game.story().values() for s in lines]
    assert not any(s.startswith("Event: Russia steps up") for s in told)
    assert ("The event \u201cRussia steps up its strikes after the Metrojet bombing (17 Nov "
            "2015)\u201d changes nothing in this game: Russian air campaign (Aleppo and Idlib "
            "share) flies no sorties.") in told
    normal = wargame.play(ALEPPO, seed=1)
    told = [s for lines in normal.story().values() for s in lines]
    assert any(s.startswith("Event: Russia steps up its strikes") for s in told)
    # Names, not ids: the reinforcement Turkey sends to Azaz, which the PYD has taken.
    assert ("The event \u201cTurkey answers a YPG advance on the Azaz pocket\u201d changes "
            "nothing in this game: Azaz is not held by the rebels.") in told


# --- forces ------------------------------------------------------------------------------------

def test_run_prints_the_forces_at_each_place_each_turn() -> None:
    game = wargame.play(TOY, seed=3)
    for t in game.turns:
        assert set(t.garrison) == set(t.control)
        by_faction: dict[str, float] = {}
        for place, n in t.garrison.items():
            assert n >= 0
            who = t.control[place]
            if who is not None:
                by_faction[who] = by_faction.get(who, 0.0) + n
        for fid, total in t.strength.items():
            assert by_faction.get(fid, 0.0) == pytest.approx(total, rel=1e-9, abs=1e-9)
    data = json.loads(cli("run", TOY, "--seed", "3", "-f", "json")[1])
    assert data["turns"][0]["garrison"] == game.turns[0].garrison
    code, out, _ = cli("run", TOY, "--seed", "3", "--forces")
    assert code == 0
    assert "At the start, 13 Oct 2015" in out
    start = game.turns[0]
    red = sorted(((v, s) for s, v in start.garrison.items() if start.control[s] == "red"),
                 reverse=True)
    names = {"a": "A", "b": "B", "c": "C"}
    line = (f"Forces of Red ({sum(v for v, _ in red):,.0f}): "
            + ", ".join(f"{names[s]} {v:,.0f}" for v, s in red) + ".")
    assert line in out
    assert out.count("Forces of Red") == len(game.turns)
    assert "Forces of" not in cli("run", TOY, "--seed", "3")[1]


# --- tables ------------------------------------------------------------------------------------

def _ids(path: str) -> list[str]:
    sc = wargame.load(path).scenario
    return [*sc.factions, *sc.settlements, *sc.support, *sc.events, *sc.outcomes]


def _broken_ids(out: str, ids: list[str]) -> list[str]:
    """Pieces of ids cut inside a word: a token with an underscore that begins an id but is
    not one (``coalition_air_koba`` of ``coalition_air_kobane``)."""
    known = set(ids)
    return [tok for tok in re.findall(r"[a-z0-9_]+", out)
            if "_" in tok and tok not in known and any(i.startswith(tok) for i in ids)]


@pytest.mark.parametrize("width", [60, 80, 100, 140, 220])
def test_show_never_breaks_an_id_and_keeps_one_style(width: int) -> None:
    res = CliRunner(env={**ENV, "COLUMNS": str(width)}).invoke(app, ["show", ALEPPO])
    assert res.exit_code == 0
    out = res.stdout
    ids = _ids(ALEPPO)
    assert _broken_ids(out, ids) == []
    for sid in ("iran_hezbollah_reinforcements", "coalition_air_kobane"):
        assert re.search(rf"(^|\s){sid}(\s|$)", out, flags=re.M), sid  # whole, or in the key
    assert not set(out) & set("┏┃┡│└┗━╇┩┳")                        # no box at any width
    assert all(line == line.rstrip() for line in out.splitlines())   # no padding when piped
    tables = out.split("\nSources\n")[0]   # the sources are never cut (soft wrap)
    assert max(len(line) for line in tables.splitlines()) <= width


def test_show_says_what_events_do_and_where_the_garrisons_stand() -> None:
    code, out, _ = cli("show", ALEPPO)
    assert code == 0
    assert "russian_air ×1.10–2.00 (mode 1.40)" in out
    assert "rebels +300–600 at azaz" in out
    assert "pyd – rebels: war" in out
    code, out, _ = cli("show", TOY)
    lines = out.splitlines()
    start = lines.index("Starting garrisons (every parameter at its mean)")
    # The start of a game played with every parameter at its mean, largest garrison first.
    first = wargame.play(TOY, seed=1, deterministic=True).turns[0]
    red = sorted(((v, s.upper()) for s, v in first.garrison.items()
                  if first.control[s] == "red"), reverse=True)
    assert lines[start + 1:start + 3] == [
        f"Forces of Red (3,000): {', '.join(f'{n} {v:,.0f}' for v, n in red)}.",
        f"Forces of Blue (1,000): C {first.garrison['c']:,.0f}."]
    assert first.garrison["b"] > first.garrison["a"]   # b faces the enemy: more stand there


def test_show_says_each_factions_doctrine() -> None:
    """What differs from the default doctrine, in words: operations, objectives by name and
    weight, a last stand and where; a faction with the defaults gets no row."""
    code, out, _ = cli("show", str(ROOT / "scenarios" / "mosul_2016.yaml"))
    assert code == 0
    text = " ".join(out.split())
    assert "Doctrine id beyond the defaults" in text
    assert ("isil fights to the end at Mosul (west bank and Old City); keeps 20% of a "
            "garrison back; at most 1 attack a turn") in text
    code, out, _ = cli("show", ALEPPO)
    assert "turkey keeps no reserve; makes no attack" in " ".join(out.split())
    code, out, _ = cli("show", str(ROOT / "scenarios" / "afghanistan_2021.yaml"))
    assert ("government at most 2 attacks a turn; uniform 0.70–1.00 of a garrison that makes "
            "a deal goes home") in " ".join(out.split())
    assert "isf first operation attacks on turn 1; objectives Bartella (2)" in text
    code, out, _ = cli("show", TOY)
    assert code == 0
    doctrine = out.split("Doctrine\n")[1].split("Settlements by controller")[0]
    assert "red" in doctrine and "objectives C (5)" in doctrine and "blue" not in doctrine


def test_batch_timing_has_dates_and_none_for_at_the_end_outcomes() -> None:
    res = wargame.batch(ALEPPO, runs=60, seed=7)
    import io

    from rich.console import Console

    from wargame.report.tables import batch_tables
    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(batch_tables(res))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    row = next(line for line in out.splitlines()
               if line.startswith("The regime still holds western Aleppo at the end"))
    assert row.rstrip().endswith("at the end")
    o = res.outcome("daesh_reaches_corridor")
    assert o.turn.median is not None
    d = o.end_date.median
    assert f"{o.turn.median}: {d.day} {d:%b %Y}" in out


# --- pictures ----------------------------------------------------------------------------------

def test_the_report_draws_the_map_wargame_map_draws(tmp_path: Path) -> None:
    import base64

    import numpy as np
    from matplotlib.image import imread

    code, _, err = cli("map", ALEPPO, "--runs", "30", "--seed", "3", "--civilians", "--out",
                       str(tmp_path / "m.png"))
    assert code == 0, err
    code, _, err = cli("report", ALEPPO, "--runs", "30", "--seed", "3", "--out",
                       str(tmp_path / "r.html"))
    assert code == 0, err
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    data = re.search(r'<img alt="Map" src="data:image/png;base64,([^"]+)"', page)
    assert data is not None
    (tmp_path / "r.png").write_bytes(base64.b64decode(data.group(1)))
    assert np.array_equal(imread(tmp_path / "m.png"), imread(tmp_path / "r.png"))
    # The Factions table names each faction's sources, as show does.
    assert "<td>cia_2014_09; ap_2016_08_macfarland; ap_2015_10_09</td>" in page


def test_kilis_is_in_turkey_and_aleppo_in_syria() -> None:
    import numpy as np

    from wargame.report import geo

    found = {c.name: c.path() for c in geo.countries()}
    sc = wargame.load(ALEPPO).scenario
    for sid, country in (("kilis_turkey", "Turkey"), ("aleppo_west", "Syria"),
                         ("azaz", "Syria"), ("jarabulus", "Syria"), ("idlib", "Syria")):
        s = sc.settlements[sid]
        assert found[country].contains_point((s.lon, s.lat)), (sid, country)
    syria = found["Syria"].vertices
    assert len(syria) > 400   # 1:10m borders, not the 27 vertices of 1:110m
    assert np.isfinite(syria).all()


@pytest.fixture(scope="module")
def aleppo_batch() -> object:
    return wargame.batch(ALEPPO, runs=100, seed=7, per_turn=True)


def _view(played: object) -> object:
    from wargame.engine import compile_scenario
    from wargame.report.maps import batch_view

    sc = played.loaded.scenario  # type: ignore[attr-defined]
    t = played.tally  # type: ignore[attr-defined]
    return batch_view(compile_scenario(sc), t.ints["control"], played.games,  # type: ignore[attr-defined]
                      played.turns, t.ints["control_by_turn"])  # type: ignore[attr-defined]


def test_names_stay_next_to_their_markers_in_the_dense_cluster(aleppo_batch: object) -> None:
    from matplotlib.text import Annotation, Text
    from text_boxes import overlapping

    from wargame.report.maps import draw_map

    sc = aleppo_batch.loaded.scenario  # type: ignore[attr-defined]
    fig, _ = draw_map(sc, _view(aleppo_batch), 1600, 1200, "note")  # type: ignore[arg-type]
    assert overlapping(fig) == []
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    gaps: dict[str, list[float]] = {}
    for ax in fig.axes:
        for t in ax.texts:
            if not isinstance(t, Annotation):
                continue
            bb = Text.get_window_extent(t, renderer)
            x, y = ax.transData.transform(t.xy)
            dx = max(bb.x0 - x, 0.0, x - bb.x1)
            dy = max(bb.y0 - y, 0.0, y - bb.y1)
            gaps.setdefault(t.get_text().replace("\n", " "), []).append(float(np.hypot(dx, dy)))
    scale = fig.dpi / 72
    largest_radius_pt = 7.5   # markers are 5-15 pt across
    near = (largest_radius_pt + 1.5 + 15.0 + 2.0) * scale   # the third ring, and rounding
    for name in ("Azaz", "Mare'", "Sawran", "Tal Rifaat", "Dabiq"):
        assert name in gaps, name
        assert min(gaps[name]) <= near, (name, gaps[name], near)
    far = sorted(n for n, g in gaps.items() if min(g) > near)
    assert len(far) <= 2, far   # a long name the inset cannot hold closer, at most


def test_co_located_markers_are_set_apart(aleppo_batch: object) -> None:
    from wargame.report.maps import _canvas

    sc = aleppo_batch.loaded.scenario  # type: ignore[attr-defined]
    fig, p, proj, *_ = _canvas(sc, _view(aleppo_batch), 1600, 1200)  # type: ignore[arg-type]
    scale = fig.dpi / 72
    ids = ["aleppo_west", "aleppo_east", "sheikh_maqsoud_aleppo"]
    at = {i: np.array(proj.pixel(float(p.lon[p.index[i]]), float(p.lat[p.index[i]])))
          for i in ids}
    true = {i: np.array(proj.pixel(sc.settlements[i].lon, sc.settlements[i].lat)) for i in ids}
    r = {i: p.diam[p.index[i]] / 2 * scale for i in ids}
    for a in ids:
        for b in ids:
            if a < b:
                assert np.hypot(*(at[a] - at[b])) >= r[a] + r[b]      # no overlap now
        assert np.hypot(*(at[a] - true[a])) <= 3 * 15 * scale         # and still there
    assert np.hypot(*(true["aleppo_west"] - true["aleppo_east"])) < r["aleppo_west"]


def test_batch_gives_the_garrisons_of_the_places_outcomes_name(aleppo_batch: object) -> None:
    res = aleppo_batch
    g = {x.settlement: x for x in res.garrisons}  # type: ignore[attr-defined]
    assert set(g) == set(res.loaded.scenario.settlements)  # type: ignore[attr-defined]
    total = sum(x.mean for x in g.values())
    assert total == pytest.approx(sum(f.strength.mean for f in res.factions), rel=1e-9)  # type: ignore[attr-defined]
    for x in g.values():
        assert 0 <= x.p10 <= x.median <= x.p90
    code, out, _ = cli("batch", ALEPPO, "--runs", "100", "--seed", "7")
    assert code == 0
    block = out.split("Garrisons at the end")[1]
    aw = g["aleppo_west"]
    row = next(line for line in block.splitlines() if line.startswith("Aleppo (West)"))
    assert row.split()[2:] == [f"{aw.median:,.0f}", f"{aw.p10:,.0f}–{aw.p90:,.0f}"]
    # The middle figure lies within the range beside it, at every place shown.
    rows = [m.groups() for m in re.finditer(r"^\S.*?\s+([\d,]+)\s+([\d,]+)–([\d,]+)$",
                                            block.split("Civilians")[0], flags=re.M)]
    assert len(rows) >= 10
    for mid, lo, hi in rows:
        assert int(lo.replace(",", "")) <= int(mid.replace(",", "")) <= int(hi.replace(",", ""))
    assert "Latakia" not in block   # no outcome names it


def test_a_stored_batch_keeps_its_garrisons(tmp_path: Path) -> None:
    store = tmp_path / "b.db"
    res = wargame.batch(TOY, runs=50, seed=2, store=store)
    back = wargame.read_store(store)
    assert back.garrisons == res.garrisons and res.garrisons  # type: ignore[union-attr]


def test_the_map_can_write_garrisons_after_the_names(tmp_path: Path) -> None:
    from dataclasses import replace

    from text_boxes import drawn_texts

    from wargame.engine import compile_scenario
    from wargame.report.maps import draw_map, initial_view
    from wargame.report.overview import start_garrisons

    sc = wargame.load(TOY).scenario
    at_start = start_garrisons(sc)[0]
    view = replace(initial_view(compile_scenario(sc)),
                   garrison=np.array([at_start[s] for s in sc.settlements]))
    fig, _ = draw_map(sc, view, 900, 600, "", "all")
    shown = {t.get_text() for t, _ in drawn_texts(fig)}
    assert {f"{s.upper()} {v:,.0f}" for s, v in at_start.items()} <= shown
    code, _, err = cli("map", TOY, "--garrisons", "--out", str(tmp_path / "g.png"))
    assert code == 0, err
    code, _, err = cli("map", TOY, "--garrisons", "--runs", "20", "--seed", "1", "--turn", "2",
                       "--out", str(tmp_path / "g2.png"))
    assert code == 2 and "--garrisons with games shows them at the end" in err
    code, _, err = cli("map", TOY, "--garrisons", "--runs", "20", "--seed", "1",
                       "--out", str(tmp_path / "g3.png"))
    assert code == 0, err


def test_a_group_without_a_command_prints_its_help_only() -> None:
    code, out, err = cli("plot")
    assert code == 2 and "Usage: wargame plot" in out and err == ""


@pytest.mark.parametrize("path", sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml")),
                         ids=lambda p: Path(p).name)
def test_show_of_every_scenario_breaks_no_id_at_80_columns(path: str) -> None:
    res = CliRunner(env={**ENV, "COLUMNS": "80"}).invoke(app, ["show", path])
    assert res.exit_code == 0
    tables = res.stdout.split("\nSources\n")[0]
    assert _broken_ids(tables, _ids(path)) == []
    assert max(len(line) for line in tables.splitlines()) <= 80


def test_batch_factions_table_keeps_each_id_whole_at_80_columns() -> None:
    """The strength ranges wrap under their means; a long faction id is never broken."""
    res = CliRunner().invoke(app, ["batch", str(ROOT / "scenarios" / "afghanistan_2021.yaml"),
                                   "--runs", "20", "--seed", "1"],
                             env={**ENV, "COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    table = res.output.split("Factions (mean")[1].split("Garrisons")[0]
    assert max(len(line) for line in table.splitlines()) <= 80
    assert re.search(r"^government\s", table, re.M) and re.search(r"^taliban\s", table, re.M)
