"""The equipment-plan engine (``auyl.engines.planning.equipment``): plain data, no Django.

The plan spends yearly budgets on the schools' gap packages so that the benefit to pupils
is largest. These tests check that it is optimal (against brute force on small cases), that
it serves a planted neediest school first, that more money never makes it worse, that each
rule binds, that an impossible pin is explained and that bad input is refused by name.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import highspy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auyl.engines.planning.equipment import (
    REASON_TEMPLATES,
    BenefitWeights,
    Package,
    PlanRequest,
    PlanResult,
    SchoolNeed,
    explain_weights,
    solve_plan,
)

EXACT: dict[str, Any] = {"mip_rel_gap": 0.0, "time_limit_s": 30.0}
PUPILS_ONLY = BenefitWeights(pupils=1.0, gap_closed=0.0, equity=0.0, category={}, year_discount=1.0)


def pkg(
    key: str,
    quantity: int = 1,
    unit_cost: int = 100,
    category: str = "devices",
    divisible: bool = True,
    requires: tuple[str, ...] = (),
    school: str | None = None,
) -> Package:
    school = school or key.split("/")[0]
    return Package(
        key, school, key.split("/")[-1], category, quantity, unit_cost, divisible, requires
    )


def school(
    code: str, *packages: Package, pupils: int = 40, readiness: float = 50.0, district: str = "d1"
) -> SchoolNeed:
    return SchoolNeed(code, district, pupils, readiness, packages)


def request(*needs: SchoolNeed, budgets: tuple[int, ...] = (1000,), **kw: Any) -> PlanRequest:
    """A request solved exactly (gap 0) unless ``kw`` says otherwise."""
    return PlanRequest(needs=needs, budgets=budgets, **{**EXACT, **kw})


def units_by_key(result: PlanResult) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in result.purchases:
        out[p.key] = out.get(p.key, 0) + p.units
    return out


# --- An independent reading of the model (docs/engines/equipment-plan.md) ----------------

NEEDS_CONNECTIVITY = {"devices", "panels", "labs"}


def requirements(req: PlanRequest) -> dict[str, set[str]]:
    out = {}
    for need in req.needs:
        conn = {p.key for p in need.packages if p.category == "connectivity"}
        for p in need.packages:
            extra = set()
            if req.weights.connectivity_first and p.category in NEEDS_CONNECTIVITY:
                extra = conn - {p.key}
            out[p.key] = set(p.requires) | extra
    return out


def value_curve(req: PlanRequest) -> dict[str, list[float]]:
    """For each package, the value of owning 0, 1, ..., quantity units (bought in year 0)."""
    w = req.weights
    out = {}
    for need in req.needs:
        gap = sum(p.quantity * p.unit_cost for p in need.packages)
        for p in need.packages:
            share = p.quantity * p.unit_cost / gap if gap else 1 / len(need.packages)
            value = (
                need.pupils**w.pupils
                * share**w.gap_closed
                * (1 + w.equity * (100 - need.readiness) / 100)
                * w.category.get(p.category, 1.0)
            )
            if p.divisible and w.diminishing > 0 and p.quantity >= 3:
                sizes = [p.quantity // 3 + (1 if k < p.quantity % 3 else 0) for k in range(3)]
                factors = [1 - w.diminishing * k / 2 for k in range(3)]
            else:
                sizes, factors = [p.quantity], [1.0]
            scale = value / sum(q * f for q, f in zip(sizes, factors, strict=True))
            per_unit = [f * scale for q, f in zip(sizes, factors, strict=True) for _ in range(q)]
            out[p.key] = [sum(per_unit[:u]) for u in range(p.quantity + 1)]
    return out


def plan_value(req: PlanRequest, owned: dict[str, list[int]]) -> float:
    curves = value_curve(req)
    d = req.weights.year_discount
    total = 0.0
    for key, units in owned.items():
        prev = 0
        for t, u in enumerate(units):
            total += d**t * (curves[key][u] - curves[key][prev])
            prev = u
    return total


def owned_from(req: PlanRequest, result: PlanResult) -> dict[str, list[int]]:
    years = len(req.budgets)
    owned = {p.key: [0] * years for n in req.needs for p in n.packages}
    for purchase in result.purchases:
        for t in range(purchase.year, years):
            owned[purchase.key][t] += purchase.units
    return owned


def feasible(req: PlanRequest, owned: dict[str, list[int]]) -> bool:
    """Every rule of the plan, checked on units owned at the end of each year."""
    packages = {p.key: p for n in req.needs for p in n.packages}
    reqs = requirements(req)
    spent = 0
    for t, budget in enumerate(req.budgets):
        year = sum(
            packages[k].unit_cost * (u[t] - (u[t - 1] if t else 0)) for k, u in owned.items()
        )
        spent += year
        limit = sum(req.budgets[: t + 1]) if req.carry_over else budget
        if (spent if req.carry_over else year) > limit:
            return False
    for key, units in owned.items():
        p = packages[key]
        if any(b < a for a, b in itertools.pairwise(units)) or units[-1] > p.quantity:
            return False
        if not p.divisible and any(u not in (0, p.quantity) for u in units):
            return False
        if p.school in req.excluded_schools and units[-1]:
            return False
        if key in req.pinned and units[-1] != p.quantity:
            return False
        for t, u in enumerate(units):
            if u and any(owned[q][t] < packages[q].quantity for q in reqs[key]):
                return False
    return True


def brute_force(req: PlanRequest) -> float | None:
    """The best plan value over every possible plan, or None if no plan is feasible."""
    years = len(req.budgets)
    keys, options = [], []
    for need in req.needs:
        for p in need.packages:
            levels = range(p.quantity + 1) if p.divisible else (0, p.quantity)
            seqs = [s for s in itertools.product(levels, repeat=years) if list(s) == sorted(s)]
            keys.append(p.key)
            options.append(seqs)
    best = None
    for combo in itertools.product(*options):
        owned = {k: list(s) for k, s in zip(keys, combo, strict=True)}
        if feasible(req, owned):
            v = plan_value(req, owned)
            best = v if best is None else max(best, v)
    return best


def assert_valid(req: PlanRequest, result: PlanResult) -> None:
    """The invariants of a PlanResult, and its figures adding up."""
    owned = owned_from(req, result)
    assert feasible(req, owned), result
    assert len({(p.key, p.year) for p in result.purchases}) == len(result.purchases)
    assert result.total_cost == sum(p.cost for p in result.purchases)
    assert result.spend_by_year == tuple(
        sum(p.cost for p in result.purchases if p.year == t) for t in range(len(req.budgets))
    )
    assert result.objective == pytest.approx(plan_value(req, owned), rel=1e-9, abs=1e-9)
    assert result.bound >= result.objective
    for p in result.purchases:
        assert p.reason == REASON_TEMPLATES[p.reason_code].format(**p.reason_args)


# --- Random small instances ----------------------------------------------------------------

CATEGORIES = ("connectivity", "devices", "panels", "labs", "offline")


@st.composite
def small_requests(draw: st.DrawFn) -> PlanRequest:
    years = draw(st.sampled_from((2, 1)))  # two years first: they are the harder case
    n_schools = draw(st.integers(1, 2))
    codes = [f"S{i}" for i in range(n_schools)]
    packages: dict[str, list[Package]] = {c: [] for c in codes}
    for i in range(draw(st.integers(3, 4))):
        code = draw(st.sampled_from(codes))
        category = draw(st.sampled_from(CATEGORIES))
        earlier = [p.key for p in packages[code]]
        requires = (
            ()
            if category == "connectivity"
            else tuple(k for k in earlier if draw(st.integers(0, 3)) == 0)
        )
        packages[code].append(
            Package(
                key=f"{code}/p{i}",
                school=code,
                item=f"item{i}",
                category=category,
                quantity=draw(st.integers(1, 3 if years == 1 else 2)),
                unit_cost=draw(st.integers(0, 60)),
                divisible=draw(st.booleans()),
                requires=requires,
            )
        )
    needs = tuple(
        SchoolNeed(
            c,
            draw(st.sampled_from(("d1", "d2"))),
            draw(st.integers(0, 80)),
            float(draw(st.integers(0, 100))),
            tuple(packages[c]),
        )
        for c in codes
    )
    weights = BenefitWeights(
        pupils=draw(st.sampled_from((0.0, 0.5, 1.0, 2.0))),
        gap_closed=draw(st.sampled_from((0.0, 1.0, 2.0))),
        equity=draw(st.sampled_from((0.0, 1.0, 3.0))),
        connectivity_first=draw(st.booleans()),
        year_discount=draw(st.sampled_from((1.0, 0.9, 0.5))),
        diminishing=draw(st.sampled_from((0.0, 0.5))),
    )
    excluded = frozenset(c for c in codes if draw(st.integers(0, 4)) == 0)
    allowed = [p.key for c in codes if c not in excluded for p in packages[c]]
    pinned = frozenset(k for k in allowed if draw(st.integers(0, 4)) == 0)
    budgets = [draw(st.integers(0, 200)) for _ in range(years)]
    cheapest = (
        min(
            (p.unit_cost if p.divisible else p.unit_cost * p.quantity)
            for c in codes
            if c not in excluded
            for p in packages[c]
        )
        if allowed
        else 0
    )
    budgets[0] = max(budgets[0], cheapest)
    return PlanRequest(
        needs=needs,
        budgets=tuple(budgets),
        weights=weights,
        pinned=pinned,
        excluded_schools=excluded,
        carry_over=draw(st.booleans()),
        **EXACT,
    )


FAST = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@FAST
@given(small_requests())
def test_plan_is_optimal_against_brute_force(req: PlanRequest) -> None:
    best = brute_force(req)
    result = solve_plan(req)
    if best is None:
        assert result.status == "infeasible"
        assert result.messages
        return
    assert result.status == "optimal"
    assert_valid(req, result)
    assert result.objective == pytest.approx(best, rel=1e-7, abs=1e-7)
    assert result.gap == pytest.approx(0.0, abs=1e-6)


@FAST
@given(small_requests(), st.integers(1, 300))
def test_more_budget_never_lowers_the_objective(req: PlanRequest, extra: int) -> None:
    richer = dataclasses.replace(req, budgets=tuple(b + extra for b in req.budgets))
    before, after = solve_plan(req), solve_plan(richer)
    if before.status == "infeasible":
        return
    assert after.status == "optimal"
    assert after.objective >= before.objective - 1e-7


def reached(req: PlanRequest, result: PlanResult) -> float:
    pupils = {n.school: n.pupils for n in req.needs}
    return sum(pupils[p.school] * p.units / p.quantity for p in result.purchases)


@FAST
@given(small_requests(), st.integers(1, 300))
def test_more_budget_never_reaches_fewer_pupils(req: PlanRequest, extra: int) -> None:
    # Counting pupils only (each unit reaches its share of the school's pupils), the plan
    # maximises pupils reached, so more money can never reach fewer. (With equity or
    # gap-closed weights more money may rightly move to needier, smaller schools.)
    req = dataclasses.replace(req, weights=PUPILS_ONLY, budgets=req.budgets[:1], pinned=frozenset())
    richer = dataclasses.replace(req, budgets=(req.budgets[0] + extra,))
    before, after = solve_plan(req), solve_plan(richer)
    assert reached(req, after) >= reached(req, before) - 1e-9
    assert reached(req, before) == pytest.approx(before.objective)


# --- Planted cases ---------------------------------------------------------------------------


def test_the_clearly_neediest_school_is_served_first() -> None:
    needs = [
        school(f"S{i}", pkg(f"S{i}/laptop", quantity=10, unit_cost=100), readiness=r)
        for i, r in enumerate((80.0, 85.0, 12.0, 78.0, 90.0))
    ]
    result = solve_plan(request(*needs, budgets=(1000,)))
    assert [(p.school, p.units) for p in result.purchases] == [("S2", 10)]
    assert result.purchases[0].reason_args["district_rank"] == 1
    assert "lowest readiness in district" in result.purchases[0].reason


def test_the_plan_prefers_schools_where_equipping_a_pupil_costs_least() -> None:
    # Same readiness; the 120-pupil school's gap costs 1,000 like the 30-pupil school's.
    big = school("BIG", pkg("BIG/laptop", quantity=10, unit_cost=100), pupils=120)
    small = school("SMALL", pkg("SMALL/laptop", quantity=10, unit_cost=100), pupils=30)
    result = solve_plan(request(small, big, budgets=(1000,)))
    assert units_by_key(result) == {"BIG/laptop": 10}


def _bench_module() -> ModuleType:
    bench = Path(__file__).resolve().parents[2] / "bench" / "equipment_plan.py"
    spec = importlib.util.spec_from_file_location("bench_equipment_plan", bench)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def aktobe_scenarios() -> dict[str, PlanRequest]:
    """The benchmark's plans for the Aktobe demo region (bench/equipment_plan.py)."""
    return dict(_bench_module().scenario_requests("aktobe", 2024))


