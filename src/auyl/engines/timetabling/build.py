"""The CP-SAT model's variables and the small helpers every constraint function uses.

The model is *time-indexed*: one Boolean ``x[a][s]`` per activity ``a`` and per start slot
``s`` where it may begin. Start slots are pruned up front: a lesson only gets starts that
keep it inside one day, off breaks, off its teachers', groups' and fixed rooms' or links'
unavailable slots, with at least one of its candidate rooms available, on its locked slot,
among its hard preferred starts, and common to the activities it must start together with.
"A person is busy in slot t" is then the sum of the ``x`` of that person's lessons whose
start covers ``t`` -- a 0/1 expression because clashes are forbidden.

A lesson choosing one room of several gets a Boolean per candidate room and an optional
interval per (lesson, room) on its start ``S[a] = sum s * x[a][s]``; each room is then a
no-overlap (or cumulative) constraint.

In *relax* mode (:mod:`explain`) nothing a user asked for is pruned: each requirement
(a lesson's hours, a teacher's or a room's availability, a lesson's room choice, a room's
capacity, a group's daily maximum, each constraint, ...) is guarded by an assumption
literal from :meth:`Build.require`, so CP-SAT can name a set of requirements that cannot
hold together. Clashes, breaks and day ends stay hard.

Costs are integers: ``SCALE`` per unit of soft cost (weight / 100 for a FET weight).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from auyl.engines.timetabling.index import Index, covered, fits_in_day
from auyl.engines.timetabling.model import Conflict, Problem, SameStart, Week
from auyl.engines.timetabling.validate import hard_preferred_starts, possible_starts

#: integer units per unit of soft cost in the objective (FET weights have at most a
#: decimal or two: 95.5 -> 0.955 -> 955)
SCALE = 1000

Lit = cp_model.IntVar


def scaled(cost: float) -> int:
    return round(cost * SCALE)


@dataclass(slots=True)
class Span:
    """One person's day over the slots that count for gaps (not breaks, not unavailable).

    ``busy[i]`` are the literals whose sum says the person has a lesson in ``slots[i]``;
    :meth:`on` gives one Boolean per position equal to that sum (None where no lesson can
    be), so the gap rules below are short clauses instead of long sums. Everything is
    created on first use.
    """

    m: cp_model.CpModel
    name: str
    slots: list[int]
    busy: list[list[Lit]]
    _on: list[Lit | None] | None = None
    _gaps: list[Lit] | None = None
    _until_last: list[Lit] | None = None

    def on(self) -> list[Lit | None]:
        if self._on is None:
            on: list[Lit | None] = []
            for t, lits in zip(self.slots, self.busy, strict=True):
                if not lits:
                    on.append(None)
                    continue
                var = self.m.new_bool_var(f"busy[{self.name},{t}]")
                self.m.add(var == total(lits))
                on.append(var)
            self._on = on
        return self._on

    def triples(self) -> list[tuple[Lit, int, Lit]]:
        """``(on[i], j, on[k])`` for positions ``i < j < k``: a gap at ``j`` if busy at both."""
        on = self.on()
        n = len(on)
        out = []
        for j in range(1, n - 1):
            for i in range(j):
                a = on[i]
                if a is None:
                    continue
                for k in range(j + 1, n):
                    c = on[k]
                    if c is not None:
                        out.append((a, j, c))
        return out

    def gap_lits(self) -> list[Lit]:
        """One literal per position, forced to 1 when that slot is a gap: the clause
        ``gap[j] or not on[i] or not on[k] or on[j]`` for every ``i < j < k`` (exact where
        gaps are minimised or bounded)."""
        if self._gaps is None:
            on = self.on()
            gaps = [self.m.new_bool_var(f"gap[{self.name},{t}]") for t in self.slots]
            used = set()
            for a, j, c in self.triples():
                middle = on[j]
                clause = [gaps[j], a.Not(), c.Not()] + ([middle] if middle is not None else [])
                self.m.add_bool_or(clause)
                used.add(j)
            for j, gap in enumerate(gaps):
                if j not in used:
                    self.m.add(gap == 0)
            self._gaps = gaps
        return self._gaps

    def gaps(self) -> cp_model.LinearExprT:
        """Number of gaps of the day (exact when minimised or bounded from above)."""
        return total(self.gap_lits())

    def forbid_gaps(self, enforce: Lit | None) -> None:
        """No gap at all: ``not on[i] or not on[k] or on[j]`` for every ``i < j < k``."""
        on = self.on()
        for a, j, c in self.triples():
            middle = on[j]
            ct = self.m.add_bool_or([a.Not(), c.Not()] + ([middle] if middle is not None else []))
            if enforce is not None:
                ct.only_enforce_if(enforce)

    def until_last(self) -> list[Lit]:
        """``until_last[i]`` is 1 iff the person has a lesson in ``slots[i:]`` (exact)."""
        if self._until_last is None:
            n = len(self.slots)
            last = [self.m.new_bool_var(f"later[{self.name},{t}]") for t in self.slots]
            for j in reversed(range(n)):
                _or_chain(self.m, last[j], self.busy[j], last[j + 1] if j + 1 < n else None)
            self._until_last = last
        return self._until_last


@dataclass(slots=True)
class Build:
    """A CP-SAT model under construction plus the lookups the constraint functions share."""

    problem: Problem
    ix: Index
    relax: bool = False
    m: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    #: activity -> start slot -> literal
    x: dict[str, dict[int, Lit]] = field(default_factory=dict)
    #: activity -> slot -> literals of the starts that cover it
    cover: dict[str, dict[int, list[Lit]]] = field(default_factory=dict)
    #: activity -> room -> literal (only for lessons with room choices)
    room: dict[str, dict[str, Lit]] = field(default_factory=dict)
    #: objective terms (integer coefficient, expression)
    costs: list[tuple[int, cp_model.LinearExprT]] = field(default_factory=list)
    #: relax mode: assumption literal -> the requirement it guards
    requirements: list[tuple[Lit, Conflict]] = field(default_factory=list)
    #: sets of activities that may not overlap (teachers, groups, single rooms)
    exclusive_sets: list[frozenset[str]] = field(default_factory=list)
    _spans: dict[tuple[str, str, int], Span] = field(default_factory=dict)
    _start: dict[str, cp_model.IntVar] = field(default_factory=dict)
    _by_day: dict[str, dict[int, list[Lit]]] = field(default_factory=dict)

    @property
    def week(self) -> Week:
        return self.problem.week

    # ---- variables -----------------------------------------------------------------------

    def add_start_variables(
        self, starts: dict[str, list[int]], stop: Callable[[], bool] | None = None
    ) -> None:
        """One literal per lesson and start. ``stop`` is asked every ``_STOP_EVERY``
        lessons: True raises :class:`BuildStopped` (a thousand lessons take 0.3 s, holding
        the interpreter a racing thread needs)."""
        for i, a in enumerate(self.problem.activities):
            if stop is not None and i % _STOP_EVERY == 0 and stop():
                raise BuildStopped
            xs = {s: self.m.new_bool_var(f"x[{a.id},{s}]") for s in starts[a.id]}
            self.x[a.id] = xs
            cover: dict[int, list[Lit]] = {}
            for s, lit in xs.items():
                for t in covered(s, a.duration):
                    cover.setdefault(t, []).append(lit)
            self.cover[a.id] = cover

    def start(self, aid: str) -> cp_model.IntVar:
        """Integer start slot of activity ``aid`` (created on first use). In relax mode a
        lesson may stay unplaced, and its start is then 0."""
        if aid not in self._start:
            xs = self.x[aid]
            lo, hi = (min(xs), max(xs)) if xs else (0, 0)
            if self.relax:
                lo = 0
            var = self.m.new_int_var(lo, hi, f"S[{aid}]")
            self.m.add(var == cp_model.LinearExpr.weighted_sum(list(xs.values()), list(xs)))
            self._start[aid] = var
        return self._start[aid]

    def placed(self, aid: str) -> cp_model.LinearExpr:
        """1 when ``aid`` has a start (always, outside relax mode), else 0."""
        return cp_model.LinearExpr.sum(list(self.x[aid].values()))

    def day_lits(self, aid: str, day: int) -> list[Lit]:
        """Literals of the starts of ``aid`` on ``day``."""
        if aid not in self._by_day:
            by_day: dict[int, list[Lit]] = {}
            for s, lit in self.x[aid].items():
                by_day.setdefault(self.week.day_of(s), []).append(lit)
            self._by_day[aid] = by_day
        return self._by_day[aid].get(day, [])

    def day_expr(self, aid: str) -> cp_model.LinearExpr:
        """The day of ``aid`` as a linear expression."""
        xs = self.x[aid]
        return cp_model.LinearExpr.weighted_sum(
            list(xs.values()), [self.week.day_of(s) for s in xs]
        )

    def busy(self, who: str, pid: str, t: int) -> list[Lit]:
        """Literals whose sum says whether ``pid`` has a lesson in slot ``t``."""
        return [
            lit for aid in self.ix.activities_of(who, pid) for lit in self.cover[aid].get(t, ())
        ]

    def day_slots(self, day: int) -> range:
        ppd = self.week.periods_per_day
        return range(day * ppd, (day + 1) * ppd)

    def span(self, who: str, pid: str, day: int) -> Span:
        """First/last-lesson markers of a person's day over the slots that count for gaps."""
        key = (who, pid, day)
        if key in self._spans:
            return self._spans[key]
        blocked = self.ix.blocked(who, pid)
        slots = [t for t in self.day_slots(day) if t not in blocked]
        span = Span(self.m, f"{pid},{day}", slots, [self.busy(who, pid, t) for t in slots])
        self._spans[key] = span
        return span

    # ---- constraints and costs -----------------------------------------------------------

    def require(
        self,
        kind: str,
        detail: str,
        *,
        activities: Sequence[str] = (),
        teachers: Sequence[str] = (),
        groups: Sequence[str] = (),
        resources: Sequence[str] = (),
    ) -> Lit | None:
        """In relax mode, a fresh assumption literal guarding one requirement; else None."""
        if not self.relax:
            return None
        lit = self.m.new_bool_var(f"req[{kind}:{len(self.requirements)}]")
        conflict = Conflict(
            kind, detail, tuple(activities), tuple(teachers), tuple(groups), tuple(resources)
        )
        self.requirements.append((lit, conflict))
        return lit

    def at_most(self, lits: Sequence[Lit], cap: int, enforce: Lit | None = None) -> None:
        """``sum(lits) <= cap``, only when ``enforce`` holds (if given)."""
        if len(lits) <= cap:
            return
        if cap == 1 and enforce is None:
            self.m.add_at_most_one(lits)
            return
        ct = self.m.add(total(lits) <= cap)
        if enforce is not None:
            ct.only_enforce_if(enforce)

    def linear_at_most(
        self, expr: cp_model.LinearExprT, bound: int, enforce: Lit | None = None
    ) -> None:
        ct = self.m.add(expr <= bound)
        if enforce is not None:
            ct.only_enforce_if(enforce)

    def cost(self, unit_cost: float, expr: cp_model.LinearExprT) -> None:
        """Add ``unit_cost * expr`` to the objective (skipped in relax mode)."""
        coef = scaled(unit_cost)
        if coef and not self.relax:
            self.costs.append((coef, expr))

    def excess(self, expr: cp_model.LinearExprT, bound: int, ub: int, name: str) -> cp_model.IntVar:
        """An integer at least ``expr - bound`` and at least 0 (exact when minimised)."""
        var = self.m.new_int_var(0, max(0, ub), name)
        self.m.add(var >= expr - bound)
        return var

    def objective(self) -> cp_model.LinearExprT:
        exprs, coefs = [expr for _, expr in self.costs], [coef for coef, _ in self.costs]
        return cp_model.LinearExpr.weighted_sum(exprs, coefs)


