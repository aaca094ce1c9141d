"""Bad input is caught before solving, with reasons a deputy head understands."""

from __future__ import annotations

import pytest

from auyl.engines.timetabling import (
    Group,
    MinDaysBetween,
    ProblemError,
    Teacher,
    check,
    ensure_valid,
    solve,
    validate,
)

from .tiny import lesson, problem, week


def kinds(p) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.kind for c in check(p)}


def test_a_sound_problem_has_no_reasons():
    assert validate(problem([lesson("a"), lesson("b")], week(1, 2))) == ()


def test_duplicate_ids_and_dangling_references_are_named():
    p = problem([lesson("a"), lesson("a")], constraints=[MinDaysBetween(("a", "zz"), 1)])
    reasons = validate(p)
    assert any("'a' is used 2 times" in r for r in reasons)
    assert any("'zz', which does not exist" in r for r in reasons)


def test_a_lesson_longer_than_a_day():
    assert "bad_duration" in kinds(problem([lesson("a", duration=5)], week(2, 4)))


def test_curriculum_hours_that_cannot_fit_the_week():
    g = Group("G", name="Grade 5, Kumsai", max_daily_periods=1)
    p = problem([lesson("a", "T1"), lesson("b", "T2"), lesson("c", "T3")], week(2, 4), groups=[g])
    (reason,) = validate(p)
    assert reason == "Grade 5, Kumsai needs 3 lesson periods a week but has only 2 free periods"


def test_a_teacher_with_no_available_period():
    t = Teacher("T", name="A. Nurova", unavailable=frozenset(range(4)))
    p = problem([lesson("a")], week(1, 4), teachers=[t])
    assert "teacher_unavailable_all_week" in kinds(p)
    assert any("A. Nurova has no available period" in r for r in validate(p))


def test_a_teacher_with_more_lessons_than_available_periods_or_load():
    t = Teacher("T", name="A. Nurova", unavailable=frozenset({0}), max_weekly_periods=2)
    acts = [lesson(f"l{i}", "T", f"G{i}") for i in range(4)]
    reasons = validate(problem(acts, week(1, 4), teachers=[t]))
    assert "Teacher A. Nurova is available on 3 periods but must teach 4" in reasons
    assert any("more than the maximum load of 2" in r for r in reasons)


def test_a_broadcast_joining_schools_whose_free_periods_never_coincide():
    kumsai = Group("k7", name="Grade 7, Kumsai", site="kumsai", unavailable=frozenset({0, 1}))
    alga = Group("a7", name="Grade 7, Alga", site="alga", unavailable=frozenset({2, 3}))
    p = problem(
        [lesson("b", "hub", ("k7", "a7"), broadcast=True)], week(1, 4), groups=[kumsai, alga]
    )
    assert kinds(p) == {"broadcast_no_common_slot"}
    assert "alga, kumsai" in validate(p)[0]


def test_problem_error_carries_the_reasons_and_solve_reports_them():
    p = problem([lesson("a", duration=9)])
    with pytest.raises(ProblemError) as err:
        ensure_valid(p)
    assert err.value.reasons == validate(p)
    s = solve(p)
    assert s.status == "infeasible" and s.conflicts[0].kind == "bad_duration"
