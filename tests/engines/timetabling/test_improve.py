"""Lowering the soft cost from the first timetable: CP-SAT is handed that timetable as a
hint it can take up, proves small schools optimal, then searches neighbourhoods alone;
the model is never built past the time limit."""

from __future__ import annotations

import dataclasses
import time

import pytest
from ortools.sat.python import cp_model

from auyl.engines.timetabling import (
    MinDaysBetween,
    Placement,
    Resource,
    SoftWeights,
    SolveOptions,
    resolve,
    solve,
)
from auyl.engines.timetabling import solver as solver_module
from auyl.engines.timetabling.greedy import anneal, polish
from auyl.engines.timetabling.index import Index
from auyl.engines.timetabling.solver import (
    BuildStopped,
    _complete_hint,
    _Warm,
    build_model,
    hint_timetable,
    in_part_order,
)

from .tiny import lesson, problem, week

ROOMS = [Resource("R1"), Resource("R2")]


def three_part_maths():  # type: ignore[no-untyped-def]
    """Maths in three interchangeable parts (one weekly activity) beside an art lesson,
    in a week of three days of two periods."""
    rooms = ("R1", "R2")
    parts = [lesson(aid, subject="math", split_of="math", room_choices=rooms) for aid in "abc"]
    return problem([*parts, lesson("art", "T2", "G2")], week(3, 2), resources=ROOMS)


REVERSED = (
    Placement("a", 4, "R2"),
    Placement("b", 2, "R1"),
    Placement("c", 0, "R2"),
    Placement("art", 1),
)


def test_parts_are_handed_their_starts_earliest_first_with_their_rooms():
    ordered = in_part_order(three_part_maths(), REVERSED)
    assert ordered == [
        Placement("a", 0, "R2"),
        Placement("b", 2, "R1"),
        Placement("c", 4, "R2"),
        Placement("art", 1),
    ]


def test_parts_a_constraint_tells_apart_keep_their_starts():
    p = three_part_maths()
    apart = problem(
        p.activities, p.week, resources=ROOMS,
        constraints=[MinDaysBetween(("a", "art"), 1, 95.0)],
    )  # fmt: skip
    ordered = {x.activity: x.start for x in in_part_order(apart, REVERSED)}
    assert ordered == {"a": 4, "b": 0, "c": 2, "art": 1}


def takes_up(hint: list[Placement] | tuple[Placement, ...]) -> bool:
    """True when the symmetric model of :func:`three_part_maths` has a timetable with
    every start literal as ``hint`` says."""
    b = build_model(three_part_maths(), objective=False)
    hint_timetable(b, hint)
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    return solver.solve(b.m) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_the_symmetric_model_takes_up_a_hint_only_in_part_order():
    """A timetable naming its parts against the symmetry rule is no hint at all: CP-SAT
    then never started from the greedy's timetable and rarely improved on it."""
    assert not takes_up(REVERSED)
    assert takes_up(in_part_order(three_part_maths(), REVERSED))


def test_no_model_is_built_once_the_time_limit_is_spent(monkeypatch: pytest.MonkeyPatch):
    """A first timetable found at the limit is the answer: building the model (seconds of
    Python on a big school) stops at its first check instead of running past the limit."""
    p = three_part_maths()
    limit = 0.2
    stopped: list[bool] = []
    real = solver_module.build_model

    def late_polish(*args: object, **kw: object) -> _Warm:
        time.sleep(limit)
        return _Warm(REVERSED, True, "the greedy start")

    def spy(*args: object, **kw: object) -> object:
        try:
            return real(*args, **kw)  # type: ignore[arg-type]
        except BuildStopped:
            stopped.append(True)
            raise

    monkeypatch.setattr(solver_module, "_polished", late_polish)
    monkeypatch.setattr(solver_module, "build_model", spy)
    s = solve(p, SolveOptions(time_limit=limit, workers=1))
    assert stopped == [True]
    assert s.status == "feasible"
    assert list(s.placements) == list(REVERSED)


