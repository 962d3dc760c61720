"""The settings registry (``wargame/scenario/settings.py``) is the one declaration of every
``model:`` setting: the docs table, the schema, the compiled parameters, the tempo file and the
engine's readers all follow it, and these tests fail where one of them does not."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from wargame.calibration import load_calibration
from wargame.calibration.tempo import TEMPO_SETTINGS, Tempo, load_tempo
from wargame.cli.app import app
from wargame.engine import compile_scenario
from wargame.scenario import load
from wargame.scenario.schema import ModelSettings
from wargame.scenario.settings import BY_NAME, CDB90, MODERN_BATTLES, SETTINGS, Setting
from wargame.scenario.settings_doc import (
    _main,
    calibrated_values,
    default_text,
    markdown,
    table_in,
    type_text,
)

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "scenario-format.md"
ENGINE = ROOT / "wargame" / "engine"
SCENARIO = ROOT / "scenarios" / "aleppo_2015.yaml"
ENV = {"NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "COLUMNS": "80"}


def disagreements(table: str, settings: tuple[Setting, ...]) -> list[str]:
    """Where a docs table and a registry differ in names, types (bounds) or defaults."""
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = cells
    names = [s.name for s in settings]
    problems = [f"{n}: not in the registry" for n in rows if n not in names]
    problems += [f"{n}: not in the docs" for n in names if n not in rows]
    for s in settings:
        if s.name in rows:
            _key, _req, typ, default, _meaning, _example = rows[s.name]
            if typ != type_text(s):
                problems.append(f"{s.name}: docs say {typ!r}, registry {type_text(s)!r}")
            if default != default_text(s):
                problems.append(f"{s.name}: docs say {default!r}, registry {default_text(s)!r}")
    if list(rows) != names and not problems:
        problems.append("the docs list the settings in another order")
    return problems


def test_the_docs_table_is_the_generated_one() -> None:
    table = table_in(DOC.read_text(encoding="utf-8"))
    assert disagreements(table, SETTINGS) == []
    assert table == markdown(), ("docs/scenario-format.md is out of date: run "
                                 "python -m wargame.scenario.settings_doc --update "
                                 "docs/scenario-format.md")


def test_the_command_prints_and_rewrites_the_table(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert _main(["--markdown"]) == 0
    assert capsys.readouterr().out == markdown() + "\n"
    text = DOC.read_text(encoding="utf-8")
    stale = text.replace("| `rout_ratio` | optional | number 1–100",
                         "| `rout_ratio` | optional | number 1–50")
    assert stale != text
    doc = tmp_path / "scenario-format.md"
    doc.write_text(stale, encoding="utf-8")
    assert disagreements(table_in(stale), SETTINGS) == [
        "rout_ratio: docs say 'number 1–50 or distribution', registry "
        "'number 1–100 or distribution'"]
    assert _main(["--update", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("change", [
    {"default": 0.3}, {"high": 50.0}, {"low": 0.5}, {"above_low": True}, {"sampled": False},
    {"name": "rout_odds"}, {"doc": "Something else."}, {"source": "judgement"},
])
def test_a_registry_change_shows_against_the_docs(change: dict[str, object]) -> None:
    changed = tuple(dataclasses.replace(s, **change) if s.name == "rout_ratio" else s  # type: ignore[arg-type]
                    for s in SETTINGS)
    table = table_in(DOC.read_text(encoding="utf-8"))
    assert markdown(changed) != table
    if set(change) & {"default", "high", "low", "above_low", "sampled", "name"}:
        assert disagreements(table, changed)


def test_the_generated_table_shows_bounds_and_defaults_as_yaml_reads_them() -> None:
    rows = {s.name: (type_text(s), default_text(s)) for s in SETTINGS}
    assert rows["culmination_loss"] == ("number > 0, at most 1", "`0.25`")
    assert rows["push_days"] == ("whole number 1–100,000", "`91`")
    assert rows["engagement_rate"] == ("fraction or distribution", "unset")
    assert rows["civilian_siege_deaths"] == ("fraction", "`0.00005`")
    assert rows["campaign"] == ("boolean", "`true`")
    for s in SETTINGS:
        if s.default is not None:
            assert yaml.safe_load(default_text(s).strip("`")) == s.default, s.name


def read_in(setting: Setting) -> bool:
    """True when the engine module the setting names reads it (``m.NAME``,
    ``scenario.model.NAME`` or ``p["model.NAME"]``)."""
    text = (ENGINE / setting.read_by).read_text(encoding="utf-8")
    return re.search(rf"(\bm|\bmodel|\"model)\.{setting.name}\b", text) is not None


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_every_setting_is_read_by_the_module_it_names(setting: Setting) -> None:
    assert read_in(setting), f"{setting.read_by} does not read model.{setting.name}"


def test_a_setting_nobody_reads_is_caught() -> None:
    unread = dataclasses.replace(BY_NAME["air_focus"], name="air_fokus")
    assert not read_in(unread)
    assert not read_in(dataclasses.replace(BY_NAME["air_focus"], read_by="phases/morale.py"))


def test_the_schema_takes_exactly_the_registry_names() -> None:
    fields = [n for n in ModelSettings.model_fields if n not in ("source", "note")]
    assert fields == [s.name for s in SETTINGS]
    for s in SETTINGS:
        assert ModelSettings.model_fields[s.name].default == s.default, s.name


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_every_setting_takes_its_example_through_set(setting: Setting) -> None:
    sc = load(SCENARIO, [f"model.{setting.name}={setting.example}"]).scenario
    assert getattr(sc.model, setting.name) == yaml.safe_load(setting.example)


@pytest.mark.parametrize(("text", "message"), [
    ("engagement_rate: 1.5", "model.engagement_rate: must be at most 1 (got 1.5)"),
    ("urban_advance_km_per_day: 0", "model.urban_advance_km_per_day: must be more than 0"),
    ("push_days: 0", "model.push_days"),
    ("rout_ratio: {dist: uniform, low: 0.5, high: 4}",
     "model.rout_ratio: must be at least 1, but this uniform distribution reaches 0.5"),
    ("urban_advance: 0.2", "model.urban_advance: unknown key (did you mean "
                           "'urban_advance_km_per_day'?)"),
])
def test_bad_settings_are_located_errors(tmp_path: Path, text: str, message: str) -> None:
    body = SCENARIO.read_text(encoding="utf-8") + f"\nmodel:\n  {text}\n"
    assert "\nmodel:" not in SCENARIO.read_text(encoding="utf-8")
    f = tmp_path / "bad.yaml"
    f.write_text(body, encoding="utf-8")
    result = CliRunner(env=ENV).invoke(app, ["validate", str(f)])
    assert result.exit_code == 2
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_compiled_parameters_are_the_sampled_settings_by_their_one_name() -> None:
    c = compile_scenario(load(SCENARIO).scenario)
    model = [k for k in c.params if k.startswith("model.")]
    assert model == [s.key for s in SETTINGS if s.sampled]
    assert list(c.params)[:len(model)] == model  # drawn first, in registry order
    cal, tempo = load_calibration(), load_tempo()
    for s in SETTINGS:
        if s.source == CDB90:
            assert c.params[s.key] == getattr(cal, s.name)
        elif s.source == MODERN_BATTLES:
            assert c.params[s.key] == getattr(tempo, s.name)
    given = compile_scenario(load(SCENARIO, ["model.urban_advance_km_per_day=0.3"]).scenario)
    assert given.params["model.urban_advance_km_per_day"] == 0.3


def test_the_docs_show_the_values_the_engine_falls_back_on() -> None:
    cal, tempo = load_calibration(), load_tempo()
    assert calibrated_values() == {
        s.name: getattr(cal if s.calibrated == "CDB90" else tempo, s.name)
        for s in SETTINGS if s.calibrated}


def test_every_calibrated_setting_can_fall_back_on_a_fit() -> None:
    for s in SETTINGS:
        if s.default is None and s.calibrated is not None:
            assert s.sampled, s.name  # compile falls back only for what it samples
    assert [s.calibrated for s in SETTINGS if s.source == CDB90] == ["CDB90"] * 3


def test_the_tempo_file_gives_exactly_the_modern_battle_settings() -> None:
    doc = json.loads((ROOT / "wargame" / "data" / "tempo.json").read_text(encoding="utf-8"))
    keys = [k for k in doc["parameters"] if k != "sources"]
    names = [s.name for s in SETTINGS if s.source == MODERN_BATTLES]
    assert sorted(keys) == sorted(names) == sorted(s.name for s in TEMPO_SETTINGS)
    assert list(load_tempo().to_dict())[:-1] == names


@pytest.mark.parametrize(("name", "value", "message"), [
    ("engagement_rate", 1.2, "engagement_rate must be at most 1 (got 1.2)"),
    ("garrison_break", 0.0, "garrison_break must be more than 0 (got 0)"),
    ("engagement_spread", float("nan"), "engagement_spread must be a finite number"),
])
def test_the_tempo_checks_are_the_registry_bounds(name: str, value: float, message: str) -> None:
    values = {**load_tempo().values, name: value}
    with pytest.raises(ValueError, match=re.escape(message)):
        Tempo(values)
    with pytest.raises(ValueError, match="urban_advance_km_per_day is missing"):
        Tempo.from_dict({k: v for k, v in values.items() if k != "urban_advance_km_per_day"})
