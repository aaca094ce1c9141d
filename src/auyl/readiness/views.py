"""Readiness pages: the ranking (home) with its map, a school's readiness, the audit form,
norms, catalogue, needs and the audit import. Views stay thin: selectors read, services
write, forms validate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from auyl.accounts.scoping import can_edit_school, can_import, visible_districts, visible_schools
from auyl.core.downloads import file_response
from auyl.readiness import io, selectors, services
from auyl.readiness.forms import AuditForm, AuditImportForm, CatalogueForm, NormSetForm
from auyl.readiness.models import (
    AGE_LABELS,
    CONDITION_LABELS,
    DEVICE_KIND_LABELS,
    INTERNET_NORM_SOURCE,
    NORM_SOURCES,
    SKILL_LABELS,
    Audit,
    NormSet,
)
from auyl.registry.io.reading import remove_old_uploads, store_upload, upload_path
from auyl.registry.mapping import school_map
from auyl.registry.models import Region, School

PAGE_SIZE = 50
IMPORT_SESSION_KEY = "readiness_import"


def _name_field() -> str:
    return "name_kk" if (get_language() or "kk").startswith("kk") else "name_ru"


def _add_errors(form: BaseForm, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form's fields (others to the form)."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error)


def _region(request: HttpRequest) -> Region:
    region = selectors.default_region(request.user, request.GET.get("region", ""))
    if region is None:
        raise Http404(_("You see no region."))
    return region


def _visible_school(request: HttpRequest, pk: int) -> School:
    school = visible_schools(request.user).select_related("district__region").filter(pk=pk).first()
    if school is None:
        raise Http404(_("No such school, or it is outside what you may see."))
    return school


def _editable_school(request: HttpRequest, pk: int) -> School:
    school = _visible_school(request, pk)
    if not can_edit_school(request.user, school):
        raise PermissionDenied(_("You may not audit this school."))
    return school


# --- Ranking ------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Schools ranked by readiness in district and region, with filters and a map."""
    filters = selectors.RankingFilters.from_query(request.GET)
    regions = list(selectors.visible_regions(request.user))
    if not filters.region and len(regions) > 1:  # ranks are per region: start with one
        filters = replace(filters, region=regions[0].code)
    result = selectors.ranking(request.user, filters)
    page = Paginator(result.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    districts = [d for d in result.districts.values() if d.centre_lat is not None]
    visible = {d.pk for d in visible_districts(request.user)}
    labels = [
        (float(d.centre_lat or 0), float(d.centre_lon or 0), d.name)
        for d in districts
        if d.pk in visible
    ]
    drawn = sorted(result.rows, key=lambda r: -r.index)  # least ready drawn last, on top
    the_map = school_map(
        [r.as_map_row() for r in drawn],
        labels,
        _name_field(),
        kind_of=lambda row: row["band"],
    )
    href = reverse("readiness:school", args=[999999]).replace("999999", "{pk}")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "result": result,
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "regions": regions,
        "all_regions": selectors.ALL_REGIONS,
        "districts": sorted(
            (d for d in result.districts.values() if d.pk in visible), key=lambda d: d.code
        ),
        "bands": selectors.BANDS,
        "sort_choices": selectors.SORT_LABELS.items(),
        "map": the_map,
        "map_svg": the_map.svg(href, _("Map of schools coloured by readiness")),
        "can_import": can_import(request.user),
    }
    return render(request, "readiness/home.html", context)


# --- One school ---------------------------------------------------------------------------


@login_required
def school(request: HttpRequest, pk: int) -> HttpResponse:
    school = _visible_school(request, pk)
    row = selectors.school_row(school)
    region = school.district.region
    prices = selectors.catalogue_prices(region)
    norms = selectors.norms_for(region)
    context = {
        "school": school,
        "row": row,
        "components": selectors.component_rows(row),
        "needs": selectors.need_rows(row, prices, norms.engine_norms()),
        "audits": selectors.school_audits(school),
        "draft": selectors.school_draft(school),
        "can_edit": can_edit_school(request.user, school),
        "bands": selectors.BANDS,
    }
    return render(request, "readiness/school.html", context)


