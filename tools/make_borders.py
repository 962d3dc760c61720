"""Make ``wargame/data/countries_levant_ne10m.geojson``: the countries around Syria with their
land borders at Natural Earth's 1:10m scale.

Natural Earth (public domain) publishes its 1:10m country polygons as one large file; this
script takes the 1:10m land boundary lines (``ne_10m_admin_0_boundary_lines_land``) and the
1:50m country polygons (``ne_50m_admin_0_countries``, for the coasts), both as GeoJSON (the
conversion in github.com/martynafford/natural-earth-geojson, CC0), crops them to the Levant,
cuts the land along the 1:10m borders and gives each piece to the country whose 1:50m polygon
covers most of it. Borders are then right to within a few hundred metres (1:50m alone put
Kobane in Turkey), coasts to within a couple of kilometres.

Needs shapely (``pip install shapely``), which wargame itself does not use::

    python tools/make_borders.py ne_10m_admin_0_boundary_lines_land.json \\
        ne_50m_admin_0_countries.json wargame/data/countries_levant_ne10m.geojson
"""

from __future__ import annotations

import json
import sys

from shapely.geometry import LineString, Point, box, mapping, shape
from shapely.ops import nearest_points, polygonize, unary_union

COUNTRIES = {"SYR": "Syria", "TUR": "Turkey", "IRQ": "Iraq", "LBN": "Lebanon",
             "ISR": "Israel", "JOR": "Jordan", "CYP": "Cyprus", "PSX": "Palestine"}
REGION = box(32.0, 29.0, 44.5, 39.5)   # lon, lat: Syria and a margin around it
SIMPLIFY = 0.001                        # degrees (about 100 m): keeps the file small
DIGITS = 4                              # decimals of a degree kept (about 10 m)
MAX_JOIN = 0.1                          # degrees: how far a border's end may be from the coast


def main(lines_file: str, polygons_file: str, out_file: str) -> None:
    """Write the cropped, cut and assigned country polygons to ``out_file``."""
    with open(polygons_file, encoding="utf-8") as f:
        feats = json.load(f)["features"]
    coarse = {}
    for feat in feats:
        iso = feat["properties"].get("ADM0_A3")
        if iso in COUNTRIES:
            geom = shape(feat["geometry"]).buffer(0).intersection(REGION)
            if not geom.is_empty:
                coarse[iso] = geom
    with open(lines_file, encoding="utf-8") as f:
        borders = [shape(x["geometry"]).intersection(REGION) for x in json.load(f)["features"]
                   if {x["properties"].get("adm0_a3_l"), x["properties"].get("adm0_a3_r")}
                   & set(COUNTRIES)]
    land = unary_union(list(coarse.values()))
    # A 1:10m border ends on the 1:10m coast, which the 1:50m coast may miss by a little:
    # join each end to the nearest point of the 1:50m coast, so the border cuts the land.
    joins = []
    for line in borders:
        for part in getattr(line, "geoms", [line]):
            if part.is_empty or part.geom_type != "LineString":
                continue
            for end in (part.coords[0], part.coords[-1]):
                p = Point(end)
                if p.distance(land.boundary) < MAX_JOIN:
                    joins.append(LineString([end, nearest_points(land.boundary, p)[0].coords[0]]))
    pieces = polygonize(unary_union([land.boundary, *borders, *joins]))
    owned: dict[str, list] = {iso: [] for iso in coarse}
    for piece in pieces:
        if not land.buffer(1e-9).contains(piece.representative_point()):
            continue   # a hole: sea or a lake between the pieces
        best = max(coarse, key=lambda iso: coarse[iso].intersection(piece).area)
        owned[best].append(piece)
    out = []
    for iso, parts in owned.items():
        if not parts:
            continue
        geom = unary_union(parts).simplify(SIMPLIFY, preserve_topology=True)
        data = json.loads(json.dumps(mapping(geom)), parse_float=lambda s: round(float(s),
                                                                                  DIGITS))
        out.append({"type": "Feature", "properties": {"name": COUNTRIES[iso], "iso_a3": iso},
                    "geometry": data})
    with open(out_file, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": out}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
