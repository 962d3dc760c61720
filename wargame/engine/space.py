"""Space: how big a place is, how much force its front holds, and how fast it is cleared.

A place's built-up area is derived from what a scenario already states, its population:

    area = max(population / urban_density, min_area_km2)        (km^2)

with ``urban_density`` 9,200 people per km^2 by default (the average density of the built-up
urban areas of middle- and low-income countries in Demographia, *World Urban Areas*, 2006
summary) and ``min_area_km2`` 1 km^2 for a village, crossing or base whose population is small
or unknown (judgement). Taken as a disc, its front, the width an attacker coming from one side
faces, is its diameter, and so is the depth to clear:

    width = depth = 2 sqrt(area / pi)                            (km)

**Frontage.** At most ``cap_att = (width / a_att)^(1 / b_att)`` attackers and
``cap_def = (width / a_def)^(1 / b_def)`` defenders fight on an engagement day: the CDB90 front
widths of attackers and defenders against their strengths (``width = a x strength^b``, fitted
in :mod:`calibration.space`). Several attacking factions share ``cap_att`` in proportion
to their strength. A garrison thinner than its front (``strength < cap_def``) is also harder to
hit: the fire it receives is scaled by ``strength / cap_def``, Lanchester's area-fire (linear)
law for a defender dispersed in cover, which equals the calibrated square law at the density
of the CDB90 battles (where, by construction of the fit, ``strength ~ cap_def``).

**Ground.** Each engagement day on which the defender's line breaks, the attacker advances
``advance`` km, clearing ``advance / depth`` of the place; the place falls when all of it is
cleared. ``advance`` is the CDB90 median advance per day of a won battle in open terrain
(rural 3.35 km, mountain 2.29 km; desert and forest the all-terrain 3.07 km), the advance
fitted on the modern city battles in urban terrain (``urban_advance_km_per_day``), and their
geometric mean in suburban terrain (as for the terrain multipliers).

``engagement_model: false`` switches off the caps, the thin-garrison scaling and the ground
(classic battles: the Lanchester and Iwo Jima checks run that way).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from wargame.calibration import Calibration
from wargame.scenario.schema import Scenario

OPEN_TERRAIN_ADVANCE = ("rural", "mountain", "desert", "forest")


class Places(NamedTuple):
    """Static geometry of every place [N]; the engagement kernel takes it as one argument."""

    area_km2: np.ndarray        # [N] float64
    depth_km: np.ndarray        # [N] float64: = front width
    cap_att: np.ndarray         # [N] float64: attackers fighting there on a day (inf: no cap)
    cap_def: np.ndarray         # [N] float64: defenders fighting there on a day (inf: no cap)
    open_advance: np.ndarray    # [N] float64: km per won day in open terrain; NaN in towns
    urban: np.ndarray           # [N] bool: urban terrain (advance = the urban rate)
    suburban: np.ndarray        # [N] bool: suburban terrain (geometric mean of urban and rural)


def places(sc: Scenario, cal: Calibration) -> Places:
    """The geometry of the scenario's places under its ``model:`` settings."""
    m = sc.model
    pop = np.array([float(s.population) for s in sc.settlements.values()])
    area = np.maximum(pop / m.urban_density, m.min_area_km2)
    depth = 2.0 * np.sqrt(area / math.pi)
    if m.engagement_model:
        cap_att = (depth / cal.frontage_attacker_coef) ** (1.0 / cal.frontage_attacker_exponent)
        cap_def = (depth / cal.frontage_defender_coef) ** (1.0 / cal.frontage_defender_exponent)
    else:
        cap_att = np.full(depth.shape, np.inf)
        cap_def = np.full(depth.shape, np.inf)
    terrain = [s.terrain for s in sc.settlements.values()]
    open_adv = np.array([cal.advance_km_per_day[t] if t in OPEN_TERRAIN_ADVANCE else np.nan
                         for t in terrain])
    return Places(
        area_km2=area, depth_km=depth, cap_att=cap_att, cap_def=cap_def,
        open_advance=open_adv,
        urban=np.array([t == "urban" for t in terrain]),
        suburban=np.array([t == "suburban" for t in terrain]),
    )


def advance(p: Places, rural: float, urban: np.ndarray) -> np.ndarray:
    """Advance per won day at every place for each replicate -> [R, N] (``urban`` is [R])."""
    R = urban.shape[0]
    out = np.broadcast_to(p.open_advance, (R, p.open_advance.size)).copy()
    out[:, p.urban] = urban[:, None]
    out[:, p.suburban] = np.sqrt(urban * rural)[:, None]
    return out
