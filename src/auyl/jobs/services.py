"""Start background jobs and report their progress.

Usage from an app::

    @huey.db_task()
    def registry_import_apply_task(job_id: str) -> None:
        with job_running(job_id) as job:
            for i, row in enumerate(rows):
                ...
                job_progress(job, i + 1, len(rows))
            job.result = {...}

    job = job_start(kind="registry_import", by=request.user, params={...},
                    task=registry_import_apply_task)

With ``AUYL_TASKS=immediate`` (tests) the task runs inside :func:`job_start`; with
``embedded`` it runs in a consumer thread of the web process; with ``redis`` in any
``auyl worker``.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from auyl.jobs.models import Job

log = logging.getLogger(__name__)


def job_start(*, kind: str, by: Any, params: dict[str, Any], task: Callable[[str], Any]) -> Job:
    job = Job.objects.create(kind=kind, created_by=by, params=params)
    job_id = str(job.pk)
    if settings.HUEY.get("immediate"):
        task(job_id)  # runs inline, so tests inside a transaction see the result at once
        job.refresh_from_db()
    else:
        # not read again once queued: a consumer may be writing the row already (with the
        # tests' shared-cache SQLite a read then made its first update fail, "table locked")
        transaction.on_commit(lambda: task(job_id))
    return job


def job_progress(job: Job, done: int, total: int, message: str = "") -> None:
    """Record progress; writes at most about one row update per percent."""
    job.done, job.total = done, total
    step = max(1, total // 100)
    if done != total and done % step:
        return
    Job.objects.filter(pk=job.pk).update(done=done, total=total, message=message[:300])


def job_progress_reporter(job: Job, message: str) -> Callable[..., None]:
    """A ``progress(done, total, message="")`` callback for services that report progress:
    it records it on ``job``, with ``message`` when the service gives none."""

    def report(done: int, total: int, new_message: str = "") -> None:
        job_progress(job, done, total, new_message or message)

    return report


@contextmanager
def job_running(job_id: str) -> Iterator[Job]:
    """Mark a job running; on exit mark it done (saving ``job.result``) or failed."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)
    try:
        yield job
    except Exception as exc:  # the job must end visibly, whatever went wrong
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED,
            error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"[:5000],
            finished_at=timezone.now(),
        )
        return
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.DONE,
        result=job.result,
        done=job.total or job.done,
        finished_at=timezone.now(),
    )
