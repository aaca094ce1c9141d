"""Bad input caught before solving, in words a deputy head understands.

:func:`validate` returns the reasons (empty when the problem is sound) and raises nothing;
:func:`check` gives the same findings as :class:`Conflict` records (a stable ``kind`` code
plus the ids, so the app can translate them); :func:`ensure_valid` raises
:class:`ProblemError` carrying the reasons.

Two sorts of findings: *malformed* data (duplicate ids, references to nothing, slots out of
the week, weights out of (0, 100], lessons longer than a day) and *obviously impossible*
requirements that need no solver (a class needs more periods than its week has free, a
teacher has no free period or more lessons than free periods or than the maximum load, a
lesson -- for instance a broadcast whose schools never have the same free period -- that
fits nowhere, a lesson whose room or link is never available when the lesson could be).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from auyl.engines.timetabling.index import Index, covered
from auyl.engines.timetabling.model import (
    Activity,
    Conflict,
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    PreferredStarts,
    Problem,
    SameStart,
)

#: kinds of :class:`Conflict` that mean malformed data rather than impossible requirements
MALFORMED = frozenset(
    {"duplicate_id", "unknown_reference", "bad_slot", "bad_duration", "bad_weight", "bad_value"}
)


class ProblemError(ValueError):
    """A problem that cannot be solved as given; ``reasons`` says why, one line each."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("; ".join(self.reasons))


def validate(problem: Problem) -> tuple[str, ...]:
    """The reasons why ``problem`` cannot be solved as given (empty when none are found)."""
    return tuple(c.detail for c in check(problem))


def ensure_valid(problem: Problem) -> None:
    """Raise :class:`ProblemError` when :func:`validate` finds anything."""
    reasons = validate(problem)
    if reasons:
        raise ProblemError(reasons)


def check(problem: Problem, ix: Index | None = None) -> tuple[Conflict, ...]:
    """All findings as conflicts; impossible requirements only once the data is well-formed.
    ``ix``: the caller's index of ``problem``, to share the possible starts it computes."""
    found = [*_duplicates(problem), *_references(problem), *_values(problem)]
    if found:
        return tuple(found)
    ix = ix or Index.of(problem)
    return (
        *_lessons_without_place(ix),
        *_groups_overfull(ix),
        *_teachers_overfull(ix),
    )


# ---- malformed data ----------------------------------------------------------------------


def _duplicates(problem: Problem) -> list[Conflict]:
    found = []
    kinds: list[tuple[str, Iterable[str]]] = [
        ("teacher", (t.id for t in problem.teachers)),
        ("class", (g.id for g in problem.groups)),
        ("room or link", (r.id for r in problem.resources)),
        ("lesson", (a.id for a in problem.activities)),
    ]
    for what, ids in kinds:
        for key, n in Counter(ids).items():
            if n > 1:
                found.append(Conflict("duplicate_id", f"The {what} id {key!r} is used {n} times"))
    return found


def _constraint_activities(
    c: PreferredStarts | SameStart | MinDaysBetween | MaxGaps | MaxHoursDaily | MaxDaysPerWeek,
) -> tuple[str, ...]:
    if isinstance(c, PreferredStarts):
        return (c.activity,)
    if isinstance(c, SameStart | MinDaysBetween):
        return c.activities
    return ()


def _references(problem: Problem) -> list[Conflict]:
    teachers = {t.id for t in problem.teachers}
    groups = {g.id for g in problem.groups}
    resources = {r.id for r in problem.resources}
    activities = {a.id for a in problem.activities}
    found = []

    def missing(owner: str, what: str, ids: Iterable[str], known: set[str]) -> None:
        for ref in ids:
            if ref not in known:
                detail = f"{owner} names the {what} {ref!r}, which does not exist"
                found.append(Conflict("unknown_reference", detail))

    for a in problem.activities:
        owner = f"Lesson {a.id!r}"
        missing(owner, "teacher", a.teachers, teachers)
        missing(owner, "class", a.groups, groups)
        missing(owner, "room or link", (*a.resources, *a.room_choices), resources)
    for i, c in enumerate(problem.constraints, 1):
        owner = f"Constraint {i} ({type(c).__name__})"
        missing(owner, "lesson", _constraint_activities(c), activities)
        if isinstance(c, MaxGaps | MaxHoursDaily):
            known = teachers if c.who == "teacher" else groups
            missing(owner, c.who, c.ids, known)
        elif isinstance(c, MaxDaysPerWeek):
            missing(owner, "teacher", c.ids, teachers)
    for name, ids in problem.group_sets:
        missing(f"Students set {name!r}", "class", ids, groups)
    return found


