"""Monitoring dashboards and reports: the results dashboard, the impact page, and PDF and
XLSX downloads. Data comes from :mod:`auyl.monitoring.analysis` (always scoped to what the
user may see); charts from :mod:`auyl.monitoring.charts`.

Query parameters shared by every view: ``series`` (``<grade>-<subject id>``; the first one
with results by default), ``year``, and to narrow the scope ``district`` (code) or
``school`` (id) — a scope the user may not see is a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from auyl.accounts.models import Role
from auyl.accounts.scoping import role_of, visible_districts, visible_schools
from auyl.core.downloads import file_response
from auyl.monitoring import analysis, charts
from auyl.monitoring.analysis import Scope, ScopeKind, Series
from auyl.registry.models import District

LANGUAGES = ("kk", "ru", "en")
SORTS = {
    "name": lambda r: r.label.lower(),
    "mean": lambda r: -(r.mean if r.mean is not None else -1e9),
    "n": lambda r: -r.n,
}


class NoResults(Exception):
    """The user's region has no computed scaling yet (or the user sees no school)."""


def _series(request: HttpRequest) -> tuple[Series, tuple[Series, ...]]:
    choices = analysis.series_choices(request.user)
    if not choices:
        raise NoResults
    wanted = request.GET.get("series", "")
    for series in choices:
        if f"{series.grade}-{series.subject_id}" == wanted:
            return series, choices
    return choices[0], choices


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _scope(request: HttpRequest) -> Scope:
    """The scope asked for (a district or school the user may see), else the widest one."""
    if school_id := _int(request.GET.get("school")):
        school = visible_schools(request.user).filter(pk=school_id).first()
        if school is None:
            raise Http404("school not visible")
        return analysis.narrow_scope(request.user, school=school)
    if code := request.GET.get("district"):
        district = visible_districts(request.user).filter(code=code).first()
        if district is None:
            raise Http404("district not visible")
        scope = analysis.narrow_scope(request.user, district=district)
        if not scope.school_ids:
            raise Http404("district not visible")
        return scope
    return analysis.default_scope(request.user)


def _base_context(request: HttpRequest) -> dict[str, Any]:
    series, choices = _series(request)
    scope = _scope(request)
    key = f"{series.grade}-{series.subject_id}"
    district_code = _district_code(scope)
    query = urlencode({"series": key, **({"district": district_code} if district_code else {})})
    if scope.school_id and request.GET.get("school"):
        query += f"&school={scope.school_id}"
    return {
        "query": query,
        "pdf_query": _pdf_query(scope, key, district_code),
        "district_code": district_code,
        "cuts_text": ", ".join(f"{c:.0f}" for c in analysis.proficiency_cuts()),
        "series": series,
        "series_choices": choices,
        "series_key": key,
        "scope": scope,
        "districts": visible_districts(request.user) if _may_compare(request) else [],
        "may_compare": _may_compare(request),
    }


def _district_code(scope: Scope) -> str:
    if scope.district_id is None:
        return ""
    return (
        District.objects.filter(pk=scope.district_id).values_list("code", flat=True).first() or ""
    )


def _pdf_query(scope: Scope, series_key: str, district_code: str) -> str:
    """The query string of this scope's PDF report ("" for a cluster, which has none)."""
    if scope.kind == ScopeKind.REGION:
        return f"series={series_key}&level=region"
    if scope.kind == ScopeKind.DISTRICT and district_code:
        return f"series={series_key}&level=district&district={district_code}"
    if scope.kind == ScopeKind.SCHOOL and scope.school_id:
        return f"series={series_key}&level=school&school={scope.school_id}"
    return ""


def _may_compare(request: HttpRequest) -> bool:
    """Region administrators and methodologists compare schools and districts."""
    return role_of(request.user) in (Role.REGION_ADMIN, Role.METHODOLOGIST)


def _sorted_schools(request: HttpRequest, rows: tuple[Any, ...]) -> list[Any]:
    query = request.GET.get("q", "").strip().lower()
    sort = request.GET.get("sort", "name")
    shown = [r for r in rows if query in r.label.lower()] if query else list(rows)
    return sorted(shown, key=SORTS.get(sort, SORTS["name"]))


def _download_series(request: HttpRequest) -> Series:
    try:
        return _series(request)[0]
    except NoResults as exc:
        raise Http404("no results") from exc


