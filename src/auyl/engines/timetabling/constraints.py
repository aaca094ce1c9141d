"""One function per rule of the timetable (house style): each states its rule and adds it
to a :class:`~auyl.engines.timetabling.build.Build`.

Hard rules are CP-SAT constraints; in relax mode (:mod:`explain`) each requirement a user
asked for is guarded by a literal from :meth:`Build.require`. Soft rules add integer cost
terms; their meaning matches :mod:`auyl.engines.timetabling.evaluate` exactly, which the
tests check on random problems.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations, pairwise

from ortools.sat.python import cp_model

from auyl.engines.timetabling.build import Build, Lit, total
from auyl.engines.timetabling.evaluate import subject_day_allowance
from auyl.engines.timetabling.index import (
    covered,
    names_text,
    slot_name,
    slots_text,
    split_sets,
    spread_min_days,
    travel_needs,
)
from auyl.engines.timetabling.model import (
    HARD,
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    Placement,
    PreferredStarts,
    Problem,
    SameStart,
)

# ---- every lesson once, no clashes -------------------------------------------------------


def add_place_once(b: Build) -> None:
    """Every lesson gets exactly one start (its weekly hours are met exactly).

    In relax mode one literal guards all lessons of a subject for the same classes and
    teachers ("Mathematics for 5A: 4 lessons a week"), so the explanation speaks of a
    curriculum line, not of one lesson among equals."""
    families: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[str]] = defaultdict(list)
    for a in b.problem.activities:
        families[(a.subject, a.groups, a.teachers)].append(a.id)
    for (subject, groups, teachers), aids in families.items():
        periods = sum(b.ix.activity[aid].duration for aid in aids)
        detail = _curriculum_line(b, subject, groups, teachers)
        detail += f": {periods} lesson period(s) a week must be placed"
        req = b.require("lesson_hours", detail, activities=aids, teachers=teachers, groups=groups)
        for aid in aids:
            lits = list(b.x[aid].values())
            if req is None:
                b.m.add_exactly_one(lits)
            else:
                b.m.add_at_most_one(lits)
                b.m.add(total(lits) >= 1).only_enforce_if(req)


def _curriculum_line(b: Build, subject: str, groups: Sequence[str], teachers: Sequence[str]) -> str:
    """'Mathematics for 5A (A. Nurova)': the lessons of one subject for the same classes."""
    classes = ", ".join(b.ix.group_name(g) for g in groups) or "no class"
    by = ", ".join(b.ix.teacher_name(t) for t in teachers)
    return f"{subject} for {classes}" + (f" ({by})" if by else "")


def add_teacher_clash(b: Build) -> None:
    """A teacher gives at most one lesson at a time."""
    for aids in b.ix.of_teacher.values():
        b.exclusive_sets.append(frozenset(aids))


def add_group_clash(b: Build) -> None:
    """A group (one grade of one school, a FET subgroup) attends at most one lesson at a time;
    a class-set is the grades it joins, so this also keeps class-sets apart."""
    for aids in b.ix.of_group.values():
        b.exclusive_sets.append(frozenset(aids))


def add_exclusive_sets(b: Build) -> None:
    """Emit the no-overlap sets once: duplicates and sets inside a larger set are skipped
    (an at-most-one over the larger set already covers them)."""
    kept: list[frozenset[str]] = []
    by_member: dict[str, list[int]] = defaultdict(list)
    for aids in sorted(set(b.exclusive_sets), key=len, reverse=True):
        if len(aids) < 2:
            continue
        first = next(iter(aids))
        if any(aids <= kept[i] for i in by_member[first]):
            continue
        for aid in aids:
            by_member[aid].append(len(kept))
        kept.append(aids)
    for aids in kept:
        per_slot: dict[int, list[Lit]] = defaultdict(list)
        for aid in sorted(aids):
            for t, lits in b.cover[aid].items():
                per_slot[t].extend(lits)
        for t in sorted(per_slot):
            b.at_most(per_slot[t], 1)
    _fill_full_weeks(b)


def _fill_full_weeks(b: Build) -> None:
    """A person whose lessons fill every period they could take (their periods a week equal
    the slots any start of their lessons covers) is busy in each of them: an implied
    exactly-one per such slot, much stronger propagation in packed timetables. Not in relax
    mode, where a lesson may stay unplaced."""
    if b.relax:
        return
    for who, ids in (("teacher", b.ix.of_teacher), ("group", b.ix.of_group)):
        for pid, aids in ids.items():
            reachable = sorted({t for aid in aids for t in b.cover[aid]})
            if not aids or b.ix.weekly_periods(who, pid) != len(reachable):
                continue
            for t in reachable:
                b.m.add_exactly_one(b.busy(who, pid, t))


def add_resource_capacity(b: Build) -> None:
    """A room or a school's internet link carries at most its capacity at once.

    Resources nobody chooses among are counted per slot; a room that is one of several
    candidates of some lesson becomes a no-overlap / cumulative over optional intervals.
    """
    for r in b.problem.resources:
        users = b.ix.of_resource.get(r.id, [])
        choosers = b.ix.choosing_room.get(r.id, [])
        if len({*users, *choosers}) <= r.capacity:
            continue
        req = b.require(
            "resource_capacity",
            f"The {b.ix.resource_name(r.id)} carries at most {r.capacity} lesson(s) at once",
            activities=list(dict.fromkeys([*users, *choosers])),
            resources=(r.id,),
        )
        if choosers:
            _add_room_intervals(b, r.id, r.capacity, users, choosers, req)
            continue
        if r.capacity == 1 and req is None:
            b.exclusive_sets.append(frozenset(users))
            continue
        for t in range(b.week.n_slots):
            b.at_most([lit for aid in users for lit in b.cover[aid].get(t, ())], r.capacity, req)


def add_room_choice(b: Build) -> None:
    """A lesson with candidate rooms takes exactly one of them.

    In relax mode one literal guards the room choice of a curriculum line (its lessons with
    the same candidates), and a lesson left unplaced takes no room."""
    lines: dict[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], list[str]]
    lines = defaultdict(list)
    for a in b.problem.activities:
        if a.room_choices:
            lines[(a.subject, a.groups, a.teachers, a.room_choices)].append(a.id)
    reqs: dict[str, Lit | None] = {}
    for (subject, groups, teachers, choices), aids in lines.items():
        line = _curriculum_line(b, subject, groups, teachers)
        req = b.require(
            "room_choice",
            f"{line} can only be in {b.ix.rooms_text(choices)}",
            activities=aids,
            teachers=teachers,
            groups=groups,
            resources=choices,
        )
        reqs.update(dict.fromkeys(aids, req))
    for a in b.problem.activities:
        if a.room_choices:
            rooms = {rid: b.m.new_bool_var(f"room[{a.id},{rid}]") for rid in a.room_choices}
            b.room[a.id] = rooms
            req = reqs[a.id]
            if req is None:
                b.m.add_exactly_one(rooms.values())
                continue
            b.m.add(sum(rooms.values()) <= b.placed(a.id))
            b.m.add(sum(rooms.values()) >= b.placed(a.id)).only_enforce_if(req)


def _add_room_intervals(
    b: Build,
    rid: str,
    capacity: int,
    users: Sequence[str],
    choosers: Sequence[str],
    req: Lit | None,
) -> None:
    """One interval per lesson that may hold room ``rid`` (optional for those choosing it);
    in relax mode an interval counts only while ``req`` holds and the lesson is placed."""
    intervals, demands = [], []
    for aid in dict.fromkeys([*users, *choosers]):
        a = b.ix.activity[aid]
        name = f"iv[{aid},{rid}]"
        if aid in users and req is None:
            iv = b.m.new_fixed_size_interval_var(b.start(aid), a.duration, name)
        else:
            holds = b.placed(aid) if aid in users else b.room[aid][rid]
            present = b.room[aid][rid] if req is None else _both(b, req, holds, name)
            iv = b.m.new_optional_fixed_size_interval_var(b.start(aid), a.duration, present, name)
        intervals.append(iv)
        demands.append(1)
    if capacity == 1:
        b.m.add_no_overlap(intervals)
    else:
        b.m.add_cumulative(intervals, demands, capacity)


def _both(b: Build, lit: Lit, expr: cp_model.LinearExpr, name: str) -> Lit:
    """A literal equal to ``lit and expr`` (``expr`` a 0/1 expression)."""
    both = b.m.new_bool_var(f"and[{name}]")
    b.m.add(both <= lit)
    b.m.add(both <= expr)
    b.m.add(both >= lit + expr - 1)
    return both


# ---- availability and locks (pruned from the starts; guarded literals in relax mode) -----


def add_fixed_starts(b: Build) -> None:
    """A locked lesson stays in its slot (pruned up front outside relax mode)."""
    if not b.relax:
        return
    for a in b.problem.activities:
        if a.fixed_start is None:
            continue
        req = b.require(
            "fixed_start",
            f"{b.ix.activity_name(a.id)} is locked at {slot_name(b.week, a.fixed_start)}",
            activities=(a.id,),
        )
        lit = b.x[a.id].get(a.fixed_start)
        assert req is not None
        if lit is None:
            b.m.add_bool_or([req.Not()])
        else:
            b.m.add_implication(req, lit)


def add_teacher_availability(b: Build) -> None:
    """A teacher teaches only in the periods they are available."""
    if not b.relax:
        return
    for t in b.problem.teachers:
        _forbid_slots(b, "teacher", t.id, t.unavailable, b.ix.teacher_name(t.id))


def add_group_availability(b: Build) -> None:
    """A group has lessons only in the periods it is available."""
    if not b.relax:
        return
    for g in b.problem.groups:
        _forbid_slots(b, "group", g.id, g.unavailable, b.ix.group_name(g.id))


def _forbid_slots(b: Build, who: str, pid: str, slots: frozenset[int], name: str) -> None:
    aids = b.ix.activities_of(who, pid)
    if not slots or not aids:
        return
    free = b.week.n_slots - len(b.ix.blocked(who, pid))
    need = b.ix.weekly_periods(who, pid)
    subject = f"Teacher {name}" if who == "teacher" else name
    detail = f"{subject} is available on {free} periods of the week and has {need} to fill"
    kw = {"teachers": (pid,)} if who == "teacher" else {"groups": (pid,)}
    req = b.require(f"{who}_availability", detail, activities=aids, **kw)
    assert req is not None
    for aid in aids:
        for t in slots:
            for lit in b.cover[aid].get(t, ()):
                b.m.add_implication(req, lit.Not())


def add_resource_availability(b: Build) -> None:
    """A room or link is used only in the periods it is available: no lesson holding it, as
    a fixed resource or as its chosen room, covers one of its unavailable slots.

    Fixed use is already pruned from the starts outside relax mode; a chosen room rules
    out, per lesson, the starts that would cover an unavailable slot. Call it after
    :func:`add_room_choice`."""
    for r in b.problem.resources:
        users = b.ix.of_resource.get(r.id, [])
        choosers = [aid for aid in b.ix.choosing_room.get(r.id, []) if aid not in users]
        if not r.unavailable or not (users or choosers):
            continue
        req = b.require(
            "resource_availability",
            _unavailable_detail(b, r.id, users, choosers),
            activities=[*users, *choosers],
            resources=(r.id,),
        )
        for aid in users:
            _forbid_starts(b, _starts_covering(b, aid, r.unavailable), req)
        for aid in choosers:
            room = b.room.get(aid, {}).get(r.id)
            if room is not None:
                _forbid_starts(b, _starts_covering(b, aid, r.unavailable), req, room)


def _starts_covering(b: Build, aid: str, slots: frozenset[int]) -> list[Lit]:
    """The start literals of ``aid`` whose lesson would cover one of ``slots``."""
    duration = b.ix.activity[aid].duration
    return [lit for s, lit in b.x[aid].items() if slots.intersection(covered(s, duration))]


def _forbid_starts(b: Build, starts: Sequence[Lit], *enforce: Lit | None) -> None:
    """None of ``starts`` is taken while every given ``enforce`` literal holds."""
    if not starts:
        return
    ct = b.m.add_bool_and([lit.Not() for lit in starts])
    when = [lit for lit in enforce if lit is not None]
    if when:
        ct.only_enforce_if(when)


def _unavailable_detail(b: Build, rid: str, users: Sequence[str], choosers: Sequence[str]) -> str:
    """'Room Lab is the only room for Chemistry for 9A, and it is not available on ...'."""
    r = b.ix.resource[rid]
    what = b.ix.resource_name(rid, capital=True)
    when = slots_text(b.week, r.unavailable)
    sole = [*users, *(aid for aid in choosers if b.ix.activity[aid].room_choices == (rid,))]
    if not sole:
        return f"{what} is not available on {when}"
    lessons = names_text(list(dict.fromkeys(b.ix.activity_name(aid) for aid in sole)))
    kind = "internet link" if r.kind == "link" else "room"
    return f"{what} is the only {kind} for {lessons}, and it is not available on {when}"


# ---- groups and teachers -----------------------------------------------------------------


def add_group_daily_max(b: Build) -> None:
    """A group has at most ``max_daily_periods`` lesson periods on any day."""
    for g in b.problem.groups:
        if g.max_daily_periods is None or not b.ix.of_group.get(g.id):
            continue
        req = b.require(
            "group_daily_max",
            f"{b.ix.group_name(g.id)} may have at most {g.max_daily_periods} lessons a day",
            groups=(g.id,),
        )
        for d in range(b.week.n_days):
            lits = [lit for t in b.day_slots(d) for lit in b.busy("group", g.id, t)]
            b.at_most(lits, g.max_daily_periods, req)


def add_group_no_gaps(b: Build) -> None:
    """A primary group's lessons of a day follow each other without a gap."""
    for g in b.problem.groups:
        if not g.no_gaps or not b.ix.of_group.get(g.id):
            continue
        req = b.require(
            "group_no_gaps", f"{b.ix.group_name(g.id)} must have no gaps", groups=(g.id,)
        )
        for d in range(b.week.n_days):
            _forbid_gaps(b, "group", g.id, d, req)


