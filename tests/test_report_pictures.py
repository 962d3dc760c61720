"""Maps, charts and the HTML report: files of the asked size and format, the right colours in
the right places, a report that needs nothing outside itself, and clean CLI errors.

Pictures are checked by their properties (size, a colour within a tolerance at a place, the
text they carry), never pixel for pixel, so a new matplotlib or FreeType does not fail them."""

from __future__ import annotations

import base64
import io
import os
import re
import shlex
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from wargame.cli.app import app
from wargame.engine import compile_scenario
from wargame.montecarlo.summary import ControlShare
from wargame.report.figures import figure_bytes
from wargame.report.maps import ControlView, batch_view, besieged_places, draw_map, initial_view
from wargame.report.palette import OKABE_ITO, assign, rgb
from wargame.report.regions import control_by_region
from wargame.scenario import load

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "valid" / "toy.yaml"
DOC = ROOT / "docs" / "howto-pictures.md"
RED, BLUE = "#D62728", OKABE_ITO[0]  # toy: red's own colour; blue has none (first fallback)


def cli(*args: str | Path) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, [str(a) for a in args])
    return res.exit_code, res.stdout, res.stderr


COLOUR_TOLERANCE = 6  # of 255 per channel: anti-aliasing and PNG rounding, not a wrong colour
SAME_PICTURE_TOLERANCE = 2 / 255  # two drawings of the same games: equal but for rounding


def png_pixels(data: bytes) -> np.ndarray:
    return np.asarray(mpimg.imread(io.BytesIO(data), format="png"))


def png_shape(data: bytes) -> tuple[int, ...]:
    return tuple(mpimg.imread(io.BytesIO(data), format="png").shape)


def pixel(data: bytes, x: float, y: float) -> np.ndarray:
    """RGB (0-255) at image column x, row y (rows from the top)."""
    img = mpimg.imread(io.BytesIO(data), format="png")
    return np.round(img[int(y), int(x), :3] * 255)


# --- files of the asked size and format ------------------------------------------------------

def test_map_png_has_the_asked_size(tmp_path: Path) -> None:
    out = tmp_path / "m.png"
    code, stdout, stderr = cli("map", TOY, "--out", out, "--size", "640x480")
    assert code == 0, stderr
    assert stdout == ""                      # results are files; notes go to stderr
    assert "wrote" in stderr and "Traceback" not in stderr
    assert png_shape(out.read_bytes()) == (480, 640, 4)


def test_map_svg_is_xml_with_an_svg_root(tmp_path: Path) -> None:
    out = tmp_path / "m.svg"
    code, _, stderr = cli("map", TOY, "--out", out, "--width", "800")
    assert code == 0, stderr
    root = ET.parse(out).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("800px", "600px")


@pytest.mark.parametrize("args", [
    ("plot", "outcomes", TOY, "--runs", "120", "--seed", "1"),
    ("plot", "timing", TOY, "--outcome", "red_takes_c", "--runs", "120", "--seed", "1"),
    ("plot", "sweep", TOY, "--outcome", "red_takes_c", "--vary",
     "factions.blue.strength=600:1400:2", "--vary", "factions.red.quality=0.8:1.2:2", "--runs",
     "60", "--seed", "1"),
    ("plot", "tornado", TOY, "--outcome", "red_takes_c", "--vary",
     "factions.blue.strength=600:1400", "--vary", "factions.red.morale=0.4,0.8", "--runs", "60",
     "--seed", "1"),
])
def test_charts_have_the_asked_size(tmp_path: Path, args: tuple[str | Path, ...]) -> None:
    out = tmp_path / "c.png"
    code, stdout, stderr = cli(*args, "--out", out, "--size", "600x400")
    assert code == 0, stderr
    assert stdout == ""
    assert png_shape(out.read_bytes()) == (400, 600, 4)