def gappy_day():  # type: ignore[no-untyped-def]
    """One teacher's two lessons in a day of four periods, teacher gaps costing 1 each."""
    p = problem([lesson("a", group="G1"), lesson("b", group="G2")], week(1, 4))
    return dataclasses.replace(p, soft=dataclasses.replace(p.soft, teacher_gaps=1.0))


GAPPY = (Placement("a", 0), Placement("b", 3))


def test_a_resolve_from_a_clean_timetable_starts_from_it_and_lowers_its_cost():
    """The platform's second phase: its first timetable, kept at a tiny cost per move,
    is the starting point (no search for another first timetable) and gets better."""
    said: list[str] = []
    options = SolveOptions(time_limit=5, workers=1, keep_weight=0.01,
                           progress=lambda done, message: said.append(message))  # fmt: skip
    s = resolve(gappy_day(), GAPPY, options)
    assert said[0] == "timetable 1: the current one"
    assert s.evaluation is not None and s.evaluation.soft_cost == 0


def test_a_current_timetable_that_breaks_a_hard_rule_is_not_the_first():
    clash = (Placement("a", 1), Placement("b", 1))  # one teacher twice in period 2
    said: list[str] = []
    options = SolveOptions(time_limit=5, workers=1,
                           progress=lambda done, message: said.append(message))  # fmt: skip
    s = resolve(gappy_day(), clash, options)
    assert s.feasible and s.evaluation is not None and s.evaluation.hard_violations == 0
    assert "timetable 1: the current one" not in said


def test_a_hint_of_the_lessons_is_completed_with_the_goals_helper_variables():
    p = gappy_day()
    b = build_model(p)
    hint_timetable(b, GAPPY)
    hinted = len(b.m.proto.solution_hint.vars)
    _complete_hint(b.m, 5.0)
    hint = b.m.proto.solution_hint
    assert hinted < len(b.m.proto.variables) == len(hint.vars)
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    assert solver.solve(b.m) == cp_model.OPTIMAL
    assert solver.objective_value > 0  # the gap of the hinted timetable, counted


def test_a_resolve_of_an_unchanged_timetable_moves_no_part():
    """Interchangeable parts keep their own starts: handing them out again in part order
    would be the same timetable, but every kept part counts as a lesson that moved."""
    s = resolve(three_part_maths(), REVERSED, SolveOptions(time_limit=3, workers=1))
    assert s.moved == ()
    assert sorted(s.placements, key=str) == sorted(REVERSED, key=str)


def neighbourhoods_only(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each CP-SAT solve from now on searches neighbourhoods alone."""
    seen: list[bool] = []
    real = cp_model.CpSolver.solve

    def spy(self: cp_model.CpSolver, *args: object, **kw: object) -> object:
        seen.append(self.parameters.use_lns_only)
        return real(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(cp_model.CpSolver, "solve", spy)
    return seen


def unavoidable_gap():  # type: ignore[no-untyped-def]
    """A teacher's two locked lessons in periods 1 and 4 of one day and a third anywhere:
    one gap is left whatever the timetable (teacher gaps cost 1)."""
    lessons = [
        lesson("a", group="G1", fixed_start=0),
        lesson("b", group="G2", fixed_start=3),
        lesson("c", group="G3"),
    ]
    p = problem(lessons, week(1, 4))
    return dataclasses.replace(p, soft=dataclasses.replace(p.soft, teacher_gaps=1.0))


def test_a_small_school_is_proven_optimal_by_the_first_stage(monkeypatch: pytest.MonkeyPatch):
    """The full portfolio's short first stage proves that no timetable has fewer gaps, and
    no neighbourhood search follows (on FET's EEBLJ-Noturno the proof took 0.2 s;
    neighbourhood search alone ran to the 10 s limit there)."""
    seen = neighbourhoods_only(monkeypatch)
    s = solve(unavoidable_gap(), SolveOptions(time_limit=20, workers=2))
    assert s.status == "optimal"
    assert not any(seen)
    assert s.evaluation is not None and s.evaluation.soft_cost == 1


def test_a_single_worker_never_searches_neighbourhoods_alone(monkeypatch: pytest.MonkeyPatch):
    """With one worker CP-SAT would run no neighbourhood at all (measured: a cluster kept
    its first timetable's cost): the portfolio gets the whole time."""
    seen = neighbourhoods_only(monkeypatch)
    s = resolve(gappy_day(), GAPPY, SolveOptions(time_limit=3, workers=1, keep_weight=0.01))
    assert s.evaluation is not None and s.evaluation.soft_cost == 0
    assert seen and not any(seen)


def test_two_workers_search_neighbourhoods_alone_after_the_first_stage(
    monkeypatch: pytest.MonkeyPatch,
):
    """After the first stage (here none), neighbourhood search alone goes on from the best
    timetable so far."""
    monkeypatch.setattr(solver_module, "_PROOF_MAX_S", 0.0)  # no first stage
    seen = neighbourhoods_only(monkeypatch)
    s = resolve(unavoidable_gap(), _ONE_GAP, SolveOptions(time_limit=3, workers=2))
    assert seen[-1] is True
    assert s.evaluation is not None and s.evaluation.soft_cost == 1


_ONE_GAP = (Placement("a", 0), Placement("b", 3), Placement("c", 1))


def _polish_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, object]]:
    calls: list[tuple[float, object]] = []
    polished = solver_module._polished

    def recording(problem, ix, starts, warm, options, budget, how=polish):  # type: ignore[no-untyped-def]
        calls.append((budget, how))
        return polished(problem, ix, starts, warm, options, budget, how)

    monkeypatch.setattr(solver_module, "_polished", recording)
    return calls


