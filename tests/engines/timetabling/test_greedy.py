"""The greedy warm start: a full, clean timetable for easy schools before CP-SAT starts;
what it cannot finish goes to CP-SAT as a hint, and a wrong greedy answer is never used."""

from __future__ import annotations

import dataclasses
import random
import threading
import time

import numpy as np
import pytest

from auyl.engines.timetabling import (
    Group,
    MaxGaps,
    MinDaysBetween,
    PreferredStarts,
    Problem,
    Resource,
    SolveOptions,
    evaluate,
    solve,
    swapping,
)
from auyl.engines.timetabling import greedy as greedy_module
from auyl.engines.timetabling import solver as solver_module
from auyl.engines.timetabling.build import Build, start_slots
from auyl.engines.timetabling.greedy import Arrays, Search, _luby, greedy, search
from auyl.engines.timetabling.index import Index
from auyl.engines.timetabling.solver import (
    BuildStopped,
    _grow,
    _neighbourhood,
    _repair,
    _Warm,
    _Watcher,
    build_model,
)

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


def test_a_lesson_of_a_busier_teacher_is_placed_before_one_of_an_idle_teacher():
    busy = [lesson(f"busy{k}", "Busy", f"G{k}") for k in range(4)]
    p = problem([lesson("idle", "Idle", "G0"), *busy], week(2, 3))
    ix = Index.of(p)
    units = greedy_module._units(ix)
    order = greedy_module._hardest_first(
        units, greedy_module._difficulties(ix, units, start_slots(ix, relax=False))
    )
    assert order[-1] == ["idle"]  # G0's lessons share the slots; Busy teaches 4 of 6


def test_units_equally_hard_keep_their_order():
    units = [["a"], ["b"], ["c"]]
    assert greedy_module._hardest_first(units, [0.5, 0.2, 0.5]) == [["b"], ["a"], ["c"]]


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


def test_a_repair_finishes_what_the_greedy_left_unplaced():
    """Lessons the greedy could not place are placed by a small CP-SAT solve in which only
    they and their teachers' and classes' lessons may move; the rest stays put."""
    p = packed_school()
    ix = Index.of(p)
    starts = start_slots(ix, relax=False)
    placements, _ = greedy(ix, starts, time_limit=2.0)
    partial = _Warm(tuple(q for q in placements if q.activity != "t0g0-0"), False)
    options = SolveOptions(time_limit=3.0, first_solution_only=True)
    watcher = _Watcher(time.perf_counter(), 3.0, None)
    repaired = _repair(p, ix, starts, partial, options, watcher.t0, watcher)
    assert repaired.complete and len(repaired.placements) == 18
    assert evaluate(p, repaired.placements).hard_violations == 0


def test_the_neighbourhood_of_a_lesson_is_every_lesson_of_its_teachers_and_classes():
    p = problem([lesson("a", "T1", "G1"), lesson("b", "T1", "G2"), lesson("c", "T2", "G3")])
    assert _neighbourhood(Index.of(p), {"a"}) == {"a", "b"}


def test_a_class_with_no_gaps_gets_its_lessons_back_to_back():
    """Repairs take lessons out of the middle of a day; the greedy places that day again."""
    g = Group("G", no_gaps=True)
    acts = [lesson(f"g{k}", f"T{k % 2}") for k in range(4)] + [lesson("x", "T0", "H")]
    p = problem(acts, week(2, 3), groups=[g, Group("H")])
    ix = Index.of(p)
    placements, complete = greedy(ix, start_slots(ix, relax=False), time_limit=2.0)
    assert complete and evaluate(p, placements).hard_violations == 0


def test_a_locked_lesson_stays_where_it_was_locked():
    acts = [lesson(f"a{k}", "T1", "G1") for k in range(5)]
    acts[3] = dataclasses.replace(acts[3], fixed_start=0)
    p = problem(acts, week(1, 5))
    ix = Index.of(p)
    placements, complete = greedy(ix, start_slots(ix, relax=False), time_limit=2.0)
    assert complete and {q.activity: q.start for q in placements}["a3"] == 0


