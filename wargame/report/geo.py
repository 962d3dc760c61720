"""Map geometry: the projection, country outlines and placing labels without overlaps.

The projection is equirectangular with the horizontal scale shrunk by ``cos(latitude)`` at the
centre of the map, which keeps shapes right to within a percent or two across a theatre a few
hundred kilometres wide. :class:`Projection` says exactly where a place lands in the saved
image, so tests can read the colour of a town's pixel.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
from matplotlib.path import Path as MplPath

Box = tuple[float, float, float, float]  # left, bottom, right, top (any consistent unit)

COUNTRIES_FILE = "countries_levant_ne10m.geojson"
KM_PER_DEG = 111.32


@dataclass(frozen=True)
class Projection:
    """Where longitude and latitude land in a figure of ``width`` x ``height`` pixels.

    ``box`` is the map axes' rectangle as figure fractions (left, bottom, width, height) and
    the ``lon``/``lat`` limits are the axes' data limits, chosen so that one km is as long
    east-west as north-south at ``lat0``.
    """

    lon_min: float
    lon_max: float
    lat_min: float
    lat_max: float
    box: tuple[float, float, float, float]
    width: int
    height: int

    @property
    def lat0(self) -> float:
        """Latitude of the map's centre (where the scale is exact)."""
        return (self.lat_min + self.lat_max) / 2

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        """Image coordinates ``(column, row)`` of a point, row 0 at the top (as in a PNG)."""
        fx = (lon - self.lon_min) / (self.lon_max - self.lon_min)
        fy = (lat - self.lat_min) / (self.lat_max - self.lat_min)
        left, bottom, w, h = self.box
        return (left + fx * w) * self.width, (1 - (bottom + fy * h)) * self.height

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """The point at image coordinates ``(x, y)``: the inverse of :meth:`pixel`."""
        left, bottom, w, h = self.box
        fx = (x / self.width - left) / w
        fy = (1 - y / self.height - bottom) / h
        return (self.lon_min + fx * (self.lon_max - self.lon_min),
                self.lat_min + fy * (self.lat_max - self.lat_min))


def fit(lons: Sequence[float], lats: Sequence[float], box: tuple[float, float, float, float],
        width: int, height: int, pad: float = 0.08, min_span_km: float = 20.0) -> Projection:
    """The projection showing every point with a margin, filling ``box`` (figure fractions)."""
    lo_x, hi_x = min(lons), max(lons)
    lo_y, hi_y = min(lats), max(lats)
    lat0 = (lo_y + hi_y) / 2
    k = max(math.cos(math.radians(lat0)), 0.05)
    min_deg = min_span_km / KM_PER_DEG
    span_x = max((hi_x - lo_x) * k, min_deg) * (1 + 2 * pad)   # in degrees of latitude
    span_y = max(hi_y - lo_y, min_deg) * (1 + 2 * pad)
    aspect = (box[2] * width) / (box[3] * height)
    if span_x / span_y > aspect:
        span_y = span_x / aspect
    else:
        span_x = span_y * aspect
    cx, cy = (lo_x + hi_x) / 2, lat0
    half_lon = span_x / k / 2
    return Projection(cx - half_lon, cx + half_lon, cy - span_y / 2, cy + span_y / 2, box,
                      width, height)


@dataclass(frozen=True)
class Country:
    """One country's outline: rings of ``(lon, lat)`` points."""

    name: str
    iso: str
    rings: tuple[np.ndarray, ...]

    def path(self) -> MplPath:
        """All rings as one matplotlib path (for drawing and point-in-country tests)."""
        return MplPath.make_compound_path(*(MplPath(r, closed=True) for r in self.rings))


@cache
def countries() -> tuple[Country, ...]:
    """The outlines shipped with wargame (Natural Earth's 1:10m borders and 1:50m coasts; see
    wargame/data/ATTRIBUTION.md)."""
    text = files("wargame").joinpath("data", COUNTRIES_FILE).read_text(encoding="utf-8")
    out = []
    for feat in json.loads(text)["features"]:
        geom = feat["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        rings = tuple(np.asarray(poly[0], dtype=float) for poly in polys)  # outer rings only
        props = feat["properties"]
        out.append(Country(props["name"], props.get("iso_a3", ""), rings))
    return tuple(out)


def covers(proj: Projection) -> bool:
    """Whether any shipped country outline reaches into the map (else it shows no borders)."""
    from matplotlib.transforms import Bbox

    view = Bbox.from_extents(proj.lon_min, proj.lat_min, proj.lon_max, proj.lat_max)
    return any(c.path().intersects_bbox(view, filled=True) for c in countries())


def country_label_spots(proj: Projection, avoid_px: np.ndarray,
                        blocked: Sequence[Box] = ()) -> Iterator[tuple[str, float, float]]:
    """For each country covering a fair share of the map, the spot for its name.

    The spot is the point inside the country and the map that is farthest from every place
    (``avoid_px``: [N, 2] image pixels) and from the map's edge, outside ``blocked`` boxes
    (image pixels, top-left origin). Yields ``(name, lon, lat)``.
    """
    gx = np.linspace(proj.lon_min, proj.lon_max, 48)
    gy = np.linspace(proj.lat_min, proj.lat_max, 36)
    lon, lat = (a.ravel() for a in np.meshgrid(gx, gy))
    px = np.array([proj.pixel(x, y) for x, y in zip(lon, lat, strict=True)])
    left, bottom, w, h = proj.box
    x0, x1 = left * proj.width, (left + w) * proj.width
    y0, y1 = (1 - bottom - h) * proj.height, (1 - bottom) * proj.height
    edge = np.minimum.reduce([px[:, 0] - x0, x1 - px[:, 0], px[:, 1] - y0, y1 - px[:, 1]])
    clear = edge * 0.8
    if len(avoid_px):
        d = np.sqrt(((px[:, None, :] - avoid_px[None, :, :]) ** 2).sum(-1)).min(1)
        clear = np.minimum(clear, d)
    for b in blocked:
        inside = (px[:, 0] >= b[0]) & (px[:, 0] <= b[2]) & (px[:, 1] >= b[1]) & (px[:, 1] <= b[3])
        clear = np.where(inside, -1.0, clear)
    for c in countries():
        inside = c.path().contains_points(np.column_stack([lon, lat]))
        if inside.mean() < 0.06:
            continue
        score = np.where(inside, clear, -np.inf)
        best = int(np.argmax(score))
        if score[best] > 0.06 * proj.height:
            yield c.name, float(lon[best]), float(lat[best])


def overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes ``(left, top, right, bottom)`` in image pixels intersect."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: Box, frame: Box) -> bool:
    """Whether box ``a`` lies entirely within ``frame`` (same convention)."""
    return a[0] >= frame[0] and a[1] >= frame[1] and a[2] <= frame[2] and a[3] <= frame[3]


def nice_distance(km: float) -> float:
    """A round number of km no greater than ``km`` (1, 2, 5 x 10^k)."""
    if km <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(km))
    return max(m * p for m in (1, 2, 5) if m * p <= km)


def clusters(px: np.ndarray, diam: np.ndarray, overlap: float = 0.45) -> list[list[int]]:
    """Groups of markers that overlap (centres closer than ``overlap`` x summed diameters)."""
    n = len(px)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if np.hypot(*(px[i] - px[j])) < overlap * (diam[i] + diam[j]):
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]
