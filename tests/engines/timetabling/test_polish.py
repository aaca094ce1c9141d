"""The soft polish of a first timetable: soft min-days and preferred-start rules mended by
moves, swaps and chains, without breaking a hard rule or moving a locked lesson."""

from __future__ import annotations

import random

from auyl.engines.timetabling import (
    Group,
    MinDaysBetween,
    Placement,
    PreferredStarts,
    evaluate,
)
from auyl.engines.timetabling.build import start_slots
from auyl.engines.timetabling.greedy import greedy, has_soft_rules, polish
from auyl.engines.timetabling.index import Index

from .tiny import lesson, problem, week

SOFT = 95.0


def polished(p, placements):  # type: ignore[no-untyped-def]
    ix = Index.of(p)
    return polish(ix, start_slots(ix, relax=False), placements, time_limit=5.0)


def starts_of(placements):  # type: ignore[no-untyped-def]
    return {x.activity: x.start for x in placements}


def test_a_lesson_moves_to_a_free_day_to_mend_a_soft_min_days_rule():
    p = problem(
        [lesson("a"), lesson("b")],
        week(2, 2),
        constraints=[MinDaysBetween(("a", "b"), 1, weight=SOFT)],
    )
    before = (Placement("a", 0), Placement("b", 1))
    assert evaluate(p, before).soft_cost > 0

    after = polished(p, before)

    assert evaluate(p, after).soft_cost == 0
    assert evaluate(p, after).hard_violations == 0


def test_in_a_full_week_two_lessons_swap_days():
    # a and b share day 1, c and d fill day 2: only a swap mends the rule
    p = problem(
        [lesson(x) for x in "abcd"],
        week(2, 2),
        constraints=[MinDaysBetween(("a", "b"), 1, weight=SOFT)],
    )
    before = tuple(Placement(x, s) for x, s in zip("abcd", range(4), strict=True))

    after = polished(p, before)

    assert len(after) == 4
    assert evaluate(p, after).soft_cost == 0
    assert evaluate(p, after).hard_violations == 0


def test_a_locked_lesson_stays_where_it_is():
    p = problem(
        [lesson("a", fixed_start=0), lesson("b", fixed_start=1)],
        week(2, 2),
        constraints=[MinDaysBetween(("a", "b"), 1, weight=SOFT)],
    )
    before = (Placement("a", 0), Placement("b", 1))

    assert starts_of(polished(p, before)) == {"a": 0, "b": 1}


def test_no_move_opens_a_gap_a_hard_rule_forbids():
    # G (no gaps) has x, b, y on day 1; b and the locked h (another class) share that day.
    # Only moving b would mend the rule, and that leaves a gap between x and y.
    p = problem(
        [
            lesson("x", "T1", fixed_start=0),
            lesson("b", "T2"),
            lesson("y", "T3", fixed_start=2),
            lesson("h", "T4", "H", fixed_start=0),
        ],
        week(2, 3),
        groups=[Group("G", no_gaps=True)],
        constraints=[MinDaysBetween(("b", "h"), 1, weight=SOFT)],
    )
    before = (Placement("x", 0), Placement("b", 1), Placement("y", 2), Placement("h", 0))

    after = polished(p, before)

    assert starts_of(after)["b"] == 1
    assert evaluate(p, after).hard_violations == 0


def test_a_lesson_moves_to_its_preferred_start():
    p = problem(
        [lesson("a")],
        week(2, 2),
        constraints=[PreferredStarts("a", frozenset({3}), weight=80.0)],
    )

    assert starts_of(polished(p, (Placement("a", 0),))) == {"a": 3}


def test_a_timetable_without_soft_rules_comes_back_as_it_was():
    p = problem([lesson("a"), lesson("b")], week(2, 2))
    before = (Placement("a", 0), Placement("b", 1))

    assert not has_soft_rules(p)
    assert polished(p, before) == before


def random_school(seed: int):  # type: ignore[no-untyped-def]
    """Six classes, five teachers, three lessons per class and subject, with soft min-days
    between a subject's lessons and a no-gaps rule for half the classes."""
    rng = random.Random(seed)
    acts, rules = [], []
    for g in range(6):
        for subject in range(4):
            teacher = f"T{rng.randrange(5)}"
            ids = [f"g{g}s{subject}-{k}" for k in range(3)]
            acts += [lesson(i, teacher, f"G{g}", subject=f"s{subject}") for i in ids]
            rules.append(MinDaysBetween(tuple(ids), 1, weight=rng.choice((60.0, 95.0))))
    groups = [Group(f"G{g}", no_gaps=g % 2 == 0) for g in range(6)]
    return problem(acts, week(5, 6), groups=groups, constraints=rules)


def test_on_random_schools_the_polish_never_raises_the_cost_nor_breaks_a_hard_rule():
    for seed in range(6):
        p = random_school(seed)
        ix = Index.of(p)
        starts = start_slots(ix, relax=False)
        first, complete = greedy(ix, starts, time_limit=2.0, seed=seed)
        assert complete

        after = polish(ix, starts, first, time_limit=2.0, seed=seed)

        assert sorted(x.activity for x in after) == sorted(x.activity for x in first)
        assert evaluate(p, after).hard_violations == 0
        assert evaluate(p, after).soft_cost <= evaluate(p, first).soft_cost
