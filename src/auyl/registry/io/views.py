"""Pages of the registry import (upload → preview → confirm → result) and the exports."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from auyl.accounts.scoping import can_import
from auyl.core.downloads import file_response
from auyl.jobs.models import Job
from auyl.registry.io.datasets import DATASETS
from auyl.registry.io.export import (
    CONTENT_TYPES,
    FORMATS,
    export_dataset,
    filename_for,
    template_file,
)
from auyl.registry.io.forms import ImportForm
from auyl.registry.io.tasks import (
    APPLY_KIND,
    PREVIEW_KIND,
    start_import_apply,
    start_import_preview,
)


def importer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, and a region administrator or a methodologist."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_import(request.user):
            raise PermissionDenied(_("Only region administrators and methodologists may import."))
        return view(request, *args, **kwargs)

    return wrapper


def _job(request: HttpRequest, pk: str, kind: str) -> Job:
    return get_object_or_404(Job, pk=pk, kind=kind, created_by=request.user)


def _progress(request: HttpRequest, job: Job, heading: str) -> HttpResponse:
    return render(request, "registry/io/import_progress.html", {"job": job, "heading": heading})


@importer_required
def import_start(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_import_preview(
            user=request.user,
            dataset=form.cleaned_data["dataset"],
            upload=form.save_upload(),
            filename=form.cleaned_data["file"].name,
            encoding=form.cleaned_data["encoding"],
        )
        return redirect("registry_io:import_preview", pk=job.pk)
    context = {"form": form, "datasets": DATASETS.values()}
    return render(
        request, "registry/io/import_start.html", context, status=400 if form.errors else 200
    )


@importer_required
def import_preview(request: HttpRequest, pk: str) -> HttpResponse:
    job = _job(request, pk, PREVIEW_KIND)
    if job.state != Job.State.DONE:
        return _progress(request, job, _("Checking the file"))
    return render(request, "registry/io/import_preview.html", {"job": job, "result": job.result})


@require_POST
@importer_required
def import_confirm(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_object_or_404(
        Job, pk=pk, kind__in=(PREVIEW_KIND, APPLY_KIND), created_by=request.user
    )
    if job.state != Job.State.DONE or (job.result or {}).get("status") not in ("ready", "stale"):
        raise Http404(_("This import cannot be confirmed."))
    applying = start_import_apply(user=request.user, checked=job)
    return redirect("registry_io:import_result", pk=applying.pk)


@importer_required
def import_result(request: HttpRequest, pk: str) -> HttpResponse:
    job = _job(request, pk, APPLY_KIND)
    if job.state != Job.State.DONE:
        return _progress(request, job, _("Writing the changes"))
    return render(request, "registry/io/import_result.html", {"job": job, "result": job.result})


def _dataset_and_format(request: HttpRequest) -> tuple[str, str]:
    dataset, fmt = request.GET.get("dataset", ""), request.GET.get("format", "csv")
    if dataset not in DATASETS or fmt not in FORMATS:
        raise Http404(_("Unknown dataset or format."))
    return dataset, fmt


def _download(content: bytes, fmt: str, filename: str) -> HttpResponse:
    return file_response(content, CONTENT_TYPES[fmt], filename)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """``?dataset=schools&format=xlsx``: the schools the user may see."""
    dataset, fmt = _dataset_and_format(request)
    return _download(export_dataset(dataset, request.user, fmt), fmt, filename_for(dataset, fmt))


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    """An empty file with the dataset's header row."""
    dataset, fmt = _dataset_and_format(request)
    content = template_file(dataset, fmt)
    return _download(content, fmt, filename_for(dataset, fmt, template=True))