def test_the_demo_region_gets_a_valid_plan_within_the_gap(
    aktobe_scenarios: dict[str, PlanRequest],
) -> None:
    greedy_plan = _bench_module().greedy_plan
    for name in ("aktobe 1 year", "aktobe 3 years", "aktobe small 3y"):
        req = aktobe_scenarios[name]
        result = solve_plan(req)
        assert result.status == "optimal"
        assert result.gap <= req.mip_rel_gap
        assert_valid(req, result)
        # the greedy baseline is a feasible plan: the optimum cannot be worse
        assert result.objective >= greedy_plan(req)[0] - 1e-6
        assert 0 < result.total_cost <= sum(req.budgets)


def test_a_plan_cut_short_by_the_time_limit_says_so(
    aktobe_scenarios: dict[str, PlanRequest],
) -> None:
    # Proving the small schools' 3-year plan optimal takes seconds; allow 0.05 s.
    req = dataclasses.replace(aktobe_scenarios["aktobe small 3y exact"], time_limit_s=0.05)
    result = solve_plan(req)
    assert result.status == "time_limit"
    assert result.gap > 0
    assert_valid(req, result)
    assert result.messages[-1].startswith("The time limit (0.05 s) was reached: this plan is")


# --- Each rule binds ----------------------------------------------------------------------


