"""Scenario files: safe YAML, the schema, cross-checks and loading with extends/--set."""

from wargame.scenario.load import Loaded, load
from wargame.scenario.schema import Scenario

__all__ = ["Loaded", "Scenario", "load"]
