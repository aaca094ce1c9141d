"""Demo data of the timetable app, added by the demo loader inside its transaction.

Fast (a few rows, well under a second): solving a cluster takes a minute or more, so the
demo does not solve during the load. It

- links the demo teacher's login (``teacher``, of Kumsai) to a teacher of her school, so
  "My timetable" works once the Bestamak cluster is solved;
- gives the Bestamak cluster's schools explicit timetable settings (the defaults: a 6-day
  week of 7 periods), so the settings pages show a saved row;
- when a background worker is configured (not in tests, where tasks run inline), queues
  the solve of the Bestamak cluster, started by the hub coordinator (``hub``): ``auyl
  demo`` runs it in the background once the server is up.

It changes no registry row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from auyl.registry.models import School, Teacher
from auyl.timetable.models import TeacherAccount, TimetableSettings

Progress = Callable[[str], Any]


def load_demo(*, seed: int, progress: Progress = print) -> None:
    """Add the timetable app's demo rows (see the module docstring)."""
    users = get_user_model().objects.select_related("profile__school")
    hub_user = users.filter(username="hub").first()
    hub = hub_user.profile.school if hub_user is not None else None
    if hub is None:
        hub = School.objects.filter(network_role=School.NetworkRole.HUB).order_by("code").first()
    if hub is None:
        progress("  timetable: no hub school, no demo timetable data")
        return
    cluster = list(School.objects.filter(pk=hub.pk) | School.objects.filter(hub=hub))
    TimetableSettings.objects.bulk_create(
        [TimetableSettings(school=s) for s in cluster], ignore_conflicts=True
    )
    teacher_user = users.filter(username="teacher").first()
    linked = 0
    if teacher_user is not None and teacher_user.profile.school is not None:
        teacher = (
            Teacher.objects.filter(school=teacher_user.profile.school).order_by("code").first()
        )
        if teacher is not None:
            TeacherAccount.objects.get_or_create(user=teacher_user, defaults={"teacher": teacher})
            linked = 1
    queued = _queue_solve(hub, hub_user)
    progress(
        f"  timetable: settings for {len(cluster)} schools, {linked} teacher login linked"
        + (f", solving the cluster of {hub.code} in the background" if queued else "")
    )


def _queue_solve(hub: School, by: Any) -> bool:
    if settings.HUEY.get("immediate") or by is None:
        return False
    from auyl.timetable.services import run_start

    run_start(hub=hub, by=by, time_limit=180.0, seed=0, language="ru")
    return True