def test_budget_limits_what_is_bought() -> None:
    a = school("A", pkg("A/laptop", quantity=5, unit_cost=100), pupils=60)
    b = school("B", pkg("B/laptop", quantity=5, unit_cost=100), pupils=40)
    tight = solve_plan(request(a, b, budgets=(700,)))
    assert units_by_key(tight) == {"A/laptop": 5, "B/laptop": 2}
    assert tight.total_cost == 700
    roomy = solve_plan(request(a, b, budgets=(5000,)))
    assert units_by_key(roomy) == {"A/laptop": 5, "B/laptop": 5}


def test_a_package_waits_for_the_package_it_requires() -> None:
    # The panels are worth a lot but need wiring (worth nothing by itself) first; wiring
    # and a panel together do not fit, so the money goes to the other school's laptops.
    a = school(
        "A",
        pkg("A/wiring", unit_cost=700, category="labs", divisible=False),
        pkg("A/panel", quantity=2, unit_cost=200, requires=("A/wiring",)),
        pupils=80,
    )
    b = school("B", pkg("B/laptop", quantity=4, unit_cost=200), pupils=10)
    weights = BenefitWeights(category={"labs": 0.0})
    result = solve_plan(request(a, b, budgets=(800,), weights=weights))
    assert units_by_key(result) == {"B/laptop": 4}
    free = school("A", a.packages[0], dataclasses.replace(a.packages[1], requires=()), pupils=80)
    assert units_by_key(solve_plan(request(free, b, budgets=(800,), weights=weights))) == {
        "A/panel": 2,
        "B/laptop": 2,
    }


