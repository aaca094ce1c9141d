"""A map of schools drawn as SVG on the server: no tiles, no JavaScript, works offline.

Points are placed with an equirectangular projection scaled by cos(latitude), which is
accurate enough for a region and readable for a country. Colours by school type.

The SVG is written in Python, not with a template loop: a country has 7,700 schools. Above
``DETAIL_LIMIT`` points the map is thinned so the page stays light: hubs stay exact and
clickable; other schools are drawn as one dot per occupied ``THIN_CELL``-pixel cell and
type, without links, tooltips or district labels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 800
PAD = 40
DETAIL_LIMIT = 1500
THIN_CELL = 4.0
RADIUS = {"hub": 7.0, "magnet": 4.5, "rural": 4.5, "urban": 4.5}

#: Drawing order per school type; hubs on top.
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
class SchoolMap:
    width: int
    height: int
    points: list[MapPoint]
    links: list[tuple[float, float, float, float]]
    labels: list[tuple[float, float, str]]
    thinned: bool

    def svg(self, href: str, label: str) -> SafeString:
        """The map as an SVG element; ``href`` holds ``{pk}`` for a school's page."""
        parts = [
            f'<svg viewBox="0 0 {self.width} {self.height}" role="img" '
            f'aria-label="{escape(label)}">',
            '<g class="links">',
            *(f'<line x1="{a}" y1="{b}" x2="{c}" y2="{d}"/>' for a, b, c, d in self.links),
            '</g><g class="labels">',
            *(f'<text x="{x}" y="{y}">{escape(t)}</text>' for x, y, t in self.labels),
            '</g><g class="points">',
            *(self._point(p, href) for p in self.points),
            "</g></svg>",
        ]
        return mark_safe("".join(parts))

    def _point(self, p: MapPoint, href: str) -> str:
        circle = f'<circle class="{p.kind}" cx="{p.x}" cy="{p.y}" r="{RADIUS.get(p.kind, 4.5)}"'
        if self.thinned and p.kind != "hub":
            return circle + "/>"
        title = escape(f"{p.name} ({p.code})")
        return f'<a href="{href.format(pk=p.pk)}">{circle}><title>{title}</title></circle></a>'


def point_kind(locality: str, network_role: str) -> str:
    if network_role in ("hub", "magnet"):
        return network_role
    return "urban" if locality == "urban" else "rural"


def _thin(points: list[MapPoint]) -> list[MapPoint]:
    """Keep every hub, and one point per cell and type for the others."""
    kept: dict[tuple[str, int, int], MapPoint] = {}
    out = [p for p in points if p.kind == "hub"]
    for p in points:
        if p.kind != "hub":
            kept.setdefault((p.kind, int(p.x // THIN_CELL), int(p.y // THIN_CELL)), p)
    return sorted(out + list(kept.values()), key=_draw_order)


def _draw_order(p: MapPoint) -> int:
    """Types in KINDS order; other classes (``kind_of``) first, in the order given."""
    return KINDS.index(p.kind) if p.kind in KINDS else -1


def school_map(
    rows: Iterable[Mapping[str, Any]],
    labels: Iterable[tuple[float, float, str]] = (),
    name_field: str = "name_ru",
    kind_of: Callable[[Mapping[str, Any]], str] | None = None,
) -> SchoolMap:
    """Project school rows (dicts with latitude, longitude, locality, network_role, hub_id,
    pk, code and names) and district labels (lat, lon, text) into an SVG viewport.

    ``kind_of(row)`` gives each point another CSS class than its school type (e.g. a
    readiness band); such points are drawn in the order of ``rows`` and thinned per class."""
    rows = list(rows)
    labels = list(labels)
    if not rows:
        return SchoolMap(WIDTH, 200, [], [], [], False)
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
                kind_of(r) if kind_of else point_kind(r["locality"], r["network_role"]),
                r["pk"],
                r["code"],
                r.get(name_field) or r["name_ru"],
            )
            for r in rows
        ),
        key=_draw_order,
    )
    thinned = len(points) > DETAIL_LIMIT
    links = (
        []
        if thinned
        else [
            (*xy[r["pk"]], *xy[r["hub_id"]])
            for r in rows
            if r["network_role"] == "magnet" and r["hub_id"] in xy
        ]
    )
    return SchoolMap(
        WIDTH,
        height,
        _thin(points) if thinned else points,
        links,
        [] if thinned else [(*project(lat, lon), text) for lat, lon, text in labels],
        thinned,
    )
