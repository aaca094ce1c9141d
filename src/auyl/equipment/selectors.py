"""Reads of the equipment app, scoped through :mod:`auyl.accounts.scoping`.

Who may do what:

- A region administrator plans for the whole region or any district, and sees every
  scenario.
- A district methodologist plans for her district only; she sees her district's scenarios
  and the region-wide ones.
- Hub coordinators, principals and teachers plan nothing; they see the scenarios that cover
  one of their schools.

Whoever looks at a run sees only the schools they may see: tables, totals, charts, the
procurement list and letters are all drawn from those schools (for a region administrator,
every school). Every page reads a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from auyl.accounts.models import Role
from auyl.accounts.scoping import (
    AnyUser,
    profile_of,
    role_of,
    school_scope_q,
    visible_districts,
)
from auyl.equipment.models import PlanPurchase, PlanRun, PlanScenario, PlanSchool
from auyl.registry.models import District


def can_plan(user: AnyUser, district: District | None) -> bool:
    """May ``user`` create, change and run scenarios for ``district`` (None: the region)?"""
    role = role_of(user)
    if role is Role.REGION_ADMIN:
        return True
    if role is Role.METHODOLOGIST and district is not None:
        profile = profile_of(user)
        return (
            profile is not None
            and profile.district_id is not None
            and profile.district_id == district.pk
        )
    return False


def can_plan_anything(user: AnyUser) -> bool:
    return role_of(user) in (Role.REGION_ADMIN, Role.METHODOLOGIST)


def plannable_districts(user: AnyUser) -> QuerySet[District]:
    """Districts ``user`` may plan for."""
    role = role_of(user)
    if role is Role.REGION_ADMIN:
        return District.objects.all()
    profile = profile_of(user)
    if role is Role.METHODOLOGIST and profile is not None and profile.district_id is not None:
        return District.objects.filter(pk=profile.district_id)
    return District.objects.none()


def visible_scenarios(user: AnyUser) -> QuerySet[PlanScenario]:
    """Region-wide scenarios for anyone who sees a school; district ones for those who see
    a school of that district."""
    role = role_of(user)
    if role is Role.REGION_ADMIN:
        return PlanScenario.objects.all()
    if role is None:
        return PlanScenario.objects.none()
    districts = visible_districts(user).values("pk")
    return PlanScenario.objects.filter(Q(district__isnull=True) | Q(district__in=districts))


def scenario_list(user: AnyUser) -> QuerySet[PlanScenario]:
    """Visible scenarios with their district, latest finished run and whether one runs."""
    running = PlanRun.objects.filter(
        scenario=OuterRef("pk"), state__in=(PlanRun.State.QUEUED, PlanRun.State.RUNNING)
    )
    return (
        visible_scenarios(user)
        .select_related("district", "latest_run", "created_by")
        .annotate(is_running=Exists(running))
        .order_by("-created_at", "-pk")
    )


def scenario_for(user: AnyUser, pk: int) -> PlanScenario:
    scenario = scenario_list(user).filter(pk=pk).first()
    if scenario is None:
        raise Http404(_("No such scenario, or it is outside what you may see."))
    return scenario


def run_for(user: AnyUser, pk: int) -> PlanRun:
    run = (
        PlanRun.objects.filter(scenario__in=visible_scenarios(user), pk=pk)
        .select_related("scenario", "scenario__district")
        .first()
    )
    if run is None:
        raise Http404(_("No such plan run, or it is outside what you may see."))
    return run


def current_run(scenario: PlanScenario) -> PlanRun | None:
    """The scenario's run that is queued or running, if any."""
    return (
        scenario.runs.filter(state__in=(PlanRun.State.QUEUED, PlanRun.State.RUNNING))
        .select_related("job")
        .first()
    )


def recent_runs(scenario: PlanScenario, limit: int = 5) -> list[PlanRun]:
    return list(scenario.runs.order_by("-created_at", "-pk")[:limit])


# --- a run's results, as the user may see them ---------------------------------------------


