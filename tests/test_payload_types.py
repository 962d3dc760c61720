"""What travels between the stages has a type; untyped documents are only at the edge.

A run's design, a sweep point's values and the sensitivity summary are typed records; a store
gives them back only after checking them; a document read at the edge (a store's spec, the
packaged fits, a store's labels) is checked as it is read, and a bad value is named.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from wargame.calibration import Calibration, load_calibration
from wargame.jsontypes import JSONObject, mapping, number
from wargame.montecarlo import sensitivity
from wargame.montecarlo.spec import BatchSpec, BranchDesign, Point, SweepDesign
from wargame.montecarlo.store_check import BadStore, spec_from
from wargame.montecarlo.summary import Labels

ROOT = Path(__file__).resolve().parents[1]
DIGEST = "0" * 64

UNTYPED = re.compile(r"dict\[str, Any\]")


def test_no_untyped_dicts_between_the_stages() -> None:
    found = {str(p.relative_to(ROOT)) for p in (ROOT / "wargame").rglob("*.py")
             if UNTYPED.search(p.read_text(encoding="utf-8"))}
    assert not found, sorted(found)


def _spec(kind: str, design: SweepDesign | BranchDesign | None,
          points: list[Point] | None = None) -> JSONObject:
    return BatchSpec(kind, "s.yaml", DIGEST, [], 7, 100, 50, 4, points=points or [],
                     design=design).to_dict()


SWEEP = SweepDesign("lhs", ["model.a=0:1", "model.b=0:2"], 2, [[0.25, 0.5], [0.75, 0.0]])
BRANCH = BranchDesign(2, "taken", ["model.a=1"], None, DIGEST, ["model.a"])


@pytest.mark.parametrize(("kind", "design"), [
    ("batch", None), ("compare", None), ("sweep", None), ("sweep", SWEEP), ("branch", BRANCH)])
def test_a_stored_spec_reads_back_as_it_was(kind: str, design: Any) -> None:
    points = [Point({"model.a": 0.25, "model.b": 1}, ["model.a=0.25", "model.b=1"], DIGEST)] \
        if kind == "sweep" else None
    spec = BatchSpec(kind, "s.yaml", DIGEST, [], 7, 100, 50, 4, points=points or [],
                     design=design)
    again = spec_from(spec.to_dict())
    assert again == spec
    assert again.to_dict() == spec.to_dict()
    assert spec.to_dict()["design"] == ({} if design is None else vars(design))


def test_a_branch_stored_before_the_changed_parameters_were_recorded_still_reads() -> None:
    data = _spec("branch", BRANCH)
    design = dict(mapping(data["design"], "design"))
    del design["changed"]
    again = spec_from({**data, "design": design})
    assert again.branch.changed == []
    assert again.branch.at == 2


@pytest.mark.parametrize(("kind", "design", "message"), [
    ("branch", {"given": None, "changes": [], "variant": None, "variant_digest": DIGEST},
     "its spec is damaged: design.at: "),
    ("branch", {**vars(BRANCH), "at": "2"}, "its spec is damaged: design.at: "),
    ("branch", {}, "its spec is damaged: design.at: "),
    ("sweep", {**vars(SWEEP), "design": "spiral"}, "its spec is damaged: design.design: "),
    ("sweep", {**vars(SWEEP), "vary": "model.a=0:1"}, "its spec is damaged: design.vary: "),
    ("sweep", {**vars(SWEEP), "extra": 1}, "its spec is damaged: design.extra: "),
    ("batch", vars(SWEEP), "its spec is damaged: a batch has no design"),
])
def test_a_damaged_design_is_named(kind: str, design: JSONObject, message: str) -> None:
    with pytest.raises(BadStore) as err:
        spec_from({**_spec(kind, None), "design": design})
    assert str(err.value).startswith(message)


def test_only_a_branch_has_a_branch_design() -> None:
    spec = BatchSpec("sweep", "s.yaml", DIGEST, [], 7, 100, 50, 4, design=SWEEP)
    with pytest.raises(ValueError, match="a sweep has no branch"):
        spec.branch  # noqa: B018


def test_the_sensitivity_summary_is_typed_rows() -> None:
    import numpy as np

    values = [{"a": a, "b": b} for a in (0, 1) for b in (0, 1)]
    probs = {"o": np.array([0.1, 0.1, 0.9, 0.9])}
    sens = sensitivity.summarise("grid", values, None, ["a", "b"], probs, 1,
                                 {"o": [10, 10, 90, 90]}, [100] * 4)
    [row] = sens.outcomes
    assert (row.outcome, row.most, row.beyond_noise) == ("o", "a", True)
    assert row.effects == pytest.approx({"a": 0.8, "b": 0.0})


def test_labels_read_back_check_every_list() -> None:
    good = Labels(["red"], ["Red"], ["a"], ["A"], [], [], [None, "2015-10-13"],
                  ["2015-10-12", "2015-10-19"])
    assert Labels.from_dict(good.to_dict()) == good
    with pytest.raises(TypeError, match="settlements is not a list of text"):
        Labels.from_dict({**good.to_dict(), "settlements": "a"})
    with pytest.raises(TypeError, match="end_dates is not a list of text"):
        Labels.from_dict({**good.to_dict(), "end_dates": [None]})


def test_the_fit_files_are_read_by_checking() -> None:
    good = load_calibration().to_dict()
    assert Calibration.from_dict(good) == load_calibration()
    table = mapping(good["terrain_multiplier"], "terrain_multiplier")
    with pytest.raises(TypeError, match=re.escape("terrain_multiplier.urban is not a number")):
        Calibration.from_dict({**good, "terrain_multiplier": {**table, "urban": [1.2]}})
    with pytest.raises(TypeError, match="posture_multiplier is not a mapping"):
        Calibration.from_dict({**good, "posture_multiplier": 1.0})
    assert number(2, "x") == 2.0
    with pytest.raises(TypeError, match="x is not a number"):
        number(True, "x")