def test_a_required_package_comes_in_the_same_or_an_earlier_year() -> None:
    a = school(
        "A",
        pkg("A/wiring", unit_cost=500, category="panels", divisible=False),
        pkg("A/panel", quantity=2, unit_cost=400, requires=("A/wiring",)),
    )
    req = request(a, budgets=(600, 800))
    result = solve_plan(req)
    assert_valid(req, result)
    years = {p.key: p.year for p in result.purchases}
    assert years == {"A/wiring": 0, "A/panel": 1}


def test_connectivity_comes_before_devices() -> None:
    a = school(
        "A",
        pkg("A/internet", unit_cost=500, category="connectivity", divisible=False),
        pkg("A/laptop", quantity=3, unit_cost=100),
        pupils=40,
        readiness=22.0,
    )
    first = solve_plan(request(a, budgets=(400,)))
    assert first.purchases == ()  # laptops without internet are not bought
    both = solve_plan(request(a, budgets=(800,)))
    assert units_by_key(both) == {"A/internet": 1, "A/laptop": 3}
    internet = next(p for p in both.purchases if p.key == "A/internet")
    assert internet.reason_code == "connectivity_first"
    assert internet.reason == (
        "Connectivity first: 40 pupils, readiness 22/100, the only school of its district "
        "in the plan; needed for laptop"
    )
    off = BenefitWeights(connectivity_first=False)
    assert units_by_key(solve_plan(request(a, budgets=(400,), weights=off))) == {"A/laptop": 3}