@login_required
def audit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's draft audit: save it (gaps allowed) or submit it as the next version."""
    school = _editable_school(request, pk)
    draft = selectors.school_draft(school)
    if draft is not None:
        instance, devices, source = draft, dict(draft.devices or {}), draft.prefilled_from
    else:
        data, devices, source = services.audit_prefill(school)
        instance = Audit(school=school, **data)
    form = AuditForm(request.POST or None, instance=instance, devices=devices)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            if submit:
                audit = services.audit_save_and_submit(
                    school=school, data=form.audit_data(), devices=form.devices(), by=request.user
                )
            else:
                audit = services.audit_draft_save(
                    school=school, data=form.audit_data(), devices=form.devices(), by=request.user
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if submit:
                messages.success(
                    request,
                    _("Audit submitted as version %(version)s. Readiness index: %(index)s.")
                    % {"version": audit.label, "index": audit.index_at_submit},
                )
                return redirect("readiness:school", pk=school.pk)
            messages.success(request, _("Draft saved. Submit it when everything is filled in."))
            return redirect("readiness:audit_edit", pk=school.pk)
    context = {
        "school": school,
        "form": form,
        "draft": draft,
        "source": source,
        "conditions": CONDITION_LABELS.values(),
    }
    status = 400 if form.errors else 200
    return render(request, "readiness/audit_form.html", context, status=status)


@require_POST
@login_required
def audit_discard(request: HttpRequest, pk: int) -> HttpResponse:
    school = _editable_school(request, pk)
    services.audit_discard(school=school, by=request.user)
    messages.success(request, _("Draft discarded."))
    return redirect("readiness:school", pk=school.pk)


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.visible_audit(request.user, pk)
    if audit is None:
        raise Http404(_("No such audit, or it is outside what you may see."))
    devices: list[dict[str, Any]] = [
        {
            "kind": DEVICE_KIND_LABELS[kind],
            "age": AGE_LABELS[age],
            "cells": [audit.device_count(f"{kind}:{age}:{c}") for c in CONDITION_LABELS],
        }
        for kind in DEVICE_KIND_LABELS
        for age in AGE_LABELS
    ]
    context = {
        "audit": audit,
        "school": audit.school,
        "devices": [d for d in devices if any(d["cells"])],
        "conditions": CONDITION_LABELS.values(),
        "levels": [
            (label, getattr(audit, name))
            for label, name in zip(SKILL_LABELS, Audit.LEVEL_FIELDS, strict=True)
        ],
    }
    return render(request, "readiness/audit_detail.html", context)


# --- Norms and catalogue ------------------------------------------------------------------


@login_required
def norms(request: HttpRequest) -> HttpResponse:
    """The region's norms: region administrators edit, everyone else reads."""
    region = _region(request)
    instance = selectors.norms_for(region)
    can_edit = services.can_edit_norms(request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("Only a region administrator may change norms and prices."))
    form = NormSetForm(request.POST or None, instance=instance) if can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.norms_update(region=region, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Norms saved. Readiness and needs now use them."))
            return redirect(f"{reverse('readiness:norms')}?region={region.code}")
    context = {
        "region": region,
        "regions": list(selectors.visible_regions(request.user)),
        "norms": instance,
        "form": form,
        "rows": selectors.norm_rows(instance),
        "internet_source": INTERNET_NORM_SOURCE,
        "sources": NORM_SOURCES,
        "history": selectors.norms_history(instance),
        "weight_fields": NormSet.WEIGHT_FIELDS,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "readiness/norms.html", context, status=status)


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    can_edit = services.can_edit_norms(request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("Only a region administrator may change norms and prices."))
    rows = selectors.catalogue_rows(region)
    form = CatalogueForm(request.POST or None, rows=rows) if can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.catalogue_update(region=region, prices=form.prices(), by=request.user)
        except ValidationError as error:
            for item, problems in error.message_dict.items():
                form.add_error(
                    f"price_{item}" if f"price_{item}" in form.fields else None, problems
                )
        else:
            messages.success(request, _("Prices saved."))
            return redirect(f"{reverse('readiness:catalogue')}?region={region.code}")
    context = {
        "region": region,
        "regions": list(selectors.visible_regions(request.user)),
        "rows": rows,
        "form": form,
        "history": selectors.catalogue_history(region),
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "readiness/catalogue.html", context, status=status)


@login_required
def needs(request: HttpRequest) -> HttpResponse:
    """What the visible schools need, by item and by district, at catalogue prices."""
    filters = selectors.RankingFilters.from_query(request.GET)
    region = _region(request)
    filters = selectors.RankingFilters(region=region.code, district=filters.district)
    result = selectors.ranking(request.user, filters)
    prices = selectors.catalogue_prices(region)
    context = {
        "region": region,
        "regions": list(selectors.visible_regions(request.user)),
        "filters": filters,
        "districts": sorted(result.districts.values(), key=lambda d: d.code),
        "totals": selectors.need_totals(result.rows, prices),
        "by_district": selectors.district_totals(result.rows),
        "result": result,
        "items": selectors.item_labels(),
    }
    return render(request, "readiness/needs.html", context)


# --- Import -------------------------------------------------------------------------------


def importer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_import(request.user):
            raise PermissionDenied(_("Only region administrators and methodologists may import."))
        return view(request, *args, **kwargs)

    return wrapper


@importer_required
def import_start(request: HttpRequest) -> HttpResponse:
    form = AuditImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        request.session[IMPORT_SESSION_KEY] = {
            "upload": store_upload(form.cleaned_data["file"]),
            "filename": form.cleaned_data["file"].name,
            "encoding": form.cleaned_data["encoding"] or "",
        }
        return redirect("readiness:import_preview")
    context = {"form": form, "dataset": io.AUDITS}
    return render(
        request, "readiness/import_start.html", context, status=400 if form.errors else 200
    )


def _pending(request: HttpRequest) -> dict[str, str]:
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending:
        raise Http404(_("No file is waiting to be imported; upload it again."))
    return dict(pending)


@importer_required
def import_preview(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    checked = io.check_file(
        upload_path(pending["upload"]),
        filename=pending["filename"],
        encoding=pending["encoding"],
        user=request.user,
    )
    context = {"checked": checked, "filename": pending["filename"]}
    return render(request, "readiness/import_preview.html", context)


@require_POST
@importer_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    path = upload_path(pending["upload"])
    checked = io.apply_file(
        path, filename=pending["filename"], encoding=pending["encoding"], user=request.user
    )
    if not checked.ok:
        messages.error(request, _("The file has problems now: nothing was imported."))
        return redirect("readiness:import_preview")
    path.unlink(missing_ok=True)
    remove_old_uploads()
    del request.session[IMPORT_SESSION_KEY]
    messages.success(
        request,
        _("%(n)s audits submitted as new versions.") % {"n": len(checked.rows)},
    )
    return redirect("readiness:home")


def _download(content: bytes, fmt: str, filename: str) -> HttpResponse:
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    return file_response(content, types[fmt], filename)


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Unknown format."))
    return fmt


@importer_required
def import_template(request: HttpRequest) -> HttpResponse:
    fmt = _format(request)
    return _download(io.template_file(fmt), fmt, f"audits-template.{fmt}")


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The latest audits of the visible schools, in the import format."""
    fmt = _format(request)
    return _download(io.export_file(request.user, fmt), fmt, f"audits.{fmt}")