def _values(problem: Problem) -> list[Conflict]:
    week = problem.week
    found = []

    def bad(kind: str, detail: str, **ids: tuple[str, ...]) -> None:
        found.append(Conflict(kind, detail, **ids))

    if week.n_slots == 0:
        bad("bad_value", "The week has no days or no periods")
        return found

    def slots_ok(owner: str, slots: Iterable[int]) -> None:
        outside = sorted(s for s in slots if not 0 <= s < week.n_slots)
        if outside:
            bad("bad_slot", f"{owner} names slot(s) {outside} outside the week")

    slots_ok("The week's breaks", week.break_slots)
    for t in problem.teachers:
        slots_ok(f"Teacher {t.id!r}", t.unavailable | t.disliked)
        if t.max_weekly_periods is not None and t.max_weekly_periods < 0:
            bad("bad_value", f"Teacher {t.id!r} has a negative maximum load", teachers=(t.id,))
    for g in problem.groups:
        slots_ok(f"Class {g.id!r}", g.unavailable)
        if g.max_daily_periods is not None and g.max_daily_periods < 0:
            bad("bad_value", f"Class {g.id!r} has a negative daily maximum", groups=(g.id,))
    for r in problem.resources:
        if r.capacity < 1:
            bad("bad_value", f"Room or link {r.id!r} has capacity {r.capacity}")
    for a in problem.activities:
        if not 1 <= a.duration <= week.periods_per_day:
            detail = f"Lesson {a.id!r} lasts {a.duration} periods; a day has {week.periods_per_day}"
            bad("bad_duration", detail, activities=(a.id,))
        if a.fixed_start is not None:
            slots_ok(f"Lesson {a.id!r}", (a.fixed_start,))
    for i, c in enumerate(problem.constraints, 1):
        owner = f"Constraint {i} ({type(c).__name__})"
        if not 0 < c.weight <= 100:
            bad("bad_weight", f"{owner} has weight {c.weight}; it must be above 0 and at most 100")
        if isinstance(c, PreferredStarts):
            slots_ok(owner, c.slots)
        if isinstance(c, MaxGaps | MaxHoursDaily) and c.who not in ("teacher", "group"):
            bad("bad_value", f"{owner} applies to {c.who!r}; expected teacher or group")
        if isinstance(c, MaxGaps) and c.per not in ("week", "day"):
            bad("bad_value", f"{owner} counts gaps per {c.per!r}; expected week or day")
    return found


# ---- impossible requirements -------------------------------------------------------------


def hard_preferred_starts(problem: Problem) -> dict[str, frozenset[int]]:
    """Allowed starts per activity from hard preferred-start constraints (intersected)."""
    allowed: dict[str, frozenset[int]] = {}
    for c in problem.constraints:
        if isinstance(c, PreferredStarts) and c.weight >= 100:
            allowed[c.activity] = allowed.get(c.activity, c.slots) & c.slots
    return allowed


def possible_starts(ix: Index, a: Activity, preferred: frozenset[int] | None) -> list[int]:
    """Starts where ``a`` fits the day, avoids breaks, its people's and its fixed rooms' or
    links' unavailable slots, and finds at least one of its candidate rooms available
    (kept on ``ix``: computed once per index; callers must not change the list)."""
    key = (a.id, preferred)
    if key not in ix.possible:
        ix.possible[key] = _possible_starts(ix, a, preferred)
    return ix.possible[key]


def _possible_starts(ix: Index, a: Activity, preferred: frozenset[int] | None) -> list[int]:
    blocked = _people_blocked(ix, a).union(*(ix.blocked("resource", r) for r in a.resources))
    starts = _starts_avoiding(ix, a, preferred, blocked)
    if a.room_choices:
        starts = [s for s in starts if available_rooms(ix, a, s)]
    return starts


def available_rooms(ix: Index, a: Activity, start: int) -> tuple[str, ...]:
    """The candidate rooms of ``a`` that are available for all of a lesson at ``start``."""
    slots = covered(start, a.duration)
    return tuple(r for r in a.room_choices if not ix.blocked("resource", r).intersection(slots))


def _people_blocked(ix: Index, a: Activity) -> frozenset[int]:
    """Breaks and the unavailable slots of the lesson's teachers and groups."""
    return ix.problem.week.break_slots.union(
        *(ix.blocked("teacher", t) for t in a.teachers),
        *(ix.blocked("group", g) for g in a.groups),
    )