def test_an_offline_server_does_not_wait_for_internet() -> None:
    a = school(
        "A",
        pkg("A/internet", unit_cost=900, category="connectivity", divisible=False),
        pkg("A/server", unit_cost=300, category="offline", divisible=False),
    )
    assert units_by_key(solve_plan(request(a, budgets=(400,)))) == {"A/server": 1}


def test_connectivity_first_reason_names_the_lowest_school_in_its_district() -> None:
    needs = [
        school(
            code,
            pkg(f"{code}/internet", unit_cost=500, category="connectivity", divisible=False),
            pkg(f"{code}/laptop", quantity=2, unit_cost=100),
            readiness=r,
        )
        for code, r in (("A", 22.0), ("B", 60.0), ("C", 75.0))
    ]
    result = solve_plan(request(*needs, budgets=(700,)))
    internet = next(p for p in result.purchases if p.item == "internet")
    assert internet.school == "A"
    assert internet.reason.startswith(
        "Connectivity first: 40 pupils, readiness 22/100, lowest readiness in district"
    )
    assert internet.reason_args["district_schools"] == 3


def test_an_indivisible_lab_is_bought_whole_or_not_at_all() -> None:
    lab = pkg("A/lab", quantity=4, unit_cost=100, category="labs", divisible=False)
    other = school("B", pkg("B/laptop", unit_cost=100), pupils=1)
    result = solve_plan(request(school("A", lab), other, budgets=(300,)))
    assert units_by_key(result) == {"B/laptop": 1}
    part = dataclasses.replace(lab, divisible=True)
    assert units_by_key(solve_plan(request(school("A", part), budgets=(300,)))) == {"A/lab": 3}
    whole = solve_plan(request(school("A", lab), budgets=(400,)))
    assert [(p.units, p.cost) for p in whole.purchases] == [(4, 400)]


def test_a_pinned_package_is_bought_even_when_others_are_worth_more() -> None:
    good = school("A", pkg("A/laptop", quantity=5, unit_cost=100), pupils=100)
    poor = school("B", pkg("B/panel", quantity=1, unit_cost=300), pupils=5)
    free = solve_plan(request(good, poor, budgets=(500,)))
    assert "B/panel" not in units_by_key(free)
    pinned = solve_plan(request(good, poor, budgets=(500,), pinned=frozenset({"B/panel"})))
    assert units_by_key(pinned) == {"A/laptop": 2, "B/panel": 1}
    panel = next(p for p in pinned.purchases if p.key == "B/panel")
    assert panel.reason_code == "pinned"
    assert panel.reason.startswith("Pinned by hand: panel, 1 of 1, for 5 pupils")


