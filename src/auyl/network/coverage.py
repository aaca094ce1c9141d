"""Subject coverage of a cluster: what each magnet school cannot staff with a qualified
teacher, and which hub teachers could teach it online with their spare hours.

This is the service other apps call (the timetabling issue schedules these gaps as
broadcast lessons)::

    from auyl.network.coverage import cluster_coverage, coverage_gaps
    cluster_coverage(hub)          # -> ClusterCoverage (every school of one cluster)
    coverage_gaps(user)            # -> tuple[CoverageGap, ...] over the clusters user sees

Both return frozen dataclasses and read the registry with a fixed number of queries,
whatever the number of clusters, schools or teachers.

The rules, in plain words:

- A school teaches the grades 1-11 that have pupils (enrolment); each grade needs the
  subjects of the curriculum (:mod:`auyl.engines.curriculum`, an APPROXIMATION to check).
- A subject of a grade is staffed when a teacher who teaches at the school (it is his main
  school, or he has a teaching assignment there) is qualified in the subject. A primary
  class teacher (qualified in literacy) counts only for grades 1-4.
- The weekly hours a gap needs are the curriculum hours of the subject for each class-set
  holding those grades (a combined class-set is taught together: the most hours among its
  grades; a single-grade class-set of a big school has one class per 25 pupils).
- A hub teacher (main school: the hub) qualified in the subject may cover it (a primary
  class teacher only grades 1-4). His spare hours are his weekly hours minus his load,
  estimated the same way from the curriculum hours of what he teaches, each class-set's
  hours shared equally among the teachers assigned that subject at that school.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import get_language

from auyl.accounts.scoping import AnyUser, visible_schools
from auyl.engines.curriculum import DEFAULT, PRIMARY_GRADES, Curriculum
from auyl.network.access import visible_hubs
from auyl.registry.models import ClassSet, Enrolment, School, Subject, Teacher, TeachingAssignment

#: Pupils per parallel class when a big school's grade is one class-set (an assumption:
#: the class-size limit was not among the facts gathered).
CLASS_SIZE = 25
PRIMARY_MARK = "literacy"  # a teacher qualified in literacy is a primary class teacher


def grade_ranges(grades: Iterable[int]) -> str:
    runs: list[list[int]] = []
    for g in sorted(grades):
        if runs and g == runs[-1][-1] + 1:
            runs[-1].append(g)
        else:
            runs.append([g])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


@dataclass(frozen=True)
class CoverCandidate:
    """A hub teacher who could teach a gap online."""

    teacher_id: int
    teacher_code: str
    full_name: str
    weekly_hours: int
    load_hours: float
    spare_hours: float
    enough: bool  # spare hours cover the gap's weekly hours


@dataclass(frozen=True)
class CoverageGap:
    """A subject a magnet school cannot staff for some of its grades."""

    hub_id: int
    hub_code: str
    school_id: int
    school_code: str
    school_name: str
    subject_code: str
    subject_name: str
    grades: tuple[int, ...]
    weekly_hours: float
    candidates: tuple[CoverCandidate, ...]

    @property
    def grades_text(self) -> str:
        """The grades as ranges: (3, 4, 5, 7, 8) -> "3–5, 7–8"."""
        return grade_ranges(self.grades)

    @property
    def covered(self) -> bool:
        """Some hub teacher has enough spare hours for it."""
        return any(c.enough for c in self.candidates)


@dataclass(frozen=True)
class SchoolCoverage:
    school_id: int
    code: str
    name: str
    grades: tuple[int, ...]
    subjects_needed: int
    gaps: tuple[CoverageGap, ...]

    @property
    def subjects_staffed(self) -> int:
        return self.subjects_needed - len(self.gaps)


@dataclass(frozen=True)
class HubTeacher:
    teacher_id: int
    code: str
    full_name: str
    subjects: tuple[str, ...]  # codes
    subject_names: tuple[str, ...]  # in the active language
    weekly_hours: int
    load_hours: float
    spare_hours: float


@dataclass(frozen=True)
class ClusterCoverage:
    hub_id: int
    hub_code: str
    hub_name: str
    schools: tuple[SchoolCoverage, ...]  # the magnets, by code
    hub_teachers: tuple[HubTeacher, ...]  # most spare hours first
    curriculum_source: str

    @property
    def gaps(self) -> tuple[CoverageGap, ...]:
        return tuple(g for s in self.schools for g in s.gaps)

    @property
    def uncovered(self) -> tuple[CoverageGap, ...]:
        return tuple(g for g in self.gaps if not g.covered)

    @property
    def fully_staffed(self) -> tuple[SchoolCoverage, ...]:
        return tuple(s for s in self.schools if not s.gaps)


def _name(row: Any) -> str:
    if (get_language() or "kk").startswith("kk"):
        return row["name_kk"] or row["name_ru"]
    return row["name_ru"] or row["name_kk"]


class _Registry:
    """The slice of the registry the coverage of some clusters needs (eight queries)."""

    def __init__(
        self, hub_ids: Iterable[int], curriculum: Curriculum, max_hours: float | None = None
    ) -> None:
        self.curriculum = curriculum
        self.max_hours = max_hours
        hub_ids = list(hub_ids)
        self.schools = {
            r["pk"]: r
            for r in School.objects.filter(Q(pk__in=hub_ids) | Q(hub_id__in=hub_ids))
            .order_by("code")
            .values("pk", "code", "name_kk", "name_ru", "hub_id", "network_role")
        }
        cluster_ids = set(self.schools)
        hub_assignments = list(
            TeachingAssignment.objects.filter(teacher__school_id__in=hub_ids).values_list(
                "teacher_id", "school_id", "subject__code"
            )
        )
        relevant = cluster_ids | {school for _t, school, _s in hub_assignments}
        self.assignments = list(
            TeachingAssignment.objects.filter(school_id__in=relevant).values_list(
                "teacher_id", "school_id", "subject__code"
            )
        )
        self.enrolment: dict[int, dict[int, int]] = defaultdict(dict)
        for school, grade, pupils in Enrolment.objects.filter(school_id__in=relevant).values_list(
            "school_id", "grade", "pupils"
        ):
            if pupils > 0:
                self.enrolment[school][grade] = pupils
        self.class_sets: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        for school, grades in ClassSet.objects.filter(school_id__in=relevant).values_list(
            "school_id", "grades"
        ):
            self.class_sets[school].append(tuple(sorted(int(g) for g in grades)))
        teacher_ids = {t for t, school, _s in self.assignments if school in cluster_ids}
        self.teachers = {
            r["pk"]: r
            for r in Teacher.objects.filter(Q(school_id__in=cluster_ids) | Q(pk__in=teacher_ids))
            .order_by("full_name", "pk")
            .values("pk", "code", "full_name", "school_id", "weekly_hours")
        }
        self.qualified: dict[int, set[str]] = defaultdict(set)
        for teacher, code in Teacher.subjects.through.objects.filter(
            teacher_id__in=self.teachers
        ).values_list("teacher_id", "subject__code"):
            self.qualified[teacher].add(code)
        self.subject_names = {s.code: s.name for s in Subject.objects.all()}
        self.teaching_at: dict[int, set[int]] = defaultdict(set)  # school -> teachers
        for teacher, row in self.teachers.items():
            self.teaching_at[row["school_id"]].add(teacher)
        for teacher, school, _subject in self.assignments:
            self.teaching_at[school].add(teacher)
        self.loads = self._loads()

    def is_primary(self, teacher: int) -> bool:
        return PRIMARY_MARK in self.qualified[teacher]

    def grades(self, school: int) -> tuple[int, ...]:
        return tuple(sorted(g for g in self.enrolment[school] if 1 <= g <= 11))

    def class_sets_of(self, school: int) -> list[tuple[tuple[int, ...], int]]:
        """(grades, parallel classes) of each class-set with pupils in grades 1-11."""
        sets = self.class_sets.get(school) or [(g,) for g in self.enrolment[school]]
        out = []
        for grades in sets:
            grades = tuple(g for g in grades if 1 <= g <= 11)
            if not grades:
                continue
            pupils = self.enrolment[school].get(grades[0], 0)
            classes = 1 if len(grades) > 1 else max(1, math.ceil(pupils / CLASS_SIZE))
            out.append((grades, classes))
        return out

    def _loads(self) -> dict[int, float]:
        """Estimated weekly load of every teacher with an assignment at a relevant school."""
        assigned: dict[tuple[int, str], list[int]] = defaultdict(list)
        for teacher, school, subject in self.assignments:
            assigned[(school, subject)].append(teacher)
        load: dict[int, float] = defaultdict(float)
        for (school, subject), teachers in assigned.items():
            for grades, classes in self.class_sets_of(school):
                hours = self.curriculum.class_set_hours(subject, grades) * classes
                if not hours:
                    continue
                primary_set = max(grades) in PRIMARY_GRADES
                fitting = [t for t in teachers if self.is_primary(t) == primary_set] or teachers
                for t in fitting:
                    load[t] += hours / len(fitting)
        return load

    def hub_teacher(self, teacher: int) -> HubTeacher:
        row = self.teachers[teacher]
        load = round(self.loads.get(teacher, 0.0), 1)
        capacity = self.max_hours if self.max_hours is not None else row["weekly_hours"]
        return HubTeacher(
            teacher_id=teacher,
            code=row["code"],
            full_name=row["full_name"],
            subjects=tuple(sorted(self.qualified[teacher])),
            subject_names=tuple(
                self.subject_names.get(c, c) for c in sorted(self.qualified[teacher])
            ),
            weekly_hours=row["weekly_hours"],
            load_hours=load,
            spare_hours=round(max(0.0, capacity - load), 1),
        )

    def can_teach(self, teacher: int, subject: str, grade: int) -> bool:
        if subject not in self.qualified[teacher]:
            return False
        return grade in PRIMARY_GRADES or not self.is_primary(teacher)

    def school_coverage(
        self, school: int, hub: int, hub_teachers: list[HubTeacher]
    ) -> SchoolCoverage:
        row, hub_row = self.schools[school], self.schools[hub]
        grades = self.grades(school)
        staff = self.teaching_at[school]
        missing: dict[str, list[int]] = defaultdict(list)
        needed: set[str] = set()
        for grade in grades:
            for subject in self.curriculum.subjects_for(grade):
                needed.add(subject)
                if not any(self.can_teach(t, subject, grade) for t in staff):
                    missing[subject].append(grade)
        sets = self.class_sets_of(school)
        gaps = []
        for subject in self.curriculum.hours:  # curriculum order
            if subject not in missing:
                continue
            gap_grades = tuple(missing[subject])
            hours = sum(
                self.curriculum.class_set_hours(subject, [g for g in grades_ if g in gap_grades])
                * classes
                for grades_, classes in sets
            )
            candidates = tuple(
                CoverCandidate(
                    teacher_id=h.teacher_id,
                    teacher_code=h.code,
                    full_name=h.full_name,
                    weekly_hours=h.weekly_hours,
                    load_hours=h.load_hours,
                    spare_hours=h.spare_hours,
                    enough=h.spare_hours >= hours,
                )
                for h in hub_teachers
                if all(self.can_teach(h.teacher_id, subject, g) for g in gap_grades)
            )
            gaps.append(
                CoverageGap(
                    hub_id=hub,
                    hub_code=hub_row["code"],
                    school_id=school,
                    school_code=row["code"],
                    school_name=_name(row),
                    subject_code=subject,
                    subject_name=self.subject_names.get(subject, subject),
                    grades=gap_grades,
                    weekly_hours=float(hours),
                    candidates=candidates,
                )
            )
        return SchoolCoverage(
            school_id=school,
            code=row["code"],
            name=_name(row),
            grades=grades,
            subjects_needed=len(needed),
            gaps=tuple(gaps),
        )

    def cluster(self, hub: int, only: set[int] | None = None) -> ClusterCoverage:
        hub_row = self.schools[hub]
        hub_teachers = sorted(
            (self.hub_teacher(t) for t, r in self.teachers.items() if r["school_id"] == hub),
            key=lambda h: (-h.spare_hours, h.full_name, h.teacher_id),
        )
        magnets = [
            pk
            for pk, r in self.schools.items()
            if r["hub_id"] == hub and (only is None or pk in only)
        ]
        return ClusterCoverage(
            hub_id=hub,
            hub_code=hub_row["code"],
            hub_name=_name(hub_row),
            schools=tuple(self.school_coverage(m, hub, hub_teachers) for m in magnets),
            hub_teachers=tuple(hub_teachers),
            curriculum_source=self.curriculum.source,
        )


def cluster_coverage(
    hub: School, *, curriculum: Curriculum = DEFAULT, max_hours: float | None = None
) -> ClusterCoverage:
    """The coverage of every magnet school of ``hub``'s cluster (no scoping: callers check
    that the user may see the cluster, e.g. with ``access.can_see_cluster``).

    ``max_hours``: count a hub teacher's spare hours up to this weekly load instead of his
    registered weekly hours (e.g. 24 when hub teachers may take on extra online lessons).
    """
    return _Registry([hub.pk], curriculum, max_hours).cluster(hub.pk)


def cluster_coverage_for(
    user: AnyUser,
    hub: School,
    *,
    curriculum: Curriculum = DEFAULT,
    max_hours: float | None = None,
) -> ClusterCoverage:
    """The coverage of ``hub``'s cluster as ``user`` may see it: every magnet for those who
    see the hub, else only the schools they see (a principal: his own)."""
    return _clusters_for(user, [hub.pk], curriculum, max_hours)[0]


def _clusters_for(
    user: AnyUser, hub_ids: list[int], curriculum: Curriculum, max_hours: float | None
) -> list[ClusterCoverage]:
    registry = _Registry(hub_ids, curriculum, max_hours)
    visible = set(visible_schools(user).values_list("pk", flat=True))
    out = []
    for hub in hub_ids:
        if hub not in registry.schools:
            continue
        only = None if hub in visible else visible
        out.append(registry.cluster(hub, only))
    return out


def coverage_gaps(
    user: AnyUser, *, curriculum: Curriculum = DEFAULT, max_hours: float | None = None
) -> tuple[CoverageGap, ...]:
    """Every gap of every magnet school of the clusters ``user`` may see (scoped as in
    :func:`cluster_coverage_for`), by hub code, school code and curriculum order."""
    hub_ids = list(visible_hubs(user).order_by("code").values_list("pk", flat=True))
    clusters = _clusters_for(user, hub_ids, curriculum, max_hours)
    return tuple(g for c in clusters for g in c.gaps)
