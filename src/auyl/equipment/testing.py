"""Small stand-ins for the equipment app's two collaborators, for tests and demos:

- :func:`greedy_solve`: a greedy allocation with the engine's interface and invariants
  (budget per year, whole indivisible packages, required packages first, pins bought,
  exclusions respected), but no optimality; ``status`` is "optimal" only so that the app
  treats it as a plan.
- :func:`needs_from_registry`: plain needs built from the registry (one laptop package
  per school sized by its pupils, a connectivity package where internet is below the
  norm), for tests that do not set up audits.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from auyl.engines.norms import is_connectivity_adequate
from auyl.engines.planning.equipment import (
    Package,
    PlanRequest,
    PlanResult,
    Purchase,
    SchoolNeed,
)


def _benefit(request: PlanRequest, need: SchoolNeed, package: Package, units: int) -> float:
    w = request.weights
    share = units / package.quantity if package.quantity else 0.0
    equity = 1 + w.equity * (100 - need.readiness) / 100
    return (
        (need.pupils * w.pupils)
        * (share * w.gap_closed)
        * equity
        * w.category.get(package.category, 1.0)
    )


def greedy_solve(request: PlanRequest) -> PlanResult:
    started = time.perf_counter()
    budgets = list(request.budgets)
    spent = [0] * len(budgets)
    need_of = {p.key: n for n in request.needs for p in n.packages}
    package_of = {p.key: p for n in request.needs for p in n.packages}
    bought: dict[str, tuple[int, int]] = {}  # key -> (year, units)
    pinned_cost = sum(package_of[k].quantity * package_of[k].unit_cost for k in request.pinned)
    if pinned_cost > sum(budgets):
        return PlanResult(
            "infeasible", (), 0, tuple(spent), 0.0, 0.0, 0.0, 0.0, ("pinned packages cost more",)
        )

    def buy(key: str, whole: bool) -> bool:
        package = package_of[key]
        for required in package.requires:
            if required not in bought and not buy(required, True):
                return False
        earliest = max((bought[r][0] for r in package.requires if r in bought), default=0)
        for year in range(earliest, len(budgets)):
            room = budgets[year] - spent[year]
            if whole or not package.divisible:
                units = package.quantity if package.quantity * package.unit_cost <= room else 0
            else:
                units = min(package.quantity, room // package.unit_cost)
            if units > 0:
                spent[year] += units * package.unit_cost
                bought[key] = (year, units)
                return True
        return False

    for key in sorted(request.pinned):
        buy(key, True)
    order = sorted(
        (p for n in request.needs if n.school not in request.excluded_schools for p in n.packages),
        key=lambda p: (
            -_benefit(request, need_of[p.key], p, p.quantity) / max(1, p.quantity * p.unit_cost)
        ),
    )
    for package in order:
        if package.key not in bought:
            buy(package.key, False)
    purchases = tuple(
        Purchase(
            key=key,
            school=package_of[key].school,
            item=package_of[key].item,
            year=year,
            units=units,
            cost=units * package_of[key].unit_cost,
            benefit=_benefit(request, need_of[key], package_of[key], units),
            reason="greedy: best benefit per tenge",
        )
        for key, (year, units) in sorted(bought.items())
    )
    objective = sum(p.benefit for p in purchases)
    return PlanResult(
        status="optimal",
        purchases=purchases,
        total_cost=sum(spent),
        spend_by_year=tuple(spent),
        objective=objective,
        bound=objective,
        gap=0.0,
        seconds=time.perf_counter() - started,
    )


def needs_from_registry(schools: Iterable[object]) -> tuple[SchoolNeed, ...]:
    """Needs from School rows annotated with ``pupils`` (registry selectors)."""
    out = []
    for school in schools:
        code = str(school.code)  # type: ignore[attr-defined]
        pupils = int(getattr(school, "pupils", 0) or 0)
        infra = getattr(school, "infrastructure", None)
        mbps = float(infra.internet_mbps) if infra is not None else None
        packages = []
        internet = None
        if not is_connectivity_adequate(mbps, pupils):
            internet = f"{code}/internet"
            packages.append(
                Package(internet, code, "internet", "connectivity", 1, 900_000, divisible=False)
            )
        laptops = max(1, pupils // 5)
        packages.append(
            Package(
                f"{code}/laptop",
                code,
                "laptop",
                "devices",
                laptops,
                200_000,
                requires=(internet,) if internet else (),
            )
        )
        readiness = 60.0 if internet is None else 30.0
        out.append(
            SchoolNeed(
                school=code,
                district=str(school.district.code),  # type: ignore[attr-defined]
                pupils=pupils,
                readiness=readiness,
                packages=tuple(packages),
            )
        )
    return tuple(out)


def registry_needs(user: object, schools: object) -> tuple[SchoolNeed, ...]:
    """A stand-in for the readiness app's ``planning_needs`` (see :func:`needs_from_registry`)."""
    from auyl.registry.selectors import annotated_schools

    qs = annotated_schools(user).filter(pk__in=schools.values("pk"))  # type: ignore[arg-type, attr-defined]
    return needs_from_registry(qs.order_by("code"))


def use_registry_needs(monkeypatch: object, cheapest: int | None = 200_000) -> None:
    """Make the equipment services read :func:`registry_needs` instead of the readiness app
    (pytest's ``monkeypatch``), with ``cheapest`` as the cheapest catalogue price."""
    from auyl.equipment import services

    set_attr = monkeypatch.setattr  # type: ignore[attr-defined]
    set_attr(services, "load_needs", registry_needs)
    set_attr(services, "cheapest_price", lambda: cheapest)
    set_attr(
        services,
        "readiness_after",
        lambda user, schools, needs, bought: {
            n.school: services.proportional_readiness_after(n, bought) for n in needs
        },
    )