def _forbid_gaps(b: Build, who: str, pid: str, day: int, req: Lit | None) -> None:
    """No empty counted slot between the first and last lesson of the day."""
    b.span(who, pid, day).forbid_gaps(req)


def add_teacher_travel(b: Build) -> None:
    """A teacher working at two sites has ``travel_periods`` free periods between lessons at
    different sites on one day."""
    for teacher in b.problem.teachers:
        need = travel_needs(teacher)
        aids = b.ix.of_teacher.get(teacher.id, [])
        if not need or not aids:
            continue
        at_site: dict[str, list[str]] = defaultdict(list)
        for aid in aids:
            at_site[b.ix.site_of(b.ix.activity[aid])].append(aid)
        pairs = [(s1, s2, k) for (s1, s2), k in need.items() if s1 in at_site and s2 in at_site]
        if not pairs:
            continue
        req = b.require(
            "teacher_travel",
            f"Teacher {b.ix.teacher_name(teacher.id)} needs time to travel between schools",
            teachers=(teacher.id,),
        )
        for s1, s2, k in pairs:
            for d in range(b.week.n_days):
                for t in b.day_slots(d):
                    here = [lit for aid in at_site[s1] for lit in b.cover[aid].get(t, ())]
                    if not here:
                        continue
                    for t2 in range(t + 1, min(t + k, b.day_slots(d)[-1]) + 1):
                        there = [lit for aid in at_site[s2] for lit in b.cover[aid].get(t2, ())]
                        b.at_most(here + there, 1, req)


