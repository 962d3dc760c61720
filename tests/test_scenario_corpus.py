"""The invalid-scenario corpus: every broken or hostile file fails with exact, located messages.

Each ``tests/data/invalid/NAME.yaml`` has a sidecar ``NAME.expected`` with the exact stderr of
``wargame validate NAME.yaml`` run inside that directory (see its README). Files that would be
big or awkward to commit are generated in ``tmp_path`` here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wargame import __version__
from wargame.cli.app import app
from wargame.errors import InvalidInput
from wargame.scenario import load, yamlio

HERE = Path(__file__).parent
CORPUS = HERE / "data" / "invalid"
TOY = HERE / "data" / "valid" / "toy.yaml"
CASES = sorted(CORPUS.glob("*.yaml"))
SUMMARY = "1 of 1 file(s) invalid"
# No colour and no terminal-width surprises whatever the environment running the tests says.
ENV = {"NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "COLUMNS": "80"}


def run_cli(*args: str) -> tuple[int, str, str]:
    """Invoke the CLI in-process; return (exit code, stdout, stderr) kept apart."""
    result = CliRunner(env=ENV).invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def expected_lines(case: Path) -> list[str]:
    """The exact stderr lines recorded for a corpus file."""
    return case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()


def api_lines(name: str | Path, overrides: list[str] | None = None) -> list[str]:
    """The problem lines ``load`` raises for a file (it must raise)."""
    with pytest.raises(InvalidInput) as info:
        load(name, overrides)
    return info.value.lines()


@pytest.fixture
def in_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the corpus directory, so messages name files as the .expected files do."""
    monkeypatch.chdir(CORPUS)


def test_corpus_is_big_enough_and_complete() -> None:
    assert len(CASES) >= 40
    missing = [c.name for c in CASES if not c.with_suffix(".expected").is_file()]
    orphans = [e.name for e in CORPUS.glob("*.expected") if not e.with_suffix(".yaml").is_file()]
    assert not missing, f"cases without .expected: {missing}"
    assert not orphans, f".expected files without a case: {orphans}"


@pytest.mark.usefixtures("in_corpus")
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_corpus_through_api(case: Path) -> None:
    lines = expected_lines(case)
    assert lines[-1] == SUMMARY
    assert api_lines(case.name) == [line.removeprefix("error: ") for line in lines[:-1]]


@pytest.mark.usefixtures("in_corpus")
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_corpus_through_cli(case: Path) -> None:
    code, out, err = run_cli("validate", case.name)
    assert code == 2
    assert out == ""
    assert err.splitlines() == expected_lines(case)
    assert "Traceback" not in out + err


@pytest.mark.parametrize("name", ["many_schema", "many_mixed", "many_xref"])
def test_several_problems_are_reported_at_once(name: str) -> None:
    assert len(expected_lines(CORPUS / f"{name}.yaml")) - 1 >= 4


def test_several_files_in_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    code, out, err = run_cli("validate", "../valid/toy.yaml", "range_morale.yaml",
                             "empty.yaml")
    assert code == 2
    assert out == "../valid/toy.yaml: ok (2 factions, 3 settlements, 2 links, 1 outcomes)\n"
    assert err.splitlines() == [
        "error: range_morale.yaml:11:5: factions.red.morale: must be at most 1 (got 1.5)",
        "error: empty.yaml: empty scenario file",
        "2 of 3 file(s) invalid",
    ]


# --- generated hostile inputs ---------------------------------------------------------------

def _huge(tmp: Path) -> tuple[Path, list[str]]:
    path = tmp / "huge.yaml"
    line = "# " + "x" * 1021 + "\n"
    path.write_text(line * (4 * 1024 + 1), encoding="utf-8")
    size = path.stat().st_size
    assert size > 4 * 1024 * 1024
    return path, [f"{path}: file is too large ({size:,} bytes; the limit is 4,194,304)"]