def test_pinning_a_package_also_buys_what_it_requires() -> None:
    a = school(
        "A",
        pkg("A/internet", unit_cost=300, category="connectivity", divisible=False),
        pkg("A/laptop", quantity=1, unit_cost=100),
        pupils=1,
    )
    b = school("B", pkg("B/laptop", quantity=4, unit_cost=100), pupils=100)
    result = solve_plan(request(a, b, budgets=(500,), pinned=frozenset({"A/laptop"})))
    assert units_by_key(result) == {"A/internet": 1, "A/laptop": 1, "B/laptop": 1}
    assert next(p for p in result.purchases if p.key == "A/internet").reason_code == (
        "connectivity_first"
    )


def test_an_excluded_school_gets_nothing() -> None:
    a = school("A", pkg("A/laptop", quantity=5, unit_cost=100), pupils=100)
    b = school("B", pkg("B/laptop", quantity=5, unit_cost=100), pupils=10)
    result = solve_plan(request(a, b, budgets=(500,), excluded_schools=frozenset({"A"})))
    assert units_by_key(result) == {"B/laptop": 5}


def test_each_year_has_its_own_budget() -> None:
    a = school("A", pkg("A/laptop", quantity=10, unit_cost=100))
    req = request(a, budgets=(300, 500))
    result = solve_plan(req)
    assert [(p.year, p.units) for p in result.purchases] == [(0, 3), (1, 5)]
    assert result.spend_by_year == (300, 500)
    assert_valid(req, result)


def test_an_indivisible_package_must_fit_into_one_years_budget() -> None:
    lab = school("A", pkg("A/lab", quantity=1, unit_cost=700, category="labs", divisible=False))
    other = school("B", pkg("B/laptop", unit_cost=100), pupils=1)
    assert units_by_key(solve_plan(request(lab, other, budgets=(400, 400)))) == {"B/laptop": 1}
    carried = solve_plan(request(lab, budgets=(400, 400), carry_over=True))
    assert [(p.key, p.year) for p in carried.purchases] == [("A/lab", 1)]


def test_earlier_help_counts_more() -> None:
    # Enough money in either year for one school; the needier one is served in year 1.
    a = school("A", pkg("A/laptop", quantity=3, unit_cost=100), readiness=10.0)
    b = school("B", pkg("B/laptop", quantity=3, unit_cost=100), readiness=90.0)
    result = solve_plan(request(a, b, budgets=(300, 300)))
    assert [(p.school, p.year) for p in result.purchases] == [("A", 0), ("B", 1)]
    later = next(p for p in result.purchases if p.year == 1)
    assert later.benefit == pytest.approx(0.9 * solve_plan(request(b, budgets=(300,))).objective)


def test_diminishing_returns_spread_units_over_schools() -> None:
    a = school("A", pkg("A/laptop", quantity=6, unit_cost=100), pupils=40)
    b = school("B", pkg("B/laptop", quantity=6, unit_cost=100), pupils=36)
    linear = solve_plan(request(a, b, budgets=(600,)))
    assert units_by_key(linear) == {"A/laptop": 6}
    spread = solve_plan(request(a, b, budgets=(600,), weights=BenefitWeights(diminishing=0.6)))
    assert units_by_key(spread) == {"A/laptop": 4, "B/laptop": 2}


def test_nothing_is_bought_twice() -> None:
    a = school("A", pkg("A/laptop", quantity=4, unit_cost=100))
    result = solve_plan(request(a, budgets=(1000, 1000, 1000)))
    assert units_by_key(result) == {"A/laptop": 4}
    assert result.total_cost == 400


def test_nothing_bought_is_given_back_to_pay_for_something_else() -> None:
    # Handing year 1's panel back in year 2 would pay, with year 2's 40, for the lab worth
    # ten times as much; bought equipment stays bought, so the plan keeps the panel.
    a = school("A", pkg("A/panel", unit_cost=60), pupils=4)
    b = school("B", pkg("B/lab", unit_cost=100, category="labs", divisible=False), pupils=40)
    result = solve_plan(request(a, b, budgets=(60, 40)))
    assert [(p.key, p.year, p.units) for p in result.purchases] == [("A/panel", 0, 1)]


