"""``auyl plan equipment``: plan the loaded region's equipment from the command line.

    auyl plan equipment --budget KZT [--years N] [--out plan.xlsx] [--data-dir DIR]

Plans for every school of the loaded region(s), as a region administrator would, with
the default benefit weights: ``--budget`` is the total, split evenly over ``--years``
(the remainder in the first year). Nothing is stored in the database. Prints exactly one
JSON line: status, total_cost, objective, gap, seconds (the solver's), total_seconds
(needs + solve), purchases, schools, schools_served, pupils_reached, budgets. With
``--out`` it also writes the procurement list (XLSX) that the plan page offers.

Exit codes: 0 a plan (optimal or stopped at the time limit); 1 no plan (infeasible or a
solver error; the JSON line says why); 2 bad input (a budget below the cheapest catalogue
item, negative or absurd; no schools loaded), with a message on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import translation

if TYPE_CHECKING:  # the engine imports the solver: only when a plan is computed
    from auyl.engines.planning.equipment import PlanRequest, PlanResult, SchoolNeed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--budget", required=True, help="total budget in KZT, e.g. 2063000000")
    parser.add_argument("--years", type=int, default=1, help="spread the budget over N years")
    parser.add_argument("--out", help="write the procurement list to this XLSX file")
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="seconds the solver may take (60)"
    )
    parser.add_argument(
        "--language", default="ru", choices=("kk", "ru", "en"), help="of the XLSX file (ru)"
    )


def split_budget(total: int, years: int) -> tuple[int, ...]:
    share = total // years
    return (total - share * (years - 1), *([share] * (years - 1)))


def _refuse(message: str) -> int:
    print(f"auyl plan equipment: {message}", file=sys.stderr)
    return 2


def _region_admin() -> Any:
    """An unsaved superuser: sees every school, as a region administrator does."""
    from django.contrib.auth import get_user_model

    return get_user_model()(username="auyl-cli", is_superuser=True)


def plan_equipment(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from auyl.engines.planning.equipment import PlanRequest
    from auyl.equipment import services
    from auyl.equipment.models import MAX_YEARS
    from auyl.registry.models import School

    text = "".join(ch for ch in str(args.budget) if ch not in " _,\u00a0\u202f")
    if not text.lstrip("-").isdigit():
        return _refuse(f"--budget must be a whole number of tenge, not {args.budget!r}")
    if not 1 <= args.years <= MAX_YEARS:
        return _refuse(f"--years must be between 1 and {MAX_YEARS}")
    total = int(text)
    if total < 0:
        return _refuse("the budget cannot be negative")
    budgets = split_budget(total, args.years)
    with translation.override("en"):
        try:
            services.validate_budgets(budgets, services.cheapest_price())
        except ValidationError as error:
            return _refuse(" ".join(error.messages))
    user = _region_admin()
    started = time.perf_counter()
    schools = School.objects.order_by("code")
    if not schools.exists():
        return _refuse("no schools are loaded: run `auyl demo --no-serve` or import a registry")
    needs = services.load_needs(user, schools)
    request = PlanRequest(needs=needs, budgets=budgets, time_limit_s=float(args.time_limit))
    result = services.solve(request)
    total_seconds = time.perf_counter() - started
    if args.out:
        with translation.override(args.language):
            _write_xlsx(Path(args.out), request, result, needs)
    line = {
        "status": result.status,
        "total_cost": result.total_cost,
        "objective": round(result.objective, 6),
        "gap": result.gap,
        "seconds": round(result.seconds, 3),
        "total_seconds": round(total_seconds, 3),
        "purchases": len(result.purchases),
        "schools": len(needs),
        "schools_served": len({p.school for p in result.purchases}),
        "pupils_reached": sum(
            n.pupils for n in needs if n.school in {p.school for p in result.purchases}
        ),
        "budgets": list(budgets),
    }
    if result.messages:
        line["messages"] = list(result.messages)
    if args.out:
        line["out"] = str(args.out)
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return 0 if result.status in ("optimal", "time_limit") else 1


def _write_xlsx(
    path: Path, request: PlanRequest, result: PlanResult, needs: tuple[SchoolNeed, ...]
) -> None:
    """The procurement list, with the same reasons the plan page gives."""
    from django.utils.translation import gettext as _

    from auyl.equipment.models import PlanPurchase, PlanSchool
    from auyl.equipment.outputs.rows import ProcurementLine
    from auyl.equipment.outputs.xlsx import procurement_workbook
    from auyl.equipment.reasons import item_label, purchase_reason
    from auyl.equipment.services import _ranks_in_district
    from auyl.registry.models import District, School

    need_of = {n.school: n for n in needs}
    package_of = {p.key: p for n in needs for p in n.packages}
    schools = {s.code: s for s in School.objects.select_related("district")}
    ranks = _ranks_in_district(needs, {c: s.district_id for c, s in schools.items()})
    lines = []
    for p in result.purchases:
        need, school, package = need_of[p.school], schools[p.school], package_of[p.key]
        rank, count = ranks.get(p.school, (0, 0))
        row = PlanSchool(
            pupils=need.pupils,
            readiness_before=need.readiness,
            rank_in_district=rank,
            schools_in_district=count,
        )
        purchase = PlanPurchase(
            key=p.key,
            item=p.item,
            category=package.category,
            year=p.year,
            units=p.units,
            quantity_needed=package.quantity,
            unit_cost=package.unit_cost,
            cost=p.cost,
            pinned=p.key in request.pinned,
            reason_code=getattr(p, "reason_code", ""),
            reason_args=dict(getattr(p, "reason_args", {}) or {}),
        )
        lines.append(
            ProcurementLine(
                district=school.district.name,
                school_code=p.school,
                school_name=school.name,
                item=p.item,
                item_label=item_label(p.item),
                year=p.year + 1,
                units=p.units,
                unit_cost=package.unit_cost,
                cost=p.cost,
                reason=purchase_reason(purchase, row),
            )
        )
    lines.sort(key=lambda x: (x.district, x.school_code, x.year, x.item))
    regions = sorted({d.region.name for d in District.objects.select_related("region")})
    summary: list[tuple[str, Any]] = [
        (_("Plan for"), ", ".join(regions)),
        (_("Solver status"), result.status),
    ]
    for year, budget in enumerate(request.budgets, start=1):
        summary.append((_("Budget of year %(year)s (KZT)") % {"year": year}, budget))
    summary += [
        (_("Total cost (KZT)"), result.total_cost),
        (_("Schools served"), len({p.school for p in result.purchases})),
        (_("Objective (benefit)"), round(result.objective, 2)),
        (_("Optimality gap"), f"{100 * result.gap:.3f} %"),
        (_("Solver seconds"), round(result.seconds, 2)),
    ]
    path.write_bytes(procurement_workbook(lines, summary))