def test_a_closed_room_is_never_used():
    room = Resource("R", unavailable=frozenset({0, 1}))
    acts = [dataclasses.replace(lesson(f"a{k}", f"T{k}", f"G{k}"), resources=("R",))
            for k in range(2)]  # fmt: skip
    p = problem(acts, week(1, 4), resources=[room])
    ix = Index.of(p)
    placements, complete = greedy(ix, start_slots(ix, relax=False), time_limit=2.0)
    assert complete and sorted(q.start for q in placements) == [2, 3]


def _greedy_starts(p: Problem, first: str, then: str) -> dict[str, int]:
    """The starts of the greedy's timetable of ``p``, checked complete and clean, after
    checking that it places ``first`` before ``then`` (the situation a test sets up)."""
    ix = Index.of(p)
    starts = start_slots(ix, relax=False)
    units = greedy_module._units(ix)
    order = greedy_module._hardest_first(units, greedy_module._difficulties(ix, units, starts))
    assert order.index([first]) < order.index([then])
    placements, complete = greedy(ix, starts, time_limit=1.0)
    assert complete and evaluate(p, placements).hard_violations == 0
    return {q.activity: q.start for q in placements}


@pytest.mark.parametrize("needs", ["room_choices", "resources"])
def test_a_lesson_takes_its_room_from_a_lesson_that_can_go_elsewhere(needs: str) -> None:
    """X (busy teacher, starts 0-1) is placed first, at 0, in the only room (or resource
    of capacity 1); Y may start only at 0, with no teacher or class in common: X must
    leave the room (FET's way)."""
    room = Resource("R")
    x = lesson("x", "T1", "G1", **{needs: ("R",)})
    others = [lesson(f"t1-{k}", "T1", f"G{k + 2}") for k in range(3)]
    y = lesson("y", "T2", "G9", **{needs: ("R",)})
    p = problem([x, y, *others], week(1, 4), resources=[room],
                constraints=[PreferredStarts("x", frozenset({0, 1})),
                             PreferredStarts("y", frozenset({0}))])  # fmt: skip
    assert _greedy_starts(p, first="x", then="y")["y"] == 0


def test_a_pool_of_rooms_freed_by_a_lesson_in_the_way_takes_the_lesson():
    """A pool of 2 spare rooms is full at period 0 (b, locked, and a); y may start only
    at 0 and shares its class with a: taking a out frees a room of the pool, which the
    greedy cannot see lesson by lesson but must not rule out."""
    pool = Resource("P", capacity=2)
    a = lesson("a", "T3", "G1", room_choices=("P",))
    b = lesson("b", "T4", "G2", room_choices=("P",), fixed_start=0)
    y = lesson("y", "T2", "G1", room_choices=("P",))
    others = [lesson(f"t3-{k}", "T3", f"G{k + 5}") for k in range(4)]
    p = problem([a, b, y, *others], week(1, 6), resources=[pool],
                constraints=[PreferredStarts("a", frozenset({0, 1})),
                             PreferredStarts("y", frozenset({0}))])  # fmt: skip
    assert _greedy_starts(p, first="a", then="y")["y"] == 0


def test_the_same_seed_gives_the_same_timetable():
    p = packed_school()
    ix = Index.of(p)
    starts = start_slots(ix, relax=False)
    assert greedy(ix, starts, 2.0, seed=3) == greedy(ix, starts, 2.0, seed=3)


def test_restarts_follow_lubys_sequence():
    assert [_luby(i) for i in range(1, 16)] == [1, 1, 2, 1, 1, 2, 4, 1, 1, 2, 1, 1, 2, 4, 8]


