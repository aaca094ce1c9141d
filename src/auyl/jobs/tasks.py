"""A tiny background task that exercises the job machinery end to end.

``ping`` counts to ``params["n"]`` (default 10), reporting progress as it goes, and stores
``{"counted": n, "thread": ...}`` as the job's result; with ``params["fail_at"] = k`` it
raises at step ``k`` instead, so the job ends failed. The tests run it on every task
backend (immediate, embedded SQLite queue, Redis); an operator can use it to check that a
deployment's workers pick work up::

    auyl manage shell -c "from auyl.jobs.services import job_start; \\
        from auyl.jobs.tasks import ping_task; print(job_start(kind='ping', by=None, \\
        params={'n': 100}, task=ping_task).pk)"
"""

from __future__ import annotations

import threading

from huey.contrib.djhuey import db_task

from auyl.jobs.services import job_progress, job_running


class PingFailed(RuntimeError):
    pass


def ping(job_id: str) -> None:
    with job_running(job_id) as job:
        n = int(job.params.get("n", 10))
        fail_at = job.params.get("fail_at")
        for i in range(1, n + 1):
            if fail_at is not None and i == int(fail_at):
                raise PingFailed(f"asked to fail at {i}")
            job_progress(job, i, n, message=f"{i} / {n}")
        job.result = {"counted": n, "thread": threading.current_thread().name}


ping_task = db_task(name="auyl.ping")(ping)
