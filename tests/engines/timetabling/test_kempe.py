"""Kempe chains: a unit is placed by exchanging two blocks of periods (:mod:`kempe`)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from auyl.engines.timetabling import Activity, PreferredStarts, Problem, evaluate, kempe
from auyl.engines.timetabling.build import start_slots
from auyl.engines.timetabling.greedy import Arrays
from auyl.engines.timetabling.index import Index

from .tiny import lesson, problem, week


def _day(lessons: Sequence[Activity], periods: int, only: dict[str, int]) -> Problem:
    """One day of ``periods`` with ``lessons``; those named in ``only`` may start only there."""
    rules = [PreferredStarts(aid, frozenset({s})) for aid, s in only.items()]
    return problem(lessons, week(1, periods), constraints=rules)


def _timetable(p: Problem, at: dict[str, int]) -> Arrays:
    """Arrays for ``p``'s lessons (one unit each, in order), those in ``at`` placed there."""
    ix = Index.of(p)
    arrays = Arrays.of(ix, start_slots(ix, relax=False), [[a.id] for a in p.activities], 10,
                       random.Random(0), shuffle=False, soft_share=0.0)  # fmt: skip
    for aid, s in at.items():
        assert kempe._put(arrays.activities.index(aid), s, arrays.static, arrays.state)
    return arrays


def _starts(arrays: Arrays) -> dict[str, int]:
    return {q.activity: q.start for q in arrays.placements()}


def _clean(p: Problem, arrays: Arrays) -> bool:
    return evaluate(p, arrays.placements()).hard_violations == 0


def _a_class_free_only_where_its_teacher_is_busy() -> list[Activity]:
    """G1's other lesson (d) may only be at period 0, so a may only go to 1, where its
    teacher T teaches G2 (b); G2's other lesson (c, teacher T2) is at period 0."""
    return [
        lesson("a", "T", "G1"),
        lesson("b", "T", "G2"),
        lesson("c", "T2", "G2"),
        lesson("d", "T3", "G1"),
    ]


def test_a_lesson_is_placed_by_exchanging_two_periods_along_a_chain() -> None:
    p = _day(_a_class_free_only_where_its_teacher_is_busy(), 2, only={"d": 0})
    arrays = _timetable(p, {"b": 1, "c": 0, "d": 0})

    assert kempe.place_by_exchange(0, arrays.static, arrays.state)

    assert _starts(arrays) == {"a": 1, "b": 0, "c": 1, "d": 0}
    assert _clean(p, arrays)


def test_a_locked_lesson_is_never_exchanged_and_a_failed_exchange_changes_nothing() -> None:
    p = _day(_a_class_free_only_where_its_teacher_is_busy(), 2, only={"d": 0})
    arrays = _timetable(p, {"b": 1, "c": 0, "d": 0})
    arrays.static.u_locked[2] = 1  # c

    assert not kempe.place_by_exchange(0, arrays.static, arrays.state)

    assert _starts(arrays) == {"b": 1, "c": 0, "d": 0}


def test_single_lessons_go_round_a_double_in_a_block_one_period_longer() -> None:
    """G1's lessons may not move, so a may only go to period 3, where T teaches G2 (b);
    T's other G2 lesson (e) is at 2 and G2's double (f) at 0-1. Exchanging single periods
    would split the double or put e at 3 with a; exchanging periods 2-3 with 0-1 moves b
    and e before f."""
    lessons = [
        lesson("a", "T", "G1"),
        lesson("b", "T", "G2"),
        lesson("e", "T", "G2"),
        lesson("f", "T4", "G2", duration=2),
        lesson("g", "T3", "G1", duration=2),
        lesson("h", "T5", "G1"),
    ]
    p = _day(lessons, 4, only={"g": 0, "h": 2})
    arrays = _timetable(p, {"b": 3, "e": 2, "f": 0, "g": 0, "h": 2})

    assert kempe.place_by_exchange(0, arrays.static, arrays.state)

    assert _starts(arrays) == {"a": 3, "b": 1, "e": 0, "f": 2, "g": 0, "h": 2}
    assert _clean(p, arrays)


def test_a_lesson_takes_a_start_whose_lesson_in_the_way_is_placed_again_by_an_exchange() -> None:
    """x (T6, G3) may start only at 1, where a (T, G1 and G3) is; a then fits nowhere as
    the others stand, and goes to 0 by a Kempe chain (d, b to 1; c to 0)."""
    lessons = [*_a_class_free_only_where_its_teacher_is_busy(), lesson("x", "T6", "G3")]
    lessons[0] = lesson("a", "T", ("G1", "G3"))
    p = _day(lessons, 2, only={"x": 1})
    arrays = _timetable(p, {"a": 1, "b": 0, "c": 1, "d": 0})

    assert kempe.evict_and_exchange(4, arrays.static, arrays.state, np.zeros(5, np.int32))

    assert _starts(arrays) == {"x": 1, "a": 0, "b": 1, "c": 0, "d": 1}
    assert _clean(p, arrays)
