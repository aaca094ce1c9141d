"""One rule, one tiny test: each shows that the solver obeys the rule (a hard rule forbids,
a soft rule penalises) and that :func:`evaluate` counts a timetable breaking it.

Weeks are tiny: ``week(days, periods)``, slot = day * periods + period.
"""

from __future__ import annotations

import dataclasses

from auyl.engines.timetabling import (
    Group,
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    Placement,
    PreferredStarts,
    Problem,
    Resource,
    SameStart,
    SoftWeights,
    Teacher,
    evaluate,
)
from auyl.engines.timetabling.solver import build_model, model_size

from .tiny import NO_GOALS, at, lesson, problem, solved, starts, week


def goals(**weights: float) -> SoftWeights:
    return SoftWeights(**{**{k: 0.0 for k in NO_GOALS.__slots__}, **weights})  # type: ignore[arg-type]


# ---- hard rules ----------------------------------------------------------------------------


def test_every_lesson_is_placed_once_inside_one_day_and_off_breaks():
    p = problem([lesson("a", duration=2)], week(2, 3, breaks=[1, 5]))
    s = solved(p)
    assert s.feasible and starts(s) == {"a": 3}  # day 2, periods 1-2
    assert evaluate(p, at(a=2)).hard_violations == 1  # would cross the day's end
    assert evaluate(p, at(a=0)).hard_violations == 1  # would cover the break


def test_teacher_clash_forbids_two_lessons_of_one_teacher_at_once():
    p = problem([lesson("a", group="G1"), lesson("b", group="G2")], week(1, 2))
    s = solved(p)
    assert sorted(starts(s).values()) == [0, 1]
    assert solved(problem(p.activities, week(1, 1))).status == "infeasible"
    assert evaluate(p, at(a=0, b=0)).hard_violations == 1


def test_group_clash_keeps_a_grade_in_one_lesson_at_a_time():
    p = problem([lesson("a", teacher="T1"), lesson("b", teacher="T2")], week(1, 2))
    assert sorted(starts(solved(p)).values()) == [0, 1]
    assert evaluate(p, at(a=1, b=1)).hard_violations == 1


def test_link_capacity_limits_simultaneous_broadcasts():
    link = Resource("link", capacity=1, kind="link")
    p = problem(
        [
            lesson("a", "T1", "G1", resources=("link",)),
            lesson("b", "T2", "G2", resources=("link",)),
        ],
        week(1, 2),
        resources=[link],
    )
    assert sorted(starts(solved(p)).values()) == [0, 1]
    assert evaluate(p, at(a=0, b=0)).hard_violations == 1


def test_room_choice_takes_exactly_one_free_room():
    p = problem(
        [
            lesson("a", "T1", "G1", room_choices=("r1", "r2")),
            lesson("b", "T2", "G2", room_choices=("r1",)),
        ],
        week(1, 1),
    )
    s = solved(p)
    rooms = {pl.activity: pl.room for pl in s.placements}
    assert rooms == {"a": "r2", "b": "r1"}
    both_r1 = (Placement("a", 0, "r1"), Placement("b", 0, "r1"))
    assert evaluate(p, both_r1).hard_violations == 1


def test_fixed_start_keeps_a_locked_lesson_in_place():
    p = problem([lesson("a", fixed_start=2), lesson("b")], week(1, 3))
    assert starts(solved(p))["a"] == 2
    assert evaluate(p, at(a=0, b=1)).hard_violations == 1


def test_teacher_and_group_unavailability_are_respected():
    p = problem(
        [lesson("a")],
        week(1, 3),
        teachers=[Teacher("T", unavailable=frozenset({0}))],
        groups=[Group("G", unavailable=frozenset({1}))],
    )
    assert starts(solved(p)) == {"a": 2}
    assert evaluate(p, at(a=0)).hard_violations == 1


def test_group_daily_max_spreads_lessons_over_days():
    g = Group("G", max_daily_periods=1)
    p = problem([lesson("a", "T1"), lesson("b", "T2")], week(2, 2), groups=[g])
    s = starts(solved(p))
    assert s["a"] // 2 != s["b"] // 2
    assert evaluate(p, at(a=0, b=1)).hard_violations == 1


def test_no_gaps_for_a_primary_grade():
    g = Group("G", no_gaps=True)
    teachers = [Teacher("T1", unavailable=frozenset({1}))]
    p = problem([lesson("a", "T1"), lesson("b", "T2")], week(1, 3), groups=[g], teachers=teachers)
    s = starts(solved(p))
    assert abs(s["a"] - s["b"]) == 1
    assert evaluate(p, at(a=0, b=2)).hard_violations == 1