def _starts_avoiding(
    ix: Index, a: Activity, preferred: frozenset[int] | None, blocked: frozenset[int]
) -> list[int]:
    """Starts inside one day, allowed by the lock and ``preferred``, covering no ``blocked``."""
    week = ix.problem.week
    candidates = range(week.n_slots) if a.fixed_start is None else (a.fixed_start,)
    ppd, n = week.periods_per_day, week.n_slots
    return [
        s
        for s in candidates
        if 0 <= s < n
        and s % ppd + a.duration <= ppd
        and (preferred is None or s in preferred)
        and all(t not in blocked for t in range(s, s + a.duration))
    ]


def _lessons_without_place(ix: Index) -> list[Conflict]:
    found = []
    preferred = hard_preferred_starts(ix.problem)
    for a in ix.problem.activities:
        if possible_starts(ix, a, preferred.get(a.id)):
            continue
        name = ix.activity_name(a.id)
        people_starts = _starts_avoiding(ix, a, preferred.get(a.id), _people_blocked(ix, a))
        if people_starts:
            found.append(_lesson_without_room(ix, a, people_starts))
            continue
        if a.broadcast:
            sites = sorted({ix.group[g].site or g for g in a.groups})
            detail = (
                f"The broadcast {name} joins {', '.join(sites)}, whose free periods never "
                f"coincide for {a.duration} period(s) in a row"
            )
            kind = "broadcast_no_common_slot"
        else:
            detail = f"{name} fits nowhere in the week (breaks, unavailable or locked periods)"
            kind = "lesson_no_slot"
        found.append(Conflict(kind, detail, (a.id,), a.teachers, a.groups))
    return found


def _lesson_without_room(ix: Index, a: Activity, people_starts: list[int]) -> Conflict:
    """``a`` could take place at ``people_starts``, but its rooms or links are never available
    then: its fixed resources when they alone rule out every start, else its room choices."""
    name = ix.activity_name(a.id)
    when = "at any time the lesson could take place"

    def hit(rid: str, starts: list[int]) -> bool:
        blocked = ix.blocked("resource", rid)
        return any(blocked.intersection(covered(s, a.duration)) for s in starts)

    left = [s for s in people_starts if not any(hit(r, [s]) for r in a.resources)]
    if not left:
        rooms = tuple(r for r in a.resources if hit(r, people_starts))
        needs = " and ".join(ix.resource_name(r) for r in rooms)
        which = "which is" if len(rooms) == 1 else "which are"
        detail = f"{name} needs {needs}, {which} not available {when}"
    else:
        rooms = a.room_choices
        which = "which is not" if len(rooms) == 1 else "none of which is"
        detail = f"{name} can only be in {ix.rooms_text(rooms)}, {which} available {when}"
    return Conflict("lesson_no_room", detail, (a.id,), a.teachers, a.groups, rooms)


def _free_periods(ix: Index, who: str, pid: str) -> int:
    return ix.problem.week.n_slots - len(ix.blocked(who, pid))


def _groups_overfull(ix: Index) -> list[Conflict]:
    week = ix.problem.week
    found = []
    for g in ix.problem.groups:
        need = ix.weekly_periods("group", g.id)
        if not need:
            continue
        free = _free_periods(ix, "group", g.id)
        if g.max_daily_periods is not None:
            blocked = ix.blocked("group", g.id)
            free = sum(
                min(
                    g.max_daily_periods,
                    sum(1 for p in range(week.periods_per_day) if week.slot(d, p) not in blocked),
                )
                for d in range(week.n_days)
            )
        if need > free:
            detail = (
                f"{ix.group_name(g.id)} needs {need} lesson periods a week "
                f"but has only {free} free periods"
            )
            found.append(Conflict("group_overfull", detail, tuple(ix.of_group[g.id]), (), (g.id,)))
    return found


def _teachers_overfull(ix: Index) -> list[Conflict]:
    found = []
    for t in ix.problem.teachers:
        need = ix.weekly_periods("teacher", t.id)
        if not need:
            continue
        name, lessons = ix.teacher_name(t.id), tuple(ix.of_teacher[t.id])
        free = _free_periods(ix, "teacher", t.id)
        if free == 0:
            detail = f"Teacher {name} has no available period but must teach {need} periods"
            found.append(Conflict("teacher_unavailable_all_week", detail, lessons, (t.id,)))
        elif need > free:
            detail = f"Teacher {name} is available on {free} periods but must teach {need}"
            found.append(Conflict("teacher_overfull", detail, lessons, (t.id,)))
        if t.max_weekly_periods is not None and need > t.max_weekly_periods:
            detail = (
                f"Teacher {name} must teach {need} periods, "
                f"more than the maximum load of {t.max_weekly_periods}"
            )
            found.append(Conflict("teacher_over_max_load", detail, lessons, (t.id,)))
    return found
