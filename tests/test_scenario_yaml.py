"""YAML reading: libyaml's C composer and the pure-Python one give the same data, the same
positions and the same (project-worded) messages, and ``load`` reads a scenario once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from wargame.errors import InvalidInput
from wargame.scenario import load, messages, yamlio

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("scenarios/**/*.yaml"), *ROOT.glob("tests/data/valid/*.yaml"),
                *ROOT.glob("docs/examples/*.yaml")])

needs_libyaml = pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False),
                                   reason="PyYAML built without libyaml")


def parse_with(text: str, c_composer: bool, monkeypatch: pytest.MonkeyPatch) -> yamlio.Document:
    monkeypatch.setattr(yamlio, "C_COMPOSER_MAX_CHARS", 10**9 if c_composer else -1)
    return yamlio.parse(text, "x.yaml")


def problem_with(text: str, c_composer: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    with pytest.raises(InvalidInput) as info:
        parse_with(text, c_composer, monkeypatch)
    [problem] = info.value.problems
    return problem.message


@needs_libyaml
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_both_composers_give_the_same_data_and_positions(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8")
    fast, slow = parse_with(text, True, monkeypatch), parse_with(text, False, monkeypatch)
    assert fast.data == slow.data
    assert fast.positions == slow.positions


BROKEN = {
    "a:\n\tb: 1\n": "a tab character here: YAML indents with spaces only",
    "a: @x\n": "'@' cannot start a value: put the value in quotes",
    "a: b: c\n": "unexpected ':': put text that contains ': ' in quotes",
    "a: {b: 1\nc: 2\n": "expected ',' or '}' in the {...} mapping (opened on line 1)",
    "a: [1, 2\nb: 3\n": "expected ',' or ']' in the [...] list (opened on line 1)",
    'a: "abc\n': "unclosed quotes (opened on line 1)",
    "a: *nope\n": "unknown alias *nope (no &nope anchor before it)",
    "a: &x 1\nb: &x 2\n": "anchor &x is defined twice (opened on line 1)",
    "a: 1\n---\nb: 2\n": "a second document ('---'): a scenario file holds one document",
    "a:\n  b: 1\n c: 2\n": "bad indentation: this line does not line up with the keys or "
                          "list items above it (opened on line 1)",
    "- a\nb: 1\n": "bad indentation: this line does not line up with the keys or list items "
                   "above it (opened on line 1)",
}


@needs_libyaml
@pytest.mark.parametrize(("text", "message"), BROKEN.items(), ids=range(len(BROKEN)))
def test_syntax_errors_are_worded_by_the_project_whichever_composer(
        text: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert problem_with(text, True, monkeypatch) == f"invalid YAML: {message}"
    assert problem_with(text, False, monkeypatch) == f"invalid YAML: {message}"


def test_an_unknown_parser_complaint_still_gets_a_plain_message() -> None:
    assert messages.yaml_syntax("while doing something new", "it broke", "a: 1\n", 0, 0,
                                None) == messages.SYNTAX_FALLBACK


def test_a_control_character_is_located() -> None:
    with pytest.raises(InvalidInput) as info:
        yamlio.parse("a: 1\nb: x\x07y\n", "x.yaml")
    assert info.value.lines() == ["x.yaml:2:5: invalid YAML: character U+0007 is not allowed "
                                  "in YAML text"]


def test_load_reads_a_scenario_once_and_again_when_it_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "base.yaml"
    base.write_text((ROOT / "tests/data/valid/toy.yaml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nfactions:\n  red:\n    quality: 1.5\n",
                     encoding="utf-8")
    parsed: list[str] = []
    parse = yamlio.parse
    monkeypatch.setattr(yamlio, "parse", lambda text, name="<input>": (
        parsed.append(name), parse(text, name))[1])
    first = load(child)
    assert load(child) is first and len(parsed) == 2          # child and its parent, once
    assert load(child, ["factions.red.morale=0.5"]) is not first   # other overrides
    parsed.clear()
    base.write_text(base.read_text(encoding="utf-8").replace("turns: 6", "turns: 7"),
                    encoding="utf-8")                          # the parent changes
    again = load(child)
    assert again is not first and again.scenario.scenario.turns == 7
    assert again.digest != first.digest and len(parsed) == 2