# ---- the explicit (FET) constraints ------------------------------------------------------


def add_preferred_starts(b: Build, c: PreferredStarts) -> None:
    """A lesson starts in one of its preferred slots (hard: pruned; soft: cost if not)."""
    elsewhere = [lit for s, lit in b.x[c.activity].items() if s not in c.slots]
    if c.weight < HARD:
        b.cost(c.weight / 100, total(elsewhere))
        return
    if b.relax:
        req = b.require(
            "preferred_starts",
            f"{b.ix.activity_name(c.activity)} may only start at chosen times",
            activities=(c.activity,),
        )
        b.linear_at_most(total(elsewhere), 0, req)


def add_same_start(b: Build, c: SameStart) -> None:
    """Activities start in the same slot (hard), or cost per pair that does not."""
    acts = list(dict.fromkeys(c.activities))
    if c.weight >= HARD:
        req = b.require(
            "same_start",
            "These lessons must start at the same time: "
            + ", ".join(b.ix.activity_name(a) for a in acts),
            activities=acts,
        )
        for other in acts[1:]:
            _equal_starts(b, acts[0], other, req)
        return
    for a1, a2 in combinations(acts, 2):
        together = b.m.new_bool_var(f"same[{a1},{a2}]")
        _equal_starts(b, a1, a2, together)
        b.cost(c.weight / 100, 1 - together)


