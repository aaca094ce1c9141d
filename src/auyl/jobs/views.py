from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django_htmx.http import HttpResponseClientRefresh

from auyl.jobs.models import Job


@login_required
def job_progress(request: HttpRequest, pk: str) -> HttpResponse:
    """The progress bar fragment, polled by HTMX while the job runs.

    Once the job has ended, an HTMX poll is answered with a page reload: the page showing a
    job renders its result when the job is done (the convention for every job page).
    """
    job = get_object_or_404(Job, pk=pk, created_by=request.user)
    if job.is_finished and getattr(request, "htmx", False):
        return HttpResponseClientRefresh()
    return render(request, "jobs/_progress.html", {"job": job})