def plan_schools(run: PlanRun, user: AnyUser) -> QuerySet[PlanSchool]:
    """The run's schools that ``user`` may see."""
    return PlanSchool.objects.filter(run=run).filter(school_scope_q(user, "school__"))


def plan_purchases(run: PlanRun, user: AnyUser) -> QuerySet[PlanPurchase]:
    return PlanPurchase.objects.filter(run=run).filter(
        school_scope_q(user, "plan_school__school__")
    )


@dataclass(frozen=True)
class RunTotals:
    schools: int
    served: int
    pupils: int
    pupils_reached: int
    cost: int
    need_cost: int
    readiness_before: float
    readiness_after: float

    @property
    def served_share(self) -> float:
        return 100.0 * self.served / self.schools if self.schools else 0.0

    @property
    def need_share(self) -> float:
        return 100.0 * self.cost / self.need_cost if self.need_cost else 0.0


def _weighted(total: float | None, pupils: int | None) -> float:
    return float(total or 0.0) / pupils if pupils else 0.0


def run_totals(run: PlanRun, user: AnyUser) -> RunTotals:
    """Totals over the schools ``user`` may see (one query). Readiness is the pupil-weighted
    mean: what the average pupil's school looks like."""
    found = plan_schools(run, user).aggregate(
        n_schools=Count("pk"),
        n_served=Count("pk", filter=Q(cost__gt=0)),
        n_pupils=Coalesce(Sum("pupils"), 0),
        n_pupils_reached=Coalesce(Sum("pupils", filter=Q(cost__gt=0)), 0),
        n_cost=Coalesce(Sum("cost"), 0),
        n_need_cost=Coalesce(Sum("need_cost", filter=Q(excluded=False)), 0),
        n_before=Sum(_times("readiness_before")),
        n_after=Sum(_times("readiness_after")),
    )
    agg = {k[2:]: v for k, v in found.items()}
    return RunTotals(
        schools=agg["schools"],
        served=agg["served"],
        pupils=agg["pupils"],
        pupils_reached=agg["pupils_reached"],
        cost=agg["cost"],
        need_cost=agg["need_cost"],
        readiness_before=_weighted(agg["before"], agg["pupils"]),
        readiness_after=_weighted(agg["after"], agg["pupils"]),
    )


def _times(field: str) -> Any:
    from django.db.models import ExpressionWrapper, F, FloatField

    return ExpressionWrapper(F(field) * F("pupils"), output_field=FloatField())


def district_rows(run: PlanRun, user: AnyUser) -> list[dict[str, Any]]:
    """Per visible district: schools, served, pupils reached, spend, readiness before and
    after (two queries). Aggregates are named ``n_*`` so none shadows a field it sums."""
    rows = (
        plan_schools(run, user)
        .order_by()
        .values("district_id")
        .annotate(
            n_schools=Count("pk"),
            n_served=Count("pk", filter=Q(cost__gt=0)),
            n_pupils=Coalesce(Sum("pupils"), 0),
            n_pupils_reached=Coalesce(Sum("pupils", filter=Q(cost__gt=0)), 0),
            n_cost=Coalesce(Sum("cost"), 0),
            n_need_cost=Coalesce(Sum("need_cost", filter=Q(excluded=False)), 0),
            n_before=Sum(_times("readiness_before")),
            n_after=Sum(_times("readiness_after")),
        )
    )
    districts = District.objects.in_bulk([r["district_id"] for r in rows])
    out: list[dict[str, Any]] = []
    for row in rows:
        values: dict[str, Any] = {k[2:]: v for k, v in row.items() if k.startswith("n_")}
        out.append(
            {
                **values,
                "district_id": row["district_id"],
                "district": districts[row["district_id"]],
                "readiness_before": _weighted(values["before"], values["pupils"]),
                "readiness_after": _weighted(values["after"], values["pupils"]),
            }
        )
    out.sort(key=lambda r: r["district"].code)
    return out


