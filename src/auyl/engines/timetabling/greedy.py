"""A fast greedy timetable: the hardest lessons first, each at the earliest start that
breaks no hard rule, with a few randomised restarts.

Easy schools are timetabled this way in a fraction of a second, well before CP-SAT has
finished its presolve; :func:`solve` accepts the result only when the independent
:func:`~auyl.engines.timetabling.evaluate.evaluate` finds no hard violation, and otherwise
passes whatever was placed to CP-SAT as a hint. The checks here mirror the hard rules of
:mod:`constraints` (clashes, capacities, rooms, daily maxima, teaching days, min days
between, consecutive-if-same-day, travel, gaps) on plain arrays. A gap a repair left
behind is not kept: the lessons of that day are placed again (:func:`_gap_breakers`).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict, deque
from collections.abc import Sequence

from auyl.engines.timetabling.index import Index, travel_needs
from auyl.engines.timetabling.model import (
    HARD,
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    Placement,
    SameStart,
)

Person = tuple[str, str]  # ("teacher" | "group", id)

#: a unit evicted within this many repair moves is not evicted again (avoids cycling)
_TABU_MOVES = 3
#: repair moves per unit before an attempt gives up and restarts with another order
MOVES_PER_UNIT = 20


class _State:
    """Occupancy of every person and resource, and the hard limits to respect."""

    def __init__(self, ix: Index) -> None:
        p, week = ix.problem, ix.problem.week
        self.ix, self.week, self.ppd = ix, week, week.periods_per_day
        self.busy: dict[Person, bytearray] = {}
        self.people: dict[str, list[Person]] = {}
        for a in p.activities:
            people = [("teacher", t) for t in dict.fromkeys(a.teachers)]
            people += [("group", g) for g in dict.fromkeys(a.groups)]
            self.people[a.id] = people
            for person in people:
                self.busy.setdefault(person, bytearray(week.n_slots))
        #: who teaches or learns in each period of each person (None: free)
        self.occupant: dict[Person, list[str | None]] = {
            person: [None] * week.n_slots for person in self.busy
        }
        self.used: dict[str, bytearray] = {r.id: bytearray(week.n_slots) for r in p.resources}
        self.capacity = {r.id: r.capacity for r in p.resources}
        self.start: dict[str, int] = {}
        self.room: dict[str, str | None] = {}
        self.daily_max: dict[Person, int] = {}
        self.max_days: dict[str, int] = {}
        self.gap_limits: dict[Person, list[tuple[str, int]]] = defaultdict(list)
        self.min_days: dict[str, list[tuple[tuple[str, ...], int, bool]]] = defaultdict(list)
        self._limits(ix)

    def _limits(self, ix: Index) -> None:
        for g in ix.problem.groups:
            if g.max_daily_periods is not None:
                self.daily_max[("group", g.id)] = g.max_daily_periods
            if g.no_gaps:
                self.gap_limits[("group", g.id)].append(("day", 0))
        for c in ix.problem.constraints:
            if isinstance(c, MinDaysBetween):
                days = c.min_days if c.weight >= HARD else 0
                for aid in c.activities:
                    self.min_days[aid].append((c.activities, days, c.consecutive_if_same_day))
            if c.weight < HARD:
                continue
            if isinstance(c, MaxHoursDaily):
                for pid in ix.person_ids(c.who, c.ids):
                    key = (c.who, pid)
                    self.daily_max[key] = min(c.max_periods, self.daily_max.get(key, c.max_periods))
            elif isinstance(c, MaxDaysPerWeek):
                for pid in ix.person_ids("teacher", c.ids):
                    self.max_days[pid] = min(c.max_days, self.max_days.get(pid, c.max_days))
            elif isinstance(c, MaxGaps):
                for pid in ix.person_ids(c.who, c.ids):
                    self.gap_limits[(c.who, pid)].append((c.per, c.max_gaps))

    # ---- checks --------------------------------------------------------------------------

    def day_range(self, day: int) -> range:
        return range(day * self.ppd, (day + 1) * self.ppd)

    def fits(self, aid: str, s: int) -> str | bool | None:
        """False when ``aid`` cannot start at ``s``; else the room to use (None: no room)."""
        a = self.ix.activity[aid]
        end = s + a.duration
        slots = range(s, end)
        day = s // self.ppd
        first = day * self.ppd
        for person in self.people[aid]:
            busy = self.busy[person]
            if any(busy[s:end]):
                return False
            limit = self.daily_max.get(person)
            if limit is not None and sum(busy[first : first + self.ppd]) + a.duration > limit:
                return False
            if person in self.gap_limits and not self._gaps_ok(person, slots):
                return False
        for rid in a.resources:
            if any(self.used[rid][t] >= self.capacity[rid] for t in slots):
                return False
        for tid in a.teachers:
            limit = self.max_days.get(tid)
            if limit is not None and not self._days_ok(("teacher", tid), day, limit):
                return False
        if not self._min_days_ok(aid, s) or not self._travel_ok(aid, s):
            return False
        if not a.room_choices:
            return None
        for rid in a.room_choices:
            if all(self.used[rid][t] < self.capacity[rid] for t in slots):
                return rid
        return False

    def _days_ok(self, person: Person, day: int, limit: int) -> bool:
        busy = self.busy[person]
        days = {t // self.ppd for t in range(len(busy)) if busy[t]}
        return day in days or len(days) < limit

    def _gaps_ok(self, person: Person, slots: range) -> bool:
        """The person's gap limits hold after adding ``slots`` -- or at least the gaps do
        not grow (a repair may have left a hole that a later lesson fills; the final
        timetable is checked by :func:`evaluate` anyway)."""
        busy = self.busy[person]
        day = slots.start // self.ppd
        before = self.gap_counts(person, day)
        for t in slots:
            busy[t] = 1
        after = self.gap_counts(person, day)
        for t in slots:
            busy[t] = 0
        return all(
            new <= limit or new <= old
            for (_, limit), old, new in zip(self.gap_limits[person], before, after, strict=True)
        )

    def gap_counts(self, person: Person, day: int) -> list[int]:
        """Gaps that each of the person's gap limits counts (that day, or the week)."""
        busy, blocked = self.busy[person], self.ix.blocked(*person)
        counts = []
        for per, _ in self.gap_limits[person]:
            days = [day] if per == "day" else range(self.week.n_days)
            counts.append(sum(self._day_gaps(busy, blocked, d) for d in days))
        return counts

    def _day_gaps(self, busy: bytearray, blocked: frozenset[int], day: int) -> int:
        lessons = [t for t in self.day_range(day) if busy[t]]
        if not lessons:
            return 0
        return sum(
            1 for t in range(lessons[0], lessons[-1] + 1) if not busy[t] and t not in blocked
        )

    def _min_days_ok(self, aid: str, s: int) -> bool:
        a = self.ix.activity[aid]
        day = s // self.ppd
        for members, days, consecutive in self.min_days.get(aid, ()):
            for other in members:
                if other == aid or other not in self.start:
                    continue
                s2 = self.start[other]
                d2 = s2 // self.ppd
                if abs(day - d2) < days:
                    return False
                dur2 = self.ix.activity[other].duration
                if consecutive and day == d2 and s2 != s + a.duration and s2 + dur2 != s:
                    return False
        return True

    def _travel_ok(self, aid: str, s: int) -> bool:
        a = self.ix.activity[aid]
        site = self.ix.site_of(a)
        for tid in a.teachers:
            teacher = self.ix.teacher.get(tid)
            need = travel_needs(teacher) if teacher is not None else {}
            if not need:
                continue
            for other in self.ix.of_teacher.get(tid, []):
                if other not in self.start or other == aid:
                    continue
                o = self.ix.activity[other]
                s2 = self.start[other]
                k = need.get((site, self.ix.site_of(o)))
                if k is None or s2 // self.ppd != s // self.ppd:
                    continue
                free = max(s, s2) - min(s + a.duration, s2 + o.duration)
                if free < k:
                    return False
        return True

    # ---- changes -------------------------------------------------------------------------

    def place(self, aid: str, s: int, room: str | None) -> None:
        a = self.ix.activity[aid]
        slots = range(s, s + a.duration)
        for person in self.people[aid]:
            for t in slots:
                self.busy[person][t] = 1
        for rid in (*a.resources, *([room] if room else [])):
            for t in slots:
                self.used[rid][t] += 1
        self.start[aid] = s
        self.room[aid] = room
        for person in self.people[aid]:
            occupant = self.occupant[person]
            for t in slots:
                occupant[t] = aid

    def unplace(self, aid: str) -> None:
        a = self.ix.activity[aid]
        s, room = self.start.pop(aid), self.room.pop(aid, None)
        slots = range(s, s + a.duration)
        for person in self.people[aid]:
            occupant, busy = self.occupant[person], self.busy[person]
            for t in slots:
                busy[t] = 0
                occupant[t] = None
        for rid in (*a.resources, *([room] if room else [])):
            for t in slots:
                self.used[rid][t] -= 1

    def clashing(self, aid: str, s: int) -> list[str]:
        """Placed lessons in the way of ``aid`` started at ``s``: those sharing a teacher or
        group in its periods, its min-days partners placed too close, and its
        consecutive-if-same-day partners on that day but not next to it."""
        a = self.ix.activity[aid]
        slots = range(s, s + a.duration)
        found: dict[str, None] = {}  # a dict: the order is reproducible, unlike a set's
        for person in self.people[aid]:
            occupant = self.occupant[person]
            for t in slots:
                other = occupant[t]
                if other is not None:
                    found[other] = None
        partners = self.min_days.get(aid)
        if not partners:
            return list(found)
        day = s // self.ppd
        for members, days, consecutive in partners:
            for other in members:
                if other == aid or other not in self.start:
                    continue
                s2 = self.start[other]
                if abs(s2 // self.ppd - day) < days:
                    found[other] = None
                elif consecutive and s2 // self.ppd == day:
                    end2 = s2 + self.ix.activity[other].duration
                    if s2 != s + a.duration and end2 != s:
                        found[other] = None
        return list(found)


def _units(ix: Index) -> list[list[str]]:
    """Activities that must start together form one unit (union of hard same-start sets)."""
    parent = {a.id: a.id for a in ix.problem.activities}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for c in ix.problem.constraints:
        if isinstance(c, SameStart) and c.weight >= HARD:
            for other in c.activities[1:]:
                parent[find(other)] = find(c.activities[0])
    units: dict[str, list[str]] = defaultdict(list)
    for a in ix.problem.activities:
        units[find(a.id)].append(a.id)
    return list(units.values())


def greedy(
    ix: Index, starts: dict[str, list[int]], time_limit: float, seed: int = 0
) -> tuple[tuple[Placement, ...], bool]:
    """The best greedy attempt within ``time_limit``: its placements and whether every
    lesson got a start."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    units = _units(ix)
    best: tuple[Placement, ...] = ()
    attempt = 0
    while time.perf_counter() - t0 < time_limit:
        placed, complete = _attempt(ix, starts, units, rng, attempt, t0 + time_limit)
        if len(placed) > len(best):
            best = placed
        if complete:
            return placed, True
        attempt += 1
    return best, False


def _difficulty(ix: Index, unit: Sequence[str], starts: dict[str, list[int]]) -> float:
    options = min(len(starts[a]) for a in unit)
    weight = sum(
        ix.activity[a].duration * (len(ix.activity[a].teachers) + len(ix.activity[a].groups))
        for a in unit
    )
    return options / max(1, weight)


def _attempt(
    ix: Index,
    starts: dict[str, list[int]],
    units: list[list[str]],
    rng: random.Random,
    attempt: int,
    deadline: float,
) -> tuple[tuple[Placement, ...], bool]:
    """Place the units hardest first; then repair: an unplaced unit evicts the few units
    that clash with it at some start and they queue up again (FET-like ejection chains)."""
    state = _State(ix)
    noise = 0.0 if attempt == 0 else 0.3
    order = sorted(units, key=lambda u: _difficulty(ix, u, starts) * (1 + noise * rng.random()))
    common = {
        id(u): sorted(
            set(starts[u[0]]).intersection(*(starts[a] for a in u[1:])),
            key=lambda s: (s % state.ppd, rng.random() if attempt else s),
        )
        for u in units
    }
    unit_of = {aid: u for u in units for aid in u}
    queue = [u for u in order if not _place_first_fit(state, u, common[id(u)])]
    moves, max_moves = 0, MOVES_PER_UNIT * len(units)
    recent: deque[int] = deque(maxlen=_TABU_MOVES)  # the units moved last
    while moves < max_moves and time.perf_counter() < deadline:
        if not queue:
            queue = _gap_breakers(state, unit_of)
            if not queue:
                break
        unit = queue.pop(0)
        if _place_first_fit(state, unit, common[id(unit)]):
            continue
        evicted = _evict_and_place(state, unit, common[id(unit)], unit_of, set(recent), rng)
        moves += 1
        recent.append(id(unit))
        if evicted is None:
            queue.append(unit)
        else:
            queue.extend(evicted)
    if not queue:
        queue = _gap_breakers(state, unit_of)
    return _placements(state), not queue


def _gap_breakers(state: _State, unit_of: dict[str, list[str]]) -> list[list[str]]:
    """Unplace the lessons of every day with a gap of a person whose gap limit is broken
    (repairs may leave holes) and return their units, to be placed again."""
    removed: dict[int, list[str]] = {}
    for person, limits in state.gap_limits.items():
        counts = [state.gap_counts(person, d) for d in range(state.week.n_days)]
        over = any(
            (sum(c[i] for c in counts) if per == "week" else max(c[i] for c in counts)) > limit
            for i, (per, limit) in enumerate(limits)
        )
        if not over:
            continue
        occupant = state.occupant[person]
        for day, day_counts in enumerate(counts):
            if not any(day_counts):
                continue
            for t in state.day_range(day):
                aid = occupant[t]
                if aid is not None and aid in state.start:
                    unit = unit_of[aid]
                    removed[id(unit)] = unit
                    for member in unit:
                        if member in state.start:
                            state.unplace(member)
    return list(removed.values())


def _place_first_fit(state: _State, unit: list[str], candidates: list[int]) -> bool:
    """Place ``unit`` at the first candidate start where all its lessons fit."""
    if len(unit) == 1:  # the common case, without the lists
        aid = unit[0]
        for s in candidates:
            room = state.fits(aid, s)
            if room is not False:
                state.place(aid, s, room if isinstance(room, str) else None)
                return True
        return False
    for s in candidates:
        rooms = [state.fits(a, s) for a in unit]
        if any(r is False for r in rooms):
            continue
        for aid, room in zip(unit, rooms, strict=True):
            state.place(aid, s, room if isinstance(room, str) else None)
        return True
    return False


def _evict_and_place(
    state: _State,
    unit: list[str],
    candidates: list[int],
    unit_of: dict[str, list[str]],
    tabu: set[int],
    rng: random.Random,
) -> list[list[str]] | None:
    """Place ``unit`` at the start with the fewest clashing units (not just moved), evicting
    them; None when no start works even after evicting."""
    scored: list[tuple[int, float, int, list[list[str]]]] = []
    for s in candidates:
        found: dict[int, list[str]] = {}
        for aid in unit:
            for other in state.clashing(aid, s):
                victim = unit_of[other]
                found[id(victim)] = victim
        if not tabu.isdisjoint(found):
            continue
        scored.append((len(found), rng.random(), s, list(found.values())))
    scored.sort(key=lambda item: (item[0], item[1]))
    for _, _, s, victims in scored[:8]:
        saved = [(aid, state.start[aid], state.room.get(aid)) for v in victims for aid in v]
        for aid, _, _ in saved:
            state.unplace(aid)
        rooms = [state.fits(a, s) for a in unit]
        if all(r is not False for r in rooms):
            for aid, room in zip(unit, rooms, strict=True):
                state.place(aid, s, room if isinstance(room, str) else None)
            return victims
        for aid, start, room in saved:  # undo: the victims go back where they were
            state.place(aid, start, room)
    return None


def _placements(state: _State) -> tuple[Placement, ...]:
    return tuple(Placement(aid, s, state.room.get(aid)) for aid, s in state.start.items())