def _binary(tmp: Path) -> tuple[Path, list[str]]:
    path = tmp / "binary.yaml"
    path.write_bytes(b"scenario:\n  name: \x00\x01\x02\xff\xfe\n" + bytes(range(256)))
    return path, [f"{path}: looks like a binary file (contains NUL bytes), not YAML text"]


def _nested_flow(tmp: Path) -> tuple[Path, list[str]]:
    path = tmp / "nested.yaml"
    path.write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    return path, [f"{path}:1:65: nesting deeper than 64 levels"]


def _nested_block(tmp: Path) -> tuple[Path, list[str]]:
    path = tmp / "nested_block.yaml"
    path.write_text("".join(" " * i + f"k{i}:\n" for i in range(100)) + " " * 100 + "1\n",
                    encoding="utf-8")
    return path, [f"{path}:66:66: nesting deeper than 64 levels"]


def _directory(tmp: Path) -> tuple[Path, list[str]]:
    path = tmp / "scenarios.yaml"
    path.mkdir()
    return path, [f"{path}: is a directory, not a scenario file"]


def _missing(tmp: Path) -> tuple[Path, list[str]]:
    path = tmp / "no_such_scenario.yaml"
    return path, [f"{path}: no such file"]


GENERATED: dict[str, Callable[[Path], tuple[Path, list[str]]]] = {
    "huge": _huge, "binary": _binary, "nested_flow": _nested_flow,
    "nested_block": _nested_block, "directory": _directory, "missing": _missing,
}


@pytest.mark.parametrize("make", GENERATED.values(), ids=GENERATED.keys())
def test_generated_hostile_inputs(make: Callable[[Path], tuple[Path, list[str]]],
                                  tmp_path: Path) -> None:
    path, lines = make(tmp_path)
    assert api_lines(path) == lines
    code, out, err = run_cli("validate", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"error: {line}" for line in lines] + [SUMMARY]


def test_alias_bomb_stops_at_the_node_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # The builder counts every value it expands, so the bomb stops after MAX_NODES values
    # (how fast that is belongs to the benchmarks, not here).
    counted: list[int] = []
    build = yamlio._Builder.build

    def counting(self: yamlio._Builder, *args: object) -> object:
        counted.append(1)
        return build(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlio._Builder, "build", counting)
    lines = api_lines(CORPUS / "alias_bomb.yaml")
    assert lines[0].endswith("document too large or too many aliases (more than 200,000 values)")
    assert len(counted) == yamlio.MAX_NODES + 1


