"""Reads of the timetable app, scoped by :mod:`auyl.timetable.access`.

Grids are days x periods; each cell lists the lessons in that period. Every function
reads with a fixed number of queries, whatever the number of lessons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from auyl.accounts.scoping import AnyUser
from auyl.registry.models import ClassSet, School, Teacher
from auyl.timetable import access
from auyl.timetable.models import Lesson, LessonGroup, TimetableRun
from auyl.timetable.problem import DEFAULT_DAYS, DEFAULT_PERIODS

DAY_NAMES = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"))


@dataclass(frozen=True)
class ClusterRow:
    hub: School
    magnets: int
    run: TimetableRun | None  # the current timetable
    latest: TimetableRun | None  # the newest run, whatever its outcome


def cluster_list(user: AnyUser) -> list[ClusterRow]:
    """The clusters ``user`` may see, by hub code, with their current and latest runs."""
    hubs = list(
        access.visible_clusters(user)
        .annotate(n_magnets=Count("magnets"))
        .select_related("district")
        .order_by("code")
    )
    runs = TimetableRun.objects.filter(hub__in=hubs).order_by("hub_id", "-created_at", "-pk")
    current: dict[int, TimetableRun] = {}
    latest: dict[int, TimetableRun] = {}
    for run in runs.only("pk", "hub_id", "status", "created_at", "seconds", "result"):
        latest.setdefault(run.hub_id, run)
        if run.status == TimetableRun.Status.DONE:
            current.setdefault(run.hub_id, run)
    return [
        ClusterRow(h, getattr(h, "n_magnets", 0), current.get(h.pk), latest.get(h.pk)) for h in hubs
    ]


def latest_run(hub: School) -> TimetableRun | None:
    return TimetableRun.objects.filter(hub=hub).select_related("job").first()


def current_run(hub: School) -> TimetableRun | None:
    return (
        TimetableRun.objects.filter(hub=hub, status=TimetableRun.Status.DONE)
        .select_related("job")
        .first()
    )


def week_of(run: TimetableRun) -> tuple[int, int]:
    week = run.result.get("week") or {}
    return int(week.get("days", DEFAULT_DAYS)), int(week.get("periods", DEFAULT_PERIODS))


# ---- grids ------------------------------------------------------------------------------


@dataclass
class Cell:
    day: int
    period: int
    lessons: list[Lesson] = field(default_factory=list)


@dataclass
class Grid:
    days: list[str]
    periods: list[int]  # 1-based numbers
    rows: list[list[Cell]]  # one row per period, one cell per day

    @property
    def lessons(self) -> int:
        return sum(len(c.lessons) for row in self.rows for c in row)


def make_grid(run: TimetableRun, lessons: Iterable[Lesson]) -> Grid:
    n_days, n_periods = week_of(run)
    rows = [[Cell(d, p) for d in range(n_days)] for p in range(n_periods)]
    for lesson in lessons:
        if lesson.day < n_days and lesson.period < n_periods:
            rows[lesson.period][lesson.day].lessons.append(lesson)
    return Grid([str(d) for d in DAY_NAMES[:n_days]], list(range(1, n_periods + 1)), rows)


@dataclass
class OverviewColumn:
    """One class of a school (a class-set, with its letter when a grade is split)."""

    label: str
    class_set_id: int | None
    section: str


@dataclass
class OverviewRow:
    day: str
    period: int  # 1-based
    first_of_day: bool
    cells: list[list[Lesson]]  # one list per column


@dataclass
class Overview:
    """A school's week with its classes side by side: one row per day and period, one
    column per class (class-set and letter), and a last column for the online lessons the
    school's teachers give to other schools (a hub). Every lesson appears in each column of
    the school's classes it occupies, and nowhere else."""

    columns: list[OverviewColumn]
    rows: list[OverviewRow]
    periods_per_day: int

    @property
    def lessons(self) -> int:
        return len({x.pk for row in self.rows for cell in row.cells for x in cell})


