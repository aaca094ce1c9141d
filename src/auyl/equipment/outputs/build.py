"""Build the outputs' rows from a stored run, over the schools the user may see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from auyl.accounts.scoping import AnyUser
from auyl.equipment import selectors
from auyl.equipment.models import PlanPurchase, PlanRun, PlanSchool
from auyl.equipment.outputs import charts
from auyl.equipment.outputs.rows import Letter, LetterLine, ProcurementLine
from auyl.equipment.reasons import (
    district_rank,
    item_label,
    not_served_reason,
    purchase_reason,
)


def procurement_lines(run: PlanRun, user: AnyUser) -> list[ProcurementLine]:
    """Every visible purchase of ``run`` with its reason in the active language (1 query)."""
    lines = []
    for p in selectors.procurement_rows(run, user):
        school = p.plan_school
        lines.append(
            ProcurementLine(
                district=school.district.name,
                school_code=school.school.code,
                school_name=school.school.name,
                item=p.item,
                item_label=item_label(p.item),
                year=p.year + 1,
                units=p.units,
                unit_cost=p.unit_cost,
                cost=p.cost,
                reason=purchase_reason(p, school),
            )
        )
    return lines


def procurement_summary(run: PlanRun, user: AnyUser) -> list[tuple[str, Any]]:
    totals = selectors.run_totals(run, user)
    scenario = run.scenario
    rows: list[tuple[str, Any]] = [
        (_("Scenario"), scenario.name),
        (
            _("Plan for"),
            scenario.district.name if scenario.district else _("the whole region"),
        ),
        (_("Computed"), formats.date_format(timezone.localtime(run.created_at), "DATETIME_FORMAT")),
        (_("Solver status"), str(run.get_status_display())),
    ]
    for year, budget in enumerate(run.budgets, start=1):
        rows.append((_("Budget of year %(year)s (KZT)") % {"year": year}, int(budget)))
    for year, spent in enumerate(run.spend_by_year, start=1):
        rows.append((_("Spent in year %(year)s (KZT)") % {"year": year}, int(spent)))
    rows += [
        (_("Total cost (KZT)"), totals.cost),
        (_("Schools served"), totals.served),
        (_("Pupils reached"), totals.pupils_reached),
        (_("Objective (benefit)"), round(run.objective, 2)),
        (_("Optimality gap"), f"{run.gap_percent:.3f} %"),
        (_("Solver seconds"), round(run.seconds, 2)),
    ]
    return rows


def letter_for(run: PlanRun, school: PlanSchool, purchases: Sequence[PlanPurchase]) -> Letter:
    """The letter to ``school`` in the active language."""
    lines = tuple(
        LetterLine(
            item_label=item_label(p.item),
            units=p.units,
            year=p.year + 1,
            cost=p.cost,
            reason=purchase_reason(p, school, priority=False),
        )
        for p in purchases
    )
    notes = [district_rank(school)]
    if len(run.budgets) > 1 and lines:
        notes.append(
            _("The plan covers %(years)s years; the year column says when each item comes.")
            % {"years": len(run.budgets)}
        )
    return Letter(
        school_name=school.school.name,
        school_code=school.school.code,
        district_name=school.district.name,
        scenario_name=run.scenario.name,
        date=formats.date_format(timezone.localdate(), "DATE_FORMAT"),
        pupils=school.pupils,
        readiness_before=school.readiness_before,
        readiness_after=school.readiness_after,
        lines=lines,
        total=sum(p.cost for p in purchases),
        why_not="" if lines else not_served_reason(school),
        notes=tuple(notes),
    )


def letters_for(run: PlanRun, schools: Sequence[PlanSchool]) -> list[Letter]:
    purchases = selectors.purchases_by_school(list(schools))
    return [letter_for(run, s, purchases.get(s.pk, [])) for s in schools]


#: Charts show at most this many districts (a national plan has about 200).
CHART_DISTRICTS = 25


def spend_chart(run: PlanRun, user: AnyUser) -> bytes:
    """Spend by district; beyond :data:`CHART_DISTRICTS` the smallest are summed in one bar."""
    rows = sorted(
        ((r["district"].name, int(r["cost"])) for r in selectors.district_rows(run, user)),
        key=lambda r: -r[1],
    )
    if len(rows) > CHART_DISTRICTS:
        rest = rows[CHART_DISTRICTS - 1 :]
        other = (_("%(n)s other districts") % {"n": len(rest)}, sum(v for _n, v in rest))
        rows = [*rows[: CHART_DISTRICTS - 1], other]
    return charts.spend_by_district(
        rows, xlabel=_("Spend, million KZT"), empty=_("Nothing is bought.")
    )


def readiness_chart(run: PlanRun, user: AnyUser) -> bytes:
    """Readiness before and after by district; beyond :data:`CHART_DISTRICTS` districts,
    those whose readiness rises most."""
    rows = [
        (r["district"].name, r["readiness_before"], r["readiness_after"])
        for r in selectors.district_rows(run, user)
    ]
    if len(rows) > CHART_DISTRICTS:
        rows = sorted(rows, key=lambda r: r[1] - r[2])[:CHART_DISTRICTS]
    return charts.readiness_before_after(
        rows,
        before=_("before the plan"),
        after=_("after the plan"),
        xlabel=_("Readiness (0-100), pupil-weighted mean of the district"),
    )
