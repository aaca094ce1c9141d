"""Why no timetable exists: the smallest set of requirements that cannot all hold.

Each requirement family -- a lesson's hours, a teacher's, a group's or a room's
availability, a lock, a curriculum line's room choice, a room's or a link's capacity, a
group's daily maximum or no-gaps rule, a teacher's travel, each hard constraint, and the
"next to each other when on the same day" part of a min-days constraint -- sits behind an
assumption literal (the model of :func:`build_model` in relax
mode). CP-SAT proves the assumptions infeasible together and names a sufficient subset
(``sufficient_assumptions_for_infeasibility``); a deletion filter then drops each member in
turn and keeps it out when the rest is still infeasible (short solves), which leaves a
minimal set: removing any one of its requirements makes the rest satisfiable (as far as
each short solve could tell). Clashes, breaks and day ends are facts, never blamed.

The answer is a tuple of :class:`Conflict` records: a stable ``kind`` code, the ids (of
lessons, teachers, groups, rooms and links), and an English ``detail`` (the app translates
from the kind and ids). Lessons of one subject for
the same classes and teachers are one requirement ("Mathematics for 5A: 4 lesson periods a
week must be placed").
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from auyl.engines.timetabling.build import Build, Lit
from auyl.engines.timetabling.model import Conflict, Problem
from auyl.engines.timetabling.validate import check

#: longest single solve of the deletion filter
_STEP_MAX_S = 2.0


def explain(problem: Problem, time_limit: float = 10.0) -> tuple[Conflict, ...]:
    """The smallest conflicting set of requirements; empty when a timetable exists (or
    when none could be proven impossible within ``time_limit``)."""
    t0 = time.perf_counter()
    found = check(problem)
    if found:
        return found
    from auyl.engines.timetabling.solver import build_model

    b = build_model(problem, relax=True)
    core = _first_core(b, time_limit)
    if core is None:
        return ()
    core = _shrink(b, core, t0 + time_limit)
    return tuple(c for lit, c in b.requirements if lit.index in core)


def _solve_with(
    b: Build, assumed: list[Lit], seconds: float
) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    b.m.clear_assumptions()
    b.m.add_assumptions(assumed)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = 1
    status = solver.solve(b.m)
    return status, solver


def _first_core(b: Build, time_limit: float) -> set[int] | None:
    lits = [lit for lit, _ in b.requirements]
    status, solver = _solve_with(b, lits, time_limit / 2)
    if status != cp_model.INFEASIBLE:
        return None
    return set(solver.sufficient_assumptions_for_infeasibility())


def _shrink(b: Build, core: set[int], deadline: float) -> set[int]:
    """Deletion filter: drop each requirement whose removal keeps the set infeasible."""
    by_index = {lit.index: lit for lit, _ in b.requirements}
    for idx in sorted(core):
        left = deadline - time.perf_counter()
        if idx not in core or left <= 0.05:
            continue
        trial = [by_index[i] for i in sorted(core) if i != idx]
        status, solver = _solve_with(b, trial, min(_STEP_MAX_S, left))
        if status == cp_model.INFEASIBLE:
            smaller = set(solver.sufficient_assumptions_for_infeasibility())
            core = smaller if smaller and smaller < core else core - {idx}
    return core
