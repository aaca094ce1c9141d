"""The background job that computes a network design (see ``services.design_compute``).

It runs in the language of the user who started it, so the progress messages and the
reasons given for unserved schools read in that language.
"""

from __future__ import annotations

from django.utils import translation
from huey.contrib.djhuey import db_task

from auyl.jobs.services import job_progress, job_running
from auyl.network.models import NetworkDesign
from auyl.network.services import design_compute, design_mark_failed


def run_network_design(job_id: str) -> None:
    with job_running(job_id) as job, translation.override(job.params.get("language")):
        design_id = int(job.params["design"])
        try:
            design = NetworkDesign.objects.get(pk=design_id)
            job.result = design_compute(
                design=design,
                progress=lambda done, total, message: job_progress(job, done, total, message),
            )
        except Exception:
            design_mark_failed(design_id)
            raise


network_design_task = db_task(name="auyl.network_design")(run_network_design)
