"""An independent checker: hard violations and soft costs of any timetable.

Plain Python over the placements, written apart from the CP-SAT model so it catches solver
bugs; the benchmark counts the timetables of our solver and of fet-cl with it.

Hard rules of every timetable: each lesson once, inside one day, off breaks, off the
unavailable slots of its teachers, groups and rooms or links (fixed or chosen), in one of
its candidate rooms, no clashes, no room or link over capacity.

Semantics (FET's): a constraint of weight 100 is hard, each violation counts once in
``hard_violations``; a constraint of weight ``w < 100`` costs ``w / 100`` per violation.
What "one violation" is, per kind:

* preferred start(s): the lesson starts elsewhere -> 1;
* same start: every pair of the activities not starting together -> 1;
* min days between: every pair ``d`` days apart with ``d < min`` -> ``min - d``; with
  "consecutive if same day", two of them on one day that are not adjacent are a hard
  violation whatever the weight (as in FET);
* max gaps per week: each gap above the maximum -> 1; per day: each gap above the maximum
  on each day -> 1. A gap is an empty period between a person's first and last lesson of a
  day that is neither a break nor a period the person is unavailable;
* max hours daily: each day above the maximum -> 1;
* max days per week: each teaching day above the maximum -> 1.

The built-in goals of the cluster model (:class:`SoftWeights`, cost = weight per unit):
teacher gaps and group gaps (per gap; groups with ``no_gaps`` are hard instead), a subject
twice a day (per lesson of a subject beyond the first of a day for a group, beyond the
second when a double period is asked for), spread (the parts of a weekly activity as a soft
min-days-between with ``n_days // parts`` days), a hard subject as the last lesson of the
day of one of its groups (per lesson), a lesson in a teacher's disliked slot (per lesson and
teacher).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations

from auyl.engines.timetabling.index import (
    Index,
    covered,
    fits_in_day,
    slot_name,
    slots_text,
    split_sets,
    spread_min_days,
    travel_needs,
)
from auyl.engines.timetabling.model import (
    HARD,
    Evaluation,
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    Placement,
    PreferredStarts,
    Problem,
    SameStart,
    Violation,
    Week,
)


class _Tally:
    """Collects violations; ``hard`` ones count, soft ones cost weight/100 (or a goal weight)."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.hard = 0
        self.soft: dict[str, float] = defaultdict(float)

    def hard_one(self, kind: str, detail: str, activities: Iterable[str] = (), n: int = 1) -> None:
        if n <= 0:
            return
        self.hard += n
        self.violations.append(Violation(kind, HARD, 0.0, detail, tuple(activities)))

    def weighted(
        self, kind: str, weight: float, n: int, detail: str, activities: Iterable[str] = ()
    ) -> None:
        """A FET-weighted constraint broken ``n`` times: hard at 100, else weight/100 each."""
        if n <= 0:
            return
        if weight >= HARD:
            self.hard_one(kind, detail, activities, n)
        else:
            self.goal(kind, weight / 100.0, n, detail, activities)

    def goal(
        self, kind: str, unit_cost: float, n: int, detail: str, activities: Iterable[str] = ()
    ) -> None:
        if n <= 0 or unit_cost <= 0:
            return
        cost = unit_cost * n
        self.soft[kind] += cost
        self.violations.append(Violation(kind, unit_cost * 100.0, cost, detail, tuple(activities)))


