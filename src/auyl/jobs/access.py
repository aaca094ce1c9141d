"""Who may follow a background job's progress.

The user who started a job always may. An app whose pages show a job to other people
registers, for its kind of job, a rule saying who else may: as a rule, whoever may see the
object the job works on (a cluster's solve: whoever may open the cluster)::

    # in the app's AppConfig.ready()
    from auyl.jobs.access import register_job_viewers

    register_job_viewers("timetable", access.may_see_run_job)

A kind without a rule is followed by its creator only. To everyone else the job does not
exist (404), so its id tells nothing. The rules live with the apps, on top of
:mod:`auyl.accounts.scoping`; this module only looks them up.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeAlias

from django.core.exceptions import ImproperlyConfigured

from auyl.accounts.scoping import AnyUser
from auyl.jobs.models import Job

#: ``rule(user, job)``: may ``user`` (not the creator) follow ``job``?
JobViewers: TypeAlias = Callable[[AnyUser, Job], bool]

_VIEWERS: dict[str, JobViewers] = {}


def register_job_viewers(kind: str, rule: JobViewers) -> None:
    """Let the users ``rule`` admits follow the jobs of ``kind`` (one rule per kind)."""
    known = _VIEWERS.get(kind)
    if known is not None and known is not rule:
        raise ImproperlyConfigured(f"jobs of kind {kind!r} already have a viewers rule")
    _VIEWERS[kind] = rule


def may_see_job(user: AnyUser, job: Job) -> bool:
    """The creator, and whoever the rule registered for the job's kind admits."""
    if not user.is_authenticated:
        return False
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return True
    rule = _VIEWERS.get(job.kind)
    return rule is not None and rule(user, job)


def visible_job(user: AnyUser, pk: uuid.UUID | str) -> Job | None:
    """The job ``pk`` if ``user`` may follow it, else None (as if it did not exist)."""
    job = Job.objects.filter(pk=pk).first()
    return job if job is not None and may_see_job(user, job) else None
