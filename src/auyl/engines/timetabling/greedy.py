"""The greedy start: FET-style recursive swapping (:mod:`swapping`, compiled) and Kempe
chains (:mod:`kempe`, for packed weeks), with restarts.

Easy and mid-size schools are timetabled this way in a fraction of a second, well before
CP-SAT has finished its presolve; :func:`solve` accepts the result only when the
independent :func:`~auyl.engines.timetabling.evaluate.evaluate` finds no hard violation,
and otherwise passes whatever was placed to a CP-SAT repair or as hints.

This module turns a problem into the integer arrays of :mod:`swapping` (:class:`Arrays`)
and drives its loop (:func:`building.run`): locked lessons first, then every other unit,
hardest first, in two lanes that take turns (:func:`search`): one long attempt that never
restarts, and attempts that restart with another order and another effort per unit once
they have forced more than their share of units in, or taken more than their share of time
(both on Luby's sequence). The arrays cover the hard rules (clashes, min days between,
consecutive-if-same-day, daily maxima, teaching days, gaps, travel between sites, rooms
and other resources with their closed slots) and the soft min-days rules (FET's way: a
partner too close is moved with a chance of the rule's weight on every other restarted
attempt, and breaks ties on all). :func:`polish` then mends the soft rules of a complete
timetable (:mod:`polishing`).
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from auyl.engines.timetabling import building, polishing, swapping
from auyl.engines.timetabling.index import Index, split_sets, spread_min_days, travel_needs
from auyl.engines.timetabling.model import (
    HARD,
    Activity,
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    Placement,
    PreferredStarts,
    Problem,
    SameStart,
    Week,
)

Person = tuple[str, str]  # ("teacher" | "group", id)

#: attempts one unit's chain may make, cycled over restarts (no single effort suits all:
#: measured on the FET examples, packed schools want little, others more)
CHAIN_EFFORTS = (100, 30, 300)
#: per attempt (cycled): the share of its weight with which a soft min-days partner placed
#: too close is taken out of the way (1: as FET does; 0: soft rules only break ties)
SOFT_SHARES = (1.0, 0.0)
#: Kempe chains (:mod:`kempe`) in every lane. Measured, the greedy alone, 4 seeds: so,
#: Collegiate_Junior_School2 is found on 4 of 4 in 30 s (9-15 s) but Van_RhynFinal on 1-2
#: of 4 in 15 s (4 of 4 without); in every other restart, 1 and 3 of 4; in the lane that
#: never restarts only, 0 and 3 of 4; in the restarts only, 4 and 1 of 4
EXCHANGES = True
#: attempts one chain of the lane that never restarts may make
LONG_EFFORT = 300
#: the soft share of the lane that never restarts (see ``SOFT_SHARES``) for its first
#: seconds (a base plus per unit); after them soft rules only break ties. Measured over 3
#: seeds: MHS_July2's soft cost 18-25 -> 2-3 (fet-cl: 8.6), Shipena's 8-24 -> 2-3 (2.0-3.0),
#: EGS2016T2d found in 0.1-0.3 s instead of 0.6-1.2 s; without the switch to ties only,
#: Van_RhynFinal is found on no seed in 20 s
LONG_SOFT_SHARE = 1.0
LONG_SOFT_S, LONG_SOFT_PER_UNIT_S = 1.0, 0.002
#: the share of a person's periods still to place by which their gaps may exceed a hard
#: limit while the timetable is built (``swapping._gaps_within``): teachers as FET counts
#: them (Brazil, 4 gaps a week: median 1.6 s -> 0.6 s over 8 seeds); classes strictly, or
#: when the lesson adds no gap to its day (any slack made Computers-Craiova 10-20x slower)
TEACHER_SLACK, GROUP_SLACK = 1.0, 0.0
#: forced placements an attempt may make, per unit, before it restarts (times Luby's term)
FORCED_PER_UNIT = 2.0
#: seconds an attempt may take before it restarts (times Luby's term)
ATTEMPT_BASE_S, ATTEMPT_PER_UNIT_S = 0.2, 0.0004
#: attempts the compiled loop makes between two looks at the clock
_CALLS_PER_SLICE = 5_000
#: attempts one chain of the soft polish may make
POLISH_EFFORT = 100
#: units the polish looks at between two looks at the clock
_POLISH_SLICE = 32
#: journal entries (undo steps) one chain may record
_JOURNAL = 1 << 18
#: :func:`anneal`: shares of its time for the first polish and the annealing (the rest
#: polishes the best timetable seen), the temperatures at its start and end (a cluster's
#: gap costs 1; measured on a demo cluster: 2 -> 0.05 reached 126, 5 -> 0.2 152, 1 -> 0.02
#: 136 in the same 9 s), and the moves per slice (about 0.15 s)
ANNEAL_POLISH_SHARE, ANNEAL_SHARE = 0.05, 0.65
ANNEAL_T0, ANNEAL_T1 = 2.0, 0.05
_ANNEAL_SLICE = 5_000


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


def _difficulties(
    ix: Index, units: Sequence[Sequence[str]], starts: dict[str, list[int]]
) -> list[float]:
    """Per unit, how hard it is to place (smaller: harder, placed earlier): its fewest
    possible starts over the periods of the week its people are busy with all their lessons
    (each lesson's duration times its teachers' and groups' weekly periods) -- as FET
    orders by incompatible activities: a lesson of a busy teacher or a packed class has
    fewer ways out. Measured against counting people only (a lesson's duration times its
    teachers and groups), the greedy's median over 4 seeds: MHS_July2 3.1 -> 0.8 s,
    anonymous-1-2007 3.3 -> 1.9 s, FGPS 54 -> 12 s, Brazil 0.84 -> 0.38 s,
    KalengaPSY15T1a 3.0 -> 2.2 s; Highlands 0.25 -> 0.38 s. On the demo clusters, whose
    goals' pairs are in the way while building, it is slower (AKT-0198 0.22 -> 0.64 s,
    6 seeds) but the 10 s solve ends about 7 % lower (near the noise)."""
    busy = {
        (who, pid): ix.weekly_periods(who, pid)
        for who, lessons in (("teacher", ix.of_teacher), ("group", ix.of_group))
        for pid in lessons
    }
    out = []
    for unit in units:
        weight = 0
        for aid in unit:
            a = ix.activity[aid]
            people = [("teacher", t) for t in a.teachers] + [("group", g) for g in a.groups]
            weight += a.duration * sum(busy[person] for person in people)
        out.append(min(len(starts[aid]) for aid in unit) / max(1, weight))
    return out


def _hardest_first(units: list[list[str]], difficulty: Sequence[float]) -> list[list[str]]:
    """``units`` by ``difficulty``, smallest (hardest) first; ties keep their order."""
    return [units[k] for k in sorted(range(len(units)), key=difficulty.__getitem__)]


def _csr(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Compressed rows: ``flat[ptr[i]:ptr[i + 1]]`` is row ``i`` (``flat`` never empty)."""
    ptr = np.zeros(len(rows) + 1, np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    flat = np.fromiter((x for r in rows for x in r), np.int32, count=int(ptr[-1]))
    return ptr, flat if flat.size else np.zeros(1, np.int32)


def _lower(limits: np.ndarray, i: int, value: int) -> None:
    """Keep the tighter of two limits (-1: none yet)."""
    limits[i] = value if limits[i] < 0 else min(int(limits[i]), value)


@dataclass(slots=True)
class Arrays:
    """The problem as the integer arrays of :mod:`swapping` (for one order of the units):
    its named tuples ``Static`` (the problem), ``State`` (the timetable being built) and
    ``Frames`` (the explicit recursion stack)."""

    activities: list[str]
    units: list[list[str]]
    resources: list[str]
    locked: list[int]  # units holding a lesson with a fixed start
    static: Any  # swapping.Static
    state: Any  # swapping.State
    frames: Any  # swapping.Frames

    @classmethod
    def of(cls, ix: Index, starts: dict[str, list[int]], units: list[list[str]], effort: int,
           rng: random.Random, shuffle: bool, soft_share: float,
           exchanges: bool = False) -> Arrays:  # fmt: skip
        """Arrays for ``units`` in that order; candidate starts earliest period first (ties
        at random when ``shuffle``); Kempe chains used when ``exchanges``."""
        p = ix.problem
        week = p.week
        acts = [a.id for a in p.activities]
        at = {aid: i for i, aid in enumerate(acts)}
        persons = _persons(ix)
        people = [
            [persons[("teacher", t)] for t in dict.fromkeys(a.teachers)]
            + [persons[("group", g)] for g in dict.fromkeys(a.groups)]
            for a in p.activities
        ]
        rid = {r.id: i for i, r in enumerate(p.resources)}
        unit_of = np.zeros(len(acts), np.int32)
        for ui, unit in enumerate(units):
            for aid in unit:
                unit_of[at[aid]] = ui
        candidates = [
            sorted(
                set(starts[u[0]]).intersection(*(starts[a] for a in u[1:])),
                key=lambda s: (s % week.periods_per_day, rng.random() if shuffle else s),
            )
            for u in units
        ]
        limits = _person_limits(ix, persons)
        md_ptr, md = _min_days(ix, at, hard=True)
        sp_ptr, sp = _min_days(ix, at, hard=False)
        u_ptr, u_act = _csr([[at[a] for a in u] for u in units])
        c_ptr, c_flat = _csr(candidates)
        pp_ptr, pp = _csr(people)
        res_ptr, res = _csr([[rid[r] for r in a.resources] for a in p.activities])
        room_ptr, rooms = _csr([[rid[r] for r in a.room_choices] for a in p.activities])
        capacity = np.array([r.capacity for r in p.resources] or [0], np.int32)
        locked = [ui for ui, u in enumerate(units) if any(ix.activity[a].fixed_start is not None
                                                           for a in u)]  # fmt: skip
        static = swapping.Static(
            u_ptr, u_act, c_ptr, c_flat, np.zeros(len(units), np.uint8), unit_of,
            np.array([a.duration for a in p.activities], np.int32), pp_ptr, pp, res_ptr, res,
            room_ptr, rooms, md_ptr, md[0], md[1], md[2], *limits, capacity,
            np.int64(week.periods_per_day), np.int64(week.n_days), np.int64(effort),
            sp_ptr, sp[0], sp[1], sp[3], np.float64(soft_share), *_travel(ix, persons),
            _periods(p.activities, people, len(persons)), _slack(persons), np.uint8(exchanges),
        )  # fmt: skip
        r_used = np.zeros((max(1, len(p.resources)), week.n_slots), np.int32)
        for r in p.resources:  # a closed slot is a full one
            for t in r.unavailable:
                if 0 <= t < week.n_slots:
                    r_used[rid[r.id], t] = r.capacity
        n, n_units = len(acts), len(units)
        state = swapping.State(
            np.full((len(persons), week.n_slots), -1, np.int32),
            np.zeros((len(persons), week.n_days), np.int32),
            r_used,
            np.full(r_used.shape, -1, np.int32),
            np.full(n, -1, np.int32),
            np.full(n, -1, np.int32),
            np.zeros((_JOURNAL, 4), np.int32),
            np.zeros(8, np.int64),
            np.full((n, week.n_slots), -(10**6), np.int64),
            np.zeros(n_units, np.uint8),
            np.zeros(n_units, np.int64),
            np.full(n_units, -(10**6), np.int64),
        )
        levels = swapping.MAX_LEVEL + 2
        widest = max((len(c) for c in candidates), default=1) or 1
        frames = swapping.Frames(
            np.zeros(levels, np.int32), np.zeros((levels, widest), np.int32),
            np.zeros(levels, np.int64), np.zeros(levels, np.int64), np.zeros(levels, np.int64),
            np.zeros((levels, max(1, n_units)), np.int32), np.zeros(levels, np.int64),
            np.zeros(levels, np.int64), np.zeros(max(1, n_units), np.int32),
        )  # fmt: skip
        return cls(acts, units, [r.id for r in p.resources], locked, static, state, frames)

    @property
    def counters(self) -> np.ndarray:
        counters: np.ndarray = self.state.ctr
        return counters

    def placements(self) -> tuple[Placement, ...]:
        start, room = self.state.start, self.state.a_room
        return tuple(
            Placement(aid, int(start[i]), self.resources[room[i]] if room[i] >= 0 else None)
            for i, aid in enumerate(self.activities)
            if start[i] >= 0
        )


def _persons(ix: Index) -> dict[Person, int]:
    """Every teacher and group an index (lessons may name people the problem does not list)."""
    persons: dict[Person, int] = {}
    for key in [("teacher", t.id) for t in ix.problem.teachers] + [
        ("group", g.id) for g in ix.problem.groups
    ]:
        persons.setdefault(key, len(persons))
    for a in ix.problem.activities:
        for key in [("teacher", t) for t in a.teachers] + [("group", g) for g in a.groups]:
            persons.setdefault(key, len(persons))
    return persons


Five = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _person_limits(ix: Index, persons: dict[Person, int]) -> Five:
    """Per person: daily maximum, teaching days, gaps a day, gaps a week (-1: none) and the
    blocked slots (breaks, unavailable), from the hard rules."""
    n = len(persons)
    daily, days, gap_day, gap_week = (np.full(n, -1, np.int32) for _ in range(4))
    for g in ix.problem.groups:
        if g.max_daily_periods is not None:
            _lower(daily, persons[("group", g.id)], g.max_daily_periods)
        if g.no_gaps:
            _lower(gap_day, persons[("group", g.id)], 0)
    for c in ix.problem.constraints:
        if c.weight < HARD:
            continue
        if isinstance(c, MaxHoursDaily):
            for pid in _known(persons, c.who, ix.person_ids(c.who, c.ids)):
                _lower(daily, pid, c.max_periods)
        elif isinstance(c, MaxDaysPerWeek):
            for pid in _known(persons, "teacher", ix.person_ids("teacher", c.ids)):
                _lower(days, pid, c.max_days)
        elif isinstance(c, MaxGaps):
            target = gap_day if c.per == "day" else gap_week
            for pid in _known(persons, c.who, ix.person_ids(c.who, c.ids)):
                _lower(target, pid, c.max_gaps)
    blocked = np.zeros((n, ix.problem.week.n_slots), np.uint8)
    for (who, person_id), i in persons.items():
        for t in ix.blocked(who, person_id):
            if 0 <= t < blocked.shape[1]:
                blocked[i, t] = 1
    return daily, days, gap_day, gap_week, blocked


def _slack(persons: dict[Person, int]) -> np.ndarray:
    """Per person, the share of their periods still to place that may be gaps for now."""
    share = [TEACHER_SLACK if kind == "teacher" else GROUP_SLACK for kind, _ in persons]
    return np.array(share or [0.0], np.float64)


def _periods(lessons: Sequence[Activity], people: list[list[int]], n: int) -> np.ndarray:
    """Per person, the periods of all their lessons."""
    periods = np.zeros(max(1, n), np.int32)
    for a, persons in zip(lessons, people, strict=True):
        for p in persons:
            periods[p] += a.duration
    return periods


def _travel(ix: Index, persons: dict[Person, int]) -> Five:
    """Each lesson's site, and per teacher the (site, site, free periods) needs of travel."""
    sites: dict[str, int] = {}
    site = np.array(
        [sites.setdefault(ix.site_of(a), len(sites)) for a in ix.problem.activities] or [0],
        np.int32,
    )
    rows: list[list[tuple[int, int, int]]] = [[] for _ in persons]
    for t in ix.problem.teachers:
        for (x, y), k in travel_needs(t).items():
            if x in sites and y in sites:
                rows[persons[("teacher", t.id)]].append((sites[x], sites[y], k))
    ptr = np.zeros(len(rows) + 1, np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    flat = [e for r in rows for e in r] or [(-1, -1, 0)]
    first, second, periods = (np.array([e[i] for e in flat], np.int32) for i in range(3))
    return site, ptr, first, second, periods


def _known(persons: dict[Person, int], who: str, ids: Iterable[str]) -> list[int]:
    return [persons[(who, pid)] for pid in ids if (who, pid) in persons]


def _min_days(
    ix: Index, at: dict[str, int], *, hard: bool
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Per activity, its min-days partners with the days to keep apart and whether they must
    be adjacent when on one day: the hard rules (a soft one only for its consecutive part),
    or else the soft rules and the cluster goals of days between lessons
    (:func:`goal_partners`), which the greedy avoids breaking where it has the choice and
    puts in the way with a chance of their weight, as FET does. (Never in the way, the
    goals made the first timetable of demo clusters 2-4 times faster, 0.6 -> 0.2 s, but
    the platform's 10 s solve of AKT-0152 ended 20 % worse: 225 against 183.)"""
    rows: list[list[tuple[int, int, int, float]]] = [[] for _ in at]
    for c in ix.problem.constraints:
        if not isinstance(c, MinDaysBetween):
            continue
        if hard:
            days = c.min_days if c.weight >= HARD else 0
            if days == 0 and not c.consecutive_if_same_day:
                continue
        elif c.weight >= HARD:
            continue
        else:
            days = c.min_days
        members = [at[a] for a in c.activities if a in at]
        consecutive = int(hard and c.consecutive_if_same_day)
        for x in members:
            rows[x].extend((y, days, consecutive, c.weight) for y in members if y != x)
    if not hard:
        for a1, a2, days, weight in goal_partners(ix):
            if a1 in at and a2 in at:
                rows[at[a1]].append((at[a2], days, 0, weight))
                rows[at[a2]].append((at[a1], days, 0, weight))
    ptr = np.zeros(len(rows) + 1, np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    flat = [e for r in rows for e in r] or [(0, 0, 0, 0.0)]
    return ptr, (
        np.array([e[0] for e in flat], np.int32),
        np.array([e[1] for e in flat], np.int32),
        np.array([e[2] for e in flat], np.uint8),
        np.array([e[3] for e in flat], np.float64),
    )


def goal_partners(ix: Index) -> list[tuple[str, str, int, float]]:
    """The cluster model's soft goals that are days between two lessons, as soft min-days
    pairs ``(a1, a2, days, weight in FET's percent)`` whose costs add up to the goals'
    costs in :func:`evaluate`: the parts of a weekly activity ``spread`` over the week
    (per day short of the ideal), and each group's lessons of one subject on different
    days (``subject_twice_a_day``, once per group sharing both; three on one day cost one
    more here than there, and subjects asked as double periods are left out). Empty for a
    FET import, whose goals are off."""
    soft, week = ix.problem.soft, ix.problem.week
    pairs: list[tuple[str, str, int, float]] = []
    if soft.spread > 0:
        for parts in split_sets(ix.problem).values():
            days = spread_min_days(week, len(parts))
            pairs.extend((a1, a2, days, 100.0 * soft.spread) for a1, a2 in combinations(parts, 2))
    if soft.subject_twice_a_day > 0:
        same_day: dict[tuple[str, str], float] = defaultdict(float)
        for aids in ix.of_group.values():
            by_subject: dict[str, list[str]] = defaultdict(list)
            for aid in aids:
                by_subject[ix.activity[aid].subject].append(aid)
            for lessons in by_subject.values():
                if not any(ix.activity[a].double for a in lessons):
                    for pair in combinations(sorted(lessons), 2):
                        same_day[pair] += 100.0 * soft.subject_twice_a_day
        pairs.extend((a1, a2, 1, weight) for (a1, a2), weight in same_day.items())
    return pairs


def _luby(i: int) -> int:
    """The i-th term (from 1) of Luby's restart sequence 1 1 2 1 1 2 4 1 1 2 ..."""
    k = 1
    while (1 << k) - 1 < i:
        k += 1
    if i == (1 << k) - 1:
        return 1 << (k - 1)
    return _luby(i - (1 << (k - 1)) + 1)


_compiled = threading.Event()


def warm_up() -> None:
    """Load the compiled search once per process (about 0.7 s; after an install numba
    compiles it first, about 80 s), so that no time limit pays for it. Thread-safe; later
    calls return at once."""
    if _compiled.is_set():
        return
    with _compiling:
        if _compiled.is_set():
            return
        lessons = [Activity(f"a{k}", "warm-up", ("T",), ("G",)) for k in range(3)]
        lessons[0] = dataclasses.replace(lessons[0], fixed_start=0)
        ix = Index.of(Problem("warm-up", Week(("d",), ("1", "2")), (), (), (), tuple(lessons)))
        starts = {a.id: [0] if a.fixed_start is not None else [0, 1] for a in lessons}
        arrays = Arrays.of(ix, starts, _units(ix), 1, random.Random(0), False, 1.0)
        swapping.seed(0)
        attempt = _begin(arrays, 10, time.perf_counter() + 3600)
        while _step(attempt) is None:
            pass
        soft = _soft_rules(ix, arrays, {}, 0.0)
        _polish_pass(arrays, soft, np.arange(3, dtype=np.int32))
        _anneal_until(arrays, soft, seed=0, slices=1)
        _compiled.set()


_compiling = threading.Lock()


@dataclass(frozen=True, slots=True)
class Found:
    """What :func:`search` found: placements, whether every unit got a start, and the
    arrays that hold them (for :func:`polish`, in place)."""

    placements: tuple[Placement, ...]
    complete: bool
    arrays: Arrays | None


def greedy(
    ix: Index,
    starts: dict[str, list[int]],
    time_limit: float,
    seed: int = 0,
    stop: Callable[[], bool] | None = None,
) -> tuple[tuple[Placement, ...], bool]:
    """The fullest attempt within ``time_limit``: its placements and whether every unit got
    a start (see :func:`search`)."""
    found = search(ix, starts, time_limit, seed, stop)
    return found.placements, found.complete


def search(
    ix: Index,
    starts: dict[str, list[int]],
    time_limit: float,
    seed: int = 0,
    stop: Callable[[], bool] | None = None,
) -> Found:
    """The fullest attempt within ``time_limit`` (the caller still checks a complete one
    with :func:`evaluate`). Reproducible for a seed, up to where the clock (or ``stop``,
    asked between slices of work) stops it. See :class:`Search`."""
    return Search(ix, starts, seed).run(time_limit, stop)


class Search:
    """A greedy search that can be resumed: :meth:`run` goes on from where the last call
    stopped (the solver repairs an incomplete timetable between two runs, and the lane
    that never restarts keeps its timetable: Van_RhynFinal needs it for 10-30 s).

    Two lanes take turns, a slice of work each: one long attempt that never restarts
    (``LONG_EFFORT`` tries per unit, soft rules as FET treats them for its first seconds,
    then only breaking ties) and attempts that restart on Luby's sequence with other
    orders, efforts and soft shares. Measured on the FET examples, neither lane alone suits
    every school: the long one finds Van_RhynFinal, Shipena and 2006-2007 several times
    sooner, the restarts Computers-Craiova, MAPS and Brazil."""

    def __init__(self, ix: Index, starts: dict[str, list[int]], seed: int = 0) -> None:
        warm_up()
        self.ix, self.starts, self.seed = ix, starts, seed
        self.rng = random.Random(seed)
        self.units = _units(ix)
        swapping.seed(seed * 1009)
        self.difficulty = _difficulties(ix, self.units, starts)
        order = _hardest_first(self.units, self.difficulty)
        arrays = Arrays.of(ix, starts, order, LONG_EFFORT, self.rng, shuffle=False,
                           soft_share=LONG_SOFT_SHARE, exchanges=EXCHANGES)  # fmt: skip
        self.long = _begin(arrays, max_forced=1 << 62, until=float("inf"))
        self.soft_seconds = LONG_SOFT_S + LONG_SOFT_PER_UNIT_S * len(self.units)
        self.seconds = 0.0  # spent in :meth:`run` so far (before the current call)
        self._began = time.perf_counter()  # of the current call
        self.best: tuple[Placement, ...] = ()
        self.attempt = 0
        self.current: _Attempt | None = None

    def run(self, time_limit: float, stop: Callable[[], bool] | None = None) -> Found:
        """Go on for at most ``time_limit`` seconds: a complete attempt, or the fullest one
        seen so far (incomplete)."""
        self._began = time.perf_counter()
        try:
            return self._run(self._began + time_limit, stop or _never)
        finally:
            self.seconds += time.perf_counter() - self._began

    def _run(self, deadline: float, halt: Callable[[], bool]) -> Found:
        while time.perf_counter() < deadline and not halt():
            if self.long is not None:
                done = self._step_long()
                if done:
                    return Found(self.long.arrays.placements(), True, self.long.arrays)
            if self.current is None:
                self.current = _next_attempt(
                    self.ix, self.starts, self.units, self.difficulty, self.attempt, self.rng,
                    self.seed, shared=self.long is not None,
                )  # fmt: skip
            done = _step(self.current)
            if done and self.current is not None:
                return Found(self.current.arrays.placements(), True, self.current.arrays)
            if done is False:
                if self.current is not None:
                    self.best = _fuller(self.best, self.current.arrays.placements())
                self.current = None
                self.attempt += 1
        best = self.best
        for left in (self.long, self.current):
            if left is not None:
                best = _fuller(best, left.arrays.placements())
        return Found(best, False, None)

    def _step_long(self) -> bool | None:
        """One slice of the long lane (rougher once the search's soft seconds are spent)."""
        assert self.long is not None
        if self.seconds + (time.perf_counter() - self._began) > self.soft_seconds:
            _roughen(self.long.arrays)
        done = _step(self.long)
        if done is False:
            self.best = _fuller(self.best, self.long.arrays.placements())
            self.long = None
        return done


def _next_attempt(
    ix: Index,
    starts: dict[str, list[int]],
    units: list[list[str]],
    difficulty: Sequence[float],
    attempt: int,
    rng: random.Random,
    seed: int,
    shared: bool,
) -> _Attempt | None:
    """Attempt number ``attempt`` of the restarting lane: a noisy hardest-first order, its
    effort and soft share (cycled), a budget of time and forced placements on Luby's
    sequence (twice the time while the long lane shares the clock)."""
    noise = 0.0 if attempt == 0 else 0.3
    noisy = [d * (1 + noise * rng.random()) for d in difficulty]
    order = _hardest_first(units, noisy)
    arrays = Arrays.of(
        ix, starts, order, CHAIN_EFFORTS[attempt % len(CHAIN_EFFORTS)], rng,
        shuffle=attempt > 0, soft_share=SOFT_SHARES[attempt % len(SOFT_SHARES)],
        exchanges=EXCHANGES,
    )  # fmt: skip
    swapping.seed(seed * 1009 + attempt + 1)
    luby = _luby(attempt + 1)
    budget = (ATTEMPT_BASE_S + ATTEMPT_PER_UNIT_S * len(units)) * luby * (2 if shared else 1)
    until = time.perf_counter() + budget
    return _begin(arrays, int(FORCED_PER_UNIT * len(units) * luby), until)


def _roughen(arrays: Arrays) -> None:
    """From now on soft rules only break ties in ``arrays``' attempt."""
    if arrays.static.soft_share != 0.0:
        arrays.static = arrays.static._replace(soft_share=np.float64(0.0))


def _fuller(best: tuple[Placement, ...], placed: tuple[Placement, ...]) -> tuple[Placement, ...]:
    return placed if len(placed) > len(best) else best


def _never() -> bool:
    return False


@dataclass(slots=True)
class _Attempt:
    """An attempt under way: its arrays and queue, its forced-placement allowance and the
    time it must end by."""

    arrays: Arrays
    queue: np.ndarray
    max_forced: int
    until: float


def _begin(arrays: Arrays, max_forced: int, until: float) -> _Attempt | None:
    """Locked units first (each at its only start, never moved), the rest queued; None when
    two locked lessons clash."""
    counters = arrays.counters
    queue = np.zeros(4 * max(1, len(arrays.units)) + 4, np.int32)
    for ui in arrays.locked:
        if not swapping.place_locked(ui, arrays.static, arrays.state):
            return None
    is_locked = arrays.static.u_locked
    free = [ui for ui in range(len(arrays.units)) if not is_locked[ui]]
    queue[: len(free)] = free
    counters[swapping.CTR_QHEAD], counters[swapping.CTR_QLEN] = 0, len(free)
    return _Attempt(arrays, queue, max_forced, until)


def _step(attempt: _Attempt | None) -> bool | None:
    """One slice of work: True when every unit is placed, False when the attempt is over
    (its allowance or its time spent, or it could not begin), None to go on."""
    if attempt is None or time.perf_counter() >= attempt.until:
        return False
    left = attempt.max_forced - int(attempt.arrays.counters[swapping.CTR_FORCED])
    if left <= 0:
        return False
    a = attempt.arrays
    if building.run(a.static, a.state, a.frames, attempt.queue, _CALLS_PER_SLICE, left):
        return True
    return None


def has_goals(problem: Problem) -> bool:
    """True when any of the cluster model's built-in soft goals is on (a FET import has
    them off)."""
    soft = problem.soft
    goals = (soft.teacher_gaps, soft.group_gaps, soft.subject_twice_a_day, soft.spread,
             soft.hard_subject_last, soft.teacher_disliked)  # fmt: skip
    return any(weight > 0 for weight in goals)


def has_soft_rules(problem: Problem) -> bool:
    """True when ``problem`` has soft min-days or preferred-start rules, or cluster goals,
    to polish."""
    return has_goals(problem) or any(
        c.weight < HARD
        and (isinstance(c, PreferredStarts) or (isinstance(c, MinDaysBetween) and c.min_days > 0))
        for c in problem.constraints
    )


def polish(
    ix: Index,
    starts: dict[str, list[int]],
    placements: Sequence[Placement],
    time_limit: float,
    seed: int = 0,
    arrays: Arrays | None = None,
    keep: Mapping[str, int] | None = None,
    keep_weight: float = 0.0,
) -> tuple[Placement, ...]:
    """``placements`` (a complete timetable) with fewer soft rules and cluster goals broken
    (:mod:`polishing`), passes in random orders until one moves nothing or ``time_limit``
    is spent; a lesson moved from its ``keep`` start costs ``keep_weight`` (re-solving).
    ``arrays``, when given, already hold exactly ``placements`` (the greedy's own: no
    set-up) and are changed in place. Locked lessons stay; the caller checks the result
    with :func:`evaluate` (whose count differs for three lessons of a subject on a day, and
    for FET's gap and daily rules, which the pass keeps as hard limits only)."""
    if not has_soft_rules(ix.problem):
        return tuple(placements)
    warm_up()  # loading the compiled code is not the polish's time
    deadline = time.perf_counter() + time_limit
    arrays, soft = _polish_arrays(ix, starts, placements, arrays, keep, keep_weight)
    _polish_until(arrays, soft, deadline, random.Random(seed))
    return arrays.placements()


def anneal(
    ix: Index,
    starts: dict[str, list[int]],
    placements: Sequence[Placement],
    time_limit: float,
    seed: int = 0,
    arrays: Arrays | None = None,
    keep: Mapping[str, int] | None = None,
    keep_weight: float = 0.0,
) -> tuple[Placement, ...]:
    """Like :func:`polish` (same arguments), but escaping its local optima: a polish for
    ``ANNEAL_POLISH_SHARE`` of ``time_limit``, simulated annealing (random moves, a move
    that raises the cost by ``d`` kept with a chance of exp(-d / T), T falling from
    ``ANNEAL_T0`` to ``ANNEAL_T1``) for ``ANNEAL_SHARE``, then a polish of the best
    timetable it saw for the rest. Never worse than ``placements`` by the polish's count
    of the cost. On a 2,026-lesson demo cluster, from a first timetable at 580: 0.5 s of
    polish (390), 5.4 s of annealing (161) and 3 s of polish: 126; 15 s of annealing
    instead: 67. CP-SAT's neighbourhoods needed 120 s for 123."""
    if not has_soft_rules(ix.problem):
        return tuple(placements)
    warm_up()  # loading the compiled code is not the annealing's time
    began = time.perf_counter()
    arrays, soft = _polish_arrays(ix, starts, placements, arrays, keep, keep_weight)
    rng = random.Random(seed)
    _polish_until(arrays, soft, began + ANNEAL_POLISH_SHARE * time_limit, rng)
    _anneal_until(arrays, soft, seed, began + (ANNEAL_POLISH_SHARE + ANNEAL_SHARE) * time_limit)
    _polish_until(arrays, soft, began + time_limit, rng)
    return arrays.placements()


def _polish_arrays(
    ix: Index,
    starts: dict[str, list[int]],
    placements: Sequence[Placement],
    arrays: Arrays | None,
    keep: Mapping[str, int] | None,
    keep_weight: float,
) -> tuple[Arrays, Any]:
    """The arrays holding ``placements`` (``arrays`` when given) and the soft rules."""
    if arrays is None:
        arrays = _loaded(ix, starts, placements)
    return arrays, _soft_rules(ix, arrays, keep or {}, keep_weight)


def _polish_until(arrays: Arrays, soft: Any, deadline: float, rng: random.Random) -> None:
    """Polish passes in random orders until one moves nothing or the ``deadline``."""
    order = list(range(len(arrays.units)))
    moves = 1
    while moves and time.perf_counter() < deadline:
        rng.shuffle(order)
        moves = 0
        for k in range(0, len(order), _POLISH_SLICE):
            if time.perf_counter() >= deadline:
                break
            moves += _polish_pass(arrays, soft, np.array(order[k : k + _POLISH_SLICE], np.int32))


def _anneal_until(
    arrays: Arrays, soft: Any, seed: int, deadline: float = float("inf"), slices: int = -1
) -> None:
    """Simulated annealing (:func:`polishing.anneal`) in slices until the ``deadline`` (or
    ``slices`` slices: the warm-up compiles it with one), the temperature falling
    geometrically with the time spent; the best timetable seen is put back at the end."""
    static = arrays.static._replace(soft_share=np.float64(0.0))
    state = arrays.state
    units = np.array(
        [u for u in range(len(arrays.units)) if not static.u_locked[u]], np.int32
    )  # fmt: skip
    began = time.perf_counter()
    if units.size == 0 or deadline <= began:
        return
    cost = polishing.total_cost(static, state, soft)
    costs = np.array([cost, cost], np.float64)
    best_start, best_room = state.start.copy(), state.a_room.copy()
    scratch = np.zeros(max(1, len(arrays.units)), np.int32)
    swapping.seed(seed * 1009 + 7)
    while (now := time.perf_counter()) < deadline and slices != 0:
        spent = min(1.0, (now - began) / (deadline - began))
        temperature = ANNEAL_T0 * (ANNEAL_T1 / ANNEAL_T0) ** spent
        polishing.anneal(static, state, soft, scratch, units, _ANNEAL_SLICE, temperature, costs,
                         best_start, best_room)  # fmt: skip
        slices -= 1
    polishing.restore(static, state, best_start, best_room)


def _loaded(ix: Index, starts: dict[str, list[int]], placements: Sequence[Placement]) -> Arrays:
    """Arrays holding ``placements``, locked units marked."""
    arrays = Arrays.of(ix, starts, _units(ix), 1, random.Random(0), shuffle=False, soft_share=0)
    at = {aid: i for i, aid in enumerate(arrays.activities)}
    rid = {r: i for i, r in enumerate(arrays.resources)}
    polishing.load(
        arrays.static, arrays.state,
        np.array([at[p.activity] for p in placements], np.int32),
        np.array([p.start for p in placements], np.int32),
        np.array([rid[p.room] if p.room is not None else -1 for p in placements], np.int32),
    )  # fmt: skip
    for ui in arrays.locked:
        arrays.static.u_locked[ui] = 1
    return arrays


def _polish_pass(arrays: Arrays, soft: Any, part: np.ndarray) -> int:
    """Swaps (soft rules only weighed), then chains (soft partners in the way as FET
    would), over the units in ``part``; the number of moves kept."""
    swaps = arrays.static._replace(soft_share=np.float64(0.0))
    chains = arrays.static._replace(
        soft_share=np.float64(1.0), chain_effort=np.int64(POLISH_EFFORT)
    )
    scratch = np.zeros(max(1, len(arrays.units)), np.int32)
    moves: int = polishing.polish(swaps, arrays.state, soft, part, scratch)
    moves += polishing.rechain(chains, arrays.state, arrays.frames, soft, part)
    return moves


def _soft_rules(ix: Index, arrays: Arrays, keep: Mapping[str, int], keep_weight: float) -> Any:
    """The soft rules of single lessons' starts per lesson as :data:`polishing.Soft`: soft
    preferred starts, (a cluster goal) a teacher's disliked periods, a rule per teacher
    with the starts clear of them, and the ``keep`` start at ``keep_weight``; plus the
    goals of a person's week (:func:`_week_goals`). The soft min-days rules are in
    ``arrays.static`` already."""
    n_slots = ix.problem.week.n_slots
    at = {aid: i for i, aid in enumerate(arrays.activities)}
    rows: list[list[tuple[Iterable[int], float]]] = [[] for _ in at]
    for c in ix.problem.constraints:
        if isinstance(c, PreferredStarts) and c.weight < HARD and c.activity in at:
            rows[at[c.activity]].append((c.slots, c.weight / 100.0))
    if ix.problem.soft.teacher_disliked > 0:
        for aid, i in at.items():
            a = ix.activity[aid]
            for tid in a.teachers:
                disliked = ix.teacher[tid].disliked if tid in ix.teacher else frozenset()
                if disliked:
                    clear = [s for s in range(n_slots)
                             if disliked.isdisjoint(range(s, s + a.duration))]  # fmt: skip
                    rows[i].append((clear, ix.problem.soft.teacher_disliked))
    if keep_weight > 0:
        for aid, start in keep.items():
            if aid in at:
                rows[at[aid]].append(((start,), keep_weight))
    flat = [rule for row in rows for rule in row]
    ptr = np.zeros(len(rows) + 1, np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    allowed = np.zeros((max(1, len(flat)), n_slots), np.uint8)
    for k, (slots, _cost) in enumerate(flat):
        for t in slots:
            if 0 <= t < n_slots:
                allowed[k, t] = 1
    weights = np.array([cost for _slots, cost in flat] or [0.0], np.float64)
    stamps = np.zeros(max(1, len(arrays.units)), np.int64)
    gap_w, is_group, last_w = _week_goals(ix, arrays)
    return polishing.Soft(
        ptr, weights, allowed, stamps, np.zeros(1, np.int64), gap_w, is_group, last_w,
        np.zeros(len(gap_w), np.int64), np.zeros(len(last_w), np.int64),
        np.array([gap_w.any() or last_w.any()], np.uint8),
    )  # fmt: skip


def _week_goals(ix: Index, arrays: Arrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cluster model's goals of a person's week as :data:`polishing.Soft` reads them:
    per person the cost of a gap (the people :func:`evaluate` counts: listed teachers, and
    listed groups whose gaps are not forbidden outright) and whether it is a group; per
    lesson the cost of a hard subject ending its group's day."""
    soft = ix.problem.soft
    persons = _persons(ix)
    gap_w = np.zeros(max(1, len(persons)), np.float64)
    is_group = np.zeros(max(1, len(persons)), np.uint8)
    for (who, _pid), i in persons.items():
        is_group[i] = who == "group"
    for t in ix.problem.teachers:
        gap_w[persons[("teacher", t.id)]] = soft.teacher_gaps
    for g in ix.problem.groups:
        if not g.no_gaps:
            gap_w[persons[("group", g.id)]] = soft.group_gaps
    last_w = np.array(
        [soft.hard_subject_last if ix.activity[aid].hard_subject else 0.0
         for aid in arrays.activities] or [0.0],
        np.float64,
    )  # fmt: skip
    return gap_w, is_group, last_w
