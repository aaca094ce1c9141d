"""Writes of the equipment app: scenarios, pins and exclusions, and plan runs.

Each service checks the caller's right to plan (:func:`auyl.equipment.selectors.can_plan`),
validates everything before it writes, writes inside one transaction and records the audit
history with the acting user and a reason. Bad input raises :class:`ValidationError` with a
message for the user; nothing is half-saved.

A plan run is a background job (:mod:`auyl.equipment.tasks`): :func:`plan_run_start`
records the run and queues the job; the job calls :func:`plan_run_execute`, which reads the
schools' needs (:func:`load_needs`, the readiness app's ``planning_needs``), calls the
engine (:func:`solve`, :func:`auyl.engines.planning.equipment.solve_plan`) and stores the
result. Both functions are looked up at call time, so tests can put small fakes in their
place.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from auyl.accounts.scoping import AnyUser, visible_schools
from auyl.core.history import delete_with_history, save_with_history
from auyl.engines.planning.equipment import (
    BenefitWeights,
    Package,
    PlanRequest,
    PlanResult,
    SchoolNeed,
)
from auyl.equipment.models import (
    CATEGORIES,
    MAX_YEAR_BUDGET,
    MAX_YEARS,
    PinnedPackage,
    PlanPurchase,
    PlanRun,
    PlanScenario,
    PlanSchool,
)
from auyl.equipment.selectors import can_plan
from auyl.registry.models import District, School
from auyl.registry.selectors import combined_class_sets

#: Seconds the solver may take in the app (the engine's own default).
TIME_LIMIT_S = 60.0

Progress = Callable[[int, int, str], Any]


# --- the two collaborators, looked up at call time --------------------------------------------


def load_needs(user: AnyUser, schools: QuerySet[School]) -> tuple[SchoolNeed, ...]:
    """The schools' gaps as engine packages (the readiness app's ``planning_needs``)."""
    from auyl.readiness.selectors import planning_needs

    return tuple(planning_needs(user, schools=schools))


def solve(request: PlanRequest) -> PlanResult:
    """The allocation engine."""
    from auyl.engines.planning.equipment import solve_plan

    return solve_plan(request)


def cheapest_price() -> int | None:
    """The unit price of the cheapest catalogue item (KZT), or None without a catalogue."""
    try:
        from auyl.readiness.selectors import catalogue_prices
    except ImportError:
        return None
    prices = [_price_of(v) for v in dict(catalogue_prices()).values()]
    positive = [p for p in prices if p > 0]
    return min(positive) if positive else None


def _price_of(value: Any) -> int:
    for attribute in ("unit_price", "unit_cost", "price"):
        if hasattr(value, attribute):
            return int(getattr(value, attribute))
    return int(value)


def readiness_after(
    user: AnyUser, schools: QuerySet[School], needs: Sequence[SchoolNeed], bought: Mapping[str, int]
) -> dict[str, float]:
    """Each school's readiness (0-100, by code) once the packages in ``bought`` (package
    key -> units) arrive: the readiness app recomputes its index from the school's state
    (``readiness_after_purchases``). Without it, readiness is assumed to rise in proportion
    to the share of the school's gap (by cost) that the plan closes."""
    try:
        from auyl.readiness.selectors import readiness_after_purchases
    except ImportError:
        return {n.school: proportional_readiness_after(n, bought) for n in needs}
    return {
        code: after
        for code, (_before, after) in readiness_after_purchases(
            user, bought, schools=schools
        ).items()
    }


def proportional_readiness_after(need: SchoolNeed, bought: Mapping[str, int]) -> float:
    need_cost = sum(p.quantity * p.unit_cost for p in need.packages)
    if need_cost <= 0:
        return need.readiness
    spent = sum(min(bought.get(p.key, 0), p.quantity) * p.unit_cost for p in need.packages)
    return min(100.0, need.readiness + (100.0 - need.readiness) * spent / need_cost)


# --- scenarios -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioData:
    """What a planner sets in the scenario form."""

    name: str
    district: District | None
    budgets: tuple[int, ...]
    schools: str = "all"
    weight_pupils: float = 1.0
    weight_gap_closed: float = 1.0
    weight_equity: float = 1.0
    category_weights: Mapping[str, float] = field(default_factory=dict)
    connectivity_first: bool = True
    year_discount: float = 0.9
    carry_over: bool = False
    notes: str = ""


