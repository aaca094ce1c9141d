from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from auyl.jobs.models import Job


@login_required
def job_progress(request: HttpRequest, pk: str) -> HttpResponse:
    """The progress bar fragment; polled by HTMX until the job ends."""
    job = get_object_or_404(Job, pk=pk, created_by=request.user)
    return render(request, "jobs/_progress.html", {"job": job})
