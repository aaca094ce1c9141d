"""The greedy warm start: a full, clean timetable for easy schools before CP-SAT starts;
what it cannot finish goes to CP-SAT as a hint, and a wrong greedy answer is never used."""

from __future__ import annotations

from auyl.engines.timetabling import Group, MinDaysBetween, SolveOptions, evaluate, solve
from auyl.engines.timetabling.build import start_slots
from auyl.engines.timetabling.greedy import greedy
from auyl.engines.timetabling.index import Index

from .tiny import lesson, problem, week


def packed_school():  # type: ignore[no-untyped-def]
    """Three teachers each teach three classes twice: 18 lessons filling a 2 x 3 week for
    every teacher and class (a Latin-square timetable: no slack at all)."""
    acts = [
        lesson(f"t{t}g{g}-{k}", f"T{t}", f"G{g}")
        for t in range(3)
        for g in range(3)
        for k in range(2)
    ]
    return problem(acts, week(2, 3))


def test_greedy_fills_a_packed_week_with_repairs():
    p = packed_school()
    ix = Index.of(p)
    placements, complete = greedy(ix, start_slots(ix, relax=False), time_limit=2.0)
    assert complete and len(placements) == 18
    assert evaluate(p, placements).hard_violations == 0


def test_the_first_timetable_may_come_from_the_greedy_start():
    s = solve(packed_school(), SolveOptions(time_limit=3.0, first_solution_only=True))
    assert s.feasible and s.evaluation is not None and s.evaluation.hard_violations == 0


def test_greedy_respects_min_days_and_no_gaps():
    g = Group("G", no_gaps=True)
    c = MinDaysBetween(("a", "b"), 1)
    p = problem(
        [lesson("a", "T1"), lesson("b", "T2"), lesson("c", "T3"), lesson("d", "T4")],
        week(2, 3),
        groups=[g],
        constraints=[c],
    )
    ix = Index.of(p)
    placements, complete = greedy(ix, start_slots(ix, relax=False), time_limit=2.0)
    assert complete and evaluate(p, placements).hard_violations == 0