def validate_budgets(
    budgets: Sequence[int], cheapest: int | None = None, *, first_year: int = 1
) -> None:
    """Refuse budgets that cannot make a plan: none, too many years, negative, absurd, or
    below the cheapest catalogue item."""
    if not budgets:
        raise ValidationError(_("Give the budget of at least one year."))
    if len(budgets) > MAX_YEARS:
        raise ValidationError(_("A plan covers at most %(years)s years.") % {"years": MAX_YEARS})
    for year, budget in enumerate(budgets, start=first_year):
        if budget < 0:
            raise ValidationError(_("The budget of year %(year)s is negative.") % {"year": year})
        if budget > MAX_YEAR_BUDGET:
            raise ValidationError(
                _(
                    "The budget of year %(year)s (%(budget)s KZT) is above %(max)s KZT: "
                    "check the number of digits."
                )
                % {"year": year, "budget": _kzt(budget), "max": _kzt(MAX_YEAR_BUDGET)}
            )
        if cheapest is not None and budget < cheapest:
            raise ValidationError(
                _(
                    "The budget of year %(year)s (%(budget)s KZT) is below the price of the "
                    "cheapest item in the catalogue (%(cheapest)s KZT): nothing could be bought."
                )
                % {"year": year, "budget": _kzt(budget), "cheapest": _kzt(cheapest)}
            )