def school_overview(run: TimetableRun, school: School, lessons: Iterable[Lesson]) -> Overview:
    n_days, n_periods = week_of(run)
    lessons = list(lessons)
    keys: dict[tuple[int | None, str], OverviewColumn] = {}
    placed: list[tuple[Lesson, list[tuple[int | None, str]]]] = []
    for lesson in lessons:
        mine = [g for g in lesson.groups.all() if g.school_id == school.pk]
        lesson_keys: list[tuple[int | None, str]] = []
        for g in mine:
            key = (g.class_set_id, g.section)
            if key not in keys:
                keys[key] = OverviewColumn(g.class_set.name + g.section, g.class_set_id, g.section)
            lesson_keys.append(key)
        placed.append((lesson, list(dict.fromkeys(lesson_keys))))
    ordered: list[tuple[int | None, str]] = sorted(keys, key=lambda k: (keys[k].label, k[1]))
    given: tuple[int | None, str] = (None, "given")
    columns = [keys[k] for k in ordered]
    if any(not taken for _lesson, taken in placed):
        ordered.append(given)
        columns.append(OverviewColumn(str(_("Online lessons given")), None, ""))
    index = {k: i for i, k in enumerate(ordered)}
    rows = [
        OverviewRow(str(DAY_NAMES[d]), p + 1, p == 0, [[] for _column in ordered])
        for d in range(n_days)
        for p in range(n_periods)
    ]
    for lesson, lesson_keys in placed:
        if lesson.day >= n_days or lesson.period >= n_periods:
            continue
        row = rows[lesson.day * n_periods + lesson.period]
        for column_key in lesson_keys or [given]:
            row.cells[index[column_key]].append(lesson)
    return Overview(columns, rows, n_periods)


def _lessons(run: TimetableRun) -> QuerySet[Lesson]:
    """The run's lessons with what a cell shows: subject, teacher, groups and schools."""
    groups = LessonGroup.objects.select_related("school", "class_set").order_by(
        "school__code", "grade", "section"
    )
    return (
        run.lessons.select_related("subject", "teacher", "school")
        .prefetch_related(Prefetch("groups", queryset=groups))
        .order_by("day", "period", "pk")
    )


def school_lessons(run: TimetableRun, school: School) -> list[Lesson]:
    """Lessons taken by the school's grades, and broadcasts its teachers give."""
    return list(
        _lessons(run).filter(Q(groups__school=school) | Q(school=school, broadcast=True)).distinct()
    )


def class_set_lessons(run: TimetableRun, class_set: ClassSet, section: str = "") -> list[Lesson]:
    q = Q(groups__class_set=class_set)
    if section:
        q &= Q(groups__section=section)
    return list(_lessons(run).filter(q).distinct())


def grade_lessons(run: TimetableRun, school: School, grade: int) -> list[Lesson]:
    return list(_lessons(run).filter(groups__school=school, groups__grade=grade).distinct())


def teacher_lessons(run: TimetableRun, teacher: Teacher) -> list[Lesson]:
    return list(_lessons(run).filter(teacher=teacher))


def teachers_of(run: TimetableRun, schools: QuerySet[School]) -> list[Teacher]:
    """Teachers with a lesson at, or for, one of ``schools`` in ``run``."""
    ids = (
        run.lessons.filter(Q(school__in=schools) | Q(groups__school__in=schools))
        .values("teacher_id")
        .distinct()
    )
    return list(Teacher.objects.filter(pk__in=ids).order_by("full_name"))


def teacher_in_view(user: AnyUser, run: TimetableRun, teacher: Teacher) -> bool:
    schools = access.schools_in_view(user, run.hub)
    at = run.lessons.filter(teacher=teacher).filter(
        Q(school__in=schools) | Q(groups__school__in=schools)
    )
    ids = set(at.values_list("school_id", flat=True)[:1])
    return access.may_see_teacher(user, teacher, ids)


