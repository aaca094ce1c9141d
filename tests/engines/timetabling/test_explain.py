"""When no timetable exists the engine says why, naming the smallest set of requirements
that cannot hold together, and it never runs past its time limit."""

from __future__ import annotations

import random

from auyl.engines.timetabling import (
    Group,
    MinDaysBetween,
    PreferredStarts,
    Resource,
    SolveOptions,
    Teacher,
    explain,
    solve,
)

from .tiny import lesson, problem, solved, week


def test_a_teacher_available_3_periods_with_4_lessons_is_named():
    nurova = Teacher("nurova", "A. Nurova", unavailable=frozenset({3}))
    acts = [lesson(f"l{i}", "nurova", f"G{i}") for i in range(4)]
    s = solved(problem(acts, week(1, 4), teachers=[nurova]))
    assert s.status == "infeasible" and not s.placements
    (conflict,) = s.conflicts
    assert conflict.teachers == ("nurova",)
    assert conflict.detail == "Teacher A. Nurova is available on 3 periods but must teach 4"


def test_explain_finds_the_minimal_set_when_no_single_count_shows_it():
    """Nurova teaches grades 5 and 6 twice each; both grades are away in periods 3-4.
    Each count fits (4 free periods, 4 lessons; 2 and 2 for the grades), but the four
    lessons all need periods 1-2. The teacher's availability plays no part."""
    away = frozenset({2, 3})
    groups = [Group("g5", "Grade 5", unavailable=away), Group("g6", "Grade 6", unavailable=away)]
    acts = [
        lesson("m1", "nurova", "g5", "Mathematics"),
        lesson("m2", "nurova", "g5", "Mathematics"),
        lesson("m3", "nurova", "g6", "Mathematics"),
        lesson("m4", "nurova", "g6", "Mathematics"),
        lesson("art", "other", "g7", "Art"),  # a bystander
    ]
    p = problem(acts, week(1, 4), groups=groups)
    conflicts = explain(p, time_limit=5.0)
    assert sorted(c.kind for c in conflicts) == [
        "group_availability",
        "group_availability",
        "lesson_hours",
        "lesson_hours",
    ]
    lessons = {c.detail for c in conflicts if c.kind == "lesson_hours"}
    assert "Mathematics for Grade 5 (nurova): 2 lesson period(s) a week must be placed" in lessons
    assert not any("Art" in c.detail for c in conflicts)
    s = solved(p)
    assert s.status == "infeasible" and set(s.conflicts) == set(conflicts)


def test_a_hard_constraint_in_the_conflict_is_named():
    c = MinDaysBetween(("a", "b"), 1)
    p = problem([lesson("a"), lesson("b")], week(1, 3), constraints=[c])
    kinds = {x.kind for x in explain(p, time_limit=5.0)}
    assert kinds == {"min_days_between", "lesson_hours"}


def test_explain_of_a_feasible_problem_is_empty():
    assert explain(problem([lesson("a")]), time_limit=2.0) == ()


def test_an_over_constrained_problem_returns_within_the_time_limit():
    """Six teachers each teach each of six classes once in a six-slot week (every slot
    full) with random allowed starts: hard to prove either way."""
    rng = random.Random(3)
    acts, rules = [], []
    for t in range(6):
        for g in range(6):
            aid = f"t{t}g{g}"
            acts.append(lesson(aid, f"T{t}", f"G{g}"))
            rules.append(PreferredStarts(aid, frozenset(rng.sample(range(6), 3))))
    p = problem(acts, week(2, 3), constraints=rules)
    s = solve(p, SolveOptions(time_limit=1.0, workers=1))
    assert s.status in ("infeasible", "unknown", "feasible")
    assert s.seconds < 1.0 + 3.0  # the limit plus a small overhead (explaining included)


# ---- rooms and "next to each other when on the same day" ---------------------------------