def test_a_school_without_pupils_gets_nothing_it_does_not_need() -> None:
    empty = school("A", pkg("A/laptop", quantity=2, unit_cost=100), pupils=0)
    result = solve_plan(request(empty, budgets=(1000,)))
    assert result.purchases == ()
    assert result.status == "optimal"


def test_another_solve_in_the_same_process_does_not_stop_the_plan() -> None:
    # HiGHS keeps one thread pool per process: another engine's solve with one thread
    # came first (as in a worker that also designs networks); the plan must still run.
    other = highspy.Highs()  # type: ignore[no-untyped-call]
    other.setOptionValue("output_flag", False)
    other.setOptionValue("threads", 1)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = 1, 0
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = [1.0], [0.0], [1.0]
    lp.integrality_ = [highspy.HighsVarType.kInteger]
    other.passModel(lp)
    other.run()
    a = school("A", pkg("A/laptop", quantity=2, unit_cost=100))
    result = solve_plan(request(a, budgets=(1000,)))
    assert (result.status, units_by_key(result)) == ("optimal", {"A/laptop": 2})


# --- Infeasible pins explained -----------------------------------------------------------


def test_pinned_packages_dearer_than_the_budget_are_explained() -> None:
    a = school("A", pkg("A/lab", unit_cost=800, category="labs", divisible=False))
    b = school("B", pkg("B/panel", quantity=2, unit_cost=300))
    result = solve_plan(request(a, b, budgets=(500, 500), pinned=frozenset({"A/lab", "B/panel"})))
    assert result.status == "infeasible"
    assert result.purchases == ()
    assert result.messages == (
        "The 2 pinned packages cost 1,400 KZT, more than the whole budget of 1,000 KZT over "
        "2 years. The dearest: A/lab (800 KZT), B/panel (600 KZT). Unpin some packages or "
        "raise the budget.",
    )


def test_a_pinned_whole_package_larger_than_any_years_budget_is_explained() -> None:
    a = school("A", pkg("A/lab", unit_cost=800, category="labs", divisible=False))
    b = school("B", pkg("B/laptop", unit_cost=100))
    result = solve_plan(request(a, b, budgets=(500, 500), pinned=frozenset({"A/lab"})))
    assert result.status == "infeasible"
    assert "must be bought whole in one year" in result.messages[0]
    assert "the largest is 500 KZT" in result.messages[0]


def test_pinned_packages_that_do_not_fit_the_yearly_budgets_are_explained() -> None:
    # 600 + 600 + 120 fit the total of 1,400 but not into years of 700 and 700: after a
    # lab in each year 100 are left, and the whole kit of 120 fits neither.
    needs = [
        school("A", pkg("A/lab", unit_cost=600, category="labs", divisible=False)),
        school("B", pkg("B/lab", unit_cost=600, category="labs", divisible=False)),
        school("C", pkg("C/kit", quantity=2, unit_cost=60, divisible=False)),
    ]
    pins = frozenset({"A/lab", "B/lab", "C/kit"})
    result = solve_plan(request(*needs, budgets=(700, 700), pinned=pins))
    assert result.status == "infeasible"
    assert result.messages == (
        "The 3 pinned packages cost 1,320 KZT and cannot be fitted into the yearly budgets "
        "(700 KZT, 700 KZT): an indivisible package must be bought within one year and a "
        "package cannot come before the packages it requires. Unpin some packages, raise a "
        "year's budget or allow unspent money to carry over.",
    )
    assert solve_plan(request(*needs, budgets=(700, 700), pinned=pins, carry_over=True)).status == (
        "optimal"
    )


def test_a_year_below_the_cheapest_item_is_reported() -> None:
    a = school("A", pkg("A/laptop", quantity=4, unit_cost=100))
    result = solve_plan(request(a, budgets=(50, 400)))
    assert result.messages == (
        "The budget of year 1 (50 KZT) is below the cheapest item (100 KZT): nothing can be "
        "bought that year.",
    )


# --- Bad input refused by name ------------------------------------------------------------