# ---- broadcasts -------------------------------------------------------------------------


@dataclass(frozen=True)
class BroadcastRow:
    key: str  # the weekly series, e.g. "bc/physics/g7/0"
    subject: str
    grade: int
    teacher: Teacher | None
    slots: tuple[tuple[int, int], ...]  # (day, period), 0-based
    schools: tuple[School, ...]
    locked: int

    @property
    def slot_text(self) -> str:
        return ", ".join(f"{DAY_NAMES[d]} {p + 1}" for d, p in self.slots)


def broadcast_list(run: TimetableRun) -> list[BroadcastRow]:
    """The hub's broadcast series: subject, grade, teacher, periods, joining schools."""
    series: dict[str, list[Lesson]] = defaultdict(list)
    for lesson in _lessons(run).filter(broadcast=True):
        series[lesson.activity.rsplit("/", 1)[0]].append(lesson)
    rows = []
    for key, lessons in sorted(series.items()):
        first = lessons[0]
        groups: Sequence[LessonGroup] = list(first.groups.all())
        schools = tuple(dict.fromkeys(g.school for g in groups))
        rows.append(
            BroadcastRow(
                key=key,
                subject=first.subject.name,
                grade=groups[0].grade if groups else 0,
                teacher=first.teacher,
                slots=tuple(sorted((x.day, x.period) for x in lessons)),
                schools=schools,
                locked=sum(1 for x in lessons if x.locked),
            )
        )
    return rows


def lesson_groups_text(lesson: Lesson) -> str:
    """ "5+6 (Kumsai)" style text of who takes a lesson."""
    parts: dict[str, list[str]] = defaultdict(list)
    for g in lesson.groups.all():
        parts[g.school.name].append(f"{g.grade}{g.section}")
    return "; ".join(f"{'+'.join(v)} · {k}" for k, v in parts.items())


def class_sets_of(schools: QuerySet[School]) -> QuerySet[ClassSet]:
    return (
        ClassSet.objects.filter(school__in=schools)
        .select_related("school")
        .order_by("school__code", "name")
    )


def teaching_class_sets(class_sets: Iterable[ClassSet]) -> list[ClassSet]:
    """Class-sets with a grade 1-11 (the pre-school class has no timetable), by school and
    lowest grade."""
    kept = [cs for cs in class_sets if any(1 <= int(g) <= 11 for g in cs.grades)]
    return sorted(kept, key=lambda cs: (cs.school.code, min(int(g) for g in cs.grades), cs.name))


def grades_of(class_sets: Iterable[ClassSet]) -> dict[int, list[int]]:
    """School pk -> its grades 1-11 (from its class-sets)."""
    out: dict[int, set[int]] = defaultdict(set)
    for cs in class_sets:
        out[cs.school_id] |= {int(g) for g in cs.grades if 1 <= int(g) <= 11}
    return {k: sorted(v) for k, v in out.items()}


def run_rows(hub: School, limit: int = 10) -> list[TimetableRun]:
    return list(TimetableRun.objects.filter(hub=hub).select_related("created_by")[:limit])


def lesson_in_view(user: AnyUser, pk: int) -> Lesson | None:
    """A lesson ``user`` may open: taught at or taken by a school in view, or her own."""
    lesson = (
        Lesson.objects.select_related("run__hub", "subject", "teacher", "school")
        .filter(pk=pk)
        .first()
    )
    if lesson is None or not access.visible_clusters(user).filter(pk=lesson.run.hub_id).exists():
        return None
    mine = access.own_teacher(user)
    if mine is not None and lesson.teacher_id == mine.pk:
        return lesson
    schools = access.schools_in_view(user, lesson.run.hub)
    taken = lesson.groups.filter(school__in=schools).exists()
    return lesson if taken or schools.filter(pk=lesson.school_id).exists() else None


def lesson_context(lesson: Lesson) -> dict[str, Any]:
    return {"lesson": lesson, "who": lesson_groups_text(lesson)}