def _kzt(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u202f")


def _acting(user: AnyUser) -> Any:
    """The user to record as the author (None for an anonymous caller)."""
    return user if user.is_authenticated else None


def _ensure_can_plan(user: AnyUser, district: District | None) -> None:
    if not can_plan(user, district):
        raise PermissionDenied(_("You may not plan for this part of the region."))


_save = save_with_history


def _apply(scenario: PlanScenario, data: ScenarioData) -> None:
    scenario.name = data.name.strip()
    scenario.district = data.district
    scenario.schools = data.schools
    scenario.budgets = [int(b) for b in data.budgets]
    scenario.weight_pupils = data.weight_pupils
    scenario.weight_gap_closed = data.weight_gap_closed
    scenario.weight_equity = data.weight_equity
    weights = {c: float(data.category_weights.get(c, _default_weight(c))) for c in CATEGORIES}
    for category, weight in weights.items():
        if not 0 <= weight <= 100:
            raise ValidationError(
                _("The weight of %(category)s must be between 0 and 100.") % {"category": category}
            )
    if not any(weights.values()):
        raise ValidationError(_("At least one category needs a weight above 0."))
    scenario.category_weights = weights
    scenario.connectivity_first = data.connectivity_first
    scenario.year_discount = data.year_discount
    scenario.carry_over = data.carry_over
    scenario.notes = data.notes


def _default_weight(category: str) -> float:
    return float(BenefitWeights().category.get(category, 1.0))


@transaction.atomic
def scenario_create(*, data: ScenarioData, by: AnyUser) -> PlanScenario:
    _ensure_can_plan(by, data.district)
    validate_budgets(data.budgets, cheapest_price())
    scenario = PlanScenario(created_by=_acting(by))
    _apply(scenario, data)
    _save(scenario, by, "create plan scenario")
    return scenario


@transaction.atomic
def scenario_update(*, scenario: PlanScenario, data: ScenarioData, by: AnyUser) -> PlanScenario:
    """Change a scenario's settings. Pins and exclusions outside its new district go."""
    _ensure_can_plan(by, scenario.district)
    _ensure_can_plan(by, data.district)
    validate_budgets(data.budgets, cheapest_price())
    _apply(scenario, data)
    _save(scenario, by, "edit plan scenario")
    if scenario.district_id is not None:
        scenario.pins.exclude(school__district_id=scenario.district_id).delete()
        outside = scenario.excluded_schools.exclude(district_id=scenario.district_id)
        if outside.exists():
            scenario.excluded_schools.remove(*outside)
    _check_pins_fit_budget(scenario)
    return scenario


@transaction.atomic
def scenario_delete(*, scenario: PlanScenario, by: AnyUser) -> None:
    _ensure_can_plan(by, scenario.district)
    if scenario.runs.filter(state__in=(PlanRun.State.QUEUED, PlanRun.State.RUNNING)).exists():
        raise ValidationError(_("This scenario is being planned: wait until the run ends."))
    PlanScenario.objects.filter(pk=scenario.pk).update(latest_run=None)
    delete_with_history(scenario, by, "delete plan scenario")


def scenario_weights(scenario: PlanScenario) -> dict[str, Any]:
    """The scenario's benefit weights as plain data (kept with each run)."""
    return {
        "pupils": scenario.weight_pupils,
        "gap_closed": scenario.weight_gap_closed,
        "equity": scenario.weight_equity,
        "category": {
            c: float(scenario.category_weights.get(c, _default_weight(c))) for c in CATEGORIES
        },
        "connectivity_first": scenario.connectivity_first,
        "year_discount": scenario.year_discount,
        "carry_over": scenario.carry_over,
    }


def benefit_weights(weights: Mapping[str, Any]) -> BenefitWeights:
    return BenefitWeights(
        pupils=float(weights["pupils"]),
        gap_closed=float(weights["gap_closed"]),
        equity=float(weights["equity"]),
        category={str(k): float(v) for k, v in weights["category"].items()},
        connectivity_first=bool(weights["connectivity_first"]),
        year_discount=float(weights.get("year_discount", 0.9)),
    )


def scenario_schools(scenario: PlanScenario, user: AnyUser) -> QuerySet[School]:
    """The schools a scenario plans for, among those ``user`` may see."""
    schools = visible_schools(user)
    if scenario.district_id is not None:
        schools = schools.filter(district_id=scenario.district_id)
    if scenario.schools == PlanScenario.Schools.RURAL:
        schools = schools.filter(locality=School.Locality.RURAL)
    elif scenario.schools == PlanScenario.Schools.SMALL:
        schools = schools.filter(Exists(combined_class_sets().filter(school=OuterRef("pk"))))
    return schools.order_by("code")


def _in_scope(scenario: PlanScenario, school: School) -> None:
    if scenario.district_id is not None and school.district_id != scenario.district_id:
        raise ValidationError(
            _("%(school)s is outside this scenario's district.") % {"school": school.name}
        )


# --- pins and exclusions ---------------------------------------------------------------------


@transaction.atomic
def school_exclude(*, scenario: PlanScenario, school: School, by: AnyUser) -> None:
    """Leave ``school`` out of the scenario's plans. Refused while it has pinned packages."""
    _ensure_can_plan(by, scenario.district)
    _in_scope(scenario, school)
    if scenario.pins.filter(school=school).exists():
        raise ValidationError(
            _("%(school)s has pinned packages: unpin them before excluding the school.")
            % {"school": school.name}
        )
    scenario.excluded_schools.add(school)
    _touch(scenario, by, f"exclude school {school.code}")


@transaction.atomic
def school_include(*, scenario: PlanScenario, school: School, by: AnyUser) -> None:
    _ensure_can_plan(by, scenario.district)
    scenario.excluded_schools.remove(school)
    _touch(scenario, by, f"include school {school.code}")


def _touch(scenario: PlanScenario, by: AnyUser, reason: str) -> None:
    """Record a history row for a change of the scenario's many-to-many fields."""
    _save(scenario, by, reason)


@transaction.atomic
def package_pin(*, scenario: PlanScenario, school: School, key: str, by: AnyUser) -> PinnedPackage:
    """Make the scenario's plans buy the package ``key`` of ``school`` whole.

    Refused when the school is excluded, the package is not among the school's current
    needs, or the pinned packages together would cost more than the whole budget.
    """
    _ensure_can_plan(by, scenario.district)
    _in_scope(scenario, school)
    if scenario.excluded_schools.filter(pk=school.pk).exists():
        raise ValidationError(
            _(
                "%(school)s is excluded from this scenario: include it again before pinning "
                "its packages."
            )
            % {"school": school.name}
        )
    if scenario.pins.filter(key=key).exists():
        raise ValidationError(_("This package is pinned already."))
    packages = {
        p.key: p
        for need in load_needs(by, School.objects.filter(pk=school.pk))
        if need.school == school.code
        for p in need.packages
    }
    package = packages.get(key)
    if package is None:
        raise ValidationError(
            _("%(school)s does not need this package (any more): nothing to pin.")
            % {"school": school.name}
        )
    pin = PinnedPackage(
        scenario=scenario,
        school=school,
        key=package.key,
        item=package.item,
        category=package.category,
        quantity=package.quantity,
        cost=package.quantity * package.unit_cost,
        created_by=_acting(by),
    )
    _save(pin, by, "pin package")
    _check_pins_fit_budget(scenario)
    return pin


def _check_pins_fit_budget(scenario: PlanScenario) -> None:
    pinned = sum(scenario.pins.values_list("cost", flat=True))
    if pinned > scenario.total_budget:
        raise ValidationError(
            _(
                "The pinned packages would cost %(pinned)s KZT, more than the whole budget "
                "(%(budget)s KZT)."
            )
            % {"pinned": _kzt(pinned), "budget": _kzt(scenario.total_budget)}
        )


@transaction.atomic
def package_unpin(*, scenario: PlanScenario, key: str, by: AnyUser) -> None:
    _ensure_can_plan(by, scenario.district)
    for pin in scenario.pins.filter(key=key):
        delete_with_history(pin, by, "unpin package")


# --- runs ------------------------------------------------------------------------------------


def plan_run_start(*, scenario: PlanScenario, by: AnyUser) -> PlanRun:
    """Record a run of ``scenario`` with a snapshot of its settings and queue its job."""
    from auyl.equipment.tasks import PLAN_KIND, plan_run_task
    from auyl.jobs.services import job_start

    _ensure_can_plan(by, scenario.district)
    with transaction.atomic():
        # Lock the scenario so that two clicks cannot start two runs.
        PlanScenario.objects.select_for_update().filter(pk=scenario.pk).first()
        if scenario.runs.filter(state__in=(PlanRun.State.QUEUED, PlanRun.State.RUNNING)).exists():
            raise ValidationError(_("This scenario is being planned already."))
        validate_budgets(scenario.budgets, cheapest_price())
        run = PlanRun.objects.create(
            scenario=scenario,
            created_by=_acting(by),
            budgets=[int(b) for b in scenario.budgets],
            weights=scenario_weights(scenario),
            pinned=sorted(scenario.pins.values_list("key", flat=True)),
            excluded=sorted(scenario.excluded_schools.values_list("code", flat=True)),
        )
    job = job_start(
        kind=PLAN_KIND,
        by=by if by.is_authenticated else None,
        params={"run": run.pk, "language": translation.get_language()},
        task=plan_run_task,
    )
    PlanRun.objects.filter(pk=run.pk, job__isnull=True).update(job=job)
    run.refresh_from_db()
    return run


def plan_request(run: PlanRun, needs: tuple[SchoolNeed, ...]) -> tuple[PlanRequest, list[str]]:
    """The engine's request for ``run`` and the messages about pins that no longer apply."""
    known = {p.key for need in needs for p in need.packages}
    excluded = frozenset(run.excluded)
    school_of = {p.key: need.school for need in needs for p in need.packages}
    pinned, messages = set(), []
    for key in run.pinned:
        if key not in known:
            messages.append(
                _("The pinned package %(key)s is no longer among the needs: left out.")
                % {"key": key}
            )
        elif school_of[key] in excluded:
            messages.append(
                _("The pinned package %(key)s belongs to an excluded school: left out.")
                % {"key": key}
            )
        else:
            pinned.add(key)
    request = PlanRequest(
        needs=needs,
        budgets=tuple(int(b) for b in run.budgets),
        weights=benefit_weights(run.weights),
        pinned=frozenset(pinned),
        excluded_schools=excluded,
        time_limit_s=TIME_LIMIT_S,
        carry_over=bool(run.weights.get("carry_over", False)),
    )
    return request, messages


def plan_run_execute(run: PlanRun, progress: Progress | None = None) -> PlanRun:
    """Read the needs, solve and store the result (the body of the background job)."""
    report: Progress = progress or (lambda done, total, message: None)
    started = time.perf_counter()
    PlanRun.objects.filter(pk=run.pk).update(state=PlanRun.State.RUNNING)
    try:
        user = run.created_by
        if user is None:
            raise PermissionDenied("the run has no user")
        report(0, 4, _("Reading the schools' needs"))
        schools = scenario_schools(run.scenario, user)
        needs = load_needs(user, schools)
        request, messages = plan_request(run, needs)
        packages = sum(len(n.packages) for n in needs)
        report(
            1,
            4,
            _("Solving: %(schools)s schools, %(packages)s packages")
            % {"schools": len(needs), "packages": packages},
        )
        result = solve(request)
        report(3, 4, _("Saving the plan"))
        bought: dict[str, int] = defaultdict(int)
        for purchase in result.purchases:
            bought[purchase.key] += purchase.units
        # Only the schools that get something change: recompute their readiness alone.
        served = sorted({p.school for p in result.purchases})
        after = readiness_after(user, schools.filter(code__in=served), needs, bought)
        _store_result(run, needs, request, result, messages, after, time.perf_counter() - started)
    except Exception as exc:
        PlanRun.objects.filter(pk=run.pk).update(
            state=PlanRun.State.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    run.refresh_from_db()
    return run


@transaction.atomic
def _store_result(
    run: PlanRun,
    needs: tuple[SchoolNeed, ...],
    request: PlanRequest,
    result: PlanResult,
    messages: list[str],
    after: Mapping[str, float],
    seconds_so_far: float,
) -> None:
    started = time.perf_counter()
    codes = [n.school for n in needs]
    school_ids, district_of = {}, {}
    for code, pk, district_id in School.objects.filter(code__in=codes).values_list(
        "code", "pk", "district_id"
    ):
        school_ids[code], district_of[code] = pk, district_id
    spent: dict[str, int] = defaultdict(int)
    benefit: dict[str, float] = defaultdict(float)
    for purchase in result.purchases:
        spent[purchase.school] += purchase.cost
        benefit[purchase.school] += purchase.benefit
    ranks = _ranks_in_district(needs, district_of)
    rows: list[PlanSchool] = []
    for need in needs:
        if need.school not in school_ids:
            continue
        packages = [_package_data(p) for p in need.packages]
        rows.append(
            PlanSchool(
                run=run,
                school_id=school_ids[need.school],
                district_id=district_of[need.school],
                pupils=need.pupils,
                readiness_before=need.readiness,
                readiness_after=after.get(need.school, need.readiness),
                rank_in_district=ranks[need.school][0],
                schools_in_district=ranks[need.school][1],
                need_cost=sum(p.quantity * p.unit_cost for p in need.packages),
                cost=spent.get(need.school, 0),
                benefit=benefit.get(need.school, 0.0),
                packages=packages,
                excluded=need.school in request.excluded_schools,
            )
        )
    PlanSchool.objects.bulk_create(rows, batch_size=500)
    plan_school_id = dict(PlanSchool.objects.filter(run=run).values_list("school__code", "pk"))
    package_of = {p.key: p for need in needs for p in need.packages}
    purchases = []
    for p in result.purchases:
        package = package_of.get(p.key)
        if p.school not in plan_school_id:
            continue
        purchases.append(
            PlanPurchase(
                run=run,
                plan_school_id=plan_school_id[p.school],
                key=p.key,
                item=p.item,
                category=package.category if package else "",
                year=p.year,
                units=p.units,
                quantity_needed=package.quantity if package else p.units,
                unit_cost=package.unit_cost if package else (p.cost // max(1, p.units)),
                cost=p.cost,
                benefit=p.benefit,
                pinned=p.key in request.pinned,
                engine_reason=p.reason,
                reason_code=getattr(p, "reason_code", ""),
                reason_args=dict(getattr(p, "reason_args", {}) or {}),
            )
        )
    PlanPurchase.objects.bulk_create(purchases, batch_size=1000)
    served = {r.school_id for r in rows if r.cost > 0}
    PlanRun.objects.filter(pk=run.pk).update(
        state=PlanRun.State.DONE,
        status=result.status,
        total_cost=result.total_cost,
        spend_by_year=list(result.spend_by_year),
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        seconds=result.seconds,
        total_seconds=seconds_so_far + (time.perf_counter() - started),
        messages=[*messages, *result.messages],
        schools_considered=len(rows),
        schools_served=len(served),
        pupils_reached=sum(r.pupils for r in rows if r.school_id in served),
        need_cost=sum(r.need_cost for r in rows if not r.excluded),
        finished_at=timezone.now(),
    )
    PlanScenario.objects.filter(pk=run.scenario_id).update(latest_run=run)


def _package_data(p: Package) -> dict[str, Any]:
    return {
        "key": p.key,
        "item": p.item,
        "category": p.category,
        "quantity": p.quantity,
        "unit_cost": p.unit_cost,
        "divisible": p.divisible,
        "requires": list(p.requires),
    }


def _ranks_in_district(
    needs: Iterable[SchoolNeed], district_of: Mapping[str, int]
) -> dict[str, tuple[int, int]]:
    """Each school's rank by readiness in its district (1 = least ready) and the count."""
    by_district: dict[int, list[SchoolNeed]] = defaultdict(list)
    for need in needs:
        if need.school in district_of:
            by_district[district_of[need.school]].append(need)
    ranks: dict[str, tuple[int, int]] = {}
    for group in by_district.values():
        group.sort(key=lambda n: (n.readiness, -n.pupils, n.school))
        for i, need in enumerate(group, start=1):
            ranks[need.school] = (i, len(group))
    return ranks