def test_teacher_travel_leaves_free_periods_between_two_schools():
    t = Teacher("T", travel_periods=(("kumsai", "zhanatalap", 1),))
    p = problem(
        [
            lesson("a", "T", "G1", site="kumsai"),
            lesson("b", "T", "G2", site="zhanatalap"),
        ],
        week(1, 3),
        teachers=[t],
    )
    assert sorted(starts(solved(p)).values()) == [0, 2]
    assert evaluate(p, at(a=0, b=1)).hard_violations == 1
    assert solved(problem(p.activities, week(1, 2), teachers=[t])).status == "infeasible"


# ---- explicit constraints, hard and soft ---------------------------------------------------


def test_preferred_starts_hard_prunes_and_soft_costs():
    hard = problem([lesson("a")], week(1, 3), constraints=[PreferredStarts("a", frozenset({1}))])
    assert starts(solved(hard)) == {"a": 1}
    soft = PreferredStarts("a", frozenset({1}), weight=90)
    p = problem([lesson("a"), lesson("b", fixed_start=1)], week(1, 3), constraints=[soft])
    s = solved(p)
    assert s.evaluation is not None and s.evaluation.soft_by_kind == {"preferred_starts": 0.9}


def test_same_start_puts_lessons_of_two_groups_together():
    c = SameStart(("a", "b"))
    p = problem([lesson("a", "T1", "G1"), lesson("b", "T2", "G2", fixed_start=2)], week(1, 3))
    p = problem(p.activities, p.week, constraints=[c])
    assert starts(solved(p)) == {"a": 2, "b": 2}
    assert evaluate(p, at(a=0, b=2)).hard_violations == 1


def test_min_days_between_hard_and_soft():
    hard = MinDaysBetween(("a", "b"), 2)
    p = problem([lesson("a"), lesson("b")], week(3, 1), constraints=[hard])
    assert sorted(starts(solved(p)).values()) == [0, 2]
    soft = MinDaysBetween(("a", "b"), 2, weight=95)
    # days 0 and 1: one day too close -> 0.95
    assert (
        evaluate(problem(p.activities, p.week, constraints=[soft]), at(a=0, b=1)).soft_cost == 0.95
    )


def test_min_days_consecutive_if_same_day_is_hard_even_when_soft():
    c = MinDaysBetween(("a", "b"), 1, weight=50, consecutive_if_same_day=True)
    p = problem([lesson("a"), lesson("b")], week(1, 3), constraints=[c])
    s = starts(solved(p))
    assert abs(s["a"] - s["b"]) == 1
    assert evaluate(p, at(a=0, b=2)).hard_violations == 1