def _equal_starts(b: Build, a1: str, a2: str, enforce: Lit | None) -> None:
    for s in set(b.x[a1]) | set(b.x[a2]):
        l1, l2 = b.x[a1].get(s), b.x[a2].get(s)
        ct = b.m.add((l1 if l1 is not None else 0) == (l2 if l2 is not None else 0))
        if enforce is not None:
            ct.only_enforce_if(enforce)


def add_min_days_between(b: Build, c: MinDaysBetween) -> None:
    """Every two of the activities lie ``min_days`` days apart (hard), or cost
    ``min_days - distance`` per pair that is closer; "consecutive if same day" is hard."""
    acts = list(dict.fromkeys(c.activities))
    never_same_day = c.weight >= HARD and c.min_days >= 1
    if c.consecutive_if_same_day and len(acts) >= 2 and (b.relax or not never_same_day):
        req = b.require("consecutive_if_same_day", _consecutive_detail(b, acts), activities=acts)
        for a1, a2 in combinations(acts, 2):
            _adjacent_if_same_day(b, a1, a2, req)
    if c.min_days <= 0 or len(acts) < 2:
        return
    if c.weight < HARD:
        for a1, a2 in combinations(acts, 2):
            _pair_shortfall_cost(b, a1, a2, c.min_days, c.weight / 100)
        return
    req = b.require(
        "min_days_between",
        f"These lessons must be {c.min_days} day(s) apart: "
        + ", ".join(b.ix.activity_name(a) for a in acts),
        activities=acts,
    )
    n = b.week.n_days
    for first in range(max(1, n - c.min_days + 1)):
        days = range(first, min(n, first + c.min_days))
        b.at_most([lit for a in acts for d in days for lit in b.day_lits(a, d)], 1, req)
    if req is None:
        _one_in_every_block(b, acts, c.min_days)


