"""Reads of the timetable app, scoped by :mod:`auyl.timetable.access`.

Grids are days x periods; each cell lists the lessons in that period. Every function
reads with a fixed number of queries, whatever the number of lessons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from auyl.accounts.scoping import AnyUser
from auyl.engines.curriculum import GRADES, PRIMARY_GRADES
from auyl.registry.models import ClassSet, Region, School, Subject, Teacher
from auyl.timetable import access
from auyl.timetable.models import (
    CurriculumHours,
    Lesson,
    LessonGroup,
    LessonMode,
    TimetableRun,
    TimetableSettings,
)
from auyl.timetable.problem import (
    DEFAULT_CURRICULUM,
    DEFAULT_DAYS,
    DEFAULT_MAX_DAILY,
    DEFAULT_MAX_DAILY_PRIMARY,
    DEFAULT_PERIODS,
    HOURS_REGION,
    HOURS_SCHOOL,
    PRACTICAL_SUBJECTS,
    ClassSetData,
    CoverDefault,
    ModeChoice,
    SchoolData,
    choose_mode,
    hours_and_source,
    week_lessons,
)

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


# ---- lesson modes -----------------------------------------------------------------------


@dataclass(frozen=True)
class LessonModes:
    """The lesson mode of every class-set and subject of a cluster, and the hub teachers
    proposed for its broadcasts ((subject, grade) -> codes, best first)."""

    choices: Mapping[tuple[int, str], ModeChoice]
    broadcasters: Mapping[tuple[str, int], tuple[str, ...]]


def effective_lesson_modes(
    *,
    hub: School,
    class_sets: Sequence[ClassSetData],
    schools: Sequence[SchoolData],
    subjects: Iterable[str],
) -> LessonModes:
    """THE lesson mode of every class-set of ``hub``'s cluster and subject, with its source
    (:func:`~auyl.timetable.problem.choose_mode`): what the school set, else online where
    the network's coverage list has a gap the hub can broadcast, else the default for the
    shape of the set. The solver's input (``problem.cluster_data``) and the settings page
    both read it from here, so the page shows what the solver gets. Three queries plus the
    coverage's."""
    from auyl.network.coverage import cluster_coverage

    explicit = {
        (set_pk, code): mode
        for set_pk, code, mode in LessonMode.objects.filter(
            class_set_id__in=[cs.pk for cs in class_sets]
        ).values_list("class_set_id", "subject__code", "mode")
    }
    covers, broadcasters = _coverage_defaults(cluster_coverage(hub), class_sets, schools)
    role = {s.code: s.role for s in schools}
    choices = {
        (cs.pk, subject): choose_mode(
            cs,
            role=role.get(cs.school, "magnet"),
            explicit=explicit.get((cs.pk, subject)),
            cover=covers.get((cs.pk, subject)),
        )
        for cs in class_sets
        for subject in subjects
    }
    return LessonModes(choices, broadcasters)


def _coverage_defaults(
    coverage: Any, class_sets: Sequence[ClassSetData], schools: Sequence[SchoolData]
) -> tuple[dict[tuple[int, str], CoverDefault], dict[tuple[str, int], tuple[str, ...]]]:
    """The coverage gaps that make a subject online by default: a magnet's subject with no
    qualified teacher, for which a hub teacher has spare hours, at a school with internet,
    except practical subjects. Also the hub teachers proposed per (subject, grade)."""
    link = {s.code: s.link_streams for s in schools}
    covers: dict[tuple[int, str], CoverDefault] = {}
    proposed: dict[tuple[str, int], list[str]] = defaultdict(list)
    for gap in coverage.gaps:
        able = sorted(gap.candidates, key=lambda c: -c.spare_hours)
        if not able or link.get(gap.school_code, 0) <= 0 or gap.subject_code in PRACTICAL_SUBJECTS:
            continue
        cover = CoverDefault(coverage.hub_name, tuple(c.full_name for c in able))
        for cs in class_sets:
            if cs.school == gap.school_code and set(cs.grades) & set(gap.grades):
                covers[(cs.pk, gap.subject_code)] = cover
        for grade in gap.grades:
            for c in able:
                if c.teacher_code not in proposed[(gap.subject_code, grade)]:
                    proposed[(gap.subject_code, grade)].append(c.teacher_code)
    return covers, {k: tuple(v) for k, v in proposed.items()}


@dataclass(frozen=True)
class ModeRow:
    """One class-set and subject of a school's lesson-mode table."""

    class_set: ClassSetData
    subject: Subject
    hours: tuple[tuple[int, int], ...]  # (grade, weekly hours) of the grades taking it
    choice: ModeChoice

    @property
    def hours_text(self) -> str:
        """ "3" when every grade has the same hours, else "1: 6, 3: 4"."""
        if len({h for _g, h in self.hours}) == 1:
            return str(self.hours[0][1])
        return ", ".join(f"{g}: {h}" for g, h in self.hours)


def school_lesson_modes(hub: School, school: School) -> list[ModeRow]:
    """Every subject each class-set of ``school`` takes (its effective curriculum hours),
    with the lesson mode the solver would get and why: read through
    ``problem.cluster_data``, exactly as a solve reads it."""
    from auyl.timetable.problem import cluster_data

    data = cluster_data(hub)
    subjects = {s.code: s for s in Subject.objects.all()}
    rows = []
    for cs in data.class_sets:
        if cs.school != school.code:
            continue
        for code in data.subjects:
            taking = data.grades_taking(cs, code)
            if taking and code in subjects:
                rows.append(ModeRow(cs, subjects[code], tuple(taking), data.mode_choice(cs, code)))
    return rows


# ---- curriculum hours -------------------------------------------------------------------


