"""Pages of learning-outcome monitoring: tests, their items and booklets, answer imports,
scalings and their results. Dashboards and reports live in ``report_views``.

Views stay thin: selectors read, services write, forms validate, ``access`` decides.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from auyl.core.downloads import file_response
from auyl.jobs.models import Job
from auyl.monitoring import access, selectors, services
from auyl.monitoring.forms import (
    AssessmentForm,
    BookletForm,
    ResponsesImportForm,
    ScalingForm,
    UploadForm,
    item_formset,
)
from auyl.monitoring.io.formats import ITEMS, LONG, WIDE, responses_dataset
from auyl.monitoring.io.items import import_items
from auyl.monitoring.models import Assessment, Booklet, Scaling
from auyl.monitoring.tasks import (
    APPLY_KIND,
    PREVIEW_KIND,
    start_import_apply,
    start_import_preview,
)
from auyl.registry.io.reading import store_upload, upload_path


def definer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, and a region administrator or a methodologist."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.can_define(request.user):
            raise PermissionDenied(
                _("Only region administrators and methodologists define tests and import answers.")
            )
        return view(request, *args, **kwargs)

    return wrapper


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    assessment = selectors.assessment_for(request.user, pk)
    if assessment is None:
        raise Http404(_("No such test, or it is outside what you may see."))
    return assessment


def _form_page(
    request: HttpRequest, form: Any, title: str, back: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "back": back, **extra}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "monitoring/form_page.html", context, status=status)


# --- Tests --------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "assessments": selectors.assessment_list(request.user),
        "can_define": access.can_define(request.user),
    }
    return render(request, "monitoring/home.html", context)


@definer_required
def assessment_new(request: HttpRequest) -> HttpResponse:
    form = AssessmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        assessment = services.assessment_save(data=form.cleaned_data, by=request.user)
        messages.success(request, _("The test is defined. Now give its items."))
        return redirect("monitoring:items_edit", pk=assessment.pk)
    return _form_page(request, form, _("New test"), back=reverse("monitoring:home"))


@definer_required
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    form = AssessmentForm(request.POST or None, instance=assessment, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.assessment_save(data=form.cleaned_data, by=request.user, assessment=assessment)
        messages.success(request, _("The test is saved."))
        return redirect("monitoring:assessment_detail", pk=assessment.pk)
    return _form_page(
        request,
        form,
        _("Edit the test"),
        back=reverse("monitoring:assessment_detail", args=[assessment.pk]),
    )


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    context = {
        "assessment": assessment,
        "items": assessment.items.order_by("position"),
        "booklets": selectors.booklets_of(assessment),
        "n_sittings": access.visible_sittings(request.user, assessment).count(),
        "has_sittings": assessment.sittings.exists(),
        "scalings": selectors.scalings_of(assessment),
        "can_define": access.can_define(request.user),
    }
    return render(request, "monitoring/assessment_detail.html", context)


# --- Items and booklets -------------------------------------------------------------------


@definer_required
def items_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    formset = item_formset(assessment, request.POST or None)
    if request.method == "POST" and formset.is_valid():
        try:
            services.items_replace(assessment=assessment, rows=formset.item_rows(), by=request.user)
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, _("The items are saved."))
            return redirect("monitoring:assessment_detail", pk=assessment.pk)
    context = {
        "assessment": assessment,
        "formset": formset,
        "frozen": assessment.sittings.exists(),
        "upload": UploadForm(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "monitoring/items_edit.html", context, status=status)


@require_POST
@definer_required
def items_import(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    form = UploadForm(request.POST, request.FILES)
    issues: list[Any] = []
    if form.is_valid():
        upload = store_upload(form.uploaded())
        path = upload_path(upload)
        try:
            issues = import_items(
                path,
                assessment=assessment,
                by=request.user,
                filename=form.uploaded().name or "",
                encoding=form.cleaned_data["encoding"],
            )
        finally:
            Path(path).unlink(missing_ok=True)
        if not issues:
            messages.success(request, _("The item list is imported."))
            return redirect("monitoring:assessment_detail", pk=assessment.pk)
    context = {
        "assessment": assessment,
        "formset": item_formset(assessment),
        "frozen": assessment.sittings.exists(),
        "upload": form,
        "issues": issues,
    }
    return render(request, "monitoring/items_edit.html", context, status=400)


def _booklet_page(
    request: HttpRequest, assessment: Assessment, booklet: Booklet | None
) -> HttpResponse:
    form = BookletForm(request.POST or None, instance=booklet, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        try:
            services.booklet_save(
                assessment=assessment,
                code=form.cleaned_data["code"],
                items=list(form.cleaned_data["items"]),
                by=request.user,
                booklet=booklet,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The booklet is saved."))
            return redirect("monitoring:assessment_detail", pk=assessment.pk)
    title = _("Booklet of %(test)s") % {"test": assessment.name}
    back = reverse("monitoring:assessment_detail", args=[assessment.pk])
    return _form_page(request, form, title, back=back, assessment=assessment)


@definer_required
def booklet_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _booklet_page(request, _assessment(request, pk), None)


@definer_required
def booklet_edit(request: HttpRequest, pk: int, booklet: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    return _booklet_page(request, assessment, get_object_or_404(assessment.booklets, pk=booklet))


@require_POST
@definer_required
def booklet_delete(request: HttpRequest, pk: int, booklet: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    try:
        services.booklet_delete(
            booklet=get_object_or_404(assessment.booklets, pk=booklet), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("monitoring:assessment_detail", pk=assessment.pk)


# --- Answers ------------------------------------------------------------------------------


@definer_required
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    form = ResponsesImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_import_preview(
            user=request.user,
            assessment=assessment,
            upload=store_upload(form.uploaded()),
            filename=form.uploaded().name or "",
            layout=form.cleaned_data["layout"],
            answers=form.cleaned_data["answers"],
            encoding=form.cleaned_data["encoding"],
        )
        return redirect("monitoring:import_preview", pk=assessment.pk, job=job.pk)
    codes = list(assessment.items.order_by("position").values_list("code", flat=True))
    booklets = assessment.booklets.exists()
    context = {
        "assessment": assessment,
        "form": form,
        "wide_head": responses_dataset(WIDE, codes, booklets=booklets).columns[
            : -len(codes) or None
        ],
        "long": responses_dataset(LONG, codes, booklets=booklets),
    }
    status = 400 if form.errors else 200
    return render(request, "monitoring/import_start.html", context, status=status)


def _job(request: HttpRequest, pk: str, kinds: tuple[str, ...], assessment: Assessment) -> Job:
    job = get_object_or_404(Job, pk=pk, kind__in=kinds, created_by=request.user)
    if job.params.get("assessment") != assessment.pk:
        raise Http404(_("No such import."))
    return job


@definer_required
def import_preview(request: HttpRequest, pk: int, job: str) -> HttpResponse:
    assessment = _assessment(request, pk)
    found = _job(request, job, (PREVIEW_KIND,), assessment)
    context = {"assessment": assessment, "job": found, "result": found.result, "applied": False}
    return render(request, "monitoring/import_preview.html", context)


@require_POST
@definer_required
def import_confirm(request: HttpRequest, pk: int, job: str) -> HttpResponse:
    assessment = _assessment(request, pk)
    found = _job(request, job, (PREVIEW_KIND, APPLY_KIND), assessment)
    if found.state != Job.State.DONE or (found.result or {}).get("status") not in (
        "ready",
        "stale",
    ):
        raise Http404(_("This import cannot be confirmed."))
    applying = start_import_apply(user=request.user, checked=found)
    return redirect("monitoring:import_result", pk=assessment.pk, job=applying.pk)


@definer_required
def import_result(request: HttpRequest, pk: int, job: str) -> HttpResponse:
    assessment = _assessment(request, pk)
    found = _job(request, job, (APPLY_KIND,), assessment)
    context = {"assessment": assessment, "job": found, "result": found.result, "applied": True}
    return render(request, "monitoring/import_preview.html", context)


def _csv_response(rows: list[list[str]], filename: str) -> HttpResponse:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return file_response("\ufeff" + out.getvalue(), "text/csv; charset=utf-8", filename)


@login_required
def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    """An empty answers file (``?layout=wide|long``) or item list (``?layout=items``)."""
    assessment = _assessment(request, pk)
    layout = request.GET.get("layout", WIDE)
    if layout == "items":
        return _csv_response([list(ITEMS.column_names)], f"items-{assessment.pk}.csv")
    if layout not in (WIDE, LONG):
        raise Http404(_("Unknown layout."))
    codes = list(assessment.items.order_by("position").values_list("code", flat=True))
    dataset = responses_dataset(layout, codes, booklets=assessment.booklets.exists())
    header = (
        [*dataset.column_names[: -len(codes)], *codes]
        if layout == WIDE and codes
        else list(dataset.column_names)
    )
    return _csv_response([header], f"answers-{layout}-{assessment.pk}.csv")


# --- Scalings -----------------------------------------------------------------------------


@definer_required
def scaling_new(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    form = ScalingForm(request.POST or None, candidates=selectors.base_candidates(assessment))
    if request.method == "POST" and form.is_valid():
        try:
            scaling = services.scaling_start(
                assessment=assessment,
                model=form.cleaned_data["model"],
                base=form.cleaned_data["base"],
                link_method=form.cleaned_data["link_method"] or Scaling.Link.NONE,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("monitoring:scaling_detail", pk=scaling.pk)
    title = _("Scale %(test)s") % {"test": assessment.name}
    return _form_page(
        request,
        form,
        title,
        back=reverse("monitoring:assessment_detail", args=[assessment.pk]),
        assessment=assessment,
        submit=_("Start the scaling"),
    )


@login_required
def scaling_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scaling = get_object_or_404(
        Scaling.objects.select_related("assessment__subject", "base__assessment", "job"), pk=pk
    )
    _assessment(request, scaling.assessment_id)  # 404 outside the user's region
    context: dict[str, Any] = {
        "scaling": scaling,
        "assessment": scaling.assessment,
        "failed": services.scaling_failed(scaling),
        "can_define": access.can_define(request.user),
    }
    if scaling.status == Scaling.Status.DONE:
        context.update(
            items=selectors.item_rows(scaling),
            warnings=selectors.warnings_of(scaling),
            summary=selectors.score_summary(scaling, request.user),
            schools=selectors.school_means(scaling, request.user),
            fit_range=selectors.FIT_RANGE,
        )
    return render(request, "monitoring/scaling_detail.html", context)


@require_POST
@definer_required
def scaling_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scaling = get_object_or_404(Scaling, pk=pk)
    assessment = _assessment(request, scaling.assessment_id)
    try:
        services.scaling_delete(scaling=scaling, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("monitoring:scaling_detail", pk=scaling.pk)
    return redirect("monitoring:assessment_detail", pk=assessment.pk)
