"""The independent checker agrees with the solver: on random small problems every optimal
timetable has no hard violation and costs exactly the solver's objective."""

from __future__ import annotations

import random

import pytest

from auyl.engines.timetabling import (
    Group,
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    PreferredStarts,
    Problem,
    SameStart,
    SoftWeights,
    Teacher,
    evaluate,
)

from .tiny import at, lesson, problem, solved, week


def random_problem(seed: int) -> Problem:
    """3 days x 4 periods, 3 teachers, 3 groups, ~9 lessons, random soft rules."""
    rng = random.Random(seed)
    wk = week(3, 4)
    acts = []
    for i in range(rng.randint(6, 10)):
        acts.append(
            lesson(
                f"a{i}",
                f"T{rng.randrange(3)}",
                f"G{rng.randrange(3)}",
                subject=rng.choice(["math", "kaz", "art"]),
                duration=rng.choice([1, 1, 1, 2]),
                split_of=rng.choice(["", "", "s1", "s2"]),
                hard_subject=rng.random() < 0.3,
            )
        )
    ids = [a.id for a in acts]
    teachers = [
        Teacher(f"T{i}", disliked=frozenset(rng.sample(range(12), 2)), unavailable=frozenset())
        for i in range(3)
    ]
    groups = [Group(f"G{i}") for i in range(3)]
    soft = round(rng.uniform(20, 99), 1)  # FET weights: one decimal at most
    pool = [
        PreferredStarts(rng.choice(ids), frozenset(rng.sample(range(12), 4)), weight=soft),
        SameStart(tuple(rng.sample(ids, 2)), weight=soft),
        MinDaysBetween(tuple(rng.sample(ids, 3)), rng.choice([1, 2]), weight=soft),
        MaxGaps(
            rng.choice(["teacher", "group"]),
            (),
            rng.choice([0, 1]),
            rng.choice(["week", "day"]),
            soft,
        ),
        MaxHoursDaily(rng.choice(["teacher", "group"]), (), 2, weight=soft),
        MaxDaysPerWeek((), 2, weight=soft),
    ]
    goals = SoftWeights(*(rng.choice([0.0, 1.0, 2.5]) for _ in range(6)))
    return problem(
        acts,
        wk,
        teachers=teachers,
        groups=groups,
        constraints=rng.sample(pool, rng.randint(1, len(pool))),
        soft=goals,
    )


@pytest.mark.parametrize("seed", range(12))
def test_solver_objective_equals_the_independent_soft_cost(seed):
    p = random_problem(seed)
    s = solved(p, time_limit=5.0)
    assert s.status in ("optimal", "infeasible"), s.status
    if s.status == "infeasible":
        return
    assert s.evaluation is not None
    assert s.evaluation.hard_violations == 0, s.evaluation.violations
    assert s.evaluation.soft_cost == pytest.approx(s.objective or 0.0, abs=1e-6)


def test_weights_follow_fet_each_violation_costs_weight_over_100():
    c = MinDaysBetween(("a", "b", "c"), 2, weight=95)
    p = problem(
        [lesson("a", "T1"), lesson("b", "T2"), lesson("c", "T3")], week(3, 1), constraints=[c]
    )
    e = evaluate(p, at(a=0, b=1, c=2))
    # pairs: a-b 1 day short, b-c 1 day short, a-c fine -> 2 x 0.95
    assert e.soft_cost == pytest.approx(1.9)
    assert e.soft_by_kind == {"min_days_between": pytest.approx(1.9)}


def test_missing_and_doubled_placements_are_hard_violations():
    p = problem([lesson("a"), lesson("b")], week(1, 3))
    assert evaluate(p, at(a=0)).hard_violations == 1
    assert evaluate(p, (*at(a=0, b=1), *at(b=2))).hard_violations >= 1