def _one_in_every_block(b: Build, acts: Sequence[str], min_days: int) -> None:
    """Implied by the rule above when the lessons just fit (pigeonhole): with one lesson
    a day and as many lessons as days they may fall on, every such day has one; with
    ``min_days`` apart and one lesson for each block of ``min_days`` days (0, 1 | 2, 3 | 4),
    every block has one. Stated outright, CP-SAT's search to a first timetable of a packed
    school needs fewer conflicts (MAPS 5-26k against 30-207k, FGPS 8-39k against 21-67k,
    15-23 runs each) and JMSS is found on 3 of 3 runs in 30 s instead of 1 of 4."""
    if min_days == 1:
        days = [d for d in range(b.week.n_days) if any(b.day_lits(a, d) for a in acts)]
        blocks = [[d] for d in days]
    else:
        starts = range(0, b.week.n_days, min_days)
        blocks = [list(range(d, min(b.week.n_days, d + min_days))) for d in starts]
    if len(acts) != len(blocks):
        return
    for block in blocks:
        b.m.add_exactly_one([lit for a in acts for d in block for lit in b.day_lits(a, d)])


def _adjacent_if_same_day(b: Build, a1: str, a2: str, req: Lit | None) -> None:
    """When ``a1`` and ``a2`` share a day, one follows the other directly."""
    d1, d2 = b.ix.activity[a1].duration, b.ix.activity[a2].duration
    by_day: dict[int, list[tuple[int, Lit]]] = defaultdict(list)  # a2's starts, per day
    for t, v in b.x[a2].items():
        by_day[b.week.day_of(t)].append((t, v))
    for s, lit in b.x[a1].items():
        apart = [v for t, v in by_day[b.week.day_of(s)] if t != s + d1 and t != s - d2]
        b.at_most([lit, *apart], 1, req)


