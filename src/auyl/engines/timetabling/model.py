"""The timetabling problem and its solution, as plain frozen data (no Django, no solver).

One model serves both sources of problems:

* a **FET file** (:mod:`auyl.engines.timetabling.fet`) — one school, years/groups/subgroups,
  activities with several teachers and student sets, FET's time and space constraints;
* a **cluster of schools** built by the ``auyl.timetable`` app — a hub and its magnet
  schools, class-sets with combined grades, teachers working in two schools, and broadcast
  lessons given by a hub teacher to one grade of several schools at once.

Vocabulary (see ``docs/glossary.md``):

* A **slot** is an index ``day * periods_per_day + period`` into :class:`Week`.
* A **group** is an *atomic* set of pupils that cannot be in two places at once: a FET
  subgroup, or one grade of one school. Activities name the atomic groups they occupy, so
  "no clash for a class-set or a grade" is one rule: no two activities that share a group
  overlap. (FET years and groups are expanded to their subgroups by the importer; the
  names a user knows are kept in :attr:`Problem.group_sets` for reports.)
* A **resource** is anything with a capacity per slot: a room (capacity 1), a school's
  internet link (capacity = simultaneous streams it carries), and slots in which it cannot
  be used at all. An activity uses a fixed list of resources and, optionally, *one* room
  out of a list of candidates.
* A **site** is where an activity takes place (a school). A teacher working at two sites
  needs :attr:`Teacher.travel_periods` free periods between lessons at different sites on
  one day.

Invariants (checked by :func:`auyl.engines.timetabling.validate.validate`, not here):
ids are unique within their kind; every reference names an existing id; durations are >= 1;
every slot index is ``0 <= slot < week.n_slots``.

Weights follow FET: ``weight`` is a percentage in (0, 100]; 100 means **hard**, anything
below is **soft** and its violations cost ``weight / 100`` each (so costs of our solver and
of fet-cl are counted the same way by :func:`auyl.engines.timetabling.evaluate.evaluate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

HARD = 100.0


@dataclass(frozen=True, slots=True)
class Week:
    """Days x periods. ``break_slots`` are slots in which nothing may be placed."""

    days: tuple[str, ...]
    periods: tuple[str, ...]
    break_slots: frozenset[int] = frozenset()

    @property
    def periods_per_day(self) -> int:
        return len(self.periods)

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def n_slots(self) -> int:
        return len(self.days) * len(self.periods)

    def slot(self, day: int, period: int) -> int:
        return day * len(self.periods) + period

    def day_of(self, slot: int) -> int:
        return slot // len(self.periods)

    def period_of(self, slot: int) -> int:
        return slot % len(self.periods)


@dataclass(frozen=True, slots=True)
class Teacher:
    id: str
    name: str = ""
    unavailable: frozenset[int] = frozenset()
    max_weekly_periods: int | None = None
    #: periods needed between lessons at two different sites on one day, per site pair
    #: ``(site_a, site_b)`` with ``site_a < site_b``; missing pair = no travel needed.
    travel_periods: tuple[tuple[str, str, int], ...] = ()
    #: slots the teacher would rather not teach (soft, cost 1 per lesson in them).
    disliked: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Group:
    """An atomic set of pupils (a FET subgroup, or one grade of one school)."""

    id: str
    name: str = ""
    unavailable: frozenset[int] = frozenset()
    #: primary grades must have no gaps at all (a hard rule in the cluster model).
    no_gaps: bool = False
    #: at most this many lesson periods per day (hard); None = no limit.
    max_daily_periods: int | None = None
    site: str = ""


@dataclass(frozen=True, slots=True)
class Resource:
    """A room or a school's internet link: at most ``capacity`` activities at once.

    ``unavailable`` are the slots in which nobody may use it (FET's "room not available
    times"; a link that is down in some periods): a lesson that uses it -- as a fixed
    resource or as its chosen room -- covers none of them.
    """

    id: str
    capacity: int = 1
    kind: str = "room"  # "room" | "link"
    name: str = ""
    unavailable: frozenset[int] = frozenset()


class LessonMode(StrEnum):
    """How the grades of a class-set take a subject (cluster model; FET files use JOINT)."""

    JOINT = "joint"  # all grades of the set follow the same lesson
    PARALLEL = "parallel"  # one teacher, each grade its own content, same period
    SEPARATE = "separate"  # the grade alone; the others of the set do something else
    ONLINE = "online"  # the grade joins a broadcast lesson from the hub


@dataclass(frozen=True, slots=True)
class Activity:
    """One lesson to place: ``duration`` consecutive periods on one day.

    ``split_of`` names the weekly activity it is a part of (FET's activity group id), so
    "a subject at most once a day" and "min days between" apply across its parts.
    ``broadcast`` is true for a hub teacher's online lesson; its ``groups`` then span
    several schools and ``resources`` include each joining school's link.
    """

    id: str
    subject: str
    teachers: tuple[str, ...]
    groups: tuple[str, ...]
    duration: int = 1
    site: str = ""
    resources: tuple[str, ...] = ()
    room_choices: tuple[str, ...] = ()  # pick exactly one of these rooms (empty: no room)
    split_of: str = ""
    mode: LessonMode = LessonMode.JOINT
    broadcast: bool = False
    #: a "hard" subject (mathematics, physics, ...): soft rule "not in the last period".
    hard_subject: bool = False
    #: a double period was asked for: two parts may then fall on the same day, adjacent.
    double: bool = False
    fixed_start: int | None = None  # locked by a user or by the file (FET "permanently locked")
    label: str = ""  # what a user calls it ("Algebra 7-9, Kumsai")


# ---- constraints -------------------------------------------------------------------------
# Each constraint is a frozen dataclass; the solver has one function per type (house style).


@dataclass(frozen=True, slots=True)
class PreferredStarts:
    """Activity ``activity`` starts in one of ``slots`` (FET: preferred starting time(s))."""

    activity: str
    slots: frozenset[int]
    weight: float = HARD


@dataclass(frozen=True, slots=True)
class SameStart:
    """All ``activities`` start in the same slot (FET: activities same starting time)."""

    activities: tuple[str, ...]
    weight: float = HARD


@dataclass(frozen=True, slots=True)
class MinDaysBetween:
    """Every two of ``activities`` lie at least ``min_days`` days apart.

    ``consecutive_if_same_day``: when two of them do fall on one day (only allowed when the
    constraint is soft), they must be adjacent (FET's flag of the same name).
    """

    activities: tuple[str, ...]
    min_days: int
    weight: float = HARD
    consecutive_if_same_day: bool = False


@dataclass(frozen=True, slots=True)
class MaxGaps:
    """At most ``max_gaps`` empty periods between lessons, per week or per day.

    ``who`` is "teacher" or "group"; ``ids`` empty = every teacher / every group.
    """

    who: str
    ids: tuple[str, ...]
    max_gaps: int
    per: str = "week"  # "week" | "day"
    weight: float = HARD


@dataclass(frozen=True, slots=True)
class MaxHoursDaily:
    """At most ``max_periods`` lesson periods per day for ``who`` ("teacher" | "group")."""

    who: str
    ids: tuple[str, ...]
    max_periods: int
    weight: float = HARD


@dataclass(frozen=True, slots=True)
class MaxDaysPerWeek:
    """Teacher(s) ``ids`` (empty = all) teach on at most ``max_days`` days."""

    ids: tuple[str, ...]
    max_days: int
    weight: float = HARD


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A constraint of the source file that this engine does not model (listed, not dropped)."""

    kind: str
    count: int = 1
    detail: str = ""


Constraint = PreferredStarts | SameStart | MinDaysBetween | MaxGaps | MaxHoursDaily | MaxDaysPerWeek


@dataclass(frozen=True, slots=True)
class SoftWeights:
    """Weights of the built-in soft goals of the cluster model (0 switches one off)."""

    teacher_gaps: float = 1.0
    group_gaps: float = 1.0
    subject_twice_a_day: float = 3.0
    spread: float = 1.0  # parts of one weekly activity crowded into few days
    hard_subject_last: float = 1.0
    teacher_disliked: float = 1.0


@dataclass(frozen=True, slots=True)
class Problem:
    name: str
    week: Week
    teachers: tuple[Teacher, ...]
    groups: tuple[Group, ...]
    resources: tuple[Resource, ...]
    activities: tuple[Activity, ...]
    constraints: tuple[Constraint, ...] = ()
    unsupported: tuple[Unsupported, ...] = ()
    #: soft goals beyond the explicit constraints (the cluster model turns them on; a FET
    #: import leaves them at zero so the objective is exactly FET's soft constraints).
    soft: SoftWeights = field(default_factory=lambda: SoftWeights(0, 0, 0, 0, 0, 0))
    #: user-facing names of FET years/groups -> atomic group ids, for reports and export.
    group_sets: tuple[tuple[str, tuple[str, ...]], ...] = ()


# ---- solutions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placement:
    activity: str
    start: int
    room: str | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule, in words: ``kind`` is a stable code, ``detail`` is for people."""

    kind: str
    weight: float
    cost: float
    detail: str
    activities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    hard_violations: int
    soft_cost: float
    #: soft cost per kind, e.g. {"teacher_gaps": 4.0, "min_days_between": 1.9}
    soft_by_kind: dict[str, float]
    violations: tuple[Violation, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """One requirement in the smallest conflicting set, in words a deputy head understands."""

    kind: str
    detail: str
    activities: tuple[str, ...] = ()
    teachers: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    #: rooms and links the requirement is about (room choice, capacity, availability)
    resources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Solution:
    status: str  # "optimal" | "feasible" | "infeasible" | "unknown" (time out before any)
    placements: tuple[Placement, ...]
    evaluation: Evaluation | None
    seconds: float
    first_solution_seconds: float | None
    conflicts: tuple[Conflict, ...] = ()  # filled when infeasible
    moved: tuple[str, ...] = ()  # re-solve: activities whose start or room changed
    #: the solver's own objective (soft cost + keep_weight per moved lesson); None in
    #: first-solution mode or without a timetable
    objective: float | None = None

    @property
    def feasible(self) -> bool:
        return self.status in ("optimal", "feasible")


@dataclass(frozen=True, slots=True)
class SolveOptions:
    time_limit: float = 60.0
    seed: int = 0
    workers: int = 2
    #: stop at the first complete timetable (benchmark mode "time to first")
    first_solution_only: bool = False
    #: re-solve: keep these placements where possible (cost per moved activity)
    keep: tuple[Placement, ...] = ()
    keep_weight: float = 10.0
    progress: object | None = None  # callable(fraction: float, message: str) or None