class _Timetable:
    """The placements as lookups: start per activity, busy slots per teacher and group."""

    def __init__(self, ix: Index, placements: Sequence[Placement]) -> None:
        self.ix = ix
        self.week = ix.problem.week
        self.start: dict[str, int] = {}
        self.room: dict[str, str | None] = {}
        self.count = Counter(p.activity for p in placements)
        for p in placements:
            self.start.setdefault(p.activity, p.start)
            self.room.setdefault(p.activity, p.room)

    def slots(self, aid: str) -> range:
        a = self.ix.activity[aid]
        return covered(self.start[aid], a.duration) if aid in self.start else range(0)

    def day(self, aid: str) -> int:
        return self.week.day_of(self.start[aid])

    def busy(self, who: str, pid: str) -> Counter[int]:
        """Slot -> number of the person's lessons in it."""
        busy: Counter[int] = Counter()
        for aid in self.ix.activities_of(who, pid):
            busy.update(self.slots(aid))
        return busy

    def day_gaps(self, who: str, pid: str) -> list[int]:
        """Gaps per day (empty periods between first and last lesson, not blocked)."""
        busy = self.busy(who, pid)
        blocked = self.ix.blocked(who, pid)
        ppd = self.week.periods_per_day
        gaps = []
        for d in range(self.week.n_days):
            day_busy = [t for t in range(d * ppd, (d + 1) * ppd) if busy[t]]
            if not day_busy:
                gaps.append(0)
                continue
            first, last = day_busy[0], day_busy[-1]
            gaps.append(sum(1 for t in range(first, last + 1) if not busy[t] and t not in blocked))
        return gaps

    def day_periods(self, who: str, pid: str) -> list[int]:
        busy = self.busy(who, pid)
        per_day = [0] * self.week.n_days
        for t, n in busy.items():
            if 0 <= t < self.week.n_slots:
                per_day[self.week.day_of(t)] += n
        return per_day


def evaluate(problem: Problem, placements: Sequence[Placement]) -> Evaluation:
    """Count hard violations and soft costs of ``placements`` (see the module docstring)."""
    ix = Index.of(problem)
    tt = _Timetable(ix, placements)
    tally = _Tally()
    _check_placed(tt, tally)
    _check_clashes(tt, tally)
    _check_resources(tt, tally)
    _check_resource_availability(tt, tally)
    _check_groups(tt, tally)
    _check_teachers(tt, tally)
    for c in problem.constraints:
        _check_constraint(tt, tally, c)
    _soft_goals(tt, tally)
    soft = {k: round(v, 6) for k, v in sorted(tally.soft.items())}
    return Evaluation(tally.hard, round(sum(soft.values()), 6), soft, tuple(tally.violations))


# ---- hard rules of every timetable -------------------------------------------------------


def _check_placed(tt: _Timetable, tally: _Tally) -> None:
    """Every lesson once, within one day, off breaks and unavailable slots, in a room."""
    week, ix = tt.week, tt.ix
    for aid in tt.count:
        if aid not in ix.activity:
            tally.hard_one("unknown_activity", f"{aid} is not a lesson of this problem", [aid])
    for a in ix.problem.activities:
        name = ix.activity_name(a.id)
        n = tt.count.get(a.id, 0)
        if n != 1:
            tally.hard_one("placed_once", f"{name} is placed {n} times", [a.id])
            if n == 0:
                continue
        start = tt.start[a.id]
        if not fits_in_day(week, start, a.duration):
            tally.hard_one("day_end", f"{name} does not fit in one day", [a.id])
            continue
        slots = set(covered(start, a.duration))
        if slots & week.break_slots:
            tally.hard_one("break", f"{name} falls in a break", [a.id])
        if a.fixed_start is not None and start != a.fixed_start:
            tally.hard_one("fixed_start", f"{name} was moved from its locked slot", [a.id])
        for tid in a.teachers:
            if tid in ix.teacher and slots & ix.teacher[tid].unavailable:
                who = ix.teacher_name(tid)
                tally.hard_one("teacher_unavailable", f"{who} is unavailable for {name}", [a.id])
        for gid in a.groups:
            if gid in ix.group and slots & ix.group[gid].unavailable:
                who = ix.group_name(gid)
                tally.hard_one("group_unavailable", f"{who} is unavailable for {name}", [a.id])
        room = tt.room.get(a.id)
        if a.room_choices and room not in a.room_choices:
            tally.hard_one("room_choice", f"{name} has no room of its list", [a.id])