def _consecutive_detail(b: Build, acts: Sequence[str]) -> str:
    """'Lessons X and Y must be next to each other when they fall on the same day'."""
    names = [b.ix.activity_name(a) for a in acts]
    when = "when they fall on the same day" if len(acts) == 2 else "when two fall on one day"
    if len(set(names)) == 1:
        return f"The {len(acts)} lessons of {names[0]} must be next to each other {when}"
    return f"Lessons {names_text(names)} must be next to each other {when}"


def _pair_shortfall_cost(b: Build, a1: str, a2: str, min_days: int, unit_cost: float) -> None:
    """Cost ``unit_cost * max(0, min_days - |day(a1) - day(a2)|)``."""
    if min_days == 1:
        same = b.m.new_bool_var(f"sameday[{a1},{a2}]")
        for d in range(b.week.n_days):
            b.m.add(same >= total([*b.day_lits(a1, d), *b.day_lits(a2, d)]) - 1)
        b.cost(unit_cost, same)
        return
    n = b.week.n_days
    dist = b.m.new_int_var(0, n, f"dist[{a1},{a2}]")
    b.m.add_abs_equality(dist, b.day_expr(a1) - b.day_expr(a2))
    b.cost(unit_cost, b.excess(min_days - dist, 0, min_days, f"short[{a1},{a2}]"))


def add_max_gaps(b: Build, c: MaxGaps) -> None:
    """At most ``max_gaps`` gaps per week or per day for each teacher or group named."""
    for pid in b.ix.person_ids(c.who, c.ids):
        if not b.ix.activities_of(c.who, pid):
            continue
        name = b.ix.teacher_name(pid) if c.who == "teacher" else b.ix.group_name(pid)
        req = b.require(
            f"{c.who}_max_gaps",
            f"{name} may have at most {c.max_gaps} gap(s) per {c.per}",
            **({"teachers": (pid,)} if c.who == "teacher" else {"groups": (pid,)}),
        )
        days = range(b.week.n_days)
        if c.weight >= HARD and c.max_gaps == 0:
            for d in days:
                _forbid_gaps(b, c.who, pid, d, req)
            continue
        ub = b.week.periods_per_day
        if c.per == "day":
            for d in days:
                gaps = b.span(c.who, pid, d).gaps()
                if c.weight >= HARD:
                    b.linear_at_most(gaps, c.max_gaps, req)
                else:
                    b.cost(c.weight / 100, b.excess(gaps, c.max_gaps, ub, f"gaps[{pid},{d}]"))
            continue
        week_gaps = total([b.span(c.who, pid, d).gaps() for d in days])
        if c.weight >= HARD:
            b.linear_at_most(week_gaps, c.max_gaps, req)
        else:
            over = b.excess(week_gaps, c.max_gaps, ub * b.week.n_days, f"gaps[{pid}]")
            b.cost(c.weight / 100, over)


