from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRefresh

from auyl.jobs.access import visible_job


@login_required
def job_progress(request: HttpRequest, pk: str) -> HttpResponse:
    """The progress bar fragment, polled by HTMX while the job runs.

    Its creator sees it, and whoever the job's app lets see it (``jobs.access``): for a
    cluster's solve, everyone who may open the cluster. Anyone else gets a 404.

    Once the job has ended, an HTMX poll is answered with a page reload: the page showing a
    job renders its result when the job is done (the convention for every job page).
    """
    job = visible_job(request.user, pk)
    if job is None:
        raise Http404(_("No such job, or it is not yours to follow."))
    if job.is_finished and getattr(request, "htmx", False):
        return HttpResponseClientRefresh()
    return render(request, "jobs/_progress.html", {"job": job})
