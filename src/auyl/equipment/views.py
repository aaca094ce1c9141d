"""Equipment plan pages: scenarios, runs and their results, comparison, downloads.

Views stay thin: selectors read (scoped to the user), services write (checking the right
to plan), forms validate, :mod:`.outputs` draws the files.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from auyl.accounts.scoping import visible_schools
from auyl.core.downloads import file_response
from auyl.equipment import selectors, services
from auyl.equipment.forms import CompareForm, ScenarioForm
from auyl.equipment.models import CATEGORIES, CATEGORY_LABELS, PlanRun, PlanScenario
from auyl.equipment.outputs import build
from auyl.equipment.outputs.pdf import letters_pdf
from auyl.equipment.outputs.xlsx import procurement_workbook
from auyl.equipment.reasons import item_label, not_served_reason, purchase_reason
from auyl.registry.models import School

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOW_CHOICES = ("served", "unserved", "all")


def _ensure_can_plan(request: HttpRequest, scenario: PlanScenario) -> None:
    if not selectors.can_plan(request.user, scenario.district):
        raise PermissionDenied(_("You may not plan for this part of the region."))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scenarios = selectors.scenario_list(request.user)
    rows = list(scenarios[:200])
    context = {
        "scenarios": rows,
        "can_plan": selectors.can_plan_anything(request.user),
        "compare_form": CompareForm(scenarios=scenarios, initial=_compare_initial(rows)),
    }
    return render(request, "equipment/home.html", context)


def _compare_initial(rows: list[PlanScenario]) -> dict[str, Any]:
    with_runs = [s for s in rows if s.latest_run_id]
    if len(with_runs) >= 2:
        return {"a": with_runs[1].pk, "b": with_runs[0].pk}
    return {}


@login_required
def scenario_create(request: HttpRequest) -> HttpResponse:
    if not selectors.can_plan_anything(request.user):
        raise PermissionDenied(_("Only region administrators and methodologists plan."))
    form = ScenarioForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_create(data=form.scenario_data(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Scenario saved. Run the plan when you are ready."))
            return redirect("equipment:scenario_detail", pk=scenario.pk)
    return _form_page(request, form, None)


@login_required
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_for(request.user, pk)
    _ensure_can_plan(request, scenario)
    form = ScenarioForm(request.POST or None, user=request.user, instance=scenario)
    if request.method == "POST" and form.is_valid():
        try:
            services.scenario_update(scenario=scenario, data=form.scenario_data(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Scenario saved. Run the plan again to see its effect."))
            return redirect("equipment:scenario_detail", pk=scenario.pk)
    return _form_page(request, form, scenario)


def _form_page(
    request: HttpRequest, form: ScenarioForm, scenario: PlanScenario | None
) -> HttpResponse:
    context = {"form": form, "scenario": scenario}
    return render(
        request, "equipment/scenario_form.html", context, status=400 if form.errors else 200
    )


@require_POST
@login_required
def scenario_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_for(request.user, pk)
    try:
        services.scenario_delete(scenario=scenario, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("equipment:scenario_detail", pk=pk)
    messages.success(request, _("Scenario deleted."))
    return redirect("equipment:home")


@login_required
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_for(request.user, pk)
    run = scenario.latest_run
    running = selectors.current_run(scenario)
    context: dict[str, Any] = {
        "scenario": scenario,
        "run": run,
        "running": running,
        "own_job": running is not None
        and running.job is not None
        and running.job.created_by_id == request.user.pk,
        "can_plan": selectors.can_plan(request.user, scenario.district),
        "categories": [
            (CATEGORY_LABELS[c], scenario.category_weights.get(c, "")) for c in CATEGORIES
        ],
        "pins": scenario.pins.select_related("school"),
        "excluded": scenario.excluded_schools.select_related("district").order_by("code"),
        "runs": selectors.recent_runs(scenario),
    }
    if run is not None and run.has_plan:
        context.update(_results(request, run))
    return render(request, "equipment/scenario_detail.html", context)


def _results(request: HttpRequest, run: PlanRun) -> dict[str, Any]:
    district = request.GET.get("district", "")[:30]
    show = request.GET.get("show", "served")
    if show not in SHOW_CHOICES:
        show = "served"
    page = Paginator(
        selectors.school_rows(run, request.user, district=district, show=show), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    schools = list(page.object_list)
    purchases = selectors.purchases_by_school(schools)
    for s in schools:
        s.bought = [  # type: ignore[attr-defined]
            {"label": item_label(p.item), "units": p.units, "year": p.year + 1, "pinned": p.pinned}
            for p in purchases.get(s.pk, [])
        ]
        s.why_not = "" if s.cost else not_served_reason(s)  # type: ignore[attr-defined]
    district_rows = selectors.district_rows(run, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "totals": selectors.run_totals(run, request.user),
        "district_rows": district_rows,
        "item_rows": [
            {**r, "label": item_label(r["item"])} for r in selectors.item_rows(run, request.user)
        ],
        "page": page,
        "schools": schools,
        "district_filter": district,
        "show": show,
        "query": query.urlencode(),
        "show_choices": [
            ("served", _("schools that get something")),
            ("unserved", _("schools that get nothing")),
            ("all", _("all schools")),
        ],
    }


@require_POST
@login_required
def scenario_run(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_for(request.user, pk)
    _ensure_can_plan(request, scenario)
    try:
        services.plan_run_start(scenario=scenario, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("equipment:scenario_detail", pk=pk)


@login_required
def plan_school(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    """One school in the scenario's latest run: what it gets and why, and what it needed;
    pin packages or exclude the school here."""
    scenario = selectors.scenario_for(request.user, pk)
    run = scenario.latest_run
    if run is None or not run.has_plan:
        raise Http404(_("This scenario has no plan yet."))
    row = selectors.plan_school_for(run, request.user, school_pk)
    purchases = selectors.purchases_by_school([row]).get(row.pk, [])
    bought = {p.key: p for p in purchases}
    pinned = set(scenario.pins.filter(school_id=school_pk).values_list("key", flat=True))
    packages = [
        {
            **p,
            "label": item_label(p["item"]),
            "cost": p["quantity"] * p["unit_cost"],
            "bought": bought.get(p["key"]),
            "pinned": p["key"] in pinned,
        }
        for p in row.packages
    ]
    context = {
        "scenario": scenario,
        "run": run,
        "row": row,
        "purchases": [
            {"p": p, "label": item_label(p.item), "reason": purchase_reason(p, row)}
            for p in purchases
        ],
        "packages": packages,
        "why_not": "" if purchases else not_served_reason(row),
        "excluded": scenario.excluded_schools.filter(pk=school_pk).exists(),
        "can_plan": selectors.can_plan(request.user, scenario.district),
        "letter_language": _letter_language(request, row.school),
    }
    return render(request, "equipment/plan_school.html", context)


def _plannable_school(request: HttpRequest, scenario: PlanScenario) -> School:
    _ensure_can_plan(request, scenario)
    school_pk = request.POST.get("school", "")
    if not school_pk.isdigit():
        raise Http404(_("No such school."))
    return get_object_or_404(visible_schools(request.user), pk=int(school_pk))


@require_POST
@login_required
def scenario_pin(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_for(request.user, pk)
    school = _plannable_school(request, scenario)
    key = request.POST.get("key", "")[:100]
    try:
        if request.POST.get("action") == "unpin":
            services.package_unpin(scenario=scenario, key=key, by=request.user)
            messages.success(request, _("Package unpinned. Run the plan again to see its effect."))
        else:
            services.package_pin(scenario=scenario, school=school, key=key, by=request.user)
            messages.success(request, _("Package pinned. Run the plan again to see its effect."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(request, scenario, school)


@require_POST
@login_required
def scenario_exclude(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_for(request.user, pk)
    school = _plannable_school(request, scenario)
    try:
        if request.POST.get("action") == "include":
            services.school_include(scenario=scenario, school=school, by=request.user)
            messages.success(
                request, _("School included again. Run the plan again to see its effect.")
            )
        else:
            services.school_exclude(scenario=scenario, school=school, by=request.user)
            messages.success(request, _("School excluded. Run the plan again to see its effect."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(request, scenario, school)


def _back(request: HttpRequest, scenario: PlanScenario, school: School) -> HttpResponse:
    if request.POST.get("next") == "scenario":
        return redirect("equipment:scenario_detail", pk=scenario.pk)
    if scenario.latest_run_id:
        return redirect("equipment:plan_school", pk=scenario.pk, school_pk=school.pk)
    return redirect("equipment:scenario_detail", pk=scenario.pk)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    scenarios = selectors.scenario_list(request.user)
    form = CompareForm(request.GET or None, scenarios=scenarios)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        missing = [s.name for s in (a, b) if s.latest_run is None or not s.latest_run.has_plan]
        if missing:
            context["missing"] = missing
        else:
            context.update(
                {"a": a, "b": b, **selectors.compare(a.latest_run, b.latest_run, request.user)}
            )
    return render(request, "equipment/compare.html", context)


# --- downloads -----------------------------------------------------------------------------


def _plan_run(request: HttpRequest, run_pk: int) -> PlanRun:
    run = selectors.run_for(request.user, run_pk)
    if not run.has_plan:
        raise Http404(_("This run has no plan."))
    return run


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    return file_response(content, content_type, filename)


def _filename(run: PlanRun, what: str, ext: str) -> str:
    name = slugify(run.scenario.name) or "plan"
    return f"{name}-{run.pk}-{what}.{ext}"


@login_required
def run_xlsx(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = _plan_run(request, run_pk)
    content = procurement_workbook(
        build.procurement_lines(run, request.user), build.procurement_summary(run, request.user)
    )
    return _attachment(content, XLSX, _filename(run, "procurement", "xlsx"))


def _letter_language(request: HttpRequest, school: School) -> str:
    asked = request.GET.get("lang", "")
    if asked in ("kk", "ru"):
        return asked
    if school.language in ("kk", "ru"):
        return school.language
    current = get_language() or "kk"
    return "ru" if current.startswith("ru") else "kk"


@login_required
def run_letter(request: HttpRequest, run_pk: int, school_pk: int) -> HttpResponse:
    """The letter to one school, in ``?lang=kk|ru`` (default: its language of teaching)."""
    run = _plan_run(request, run_pk)
    row = selectors.plan_school_for(run, request.user, school_pk)
    language = _letter_language(request, row.school)
    with translation.override(language):
        content = letters_pdf(build.letters_for(run, [row]))
    filename = f"{row.school.code}-{run.pk}-{language}.pdf"
    return file_response(content, "application/pdf", filename, inline=True)


@login_required
def run_letters(request: HttpRequest, run_pk: int) -> HttpResponse:
    """Letters to every visible school that gets something (``?district=``), one page each."""
    run = _plan_run(request, run_pk)
    language = request.GET.get("lang", "kk")
    if language not in ("kk", "ru"):
        language = "kk"
    rows = list(
        selectors.school_rows(run, request.user, district=request.GET.get("district", "")[:30])
    )
    with translation.override(language):
        content = letters_pdf(build.letters_for(run, rows))
    return _attachment(content, "application/pdf", _filename(run, f"letters-{language}", "pdf"))


@login_required
@cache_control(private=True, max_age=3600)
def run_chart(request: HttpRequest, run_pk: int, name: str) -> HttpResponse:
    run = _plan_run(request, run_pk)
    if name == "spend":
        content = build.spend_chart(run, request.user)
    elif name == "readiness":
        content = build.readiness_chart(run, request.user)
    else:
        raise Http404(_("No such chart."))
    return HttpResponse(content, content_type="image/png")
