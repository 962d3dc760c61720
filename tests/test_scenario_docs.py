"""docs/scenario-format.md runs: its examples validate, its error example prints exactly what
it says, and its key tables list exactly the keys (and defaults) the schema has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined
from typer.testing import CliRunner

from wargame.cli.app import app
from wargame.scenario import load, schema

DOC = Path(__file__).parent.parent / "docs" / "scenario-format.md"
TEXT = DOC.read_text(encoding="utf-8")
ENV = {"NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "COLUMNS": "80"}

# <!-- example: NAME --> then a ```yaml block: a complete scenario that must validate.
EXAMPLES = dict(re.findall(r"<!-- example: (\w+) -->\n```yaml\n(.*?)```", TEXT, re.S))
# <!-- invalid: NAME --> then a ```yaml block and a ```text block with the exact stderr.
INVALID = {name: (body, out) for name, body, out in re.findall(
    r"<!-- invalid: (\w+) -->\n```yaml\n(.*?)```\n\n```text\n(.*?)```", TEXT, re.S)}
# <!-- keys: Model --> then a table whose first column lists the model's keys.
TABLES = {name: body for name, body in re.findall(
    r"<!-- keys: (\w+) -->\n(\|.*?)\n\n", TEXT, re.S)}
PROVENANCE = {"source", "note"}


@pytest.fixture
def examples_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """All examples written side by side (a variant example extends another by file name)."""
    for name, body in {**EXAMPLES, **{n: b for n, (b, _) in INVALID.items()}}.items():
        (tmp_path / f"{name}.yaml").write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_doc_has_examples() -> None:
    assert {"minimal", "full", "no_air"} <= set(EXAMPLES)
    assert "broken" in INVALID


@pytest.mark.usefixtures("examples_dir")
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_validates(name: str) -> None:
    load(f"{name}.yaml")
    result = CliRunner(env=ENV).invoke(app, ["validate", f"{name}.yaml"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith(f"{name}.yaml: ok (")


@pytest.mark.usefixtures("examples_dir")
@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_example_prints_what_the_doc_says(name: str) -> None:
    result = CliRunner(env=ENV).invoke(app, ["validate", f"{name}.yaml"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == INVALID[name][1]


def test_minimal_example_output_is_quoted_right(examples_dir: Path) -> None:
    result = CliRunner(env=ENV).invoke(app, ["validate", "minimal.yaml"])
    assert f"$ wargame validate minimal.yaml\n{result.stdout}" in TEXT


def test_the_variant_example_changes_what_it_says(examples_dir: Path) -> None:
    full, variant = load("full.yaml").scenario, load("no_air.yaml").scenario
    assert "red_air" in full.support and "red_air" not in variant.support
    assert (full.scenario.turns, variant.scenario.turns) == (12, 20)
    assert len(variant.links) == len(full.links) - 1


def _model(name: str) -> type[BaseModel]:
    model = getattr(schema, name)
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


def _fields(name: str) -> dict[str, Any]:
    """The keys a table documents: the model's own, less provenance and inherited ones."""
    model = _model(name)
    inherited: set[str] = set()
    if name in {"AirStrikes", "Reinforcements", "Airlift", "Supply", "Artillery"}:
        inherited = set(schema._SupportBase.model_fields) | {"kind"}
    if name == "Outcome":
        inherited = set(schema.Condition.model_fields)
    return {(f.alias or n): f for n, f in model.model_fields.items()
            if n not in PROVENANCE | inherited}


def _rows(name: str) -> list[list[str]]:
    lines = TABLES[name].splitlines()
    assert lines[0] == "| key | required | type | default | meaning | example |"
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]


def test_every_model_has_a_table() -> None:
    documented = set(TABLES)
    models = {n for n, v in vars(schema).items() if isinstance(v, type)
              and issubclass(v, schema.Entry)
              and v not in (schema.Entry, schema.ModelSettingsBase)}  # ModelSettings' base
    assert models <= documented, f"no table for: {sorted(models - documented)}"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_table_lists_exactly_the_keys(name: str) -> None:
    keys = [row[0].strip("`") for row in _rows(name)]
    fields = _fields(name)
    if name == "_SupportBase":
        fields["kind"] = None
    assert sorted(keys) == sorted(fields), name


@pytest.mark.parametrize("name", sorted(TABLES))
def test_table_required_and_defaults_match(name: str) -> None:
    fields = _fields(name)
    for key, required, typ, default, _meaning, _example in _rows(name):
        key = key.strip("`")
        field = fields.get(key)
        if field is None:               # the support kind: required, no default
            assert (required, default) == ("required", "—"), key
            continue
        assert required == ("required" if field.is_required() else "optional"), key
        # "... or distribution" exactly where the schema takes a parameter (params.bounded).
        assert typ.endswith("or distribution") == ("Uniform" in str(field.annotation)), key
        if field.is_required():
            assert default == "—", key
        elif field.default is None:
            assert default == "unset", key
        elif default.startswith("`"):
            assert field.default is not PydanticUndefined
            assert yaml.safe_load(default.strip("`")) == field.default, key
        else:                           # a nested block: its own table gives its defaults
            assert default.startswith("see "), key