def test_a_hard_min_days_rule_needs_no_consecutive_rule_its_lessons_never_share_a_day():
    """ "Consecutive if same day" cannot apply to lessons that are always a day apart: the
    model leaves it out (FET's Namibian schools carry it on every rule) and still keeps the
    days apart."""
    plain = MinDaysBetween(("a", "b", "c"), 1)
    flagged = dataclasses.replace(plain, consecutive_if_same_day=True)
    sizes = []
    for c in (plain, flagged):
        p = problem([lesson("a"), lesson("b"), lesson("c")], week(3, 4), constraints=[c])
        sizes.append(model_size(build_model(p, objective=False)).constraints)
        assert len({s // 4 for s in starts(solved(p)).values()}) == 3
    assert sizes[0] == sizes[1]


def _exactly_ones(p: Problem) -> int:
    proto = build_model(p, objective=False).m.proto
    return sum(1 for c in proto.constraints if c.has_exactly_one())


def test_lessons_that_just_fit_their_days_are_told_to_lie_one_in_each():
    """A hard min-days rule whose lessons just fit the days they may fall on implies one
    lesson in each (stated outright, CP-SAT needs fewer conflicts on packed schools: see
    ``constraints._one_in_every_block``); the implied rule never cuts off a timetable the
    rule allows."""
    one_a_day = MinDaysBetween(("a", "b", "c"), 1)
    three = [lesson("a"), lesson("b"), lesson("c")]
    fits = problem(three, week(3, 2), constraints=[one_a_day])
    roomy = problem(three, week(4, 2), constraints=[one_a_day])
    assert _exactly_ones(fits) - _exactly_ones(roomy) == 3
    # the days a lesson may fall on count, not the week's: day 1 is closed to all three
    closed = problem(three, week(4, 2, breaks=[2, 3]), constraints=[one_a_day])
    assert {s // 2 for s in starts(solved(closed)).values()} == {0, 2, 3}
    # two days apart, one lesson for each block of two days (0-1 | 2-3 | 4): 0, 2, 4
    apart = problem(three, week(5, 1), constraints=[MinDaysBetween(("a", "b", "c"), 2)])
    assert sorted(starts(solved(apart)).values()) == [0, 2, 4]
    assert _exactly_ones(apart) - _exactly_ones(roomy) > 0


def test_max_gaps_per_week_for_a_teacher():
    hard = MaxGaps("teacher", ("T",), 0)
    groups = [Group("G2", unavailable=frozenset({1}))]
    p = problem(
        [lesson("a", "T", "G1"), lesson("b", "T", "G2")],
        week(1, 3),
        constraints=[hard],
        groups=groups,
    )
    s = starts(solved(p))
    assert abs(s["a"] - s["b"]) == 1
    soft = MaxGaps("teacher", ("T",), 0, weight=80)
    ps = problem(p.activities, p.week, constraints=[soft], groups=groups)
    assert evaluate(ps, at(a=0, b=2)).soft_by_kind == {"teacher_max_gaps_per_week": 0.8}


def test_max_gaps_per_day_counts_each_gap_above_the_maximum_each_day():
    c = MaxGaps("group", (), 0, per="day", weight=50)
    p = problem(
        [lesson("a", "T1"), lesson("b", "T2"), lesson("c", "T3")], week(1, 5), constraints=[c]
    )
    assert evaluate(p, at(a=0, b=2, c=4)).soft_cost == 1.0  # two gaps x 0.5
    assert solved(p).evaluation.soft_cost == 0  # type: ignore[union-attr]


def test_max_hours_daily_for_a_group():
    c = MaxHoursDaily("group", ("G",), 1)
    p = problem([lesson("a", "T1"), lesson("b", "T2")], week(2, 2), constraints=[c])
    s = starts(solved(p))
    assert s["a"] // 2 != s["b"] // 2
    assert evaluate(p, at(a=0, b=1)).hard_violations == 1


def test_max_days_per_week_for_a_teacher():
    c = MaxDaysPerWeek(("T",), 1)
    p = problem([lesson("a", "T", "G1"), lesson("b", "T", "G2")], week(2, 2), constraints=[c])
    s = starts(solved(p))
    assert s["a"] // 2 == s["b"] // 2
    assert evaluate(p, at(a=0, b=2)).hard_violations == 1


# ---- built-in soft goals of the cluster model ----------------------------------------------


def test_teacher_gaps_goal():
    groups = [Group("G2", unavailable=frozenset({1}))]
    acts = [lesson("a", "T", "G1"), lesson("b", "T", "G2")]
    p = problem(acts, week(1, 3), groups=groups, soft=goals(teacher_gaps=1))
    assert solved(p).evaluation.soft_cost == 0  # type: ignore[union-attr]
    assert evaluate(p, at(a=0, b=2)).soft_by_kind == {"teacher_gaps": 1.0}


def test_group_gaps_goal():
    p = problem([lesson("a", "T1"), lesson("b", "T2")], week(1, 3), soft=goals(group_gaps=2))
    assert solved(p).evaluation.soft_cost == 0  # type: ignore[union-attr]
    assert evaluate(p, at(a=0, b=2)).soft_by_kind == {"group_gaps": 2.0}


def test_subject_twice_a_day_goal_unless_a_double_period():
    acts = [lesson("a", "T1", subject="math"), lesson("b", "T2", subject="math")]
    p = problem(acts, week(2, 2), soft=goals(subject_twice_a_day=3))
    s = starts(solved(p))
    assert s["a"] // 2 != s["b"] // 2
    assert evaluate(p, at(a=0, b=1)).soft_by_kind == {"subject_twice_a_day": 3.0}
    doubled = problem([lesson("a", "T1", subject="math", double=True), acts[1]], week(2, 2))
    assert evaluate(problem(doubled.activities, p.week, soft=p.soft), at(a=0, b=1)).soft_cost == 0


def test_spread_goal_keeps_parts_of_a_weekly_lesson_apart():
    acts = [lesson("a", split_of="math"), lesson("b", split_of="math")]
    p = problem(acts, week(4, 1), soft=goals(spread=1))
    s = starts(solved(p))
    assert abs(s["a"] - s["b"]) >= 2  # 4 days // 2 parts = 2 days apart
    assert evaluate(p, at(a=0, b=1)).soft_by_kind == {"spread": 1.0}


def test_hard_subject_last_goal():
    acts = [lesson("a", "T1", hard_subject=True), lesson("b", "T2")]
    p = problem(acts, week(1, 2), soft=goals(hard_subject_last=1))
    assert starts(solved(p)) == {"a": 0, "b": 1}
    assert evaluate(p, at(a=1, b=0)).soft_by_kind == {"hard_subject_last": 1.0}


def test_teacher_disliked_goal():
    t = Teacher("T", disliked=frozenset({0}))
    p = problem([lesson("a")], week(1, 2), teachers=[t], soft=goals(teacher_disliked=1))
    assert starts(solved(p)) == {"a": 1}
    assert evaluate(p, at(a=0)).soft_by_kind == {"teacher_disliked": 1.0}
