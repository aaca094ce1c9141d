"""Background jobs of monitoring: an answers import (preview, then apply) and a scaling.

Each runs in the language of the user who started it (``params["language"]``), so messages
read in that language, and reports its progress to the job's bar.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from huey.contrib.djhuey import db_task

from auyl.jobs.models import Job
from auyl.jobs.services import job_progress, job_progress_reporter, job_running, job_start
from auyl.monitoring.io.responses import responses_apply, responses_preview
from auyl.monitoring.models import Assessment, Scaling
from auyl.monitoring.scaling import mark_failed, scaling_compute

PREVIEW_KIND = "monitoring_import_preview"
APPLY_KIND = "monitoring_import_apply"
SCALING_KIND = "monitoring_scaling"


def run_import_preview(job_id: str) -> None:
    with job_running(job_id) as job, translation.override(job.params.get("language")):
        job.result = responses_preview(
            params=job.params,
            user=job.created_by,
            progress=job_progress_reporter(job, translation.gettext("Checking pupils")),
        )


def run_import_apply(job_id: str) -> None:
    with job_running(job_id) as job, translation.override(job.params.get("language")):
        job.result = responses_apply(
            params=job.params,
            user=job.created_by,
            progress=job_progress_reporter(job, translation.gettext("Checking pupils again")),
        )


def run_scaling(job_id: str) -> None:
    with job_running(job_id) as job, translation.override(job.params.get("language")):
        scaling_id = int(job.params["scaling"])
        try:
            scaling = Scaling.objects.select_related("assessment", "base").get(pk=scaling_id)
            job.result = scaling_compute(
                scaling=scaling,
                progress=lambda done, total, message: job_progress(job, done, total, message),
            )
        except Exception:
            mark_failed(scaling_id)
            raise


import_preview_task = db_task(name="auyl.monitoring_import_preview")(run_import_preview)
import_apply_task = db_task(name="auyl.monitoring_import_apply")(run_import_apply)
scaling_task = db_task(name="auyl.monitoring_scaling")(run_scaling)


def start_import_preview(
    *,
    user: Any,
    assessment: Assessment,
    upload: str,
    filename: str,
    layout: str,
    answers: str,
    encoding: str,
) -> Job:
    """Start checking a stored answers file; the job's result is the preview."""
    params = {
        "assessment": assessment.pk,
        "upload": upload,
        "filename": filename,
        "layout": layout,
        "answers": answers,
        "encoding": encoding,
        "language": translation.get_language(),
    }
    return job_start(kind=PREVIEW_KIND, by=user, params=params, task=import_preview_task)


def start_import_apply(*, user: Any, checked: Job) -> Job:
    """Write what the finished job ``checked`` previewed (if it is still exactly that)."""
    params = {**checked.params, "digest": (checked.result or {})["digest"]}
    params["language"] = translation.get_language()
    return job_start(kind=APPLY_KIND, by=user, params=params, task=import_apply_task)