def _no_results(request: HttpRequest) -> HttpResponse:
    return render(request, "monitoring/reports/empty.html")


@login_required
@require_GET
def reports_home(request: HttpRequest) -> HttpResponse:
    """The results dashboard: trend, gaps, levels, schools table and item map."""
    try:
        context = _base_context(request)
    except NoResults:
        return _no_results(request)
    dash = analysis.dashboard(
        request.user, context["series"], context["scope"], _int(request.GET.get("year"))
    )
    context |= {
        "dash": dash,
        "schools": _sorted_schools(request, dash.schools),
        "sort": request.GET.get("sort", "name"),
        "q": request.GET.get("q", ""),
        "cuts": analysis.proficiency_cuts(),
        "level_names": analysis.level_names(),
        "group_titles": _group_titles(),
    }
    if getattr(request, "htmx", False) and request.GET.get("fragment") == "schools":
        return render(request, "monitoring/reports/_schools.html", context)
    context["charts"] = charts.cached_dashboard_charts(dash)
    return render(request, "monitoring/reports/home.html", context)


def _group_titles() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        "rural": _("Rural and urban"),
        "role": _("Hub, magnet and other schools"),
        "pilot": _("Programme and comparison schools"),
        "district": _("Districts"),
    }


@login_required
@require_GET
def reports_impact(request: HttpRequest) -> HttpResponse:
    """The programme's estimated effect with its method, checks and plain-words summary."""
    try:
        context = _base_context(request)
    except NoResults:
        return _no_results(request)
    result = analysis.impact(request.user, context["series"], context["scope"])
    context |= {"impact": result, **_impact_words(result)}
    if result.result is not None:
        context["chart"] = charts.impact_chart(result.result)
    return render(request, "monitoring/reports/impact.html", context)


def _impact_words(result: analysis.Impact) -> dict[str, Any]:
    did = result.result
    if did is None:
        return {"claims": [], "warnings": analysis.warning_sentences([result.error]), "method": ""}
    return {
        "claims": analysis.claim_sentences(did.claims),
        "warnings": analysis.warning_sentences(did.warnings),
        "method": analysis.method_sentence(did.method),
    }


def _report_scope(request: HttpRequest) -> Scope:
    """The scope of a PDF or workbook: ``level`` school, district or region (region for
    region administrators only)."""
    level = request.GET.get("level", "")
    if level == ScopeKind.REGION and role_of(request.user) is not Role.REGION_ADMIN:
        raise PermissionDenied("region reports are for region administrators")
    if level == ScopeKind.DISTRICT and not request.GET.get("district"):
        raise Http404("which district?")
    if level == ScopeKind.SCHOOL and not request.GET.get("school"):
        raise Http404("which school?")
    return _scope(request)


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in LANGUAGES else (translation.get_language() or "kk")[:2]


def _attachment(
    content: bytes, content_type: str, filename: str, inline: bool = False
) -> HttpResponse:
    return file_response(content, content_type, filename, inline=inline)


def _filename(scope: Scope, series: Series, year: int, ext: str) -> str:
    name = slugify(f"auyl-{scope.kind}-{scope.label}-{series.grade}-{year}", allow_unicode=False)
    return f"{name or 'auyl-report'}.{ext}"


@login_required
@require_GET
def reports_pdf(request: HttpRequest) -> HttpResponse:
    """A PDF report of a school, district or region in Kazakh, Russian or English."""
    from auyl.monitoring.pdf import report_pdf

    with translation.override(_language(request)):
        series = _download_series(request)
        scope = _report_scope(request)
        dash = analysis.dashboard(request.user, series, scope, _int(request.GET.get("year")))
        impact = (
            None if scope.kind == ScopeKind.SCHOOL else analysis.impact(request.user, series, scope)
        )
        content = report_pdf(dash, impact, today=timezone.localdate())
    return _attachment(content, "application/pdf", _filename(scope, series, dash.year, "pdf"))


@login_required
@require_GET
def reports_xlsx(request: HttpRequest) -> HttpResponse:
    """The dashboard's numbers as a workbook: schools, groups with CIs, item statistics."""
    from auyl.monitoring.xlsx import report_workbook

    with translation.override(_language(request)):
        series = _download_series(request)
        scope = _scope(request)
        dash = analysis.dashboard(request.user, series, scope, _int(request.GET.get("year")))
        content = report_workbook(dash)
    return _attachment(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(scope, series, dash.year, "xlsx"),
    )