def test_an_optimising_cluster_solve_anneals_its_first_timetable_in_the_time_left(
    monkeypatch: pytest.MonkeyPatch,
):
    calls = _polish_calls(monkeypatch)
    cluster = dataclasses.replace(three_part_maths(), soft=SoftWeights())

    solution = solve(cluster, SolveOptions(time_limit=4.0, workers=1))

    (_first, how_first), (_then, how_then) = calls
    assert (how_first, how_then) == (polish, anneal)
    assert solution.feasible


def big_cluster(lessons: int):  # type: ignore[no-untyped-def]
    """As many one-period lessons, each its own teacher and group, the goals on."""
    ids = [f"l{k}" for k in range(lessons)]
    return problem([lesson(i, f"T{i}", f"G{i}") for i in ids], week(5, 8), soft=SoftWeights())


@pytest.mark.parametrize(
    ("lessons", "limit", "anneal_share", "cp_sat_after"),
    [
        (2000, 10.0, 1.0, False),  # CP-SAT would get 2.5 s: its model takes about 2 to build
        (2000, 100.0, 0.75, True),
        (3, 10.0, 0.05 * 3 / 10, True),  # a lesson's share of annealing, then CP-SAT's proof
    ],
)
def test_cp_sat_goes_on_after_the_annealing_only_with_time_worth_it(
    monkeypatch: pytest.MonkeyPatch,
    lessons: int,
    limit: float,
    anneal_share: float,
    cp_sat_after: bool,
):
    calls = _polish_calls(monkeypatch)
    monkeypatch.setattr(solver_module, "anneal", lambda *args: args[2])  # no time spent
    cluster = big_cluster(lessons)
    ix = Index.of(cluster)
    options = SolveOptions(time_limit=limit)

    _, alone = solver_module._annealed(
        cluster, ix, {}, _Warm((), True), options, time.perf_counter()
    )

    ((budget, _how),) = calls
    assert alone is not cp_sat_after
    assert budget == pytest.approx(anneal_share * limit, rel=0.05)


def test_on_fet_soft_rules_alone_cp_sat_optimises_from_the_first_polish(
    monkeypatch: pytest.MonkeyPatch,
):
    calls = _polish_calls(monkeypatch)
    school = problem(
        [lesson("a"), lesson("b")],
        week(2, 2),
        constraints=[MinDaysBetween(("a", "b"), 1, weight=95.0)],
    )

    solve(school, SolveOptions(time_limit=4.0, workers=1))

    assert [how for _, how in calls] == [polish]
