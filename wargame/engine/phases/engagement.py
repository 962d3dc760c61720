"""Phase 5 of a turn: the days of engagement at every contested place.

A contested place is fought over for ``days`` engagement days this turn (drawn in
:mod:`wargame.engine.phases.combat`). Each engagement day is one CDB90-type engagement
between the forces in contact, and the fight for a place carries over from turn to turn in
the share of it the attackers have cleared. ``docs/model.md`` ("5. Engagement days") has the
whole rule.

**Contact (frontage).** On each day at most ``cap_def`` of the garrison and ``cap_att`` of the
attackers fight (:mod:`wargame.engine.space`); several attacking factions share ``cap_att`` in
proportion to their strength. The rest wait, neither firing nor hit. A garrison thinner than
its front has the fire it receives scaled by ``strength / cap_def`` (square law only).

**Attrition.** Lanchester's law on the engaged forces, integrated with Heun's method in
``steps_per_day`` steps a day:

* square law (aimed fire): ``dS_j/dt = -S_j x sum_i H_ij k_i P_i / T_i``,
  ``P_i = S_i x power per fighter``, ``T_i = sum_h H_ih S_h``;
* linear law (area fire): ``dS_j/dt = -S_j x sum_i H_ij k_i P_i``.

**Breaks** (:func:`side_breaks`, after each day, on the engaged forces): a side breaks if it
lost more than ``breakpoint x (0.5 + morale)`` of its engaged strength while losing the
exchange (a higher loss fraction than its strongest enemy's), or if its enemies' engaged
power exceeds ``rout_ratio`` times its own, or if its engaged line was destroyed -- but only
while some enemy still stands. A broken attacker loses ``rout_loss`` of its engaged survivors
and stops for the rest of the turn. A broken defending line falls back into the place and the
attackers advance ``advance`` km, clearing ``advance / depth`` of it. If neither side breaks,
the day is a stalemate.

**Wear.** Each day adds the garrison's loss, as a share of its strength that morning, to its
wear; a turn without fighting takes ``morale_recovery`` of the wear away (phase 6).

**Fall.** The place falls to the strongest attacker still standing when its whole depth is
cleared, when the garrison is down to ``hold_threshold`` fighters or to ``min_hold_share`` of
what its front holds (``cap_def``: too few to hold it), when its wear reaches
``garrison_break x (0.5 + morale)`` (it gives the place up: the breakpoint of CDB90's
engagements, but for the whole garrison over the whole assault, fitted on the modern city
battles), or when the garrison collapses: after a turn with ``d`` days of fighting, with
probability

    1 - exp(-collapse_rate x d x exp(-collapse_morale_slope x (morale - 0.6)))

(:func:`collapse_chance`; ``collapse_rate`` is counted on the modern city battles, the morale
slope is a judgement: every 0.24 of morale lost multiplies the hazard by ten). On a fall the
cleared share resets to 0; the retreat or surrender of the garrison is phase 7.

**Classic battles** (``engagement_model: false``): every fighter engages, a broken garrison
loses the place at once, and there is no wear. The Lanchester and Iwo Jima checks run this
way.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from wargame.engine.space import Places

REFERENCE_MORALE = 0.6
"""The morale at which ``collapse_rate`` holds: the default morale of a faction."""

HOLD = 0        # the garrison held
CLEARED = 1     # the attackers cleared the whole place
EXHAUSTED = 2   # the garrison was destroyed or down to ``hold_threshold``
COLLAPSED = 3   # the defence collapsed
BROKEN = 4      # the garrison's losses passed its breaking point: it gave the place up
FALL_KINDS = ("held", "cleared", "exhausted", "collapsed", "broken")


class EngageRule(NamedTuple):
    """The scalar settings of an engagement day."""

    steps_per_day: int
    square: bool
    rout_loss: float
    hold_threshold: float
    min_hold_share: float   # a garrison below this share of its front's capacity cannot hold
    engagement_model: bool  # frontage, ground and CDB90 daily outcomes (False: classic)
    collapse_slope: float
    turn_days: float        # calendar days of a turn: a place attacked is exposed to collapse
    max_engaged_ratio: float   # attackers' power in contact over the defenders' at most


class Engagements(NamedTuple):
    """The turn's battles as :func:`engage` fights them (B battles, K side slots)."""

    rep: np.ndarray         # [B] intp: replicate
    place: np.ndarray       # [B] intp: settlement
    faction: np.ndarray     # [B, K] intp: faction of each side (-1 empty slot)
    start: np.ndarray       # [B, K] float64: strength at the start (slot 0 the garrison)
    mult: np.ndarray        # [B, K] float64: power per fighter
    k: np.ndarray           # [B, K] float64: fire coefficients per day, luck included
    hostile: np.ndarray     # [B, K, K] bool: who fires at whom
    days: np.ndarray        # [B] float64: engagement days drawn for the turn
    collapse_u: np.ndarray  # [B] float64: the uniform of the collapse test


