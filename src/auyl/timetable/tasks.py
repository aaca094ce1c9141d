"""The background job that solves a cluster's timetable (see ``services.run_compute``).

It runs in the language of the user who started it, so progress messages and the words
of its conflicts read in that language.
"""

from __future__ import annotations

from django.utils import translation
from huey.contrib.djhuey import db_task

from auyl.jobs.services import job_progress, job_running
from auyl.timetable.models import TimetableRun
from auyl.timetable.services import run_compute, run_mark_failed


def run_timetable(job_id: str) -> None:
    with job_running(job_id) as job, translation.override(job.params.get("language")):
        run_id = int(job.params["run"])
        try:
            run = TimetableRun.objects.select_related("hub").get(pk=run_id)
            job.result = run_compute(
                run=run,
                progress=lambda done, total, message: job_progress(job, done, total, message),
            )
        except Exception:
            run_mark_failed(run_id)
            raise


timetable_task = db_task(name="auyl.timetable")(run_timetable)