def test_alias_bomb_memory_is_bounded() -> None:
    tracemalloc.start()
    try:
        api_lines(CORPUS / "alias_bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Fully expanded the bomb would be 10^9 strings; the node limit keeps it to a few dozen MB.
    assert peak < 200 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"


def test_too_many_nodes_stops_while_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    # A flat list of small items is not an alias bomb, but composing it is slow in pure
    # Python: the limit must apply while composing, before the whole document is read.
    # Column 1999 is the 998th item: node 1,001 counting the mapping, its key and the list.
    # (The builder, which does not count keys, would stop at the 999th item, column 2001.)
    monkeypatch.setattr(yamlio, "MAX_NODES", 1000)
    monkeypatch.setattr(yamlio, "C_COMPOSER_MAX_CHARS", 0)  # a text too big for libyaml's
    with pytest.raises(InvalidInput) as info:
        yamlio.parse("a: [" + ",".join(["1"] * 5000) + "]\n", "flat.yaml")
    assert info.value.lines() == [
        "flat.yaml:1:1999: document too large or too many aliases (more than 1,000 values)"
    ]


@pytest.mark.parametrize(("text", "line"), [
    ("scenario: !!python/object/apply:os.system [echo pwned]\n",
     "x.yaml:1:11: invalid YAML: unsupported tag "
     "'tag:yaml.org,2002:python/object/apply:os.system'"),
    ("scenario: !!python/object:os.system {a: 1}\n",
     "x.yaml:1:11: invalid YAML: unsupported tag 'tag:yaml.org,2002:python/object:os.system'"),
    ('scenario: !!python/name:os.system ""\n',
     "x.yaml:1:11: invalid YAML: unsupported tag 'tag:yaml.org,2002:python/name:os.system'"),
    ("a: !local 1\n", "x.yaml:1:4: invalid YAML: unsupported tag '!local'"),
    ("a: !!set {x, y}\n", "x.yaml:1:4: invalid YAML: unsupported tag 'tag:yaml.org,2002:set'"),
])
def test_tags_are_refused_never_run(text: str, line: str) -> None:
    with pytest.raises(InvalidInput) as info:
        yamlio.parse(text, "x.yaml")
    assert info.value.lines() == [line]


# --- bad --set ------------------------------------------------------------------------------

@pytest.mark.parametrize(("expr", "line"), [
    ("factions.redd.strength=1",
     "--set factions.redd.strength: factions.redd: no faction 'redd' (did you mean 'red'?); "
     "the factions are red, blue"),
    ("factions.green.strength=1",
     "--set factions.green.strength: factions.green: no faction 'green'; the factions are "
     "red, blue"),
    ("factions.red.str=1",
     "--set factions.red.str: factions.red.str: no such key (did you mean 'strength'?)"),
    ("factions.red.strenght=1",
     "--set factions.red.strenght: factions.red.strenght: no such key "
     "(did you mean 'strength'?)"),
    ("factions.red.bogus=1", "--set factions.red.bogus: factions.red.bogus: no such key"),
    ("links.5.km=3", "--set links.5.km: links: no item '5' (the list has 2)"),
    ("links.x.km=3", "--set links.x.km: links: no item 'x' (the list has 2)"),
    ("factions.red.strength.x=1",
     "--set factions.red.strength.x: factions.red.strength: is a value, not a mapping or list"),
    ("factions.red.strength", "--set 'factions.red.strength': expected path=value"),
    ("factions.red.strength=", "--set 'factions.red.strength=': missing value"),
    ("=3", "--set '=3': empty path"),
    ("factions..strength=3", "--set 'factions..strength=3': empty path"),
    ("factions.red.strength=[",
     "--set factions.red.strength:2:1: invalid YAML: a value is missing here (the input ends "
     "or closes too early)"),
    ("factions.red.morale=2",
     "--set factions.red.morale: factions.red.morale: must be at most 1 (got 2)"),
    ("factions.red.quality=0",
     "--set factions.red.quality: factions.red.quality: must be more than 0 (got 0)"),
    ("factions.red.strength=true",
     "--set factions.red.strength: factions.red.strength: expected a number, got a boolean"),
    ("scenario.turns=0",
     "--set scenario.turns: scenario.turns: must be at least 1 (got 0)"),
    ("settlements.c.controller=green",
     "--set settlements.c.controller: settlements.c.controller: unknown faction 'green'"),
])
def test_bad_set(expr: str, line: str) -> None:
    assert api_lines(TOY, [expr]) == [line]
    code, out, err = run_cli("validate", str(TOY), "--set", expr)
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"error: {line}", SUMMARY]
    code, out, err = run_cli("show", str(TOY), "--set", expr)
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"error: {line}"]


def test_usage_errors_exit_2_without_traceback() -> None:
    for args in (["validate"], ["show"], ["validate", "--bogus", str(TOY)], ["nonsense"]):
        code, out, err = run_cli(*args)
        assert code == 2, args
        assert "Traceback" not in out + err


# --- a real process -------------------------------------------------------------------------

def _python_m(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "WARGAME_DEBUG")}
    return subprocess.run([sys.executable, "-m", "wargame", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_python_m_wargame_validate_bad_file() -> None:
    proc = _python_m("validate", "unknown_key_faction.yaml", cwd=CORPUS)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == expected_lines(CORPUS / "unknown_key_faction.yaml")
    assert "Traceback" not in proc.stderr


def test_python_m_wargame_version() -> None:
    proc = _python_m("--version", cwd=HERE)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"wargame {__version__}\n"
    assert proc.stderr == ""