def test_a_neighbourhood_too_big_grows_by_a_random_part_of_the_next_ring():
    p = problem([lesson(f"a{i}", "T1", f"G{i}") for i in range(6)] + [lesson("b", "T2", "G0")])
    ix = Index.of(p)
    grown = _grow(ix, {"a0"}, cap=3, rng=random.Random(0))  # the ring has 7 lessons
    assert "a0" in grown and len(grown) == 3
    assert _grow(ix, {"b"}, cap=10, rng=random.Random(0)) == {"b", "a0"}


def test_a_complete_greedy_timetable_holds_every_lesson_once_with_soft_rules_in_play():
    """Soft min-days partners are drawn anew each time a start is looked at, so a start
    that had units in its way may have none when tried; the chain must then end there
    (it once went on to "re-place" a unit that was never taken out)."""
    acts, rules = [], []
    for t in range(5):
        for g in range(5):
            parts = [f"t{t}g{g}-{k}" for k in range(3)]
            acts += [lesson(aid, f"T{t}", f"G{g}") for aid in parts]
            rules.append(MinDaysBetween(tuple(parts), 1, weight=95))
    p = problem(acts, week(5, 3), constraints=rules)  # every teacher and class packed
    ix = Index.of(p)
    starts = start_slots(ix, relax=False)
    for seed in range(8):
        placements, complete = greedy(ix, starts, time_limit=1.0, seed=seed)
        if complete:
            assert len({q.activity for q in placements}) == len(acts)
            assert evaluate(p, placements).hard_violations == 0


def test_a_complete_search_hands_over_the_arrays_that_hold_its_timetable():
    p = packed_school()
    ix = Index.of(p)
    found = search(ix, start_slots(ix, relax=False), time_limit=2.0)
    assert found.complete and found.arrays is not None
    assert found.arrays.placements() == found.placements