def _bad(**changes: Any) -> PlanRequest:
    base = school("A", pkg("A/laptop", quantity=4, unit_cost=100))
    return request(base, **changes)


@pytest.mark.parametrize(
    ("req", "message"),
    [
        (
            request(school("A", pkg("A/laptop", quantity=-3))),
            "Package 'A/laptop': quantity must be at least 1 (got -3).",
        ),
        (
            request(school("A", pkg("A/laptop", unit_cost=-5))),
            "Package 'A/laptop': unit_cost cannot be negative (got -5).",
        ),
        (
            request(school("A", pkg("A/laptop", unit_cost=10**11))),
            "Package 'A/laptop': unit_cost 100,000,000,000 KZT is absurd "
            "(at most 10,000,000,000 KZT).",
        ),
        (
            request(school("A", pkg("A/laptop", quantity=200_000))),
            "Package 'A/laptop': quantity 200,000 is absurd (at most 100,000).",
        ),
        (
            request(school("A", pkg("A/laptop"), pkg("A/laptop"))),
            "Package key 'A/laptop' is used twice.",
        ),
        (
            request(school("A", pkg("A/laptop", requires=("A/nothing",)))),
            "Package 'A/laptop': requires unknown package 'A/nothing'.",
        ),
        (
            request(
                school("A", pkg("A/laptop", requires=("B/internet",))),
                school("B", pkg("B/internet", category="connectivity")),
            ),
            "Package 'A/laptop': requires 'B/internet', which belongs to another school "
            "('B'); requirements stay within one school.",
        ),
        (
            request(school("A", pkg("A/x", requires=("A/y",)), pkg("A/y", requires=("A/x",)))),
            "Packages require each other in a circle: A/x -> A/y -> A/x.",
        ),
        (
            request(school("A", pkg("A/laptop", school="B"))),
            "Package 'A/laptop': school is 'B' but it is listed under 'A'.",
        ),
        (_bad(budgets=()), "The plan needs a budget for at least one year."),
        (_bad(budgets=(100, -1)), "The budget of year 2 cannot be negative (got -1 KZT)."),
        (
            _bad(budgets=(50, 60)),
            "The budget (60 KZT in the best year) is below the cheapest item (laptop at A: "
            "100 KZT); nothing could be bought.",
        ),
        (_bad(pinned=frozenset({"A/tablet"})), "Pinned package 'A/tablet' is not in the plan."),
        (
            _bad(pinned=frozenset({"A/laptop"}), excluded_schools=frozenset({"A"})),
            "Package 'A/laptop' is pinned but its school 'A' is excluded; unpin it or include "
            "the school.",
        ),
        (
            request(school("A", pkg("A/laptop")), school("A", pkg("A/panel"))),
            "School 'A' is listed twice.",
        ),
        (
            request(school("A", pkg("A/laptop"), readiness=130.0)),
            "School 'A': readiness must be between 0.0 and 100.0 (got 130.0).",
        ),
        (
            _bad(weights=BenefitWeights(equity=-1.0)),
            "Weights: equity must be between 0.0 and 100.0 (got -1.0).",
        ),
        (
            _bad(weights=BenefitWeights(category={"devices": -2.0})),
            "Weights: category 'devices' must be between 0.0 and 100.0 (got -2.0).",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(req: PlanRequest, message: str) -> None:
    with pytest.raises(ValueError) as error:
        solve_plan(req)
    assert str(error.value) == message


def test_an_empty_plan_is_not_an_error() -> None:
    result = solve_plan(request(school("A"), budgets=(1000,)))
    assert result.status == "optimal"
    assert result.messages == ("No school in the plan has a gap to close: nothing to buy.",)


def test_the_weights_are_explained_in_plain_words() -> None:
    lines = explain_weights(BenefitWeights(diminishing=0.5))
    assert lines[0].startswith("A whole package is worth: pupils to the power 1")
    assert "the last third counts 0.5 times as much" in " ".join(lines)
    assert lines[-1] == "A school gets internet before its devices, labs, panels."
    assert math.isclose(sum(1 for _ in lines), 5)
