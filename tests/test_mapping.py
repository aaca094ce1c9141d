"""The server-drawn school map (auyl.registry.mapping)."""

from __future__ import annotations

from auyl.registry.mapping import DETAIL_LIMIT, school_map


def row(pk, lat, lon, role="none", locality="rural", hub=None):
    return {
        "pk": pk,
        "code": f"S{pk}",
        "name_ru": f"Школа <{pk}>",
        "latitude": lat,
        "longitude": lon,
        "locality": locality,
        "network_role": role,
        "hub_id": hub,
    }


def test_points_are_coloured_by_type_and_magnets_linked_to_their_hub():
    rows = [
        row(1, 50.0, 57.0, "hub"),
        row(2, 50.1, 57.2, "magnet", hub=1),
        row(3, 50.3, 57.4),
        row(4, 50.2, 57.1, locality="urban"),
    ]
    m = school_map(rows, [(50.0, 57.0, "Alga")])
    assert sorted(p.kind for p in m.points) == ["hub", "magnet", "rural", "urban"]
    assert m.points[-1].kind == "hub"  # drawn last, on top
    assert len(m.links) == 1 and len(m.labels) == 1
    svg = m.svg("/schools/{pk}/", "map")
    assert svg.count("<circle") == 4 and 'href="/schools/2/"' in svg


def test_names_are_escaped_in_the_svg():
    svg = school_map([row(1, 50.0, 57.0)]).svg("/s/{pk}/", 'a "map"')
    assert "Школа &lt;1&gt;" in svg and "&quot;map&quot;" in svg


def test_north_is_up_and_west_is_left():
    m = school_map([row(1, 51.0, 56.0), row(2, 49.0, 60.0)])
    north_west, south_east = sorted(m.points, key=lambda p: p.pk)
    assert north_west.y < south_east.y and north_west.x < south_east.x


def test_a_country_sized_map_is_thinned_but_keeps_every_hub():
    rows = [row(i, 45 + (i % 100) * 0.001, 60 + (i // 100) * 0.001) for i in range(DETAIL_LIMIT)]
    rows += [row(10_000 + h, 41 + h * 0.1, 50 + h * 0.3, "hub") for h in range(50)]
    m = school_map(rows)
    assert m.thinned
    assert sum(p.kind == "hub" for p in m.points) == 50
    assert len(m.points) < len(rows) / 2
    assert m.links == [] and m.labels == []


def test_an_empty_region_draws_an_empty_map():
    assert school_map([]).points == []
