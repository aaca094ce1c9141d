"""Equipment plan scenarios and runs: who may plan, what is refused, and a run end to end.

The people (tests/conftest.py): Dana (region admin) plans for the region or any district;
Aigerim (methodologist of Alga) plans for Alga only; Nurlan, Bolat and Saule plan nothing.
The schools' needs come from the registry through a stand-in for the readiness app
(:func:`auyl.equipment.testing.use_registry_needs`); the solver is the real engine.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from auyl.engines.planning.equipment import PlanResult
from auyl.equipment import selectors, services
from auyl.equipment.models import (
    MAX_YEAR_BUDGET,
    PinnedPackage,
    PlanPurchase,
    PlanRun,
    PlanScenario,
    PlanSchool,
)
from auyl.equipment.services import ScenarioData
from auyl.equipment.testing import greedy_solve, use_registry_needs
from auyl.jobs.models import Job
from tests.factories import ClassSetFactory, EnrolmentFactory, InfrastructureFactory

LAPTOP, INTERNET = 200_000, 900_000


@pytest.fixture
def world(region, people, monkeypatch):
    """Pupils and internet for the four schools; needs from the registry.

    Alga: Bestamak (hub, 100 pupils, good internet), Alga No. 2 (20 pupils, no internet).
    Khromtau: Kumsai (magnet, 40 pupils, slow internet), Khromtau No. 1 (60 pupils, good).
    """
    for school, pupils, mbps in (
        (region.hub, 100, 50),
        (region.alga_school, 20, 0),
        (region.magnet, 40, 2),
        (region.khromtau_school, 60, 30),
    ):
        EnrolmentFactory(school=school, grade=1, pupils=pupils)
        InfrastructureFactory(
            school=school, internet_type="fibre" if mbps else "none", internet_mbps=mbps
        )
    use_registry_needs(monkeypatch, cheapest=LAPTOP)
    return region


def data(**overrides):
    values = {"name": "Pilot", "district": None, "budgets": (10_000_000,)}
    values.update(overrides)
    return ScenarioData(**values)


def run_plan(scenario, user):
    """Start a run (tasks run inline in the tests) and return it, finished."""
    run = services.plan_run_start(scenario=scenario, by=user)
    run.refresh_from_db()
    return run


# --- scenarios: who may create them -------------------------------------------------------


def test_region_admin_creates_a_region_wide_scenario(world, people):
    scenario = services.scenario_create(data=data(), by=people.dana)
    assert scenario.district is None and scenario.budgets == [10_000_000]
    assert scenario.history.count() == 1
    assert scenario.history.first().history_user == people.dana


def test_methodologist_plans_for_her_district_only(world, people):
    services.scenario_create(data=data(district=world.alga), by=people.aigerim)
    with pytest.raises(PermissionDenied):
        services.scenario_create(data=data(district=world.khromtau), by=people.aigerim)
    with pytest.raises(PermissionDenied):
        services.scenario_create(data=data(district=None), by=people.aigerim)


@pytest.mark.parametrize("who", ["nurlan", "bolat", "saule", "yerlan"])
def test_coordinators_principals_and_teachers_plan_nothing(world, people, who):
    with pytest.raises(PermissionDenied):
        services.scenario_create(data=data(district=world.alga), by=getattr(people, who))


def test_methodologist_may_not_run_a_region_wide_scenario(world, people):
    scenario = services.scenario_create(data=data(), by=people.dana)
    with pytest.raises(PermissionDenied):
        services.plan_run_start(scenario=scenario, by=people.aigerim)
    assert not PlanRun.objects.exists()


def test_scenarios_are_visible_by_district(world, people):
    region_wide = services.scenario_create(data=data(name="R"), by=people.dana)
    alga = services.scenario_create(data=data(name="A", district=world.alga), by=people.dana)
    khromtau = services.scenario_create(
        data=data(name="K", district=world.khromtau), by=people.dana
    )
    assert set(selectors.visible_scenarios(people.dana)) == {region_wide, alga, khromtau}
    assert set(selectors.visible_scenarios(people.aigerim)) == {region_wide, alga}
    # Bolat's school Kumsai is in Khromtau; Nurlan sees Bestamak (Alga) and Kumsai.
    assert set(selectors.visible_scenarios(people.bolat)) == {region_wide, khromtau}
    assert set(selectors.visible_scenarios(people.nurlan)) == {region_wide, alga, khromtau}
    assert set(selectors.visible_scenarios(people.yerlan)) == set()


# --- scenarios: bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "budgets, message",
    [
        ((), "at least one year"),
        ((-5,), "negative"),
        ((MAX_YEAR_BUDGET + 1,), "number of digits"),
        ((150_000,), "cheapest item"),
        ((10_000_000, 100), "cheapest item"),
        ((1_000_000,) * 6, "at most 5 years"),
    ],
)
def test_bad_budgets_are_refused_and_nothing_is_saved(world, people, budgets, message):
    with pytest.raises(ValidationError) as refused:
        services.scenario_create(data=data(budgets=budgets), by=people.dana)
    assert message in " ".join(refused.value.messages)
    assert not PlanScenario.objects.exists()


def test_a_failed_update_leaves_the_scenario_as_it_was(world, people):
    scenario = services.scenario_create(data=data(), by=people.dana)
    with pytest.raises(ValidationError):
        services.scenario_update(scenario=scenario, data=data(budgets=(-1,)), by=people.dana)
    scenario.refresh_from_db()
    assert scenario.budgets == [10_000_000] and scenario.history.count() == 1


def test_all_category_weights_zero_is_refused(world, people):
    zero = dict.fromkeys(("connectivity", "devices", "panels", "labs", "offline"), 0)
    with pytest.raises(ValidationError):
        services.scenario_create(data=data(category_weights=zero), by=people.dana)
    assert not PlanScenario.objects.exists()


# --- pins and exclusions --------------------------------------------------------------------


def test_pinning_a_package_of_an_excluded_school_is_refused(world, people):
    scenario = services.scenario_create(data=data(), by=people.dana)
    services.school_exclude(scenario=scenario, school=world.magnet, by=people.dana)
    with pytest.raises(ValidationError) as refused:
        services.package_pin(
            scenario=scenario, school=world.magnet, key="KHR007/laptop", by=people.dana
        )
    assert "excluded" in refused.value.messages[0]
    assert not PinnedPackage.objects.exists()


def test_excluding_a_school_with_pinned_packages_is_refused(world, people):
    scenario = services.scenario_create(data=data(), by=people.dana)
    services.package_pin(
        scenario=scenario, school=world.magnet, key="KHR007/laptop", by=people.dana
    )
    with pytest.raises(ValidationError):
        services.school_exclude(scenario=scenario, school=world.magnet, by=people.dana)
    assert not scenario.excluded_schools.exists()


def test_pinning_a_package_the_school_does_not_need_is_refused(world, people):
    scenario = services.scenario_create(data=data(), by=people.dana)
    with pytest.raises(ValidationError):
        services.package_pin(
            scenario=scenario, school=world.hub, key="ALG001/lab_stem", by=people.dana
        )


def test_pins_dearer_than_the_whole_budget_are_refused(world, people):
    scenario = services.scenario_create(data=data(budgets=(1_000_000,)), by=people.dana)
    # Bestamak's 20 laptops cost 4 million
    with pytest.raises(ValidationError) as refused:
        services.package_pin(
            scenario=scenario, school=world.hub, key="ALG001/laptop", by=people.dana
        )
    assert "more than the whole budget" in refused.value.messages[0]
    assert not PinnedPackage.objects.exists()


def test_a_district_scenario_pins_only_its_own_schools(world, people):
    scenario = services.scenario_create(data=data(district=world.alga), by=people.aigerim)
    with pytest.raises(ValidationError):
        services.package_pin(
            scenario=scenario, school=world.magnet, key="KHR007/laptop", by=people.aigerim
        )


# --- a run end to end -----------------------------------------------------------------------


def test_a_run_stores_the_plan_with_its_figures(world, people):
    scenario = services.scenario_create(data=data(budgets=(5_000_000,)), by=people.dana)
    run = run_plan(scenario, people.dana)
    assert run.state == PlanRun.State.DONE and run.status == "optimal"
    assert run.job is not None and run.job.state == Job.State.DONE
    assert run.job.result["total_cost"] == run.total_cost
    assert 0 < run.total_cost <= 5_000_000
    assert run.gap <= 0.001 and run.seconds >= 0 and run.objective > 0
    assert run.schools_considered == 4
    purchases = PlanPurchase.objects.filter(run=run)
    assert sum(p.cost for p in purchases) == run.total_cost
    assert all(p.reason_code for p in purchases)
    scenario.refresh_from_db()
    assert scenario.latest_run == run
    served = PlanSchool.objects.filter(run=run, cost__gt=0)
    assert run.schools_served == served.count()
    assert run.pupils_reached == sum(s.pupils for s in served)
    for school in served:
        assert school.readiness_after > school.readiness_before


def test_an_excluded_school_gets_nothing_and_a_pinned_package_is_bought(world, people):
    scenario = services.scenario_create(data=data(budgets=(5_000_000,)), by=people.dana)
    services.school_exclude(scenario=scenario, school=world.hub, by=people.dana)
    services.package_pin(
        scenario=scenario, school=world.khromtau_school, key="KHR001/laptop", by=people.dana
    )
    run = run_plan(scenario, people.dana)
    assert run.excluded == ["ALG001"] and run.pinned == ["KHR001/laptop"]
    bought = {p.key: p for p in PlanPurchase.objects.filter(run=run)}
    assert not any(k.startswith("ALG001/") for k in bought)
    assert bought["KHR001/laptop"].units == 12 and bought["KHR001/laptop"].pinned
    assert PlanSchool.objects.get(run=run, school=world.hub).excluded


def test_more_budget_never_reaches_fewer_pupils(world, people):
    reached = []
    for budget in (1_000_000, 3_000_000, 6_000_000, 20_000_000):
        scenario = services.scenario_create(data=data(budgets=(budget,)), by=people.dana)
        reached.append(run_plan(scenario, people.dana).pupils_reached)
    assert reached == sorted(reached) and reached[-1] == 220


def test_a_methodologist_run_covers_her_district_only(world, people):
    scenario = services.scenario_create(
        data=data(district=world.alga, budgets=(50_000_000,)), by=people.aigerim
    )
    run = run_plan(scenario, people.aigerim)
    schools = set(PlanSchool.objects.filter(run=run).values_list("school__code", flat=True))
    assert schools == {"ALG001", "ALG002"}


def test_a_scenario_for_small_schools_plans_for_schools_with_combined_class_sets(world, people):
    ClassSetFactory(school=world.magnet, name="1+3", grades=[1, 3])
    ClassSetFactory(school=world.hub, name="1", grades=[1])
    scenario = services.scenario_create(
        data=data(schools=PlanScenario.Schools.SMALL, budgets=(50_000_000,)), by=people.dana
    )
    run = run_plan(scenario, people.dana)
    schools = set(PlanSchool.objects.filter(run=run).values_list("school__code", flat=True))
    assert schools == {"KHR007"}


def test_a_scenario_for_rural_schools_leaves_town_schools_out(world, people):
    world.hub.locality = "urban"
    world.hub.save()
    scenario = services.scenario_create(
        data=data(schools=PlanScenario.Schools.RURAL, budgets=(50_000_000,)), by=people.dana
    )
    run = run_plan(scenario, people.dana)
    schools = set(PlanSchool.objects.filter(run=run).values_list("school__code", flat=True))
    assert schools == {"ALG002", "KHR007", "KHR001"}


def test_a_multi_year_plan_keeps_each_years_budget(world, people):
    scenario = services.scenario_create(
        data=data(budgets=(2_000_000, 2_000_000, 2_000_000)), by=people.dana
    )
    run = run_plan(scenario, people.dana)
    assert len(run.spend_by_year) == 3
    assert all(s <= 2_000_000 for s in run.spend_by_year)
    years = set(PlanPurchase.objects.filter(run=run).values_list("year", flat=True))
    assert years <= {0, 1, 2} and len(years) > 1


def test_pinned_packages_that_cannot_fit_a_year_make_an_infeasible_run(world, people):
    scenario = services.scenario_create(data=data(budgets=(500_000, 500_000)), by=people.dana)
    # Alga No. 2's internet connection (900,000, bought whole) fits the total, no one year.
    services.package_pin(
        scenario=scenario, school=world.alga_school, key="ALG002/internet", by=people.dana
    )
    run = run_plan(scenario, people.dana)
    assert run.state == PlanRun.State.DONE and run.status == "infeasible"
    assert run.messages and not run.has_plan
    assert not PlanPurchase.objects.filter(run=run).exists()


def test_a_failing_solver_fails_the_run_and_the_job_visibly(world, people, monkeypatch):
    def broken(request):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(services, "solve", broken)
    scenario = services.scenario_create(data=data(), by=people.dana)
    run = run_plan(scenario, people.dana)
    assert run.state == PlanRun.State.FAILED and "solver exploded" in run.error
    assert run.job.state == Job.State.FAILED
    assert not PlanSchool.objects.filter(run=run).exists()
    scenario.refresh_from_db()
    assert scenario.latest_run is None


def test_a_second_run_is_refused_while_one_is_under_way(world, people):
    scenario = services.scenario_create(data=data(), by=people.dana)
    PlanRun.objects.create(scenario=scenario, state=PlanRun.State.RUNNING)
    with pytest.raises(ValidationError):
        services.plan_run_start(scenario=scenario, by=people.dana)
    assert scenario.runs.count() == 1


def test_the_app_accepts_any_solver_with_the_engines_interface(world, people, monkeypatch):
    monkeypatch.setattr(services, "solve", greedy_solve)
    scenario = services.scenario_create(data=data(budgets=(5_000_000,)), by=people.dana)
    run = run_plan(scenario, people.dana)
    assert run.has_plan and 0 < run.total_cost <= 5_000_000


def test_a_pin_that_no_longer_matches_the_needs_is_reported_and_left_out(
    world, people, monkeypatch
):
    scenario = services.scenario_create(data=data(), by=people.dana)
    PinnedPackage.objects.create(
        scenario=scenario,
        school=world.hub,
        key="ALG001/panel",
        item="panel",
        category="panels",
        quantity=1,
        cost=1,
    )
    run = run_plan(scenario, people.dana)
    assert run.has_plan
    assert any("ALG001/panel" in m for m in run.messages)


def test_the_run_request_carries_the_scenario_settings(world, people):
    scenario = services.scenario_create(
        data=data(
            weight_equity=3.0,
            connectivity_first=False,
            year_discount=0.5,
            carry_over=True,
            budgets=(1_000_000, 2_000_000),
        ),
        by=people.dana,
    )
    run = PlanRun(
        scenario=scenario,
        budgets=scenario.budgets,
        weights=services.scenario_weights(scenario),
        pinned=[],
        excluded=[],
    )
    request, messages = services.plan_request(run, ())
    assert request.budgets == (1_000_000, 2_000_000) and request.carry_over
    assert request.weights.equity == 3.0 and not request.weights.connectivity_first
    assert request.weights.year_discount == 0.5 and messages == []
    assert isinstance(services.solve(request), PlanResult)


# --- with the readiness app's needs and index (no stand-in) --------------------------------


@pytest.fixture
def audited_region(region, people):
    """The four schools with pupils up to grade 9 and registry infrastructure (no audits:
    the readiness app reads the registry)."""
    for school, pupils, internet, mbps in (
        (region.hub, 40, "fibre", 60),
        (region.alga_school, 12, "none", 0),
        (region.magnet, 18, "satellite", 4),
        (region.khromtau_school, 30, "adsl", 10),
    ):
        for grade in range(1, 10):
            EnrolmentFactory(school=school, grade=grade, pupils=pupils // 9 + 1)
        ClassSetFactory(school=school, name="1+3", grades=[1, 3])
        InfrastructureFactory(school=school, internet_type=internet, internet_mbps=mbps, rooms=6)
    return region


def test_a_run_plans_from_the_readiness_apps_needs_and_index(audited_region, people):
    from auyl.readiness.selectors import catalogue_prices

    cheapest = min(catalogue_prices().values())
    with pytest.raises(ValidationError):
        services.scenario_create(data=data(budgets=(cheapest - 1,)), by=people.dana)
    scenario = services.scenario_create(data=data(budgets=(100_000_000,)), by=people.dana)
    run = run_plan(scenario, people.dana)
    assert run.has_plan and run.schools_considered == 4
    items = set(PlanPurchase.objects.filter(run=run).values_list("item", flat=True))
    assert {"internet", "laptop", "lab_stem"} <= items
    no_internet = PlanSchool.objects.get(run=run, school=audited_region.alga_school)
    assert no_internet.packages and no_internet.readiness_after > no_internet.readiness_before
    # everything needed is bought with this budget: each school's every package
    assert run.total_cost == run.need_cost


def test_a_scenario_is_deleted_with_its_runs_by_a_planner_only(world, people):
    scenario = services.scenario_create(data=data(), by=people.dana)
    run_plan(scenario, people.dana)
    with pytest.raises(PermissionDenied):
        services.scenario_delete(scenario=scenario, by=people.aigerim)
    services.scenario_delete(scenario=scenario, by=people.dana)
    assert not PlanScenario.objects.exists() and not PlanRun.objects.exists()
    assert not PlanSchool.objects.exists()