def item_rows(run: PlanRun, user: AnyUser) -> list[dict[str, Any]]:
    """What the plan buys, by item: units, schools and cost (one query)."""
    rows = list(
        plan_purchases(run, user)
        .order_by()
        .values("item", "category")
        .annotate(
            n_units=Sum("units"),
            n_schools=Count("plan_school", distinct=True),
            n_cost=Sum("cost"),
        )
        .order_by("category", "item")
    )
    return [
        {
            "item": r["item"],
            "category": r["category"],
            "units": r["n_units"],
            "schools": r["n_schools"],
            "cost": r["n_cost"],
        }
        for r in rows
    ]


def school_rows(
    run: PlanRun, user: AnyUser, *, district: str = "", show: str = "served"
) -> QuerySet[PlanSchool]:
    """The run's visible schools with their school and district; ``show`` is ``served``
    (those that get something), ``unserved`` or ``all``. Purchases are prefetched (one more
    query per page)."""
    qs = plan_schools(run, user).select_related("school", "district")
    if district:
        qs = qs.filter(district__code=district)
    if show == "served":
        qs = qs.filter(cost__gt=0)
    elif show == "unserved":
        qs = qs.filter(cost=0)
    return qs.order_by("district__code", "rank_in_district", "school__code")


def purchases_by_school(rows: list[PlanSchool]) -> dict[int, list[PlanPurchase]]:
    """The purchases of the given plan schools (one query)."""
    out: dict[int, list[PlanPurchase]] = defaultdict(list)
    for p in PlanPurchase.objects.filter(plan_school__in=[r.pk for r in rows]).order_by(
        "year", "category", "item"
    ):
        out[p.plan_school_id].append(p)
    return out


def plan_school_for(run: PlanRun, user: AnyUser, school_pk: int) -> PlanSchool:
    row = (
        plan_schools(run, user)
        .select_related("school", "district", "school__district")
        .filter(school_id=school_pk)
        .first()
    )
    if row is None:
        raise Http404(_("This school is not in the plan, or it is outside what you may see."))
    return row


def procurement_rows(run: PlanRun, user: AnyUser) -> QuerySet[PlanPurchase]:
    """Every visible purchase with its school and district, for the procurement list."""
    return (
        plan_purchases(run, user)
        .select_related("plan_school", "plan_school__school", "plan_school__district")
        .order_by("plan_school__district__code", "plan_school__school__code", "year", "item")
    )


# --- comparison ------------------------------------------------------------------------------


def compare(a: PlanRun, b: PlanRun, user: AnyUser) -> dict[str, Any]:
    """Two runs side by side: totals and spend by district (over visible schools)."""
    totals_a, totals_b = run_totals(a, user), run_totals(b, user)
    rows_a = {r["district_id"]: r for r in district_rows(a, user)}
    rows_b = {r["district_id"]: r for r in district_rows(b, user)}
    districts = {r["district"].pk: r["district"] for r in [*rows_a.values(), *rows_b.values()]}
    by_district = []
    for pk, district in sorted(districts.items(), key=lambda kv: kv[1].code):
        ra, rb = rows_a.get(pk, {}), rows_b.get(pk, {})
        by_district.append(
            {
                "district": district,
                "cost_a": ra.get("cost", 0),
                "cost_b": rb.get("cost", 0),
                "served_a": ra.get("served", 0),
                "served_b": rb.get("served", 0),
                "pupils_a": ra.get("pupils_reached", 0),
                "pupils_b": rb.get("pupils_reached", 0),
                "diff": rb.get("cost", 0) - ra.get("cost", 0),
            }
        )
    return {
        "totals_a": totals_a,
        "totals_b": totals_b,
        "districts": by_district,
        "budget_diff": b.budget - a.budget,
        "cost_diff": totals_b.cost - totals_a.cost,
        "served_diff": totals_b.served - totals_a.served,
        "pupils_diff": totals_b.pupils_reached - totals_a.pupils_reached,
        "readiness_diff": totals_b.readiness_after - totals_a.readiness_after,
    }
