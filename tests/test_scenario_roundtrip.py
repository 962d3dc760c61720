"""Round trip: any valid scenario, dumped to YAML and read back, validates to the same model,
and the JSON Schema for editors accepts it.

One test checks all three properties on each generated scenario: generating a scenario costs
far more than checking it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from scenario_strategies import scenarios

from wargame.scenario import yamlio
from wargame.scenario.jsonschema import json_schema
from wargame.scenario.load import validate_document
from wargame.scenario.schema import Scenario

VALIDATOR = Draft202012Validator(json_schema())


def as_json(data: Any) -> Any:
    """Dates as ISO text: YAML has a date type, JSON (and so the JSON Schema) does not."""
    if isinstance(data, dict):
        return {k: as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_json(v) for v in data]
    return data.isoformat() if isinstance(data, dt.date) else data


@settings(deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios())
def test_round_trip_and_json_schema(data: dict[str, Any]) -> None:
    direct = validate_document(yamlio.Document(data))

    # YAML text and back: the same data, the same validated model, every value located.
    doc = yamlio.parse(yamlio.dump(data), "generated.yaml")
    assert doc.data == data
    assert validate_document(doc) == direct
    assert all(loc.line >= 1 for loc in doc.positions.values())

    # The editors' JSON Schema accepts it.
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in VALIDATOR.iter_errors(as_json(data))]
    assert errors == []

    # The frozen model's own dump (by alias, unset keys left out) is a valid, equal scenario.
    assert Scenario.model_validate(direct.model_dump(by_alias=True, exclude_unset=True)) == direct