def _check_clashes(tt: _Timetable, tally: _Tally) -> None:
    """No teacher and no group in two lessons at once."""
    for who, ids in (("teacher", tt.ix.of_teacher), ("group", tt.ix.of_group)):
        for pid in ids:
            for t, n in sorted(tt.busy(who, pid).items()):
                name = tt.ix.teacher_name(pid) if who == "teacher" else tt.ix.group_name(pid)
                detail = f"{name} has {n} lessons at {slot_name(tt.week, t)}"
                tally.hard_one(f"{who}_clash", detail, n=n - 1)


def _check_resources(tt: _Timetable, tally: _Tally) -> None:
    """A room or link carries at most its capacity at once (fixed use + chosen room)."""
    users: dict[str, Counter[int]] = defaultdict(Counter)
    for a in tt.ix.problem.activities:
        if a.id not in tt.start:
            continue
        for rid in tt.ix.rooms_in_use(a, tt.room.get(a.id)):
            users[rid].update(tt.slots(a.id))
    for rid, busy in users.items():
        res = tt.ix.resource.get(rid)
        cap = res.capacity if res is not None else 1
        for t, n in sorted(busy.items()):
            detail = f"{rid} holds {n} lessons at {slot_name(tt.week, t)} (capacity {cap})"
            tally.hard_one("resource_capacity", detail, n=n - cap)


def _check_resource_availability(tt: _Timetable, tally: _Tally) -> None:
    """No lesson holds a room or link (fixed, or its chosen room) while it is unavailable."""
    ix = tt.ix
    for a in ix.problem.activities:
        if a.id not in tt.start:
            continue
        for rid in ix.rooms_in_use(a, tt.room.get(a.id)):
            res = ix.resource.get(rid)
            closed = sorted(res.unavailable.intersection(tt.slots(a.id))) if res else []
            if closed:
                what, when = ix.resource_name(rid, capital=True), slots_text(tt.week, closed)
                detail = f"{what} is not available for {ix.activity_name(a.id)} on {when}"
                tally.hard_one("resource_unavailable", detail, [a.id])


def _check_groups(tt: _Timetable, tally: _Tally) -> None:
    """Daily maximum and "no gaps" of each group."""
    for g in tt.ix.problem.groups:
        name = tt.ix.group_name(g.id)
        if g.max_daily_periods is not None:
            over = sum(1 for n in tt.day_periods("group", g.id) if n > g.max_daily_periods)
            detail = f"{name} has more than {g.max_daily_periods} lessons on a day"
            tally.hard_one("group_daily_max", detail, n=over)
        if g.no_gaps:
            gaps = sum(tt.day_gaps("group", g.id))
            tally.hard_one("group_no_gaps", f"{name} has {gaps} gap(s)", n=gaps)


def _check_teachers(tt: _Timetable, tally: _Tally) -> None:
    """Weekly load and travel between sites of each teacher."""
    ix = tt.ix
    for teacher in ix.problem.teachers:
        name = ix.teacher_name(teacher.id)
        load = ix.weekly_periods("teacher", teacher.id)
        if teacher.max_weekly_periods is not None and load > teacher.max_weekly_periods:
            tally.hard_one("teacher_max_load", f"{name} teaches {load} periods")
        need = travel_needs(teacher)
        if not need:
            continue
        placed = [aid for aid in ix.of_teacher.get(teacher.id, []) if aid in tt.start]
        for a1, a2 in combinations(placed, 2):
            if tt.day(a1) != tt.day(a2):
                continue
            s1, s2 = ix.site_of(ix.activity[a1]), ix.site_of(ix.activity[a2])
            gap = _free_between(tt.slots(a1), tt.slots(a2))
            if (s1, s2) in need and gap < need[(s1, s2)]:
                detail = f"{name} cannot travel from {s1} to {s2} in {gap} period(s)"
                tally.hard_one("teacher_travel", detail, [a1, a2])


def _free_between(r1: range, r2: range) -> int:
    """Free periods between two lessons of one day (negative when they overlap)."""
    return max(r1.start, r2.start) - min(r1.stop, r2.stop)


