"""Re-solving after a change keeps as much of the timetable as it can and says what moved;
the solve options (first solution, progress, seed) do what they say."""

from __future__ import annotations

import dataclasses

from auyl.engines.timetabling import (
    Placement,
    SolveOptions,
    Teacher,
    resolve,
    solve,
)
from auyl.engines.timetabling.build import start_slots
from auyl.engines.timetabling.index import Index
from auyl.engines.timetabling.solver import _solve_neighbourhood

from .tiny import lesson, problem, solved, starts, week


def school():  # type: ignore[no-untyped-def]
    """Three teachers, three classes, nine lessons in a 2 x 4 week."""
    acts = [lesson(f"t{t}g{g}", f"T{t}", f"G{g}") for t in range(3) for g in range(3)]
    return problem(acts, week(2, 4))


def test_a_teacher_falls_ill_only_her_lesson_moves():
    p = school()
    before = solved(p)
    ill_slot = starts(before)["t0g0"]
    ill = Teacher("T0", unavailable=frozenset({ill_slot}))
    changed = dataclasses.replace(p, teachers=(ill, *p.teachers[1:]))
    after = resolve(changed, before, SolveOptions(time_limit=3.0, workers=1))
    assert after.feasible and after.evaluation is not None
    assert after.evaluation.hard_violations == 0
    assert after.moved == ("t0g0",)
    kept = {a: s for a, s in starts(after).items() if a != "t0g0"}
    assert kept == {a: s for a, s in starts(before).items() if a != "t0g0"}


def test_resolve_accepts_plain_placements_and_drops_removed_lessons():
    p = school()
    current = (*solved(p).placements, Placement("gone", 0))
    after = resolve(p, current, SolveOptions(time_limit=3.0, workers=1))
    assert after.feasible and after.moved == ()


def test_first_solution_only_reports_its_time_and_progress():
    seen: list[tuple[float, str]] = []
    s = solve(
        school(),
        SolveOptions(
            time_limit=3.0,
            first_solution_only=True,
            progress=lambda f, msg: seen.append((f, msg)),
        ),
    )
    assert s.status == "feasible" and s.first_solution_seconds is not None
    assert s.objective is None
    assert seen and 0.0 <= seen[0][0] <= 1.0 and seen[0][1].startswith("timetable 1 found")


def test_the_same_seed_gives_the_same_timetable():
    p = school()
    one = solve(p, SolveOptions(time_limit=3.0, workers=1, seed=5))
    two = solve(p, SolveOptions(time_limit=3.0, workers=1, seed=5))
    assert one.placements == two.placements


def test_a_lesson_can_not_move_is_reported_as_moved_when_its_slot_vanishes():
    p = problem([lesson("a"), lesson("b")], week(1, 3))
    before = solved(p)
    gone = starts(before)["a"]
    changed = dataclasses.replace(p, teachers=(Teacher("T", unavailable=frozenset({gone})),))
    after = resolve(changed, before, SolveOptions(time_limit=2.0, workers=1))
    assert "a" in after.moved and after.evaluation.hard_violations == 0  # type: ignore[union-attr]


def test_a_broken_timetable_is_mended_around_the_change_not_solved_again():
    """The first timetable of a re-solve comes from mending the current one: only the ill
    teacher's lesson and its neighbours may move, and the first phase says so."""
    p = school()
    before = solved(p)
    ill = Teacher("T0", unavailable=frozenset({starts(before)["t0g0"]}))
    changed = dataclasses.replace(p, teachers=(ill, *p.teachers[1:]))
    seen: list[str] = []
    options = SolveOptions(
        time_limit=3.0, workers=1, first_solution_only=True, progress=lambda f, m: seen.append(m)
    )
    after = resolve(changed, before, options)
    assert after.evaluation is not None and after.evaluation.hard_violations == 0
    assert seen[0] == "timetable 1: the current one, mended"
    assert after.moved == ("t0g0",)


def test_the_mending_neighbourhood_moves_the_fewest_kept_lessons():
    """Given no hint at all, the neighbourhood's solve still returns every free lesson to
    its kept start where that start is still allowed: it minimises the moves, not just
    any timetable."""
    p = school()
    # a Latin square on the second day: a first timetable found from scratch starts on
    # the first day
    keep = {
        f"t{t}g{g}": Placement(f"t{t}g{g}", 4 + (t + g) % 3) for t in range(3) for g in range(3)
    }
    ix = Index.of(p)
    allowed = start_slots(ix, relax=False)
    found = _solve_neighbourhood(
        p, allowed, {}, set(allowed), SolveOptions(workers=1), budget=3.0, keep=keep
    )
    assert found is not None
    assert {pl.activity: pl.start for pl in found} == {a: pl.start for a, pl in keep.items()}
