"""Sweeps: ``--vary`` parsing, designs (grid, Latin hypercube, Sobol') and the points they give.

Each point is the scenario with one ``--set path=value`` per varied parameter, applied on top
of the sweep's own ``--set`` overrides, then validated like any scenario. Every point plays the
same chunk seeds (common random numbers), so differences between points come from the
parameters, not the dice.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from wargame.errors import InvalidInput, Location, Problem, UsageError
from wargame.jsontypes import JSONValue
from wargame.montecarlo.seeds import design_rng
from wargame.montecarlo.spec import MAX_POINTS, Point, PointValues
from wargame.scenario import Loaded, load
from wargame.scenario.limits import shape
from wargame.scenario.load import apply_set, parse_set
from wargame.scenario.overrides import apply_overrides
from wargame.scenario.schema import Scenario
from wargame.scenario.yamlio import Document

DESIGNS = ("grid", "lhs", "sobol")
MAX_ERRORS = 10


@dataclass(frozen=True)
class Vary:
    """One varied parameter: a list of values, or a numeric range ``low:high[:steps]``."""

    path: str
    values: tuple[JSONValue, ...] | None = None
    low: float = 0.0
    high: float = 0.0
    steps: int | None = None
    integer: bool = False

    def count(self) -> int:
        """How many values :meth:`levels` gives (counted without making them)."""
        if self.values is not None:
            return len(self.values)
        self._levels_needed()
        return int(self.steps or 0)

    def _levels_needed(self) -> None:
        """A usage error unless this is a list or a range with steps (what a grid needs)."""
        if self.values is None and self.steps is None:
            raise UsageError(f"--vary {self.path}: a grid needs start:stop:steps "
                             f"(got {_fmt(self.low)}:{_fmt(self.high)})")

    def levels(self) -> list[JSONValue]:
        """The values of a grid (the list, or ``steps`` evenly spaced values)."""
        if self.values is not None:
            return list(self.values)
        self._levels_needed()
        return [self._number(x) for x in np.linspace(self.low, self.high, self.steps or 0)]

    def at(self, u: float) -> JSONValue:
        """The value at ``u`` in ``[0, 1]`` (for sampled designs)."""
        if self.values is not None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        return self._number(self.low + u * (self.high - self.low))

    def _number(self, x: float) -> int | float:
        x = float(f"{float(x):.12g}")  # 0.30000000000000004 -> 0.3
        return int(x) if self.integer and x.is_integer() else x


def _fmt(x: float) -> str:
    return f"{x:g}"


def parse_vary(expr: str) -> Vary:
    """Parse ``path=start:stop[:steps]`` or ``path=a,b,c`` (YAML values)."""
    if "=" not in expr:
        raise UsageError(f"--vary {expr!r}: expected path=start:stop:steps or path=a,b,c")
    path, _, spec = (s.strip() for s in expr.partition("="))
    if not path or any(not p for p in path.split(".")):
        raise UsageError(f"--vary {expr!r}: empty path")
    if not spec:
        raise UsageError(f"--vary {expr!r}: no values")
    parts = spec.split(":")
    if len(parts) in (2, 3) and all(_is_number(p) for p in parts[:2]):
        low, high = float(parts[0]), float(parts[1])
        steps = None
        if len(parts) == 3:
            try:
                steps = int(parts[2])
            except ValueError:
                raise UsageError(f"--vary {expr!r}: steps must be a whole number "
                                 f"(got {parts[2]!r})") from None
            if steps < 1:
                raise UsageError(f"--vary {expr!r}: steps must be at least 1 (got {steps})")
        if not (math.isfinite(low) and math.isfinite(high)):
            raise UsageError(f"--vary {expr!r}: start and stop must be finite")
        integer = all(_is_int(p) for p in parts[:2])
        return Vary(path, None, low, high, steps, integer)
    values = []
    for item in spec.split(","):
        if not item.strip():
            raise UsageError(f"--vary {expr!r}: empty item in the list")
        try:
            value = parse_set(f"{path}={item}", "--vary")[1]
        except InvalidInput as exc:
            raise UsageError(f"--vary {expr!r}: {exc.problems[0].message}") from None
        if value is None:  # a null deletes with --set; a sweep point needs a value
            raise UsageError(f"--vary {expr!r}: missing value")
        values.append(value)
    return Vary(path, tuple(values))


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _is_int(s: str) -> bool:
    try:
        int(s.strip())
    except ValueError:
        return False
    return True


def design_points(varies: list[Vary], design: str, points: int | None,
                  seed: int) -> tuple[list[PointValues], np.ndarray | None]:
    """The parameter values of every point of the design, in run order, and (for sampled
    designs) the points in the unit cube, which the sensitivity analysis uses."""
    if not varies:
        raise UsageError("a sweep needs at least one --vary")
    dupes = {v.path for v in varies if [w.path for w in varies].count(v.path) > 1}
    if dupes:
        raise UsageError(f"--vary {sorted(dupes)[0]} given more than once")
    if design not in DESIGNS:
        raise UsageError(f"--design must be one of {', '.join(DESIGNS)} (got {design!r})")
    if design == "grid":
        if points is not None:
            raise UsageError("--points is for sampled designs (lhs, sobol); a grid's points "
                             "come from the --vary steps")
        total = math.prod(v.count() for v in varies)  # counted before any value is made
        if total > MAX_POINTS:
            raise UsageError(f"the grid has {total:,} points (at most {MAX_POINTS:,}): use "
                             "fewer steps or fewer values")
        levels = [v.levels() for v in varies]
        return [dict(zip([v.path for v in varies], combo, strict=True))
                for combo in itertools.product(*levels)], None
    if points is None or points < 1:
        raise UsageError(f"--design {design} needs --points K (at least 1)")
    total = points if design == "lhs" else points * (len(varies) + 2)  # Saltelli: K (d + 2)
    if total > MAX_POINTS:
        raise UsageError(f"the design has {total:,} points (at most {MAX_POINTS:,}): use a "
                         "smaller --points")
    unit = _unit_sample(varies, design, points, seed)
    if len(unit) > MAX_POINTS:
        raise UsageError(f"the design has {len(unit):,} points (at most {MAX_POINTS:,})")
    return [{v.path: v.at(float(row[j])) for j, v in enumerate(varies)} for row in unit], unit


def _unit_sample(varies: list[Vary], design: str, k: int, seed: int) -> np.ndarray:
    """Points in the unit cube: a Latin hypercube, or Saltelli's scheme for Sobol' indices."""
    if design == "lhs":
        rng = design_rng(seed)
        cols = [(rng.permutation(k) + rng.random(k)) / k for _ in varies]
        return np.stack(cols, axis=1)
    from wargame.montecarlo.sensitivity import saltelli_unit

    return saltelli_unit(len(varies), k, seed)


def point_specs(values: list[PointValues]) -> list[list[str]]:
    """``--set`` expressions for each point (JSON values are valid YAML)."""
    return [[f"{path}={json.dumps(v)}" for path, v in pv.items()] for pv in values]


Shape = tuple[int, int, int, int]


class _PointsState(TypedDict):
    """What a :class:`PointScenarios` sends to a worker."""

    base: Loaded
    extras: list[list[str]]


class PointScenarios:
    """The compiled scenario of each sweep point, made from the base scenario and the point's
    overrides when a chunk of the point is first played, and kept for its next chunks (a sweep
    plays its points in order). So a sweep holds a couple of compiled points at a time, not
    one per point: its memory no longer grows with the points (20,000 points once took
    1.9 GB). Sent to workers as the base and every point's overrides; each keeps its own."""

    KEEP = 2

    def __init__(self, base: Loaded, extras: list[list[str]]) -> None:
        self.base = base
        self.extras = extras
        self._made: OrderedDict[int, Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self.extras)

    def __getitem__(self, k: int) -> Any:
        made = self._made.get(k)
        if made is None:
            from wargame.engine import compile_scenario

            # Every point was validated whole before any game (load_points): here its model
            # is only rebuilt from the same data.
            doc = Document(copy.deepcopy(self.base.data), {}, self.base.path)
            for expr in self.extras[k]:
                apply_set(doc, expr, "--vary")
            made = compile_scenario(Scenario.model_validate(doc.data))
            self._made[k] = made
            while len(self._made) > self.KEEP:
                self._made.popitem(last=False)
        return made

    def __getstate__(self) -> _PointsState:
        return {"base": self.base, "extras": self.extras}

    def __setstate__(self, state: _PointsState) -> None:
        self.base, self.extras = state["base"], state["extras"]
        self._made = OrderedDict()