def curriculum_overrides(
    *, region_id: int | None, school_codes: Mapping[int, str]
) -> dict[tuple[str | None, str, int], int]:
    """The region's weekly hours (key school ``None``) and those of the schools
    ``school_codes`` (pk -> code), keyed as ``problem.hours_and_source`` reads them."""
    where = Q(school_id__in=list(school_codes))
    if region_id is not None:
        where |= Q(region_id=region_id)
    rows = CurriculumHours.objects.filter(where).values_list(
        "school_id", "subject__code", "grade", "hours"
    )
    return {
        (school_codes[school] if school else None, subject, grade): hours
        for school, subject, grade, hours in rows
    }


@dataclass(frozen=True)
class HoursCell:
    """One subject and grade of a curriculum table: the figure in force (``hours``), where it
    comes from (``source``: school, region or default table) and the figure one level up
    (``base``: the region's for a school, the default table's for the region)."""

    subject: str  # code
    grade: int
    hours: int
    source: str
    base: int
    own: bool  # set at the level of this table

    @property
    def name(self) -> str:
        """The cell's form field name."""
        return f"h-{self.subject}-{self.grade}"

    @property
    def differs(self) -> bool:
        return self.hours != self.base


@dataclass(frozen=True)
class HoursRow:
    subject: Subject
    cells: tuple[HoursCell, ...]  # one per grade 1-11


@dataclass(frozen=True)
class CurriculumTable:
    """Weekly hours per subject (rows) and grade (columns) of a region, or of one school
    (``school``: its own figures where it has them, else the region's)."""

    region: Region
    school: School | None
    rows: tuple[HoursRow, ...]
    capacity: tuple[int, ...]  # the most lessons a week of each grade 1-11

    grades = GRADES

    @property
    def totals(self) -> list[int]:
        return [sum(r.cells[i].hours for r in self.rows) for i in range(len(GRADES))]

    @property
    def own(self) -> int:
        """Figures set at this level (the region's, or the school's own)."""
        return sum(c.own for r in self.rows for c in r.cells)

    @property
    def differing(self) -> int:
        """Figures that differ from the level above."""
        return sum(c.differs for r in self.rows for c in r.cells)

    def cells(self) -> dict[tuple[str, int], HoursCell]:
        return {(c.subject, c.grade): c for r in self.rows for c in r.cells}


def curriculum_table(region: Region, school: School | None = None) -> CurriculumTable:
    """The weekly hours of ``region`` (or of ``school`` in it), with their sources, in the
    same precedence the solver reads them (``problem.hours_and_source``). Four queries."""
    codes = {school.pk: school.code} if school is not None else {}
    overrides = curriculum_overrides(region_id=region.pk, school_codes=codes)
    at = school.code if school is not None else None
    mine = HOURS_SCHOOL if school is not None else HOURS_REGION
    above = overrides if school is not None else {}
    subjects = {s.code: s for s in Subject.objects.all()}
    order = [c for c in DEFAULT_CURRICULUM.hours if c in subjects]
    order += sorted({subject for _s, subject, _g in overrides} - set(order))
    rows = []
    for code in order:
        cells = []
        for grade in GRADES:
            hours, source = hours_and_source(overrides, at, code, grade)
            base = hours_and_source(above, None, code, grade)[0]
            cells.append(HoursCell(code, grade, hours, source, base, source == mine))
        rows.append(HoursRow(subjects[code], tuple(cells)))
    return CurriculumTable(region, school, tuple(rows), week_capacity(school))


def week_capacity(school: School | None) -> tuple[int, ...]:
    """The most lessons a week of each grade 1-11: the school's week (its settings), or the
    default week for the region's table."""
    settings = (
        TimetableSettings.objects.filter(school=school).first() if school is not None else None
    )
    days = settings.days if settings else DEFAULT_DAYS
    periods = settings.periods_per_day if settings else DEFAULT_PERIODS
    breaks = len(settings.break_periods) if settings else 0
    primary = settings.max_daily_primary if settings else DEFAULT_MAX_DAILY_PRIMARY
    older = settings.max_daily if settings else DEFAULT_MAX_DAILY
    return tuple(
        week_lessons(
            days=days,
            periods=periods,
            breaks=breaks,
            max_daily=primary if grade in PRIMARY_GRADES else older,
        )
        for grade in GRADES
    )


@dataclass(frozen=True)
class HoursChange:
    """One change of a curriculum figure in the audit history."""

    when: Any
    who: str
    subject: str
    grade: int
    kind: str  # "+" set, "~" changed, "-" back to the level above
    before: int | None  # None: the level above applied (or unknown: a row without history)
    after: int | None  # None: back to the level above
    reason: str


def curriculum_changes(
    region: Region, school: School | None = None, limit: int = 15
) -> list[HoursChange]:
    """The newest changes to the region's (or the school's own) curriculum hours, from the
    audit history: who, when, which figure, before and after. Three queries."""
    history = CurriculumHours.history.model.objects
    where = {"school_id": school.pk} if school is not None else {"region_id": region.pk}
    records = list(
        history.filter(**where)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    names = {s.pk: s.name for s in Subject.objects.all()}
    last: dict[int, int] = {}
    out = []
    for r in records:
        deleted = r.history_type == "-"
        before = last.pop(r.id, r.hours if deleted else None)  # a deletion keeps the row's
        after = None if deleted else r.hours
        if not deleted:
            last[r.id] = r.hours
        user = r.history_user
        out.append(
            HoursChange(
                r.history_date,
                user.get_username() if user is not None else "—",
                names.get(r.subject_id, "?"),
                r.grade,
                r.history_type,
                before,
                after,
                r.history_change_reason or "",
            )
        )
    return out[::-1][:limit]
