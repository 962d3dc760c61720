"""Valid scenarios: every shipped file validates, shows, matches the JSON Schema, and
``--set`` / ``extends`` change exactly what they should."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from wargame.cli.app import app
from wargame.errors import InvalidInput
from wargame.scenario import load
from wargame.scenario.jsonschema import json_schema
from wargame.scenario.load import validate_document
from wargame.scenario.params import Uniform
from wargame.scenario.yamlio import Document

HERE = Path(__file__).parent
ROOT = HERE.parent
VALID_DIR = HERE / "data" / "valid"
TOY = VALID_DIR / "toy.yaml"
VARIANT = VALID_DIR / "toy_variant.yaml"
# The built-in scenarios are globbed, so new ones and variants are covered as they appear.
FILES = sorted(VALID_DIR.glob("*.yaml")) + sorted((ROOT / "scenarios").rglob("*.yaml"))
IDS = [str(f.relative_to(ROOT)) for f in FILES]
# Wide, colourless output, so table cells are neither wrapped nor truncated.
ENV = {"NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "COLUMNS": "400"}


def run_cli(*args: str) -> tuple[int, str, str]:
    """Invoke the CLI in-process; return (exit code, stdout, stderr) kept apart."""
    result = CliRunner(env=ENV).invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def as_json(data: Any) -> Any:
    """YAML data as JSON would have it.

    YAML reads an unquoted ``2015-10-13`` as a date, JSON has no date type, and the JSON Schema
    says ``{"type": "string", "format": "date"}`` (which is what an editor sees in the file:
    text). So dates become ISO strings before the data meets the schema.
    """
    if isinstance(data, dict):
        return {k: as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_json(v) for v in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_there_is_something_to_test() -> None:
    assert TOY in FILES and VARIANT in FILES


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_validates(path: Path) -> None:
    loaded = load(path)
    sc = loaded.scenario
    code, out, err = run_cli("validate", str(path))
    assert (code, err) == (0, ""), err
    assert out == (f"{path}: ok ({len(sc.factions)} factions, {len(sc.settlements)} "
                   f"settlements, {len(sc.links)} links, {len(sc.outcomes)} outcomes)\n")


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_json_schema_accepts(path: Path, validator: Draft202012Validator) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(as_json(load(path).data))]
    assert errors == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_show(path: Path) -> None:
    sc = load(path).scenario
    code, out, err = run_cli("show", str(path))
    assert (code, err) == (0, ""), err
    assert sc.scenario.name in out
    for oid, outcome in sc.outcomes.items():
        assert oid in out
        assert outcome.name in out


def test_json_schema_is_draft_2020_12(validator: Draft202012Validator) -> None:
    schema = validator.schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {"scenario", "factions", "settlements"}


def _toy_json() -> dict[str, Any]:
    data: dict[str, Any] = as_json(load(TOY).data)
    return data


@pytest.mark.parametrize(("change", "why"), [
    (lambda d: d.update(factionz={}), "unknown top-level key"),
    (lambda d: d["factions"]["red"].update(moral=0.5), "unknown key in a faction"),
    (lambda d: d["factions"]["red"].update(strength="lots"), "text for a number"),
    (lambda d: d["factions"]["red"].update(morale=1.5), "fraction above 1"),
    (lambda d: d["scenario"].update(turns=6.5), "fraction for a whole number"),
    (lambda d: d["settlements"]["a"].update(terrain="jungle"), "unknown terrain"),
    (lambda d: d["factions"].update(Green={"name": "G", "strength": 1}), "bad id"),
    (lambda d: d["factions"]["blue"].update(strength={"dist": "gaussian", "mean": 1}),
     "unknown distribution"),
    (lambda d: d["factions"]["blue"]["strength"].update(hihg=3), "unknown key in a dist"),
    (lambda d: d.pop("settlements"), "missing required block"),
    (lambda d: d["links"][0].update(between=["a"]), "link with one end"),
    (lambda d: d["outcomes"]["red_takes_c"].update(collapsed="blue"), "two conditions"),
    (lambda d: d.update(events={"e": {"trigger": {"turn": 2}, "effects": [
        {"reinforce": {"faction": "red", "settlement": "a", "amount": 5},
         "doctrine": {"faction": "red"}}]}}), "an effect with two actions"),
    (lambda d: d.update(events={"e": {"trigger": {}, "effects": [
        {"doctrine": {"faction": "red"}}]}}), "a trigger with no condition"),
])
def test_json_schema_rejects(change: Any, why: str, validator: Draft202012Validator) -> None:
    data = _toy_json()
    assert validator.is_valid(data)
    change(data)
    assert not validator.is_valid(data), why
    with pytest.raises(InvalidInput):       # and the loader agrees
        validate_document(Document(data))


def test_schema_command_writes_the_schema(tmp_path: Path) -> None:
    out_file = tmp_path / "scenario.schema.json"
    code, out, err = run_cli("schema", "--out", str(out_file))
    assert (code, out) == (0, "")
    assert err == f"wrote {out_file}\n"
    assert json.loads(out_file.read_text(encoding="utf-8")) == json_schema()
    code, out, _ = run_cli("schema")
    assert code == 0
    assert json.loads(out) == json_schema()


# --- --set ----------------------------------------------------------------------------------

def _strength_cell(out: str, faction: str) -> str:
    row = next(line for line in out.splitlines() if line.startswith(f"{faction} "))
    return re.split(r"\s{2,}", row)[2]


def test_set_changes_a_value() -> None:
    code, out, _ = run_cli("show", str(TOY))
    assert code == 0
    assert _strength_cell(out, "red") == "3,000"
    code, out, err = run_cli("show", str(TOY), "--set", "factions.red.strength=5000")
    assert (code, err) == (0, "")
    assert _strength_cell(out, "red") == "5,000"
    assert load(TOY, ["factions.red.strength=5000"]).scenario.factions["red"].strength == 5000


def test_set_parses_yaml_values_and_is_applied_in_order() -> None:
    sc = load(TOY, [
        "factions.red.strength={dist: uniform, low: 100, high: 200}",
        "factions.red.breakpoint=0.3",          # a new final key the schema knows
        "links.1.km=20",
        "links.1.km=21",                        # the last one wins
        "model={law: linear}",                  # a whole block the file leaves out
        "scenario.name=Renamed front",
    ]).scenario
    assert sc.factions["red"].strength == Uniform(dist="uniform", low=100, high=200)
    assert sc.factions["red"].breakpoint == 0.3
    assert sc.links[1].km == 21
    assert sc.model.law == "linear"
    assert sc.scenario.name == "Renamed front"


def test_set_bad_path_message_and_exit_code() -> None:
    code, out, err = run_cli("show", str(TOY), "--set", "factions.redd.strength=5000")
    assert (code, out) == (2, "")
    assert err == ("error: --set factions.redd.strength: factions.redd: no faction 'redd' "
                   "(did you mean 'red'?); the factions are red, blue\n")


def test_set_on_a_variant_applies_after_extends() -> None:
    sc = load(VARIANT, ["factions.red.strength=4500"]).scenario
    assert sc.factions["red"].strength == 4500
    assert sc.factions["red"].name == "Red"


# --- extends --------------------------------------------------------------------------------

def test_extends_merges_replaces_and_deletes() -> None:
    base = load(TOY)
    variant = load(VARIANT)
    b, v = base.scenario, variant.scenario
    # Text and numbers replace.
    assert v.scenario.name == "Toy front, reinforced red"
    assert v.scenario.turns == 10
    assert v.factions["red"].strength == 4000
    # Mappings merge, at every depth.
    assert v.scenario.start_date == b.scenario.start_date
    assert v.scenario.description == b.scenario.description
    assert v.factions["red"].name == "Red"
    assert v.factions["red"].colour == "#d62728"
    assert v.factions["red"].doctrine.aggression == 0.9
    assert v.factions["red"].doctrine.objectives == {"c": 5}
    assert v.factions["blue"] == b.factions["blue"]
    assert v.settlements == b.settlements
    # Lists replace.
    assert [(link.between, link.km, link.road) for link in v.links] == [
        (["a", "b"], 11, "road"), (["b", "c"], 13, "highway")]
    # null deletes.
    assert "red_takes_c" not in v.outcomes
    assert list(v.outcomes) == ["blue_holds_b"]
    # The merged data no longer mentions extends, and the variant hashes differently.
    assert "extends" not in variant.data
    assert variant.digest != base.digest


def test_extends_errors_point_into_the_right_file(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(TOY.read_text(encoding="utf-8"), encoding="utf-8")
    variant = tmp_path / "variant.yaml"
    variant.write_text("extends: base.yaml\nfactions:\n  red:\n    morale: 3\n"
                       "  blue:\n    strength: null\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load(variant)
    assert info.value.lines() == [
        f"{variant}:4:5: factions.red.morale: must be at most 1 (got 3)",
        f"{variant}:6:5: factions.blue.strength: missing required key 'strength'",
    ]
