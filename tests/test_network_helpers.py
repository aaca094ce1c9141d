"""Helpers for the network tests: a tiny fake design engine and a small map of schools.

The fake (``fake_design_network``) opens the fixed hubs and then the first eligible
candidates by code, and sends each school to the nearest open hub within the distance
limit; the tests that need the real solver call it directly.
"""

from __future__ import annotations

from typing import Any

from auyl.engines.planning.network import (
    Assignment,
    NetworkRequest,
    NetworkResult,
    Site,
    Unserved,
)
from auyl.network.design import haversine_km
from tests.factories import ClassSetFactory, EnrolmentFactory


def fake_design_network(request: NetworkRequest) -> NetworkResult:
    candidates = sorted(
        (s for s in request.sites if s.can_be_hub or s.fixed_hub),
        key=lambda s: (not s.fixed_hub, s.code),
    )
    if request.hubs is not None:
        candidates = candidates[: max(request.hubs, sum(s.fixed_hub for s in candidates))]
    hubs = {s.code: s for s in candidates}
    assignments, unserved = [], []
    for s in request.sites:
        if not s.must_be_served or s.code in hubs:
            continue
        options = sorted(
            (
                haversine_km(s.latitude, s.longitude, h.latitude, h.longitude)
                * request.road_factor,
                h.code,
            )
            for h in hubs.values()
        )
        options = [(km, h) for km, h in options if request.max_km is None or km <= request.max_km]
        if options:
            assignments.append(Assignment(s.code, options[0][1], options[0][0], None))
        else:
            unserved.append(Unserved(s.code, "too far", "out_of_range", None, None))
    return NetworkResult(
        status="optimal",
        hubs=tuple(sorted(hubs)),
        assignments=tuple(assignments),
        unserved=tuple(unserved),
        objective=1.0,
        bound=1.0,
        gap=0.0,
        seconds=0.01,
    )


def build_net(region: Any) -> Any:
    """The ``region`` fixture placed on a map (road km = straight-line km x 1.3):
    Bestamak (ALG001, a hub) with its magnet Kumsai (KHR007) about 137 road km away;
    Khromtau No. 1 (KHR001, 400 pupils) about 8 km from Kumsai; Alga No. 2 (ALG002) about
    8 km from Bestamak. Kumsai and Alga No. 2 are small (combined class-sets)."""
    place(region.hub, 50.00, 57.00)  # Bestamak
    place(region.alga_school, 50.05, 57.05)  # Alga No. 2, ~8 road km from Bestamak
    place(region.magnet, 50.30, 58.40)  # Kumsai
    place(region.khromtau_school, 50.25, 58.44)  # Khromtau No. 1, ~8 road km from Kumsai
    for school, pupils in ((region.hub, 700), (region.khromtau_school, 400)):
        EnrolmentFactory(school=school, grade=5, pupils=pupils)
        ClassSetFactory(school=school, name="5", grades=[5])
    for school in (region.magnet, region.alga_school):
        EnrolmentFactory(school=school, grade=1, pupils=4)
        EnrolmentFactory(school=school, grade=3, pupils=5)
        ClassSetFactory(school=school, name="1+3", grades=[1, 3])
    return region


def place(school: Any, lat: float, lon: float) -> Any:
    school.latitude, school.longitude = lat, lon
    school.save()
    return school


def test_the_fake_sends_each_school_to_the_nearest_open_hub():
    sites = (
        Site("H1", "d", 50.0, 57.0, 300, True, False),
        Site("H2", "d", 50.0, 58.0, 300, True, False),
        Site("M1", "d", 50.0, 57.9, 20, False, True),
        Site("M2", "d", 50.0, 60.0, 20, False, True),
    )
    result = fake_design_network(NetworkRequest(sites=sites, hubs=None, max_km=50))
    assert [(a.magnet, a.hub) for a in result.assignments] == [("M1", "H2")]
    assert [u.school for u in result.unserved] == ["M2"]