def test_a_race_the_greedy_wins_at_once_builds_no_cp_sat_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CP-SAT's thread waits before building its model (Python, sharing the interpreter
    with the greedy): a school the greedy answers at once never pays for it."""
    built: list[str] = []
    real = solver_module.build_model

    def spy(*args: object, **kw: object) -> object:
        built.append(threading.current_thread().name)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(solver_module, "_RACE_DELAY_S", 2.0)
    monkeypatch.setattr(solver_module, "build_model", spy)
    p = packed_school()
    s = solve(p, SolveOptions(time_limit=10, workers=2, first_solution_only=True))
    assert s.feasible
    for thread in threading.enumerate():
        if thread.name == "cp-sat-race":
            thread.join(timeout=5)
    assert built == []


def test_a_limit_shorter_than_the_race_delay_still_gets_the_greedy_start() -> None:
    """With a few hundredths of a second (the benchmark gives a solve fet-cl's own time)
    the greedy still runs once -- its timetable is the answer -- and nobody waits for the
    racing CP-SAT thread's delay."""
    seen: list[str] = []
    options = SolveOptions(time_limit=0.02, workers=2, progress=lambda f, m: seen.append(m))
    s = solve(packed_school(), options)
    assert s.feasible
    assert seen[0] == "timetable 1 found by the greedy start"
    assert s.seconds < solver_module._RACE_DELAY_S


def test_a_greedy_far_from_a_timetable_hands_its_core_to_a_second_cp_sat_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The greedy places nothing (far below ``_HOPELESS_SHARE``), nor does its repair,
    and the racing thread waits long: the answer comes from a second CP-SAT search on the
    greedy's core, long before the race would have started."""
    monkeypatch.setattr(
        Search, "run", lambda self, limit, stop=None: greedy_module.Found((), False, None)
    )
    monkeypatch.setattr(solver_module, "_repair", lambda problem, ix, starts, warm, *a: warm)
    monkeypatch.setattr(solver_module, "_RACE_DELAY_S", 5.0)
    seen: list[str] = []
    options = SolveOptions(time_limit=10, workers=2, first_solution_only=True,
                           progress=lambda f, m: seen.append(m))  # fmt: skip
    s = solve(packed_school(), options)
    assert s.feasible and s.evaluation is not None and s.evaluation.hard_violations == 0
    assert seen[0] == "timetable 1 found by CP-SAT"
    assert s.seconds < 5.0


@pytest.mark.parametrize(("workers", "cycle_s"), [(2, 2.0 + 0.004 * 18), (1, 0.25 * 1.2)])
def test_racing_cp_sat_the_greedy_may_use_more_than_a_share_of_a_short_limit(
    monkeypatch: pytest.MonkeyPatch, workers: int, cycle_s: float
) -> None:
    """CP-SAT racing on the other core loses nothing to the greedy's time: an optimising
    solve whose limit is short gets no timetable when the greedy, which would find one,
    stops at a quarter of it (MAPS at 1.2 s). Alone, the greedy leaves CP-SAT the rest."""
    budgets: list[float] = []
    real = Search.run

    def spy(self: Search, limit: float, stop: object = None) -> greedy_module.Found:
        budgets.append(limit)
        return real(self, limit, stop)  # type: ignore[arg-type]

    monkeypatch.setattr(Search, "run", spy)
    s = solve(packed_school(), SolveOptions(time_limit=1.2, workers=workers))
    assert s.feasible
    assert budgets[0] == pytest.approx(min(cycle_s, 1.2), abs=0.05)


def test_a_greedy_search_goes_on_where_it_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The warm start repairs between two runs of one search: the second run goes on
    with the same long lane, from the steps the first one made."""
    monkeypatch.setattr(greedy_module, "_CALLS_PER_SLICE", 1)
    ix = Index.of(packed_school())
    looks = iter([False, True])  # one slice of each lane, then stop
    search_ = Search(ix, start_slots(ix, relax=False), seed=0)
    lane = search_.long
    assert lane is not None

    first = search_.run(5.0, stop=lambda: next(looks))
    steps = int(lane.arrays.counters[swapping.CTR_STEP])
    found = search_.run(5.0)

    assert not first.complete and steps > 0
    assert found.complete
    assert search_.long is lane
    assert found.arrays is lane.arrays


def test_building_the_model_stops_when_asked():
    with pytest.raises(BuildStopped):
        build_model(packed_school(), objective=False, stop=lambda: True)


def test_making_the_start_literals_stops_when_asked_midway():
    """A big school's start literals alone take a third of a second: the question comes
    every ``_STOP_EVERY`` lessons, not only between the rules."""
    p = problem([lesson(f"a{i}", f"T{i}", f"G{i}") for i in range(250)], week(5, 6))
    answers = iter([False, False, True])
    b = Build(p, Index.of(p), relax=False)
    with pytest.raises(BuildStopped):
        b.add_start_variables(start_slots(b.ix, relax=False), stop=lambda: next(answers))
    assert len(b.x) == 200


def test_a_forced_lesson_takes_out_the_edges_of_a_day_it_would_leave_with_gaps():
    """A class with no gaps has lessons at periods 1 and 2; a lesson only possible at 4
    would leave period 3 empty. Forced there (``edges``), it takes out the day's edge
    lessons until none is left in the way; a chain leaves that start out instead (the start
    fails)."""
    p = problem(
        [lesson("a", "T1"), lesson("b", "T2"), lesson("c", "T3")],
        week(1, 4),
        groups=[Group("G", no_gaps=True)],
    )
    ix = Index.of(p)
    units = [["a"], ["b"], ["c"]]
    arrays = Arrays.of(ix, {"a": [0], "b": [1], "c": [3]}, units, 10, random.Random(0),
                       shuffle=False, soft_share=0.0)  # fmt: skip
    S, A = arrays.static, arrays.state
    swapping._place(0, 0, -1, False, S, A)
    swapping._place(1, 1, -1, False, S, A)
    out = np.zeros(3, np.int32)

    assert swapping._victims(2, 3, out, S, A, False) == 0
    assert not swapping._put(2, 3, S, A)

    assert swapping._victims(2, 3, out, S, A, True) == 2
    assert sorted(out[:2]) == [0, 1]


def _three_lessons_of_one_teacher(max_gaps: MaxGaps) -> Arrays:
    """Lessons a, b, c of teacher T (each for its own class) in a day of 4 periods; a at
    period 1."""
    p = problem(
        [lesson("a", "T", "G1"), lesson("b", "T", "G2"), lesson("c", "T", "G3")],
        week(1, 4),
        constraints=[max_gaps],
    )
    ix = Index.of(p)
    arrays = Arrays.of(ix, start_slots(ix, relax=False), [["a"], ["b"], ["c"]], 10,
                       random.Random(0), shuffle=False, soft_share=0.0)  # fmt: skip
    swapping._place(0, 0, -1, False, arrays.static, arrays.state)
    return arrays


def test_a_teachers_gap_may_wait_for_a_lesson_still_to_place_as_in_fet():
    """Teacher T may have no gap; with a at period 1, b may go to period 3 while c is still
    to place (c can fill period 2), and then c only to period 2."""
    arrays = _three_lessons_of_one_teacher(MaxGaps("teacher", ("T",), 0))
    S, A = arrays.static, arrays.state

    assert swapping._fits(1, 2, S, A) == -1
    swapping._place(1, 2, -1, False, S, A)
    assert swapping._fits(2, 3, S, A) == -2
    assert swapping._fits(2, 1, S, A) == -1


def test_a_class_gap_may_not_wait_for_its_lessons_still_to_place():
    """Classes keep the strict rule (measured: a class's gaps left for later made
    Computers-Craiova 10 to 20 times slower): with a at period 1, b may not go to period 3."""
    p = problem(
        [lesson("a", "T1"), lesson("b", "T2"), lesson("c", "T3")],
        week(1, 4),
        groups=[Group("G", no_gaps=True)],
    )
    ix = Index.of(p)
    arrays = Arrays.of(ix, start_slots(ix, relax=False), [["a"], ["b"], ["c"]], 10,
                       random.Random(0), shuffle=False, soft_share=0.0)  # fmt: skip
    S, A = arrays.static, arrays.state
    swapping._place(0, 0, -1, False, S, A)

    assert swapping._fits(1, 2, S, A) == -2
    assert swapping._fits(1, 1, S, A) == -1


def test_taking_out_a_lesson_never_breaks_a_teachers_gap_limit():
    """The limit counts the periods still to place: taking b out of the middle opens a gap
    but adds a period to place, so the rest still fits."""
    arrays = _three_lessons_of_one_teacher(MaxGaps("teacher", ("T",), 0))
    S, A = arrays.static, arrays.state
    swapping._place(1, 1, -1, False, S, A)
    swapping._place(2, 2, -1, False, S, A)
    swapping._unplace(1, False, S, A)

    assert swapping._gaps_within(0, -1, 0, S, A, -1)


def test_the_long_lane_keeps_soft_rules_as_ties_only_once_its_soft_seconds_are_spent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = problem(
        [lesson(f"a{k}", "T1") for k in range(3)],
        week(3, 2),
        constraints=[MinDaysBetween(("a0", "a1", "a2"), 1, weight=95.0)],
    )
    ix = Index.of(p)
    starts = start_slots(ix, relax=False)
    roughened: list[float] = []
    roughen = greedy_module._roughen

    def spy(arrays: Arrays) -> None:
        roughened.append(float(arrays.static.soft_share))
        roughen(arrays)
        assert arrays.static.soft_share == 0.0

    monkeypatch.setattr(greedy_module, "_roughen", spy)
    search(ix, starts, time_limit=2.0)
    assert roughened == []  # found within its soft seconds

    monkeypatch.setattr(greedy_module, "LONG_SOFT_S", -1.0)
    found = search(ix, starts, time_limit=2.0)
    assert roughened and roughened[0] == 1.0
    assert found.complete