def add_max_hours_daily(b: Build, c: MaxHoursDaily) -> None:
    """At most ``max_periods`` lesson periods a day (hard), or cost per day above."""
    for pid in b.ix.person_ids(c.who, c.ids):
        if not b.ix.activities_of(c.who, pid):
            continue
        name = b.ix.teacher_name(pid) if c.who == "teacher" else b.ix.group_name(pid)
        req = b.require(
            f"{c.who}_max_hours_daily",
            f"{name} may have at most {c.max_periods} lesson periods a day",
            **({"teachers": (pid,)} if c.who == "teacher" else {"groups": (pid,)}),
        )
        for d in range(b.week.n_days):
            lits = [lit for t in b.day_slots(d) for lit in b.busy(c.who, pid, t)]
            if len(lits) <= c.max_periods:
                continue
            if c.weight >= HARD:
                b.at_most(lits, c.max_periods, req)
                continue
            over = b.m.new_bool_var(f"over[{pid},{d}]")
            room = b.week.periods_per_day - c.max_periods
            b.m.add(total(lits) <= c.max_periods + room * over)
            b.cost(c.weight / 100, over)


def add_max_days_per_week(b: Build, c: MaxDaysPerWeek) -> None:
    """A teacher teaches on at most ``max_days`` days (hard), or cost per day above."""
    for pid in b.ix.person_ids("teacher", c.ids):
        aids = b.ix.of_teacher.get(pid, [])
        if not aids:
            continue
        works = []
        for d in range(b.week.n_days):
            lits = [lit for aid in aids for lit in b.day_lits(aid, d)]
            if not lits:
                continue
            day = b.m.new_bool_var(f"works[{pid},{d}]")
            for lit in lits:
                b.m.add_implication(lit, day)
            works.append(day)
        if c.weight >= HARD:
            req = b.require(
                "teacher_max_days_per_week",
                f"Teacher {b.ix.teacher_name(pid)} may teach on at most {c.max_days} days",
                teachers=(pid,),
            )
            b.linear_at_most(total(works), c.max_days, req)
        else:
            over = b.excess(total(works), c.max_days, len(works), f"days[{pid}]")
            b.cost(c.weight / 100, over)


# ---- built-in soft goals of the cluster model --------------------------------------------


def add_teacher_gaps_goal(b: Build, weight: float) -> None:
    """Each empty period between two lessons of a teacher's day costs ``weight``."""
    for t in b.problem.teachers:
        if b.ix.of_teacher.get(t.id):
            b.cost(weight, total(_gap_lits(b, "teacher", t.id)))


def add_group_gaps_goal(b: Build, weight: float) -> None:
    """Each gap of a group (without the hard no-gaps rule) costs ``weight``."""
    for g in b.problem.groups:
        if not g.no_gaps and b.ix.of_group.get(g.id):
            b.cost(weight, total(_gap_lits(b, "group", g.id)))


def _gap_lits(b: Build, who: str, pid: str) -> list[Lit]:
    """One literal per possible gap of ``pid``'s week (true when it is a gap)."""
    return [lit for d in range(b.week.n_days) for lit in b.span(who, pid, d).gap_lits()]


def add_subject_twice_a_day_goal(b: Build, weight: float) -> None:
    """Each lesson of a subject beyond the first of a group's day (beyond the second when a
    double period is asked for) costs ``weight``. Groups with the same lessons of a subject
    share one counter."""
    shared: dict[tuple[frozenset[str], int], int] = defaultdict(int)
    for aids in b.ix.of_group.values():
        by_subject: dict[str, list[str]] = defaultdict(list)
        for aid in aids:
            by_subject[b.ix.activity[aid].subject].append(aid)
        for subject_aids in by_subject.values():
            allow = subject_day_allowance(any(b.ix.activity[a].double for a in subject_aids))
            if len(subject_aids) > allow:
                shared[(frozenset(subject_aids), allow)] += 1
    for (subject_set, allow), n_groups in shared.items():
        for d in range(b.week.n_days):
            lits = [lit for a in sorted(subject_set) for lit in b.day_lits(a, d)]
            if len(lits) > allow:
                over = b.excess(total(lits), allow, len(subject_set), f"twice[{d}]")
                b.cost(weight * n_groups, over)