def test_lessons_that_must_be_next_to_each_other_on_a_day_are_named():
    """Algebra and Geometry must be adjacent when on one day; the only day has a hole in
    period 2 for the class, so they can only be in periods 1 and 3."""
    g = Group("G", "Grade 7", unavailable=frozenset({1}))
    c = MinDaysBetween(("alg", "geo"), 1, weight=95, consecutive_if_same_day=True)
    p = problem(
        [lesson("alg", subject="Algebra"), lesson("geo", subject="Geometry")],
        week(1, 3),
        groups=[g],
        constraints=[c],
    )
    conflicts = explain(p, time_limit=5.0)
    assert sorted(x.kind for x in conflicts) == [
        "consecutive_if_same_day",
        "group_availability",
        "lesson_hours",
        "lesson_hours",
    ]
    (rule,) = (x for x in conflicts if x.kind == "consecutive_if_same_day")
    assert rule.activities == ("alg", "geo")
    assert rule.detail == (
        "Lessons Algebra for Grade 7 (T) and Geometry for Grade 7 (T) must be next to each "
        "other when they fall on the same day"
    )


def test_two_lessons_that_can_only_be_in_one_room_at_the_same_time_are_named():
    """Chemistry of 9A and Physics of 9B both need the lab; the week has one period."""
    lab = Resource("lab", name="Lab")
    p = problem(
        [
            lesson("chem", "T1", "9A", "Chemistry", room_choices=("lab",)),
            lesson("phys", "T2", "9B", "Physics", room_choices=("lab",)),
        ],
        week(1, 1),
        resources=[lab],
    )
    conflicts = explain(p, time_limit=5.0)
    assert sorted(x.kind for x in conflicts) == [
        "lesson_hours",
        "lesson_hours",
        "resource_capacity",
        "room_choice",
        "room_choice",
    ]
    choices = {x.detail for x in conflicts if x.kind == "room_choice"}
    assert choices == {
        "Chemistry for 9A (T1) can only be in room Lab",
        "Physics for 9B (T2) can only be in room Lab",
    }
    (capacity,) = (x for x in conflicts if x.kind == "resource_capacity")
    assert capacity.resources == ("lab",) and set(capacity.activities) == {"chem", "phys"}
    assert capacity.detail == "The room Lab carries at most 1 lesson(s) at once"


def test_a_room_that_is_the_only_one_for_two_lessons_and_mostly_closed_is_named():
    """The lab is closed in periods 1-2 of a 3-period day; two lessons can only be there."""
    lab = Resource("lab", name="Lab", unavailable=frozenset({0, 1}))
    p = problem(
        [
            lesson("chem", "T1", "9A", "Chemistry", room_choices=("lab",)),
            lesson("phys", "T2", "9B", "Physics", room_choices=("lab",)),
        ],
        week(1, 3),
        resources=[lab],
    )
    conflicts = explain(p, time_limit=5.0)
    assert sorted(x.kind for x in conflicts) == [
        "lesson_hours",
        "lesson_hours",
        "resource_availability",
        "resource_capacity",
        "room_choice",
        "room_choice",
    ]
    (closed,) = (x for x in conflicts if x.kind == "resource_availability")
    assert closed.resources == ("lab",)
    assert closed.detail == (
        "Room Lab is the only room for Chemistry for 9A (T1) and Physics for 9B (T2), and it "
        "is not available on Day1, periods 1, 2"
    )
    s = solved(p)
    assert s.status == "infeasible" and set(s.conflicts) == set(conflicts)


def test_a_closed_room_two_lessons_need_as_a_fixed_resource_is_named():
    lab = Resource("lab", name="Lab", unavailable=frozenset({0}))
    p = problem(
        [
            lesson("chem", "T1", "9A", resources=("lab",)),
            lesson("phys", "T2", "9B", resources=("lab",)),
        ],
        week(1, 2),
        resources=[lab],
    )
    kinds = sorted(x.kind for x in explain(p, time_limit=5.0))
    assert kinds == ["lesson_hours", "lesson_hours", "resource_availability", "resource_capacity"]
