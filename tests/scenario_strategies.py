"""Hypothesis strategies for valid scenario documents and parameters (plain YAML-like data).

Shared by ``test_scenario_roundtrip.py`` and ``test_scenario_params.py``. Everything drawn here
must pass validation: the strategies build ids first and only ever refer to ids that exist.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from pydantic import ValidationError

from wargame.scenario.params import DIST_NAMES, Normal

Data = dict[str, Any]
IDS = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
TEXT = st.text(min_size=1, max_size=16)
UNBOUNDED_SPAN = 1e6      # how far above the lower bound values go when a key has no maximum


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _number(lo: float, hi: float) -> st.SearchStrategy[float | int]:
    ints = st.integers(math.ceil(lo), math.floor(hi)) if math.ceil(lo) <= hi else st.nothing()
    return st.one_of(ints, _floats(lo, hi))


def _provenance() -> st.SearchStrategy[Data]:
    return st.fixed_dictionaries({}, optional={"source": TEXT, "note": TEXT})


@st.composite
def _normal(draw: st.DrawFn, lo: float, hi: float, unbounded_hi: bool) -> Data:
    low = draw(_floats(lo, hi))
    high = None if unbounded_hi and draw(st.booleans()) else draw(_floats(low, hi))
    top = low + UNBOUNDED_SPAN if high is None else high
    out: Data = {"dist": "normal", "mean": draw(_floats(low, top)),
                 "sd": draw(_floats(1e-6, max(top - low, 1e-6))), "low": low}
    if high is not None:
        out["high"] = high
    try:
        Normal.model_validate(out)
    except ValidationError:     # bounds that leave (almost) no probability: rare
        assume(False)
    return out


@st.composite
def distribution(draw: st.DrawFn, lo: float = 0.0, hi: float | None = None,
                 kinds: tuple[str, ...] = DIST_NAMES) -> Data:
    """A distribution whose every possible value lies in ``[lo, hi]`` (``hi=None``: no max)."""
    unbounded = hi is None
    top = lo + UNBOUNDED_SPAN if hi is None else hi
    allowed = [k for k in kinds if k != "lognormal" or (unbounded and lo <= 0)]
    kind = draw(st.sampled_from(allowed))
    if kind == "uniform":
        a, b = sorted(draw(st.lists(_floats(lo, top), min_size=2, max_size=2)))
        out: Data = {"dist": "uniform", "low": a, "high": b}
    elif kind == "triangular":
        a, m, b = sorted(draw(st.lists(_floats(lo, top), min_size=3, max_size=3)))
        out = {"dist": "triangular", "low": a, "mode": m, "high": b}
    elif kind == "normal":
        out = draw(_normal(lo, top, unbounded))
    elif kind == "lognormal":
        out = {"dist": "lognormal", "median": draw(_floats(1e-3, 1e5)),
               "sigma": draw(_floats(0.01, 1.0))}
    else:
        values = draw(st.lists(_number(lo, top), min_size=1, max_size=4))
        out = {"dist": "choice", "values": values}
        if draw(st.booleans()):
            weights = draw(st.lists(_floats(0, 10), min_size=len(values), max_size=len(values))
                           .filter(lambda w: sum(w) > 0))
            out["weights"] = weights
    return {**out, **draw(_provenance())}


def param(lo: float = 0.0, hi: float | None = None) -> st.SearchStrategy[Any]:
    """Any valid form of a parameter in ``[lo, hi]``: number, ``{value:}`` or distribution."""
    top = lo + UNBOUNDED_SPAN if hi is None else hi
    fixed = st.builds(lambda v, p: {"value": v, **p}, _number(lo, top), _provenance())
    return st.one_of(_number(lo, top), fixed, distribution(lo, hi))


FRACTION = param(0.0, 1.0)
COUNT = param(0.0, None)


def _entry(required: Data, optional: Data) -> st.SearchStrategy[Data]:
    return st.fixed_dictionaries(required, optional={**optional, "source": TEXT, "note": TEXT})


def _links(settlements: list[str], extra: list[tuple[int, int]],
           parents: list[int]) -> list[Data]:
    pairs: list[tuple[str, str]] = []
    seen: set[frozenset[str]] = set()
    candidates = [(i + 1, p) for i, p in enumerate(parents)] + extra
    for a, b in candidates:
        pair = frozenset((settlements[a], settlements[b]))
        if a != b and pair not in seen:
            seen.add(pair)
            pairs.append((settlements[a], settlements[b]))
    return [{"between": [a, b]} for a, b in pairs]


@st.composite
def _condition(draw: st.DrawFn, factions: list[str], places: list[str], depth: int = 0) -> Data:
    kinds = ["controls", "connected", "collapsed"] + (["not", "all", "any"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    some = st.lists(st.sampled_from(places), min_size=1, max_size=3)
    if kind == "controls":
        return {"controls": draw(_entry(
            {"faction": st.sampled_from(factions), "settlements": some},
            {"mode": st.sampled_from(["all", "any"])}))}
    if kind == "connected":
        return {"connected": draw(_entry(
            {"faction": st.sampled_from(factions), "from": some, "to": some},
            {"with_allies": st.booleans()}))}
    if kind == "collapsed":
        return {"collapsed": draw(st.sampled_from(factions))}
    inner = _condition(factions, places, depth + 1)
    if kind == "not":
        return {"not": draw(inner)}
    return {kind: draw(st.lists(inner, min_size=1, max_size=3))}


@st.composite
def _support(draw: st.DrawFn, factions: list[str], places: list[str]) -> Data:
    some = st.lists(st.sampled_from(places), min_size=1, max_size=3)
    first = draw(st.integers(1, 20))
    common: Data = {"provider": TEXT, "beneficiary": st.sampled_from(factions)}
    optional: Data = {"name": st.text(max_size=10), "first_turn": st.just(first),
                      "last_turn": st.integers(first, 40)}
    kind = draw(st.sampled_from(["air_strikes", "reinforcements", "airlift", "supply",
                                 "artillery"]))
    specific: dict[str, tuple[Data, Data]] = {
        "air_strikes": ({"sorties_per_turn": COUNT},
                        {"kills_per_sortie": COUNT, "suppression": FRACTION,
                         "targets": st.dictionaries(st.sampled_from(factions), COUNT,
                                                    max_size=2)}),
        "reinforcements": ({"men_per_turn": COUNT, "at": some},
                           {"quality": param(1e-9, None)}),
        "airlift": ({"settlements": some}, {"capacity": FRACTION}),
        "supply": ({"at": some}, {"quality_bonus": param(1.0, 10.0)}),
        "artillery": ({"fire_multiplier": param(1.0, 10.0)}, {}),
    }
    required, extra = specific[kind]
    return draw(_entry({"kind": st.just(kind), **common, **required}, {**optional, **extra}))


@st.composite
def _event(draw: st.DrawFn, factions: list[str], places: list[str], supports: list[str],
           outcomes: list[str]) -> Data:
    trigger_keys: Data = {"turn": st.integers(1, 30), "from_turn": st.integers(1, 30),
                          "captured": _entry({"settlement": st.sampled_from(places)},
                                             {"by": st.sampled_from(factions)}),
                          "chance": FRACTION}
    if outcomes:
        trigger_keys["outcome"] = st.sampled_from(outcomes)
    trigger = draw(st.fixed_dictionaries({}, optional=trigger_keys).filter(bool))
    pair = st.lists(st.sampled_from(factions), min_size=2, max_size=2, unique=True)
    effects: list[st.SearchStrategy[Data]] = [
        st.builds(lambda b, s: {"set_relation": {"between": b, "stance": s}},
                  pair, st.sampled_from(["war", "neutral", "allied"])),
        st.builds(lambda f, s, a: {"reinforce": {"faction": f, "settlement": s, "amount": a}},
                  st.sampled_from(factions), st.sampled_from(places), COUNT),
        _entry({"faction": st.sampled_from(factions)},
               {"aggression": FRACTION, "reserve_share": FRACTION,
                "objectives": st.dictionaries(st.sampled_from(places), COUNT, max_size=2)}
               ).map(lambda d: {"doctrine": d}),
    ]
    if supports:
        effects.append(st.builds(lambda s, f: {"scale_support": {"support": s, "factor": f}},
                                 st.sampled_from(supports), COUNT))
    return draw(_entry({"trigger": st.just(trigger),
                        "effects": st.lists(st.one_of(effects), min_size=1, max_size=3)},
                       {"name": st.text(max_size=10), "once": st.booleans()}))


@st.composite
def scenarios(draw: st.DrawFn) -> Data:
    """A valid scenario document: 2-5 factions, 1-12 settlements in a connected graph, every
    block present sometimes, every reference to an id that exists."""
    factions = draw(st.lists(IDS, min_size=2, max_size=5, unique=True))
    places = draw(st.lists(IDS, min_size=1, max_size=12, unique=True))
    n = len(places)
    parents = [draw(st.integers(0, i)) for i in range(n - 1)]      # a random spanning tree
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                          max_size=n))
    some_places = st.lists(st.sampled_from(places), min_size=1, max_size=3)

    meta = draw(_entry(
        {"name": TEXT, "start_date": st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))},
        {"description": st.text(max_size=30), "days_per_turn": st.integers(1, 366),
         "turns": st.integers(1, 1000),
         "sources": st.lists(_entry({"id": IDS, "title": TEXT},
                                    {"url": TEXT, "date": TEXT}), max_size=2)}))
    faction_data = {}
    for fid in factions:
        first = draw(st.integers(1, 10))
        reinforcement = _entry({"men_per_turn": COUNT, "at": some_places},
                               {"first_turn": st.just(first),
                                "last_turn": st.integers(first, 50)})
        faction_data[fid] = draw(_entry(
            {"name": TEXT, "strength": COUNT},
            {"short_name": st.text(min_size=1, max_size=24),
             "colour": st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True),
             "quality": param(1e-9, None), "morale": FRACTION, "breakpoint": FRACTION,
             "collapse_at": FRACTION, "deal_desertion": FRACTION,
             "doctrine": _entry({}, {"aggression": FRACTION, "reserve_share": FRACTION,
                                     "max_offensives": st.integers(0, 100),
                                     "objectives": st.dictionaries(st.sampled_from(places),
                                                                   COUNT, max_size=3)}),
             "supply_sources": st.lists(st.sampled_from(places), max_size=3),
             "reinforcements": st.lists(reinforcement, max_size=2)}))
    settlement_data = {}
    for sid in places:
        controller = draw(st.sampled_from(factions))
        settlement_data[sid] = draw(_entry(
            {"name": TEXT, "lat": _number(-90, 90), "lon": _number(-180, 180),
             "controller": st.just(controller)},
            {"approximate": st.booleans(), "population": st.integers(0, 10**7),
             "terrain": st.sampled_from(["urban", "suburban", "rural", "mountain", "desert",
                                         "forest"]),
             "fortification": st.sampled_from(["none", "prepared", "fortified"]),
             "value": _number(0, 100), "region": st.text(max_size=10),
             "garrison": st.dictionaries(st.just(controller), COUNT, max_size=1)}))
    links = [{**link, **draw(_entry({}, {"km": _number(0, 10_000),
                                         "road": st.sampled_from(["highway", "road",
                                                                  "track"])}))}
             for link in _links(places, extra, parents)]
    doc: Data = {"scenario": meta, "factions": faction_data, "settlements": settlement_data}
    if links:
        doc["links"] = links
    if draw(st.booleans()):
        pairs = draw(st.lists(st.lists(st.sampled_from(factions), min_size=2, max_size=2,
                                       unique=True), max_size=3,
                              unique_by=lambda p: frozenset(p)))
        doc["relations"] = draw(_entry({}, {
            "default": st.sampled_from(["war", "neutral", "allied"]),
            "pairs": st.just([{"between": p, "stance": draw(st.sampled_from(
                ["war", "neutral", "allied"]))} for p in pairs])}))
    support = draw(st.dictionaries(IDS, _support(factions, places), max_size=3))
    if support:
        doc["support"] = support
    outcome_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    doc["outcomes"] = {}
    for oid in outcome_ids:
        extra_keys = draw(_entry({"name": TEXT}, {"when": st.sampled_from(["ever", "final"]),
                                                  "by_turn": st.integers(1, 100)}))
        doc["outcomes"][oid] = {**extra_keys, **draw(_condition(factions, places))}
    events = draw(st.dictionaries(IDS, _event(factions, places, list(support), outcome_ids),
                                  max_size=2))
    if events:
        doc["events"] = events
    if draw(st.booleans()):
        doc["model"] = draw(_entry({}, {
            "law": st.sampled_from(["square", "linear"]), "steps_per_day": st.integers(1, 48),
            "battle_days": _floats(0.01, 366), "luck_sigma": param(0.0, 3.0),
            "rout_ratio": param(1.0, 100.0), "min_garrison": _number(0, 1e4),
            "rout_loss": _number(0, 1), "air_saturation_sorties": _floats(0.1, 100),
            "attacker_k_per_day": param(1e-9, None)}))
    return doc