def add_spread_goal(b: Build, weight: float) -> None:
    """Parts of a weekly activity ``n_days // parts`` days apart; each day short costs."""
    for parts in split_sets(b.problem).values():
        ideal = spread_min_days(b.week, len(parts))
        for a1, a2 in combinations(parts, 2):
            _pair_shortfall_cost(b, a1, a2, ideal, weight)


def add_hard_subject_last_goal(b: Build, weight: float) -> None:
    """A hard subject that is the last lesson of the day of one of its groups costs."""
    for a in b.problem.activities:
        if not a.hard_subject or not a.groups:
            continue
        last = b.m.new_bool_var(f"last[{a.id}]")
        for s, lit in b.x[a.id].items():
            day = b.week.day_of(s)
            for gid in a.groups:
                span = b.span("group", gid, day)
                later = bisect_left(span.slots, s + a.duration)  # slots are one day's, sorted
                if later < len(span.slots):  # last unless a lesson follows: a clause
                    b.m.add_bool_or([last, lit.Not(), span.until_last()[later]])
                else:
                    b.m.add_implication(lit, last)
        b.cost(weight, last)


def add_teacher_disliked_goal(b: Build, weight: float) -> None:
    """A lesson touching a slot its teacher dislikes costs ``weight`` per teacher."""
    for a in b.problem.activities:
        for tid in a.teachers:
            t = b.ix.teacher.get(tid)
            if t is None or not t.disliked:
                continue
            xs = b.x[a.id]
            hits = [lit for s, lit in xs.items() if t.disliked.intersection(covered(s, a.duration))]
            b.cost(weight, total(hits))


def add_keep_goal(b: Build, keep: Sequence[Placement], weight: float) -> None:
    """Re-solve: each kept lesson that moves (start or room) costs ``weight``."""
    for p in keep:
        if p.activity not in b.x:
            continue
        stay = b.x[p.activity].get(p.start)
        room = b.room.get(p.activity, {}).get(p.room) if p.room is not None else None
        if stay is None:
            b.cost(weight, 1)
            continue
        b.m.add_hint(stay, 1)
        if room is None:
            b.cost(weight, 1 - stay)
            continue
        moved = b.m.new_bool_var(f"moved[{p.activity}]")
        b.m.add(moved >= 1 - stay)
        b.m.add(moved >= 1 - room)
        b.cost(weight, moved)


def add_split_symmetry(b: Build) -> None:
    """Interchangeable parts of one weekly activity (:func:`interchangeable_parts`) start
    in the order of their ids: this removes the equal timetables that differ only by which
    part is which."""
    for parts in interchangeable_parts(b.problem):
        for a1, a2 in pairwise(parts):
            b.m.add(
                sum(s * lit for s, lit in b.x[a1].items())
                <= sum(s * lit for s, lit in b.x[a2].items())
            )


def interchangeable_parts(problem: Problem) -> list[list[str]]:
    """The classes (two parts or more, in the problem's order) of interchangeable parts of
    one weekly activity.

    Two parts are interchangeable when they have the same lesson data and every explicit
    constraint names both or neither (and a preferred-starts rule the same way), so
    swapping them changes no cost.
    """
    membership: dict[str, list[object]] = defaultdict(list)
    for i, c in enumerate(problem.constraints):
        if isinstance(c, PreferredStarts):
            membership[c.activity].append((i, c.slots))
        elif isinstance(c, SameStart | MinDaysBetween):
            for aid in c.activities:
                membership[aid].append(i)
    classes: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for a in problem.activities:
        if not a.split_of or a.fixed_start is not None:
            continue
        key = (
            a.split_of,
            a.subject,
            a.teachers,
            a.groups,
            a.duration,
            a.site,
            a.resources,
            a.room_choices,
            a.mode,
            a.broadcast,
            a.hard_subject,
            a.double,
            tuple(membership.get(a.id, ())),
        )
        classes[key].append(a.id)
    return [parts for parts in classes.values() if len(parts) > 1]
