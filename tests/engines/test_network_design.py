"""The hub network design engine: a capacitated p-median / facility-location MIP.

Small instances are laid out on a flat map in kilometres (``at(east, north)`` around
Aktobe) with ``road_factor=1`` so that distances read off the layout. Each constraint gets a
test showing that it binds: the design changes when the constraint is added, and the
constraint holds in the result.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import random

import pytest

from auyl.demo.generator import generate_region
from auyl.engines.planning import network
from auyl.engines.planning.network import (
    NetworkRequest,
    NetworkResult,
    Site,
    build_network_mip,
    design_network,
    haversine_km,
    heuristic_network,
)

LAT0, LON0 = 50.28, 57.21  # Aktobe
KM_PER_DEG_LAT = math.pi * 6371.0 / 180


def at(east_km: float, north_km: float) -> tuple[float, float]:
    """Latitude, longitude of a point ``east_km`` east and ``north_km`` north of Aktobe."""
    lat = LAT0 + north_km / KM_PER_DEG_LAT
    lon = LON0 + east_km / (KM_PER_DEG_LAT * math.cos(math.radians(LAT0)))
    return lat, lon


def site(
    code: str,
    east: float,
    north: float = 0.0,
    *,
    pupils: int = 10,
    hub: bool = False,
    serve: bool = False,
    fixed: bool = False,
    district: str = "alga",
) -> Site:
    lat, lon = at(east, north)
    return Site(code, district, lat, lon, pupils, hub, serve, fixed)


def request(sites: list[Site], hubs: int | None, **kw: object) -> NetworkRequest:
    kw.setdefault("road_factor", 1.0)
    kw.setdefault("time_limit_s", 30.0)
    return NetworkRequest(tuple(sites), hubs, **kw)  # type: ignore[arg-type]


def hub_of(result: NetworkResult) -> dict[str, str]:
    return {a.magnet: a.hub for a in result.assignments}


def assert_invariants(req: NetworkRequest, res: NetworkResult) -> None:
    """What every answer promises (module docstring of the engine)."""
    by_code = {s.code: s for s in req.sites}
    assert res.status in ("optimal", "time_limit")
    served = {a.magnet for a in res.assignments}
    unserved = {u.school for u in res.unserved}
    wanted = {s.code for s in req.sites if s.must_be_served}
    assert served | unserved == wanted and not served & unserved
    assert all(by_code[h].can_be_hub or by_code[h].fixed_hub for h in res.hubs)
    assert {s.code for s in req.sites if s.fixed_hub} <= set(res.hubs)
    if req.hubs is not None:
        assert len(res.hubs) == req.hubs
    load: dict[str, int] = {}
    for a in res.assignments:
        assert a.hub in res.hubs
        if a.hub == a.magnet:
            assert a.km == 0
            continue
        load[a.hub] = load.get(a.hub, 0) + 1
        if req.max_km is not None:
            assert a.km <= req.max_km + 1e-6
        if req.max_minutes is not None:
            assert a.minutes is not None and a.minutes <= req.max_minutes + 1e-6
        if req.same_district:
            assert by_code[a.hub].district == by_code[a.magnet].district
    if req.max_magnets is not None:
        assert max(load.values(), default=0) <= req.max_magnets
    assert res.bound <= res.objective + 1e-6
    assert res.gap >= 0


# --- Distances ----------------------------------------------------------------------------


def test_haversine_aktobe_to_alga_is_about_42_km() -> None:
    assert haversine_km(50.2797, 57.2072, 49.9028, 57.3350) == pytest.approx(42.9, abs=0.5)


def test_haversine_astana_to_almaty_is_about_970_km() -> None:
    assert haversine_km(51.1694, 71.4491, 43.2389, 76.8897) == pytest.approx(972, abs=5)


def test_haversine_is_symmetric_and_zero_on_the_spot() -> None:
    assert haversine_km(50.0, 57.0, 50.0, 57.0) == 0
    assert haversine_km(50.0, 57.0, 48.0, 60.0) == pytest.approx(
        haversine_km(48.0, 60.0, 50.0, 57.0)
    )


def test_distance_is_haversine_times_the_road_factor() -> None:
    sites = [site("H", 0, hub=True), site("M", 40, serve=True)]
    res = design_network(request(sites, 1, road_factor=1.3))
    assert res.assignments[0].km == pytest.approx(52.0, abs=0.1)
    assert res.objective == pytest.approx(10 * 52.0, abs=1)


# --- Optimality against brute force -------------------------------------------------------


def brute_force(req: NetworkRequest) -> tuple[int, float]:
    """(schools served, objective) of the best design by enumeration: most schools served
    first, then least pupil-weighted distance (+ hub costs)."""
    sites = list(req.sites)
    cands = [s for s in sites if s.can_be_hub or s.fixed_hub]
    fixed = {s.code for s in sites if s.fixed_hub}
    wanted = [s for s in sites if s.must_be_served]

    def dist(s: Site, h: Site) -> float | None:
        km = req.road_factor * haversine_km(s.latitude, s.longitude, h.latitude, h.longitude)
        if req.max_km is not None and km > req.max_km + 1e-9:
            return None
        if req.same_district and s.district != h.district:
            return None
        if req.travel_minutes is not None:
            m = req.travel_minutes.get((s.code, h.code))
            if m is None or (req.max_minutes is not None and m > req.max_minutes):
                return None
            return m
        return km

    reach = [
        s for s in wanted if s.can_be_hub or s.fixed_hub or any(
            h.code != s.code and dist(s, h) is not None for h in cands
        )
    ]  # fmt: skip
    if req.hubs is not None:
        subsets = list(itertools.combinations(cands, req.hubs))
    else:
        subsets = [c for k in range(len(cands) + 1) for c in itertools.combinations(cands, k)]
    best = (1, math.inf)  # (-served, cost)
    for chosen in subsets:
        codes = {h.code for h in chosen}
        if not fixed <= codes:
            continue
        options = []
        for s in reach:
            if s.code in codes:
                options.append([(s.code, 0.0)])
                continue
            opts: list[tuple[str | None, float]] = [(None, 0.0)]
            for h in chosen:
                d = dist(s, h) if h.code != s.code else None
                if d is not None:
                    opts.append((h.code, s.pupils * d))
            options.append(opts)
        open_cost = req.hub_open_cost * len(chosen) if req.hubs is None else 0.0
        for combo in itertools.product(*options):
            load: dict[str, int] = {}
            for s, (h, _) in zip(reach, combo, strict=True):
                if h is not None and h != s.code:
                    load[h] = load.get(h, 0) + 1
            if req.max_magnets is not None and any(v > req.max_magnets for v in load.values()):
                continue
            served = sum(h is not None for h, _ in combo)
            key = (-served, sum(c for _, c in combo) + open_cost)
            best = min(best, key)
    return -best[0], best[1]


def random_instance(seed: int) -> NetworkRequest:
    rng = random.Random(seed)
    n = rng.randint(6, 8)
    sites = []
    for i in range(n):
        role = rng.random()
        sites.append(
            site(
                f"S{i}",
                rng.uniform(0, 80),
                rng.uniform(0, 80),
                pupils=rng.randint(1, 60),
                hub=role < 0.5,
                serve=role > 0.35,
                district=rng.choice(("alga", "khromtau")),
            )
        )
    cands = [s for s in sites if s.can_be_hub]
    hubs: int | None = rng.randint(1, min(3, len(cands))) if cands else 0
    if rng.random() < 0.25:
        hubs = None
    return request(
        sites,
        hubs,
        max_km=rng.choice((None, 50.0, 70.0)),
        max_magnets=rng.choice((None, 1, 2, 3)),
        same_district=rng.random() < 0.3,
        hub_open_cost=rng.choice((0.0, 300.0, 2000.0)),
    )


@pytest.mark.parametrize("seed", range(40))
def test_optimal_design_matches_brute_force_on_small_instances(seed: int) -> None:
    req = random_instance(seed)
    res = design_network(req)
    served, cost = brute_force(req)
    assert res.status == "optimal"
    assert len(res.assignments) == served
    assert res.objective == pytest.approx(cost, rel=1e-6, abs=1e-6)
    assert_invariants(req, res)


@pytest.mark.parametrize("seed", range(8))
def test_optimal_design_matches_brute_force_with_a_travel_time_table(seed: int) -> None:
    base = random_instance(100 + seed)
    rng = random.Random(seed)
    cands = [s for s in base.sites if s.can_be_hub]
    table = {
        (s.code, h.code): float(rng.randint(5, 90))
        for s in base.sites
        if s.must_be_served
        for h in cands
        if h.code != s.code and rng.random() < 0.8
    }
    req = request(
        list(base.sites), base.hubs, max_magnets=base.max_magnets,
        travel_minutes=table, max_minutes=rng.choice((None, 60.0)),
    )  # fmt: skip
    res = design_network(req)
    served, cost = brute_force(req)
    assert len(res.assignments) == served
    assert res.objective == pytest.approx(cost, rel=1e-6, abs=1e-6)
    assert_invariants(req, res)


@pytest.mark.parametrize("seed", range(5))
def test_the_warm_start_changes_the_speed_never_the_answer(seed: int) -> None:
    req = random_instance(200 + seed)
    cold = NetworkRequest(**{**req.__dict__, "warm_start": False})
    assert design_network(cold).objective == pytest.approx(design_network(req).objective)
    assert design_network(cold).warm_start_objective is None


@pytest.mark.parametrize("seed", range(10))
def test_the_large_model_path_lp_then_rens_then_mip_finds_the_same_optimum(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network, "_DIVE_MIN_PAIRS", 0)
    req = random_instance(300 + seed)
    res = design_network(req)
    served, cost = brute_force(req)
    assert res.status == "optimal"
    assert len(res.assignments) == served
    assert res.objective == pytest.approx(cost, rel=1e-6, abs=1e-6)
    assert_invariants(req, res)


# --- A planted truth ----------------------------------------------------------------------


def test_three_separated_clusters_get_hubs_at_their_centres() -> None:
    centres = {"A": (0.0, 0.0), "B": (300.0, 0.0), "C": (150.0, 250.0)}
    sites = []
    for name, (cx, cy) in centres.items():
        sites.append(site(f"{name}-centre", cx, cy, pupils=500, hub=True))
        for k in range(8):
            angle = 2 * math.pi * k / 8
            sites.append(
                site(
                    f"{name}-{k}",
                    cx + 15 * math.cos(angle),
                    cy + 15 * math.sin(angle),
                    pupils=20 + k,
                    serve=True,
                )
            )
        # an eligible school on the edge of the cluster: a worse hub
        sites.append(site(f"{name}-edge", cx + 25, cy + 5, pupils=300, hub=True))
    res = design_network(request(sites, 3, max_km=100))
    assert set(res.hubs) == {"A-centre", "B-centre", "C-centre"}
    for a in res.assignments:
        assert a.hub == a.magnet.split("-")[0] + "-centre"
    assert res.status == "optimal" and res.gap < 1e-9


# --- Each constraint binds ------------------------------------------------------------------


def line_of_schools() -> list[Site]:
    """Two candidate hubs 100 km apart; one school near A, two near B."""
    return [
        site("A", 0, hub=True),
        site("B", 100, hub=True),
        site("s1", 10, serve=True),
        site("s2", 90, serve=True),
        site("s3", 95, serve=True),
    ]


def test_max_km_keeps_every_magnet_within_the_limit() -> None:
    free = design_network(request(line_of_schools(), 1))
    assert free.hubs == ("B",) and hub_of(free)["s1"] == "B"  # 90 km away
    req = request(line_of_schools(), 1, max_km=50)
    limited = design_network(req)
    assert "s1" not in hub_of(limited)
    assert_invariants(req, limited)


def test_max_magnets_sends_the_cheapest_to_move_schools_to_another_hub() -> None:
    sites = [site("A", 0, hub=True), site("B", 30, hub=True)] + [
        site(f"s{x}", x, serve=True) for x in (1, 2, 3, 4)
    ]
    free = design_network(request(sites, 2))
    assert set(hub_of(free).values()) == {"A"}
    req = request(sites, 2, max_magnets=2)
    capped = design_network(req)
    assert hub_of(capped) == {"s1": "A", "s2": "A", "s3": "B", "s4": "B"}
    assert capped.objective > free.objective
    assert_invariants(req, capped)


def test_a_school_that_is_not_eligible_is_never_a_hub() -> None:
    # The best place for a hub is the middle school M; only the ends may be hubs.
    sites = [
        site("West", 0, hub=True),
        site("M", 50, pupils=400),
        site("East", 100, hub=True),
        site("w", 45, serve=True),
        site("e", 55, serve=True),
    ]
    res = design_network(request(sites, 1))
    assert "M" not in res.hubs and len(res.hubs) == 1
    eligible = [s if s.code != "M" else site("M", 50, pupils=400, hub=True) for s in sites]
    assert design_network(request(eligible, 1)).hubs == ("M",)


def test_a_fixed_hub_stays_open_even_when_another_would_be_better() -> None:
    sites = line_of_schools()
    free = design_network(request(sites, 1))
    assert free.hubs == ("B",)
    fixed = [site("A", 0, hub=True, fixed=True), *sites[1:]]
    req = request(fixed, 1)
    res = design_network(req)
    assert res.hubs == ("A",)
    assert res.objective > free.objective
    assert_invariants(req, res)


def test_same_district_keeps_a_magnet_with_a_hub_of_its_own_district() -> None:
    sites = [
        site("A", 0, hub=True, district="alga"),
        site("K", 20, hub=True, district="khromtau"),
        site("s", 18, serve=True, district="alga"),
    ]
    assert hub_of(design_network(request(sites, 2)))["s"] == "K"
    req = request(sites, 2, same_district=True)
    res = design_network(req)
    assert hub_of(res)["s"] == "A"
    assert_invariants(req, res)


def test_the_number_of_hubs_is_exactly_the_number_asked() -> None:
    sites = [site(f"H{i}", 40 * i, hub=True) for i in range(4)] + [
        site(f"s{i}", 40 * i + 5, serve=True) for i in range(4)
    ]
    objectives = []
    for k in (1, 2, 3, 4):
        res = design_network(request(sites, k))
        assert len(res.hubs) == k
        objectives.append(res.objective)
    assert objectives == sorted(objectives, reverse=True)  # more hubs never add travel
    assert objectives[0] > objectives[-1]


def test_without_a_hub_count_a_higher_opening_cost_opens_fewer_hubs() -> None:
    sites = [site(f"H{i}", 60 * i, hub=True) for i in range(3)] + [
        site(f"s{i}", 60 * i + 10, serve=True) for i in range(3)
    ]
    cheap = design_network(request(sites, None, hub_open_cost=10))
    dear = design_network(request(sites, None, hub_open_cost=5000))
    assert len(cheap.hubs) == 3
    assert len(dear.hubs) == 1
    assert dear.travel > cheap.travel
    assert dear.objective == pytest.approx(dear.travel + 5000)


def test_a_travel_time_table_replaces_kilometres() -> None:
    # B is nearer on the map, but across a river: A is quicker.
    sites = [site("A", 0, hub=True), site("B", 60, hub=True), site("s", 40, serve=True)]
    assert hub_of(design_network(request(sites, 1)))["s"] == "B"
    table = {("s", "A"): 35.0, ("s", "B"): 90.0}
    req = request(sites, 1, travel_minutes=table)
    res = design_network(req)
    assert hub_of(res)["s"] == "A"
    assert res.assignments[0].minutes == 35.0
    assert res.assignments[0].km == pytest.approx(40, abs=0.1)
    assert res.objective == pytest.approx(10 * 35.0)


def test_max_minutes_prunes_pairs_over_the_time_limit() -> None:
    sites = [site("A", 0, hub=True), site("B", 60, hub=True), site("s", 40, serve=True)]
    table = {("s", "A"): 35.0, ("s", "B"): 90.0}
    req = request(sites, 1, travel_minutes=table, max_minutes=30)
    res = design_network(req)
    assert res.assignments == ()
    assert res.unserved[0].reason.startswith("no eligible hub within 30 minutes")


def test_a_hub_that_needs_serving_serves_itself_without_taking_a_place() -> None:
    sites = [
        site("H", 0, hub=True, serve=True),
        site("s1", 5, serve=True),
        site("s2", 6, serve=True),
    ]
    req = request(sites, 1, max_magnets=2)
    res = design_network(req)
    assert hub_of(res) == {"H": "H", "s1": "H", "s2": "H"}
    assert res.assignments[0].km == 0
    assert_invariants(req, res)


# --- Requests that cannot be met in full ----------------------------------------------------


def test_a_school_beyond_the_limit_is_listed_with_the_nearest_eligible_hub() -> None:
    sites = [site("AKT-0012", 0, hub=True), site("s", 84, serve=True), site("t", 20, serve=True)]
    req = request(sites, 1, max_km=60)
    res = design_network(req)
    assert [u.school for u in res.unserved] == ["s"]
    u = res.unserved[0]
    assert u.reason == "no eligible hub within 60 km; nearest eligible: AKT-0012 at 84 km"
    assert u.kind == "out_of_range" and u.nearest_hub == "AKT-0012"
    assert hub_of(res) == {"t": "AKT-0012"}  # the rest is solved
    assert res.status == "optimal"
    assert any("no eligible hub within reach" in m for m in res.messages)


def test_the_district_rule_is_named_in_the_reason() -> None:
    sites = [site("K", 10, hub=True, district="khromtau"), site("s", 0, serve=True)]
    res = design_network(request(sites, 1, same_district=True))
    assert res.unserved[0].reason == (
        "no eligible hub in its district; nearest eligible: K at 10 km in district khromtau"
    )


def test_too_little_capacity_says_how_many_magnets_cannot_fit() -> None:
    sites = [site("A", 0, hub=True), site("B", 50, hub=True)] + [
        site(f"s{i}", 2 * i, serve=True) for i in range(7)
    ]
    req = request(sites, 2, max_magnets=3, max_km=60)
    res = design_network(req)
    assert len(res.assignments) == 6 and res.shortfall == 1
    assert res.status == "optimal"
    assert any(
        m.startswith("1 of the 7 schools that can reach a hub cannot fit")
        and "2 hubs x 3 magnets = 6 places" in m
        for m in res.messages
    )
    (u,) = res.unserved
    assert u.kind == "no_room" and u.reason.startswith("no place left")
    # A takes s0-s2, B the three nearest it (s4-s6); s3 would cost most to place.
    assert u.school == "s3"
    assert u.reason == (
        "no place left: the 2 chosen hubs within reach are full (3 magnets each); "
        "nearest chosen hub: A at 6 km"
    )
    assert_invariants(req, res)


def test_too_few_hubs_leave_far_schools_without_a_place() -> None:
    sites = line_of_schools()
    res = design_network(request(sites, 1, max_km=30))
    assert res.hubs == ("B",)
    (u,) = res.unserved
    assert u.school == "s1"
    assert u.reason == (
        "no place left: none of the chosen hubs is within reach; the nearest eligible hub "
        "within reach, A at 10 km, was not chosen (the number of hubs is 1)"
    )


def test_more_hubs_than_eligible_schools_is_answered_not_crashed() -> None:
    res = design_network(request(line_of_schools(), 3))
    assert res.status == "infeasible"
    assert res.messages[-1] == "3 hubs were asked for but only 2 schools are eligible to be a hub."
    json.dumps(dataclasses.asdict(res), allow_nan=False)  # stores as strict JSON


def test_every_figure_of_a_result_is_finite() -> None:
    res = design_network(request(line_of_schools(), 1, max_km=30))
    json.dumps(dataclasses.asdict(res), allow_nan=False)


def test_more_fixed_hubs_than_hubs_is_answered_not_crashed() -> None:
    sites = [site("A", 0, hub=True, fixed=True), site("B", 9, hub=True, fixed=True)]
    res = design_network(request(sites, 1))
    assert res.status == "infeasible"
    assert "2 hubs are fixed" in res.messages[-1]


def test_no_eligible_school_at_all_is_answered() -> None:
    res = design_network(request([site("s", 0, serve=True)], None))
    assert res.unserved[0].reason == "no school is eligible to be a hub"
    assert res.unserved[0].kind == "no_hub"


def test_duplicate_codes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="duplicate school codes: A"):
        design_network(request([site("A", 0, hub=True), site("A", 5, serve=True)], 1))


def test_max_minutes_without_a_table_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="travel-time table"):
        design_network(request(line_of_schools(), 1, max_minutes=30))


# --- The demo region --------------------------------------------------------------------------


def demo_sites(max_km_existing: bool = False) -> tuple[Site, ...]:
    spec = generate_region(seed=2024)
    return tuple(
        Site(
            s.code,
            s.district_code,
            s.latitude,
            s.longitude,
            s.pupils,
            s.locality == "rural" and not s.is_small and s.internet_adequate and s.computer_lab,
            s.is_small,
        )
        for s in spec.schools
    )


@pytest.fixture(scope="module")
def aktobe_sites() -> tuple[Site, ...]:
    return demo_sites()


def test_the_demo_region_gets_a_feasible_optimal_network(aktobe_sites: tuple[Site, ...]) -> None:
    req = NetworkRequest(aktobe_sites, hubs=12, max_km=150, max_magnets=17, time_limit_s=60)
    res = design_network(req)
    assert res.status == "optimal" and res.gap <= 1e-6
    assert len(res.assignments) == sum(s.must_be_served for s in aktobe_sites)
    assert_invariants(req, res)
    assert res.warm_start_objective is not None
    assert res.warm_start_objective >= res.objective - 1e-6


def test_the_heuristic_never_beats_the_proven_optimum(aktobe_sites: tuple[Site, ...]) -> None:
    req = NetworkRequest(aktobe_sites, hubs=12, max_km=150, max_magnets=15, time_limit_s=60)
    best = design_network(req)
    quick = heuristic_network(req, time_limit_s=5)
    assert best.status == "optimal"
    assert best.shortfall == quick.shortfall == 20  # 12 x 15 = 180 places, 200 schools
    assert quick.objective >= best.objective - 1e-6
    assert quick.status == "heuristic" and quick.bound == 0


def test_the_exported_mip_has_one_column_per_hub_pair_and_slack(
    aktobe_sites: tuple[Site, ...],
) -> None:
    req = NetworkRequest(aktobe_sites, hubs=12, max_km=150, max_magnets=15, time_limit_s=30)
    mip = build_network_mip(req)
    assert mip.num_col == mip.n_hubs + mip.n_pairs + mip.n_slack
    assert mip.n_slack == 200  # every school may be left without a place (20 will be)
    assert int(mip.integrality.sum()) == mip.n_hubs