class Will(NamedTuple):
    """What it takes to break each faction's sides and garrisons, game by game."""

    breakpoint: np.ndarray      # [R, F] float64: loss share of an engaged side that breaks it
    morale: np.ndarray          # [R, F] float64
    rout_ratio: np.ndarray      # [R] float64: enemy power over its own that routs a side
    collapse_rate: np.ndarray   # [R] float64: daily collapse hazard at the reference morale
    garrison_break: np.ndarray  # [R] float64: wear that makes a garrison give up
    last_stand: np.ndarray      # [F, N] bool: the faction's garrison there never gives up from wear


class Assault(NamedTuple):
    """The fight for each place, carried over from turn to turn (changed in place)."""

    advance: np.ndarray     # [R, N] float64: km cleared on a day the defending line breaks
    cleared: np.ndarray     # [R, N] float64: share of the place cleared
    wear: np.ndarray        # [R, N] float64: summed daily loss shares of the garrison


class Fire(NamedTuple):
    """One battle's Lanchester coefficients (K side slots)."""

    mult: np.ndarray        # [K] float64: power per fighter
    k: np.ndarray           # [K] float64: fire coefficient per day
    hostile: np.ndarray     # [K, K] bool: who fires at whom
    scale: np.ndarray       # [K] float64: share of the fire aimed at a side that reaches it


class Day(NamedTuple):
    """Work space of one engagement day of one battle (K side slots)."""

    e0: np.ndarray          # [K] float64: engaged strength in the morning
    e: np.ndarray           # [K] float64: and in the evening
    loss: np.ndarray        # [K] float64: loss share of the engaged
    power: np.ndarray       # [K] float64: engaged power in the evening
    stopped: np.ndarray     # [K] bool: the side fights no more this turn
    flags: np.ndarray       # [2, K] bool: work space of :func:`_decide_day`


class Books(NamedTuple):
    """What the days of engagement record, in place."""

    routed: np.ndarray      # [B, K] bool: the side broke on some day of the turn
    breaks: np.ndarray      # [B] int64: days on which the defending line broke
    casualties: np.ndarray  # [R, F] float64
    cleared: np.ndarray     # [R, N] float64: share of each place cleared


@njit(cache=True)
def side_breaks(loss: float, enemy_loss: float, power: float, enemy_power: float,
                breakpoint: float, morale: float, rout_ratio: float) -> bool:
    """Whether a side breaks after a day: heavy losses while losing the exchange, or odds
    beyond the rout ratio (the caller checks that some enemy still stands)."""
    heavy = loss > breakpoint * (0.5 + morale)
    return (heavy and loss > enemy_loss) or enemy_power > rout_ratio * max(power, 1e-9)


@njit(cache=True)
def collapse_chance(rate: float, days: float, morale: float, slope: float) -> float:
    """Chance that a garrison collapses after ``days`` of fighting at daily ``rate`` (at the
    reference morale), scaled by ``exp(-slope x (morale - REFERENCE_MORALE))``."""
    hazard = rate * days * math.exp(-slope * (morale - REFERENCE_MORALE))
    return -math.expm1(-hazard)


