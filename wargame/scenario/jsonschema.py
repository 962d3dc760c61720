"""The JSON Schema of the scenario format, for editors (e.g. VS Code's YAML extension)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from wargame.jsontypes import JSONObject
from wargame.scenario.params import Choice, Fixed, LogNormal, Normal, Triangular, Uniform
from wargame.scenario.schema import CONDITION_FIELDS, Scenario

SCHEMA_ID = "https://wargame.invalid/scenario.schema.json"
_CONDITION_KEYS = tuple(k.rstrip("_") for k in CONDITION_FIELDS)
_EFFECT_KEYS = ("set_relation", "scale_support", "reinforce", "doctrine")
_TRIGGER_KEYS = ("turn", "from_turn", "captured", "outcome", "chance")


def json_schema() -> JSONObject:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    defs = schema.setdefault("$defs", {})
    dist_members = []
    for model in (Fixed, Uniform, Triangular, Normal, LogNormal, Choice):
        sub = TypeAdapter(model).json_schema(by_alias=True, ref_template="#/$defs/{model}")
        for name, d in sub.pop("$defs", {}).items():
            defs.setdefault(name, d)
        defs[model.__name__] = sub
        dist_members.append({"$ref": f"#/$defs/{model.__name__}"})
    defs["Distribution"] = {
        "description": "A fixed value with provenance, or a distribution sampled once per game.",
        "oneOf": dist_members,
    }
    # The "exactly one of" rules live in model validators, which pydantic cannot export.
    for name, keys, rule in (("Condition", _CONDITION_KEYS, "oneOf"),
                             ("Outcome", _CONDITION_KEYS, "oneOf"),
                             ("Effect", _EFFECT_KEYS, "oneOf"),
                             ("Trigger", _TRIGGER_KEYS, "anyOf")):
        if name in defs:
            defs[name][rule] = [{"required": [k]} for k in keys]
    schema = _link_distributions(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "wargame scenario"
    return schema


def _link_distributions(node: Any) -> Any:
    """Replace the parameter marker left by :func:`wargame.scenario.params.bounded`."""
    if isinstance(node, dict):
        if node.get("x-distribution") is True:
            return {"$ref": "#/$defs/Distribution"}
        out = {k: _link_distributions(v) for k, v in node.items()}
        patterns = list(out.get("patternProperties", {}))
        if len(patterns) == 1:
            # pydantic states the id pattern of dict keys only as patternProperties, which lets
            # any other key through unchecked; make editors flag bad ids as the loader does.
            out["propertyNames"] = {**out.get("propertyNames", {}), "pattern": patterns[0]}
        return out
    if isinstance(node, list):
        return [_link_distributions(v) for v in node]
    return node