def test_compare_chart(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text(TOY.read_text(encoding="utf-8"), encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text("extends: a.yaml\nfactions:\n  red:\n    strength: 4000\n", encoding="utf-8")
    out = tmp_path / "c.svg"
    code, _, stderr = cli("plot", "compare", a, b, "--runs", "80", "--seed", "2", "--out", out)
    assert code == 0, stderr
    assert ET.parse(out).getroot().tag.endswith("svg")


# --- the right colour at the right place -----------------------------------------------------

def test_each_place_shows_its_holders_colour_at_its_projected_pixel() -> None:
    loaded = load(TOY, [])
    c = compile_scenario(loaded.scenario)
    fig, proj = draw_map(loaded.scenario, initial_view(c), 900, 600)
    data = figure_bytes(fig, "png")
    assert png_shape(data) == (600, 900, 4)
    for sid, colour in (("a", RED), ("b", RED), ("c", BLUE)):
        s = loaded.scenario.settlements[sid]
        got = pixel(data, *proj.pixel(s.lon, s.lat))
        assert np.abs(got - rgb(colour)).max() <= COLOUR_TOLERANCE, (sid, got, colour)


def test_a_map_carries_its_names_and_footnote() -> None:
    from matplotlib.text import Text

    loaded = load(TOY, [])
    fig, _ = draw_map(loaded.scenario, initial_view(compile_scenario(loaded.scenario)), 900,
                      600, "the small print")
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    for s in loaded.scenario.settlements.values():
        assert any(s.name in t for t in texts), (s.name, texts)
    assert any("the small print" in t for t in texts)


def test_a_batch_map_colours_a_sure_place_and_draws_a_pie_for_a_contested_one() -> None:
    loaded = load(TOY, [])
    c = compile_scenario(loaded.scenario)
    counts = np.array([[100, 0, 0], [100, 0, 0], [50, 50, 0]])  # c: half red, half blue
    fig, proj = draw_map(loaded.scenario, batch_view(c, counts, 100, 6), 900, 600)
    data = figure_bytes(fig, "png")
    a = loaded.scenario.settlements["a"]
    assert np.abs(pixel(data, *proj.pixel(a.lon, a.lat)) - rgb(RED)).max() <= COLOUR_TOLERANCE
    cx, cy = proj.pixel(loaded.scenario.settlements["c"].lon, loaded.scenario.settlements["c"].lat)
    # Slices run clockwise from twelve o'clock: red first (right half), blue (left half).
    assert np.abs(pixel(data, cx + 5, cy) - rgb(RED)).max() <= COLOUR_TOLERANCE
    assert np.abs(pixel(data, cx - 5, cy) - rgb(BLUE)).max() <= COLOUR_TOLERANCE


def test_besieged_places_are_those_cut_off_from_their_sources() -> None:
    c = compile_scenario(load(TOY, []).scenario)
    assert not besieged_places(c, c.init_control).any()
    red, blue = c.factions.index("red"), c.factions.index("blue")
    # Blue takes b: red's c is cut off from a, blue's b from c.
    assert besieged_places(c, np.array([red, blue, red])).tolist() == [False, True, True]
    view = ControlView(np.eye(3)[[red, blue, red]], 1, 1,
                       besieged_places(c, np.array([red, blue, red])))
    assert view.besieged.sum() == 2


def test_fallback_colours_are_okabe_ito_and_avoid_the_scenarios_own() -> None:
    got = assign({"x": "#0072b2", "y": None, "z": None})
    assert got["x"] == "#0072B2"
    assert got["y"] in OKABE_ITO and got["z"] in OKABE_ITO
    assert len(set(got.values())) == 3


# --- the HTML report -------------------------------------------------------------------------

class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.imgs: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("src") or "")
        for key in ("src", "href"):
            v = a.get(key) or ""
            if re.match(r"\s*(https?:)?//", v):
                self.external.append(f"{tag} {key}={v}")
        if tag == "link" and a.get("href"):
            self.external.append(f"link href={a['href']}")
        if tag == "script" and a.get("src"):
            self.external.append(f"script src={a['src']}")


def test_report_is_self_contained_and_escapes_scenario_text(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code, stdout, stderr = cli("report", TOY, "--runs", "150", "--seed", "5", "--out", out,
                               "--set", "scenario.name=<script>alert(1)</script> & co")
    assert code == 0, stderr
    assert stdout == ""
    page = out.read_text(encoding="utf-8")
    refs = _Refs()
    refs.feed(page)
    assert refs.external == []
    assert len(refs.imgs) == 3
    for src in refs.imgs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    for needle in ("seed", "5", load(TOY, ["scenario.name=<script>alert(1)</script> & co"]).digest,
                   "numpy", "python", "Red takes C"):
        assert needle in page


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("out, code, message", [
    ("m.jpg", 2, "must end in .png or .svg"),
    ("no/such/dir/m.png", 2, "does not exist"),
    ("", 2, "must end in .png or .svg"),
])
def test_bad_out_is_a_clear_error(tmp_path: Path, out: str, code: int, message: str) -> None:
    got, stdout, stderr = cli("map", TOY, "--out", tmp_path / out if out else tmp_path)
    assert got == code, stderr
    assert message in stderr or "is a directory" in stderr
    assert "Traceback" not in stderr and stdout == ""


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    out = tmp_path / "m.png"
    for args, message in (
        (("map", TOY, "--turn", "3"), "--turn needs games"),
        (("map", TOY, "--runs", "5", "--store", tmp_path / "x.db"), "not both"),
        (("map", TOY, "--size", "big"), "WIDTHxHEIGHT"),
        (("plot", "timing", TOY, "--outcome", "nope", "--runs", "5"), "no such outcome"),
        (("report", TOY, "--runs", "5"), "must end in .html"),
    ):
        extra: list[str | Path] = ["--out", tmp_path / "r.txt" if args[0] == "report" else out]
        code, _, stderr = cli(*args, *extra)
        assert code == 2, (args, stderr)
        assert message in stderr, stderr
        assert "Traceback" not in stderr


def test_a_file_that_cannot_be_written_is_an_error_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    code, stdout, stderr = cli("map", TOY, "--out", tmp_path / "m.png")
    assert code == 1
    assert "cannot write" in stderr and "Permission denied" in stderr
    assert "Traceback" not in stderr and stdout == ""
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_a_map_from_a_store_is_the_map_of_the_same_run(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    code, _, stderr = cli("batch", TOY, "--runs", "100", "--seed", "9", "--store", store,
                          "--per-turn", "--quiet")
    assert code == 0, stderr
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    assert cli("map", TOY, "--store", store, "--turn", "3", "--out", a, "--size", "500x400")[0] == 0
    assert cli("map", TOY, "--runs", "100", "--seed", "9", "--turn", "3", "--out", b,
               "--size", "500x400")[0] == 0
    pa, pb = png_pixels(a.read_bytes()), png_pixels(b.read_bytes())
    assert pa.shape == pb.shape == (400, 500, 4)
    assert np.abs(pa - pb).max() <= SAME_PICTURE_TOLERANCE
    other = tmp_path / "other.yaml"
    other.write_text(TOY.read_text(encoding="utf-8").replace("turns: 6", "turns: 7"),
                     encoding="utf-8")
    code, _, stderr = cli("map", other, "--store", store, "--out", a)
    assert code == 2 and "not the scenario" in stderr


# --- the terminal table ----------------------------------------------------------------------

def test_control_by_region_fits_100_columns_and_groups_by_region() -> None:
    sc = load(TOY, ["settlements.a.region=west", "settlements.c.region=east_bank"]).scenario
    rows = [ControlShare(s, f, 0, p)
            for s, shares in (("a", (1.0, 0.0, 0.0)), ("b", (0.6, 0.4, 0.0)),
                              ("c", (0.2, 0.7, 0.1)))
            for f, p in zip(("red", "blue", "none"), shares, strict=True)]
    console = Console(width=100, record=True, color_system="truecolor", force_terminal=True)
    console.print(control_by_region(rows, sc, title="Control at the end"))
    text = console.export_text(clear=False)
    assert max(len(line) for line in text.splitlines()) <= 100
    for needle in ("West", "East bank", "Other", "red", "blue", "none", "60", "70", "10"):
        assert needle in text
    assert "\x1b[" in console.export_text(styles=True)   # coloured by faction


# --- the how-to's commands run ---------------------------------------------------------------

def doc_commands() -> list[str]:
    blocks = re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return [line[2:] for b in blocks for line in b.splitlines() if line.startswith("$ wargame ")]


def test_howto_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    lines = doc_commands()
    assert len(lines) >= 8
    for line in lines:
        words = shlex.split(line)[1:]
        if "--runs" in words:
            words[words.index("--runs") + 1] = "30"   # the commands are checked, not numbers
        if words[0] in ("map", "plot"):
            words += ["--size", "400x300"]            # smaller pictures draw faster
        res = CliRunner().invoke(app, words)
        assert res.exit_code == 0, f"{line}\n{res.stderr}"
        assert "Traceback" not in res.stderr
