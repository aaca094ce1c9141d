"""Plain lookups over a :class:`~auyl.engines.timetabling.model.Problem` (no solver).

Shared by :mod:`validate`, :mod:`solver`, :mod:`explain` and :mod:`evaluate`: who teaches or
attends what, which slots a person cannot use, which slots a lesson would cover. The rules
themselves live elsewhere; this module only answers "which".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from auyl.engines.timetabling.model import Activity, Group, Problem, Resource, Teacher, Week


def covered(start: int, duration: int) -> range:
    """The slots a lesson starting at ``start`` occupies."""
    return range(start, start + duration)


def fits_in_day(week: Week, start: int, duration: int) -> bool:
    """True when ``duration`` periods from ``start`` stay inside one day of the week."""
    return 0 <= start < week.n_slots and week.period_of(start) + duration <= week.periods_per_day


def slot_name(week: Week, slot: int) -> str:
    """'Monday, period 3' (1-based period, as people count them)."""
    if not 0 <= slot < week.n_slots:
        return f"slot {slot}"
    return f"{week.days[week.day_of(slot)]}, period {week.periods[week.period_of(slot)]}"


def slots_text(week: Week, slots: Iterable[int], most: int = 6) -> str:
    """'Monday, periods 1, 2; Tuesday, period 4' (at most ``most`` days, then '...')."""
    by_day: dict[int, list[str]] = {}
    for slot in sorted(s for s in slots if 0 <= s < week.n_slots):
        by_day.setdefault(week.day_of(slot), []).append(week.periods[week.period_of(slot)])
    parts = [
        f"{week.days[day]}, period{'s' if len(names) > 1 else ''} {', '.join(names)}"
        for day, names in by_day.items()
    ]
    return "; ".join(parts[:most]) + ("; ..." if len(parts) > most else "")


def names_text(names: Sequence[str], most: int = 4) -> str:
    """'A, B and C' (at most ``most`` names, then 'and N more')."""
    shown = list(names[:most])
    if len(names) > most:
        return ", ".join(shown) + f" and {len(names) - most} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + f" and {shown[-1]}"


@dataclass(slots=True)
class Index:
    """Lookups by id plus "who takes part in which activity"."""

    problem: Problem
    activity: dict[str, Activity] = field(default_factory=dict)
    teacher: dict[str, Teacher] = field(default_factory=dict)
    group: dict[str, Group] = field(default_factory=dict)
    resource: dict[str, Resource] = field(default_factory=dict)
    #: activity ids per teacher / group / resource (fixed use) / room (as a candidate)
    of_teacher: dict[str, list[str]] = field(default_factory=dict)
    of_group: dict[str, list[str]] = field(default_factory=dict)
    of_resource: dict[str, list[str]] = field(default_factory=dict)
    choosing_room: dict[str, list[str]] = field(default_factory=dict)
    _blocked: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)
    #: possible starts per (activity, hard preferred starts), filled by
    #: :func:`~auyl.engines.timetabling.validate.possible_starts` (checks and the model
    #: both need them: computed once per index)
    possible: dict[tuple[str, frozenset[int] | None], list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, problem: Problem) -> Index:
        ix = cls(problem)
        ix.activity = {a.id: a for a in problem.activities}
        ix.teacher = {t.id: t for t in problem.teachers}
        ix.group = {g.id: g for g in problem.groups}
        ix.resource = {r.id: r for r in problem.resources}
        for t in problem.teachers:
            ix.of_teacher[t.id] = []
        for g in problem.groups:
            ix.of_group[g.id] = []
        for r in problem.resources:
            ix.of_resource[r.id] = []
            ix.choosing_room[r.id] = []
        for a in problem.activities:
            for tid in dict.fromkeys(a.teachers):
                ix.of_teacher.setdefault(tid, []).append(a.id)
            for gid in dict.fromkeys(a.groups):
                ix.of_group.setdefault(gid, []).append(a.id)
            for rid in dict.fromkeys(a.resources):
                ix.of_resource.setdefault(rid, []).append(a.id)
            for rid in dict.fromkeys(a.room_choices):
                ix.choosing_room.setdefault(rid, []).append(a.id)
        return ix

    # ---- people --------------------------------------------------------------------------

    def teacher_name(self, tid: str) -> str:
        t = self.teacher.get(tid)
        return (t.name or t.id) if t else tid

    def group_name(self, gid: str) -> str:
        g = self.group.get(gid)
        return (g.name or g.id) if g else gid

    def activity_name(self, aid: str) -> str:
        """What a deputy head calls a lesson: its label, else 'Subject for 5A (teacher)'."""
        a = self.activity.get(aid)
        if a is None:
            return aid
        if a.label:
            return a.label
        groups = ", ".join(self.group_name(g) for g in a.groups) or "no class"
        teachers = ", ".join(self.teacher_name(t) for t in a.teachers)
        return f"{a.subject} for {groups}" + (f" ({teachers})" if teachers else "")

    def blocked(self, who: str, pid: str) -> frozenset[int]:
        """Slots ``pid`` cannot use: breaks + its unavailable slots. ``who`` is "teacher",
        "group" or "resource" (a room or link)."""
        key = (who, pid)
        if key not in self._blocked:
            owner: Teacher | Group | Resource | None = (
                self.teacher.get(pid)
                if who == "teacher"
                else self.resource.get(pid)
                if who == "resource"
                else self.group.get(pid)
            )
            own = owner.unavailable if owner is not None else frozenset()
            self._blocked[key] = self.problem.week.break_slots | own
        return self._blocked[key]

    def activities_of(self, who: str, pid: str) -> list[str]:
        return (self.of_teacher if who == "teacher" else self.of_group).get(pid, [])

    def person_ids(self, who: str, ids: Iterable[str]) -> tuple[str, ...]:
        """The persons a constraint names; an empty list means everybody of that kind."""
        chosen = tuple(ids)
        if chosen:
            return chosen
        pool = self.problem.teachers if who == "teacher" else self.problem.groups
        return tuple(p.id for p in pool)

    # ---- places --------------------------------------------------------------------------

    def resource_name(self, rid: str, *, capital: bool = False) -> str:
        """'room Lab 2' or 'internet link Kumsai' (``capital``: 'Room Lab 2') -- how a
        sentence names a resource."""
        r = self.resource.get(rid)
        what = "internet link" if r is not None and r.kind == "link" else "room"
        if capital:
            what = what.capitalize()
        return f"{what} {(r.name or r.id) if r is not None else rid}"

    def rooms_text(self, rids: Sequence[str]) -> str:
        """'room Lab' for one room; 'one of the rooms Lab, Lab 2 and Hall' for several."""
        if len(rids) == 1:
            return self.resource_name(rids[0])
        names = [(r.name or r.id) if (r := self.resource.get(rid)) else rid for rid in rids]
        return f"one of the rooms {names_text(names)}"

    def rooms_in_use(self, a: Activity, room: str | None) -> tuple[str, ...]:
        """The resources a placed lesson holds: its fixed ones plus its chosen room."""
        chosen = (room,) if a.room_choices and room is not None else ()
        return tuple(dict.fromkeys((*a.resources, *chosen)))

    def site_of(self, a: Activity) -> str:
        """Where a lesson takes place: its own site, else the site of its first group."""
        if a.site:
            return a.site
        for gid in a.groups:
            g = self.group.get(gid)
            if g is not None and g.site:
                return g.site
        return ""

    def weekly_periods(self, who: str, pid: str) -> int:
        """Lesson periods a teacher or group has in a week (sum of durations)."""
        return sum(self.activity[aid].duration for aid in self.activities_of(who, pid))


def travel_needs(teacher: Teacher) -> dict[tuple[str, str], int]:
    """Free periods needed between lessons at two sites, both orders of the pair."""
    need: dict[tuple[str, str], int] = {}
    for a, b, periods in teacher.travel_periods:
        if periods > 0 and a != b:
            need[(a, b)] = max(periods, need.get((a, b), 0))
            need[(b, a)] = need[(a, b)]
    return need


def split_sets(problem: Problem) -> dict[str, list[str]]:
    """Parts of each weekly activity (``split_of`` -> activity ids), only sets of 2 or more."""
    sets: dict[str, list[str]] = {}
    for a in problem.activities:
        if a.split_of:
            sets.setdefault(a.split_of, []).append(a.id)
    return {k: v for k, v in sets.items() if len(v) >= 2}


def spread_min_days(week: Week, parts: int) -> int:
    """The ideal distance in days between parts of a weekly activity (at least one)."""
    return max(1, week.n_days // parts)
