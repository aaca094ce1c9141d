"""Who may see and change which timetables, built on :mod:`auyl.accounts.scoping` and the
network app's cluster rules (:mod:`auyl.network.access`).

- A **region administrator** sees every cluster, builds (solves) any of them, moves and
  locks lessons, and edits every school's timetable settings and the region's curriculum.
- A **district methodologist** sees the clusters touching her district (within them only
  the schools she may see, unless the hub is hers); builds and edits the clusters whose hub
  is in her district; edits the settings of her district's schools, and, as region staff
  (like the monitoring tests she defines), the region's curriculum hours.
- A **hub coordinator** sees his cluster, builds it, moves and locks its lessons, and
  edits the timetable settings and lesson modes of its schools (a timetable right on top
  of the registry's: he edits nothing else).
- A **principal** sees her school's timetable (with the broadcasts it joins) and its
  teachers', and edits her school's settings and lesson modes.
- A **teacher** sees her own timetable (when her login is linked to her teacher record,
  :class:`~auyl.timetable.models.TeacherAccount`) and her school's.
- **Curriculum hours**: everyone with a role sees the table of the region of the schools
  he sees (read-only); a school's own hours are changed by whoever changes its settings.
- A **solve's progress** (its background job) is seen by whoever may open the cluster, not
  only by the one who started it (:func:`may_see_run_job`).
"""

from __future__ import annotations

from django.db.models import QuerySet

from auyl.accounts.models import Role
from auyl.accounts.scoping import (
    AnyUser,
    can_edit_school,
    can_import,
    profile_of,
    role_of,
    visible_schools,
)
from auyl.jobs.models import Job
from auyl.network.access import cluster_schools_in_view, visible_hubs
from auyl.registry.models import Region, School, Teacher


def visible_clusters(user: AnyUser) -> QuerySet[School]:
    """Hubs whose cluster timetable ``user`` may open."""
    return visible_hubs(user)


def schools_in_view(user: AnyUser, hub: School) -> QuerySet[School]:
    """The schools of ``hub``'s cluster whose timetable ``user`` may see."""
    return cluster_schools_in_view(user, hub)


def own_teacher(user: AnyUser) -> Teacher | None:
    """The teacher record ``user``'s login is linked to, if any."""
    if not user.is_authenticated:
        return None
    account = getattr(user, "teacher_account", None)
    return account.teacher if account is not None else None


def _coordinates(user: AnyUser, hub: School) -> bool:
    profile = profile_of(user)
    return (
        role_of(user) is Role.HUB_COORDINATOR
        and profile is not None
        and profile.school_id == hub.pk
    )


def can_solve(user: AnyUser, hub: School) -> bool:
    """Build (solve again) ``hub``'s cluster timetable."""
    role = role_of(user)
    if role is Role.REGION_ADMIN:
        return True
    if role is Role.METHODOLOGIST:
        profile = profile_of(user)
        return profile is not None and hub.district_id == profile.district_id
    return _coordinates(user, hub)


def can_edit_lessons(user: AnyUser, hub: School) -> bool:
    """Move and lock lessons of ``hub``'s cluster timetable."""
    return can_solve(user, hub)


def can_edit_settings(user: AnyUser, school: School) -> bool:
    """Change ``school``'s week, link capacity, lesson modes and curriculum hours."""
    if can_edit_school(user, school):
        return True
    hub_id = school.pk if school.network_role == School.NetworkRole.HUB else school.hub_id
    profile = profile_of(user)
    return (
        role_of(user) is Role.HUB_COORDINATOR
        and profile is not None
        and hub_id is not None
        and profile.school_id == hub_id
    )


def curriculum_regions(user: AnyUser) -> QuerySet[Region]:
    """Regions whose curriculum hours ``user`` may see: those of the schools he sees."""
    if role_of(user) is Role.REGION_ADMIN:
        return Region.objects.all()
    return Region.objects.filter(pk__in=visible_schools(user).values("district__region_id"))


def can_edit_region_curriculum(user: AnyUser, region: Region) -> bool:
    """Change ``region``'s weekly curriculum hours: region staff (the administrator and the
    district methodologists of the region)."""
    return can_import(user) and curriculum_regions(user).filter(pk=region.pk).exists()


def may_see_run_job(user: AnyUser, job: Job) -> bool:
    """A solve's job: whoever may open the cluster it solves (registered with the jobs app
    in :meth:`~auyl.timetable.apps.TimetableConfig.ready`)."""
    from auyl.timetable.models import TimetableRun

    hubs = TimetableRun.objects.filter(job=job).values("hub_id")
    return visible_clusters(user).filter(pk__in=hubs).exists()


def sees_whole_cluster(user: AnyUser, hub: School) -> bool:
    """Whether ``user`` sees every school of the cluster (the broadcast list, all teachers)."""
    return schools_in_view(user, hub).count() == School.objects.filter(hub=hub).count() + 1


def may_see_teacher(user: AnyUser, teacher: Teacher, teacher_school_ids: set[int]) -> bool:
    """A teacher's timetable: her own; else when she teaches at a school in view
    (``teacher_school_ids``: the schools of her lessons) for anyone but a teacher."""
    mine = own_teacher(user)
    if mine is not None and mine.pk == teacher.pk:
        return True
    if role_of(user) is Role.TEACHER:
        return False
    return bool(teacher_school_ids)