# ---- explicit constraints ----------------------------------------------------------------


def _check_constraint(
    tt: _Timetable,
    tally: _Tally,
    c: PreferredStarts | SameStart | MinDaysBetween | MaxGaps | MaxHoursDaily | MaxDaysPerWeek,
) -> None:
    if isinstance(c, PreferredStarts):
        _check_preferred_starts(tt, tally, c)
    elif isinstance(c, SameStart):
        _check_same_start(tt, tally, c)
    elif isinstance(c, MinDaysBetween):
        _check_min_days_between(tt, tally, c)
    elif isinstance(c, MaxGaps):
        _check_max_gaps(tt, tally, c)
    elif isinstance(c, MaxHoursDaily):
        _check_max_hours_daily(tt, tally, c)
    else:
        _check_max_days_per_week(tt, tally, c)


def _check_preferred_starts(tt: _Timetable, tally: _Tally, c: PreferredStarts) -> None:
    if c.activity in tt.start and tt.start[c.activity] not in c.slots:
        detail = f"{tt.ix.activity_name(c.activity)} is not at a preferred time"
        tally.weighted("preferred_starts", c.weight, 1, detail, [c.activity])


def _check_same_start(tt: _Timetable, tally: _Tally, c: SameStart) -> None:
    placed = [a for a in c.activities if a in tt.start]
    n = sum(1 for a1, a2 in combinations(placed, 2) if tt.start[a1] != tt.start[a2])
    tally.weighted("same_start", c.weight, n, f"{n} pair(s) do not start together", placed)


def pair_shortfall(week: Week, start1: int, start2: int, min_days: int) -> int:
    """Days missing between two lessons for ``min_days`` (0 when far enough apart)."""
    return max(0, min_days - abs(week.day_of(start1) - week.day_of(start2)))


def _check_min_days_between(tt: _Timetable, tally: _Tally, c: MinDaysBetween) -> None:
    placed = [a for a in c.activities if a in tt.start]
    short = 0
    for a1, a2 in combinations(placed, 2):
        short += pair_shortfall(tt.week, tt.start[a1], tt.start[a2], c.min_days)
        same_day = tt.day(a1) == tt.day(a2)
        if c.consecutive_if_same_day and same_day and _free_between(tt.slots(a1), tt.slots(a2)):
            detail = f"{a1} and {a2} share a day but are not consecutive"
            tally.hard_one("consecutive_if_same_day", detail, [a1, a2])
    detail = f"lessons {', '.join(placed)} are {short} day(s) too close"
    tally.weighted("min_days_between", c.weight, short, detail, placed)


def _check_max_gaps(tt: _Timetable, tally: _Tally, c: MaxGaps) -> None:
    kind = f"{c.who}_max_gaps_per_{c.per}"
    for pid in tt.ix.person_ids(c.who, c.ids):
        gaps = tt.day_gaps(c.who, pid)
        if c.per == "week":
            over = max(0, sum(gaps) - c.max_gaps)
        else:
            over = sum(max(0, g - c.max_gaps) for g in gaps)
        detail = f"{pid} has {over} gap(s) above {c.max_gaps} per {c.per}"
        tally.weighted(kind, c.weight, over, detail)


def _check_max_hours_daily(tt: _Timetable, tally: _Tally, c: MaxHoursDaily) -> None:
    for pid in tt.ix.person_ids(c.who, c.ids):
        over = sum(1 for n in tt.day_periods(c.who, pid) if n > c.max_periods)
        detail = f"{pid} has more than {c.max_periods} periods on {over} day(s)"
        tally.weighted(f"{c.who}_max_hours_daily", c.weight, over, detail)


def _check_max_days_per_week(tt: _Timetable, tally: _Tally, c: MaxDaysPerWeek) -> None:
    for pid in tt.ix.person_ids("teacher", c.ids):
        days = sum(1 for n in tt.day_periods("teacher", pid) if n > 0)
        over = max(0, days - c.max_days)
        detail = f"{pid} teaches on {days} days (at most {c.max_days})"
        tally.weighted("teacher_max_days_per_week", c.weight, over, detail)


