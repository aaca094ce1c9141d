"""The background job of a plan run: read the needs, solve, store (see
:func:`auyl.equipment.services.plan_run_execute`).

The job runs in the language of the user who started it (``params["language"]``), so the
messages on its progress bar read in that language.
"""

from __future__ import annotations

from django.utils import translation
from huey.contrib.djhuey import db_task

from auyl.equipment.models import PlanRun
from auyl.jobs.services import job_progress, job_running

PLAN_KIND = "equipment_plan"


def run_plan_job(job_id: str) -> None:
    from auyl.equipment import services

    with job_running(job_id) as job, translation.override(job.params.get("language")):
        run = PlanRun.objects.select_related("scenario", "created_by").get(pk=job.params["run"])

        def progress(done: int, total: int, message: str) -> None:
            job_progress(job, done, total, message)

        run = services.plan_run_execute(run, progress)
        job.total = 4
        job.result = {
            "run": run.pk,
            "status": run.status,
            "total_cost": run.total_cost,
            "objective": run.objective,
            "gap": run.gap,
            "seconds": run.seconds,
        }


plan_run_task = db_task(name="auyl.equipment_plan_run")(run_plan_job)