class BuildStopped(Exception):
    """Building a model was asked to stop."""


#: lessons between two questions to ``stop`` while the start literals are made
_STOP_EVERY = 100


def total(lits: Sequence[cp_model.LinearExprT]) -> cp_model.LinearExpr:
    """``sum(lits)`` built at once: Python's ``sum`` makes one intermediate expression per
    term, which took about a second of a 2,026-lesson cluster's model."""
    return cp_model.LinearExpr.sum(list(lits))


def _or_chain(m: cp_model.CpModel, var: Lit, busy: list[Lit], previous: Lit | None) -> None:
    """``var == busy or previous`` (busy is a sum of at most one true literal)."""
    busy_now = total(busy)
    if busy:
        m.add(var >= busy_now)
    if previous is not None:
        m.add(var >= previous)
        m.add(var <= previous + busy_now)
    else:
        m.add(var <= busy_now)


def start_slots(ix: Index, relax: bool) -> dict[str, list[int]]:
    """Start slots per activity (see the module docstring for what prunes them)."""
    week = ix.problem.week
    if relax:
        return {
            a.id: [
                s
                for s in range(week.n_slots)
                if fits_in_day(week, s, a.duration)
                and not week.break_slots.intersection(covered(s, a.duration))
            ]
            for a in ix.problem.activities
        }
    preferred = hard_preferred_starts(ix.problem)
    starts = {  # copies: the index keeps the originals
        a.id: list(possible_starts(ix, a, preferred.get(a.id))) for a in ix.problem.activities
    }
    _intersect_same_starts(ix.problem, starts)
    return starts


def _intersect_same_starts(problem: Problem, starts: dict[str, list[int]]) -> None:
    """Activities that must start together keep only their common starts (to a fixpoint)."""
    groups = [
        c.activities for c in problem.constraints if isinstance(c, SameStart) and c.weight >= 100
    ]
    changed = True
    while changed:
        changed = False
        for acts in groups:
            common = set(starts[acts[0]]).intersection(*(starts[a] for a in acts[1:]))
            for a in acts:
                if len(starts[a]) != len(common):
                    starts[a] = [s for s in starts[a] if s in common]
                    changed = True