# ---- built-in soft goals (cluster model) -------------------------------------------------


def _soft_goals(tt: _Timetable, tally: _Tally) -> None:
    soft = tt.ix.problem.soft
    if soft.teacher_gaps > 0:
        for t in tt.ix.problem.teachers:
            gaps = sum(tt.day_gaps("teacher", t.id))
            tally.goal("teacher_gaps", soft.teacher_gaps, gaps, f"{t.id}: {gaps} gap(s)")
    if soft.group_gaps > 0:
        for g in tt.ix.problem.groups:
            if not g.no_gaps:
                gaps = sum(tt.day_gaps("group", g.id))
                tally.goal("group_gaps", soft.group_gaps, gaps, f"{g.id}: {gaps} gap(s)")
    if soft.subject_twice_a_day > 0:
        _goal_subject_twice_a_day(tt, tally, soft.subject_twice_a_day)
    if soft.spread > 0:
        _goal_spread(tt, tally, soft.spread)
    if soft.hard_subject_last > 0:
        _goal_hard_subject_last(tt, tally, soft.hard_subject_last)
    if soft.teacher_disliked > 0:
        _goal_teacher_disliked(tt, tally, soft.teacher_disliked)


def subject_day_allowance(doubles: bool) -> int:
    """Lessons of one subject a group may have on a day before it costs."""
    return 2 if doubles else 1


def _goal_subject_twice_a_day(tt: _Timetable, tally: _Tally, weight: float) -> None:
    ix = tt.ix
    for gid, aids in ix.of_group.items():
        by_subject: dict[str, list[str]] = defaultdict(list)
        for aid in aids:
            by_subject[ix.activity[aid].subject].append(aid)
        for subject, subject_aids in by_subject.items():
            allow = subject_day_allowance(any(ix.activity[a].double for a in subject_aids))
            per_day = Counter(tt.day(a) for a in subject_aids if a in tt.start)
            over = sum(max(0, n - allow) for n in per_day.values())
            detail = f"{gid} has {subject} more than {allow} time(s) a day"
            tally.goal("subject_twice_a_day", weight, over, detail, subject_aids)


def _goal_spread(tt: _Timetable, tally: _Tally, weight: float) -> None:
    for parts in split_sets(tt.ix.problem).values():
        ideal = spread_min_days(tt.week, len(parts))
        placed = [a for a in parts if a in tt.start]
        short = sum(
            pair_shortfall(tt.week, tt.start[a1], tt.start[a2], ideal)
            for a1, a2 in combinations(placed, 2)
        )
        tally.goal("spread", weight, short, f"parts {', '.join(placed)} crowded", placed)


def _goal_hard_subject_last(tt: _Timetable, tally: _Tally, weight: float) -> None:
    ix = tt.ix
    for a in ix.problem.activities:
        if not a.hard_subject or a.id not in tt.start:
            continue
        end, day = tt.start[a.id] + a.duration, tt.day(a.id)
        for gid in a.groups:
            later = any(
                t >= end and tt.week.day_of(t) == day
                for other in ix.of_group.get(gid, [])
                if other != a.id
                for t in tt.slots(other)
            )
            if not later:
                detail = f"{ix.activity_name(a.id)} is the last lesson of the day"
                tally.goal("hard_subject_last", weight, 1, detail, [a.id])
                break


def _goal_teacher_disliked(tt: _Timetable, tally: _Tally, weight: float) -> None:
    ix = tt.ix
    for a in ix.problem.activities:
        slots = set(tt.slots(a.id))
        for tid in a.teachers:
            t = ix.teacher.get(tid)
            if t is not None and slots & t.disliked:
                detail = f"{ix.teacher_name(tid)} teaches in a disliked slot"
                tally.goal("teacher_disliked", weight, 1, detail, [a.id])
