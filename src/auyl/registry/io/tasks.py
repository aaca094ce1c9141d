"""Background jobs of an import: the preview, then the apply (see :mod:`.apply`).

Both run in the language of the user who started them (``params["language"]``), so the
problems they report read in that language, and report progress to the job's bar.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from huey.contrib.djhuey import db_task

from auyl.jobs.models import Job
from auyl.jobs.services import job_progress_reporter, job_running, job_start
from auyl.registry.io.apply import import_apply, import_preview

PREVIEW_KIND = "registry_import_preview"
APPLY_KIND = "registry_import_apply"


def run_import_preview(job_id: str) -> None:
    with job_running(job_id) as job, translation.override(job.params.get("language")):
        job.result = import_preview(
            params=job.params,
            user=job.created_by,
            progress=job_progress_reporter(job, translation.gettext("Checking rows")),
        )


def run_import_apply(job_id: str) -> None:
    with job_running(job_id) as job, translation.override(job.params.get("language")):
        job.result = import_apply(
            params=job.params,
            user=job.created_by,
            progress=job_progress_reporter(job, translation.gettext("Checking rows again")),
        )


import_preview_task = db_task(name="auyl.registry_import_preview")(run_import_preview)
import_apply_task = db_task(name="auyl.registry_import_apply")(run_import_apply)


def start_import_preview(
    *, user: Any, dataset: str, upload: str, filename: str, encoding: str
) -> Job:
    """Start checking a stored upload; the job's result is the preview."""
    params = {
        "dataset": dataset,
        "upload": upload,
        "filename": filename,
        "encoding": encoding,
        "language": translation.get_language(),
    }
    return job_start(kind=PREVIEW_KIND, by=user, params=params, task=import_preview_task)


def start_import_apply(*, user: Any, checked: Job) -> Job:
    """Start writing what the finished job ``checked`` previewed (if it is still the same)."""
    params = {
        **checked.params,
        "digest": (checked.result or {})["digest"],
        "checked": str(checked.pk),
    }
    params["language"] = translation.get_language()
    return job_start(kind=APPLY_KIND, by=user, params=params, task=import_apply_task)