@njit(cache=True)
def _decide_day(b: int, day: Day, x: np.ndarray, battles: Engagements, will: Will,
                rule: EngageRule, books: Books, step: float) -> None:
    """Who broke at the end of a day of battle ``b`` (:func:`side_breaks` on the engaged
    forces, ``day``), and what follows: a broken attacker loses ``rout_loss`` of ``x`` and
    stops; a broken defending line gives up ``step`` of the place (all of it in classic
    battles)."""
    e0, e, loss, power, stopped = day.e0, day.e, day.loss, day.power, day.stopped
    r, n = battles.rep[b], battles.place[b]
    fac = battles.faction[b]
    H = battles.hostile[b]
    K = e.shape[0]
    broke = day.flags[0]
    standing = day.flags[1]
    for i in range(K):
        broke[i] = False
        if e0[i] <= 0:
            continue
        enemy, top, strongest = 0.0, -1.0, i
        for j in range(K):
            if H[i, j] and e0[j] > 0:
                enemy += power[j]
                if power[j] > top:
                    top, strongest = power[j], j
        if top < 0:
            continue
        f = max(fac[i], 0)
        broke[i] = e[i] <= 1e-9 or side_breaks(
            loss[i], loss[strongest], power[i], enemy, will.breakpoint[r, f],
            will.morale[r, f], will.rout_ratio[r])
    for i in range(K):
        standing[i] = e0[i] > 0 and not broke[i]
    attackers_left = False
    for s in range(1, K):
        stands = False
        for j in range(K):
            if H[s, j] and standing[j]:
                stands = True
        if e0[s] > 0 and broke[s] and stands:
            stopped[s] = True
            books.routed[b, s] = True
            cost = rule.rout_loss * e[s]
            x[s] -= cost
            books.casualties[r, fac[s]] += cost
        elif e0[s] > 0 and not broke[s]:
            attackers_left = True
    if broke[0] and attackers_left:
        books.breaks[b] += 1
        books.routed[b, 0] = True
        books.cleared[r, n] = min(1.0, books.cleared[r, n] + step)


@njit(cache=True)
def _rate(x: np.ndarray, fire: Fire, square: bool, shot: np.ndarray, out: np.ndarray) -> None:
    """The rates of loss ``out`` of strengths ``x`` (``shot`` [K] is work space)."""
    K = x.shape[0]
    H = fire.hostile
    for i in range(K):
        shot[i] = fire.k[i] * x[i] * fire.mult[i]
        if square:
            T = 0.0
            for h in range(K):
                if H[i, h]:
                    T += x[h]
            shot[i] = shot[i] / T if T > 0 else 0.0
    for j in range(K):
        hit = 0.0
        for i in range(K):
            if H[i, j]:
                hit += shot[i]
        out[j] = -x[j] * hit * fire.scale[j]


@njit(cache=True)
def heun(x: np.ndarray, fire: Fire, days: float, n_steps: int, square: bool,
         scratch: np.ndarray) -> None:
    """Integrate Lanchester attrition of one battle over ``days`` in place (Heun's method);
    ``scratch`` is a [4, K] work array."""
    K = x.shape[0]
    dt = days / n_steps
    k1 = scratch[0]
    k2 = scratch[1]
    guess = scratch[2]
    shot = scratch[3]
    for _ in range(n_steps):
        _rate(x, fire, square, shot, k1)
        for i in range(K):
            guess[i] = max(x[i] + dt * k1[i], 0.0)
        _rate(guess, fire, square, shot, k2)
        for i in range(K):
            x[i] = max(x[i] + 0.5 * dt * (k1[i] + k2[i]), 0.0)


@njit(cache=True)
def lanchester(S: np.ndarray, mult: np.ndarray, k: np.ndarray, H: np.ndarray, days: float,
               n_steps: int, square: bool) -> np.ndarray:
    """Every battle's strengths after ``days`` of Lanchester attrition, all engaged."""
    B, K = S.shape
    x = S.copy()
    scale = np.ones(K)
    scratch = np.empty((4, K))
    for b in range(B):
        heun(x[b], Fire(mult[b], k[b], H[b], scale), days, n_steps, square, scratch)
    return x