def load_points(path: Path, overrides: list[str], values: list[PointValues],
                base: Loaded | None = None) -> tuple[list[Point], list[Shape]]:
    """Build and validate every point; one error lists the problems of the bad points.
    Returns each point's spec and its shape (settlements, factions, outcomes, turns) for the
    memory budget; the validated points themselves are not kept (see :class:`PointScenarios`).

    ``base`` is ``load(path, overrides)`` when the caller already has it.
    """
    if base is None:
        base = load(path, overrides)
    found: dict[tuple[str, str, str], list[str]] = {}
    bad = 0
    points: list[Point] = []
    shapes: list[Shape] = []
    for k, (pv, extra) in enumerate(zip(values, point_specs(values), strict=True)):
        try:
            one = apply_overrides(base, extra, "--vary")
        except InvalidInput as exc:
            bad += 1
            where = ", ".join(f"{p}={json.dumps(v)}" for p, v in pv.items())
            for pr in exc.problems:
                found.setdefault((str(pr.location), pr.path, pr.message), []).append(
                    f"{k + 1}: {where}")
            continue
        points.append(Point(pv, extra, one.digest))
        shapes.append(shape(one.scenario))
    if found:
        # A problem every point shares (a misspelt path) is told once.
        problems = []
        for (loc, path_, msg), where_ in found.items():
            at = (f"sweep point {where_[0]}" if len(where_) == 1 else
                  "every sweep point" if len(where_) == len(values) else
                  f"sweep points {', '.join(w.split(':')[0] for w in where_)}")
            problems.append(Problem(Location(loc), path_, f"{msg} ({at})"))
        if len(problems) > MAX_ERRORS:
            rest = len(problems) - MAX_ERRORS
            problems = [*problems[:MAX_ERRORS],
                        Problem(Location("--vary"), "", f"... and {rest} more problems")]
        raise InvalidInput(problems)
    return points, shapes
