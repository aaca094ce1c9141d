"""Re-solve after a change, keeping as much of the current timetable as possible.

A teacher falls ill, a school loses its internet link, a lesson is added: the problem
changes, the current placements are kept where they still make sense, and every kept lesson
that has to move costs ``keep_weight`` (on top of the soft costs), so CP-SAT moves as few as
it can. ``Solution.moved`` lists the lessons whose slot or room changed; lessons that no
longer exist are dropped, new ones are placed freely.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from auyl.engines.timetabling.model import Placement, Problem, Solution, SolveOptions
from auyl.engines.timetabling.solver import solve


def resolve(
    problem: Problem,
    current: Solution | Sequence[Placement],
    options: SolveOptions | None = None,
) -> Solution:
    """Solve the changed ``problem`` moving as few lessons of ``current`` as possible."""
    placements = current.placements if isinstance(current, Solution) else tuple(current)
    known = {a.id for a in problem.activities}
    keep = tuple(p for p in placements if p.activity in known)
    return solve(problem, replace(options or SolveOptions(), keep=keep))
