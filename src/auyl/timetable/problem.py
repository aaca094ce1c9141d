"""From the registry to the timetabling engine's :class:`Problem` of one cluster, and back.

Two layers:

1. :func:`cluster_data` reads the registry and this app's settings into plain frozen
   dataclasses (:class:`ClusterData`), in a fixed number of queries.
2. :func:`build_problem` turns a :class:`ClusterData` into an engine
   :class:`~auyl.engines.timetabling.model.Problem` plus what the app needs to store the
   result (:class:`LessonSpec` per activity) and the problems it found in the input
   (:class:`Issue`: a code, ``error`` or ``warning``, and the data for a sentence). It reads
   no database, so tests build a :class:`ClusterData` by hand.

The model, in plain words (``docs/timetable.md`` says the same for users):

- One week for the cluster: the most days and periods of its schools. A school with fewer
  days or periods, and its break periods, make those slots unavailable to its grades.
- An atomic group is one grade of one school (one class of it at a big school with
  parallel classes: ``AKT-0152/g5b``); grades 1-4 have no gaps, every grade a daily maximum.
- A class-set has one room. Per subject its lesson mode decides the activities:
  *joint* - one lesson per weekly hour for every grade of the set that takes the subject
  (the most hours among them); *parallel* - the same lessons, but a grade with fewer hours
  takes only as many of them as it needs; *separate* - each grade its own lessons, in the
  school's spare room (so the rest of the set can have another lesson); *online* - the
  grade joins the hub's broadcast of that subject for its grade. Which mode applies, and
  why, is :func:`choose_mode` (the school's choice, else a coverage gap's online lesson,
  else the default for the shape of the set), read for a cluster by
  ``selectors.effective_lesson_modes`` for the solver and the settings page alike.
- A broadcast: one hub teacher teaches subject s to grade g of up to
  :data:`BROADCAST_MAX_SCHOOLS` magnet schools at once; it uses each joining class-set's
  room and each school's internet link (and the hub's); the hub teacher's own hub lessons
  are in the same problem, so they count.
- Teachers: the lessons of a (school, subject) go to the teachers assigned to teach it
  there (a primary class teacher takes the primary class-sets), least-loaded first, the
  same teacher for one class-set. A teacher at two sites needs travel periods between them:
  road km = straight-line km x :data:`ROAD_FACTOR`, at :data:`ROAD_SPEED_KMH`, one period =
  :data:`PERIOD_MINUTES` minutes (lesson and break): ASSUMPTIONS, see the doc.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auyl.engines.curriculum import DEFAULT as DEFAULT_CURRICULUM
from auyl.engines.curriculum import PRIMARY_GRADES
from auyl.engines.planning.network import haversine_km
from auyl.engines.timetabling.model import (
    Activity,
    Group,
    LessonMode,
    Problem,
    Resource,
    SoftWeights,
    Teacher,
    Week,
)

#: Defaults of a school without :class:`~auyl.timetable.models.TimetableSettings`.
DEFAULT_DAYS = 6
DEFAULT_PERIODS = 7
DEFAULT_MAX_DAILY_PRIMARY = 5
DEFAULT_MAX_DAILY = 7
#: ASSUMPTIONS for travel between schools (no figure in the facts).
ROAD_FACTOR = 1.3  # road km ~ straight-line km x 1.3, as the network design's default
ROAD_SPEED_KMH = 60.0
PERIOD_MINUTES = 55  # a 45-minute lesson and a 10-minute break
#: ASSUMPTION: one online lesson needs about 2 Mbps; a link carries at most 6 streams.
STREAM_MBPS = 2.0
MAX_STREAMS = 6
BROADCAST_MAX_SCHOOLS = 8
#: ASSUMPTION: a hub teacher takes on broadcasts up to this many periods a week in all
#: (the demo generator's most load), or his registered weekly hours if more.
TEACHER_MAX_PERIODS = 26
#: Practical subjects need a teacher in the room: never taken online by default.
PRACTICAL_SUBJECTS = frozenset({"pe", "art", "music", "self_knowledge"})
#: ASSUMPTION: default online lessons fill at most this share of a school's spare-room
#: periods (where a grade watches a broadcast while the rest of its set has a lesson).
ONLINE_SHARE = 0.5
#: Subjects kept out of the last period when possible (soft).
HARD_SUBJECTS = frozenset({"math", "algebra", "geometry", "physics", "chemistry"})
PRIMARY_MARK = "literacy"  # a teacher qualified in literacy is a primary class teacher
SECTIONS = "abcdefghij"
DAY_CODES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


# ---- input ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolData:
    code: str
    name: str
    role: str  # "hub" | "magnet"
    latitude: float
    longitude: float
    days: int = DEFAULT_DAYS
    periods: int = DEFAULT_PERIODS
    break_periods: tuple[int, ...] = ()  # 0-based
    max_daily_primary: int = DEFAULT_MAX_DAILY_PRIMARY
    max_daily: int = DEFAULT_MAX_DAILY
    link_streams: int = 0
    spare_rooms: int = 1


@dataclass(frozen=True)
class ClassSetData:
    pk: int
    school: str  # school code
    name: str
    grades: tuple[int, ...]
    classes: int = 1  # parallel classes (a big school's single-grade set)


@dataclass(frozen=True)
class TeacherData:
    pk: int
    code: str
    name: str
    school: str  # main school code
    weekly_hours: int
    qualified: frozenset[str]
    assignments: frozenset[tuple[str, str]]  # (school code, subject code)
    unavailable: frozenset[tuple[int, int]] = frozenset()  # (day, period), 0-based

    @property
    def is_primary(self) -> bool:
        return PRIMARY_MARK in self.qualified


#: Why a class-set takes a subject in its mode (:attr:`ModeChoice.source`); the app says
#: it in words (``wording.mode_source_text``).
SOURCE_SET = "set"  # set by the school
SOURCE_HUB = "hub"  # online set at the hub itself: the hub teaches its own pupils, jointly
SOURCE_COVERAGE = "coverage"  # default: online from the hub (the network's coverage list)
SOURCE_PRIMARY_SET = "primary_set"  # default for a combined set of grades 1-4: joint
SOURCE_COMBINED_SET = "combined_set"  # default for a combined set of older grades: parallel
SOURCE_SINGLE_GRADE = "single_grade"  # default for a single-grade set: joint
#: Where a weekly-hours figure comes from (:func:`hours_and_source`).
HOURS_SCHOOL, HOURS_REGION, HOURS_DEFAULT = "school", "region", "default"


@dataclass(frozen=True)
class CoverDefault:
    """A coverage gap that makes a subject online by default: the hub that broadcasts it
    and the hub teachers proposed for it (names, most spare hours first)."""

    hub: str
    teachers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModeChoice:
    """The lesson mode of one class-set and subject before the solve, and why (``source``,
    one of the ``SOURCE_*`` codes). ``local`` is the mode taken instead when a default online
    lesson cannot be given; ``hub`` and ``teachers`` name the broadcast of a coverage gap."""

    mode: str
    source: str
    local: str
    hub: str = ""
    teachers: tuple[str, ...] = ()

    @property
    def is_set(self) -> bool:
        """Chosen by the school (a hub's online choice included), not a default."""
        return self.source in (SOURCE_SET, SOURCE_HUB)

    @property
    def set_mode(self) -> str:
        """The mode the school set ("" for a default)."""
        if self.source == SOURCE_HUB:
            return LessonMode.ONLINE.value
        return self.mode if self.source == SOURCE_SET else ""


@dataclass(frozen=True)
class ClusterData:
    hub: str
    schools: tuple[SchoolData, ...]
    class_sets: tuple[ClassSetData, ...]
    teachers: tuple[TeacherData, ...]
    #: weekly hours per (school code, subject, grade); see :func:`hours_lookup`
    hours: Callable[[str, str, int], int]
    subjects: tuple[str, ...]  # subject codes, in curriculum order
    subject_names: Mapping[str, str] = field(default_factory=dict)
    #: (set pk, subject) -> the mode and why (:func:`choose_mode`); a pair without one takes
    #: the default for the shape of its class-set
    modes: Mapping[tuple[int, str], ModeChoice] = field(default_factory=dict)
    #: hub teachers (codes) preferred for broadcasting (subject, grade), best first
    broadcasters: Mapping[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)

    def mode_choice(self, class_set: ClassSetData, subject: str) -> ModeChoice:
        """How ``class_set`` takes ``subject`` and why (:func:`choose_mode`)."""
        found = self.modes.get((class_set.pk, subject))
        if found is not None:
            return found
        role = next((s.role for s in self.schools if s.code == class_set.school), "magnet")
        return choose_mode(class_set, role=role)

    def grades_taking(self, class_set: ClassSetData, subject: str) -> list[tuple[int, int]]:
        """(grade, weekly hours) of the grades of ``class_set`` that take ``subject``."""
        out = []
        for g in class_set.grades:
            h = self.hours(class_set.school, subject, g)
            if h > 0:
                out.append((g, h))
        return out


# ---- output -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """A problem of the input: ``code`` names the sentence, ``params`` fill it in."""

    code: str
    severity: str  # "error" (cannot solve) | "warning"
    params: Mapping[str, Any]


@dataclass(frozen=True)
class GroupRef:
    """One atomic group taking a lesson, as the app stores it (:class:`LessonGroup`)."""

    school: str
    class_set: int
    grade: int
    section: str = ""


@dataclass(frozen=True)
class LessonSpec:
    """What an activity is, in the app's terms."""

    activity: str
    school: str  # where the teacher stands (the hub for a broadcast)
    subject: str
    teacher: int | None  # teacher pk
    mode: str
    broadcast: bool
    groups: tuple[GroupRef, ...]
    label: str


@dataclass(frozen=True)
class Build:
    problem: Problem
    lessons: Mapping[str, LessonSpec]
    issues: tuple[Issue, ...]

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")


# ---- defaults ---------------------------------------------------------------------------


def _shape_default(class_set: ClassSetData) -> tuple[str, str]:
    """(mode, source) of a class-set by its shape alone: a combined primary set (grades 1-4)
    takes everything jointly; a combined set of older grades takes each subject in parallel
    (one teacher, each grade its own work); a single-grade set is simply joint."""
    if len(class_set.grades) == 1:
        return LessonMode.JOINT.value, SOURCE_SINGLE_GRADE
    if max(class_set.grades) in PRIMARY_GRADES:
        return LessonMode.JOINT.value, SOURCE_PRIMARY_SET
    return LessonMode.PARALLEL.value, SOURCE_COMBINED_SET


def default_mode(class_set: ClassSetData, subject: str) -> str:
    """The lesson mode a class-set takes a subject in when nothing else decides it (the
    school set no mode and the subject is no coverage gap): see :func:`_shape_default`."""
    return _shape_default(class_set)[0]


def choose_mode(
    class_set: ClassSetData,
    *,
    role: str,
    explicit: str | None = None,
    cover: CoverDefault | None = None,
) -> ModeChoice:
    """How ``class_set`` (at a school of network ``role``) takes a subject, and why: THE rule,
    used by the solver's input and by the settings page alike.

    1. A mode the school set (``explicit``) applies; but an online mode set at the hub
       becomes joint, since the hub teaches its own pupils itself.
    2. Else a magnet's coverage gap (``cover``: no qualified teacher at the school, a hub
       teacher with spare hours, internet, not a practical subject) makes it online.
    3. Else the default for the shape of the set (:func:`_shape_default`).

    The builder may still keep a *default* online subject local (``local``) when no hub
    teacher has the time or the school's spare rooms and link are too busy."""
    local, shape = _shape_default(class_set)
    if explicit == LessonMode.ONLINE and role == "hub":
        return ModeChoice(LessonMode.JOINT.value, SOURCE_HUB, LessonMode.JOINT.value)
    if explicit:
        return ModeChoice(explicit, SOURCE_SET, local)
    if cover is not None and role != "hub":
        return ModeChoice(
            LessonMode.ONLINE.value, SOURCE_COVERAGE, local, cover.hub, cover.teachers
        )
    return ModeChoice(local, shape, local)


def streams_for(mbps: float, internet: bool) -> int:
    """Simultaneous online lessons a link carries (ASSUMPTION: :data:`STREAM_MBPS` each)."""
    if not internet or mbps <= 0:
        return 0
    return max(1, min(MAX_STREAMS, int(mbps // STREAM_MBPS)))


def travel_periods(a: SchoolData, b: SchoolData) -> int:
    """Free periods a teacher needs between lessons at ``a`` and at ``b`` on one day."""
    km = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) * ROAD_FACTOR
    minutes = km / ROAD_SPEED_KMH * 60
    return math.ceil(minutes / PERIOD_MINUTES) if km > 0.5 else 0


def hours_and_source(
    overrides: Mapping[tuple[str | None, str, int], int],
    school: str | None,
    subject: str,
    grade: int,
) -> tuple[int, str]:
    """Weekly hours of ``subject`` in ``grade`` at ``school`` (``None``: the region) and where
    the figure comes from: the school's own figure (:data:`HOURS_SCHOOL`), else the region's
    (key school ``None``, :data:`HOURS_REGION`), else the default table (an APPROXIMATION,
    :data:`HOURS_DEFAULT`)."""
    if school is not None and (school, subject, grade) in overrides:
        return overrides[(school, subject, grade)], HOURS_SCHOOL
    if (None, subject, grade) in overrides:
        return overrides[(None, subject, grade)], HOURS_REGION
    return round(DEFAULT_CURRICULUM.hours_for(subject, grade)), HOURS_DEFAULT


def hours_lookup(
    overrides: Mapping[tuple[str | None, str, int], int],
) -> Callable[[str, str, int], int]:
    """Weekly hours per (school, subject, grade), as :func:`hours_and_source` says."""

    def hours(school: str, subject: str, grade: int) -> int:
        return hours_and_source(overrides, school, subject, grade)[0]

    return hours


def week_lessons(*, days: int, periods: int, breaks: int, max_daily: int) -> int:
    """The most lessons a grade can have in a week: ``days`` x the periods of a day that are
    not breaks, at most ``max_daily`` a day."""
    return days * max(0, min(periods - breaks, max_daily))


# ---- the builder ------------------------------------------------------------------------


def group_id(school: str, grade: int, section: str = "") -> str:
    return f"{school}/g{grade}{section}"


def room_id(school: str, set_name: str, section: str = "") -> str:
    return f"room:{school}/{set_name}{section}"


def link_id(school: str) -> str:
    return f"link:{school}"


def spare_id(school: str) -> str:
    return f"spare:{school}"


@dataclass
class _Broadcast:
    """A broadcast being formed: subject, grade, weekly hours, hub teacher, joining sets."""

    subject: str
    grade: int
    hours: int
    teacher: str
    members: list[tuple[ClassSetData, str]] = field(default_factory=list)


class _Builder:
    """Collects the activities of one cluster; one method per kind of lesson."""

    def __init__(self, data: ClusterData) -> None:
        self.data = data
        self.schools = {s.code: s for s in data.schools}
        self.teachers = {t.code: t for t in data.teachers}
        self.week = Week(
            days=DAY_CODES[: max((s.days for s in data.schools), default=DEFAULT_DAYS)],
            periods=tuple(
                str(p + 1)
                for p in range(max((s.periods for s in data.schools), default=DEFAULT_PERIODS))
            ),
        )
        self.activities: list[Activity] = []
        self.lessons: dict[str, LessonSpec] = {}
        self.issues: list[Issue] = []
        self.load: dict[str, int] = defaultdict(int)  # teacher code -> periods given
        self.set_teacher: dict[tuple[int, str, str], str] = {}  # (set, section, subject)
        self.casts: dict[tuple[str, int], list[_Broadcast]] = defaultdict(list)
        self.spare_used: dict[str, int] = defaultdict(int)  # school -> default online hours

    # -- helpers --------------------------------------------------------------------------

    def name(self, subject: str) -> str:
        return self.data.subject_names.get(subject, subject)

    def issue(self, code: str, severity: str = "error", **params: Any) -> None:
        self.issues.append(Issue(code, severity, params))

    def school_unavailable(self, school: SchoolData) -> frozenset[int]:
        """Slots outside ``school``'s own week and its break periods."""
        week = self.week
        out = set()
        for day in range(week.n_days):
            for period in range(week.periods_per_day):
                if day >= school.days or period >= school.periods or period in school.break_periods:
                    out.add(week.slot(day, period))
        return frozenset(out)

    def sections(self, cs: ClassSetData) -> tuple[str, ...]:
        return ("",) if cs.classes <= 1 else tuple(SECTIONS[: min(cs.classes, len(SECTIONS))])

    def pick_teacher(self, cs: ClassSetData, section: str, subject: str, hours: int) -> str | None:
        """The teacher of ``subject`` for one class of ``cs``: the one already teaching the
        set this subject, else a fitting teacher assigned to it there, least loaded first."""
        key = (cs.pk, section, subject)
        if key in self.set_teacher:
            return self.set_teacher[key]
        assigned = [t for t in self.data.teachers if (cs.school, subject) in t.assignments]
        if not assigned:
            return None
        primary_set = max(cs.grades) in PRIMARY_GRADES
        fitting = [t for t in assigned if t.is_primary == primary_set] or assigned
        teaching_set = {
            code
            for (pk, sec, _s), code in self.set_teacher.items()
            if pk == cs.pk and sec == section
        }
        best = min(
            fitting,
            key=lambda t: (t.code not in teaching_set, self.load[t.code], t.code),
        )
        self.set_teacher[key] = best.code
        self.load[best.code] += hours
        if subject not in best.qualified:
            self.issue(
                "unqualified",
                "warning",
                teacher=best.name,
                subject=self.name(subject),
                school=self.schools[cs.school].name,
                class_set=cs.name,
            )
        return best.code

    def add(self, activity: Activity, spec: LessonSpec) -> None:
        self.activities.append(activity)
        self.lessons[activity.id] = spec

    # -- local lessons ---------------------------------------------------------------------

    def class_set(self, cs: ClassSetData) -> None:
        school = self.schools[cs.school]
        for section in self.sections(cs):
            for subject in self.data.subjects:
                taking = self.data.grades_taking(cs, subject)
                if not taking:
                    continue
                choice = self.data.mode_choice(cs, subject)
                mode = choice.mode
                if mode == LessonMode.ONLINE:
                    if not choice.is_set and not self.spare_budget(cs.school, taking):
                        mode = choice.local  # the school's rooms and link are busy enough
                    elif self.join_online(cs, section, subject, taking):
                        continue
                    elif choice.is_set:
                        self.issue(
                            "no_broadcaster",
                            subject=self.name(subject),
                            grades=", ".join(str(g) for g, _h in taking),
                            school=school.name,
                        )
                        continue
                    else:
                        mode = choice.local  # no hub teacher has the time: it stays local
                self.local_lessons(cs, section, subject, mode, taking)

    def local_lessons(
        self, cs: ClassSetData, section: str, subject: str, mode: str, taking: list[tuple[int, int]]
    ) -> None:
        hours = max(h for _g, h in taking)
        teacher = self.pick_teacher(cs, section, subject, hours)
        if teacher is None:
            self.issue(
                "no_teacher",
                subject=self.name(subject),
                school=self.schools[cs.school].name,
                class_set=cs.name,
            )
            return
        if mode == LessonMode.SEPARATE and len(taking) > 1:
            for g, h in taking:
                self.local(cs, section, subject, teacher, mode, [(g, h)], h, separate=True)
        else:
            self.local(cs, section, subject, teacher, mode, taking, hours)

    def local(
        self,
        cs: ClassSetData,
        section: str,
        subject: str,
        teacher: str,
        mode: str,
        taking: list[tuple[int, int]],
        hours: int,
        separate: bool = False,
    ) -> None:
        """``hours`` weekly lessons of ``subject`` for the grades ``taking`` of one class."""
        grade_part = f"/g{taking[0][0]}" if separate else ""
        split = f"{cs.school}/{cs.name}{section}/{subject}{grade_part}"
        room = spare_id(cs.school) if separate else room_id(cs.school, cs.name, section)
        label = f"{self.name(subject)} · {cs.name}{section}"
        for k in range(hours):
            # parallel: a grade with fewer hours takes only the first of the lessons
            grades = [g for g, h in taking if mode != LessonMode.PARALLEL or k < h]
            refs = tuple(GroupRef(cs.school, cs.pk, g, section) for g in grades)
            activity = Activity(
                id=f"{split}/{k}",
                subject=subject,
                teachers=(teacher,),
                groups=tuple(group_id(cs.school, g, section) for g in grades),
                site=cs.school,
                resources=(room,),
                split_of=split,
                mode=LessonMode(mode),
                hard_subject=subject in HARD_SUBJECTS,
                label=label,
            )
            spec = LessonSpec(
                activity.id,
                cs.school,
                subject,
                self.teachers[teacher].pk,
                mode,
                False,
                refs,
                label,
            )
            self.add(activity, spec)

    # -- broadcasts ------------------------------------------------------------------------

    def spare_budget(self, school: str, taking: list[tuple[int, int]]) -> bool:
        """Whether the school's spare rooms and internet link can take these default online
        lessons too (at most :data:`ONLINE_SHARE` of their periods); reserves them if so."""
        data = self.schools[school]
        open_slots = self.week.n_slots - len(self.school_unavailable(data))
        places = min(data.spare_rooms, data.link_streams)
        budget = int(places * open_slots * ONLINE_SHARE)
        hours = sum(h for _g, h in taking)
        if self.spare_used[school] + hours > budget:
            return False
        self.spare_used[school] += hours
        return True

    def join_online(
        self, cs: ClassSetData, section: str, subject: str, taking: list[tuple[int, int]]
    ) -> bool:
        """Put every grade of ``cs`` taking ``subject`` into a broadcast of its grade: an
        open one with the same hours, else a new one with a hub teacher who has the time.
        All or nothing: False (and nothing changed) when some grade finds no teacher."""
        extra: dict[str, int] = defaultdict(int)
        plan: list[tuple[_Broadcast, bool]] = []
        for g, h in taking:
            open_ = next(
                (
                    b
                    for b in self.casts[(subject, g)]
                    if b.hours == h and len(b.members) < BROADCAST_MAX_SCHOOLS
                ),
                None,
            )
            if open_ is not None:
                plan.append((open_, False))
                continue
            teacher = self.broadcaster(subject, g, h, extra)
            if teacher is None:
                return False
            extra[teacher] += h
            plan.append((_Broadcast(subject, g, h, teacher), True))
        for cast, new in plan:
            if new:
                self.casts[(subject, cast.grade)].append(cast)
            cast.members.append((cs, section))
        for teacher, h in extra.items():
            self.load[teacher] += h
        return True

    def broadcaster(
        self, subject: str, grade: int, hours: int, extra: Mapping[str, int]
    ) -> str | None:
        """A hub teacher with time for a broadcast (at most :data:`TEACHER_MAX_PERIODS`
        periods in all): one the network app's coverage proposes, else any hub teacher
        qualified in the subject (a primary class teacher only for grades 1-4)."""
        preferred = [
            self.teachers[c]
            for c in self.data.broadcasters.get((subject, grade), ())
            if c in self.teachers
        ]
        qualified = [
            t
            for t in self.data.teachers
            if t.school == self.data.hub
            and subject in t.qualified
            and (grade in PRIMARY_GRADES or not t.is_primary)
        ]
        fits = [
            t
            for t in preferred + qualified
            if self.load[t.code] + extra.get(t.code, 0) + hours
            <= max(t.weekly_hours, TEACHER_MAX_PERIODS)
        ]
        if not fits:
            return None
        return min(fits, key=lambda t: (t not in preferred, self.load[t.code], t.code)).code

    def broadcasts(self) -> None:
        hub = self.schools[self.data.hub]
        for (subject, grade), casts in sorted(self.casts.items()):
            for n, cast in enumerate(casts):
                self.broadcast(hub, subject, grade, n, cast)

    def broadcast(
        self,
        hub: SchoolData,
        subject: str,
        grade: int,
        n: int,
        cast: _Broadcast,
    ) -> None:
        chunk = cast.members
        for cs, _section in chunk:
            if self.schools[cs.school].link_streams <= 0:
                self.issue(
                    "no_link",
                    school=self.schools[cs.school].name,
                    subject=self.name(subject),
                    grade=grade,
                )
        weeks = {
            (s.days, s.periods, s.break_periods)
            for s in [hub, *(self.schools[cs.school] for cs, _s in chunk)]
        }
        if len(weeks) > 1:
            self.issue(
                "broadcast_weeks_differ",
                subject=self.name(subject),
                grade=grade,
                schools=", ".join(
                    f"{s.name} ({s.days}x{s.periods})"
                    for s in [hub, *(self.schools[cs.school] for cs, _s in chunk)]
                ),
            )
        hours, teacher = cast.hours, cast.teacher
        split = f"bc/{subject}/g{grade}/{n}"
        label = f"{self.name(subject)} · {grade} · {len(chunk)}"
        resources = [link_id(s.code) for s in (hub,) if s.link_streams > 0]
        for cs, _section in chunk:
            resources.append(spare_id(cs.school))
            if self.schools[cs.school].link_streams > 0:
                resources.append(link_id(cs.school))
        for k in range(hours):
            activity = Activity(
                id=f"{split}/{k}",
                subject=subject,
                teachers=(teacher,),
                groups=tuple(group_id(cs.school, grade, sec) for cs, sec in chunk),
                site=hub.code,
                resources=tuple(dict.fromkeys(resources)),
                split_of=split,
                mode=LessonMode.ONLINE,
                broadcast=True,
                hard_subject=subject in HARD_SUBJECTS,
                label=label,
            )
            refs = tuple(GroupRef(cs.school, cs.pk, grade, sec) for cs, sec in chunk)
            spec = LessonSpec(
                activity.id,
                hub.code,
                subject,
                self.teachers[teacher].pk,
                LessonMode.ONLINE.value,
                True,
                refs,
                label,
            )
            self.add(activity, spec)

    # -- the engine's entities -------------------------------------------------------------

    def groups(self) -> tuple[Group, ...]:
        out = []
        for cs in self.data.class_sets:
            school = self.schools[cs.school]
            unavailable = self.school_unavailable(school)
            for section in self.sections(cs):
                for g in cs.grades:
                    primary = g in PRIMARY_GRADES
                    out.append(
                        Group(
                            id=group_id(cs.school, g, section),
                            name=f"{school.name} {g}{section}",
                            unavailable=unavailable,
                            no_gaps=primary,
                            max_daily_periods=(
                                school.max_daily_primary if primary else school.max_daily
                            ),
                            site=cs.school,
                        )
                    )
        return tuple(out)

    def resources(self) -> tuple[Resource, ...]:
        out = [
            Resource(room_id(cs.school, cs.name, sec), 1, "room", f"{cs.school} {cs.name}{sec}")
            for cs in self.data.class_sets
            for sec in self.sections(cs)
        ]
        for s in self.data.schools:
            out.append(Resource(spare_id(s.code), max(1, s.spare_rooms), "room", s.name))
            if s.link_streams > 0:
                out.append(Resource(link_id(s.code), s.link_streams, "link", s.name))
        return tuple(out)

    def engine_teachers(self) -> tuple[Teacher, ...]:
        sites: dict[str, set[str]] = defaultdict(set)
        for a in self.activities:
            for tid in a.teachers:
                sites[tid].add(a.site)
        week = self.week
        out = []
        for t in self.data.teachers:
            if t.code not in sites:
                continue
            pairs = sorted(sites[t.code])
            travel = tuple(
                (a, b, n)
                for i, a in enumerate(pairs)
                for b in pairs[i + 1 :]
                if (n := travel_periods(self.schools[a], self.schools[b])) > 0
            )
            unavailable = frozenset(
                week.slot(d, p)
                for d, p in t.unavailable
                if d < week.n_days and p < len(week.periods)
            )
            out.append(Teacher(t.code, t.name, unavailable, None, travel))
        return tuple(out)

    # -- checks of the input ---------------------------------------------------------------

    def check_capacity(self, groups: tuple[Group, ...], teachers: tuple[Teacher, ...]) -> None:
        """Hours that cannot fit the week, per grade, per room and per teacher."""
        week = self.week
        need: dict[str, int] = defaultdict(int)
        for a in self.activities:
            rooms = (r for r in a.resources if r.startswith(("room:", "spare:", "link:")))
            for key in (*a.groups, *a.teachers, *rooms):
                need[key] += a.duration
        for g in groups:
            open_slots = [s for s in range(week.n_slots) if s not in g.unavailable]
            days = len({week.day_of(s) for s in open_slots})
            fit = min(len(open_slots), days * (g.max_daily_periods or week.periods_per_day))
            if need[g.id] > fit:
                self.issue("grade_overfull", group=g.name, needed=need[g.id], available=fit)
        for cs in self.data.class_sets:
            free = week.n_slots - len(self.school_unavailable(self.schools[cs.school]))
            for sec in self.sections(cs):
                rid = room_id(cs.school, cs.name, sec)
                if need[rid] > free:
                    self.issue(
                        "room_overfull",
                        school=self.schools[cs.school].name,
                        class_set=f"{cs.name}{sec}",
                        needed=need[rid],
                        available=free,
                    )
        for school in self.data.schools:
            free = week.n_slots - len(self.school_unavailable(school))
            sid = spare_id(school.code)
            if need[sid] > max(1, school.spare_rooms) * free:
                self.issue(
                    "spare_overfull",
                    school=school.name,
                    needed=need[sid],
                    available=max(1, school.spare_rooms) * free,
                )
            if need[link_id(school.code)] > school.link_streams * free:
                self.issue(
                    "link_overfull",
                    school=school.name,
                    needed=need[link_id(school.code)],
                    available=school.link_streams * free,
                )
        for t in teachers:
            free = week.n_slots - len(t.unavailable)
            if free == 0:
                self.issue("teacher_unavailable", teacher=t.name, needed=need[t.id])
            elif need[t.id] > free:
                self.issue("teacher_overfull", teacher=t.name, needed=need[t.id], available=free)

    def build(self) -> Build:
        hub_first = sorted(self.data.class_sets, key=lambda cs: cs.school != self.data.hub)
        for cs in hub_first:
            self.class_set(cs)
        self.broadcasts()
        groups = self.groups()
        teachers = self.engine_teachers()
        self.check_capacity(groups, teachers)
        problem = Problem(
            name=f"cluster {self.data.hub}",
            week=self.week,
            teachers=teachers,
            groups=groups,
            resources=self.resources(),
            activities=tuple(self.activities),
            soft=SoftWeights(),
        )
        return Build(problem, dict(self.lessons), tuple(self.issues))


def build_problem(data: ClusterData) -> Build:
    """The engine problem of one cluster, with its lessons and the input's issues."""
    return _Builder(data).build()


def teaching_grades(class_sets: Iterable[ClassSetData]) -> tuple[ClassSetData, ...]:
    """Class-sets restricted to the grades with a subject timetable (1-11)."""
    out = []
    for cs in class_sets:
        grades = tuple(g for g in cs.grades if 1 <= g <= 11)
        if grades:
            out.append(ClassSetData(cs.pk, cs.school, cs.name, grades, cs.classes))
    return tuple(out)


# ---- from the database ------------------------------------------------------------------


def cluster_data(hub: Any) -> ClusterData:
    """Read one cluster (``hub`` and its magnet schools) from the registry and this app's
    settings, in a fixed number of queries. The lesson modes, with the defaults from the
    network app's coverage, come from :func:`auyl.timetable.selectors.effective_lesson_modes`
    (what the settings page shows, too)."""
    from django.db.models import Q

    from auyl.network.coverage import CLASS_SIZE
    from auyl.registry.models import ClassSet, Enrolment, School, Subject
    from auyl.registry.models import Teacher as TeacherModel
    from auyl.timetable.selectors import curriculum_overrides, effective_lesson_modes

    schools = list(
        School.objects.filter(Q(pk=hub.pk) | Q(hub_id=hub.pk))
        .select_related("timetable_settings", "infrastructure", "district")
        .order_by("code")
    )
    ids = [s.pk for s in schools]
    code_of = {s.pk: s.code for s in schools}
    pupils = {(e.school_id, e.grade): e.pupils for e in Enrolment.objects.filter(school_id__in=ids)}
    sets = [
        ClassSetData(
            cs.pk,
            code_of[cs.school_id],
            cs.name,
            tuple(sorted(int(g) for g in cs.grades)),
            1
            if len(cs.grades) > 1
            else max(1, math.ceil(pupils.get((cs.school_id, cs.grades[0]), 0) / CLASS_SIZE)),
        )
        for cs in ClassSet.objects.filter(school_id__in=ids).order_by("school__code", "name")
    ]
    sets = list(teaching_grades(sets))
    rooms_used: dict[str, int] = defaultdict(int)
    for cs in sets:
        rooms_used[cs.school] += cs.classes
    school_data = tuple(_school_data(s, rooms_used[s.code]) for s in schools)

    teacher_qs = (
        TeacherModel.objects.filter(Q(school_id__in=ids) | Q(assignments__school_id__in=ids))
        .distinct()
        .select_related("school", "timetable_availability")
        .prefetch_related("subjects", "assignments__school", "assignments__subject")
        .order_by("code")
    )
    teachers = tuple(
        TeacherData(
            pk=t.pk,
            code=t.code,
            name=t.full_name,
            school=t.school.code,
            weekly_hours=t.weekly_hours,
            qualified=frozenset(s.code for s in t.subjects.all()),
            assignments=frozenset(
                (a.school.code, a.subject.code) for a in t.assignments.all() if a.school_id in ids
            ),
            unavailable=_unavailable(t),
        )
        for t in teacher_qs
    )
    subjects = {s.code: s.name for s in Subject.objects.all()}
    order = [s for s in DEFAULT_CURRICULUM.hours if s in subjects]
    region_id = schools[0].district.region_id if schools else None
    overrides = curriculum_overrides(region_id=region_id, school_codes=code_of)
    order += sorted({subject for _school, subject, _grade in overrides} - set(order))
    modes = effective_lesson_modes(hub=hub, class_sets=sets, schools=school_data, subjects=order)
    return ClusterData(
        hub=hub.code,
        schools=school_data,
        class_sets=tuple(sets),
        teachers=teachers,
        hours=hours_lookup(overrides),
        subjects=tuple(order),
        subject_names=subjects,
        modes=modes.choices,
        broadcasters=modes.broadcasters,
    )


def _school_data(school: Any, rooms_used: int) -> SchoolData:
    settings = getattr(school, "timetable_settings", None)
    infra = getattr(school, "infrastructure", None)
    internet = infra is not None and infra.internet_type != "none"
    streams = streams_for(float(infra.internet_mbps) if infra else 0.0, internet)
    if settings is not None and settings.link_streams is not None:
        streams = settings.link_streams
    rooms = infra.rooms if infra is not None else 0
    return SchoolData(
        code=school.code,
        name=school.name,
        role=school.network_role,
        latitude=school.latitude,
        longitude=school.longitude,
        days=settings.days if settings else DEFAULT_DAYS,
        periods=settings.periods_per_day if settings else DEFAULT_PERIODS,
        break_periods=tuple(p - 1 for p in settings.break_periods) if settings else (),
        max_daily_primary=settings.max_daily_primary if settings else DEFAULT_MAX_DAILY_PRIMARY,
        max_daily=settings.max_daily if settings else DEFAULT_MAX_DAILY,
        link_streams=streams,
        spare_rooms=max(1, rooms - rooms_used),
    )


def _unavailable(teacher: Any) -> frozenset[tuple[int, int]]:
    availability = getattr(teacher, "timetable_availability", None)
    if availability is None:
        return frozenset()
    return frozenset((int(d), int(p)) for d, p in availability.unavailable)
