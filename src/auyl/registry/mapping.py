"""A map of schools drawn as SVG on the server: no tiles, no JavaScript, works offline.

Points are placed with an equirectangular projection scaled by cos(latitude), which is
accurate enough for a region (and readable for a country). Colours by school type.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

WIDTH = 800
PAD = 24

#: Drawing order and colour per school type; hubs on top.
KINDS = ("urban", "rural", "magnet", "hub")


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    kind: str
    pk: int
    code: str
    name: str


@dataclass(frozen=True)
class MapLink:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class MapLabel:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class SchoolMap:
    width: int
    height: int
    points: list[MapPoint]
    links: list[MapLink]
    labels: list[MapLabel]


def point_kind(locality: str, network_role: str) -> str:
    if network_role in ("hub", "magnet"):
        return network_role
    return "urban" if locality == "urban" else "rural"


def school_map(
    rows: Iterable[Mapping[str, Any]],
    labels: Iterable[tuple[float, float, str]] = (),
    name_field: str = "name_ru",
) -> SchoolMap:
    """Project school rows (dicts with latitude, longitude, locality, network_role, hub_id,
    pk, code and names) and district labels (lat, lon, text) into an SVG viewport."""
    rows = list(rows)
    labels = list(labels)
    if not rows:
        return SchoolMap(WIDTH, 200, [], [], [])
    lats = [r["latitude"] for r in rows] + [lat for lat, _lon, _t in labels]
    lons = [r["longitude"] for r in rows] + [lon for _lat, lon, _t in labels]
    lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    span_x = max((lon1 - lon0) * kx, 0.01)
    span_y = max(lat1 - lat0, 0.01)
    scale = (WIDTH - 2 * PAD) / span_x
    height = int(min(max(span_y * scale + 2 * PAD, 200), 900))
    scale = min(scale, (height - 2 * PAD) / span_y)

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (round(PAD + (lon - lon0) * kx * scale, 1), round(PAD + (lat1 - lat) * scale, 1))

    xy = {r["pk"]: project(r["latitude"], r["longitude"]) for r in rows}
    points = sorted(
        (
            MapPoint(
                *xy[r["pk"]],
                point_kind(r["locality"], r["network_role"]),
                r["pk"],
                r["code"],
                r.get(name_field) or r["name_ru"],
            )
            for r in rows
        ),
        key=lambda p: KINDS.index(p.kind),
    )
    links = [
        MapLink(*xy[r["pk"]], *xy[r["hub_id"]])
        for r in rows
        if r["network_role"] == "magnet" and r["hub_id"] in xy
    ]
    return SchoolMap(
        WIDTH, height, points, links, [MapLabel(*project(lat, lon), t) for lat, lon, t in labels]
    )