@njit(cache=True)
def engage(battles: Engagements, places: Places, assault: Assault, will: Will,
           rule: EngageRule, casualties: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                      np.ndarray]:
    """Fight every battle's engagement days -> (strength at the end [B, K], routed [B, K],
    winner slot [B] (0: the garrison held), how it ended [B] (``HOLD``...), days fought [B],
    days the defending line broke [B], cleared share before the turn [B]).

    ``battles.start`` [B, K] are the strengths at the start (slot 0 the garrison, then one
    slot per attacking faction), ``mult`` the power per fighter, ``k`` the fire coefficients
    per day (luck included), ``hostile`` [B, K, K] who fires at whom; ``places`` the
    frontage and depth of each place. Books every loss in ``casualties`` [R, F] and updates
    ``assault.cleared`` and ``assault.wear`` [R, N] in place.
    """
    fac, mult, days = battles.faction, battles.mult, battles.days
    cap_att, cap_def, depth = places.cap_att, places.cap_def, places.depth_km
    cleared, wear = assault.cleared, assault.wear
    B, K = battles.start.shape
    end = battles.start.copy()
    routed = np.zeros((B, K), dtype=np.bool_)
    winner = np.zeros(B, dtype=np.intp)
    how = np.zeros(B, dtype=np.int8)
    fought = np.zeros(B)
    breaks = np.zeros(B, dtype=np.int64)
    before = np.zeros(B)
    e = np.empty(K)
    e0 = np.empty(K)
    scale = np.ones(K)
    power = np.empty(K)
    loss = np.empty(K)
    stopped = np.empty(K, dtype=np.bool_)
    scratch = np.empty((4, K))
    flags = np.empty((2, K), dtype=np.bool_)
    day = Day(e0, e, loss, power, stopped, flags)
    books = Books(routed, breaks, casualties, cleared)
    for b in range(B):
        r, n = battles.rep[b], battles.place[b]
        x = end[b]
        fire = Fire(mult[b], battles.k[b], battles.hostile[b], scale)
        before[b] = cleared[r, n]
        hold = rule.hold_threshold
        if rule.engagement_model:
            hold = max(hold, rule.min_hold_share * cap_def[n])
        for s in range(K):
            stopped[s] = fac[b, s] < 0
        n_days = math.ceil(days[b] - 1e-12)
        for d in range(n_days):
            dl = min(1.0, days[b] - d)
            total = 0.0
            for s in range(1, K):
                if not stopped[s] and x[s] > rule.hold_threshold:
                    total += x[s]
            if total <= 0.0 or x[0] <= hold:
                break
            share = min(1.0, cap_att[n] / total)
            e[0] = min(x[0], cap_def[n])
            scale[0] = (min(1.0, x[0] / cap_def[n]) if rule.engagement_model and rule.square
                        else 1.0)
            att_power = 0.0
            for s in range(1, K):
                live = not stopped[s] and x[s] > rule.hold_threshold
                e[s] = x[s] * share if live else 0.0
                att_power += e[s] * mult[b, s]
            # The attackers cannot bring more than ``max_engaged_ratio`` times the defenders'
            # power in contact to bear; the rest wait (no cap against a powerless defence).
            held = e[0] * mult[b, 0]
            if rule.engagement_model and held > 0.0 and att_power > rule.max_engaged_ratio * held:
                cut = rule.max_engaged_ratio * held / att_power
                for s in range(1, K):
                    e[s] *= cut
            for s in range(K):
                e0[s] = e[s]
            heun(e, fire, dl, max(1, round(dl * rule.steps_per_day)), rule.square, scratch)
            if x[0] > 0:
                wear[r, n] += (e0[0] - e[0]) / x[0]
            for s in range(K):
                lost = e0[s] - e[s]
                x[s] -= lost
                if fac[b, s] >= 0:
                    casualties[r, fac[b, s]] += lost
                loss[s] = lost / e0[s] if e0[s] > 0 else 0.0
                power[s] = e[s] * mult[b, s]
            fought[b] += dl
            step = assault.advance[r, n] * dl / depth[n] if rule.engagement_model else 1.0
            _decide_day(b, day, x, battles, will, rule, books, step)
            if cleared[r, n] >= 1.0:
                break
        # How the turn ended at this place.
        best, w = -1.0, 0
        for s in range(1, K):
            if not stopped[s] and x[s] > rule.hold_threshold and x[s] * mult[b, s] > best:
                best, w = x[s] * mult[b, s], s
        if w > 0:
            if cleared[r, n] >= 1.0:
                how[b] = CLEARED
            elif x[0] <= rule.hold_threshold or (days[b] > 0 and x[0] <= hold):
                how[b] = EXHAUSTED
            elif (rule.engagement_model and fac[b, 0] >= 0
                  and not will.last_stand[fac[b, 0], n]
                  and wear[r, n] >= (will.garrison_break[r]
                                     * (0.5 + will.morale[r, fac[b, 0]]))):
                how[b] = BROKEN
            elif fac[b, 0] >= 0 and battles.collapse_u[b] < collapse_chance(
                    will.collapse_rate[r], rule.turn_days, will.morale[r, fac[b, 0]],
                    rule.collapse_slope):
                how[b] = COLLAPSED
        if how[b] != HOLD:
            winner[b] = w
            cleared[r, n] = 0.0
            wear[r, n] = 0.0
    return end, routed, winner, how, fought, breaks, before
