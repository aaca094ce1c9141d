"""Solve a timetabling problem with OR-Tools CP-SAT.

:func:`build_model` assembles the time-indexed model of :mod:`build` from the one-rule
functions of :mod:`constraints`; :func:`solve` checks the problem (:mod:`validate`), solves
within the time limit with the given seed and workers, reports progress, and returns the
placements with their independent :func:`~auyl.engines.timetabling.evaluate.evaluate`.
A greedy start (:mod:`greedy`) comes first and answers easy schools on its own.
When no timetable exists, ``conflicts`` holds the smallest set of conflicting requirements
(:mod:`explain`). ``first_solution_only`` drops the objective and stops at the first
complete timetable (the benchmark's "time to first"). ``keep`` placements (re-solve) cost
``keep_weight`` per lesson that moves, and ``moved`` lists them.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from auyl.engines.timetabling import constraints as rules
from auyl.engines.timetabling.build import SCALE, Build, BuildStopped, start_slots
from auyl.engines.timetabling.evaluate import evaluate
from auyl.engines.timetabling.greedy import Arrays, Search, anneal, has_goals, polish, warm_up
from auyl.engines.timetabling.index import Index
from auyl.engines.timetabling.model import (
    HARD,
    Conflict,
    Evaluation,
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    Placement,
    PreferredStarts,
    Problem,
    SameStart,
    Solution,
    SolveOptions,
)
from auyl.engines.timetabling.validate import check

Progress = Callable[[float, str], None]

#: seconds kept back from the time limit for building the answer and explaining
_EXPLAIN_MIN_S = 1.0
#: presolve probing budget (deterministic seconds) when looking for the first timetable
_PROBING_DTIME = 0.5
#: greedy warm start budget: base + 4 ms per lesson -- twice the seconds the greedy's long
#: lane keeps soft rules (``greedy.LONG_SOFT_S``), so that it gets to its rougher second
#: half (at equal budgets MHS_July2 took 23 s, not 5) -- and, with no CP-SAT racing it,
#: at most this share of the time limit (:func:`_greedy_budget`)
_GREEDY_SHARE, _GREEDY_BASE_S, _GREEDY_PER_LESSON_S = 0.25, 2.0, 0.004
#: racing CP-SAT, the greedy gives up after a cycle whose fullest attempt placed fewer
#: than this share of the lessons (JMSS 89 %, GYR 61 %; Van_RhynFinal, which it finds
#: later, 97-99 %), and a second CP-SAT search takes its core (:func:`_second_search`)
_HOPELESS_SHARE = 0.95
#: ... and when at least this many seconds are left for it
_SECOND_MIN_S = 1.0
#: repair of an incomplete greedy timetable: rounds of growing neighbourhoods, each with
#: at most this share of the time left and base + per free lesson seconds (a small
#: neighbourhood either solves at once or is too tight: growing it pays more than waiting);
#: no repair when more than this share of all lessons would be free (then the full model)
_REPAIR_ROUNDS, _REPAIR_TIME_SHARE, _REPAIR_MAX_SHARE = 3, 0.25, 0.5
_REPAIR_BASE_S, _REPAIR_PER_FREE_S, _REPAIR_MIN_CAP = 0.3, 0.004, 100
#: greedy + repair cycles (the greedy search going on from where it stopped) while less
#: than this share of the limit is spent, before the full model
_WARM_CYCLES, _WARM_SHARE = 3, 0.15
#: the soft polish of the first timetable may take this share of the time it took to find
#: it (but at least the minimum): slow finds are rough, and worth more polishing. It
#: mostly stops sooner, when a pass moves nothing; the minimum covers the CP-SAT model
#: still being built beside it (sharing the interpreter) in a race the greedy won
_POLISH_SHARE, _POLISH_MIN_S = 0.5, 0.25
#: an optimising solve of a cluster (its goals on) first anneals its first timetable
#: (:func:`greedy.anneal`) for this share of the time left, at most this many seconds a
#: lesson (a small school's CP-SAT proves it optimal), then CP-SAT goes on from it. On a
#: 2,026-lesson demo cluster (first timetable 580) annealing reached 126 in 9 s; CP-SAT's
#: neighbourhoods alone, 1,806 in 10 s and 544 in 120 s from the first timetable of the
#: greedy that ignored the goals (1,858), 123 in 120 s from a polished one. On FET's soft
#: rules CP-SAT does better alone after the first polish (anonymous-1-2007, 10 s, seeds
#: 0-1: 9.58 / 11.51 against 12.46 / 13.41 after a long polish)
_ANNEAL_SHARE, _ANNEAL_S_PER_LESSON = 0.75, 0.05
#: ... unless that would leave CP-SAT less than this a lesson (10 s on a 2,000-lesson
#: cluster): then annealing has all the time (at 60 s on that cluster, 59 with annealing
#: alone, 55 with CP-SAT's last 30 %)
_CP_SAT_S_PER_LESSON = 0.005
#: seconds the racing CP-SAT thread waits before building its model: building it is
#: Python, sharing the interpreter with the greedy's own Python work, and the greedy
#: answers most schools within this (the race doubled some small clusters' 0.09 s)
_RACE_DELAY_S = 0.15
#: share of the time left that completing the hint of the soft optimisation may take
_HINT_SHARE = 0.25
#: the soft optimisation's first stage, CP-SAT's full portfolio (a complete search beside
#: neighbourhood search), which proves small schools optimal in well under a second: this
#: share of the time left, at most this many seconds; then neighbourhood search alone.
#: On a 2,026-lesson demo cluster, 20 s from the first timetable (1,858) reached 1,741
#: with the portfolio and 1,470-1,487 with neighbourhood search alone; on anonymous-1-2007
#: 10 s reached 13.4 and 9.6
_PROOF_SHARE, _PROOF_MAX_S = 0.1, 2.0
#: seconds per lesson the soft optimisation leaves of the time limit for the answer
#: (reading the solution, evaluating it against the first timetable): 0.3 s on a cluster
#: of 2,026 lessons, which overran a 10 s limit by that much before
_ANSWER_S_PER_LESSON = 0.00015
#: the soft costs (by kind, as :func:`evaluate` names them) the polish mends
_POLISHED = (
    "min_days_between", "preferred_starts", "spread", "subject_twice_a_day", "teacher_gaps",
    "group_gaps", "hard_subject_last", "teacher_disliked",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ModelSize:
    """How big the CP-SAT model is (for the benchmark and the docs)."""

    variables: int
    constraints: int
    start_literals: int


def build_model(
    problem: Problem,
    *,
    relax: bool = False,
    keep: Sequence[Placement] = (),
    keep_weight: float = 10.0,
    objective: bool = True,
    symmetry: bool = True,
    starts: dict[str, list[int]] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Build:
    """The CP-SAT model of ``problem`` (``relax``: requirements behind assumption literals;
    without ``objective`` the soft rules are left out: a feasibility model). ``stop`` is
    asked between the rules: True raises :class:`BuildStopped` (building a big school's
    model takes long enough for a race to be over).

    ``problem`` must be well-formed (:func:`~auyl.engines.timetabling.validate.check`)."""
    ix = Index.of(problem)
    b = Build(problem, ix, relax=relax)
    b.add_start_variables(starts if starts is not None else start_slots(ix, relax), stop)
    for add in _BASIC_RULES:
        if stop is not None and stop():
            raise BuildStopped
        add(b)
    for c in problem.constraints:
        if stop is not None and stop():
            raise BuildStopped
        if objective or relax or c.weight >= HARD:
            _add_constraint(b, c)
        elif isinstance(c, MinDaysBetween) and c.consecutive_if_same_day:
            _add_constraint(b, dataclasses.replace(c, min_days=0))  # its hard part only
    if objective and not relax:
        _add_soft_goals(b)
        rules.add_keep_goal(b, keep, keep_weight)
        if b.costs:
            b.m.minimize(b.objective())
    elif keep:
        for p in keep:
            lit = b.x.get(p.activity, {}).get(p.start)
            if lit is not None:
                b.m.add_hint(lit, 1)
    if symmetry and not relax and not keep:
        rules.add_split_symmetry(b)
    return b


_BASIC_RULES: tuple[Callable[[Build], None], ...] = (
    rules.add_place_once,
    rules.add_fixed_starts,
    rules.add_teacher_availability,
    rules.add_group_availability,
    rules.add_teacher_clash,
    rules.add_group_clash,
    rules.add_room_choice,
    rules.add_resource_availability,
    rules.add_resource_capacity,
    rules.add_exclusive_sets,
    rules.add_group_daily_max,
    rules.add_group_no_gaps,
    rules.add_teacher_travel,
)


def _add_constraint(
    b: Build,
    c: PreferredStarts | SameStart | MinDaysBetween | MaxGaps | MaxHoursDaily | MaxDaysPerWeek,
) -> None:
    if isinstance(c, PreferredStarts):
        rules.add_preferred_starts(b, c)
    elif isinstance(c, SameStart):
        rules.add_same_start(b, c)
    elif isinstance(c, MinDaysBetween):
        rules.add_min_days_between(b, c)
    elif isinstance(c, MaxGaps):
        rules.add_max_gaps(b, c)
    elif isinstance(c, MaxHoursDaily):
        rules.add_max_hours_daily(b, c)
    else:
        rules.add_max_days_per_week(b, c)


def _add_soft_goals(b: Build) -> None:
    soft = b.problem.soft
    goals: list[tuple[float, Callable[[Build, float], None]]] = [
        (soft.teacher_gaps, rules.add_teacher_gaps_goal),
        (soft.group_gaps, rules.add_group_gaps_goal),
        (soft.subject_twice_a_day, rules.add_subject_twice_a_day_goal),
        (soft.spread, rules.add_spread_goal),
        (soft.hard_subject_last, rules.add_hard_subject_last_goal),
        (soft.teacher_disliked, rules.add_teacher_disliked_goal),
    ]
    for weight, add in goals:
        if weight > 0:
            add(b, weight)


def model_size(b: Build) -> ModelSize:
    proto = b.m.proto
    starts = sum(len(xs) for xs in b.x.values())
    return ModelSize(len(proto.variables), len(proto.constraints), starts)


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Records the time of the first solution and reports progress."""

    def __init__(self, t0: float, time_limit: float, progress: Progress | None) -> None:
        super().__init__()
        self.t0, self.time_limit, self.progress = t0, time_limit, progress
        self.first: float | None = None
        self.count = 0

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.t0
        self.count += 1
        if self.first is None:
            self.first = now
        if self.progress is not None:
            cost = self.objective_value / SCALE
            fraction = min(1.0, now / self.time_limit) if self.time_limit > 0 else 1.0
            self.progress(fraction, f"timetable {self.count} found, cost {cost:g}")


def solver_for(options: SolveOptions, time_left: float, first_only: bool) -> cp_model.CpSolver:
    """A CP-SAT solver with the options' seed and workers.

    ``first_only``: tuned for the first complete timetable -- the search without the LP
    relaxation (measured several times faster on packed FET timetables, where the LP only
    slows each node down) plus CP-SAT's feasibility-jump worker, stopping at the first.
    Otherwise tuned for lowering the soft cost from a complete timetable given as a hint.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.05, time_left)
    params.random_seed = options.seed
    params.num_workers = max(1, options.workers)
    if first_only:
        params.stop_after_first_solution = True
        # presolve (probing above all) pays on packed schools but costs seconds on easy
        # ones: one round with a small probing budget (measured on FET examples)
        params.presolve_probing_deterministic_time_limit = _PROBING_DTIME
        params.max_presolve_iterations = 1
        if params.num_workers >= 2:
            params.subsolvers.append("no_lp")
        else:
            params.linearization_level = 0
    else:
        # from a complete timetable (a hint), the search matters more than proofs: no
        # presolve (it took 7.6 s on a cluster of 2,026 lessons, and 8.4 s on EGS2016T2d,
        # before the hint was taken up; without it, 0.4 s)
        params.cp_model_presolve = False
        # nor symmetry detection, which runs even without presolve: 1.0 s of Shipena's
        # 1.6 s before the search began
        params.symmetry_level = 0
    return solver


def solve(problem: Problem, options: SolveOptions | None = None) -> Solution:
    """The best timetable found within ``options.time_limit`` (see the module docstring).

    Three steps: a greedy timetable (:mod:`greedy`, a short budget) finished by a small
    CP-SAT repair of the lessons it left out (:func:`_warm_start`) -- accepted as the
    first timetable when :func:`evaluate` finds it clean, else its placements are hints;
    otherwise the first complete timetable from CP-SAT (:func:`solver_for` with
    ``first_only``); then, unless ``first_solution_only``, the optimisation of the soft
    costs from that timetable (a hint) with the full portfolio for the time left."""
    options = options or SolveOptions()
    warm_up()  # the compiled greedy, loaded outside the time limit (once per process)
    t0 = time.perf_counter()
    progress: Progress | None = options.progress if callable(options.progress) else None
    ix = Index.of(problem)
    found = check(problem, ix)
    if found:
        return Solution("infeasible", (), None, time.perf_counter() - t0, None, conflicts=found)
    watcher = _Watcher(t0, options.time_limit, progress)
    starts = start_slots(ix, relax=False)
    if options.workers >= 2 and not options.keep:
        race = _Race(problem, starts, options, t0)
        race.start()
        warm = _warm_start(problem, ix, starts, options, t0, watcher, stop=race.finished)
        left = options.time_limit - (time.perf_counter() - t0)
        if _hopeless(warm, starts) and not race.finished() and left > _SECOND_MIN_S:
            warm = _second_search(problem, starts, warm, options, t0, race)
        race.finish(keep_going=not warm.complete)
        if not warm.complete and race.placements is not None:
            warm = _Warm(race.placements, True, "timetable 1 found by CP-SAT")
        elif not warm.complete and race.status == cp_model.INFEASIBLE:
            return _no_timetable(problem, options, t0)
        elif not warm.complete:
            return Solution("unknown", (), None, time.perf_counter() - t0, None)
    else:
        warm = _warm_start(problem, ix, starts, options, t0, watcher)
    if warm.complete:
        if not options.keep:  # the polish would move kept lessons
            warm = _polished(problem, ix, starts, warm, options, _first_polish_s(options, t0))
        _record_first(watcher, options, warm.found_by)
        if not options.first_solution_only and has_goals(problem):
            warm, done = _annealed(problem, ix, starts, warm, options, t0)
            if done:
                cost = _cost(warm.evaluation or evaluate(problem, warm.placements), warm.placements,
                             options)  # fmt: skip
                return _answer(
                    problem, options, t0, watcher, warm.placements, "feasible", cost,
                    warm.evaluation,
                )  # fmt: skip
    if warm.complete and options.first_solution_only:
        return _answer(
            problem, options, t0, watcher, warm.placements, "feasible", None, warm.evaluation
        )
    try:
        b = build_model(
            problem,
            keep=options.keep,
            keep_weight=options.keep_weight,
            objective=not options.first_solution_only,
            starts=starts,
            symmetry=not warm.complete,  # a symmetry rule only slows the search from a hint
            stop=lambda: time.perf_counter() - t0 >= options.time_limit,
        )
    except BuildStopped:  # the time is up: building the model (Python) takes seconds
        if warm.complete:
            return _answer(
                problem, options, t0, watcher, warm.placements, "feasible", None, warm.evaluation
            )
        return Solution("unknown", (), None, time.perf_counter() - t0, None)
    if warm.complete and not b.costs:
        return _answer(problem, options, t0, watcher, warm.placements, "optimal", None)
    if warm.complete:
        status, solver = _improve(b, options, t0, watcher, warm.placements)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _answer(problem, options, t0, watcher, warm.placements, "feasible", None)
    else:
        _hint(b, in_part_order(problem, warm.placements))  # b has the symmetry rule
        status, solver = _first_phase(b, options, t0, watcher)
        if status == cp_model.FEASIBLE and b.costs and not options.first_solution_only:
            better, improved = _improve(b, options, t0, watcher, extract(b, solver))
            if better in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                status, solver = better, improved
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        optimal = status == cp_model.OPTIMAL and (bool(b.costs) or not options.first_solution_only)
        objective = solver.objective_value / SCALE if b.costs else None
        placements = extract(b, solver)
        evaluation = evaluate(problem, placements)
        if warm.complete:
            before = warm.evaluation or evaluate(problem, warm.placements)
            if before.soft_cost < evaluation.soft_cost - 1e-9:
                # CP-SAT stopped on a worse timetable than the one it was given (time ran
                # out before it got back to the hint): never hand back more soft cost
                return _answer(
                    problem, options, t0, watcher, warm.placements, "feasible", None, before
                )
        return _answer(
            problem, options, t0, watcher, placements, "optimal" if optimal else "feasible",
            objective, evaluation,
        )  # fmt: skip
    if status == cp_model.INFEASIBLE:
        return _no_timetable(problem, options, t0)
    return Solution("unknown", (), None, time.perf_counter() - t0, None)


def _polished(
    problem: Problem,
    ix: Index,
    starts: dict[str, list[int]],
    warm: _Warm,
    options: SolveOptions,
    budget: float,
    how: Callable[..., tuple[Placement, ...]] = polish,
) -> _Warm:
    """``warm`` (complete) after :func:`greedy.polish` (or ``how``: :func:`greedy.anneal`)
    mended its soft rules and goals for at most ``budget`` seconds, a lesson moved from
    ``options.keep`` costing its keep weight -- kept only when :func:`evaluate` finds no
    hard violation and the cost (soft plus moves, :func:`_cost`) falls. The answer carries
    its evaluation, and the greedy's arrays when they hold its placements (the polish
    changes them in place)."""
    before = warm.evaluation or evaluate(problem, warm.placements)
    warm = dataclasses.replace(warm, evaluation=before)
    if sum(before.soft_by_kind.get(kind, 0.0) for kind in _POLISHED) <= 0 or budget <= 0:
        return warm
    keep = {p.activity: p.start for p in options.keep}
    better = how(
        ix, starts, warm.placements, budget, options.seed, warm.arrays, keep, options.keep_weight
    )
    after = evaluate(problem, better)
    if (
        after.hard_violations == 0
        and _cost(after, better, options) < _cost(before, warm.placements, options) - 1e-9
    ):
        return _Warm(better, True, warm.found_by, after, warm.arrays)
    return dataclasses.replace(warm, arrays=None)  # they hold the rejected placements


def _annealed(
    problem: Problem,
    ix: Index,
    starts: dict[str, list[int]],
    warm: _Warm,
    options: SolveOptions,
    t0: float,
) -> tuple[_Warm, bool]:
    """A cluster's first timetable after :func:`greedy.anneal`, for ``_ANNEAL_SHARE`` of
    the time left (at most ``_ANNEAL_S_PER_LESSON`` a lesson), CP-SAT going on for the
    rest -- or for all of it but the answer's reserve when CP-SAT would get less than
    ``_CP_SAT_S_PER_LESSON`` a lesson (then True: its model alone takes about 2 s of
    Python to build on a cluster, and its first seconds gain less than annealing's)."""
    n = len(problem.activities)
    left = options.time_limit - (time.perf_counter() - t0) - _ANSWER_S_PER_LESSON * n
    budget = min(_ANNEAL_SHARE * left, _ANNEAL_S_PER_LESSON * n)
    alone = left - budget < _CP_SAT_S_PER_LESSON * n
    if alone:
        budget = left
    return _polished(problem, ix, starts, warm, options, budget, anneal), alone


def _first_polish_s(options: SolveOptions, t0: float) -> float:
    """The first timetable's polish: ``_POLISH_SHARE`` of the time it took to find it (at
    least ``_POLISH_MIN_S``), at most what is left."""
    elapsed = time.perf_counter() - t0
    return min(max(_POLISH_MIN_S, _POLISH_SHARE * elapsed), options.time_limit - elapsed)


def _cost(evaluation: Evaluation, placements: Sequence[Placement], options: SolveOptions) -> float:
    """What the solver minimises: the soft cost plus the keep weight per moved lesson."""
    return evaluation.soft_cost + options.keep_weight * len(moved(options.keep, placements))


def _no_timetable(problem: Problem, options: SolveOptions, t0: float) -> Solution:
    """CP-SAT proved there is no timetable: say why (:mod:`explain`) if time is left."""
    from auyl.engines.timetabling.explain import explain

    left = options.time_limit - (time.perf_counter() - t0)
    conflicts = explain(problem, time_limit=left) if left >= _EXPLAIN_MIN_S else ()
    if not conflicts:
        conflicts = (Conflict("no_timetable", "No timetable meets all hard requirements"),)
    return Solution("infeasible", (), None, time.perf_counter() - t0, None, conflicts=conflicts)


class _Race(threading.Thread):
    """CP-SAT's first complete timetable on one worker, in a thread beside the greedy
    start (numba and CP-SAT both release the GIL, so on two cores both run at full
    speed), from ``_RACE_DELAY_S`` on: whichever finishes first is used, and the other is
    stopped. Schools the
    greedy finds hard (many lessons bound together, few starts each) are often easy for
    CP-SAT's propagation, and the other way round."""

    def __init__(self, problem: Problem, starts: dict[str, list[int]], options: SolveOptions,
                 t0: float) -> None:  # fmt: skip
        super().__init__(name="cp-sat-race", daemon=False)
        self.problem, self.starts, self.options, self.t0 = problem, starts, options, t0
        self.placements: tuple[Placement, ...] | None = None
        self.status: cp_model.CpSolverStatus = cp_model.UNKNOWN
        self._stopped = threading.Event()
        self._done = threading.Event()
        self._solver: cp_model.CpSolver | None = None
        self._lock = threading.Lock()

    def run(self) -> None:
        try:
            left = self.options.time_limit - (time.perf_counter() - self.t0)
            if self._stopped.wait(min(_RACE_DELAY_S, left)) or left <= _RACE_DELAY_S:
                return  # the greedy won before CP-SAT was due, or the time is up by then
            try:
                b = build_model(
                    self.problem, objective=False, starts=self.starts, stop=self._stopped.is_set
                )
            except BuildStopped:
                return
            left = self.options.time_limit - (time.perf_counter() - self.t0)
            solver = solver_for(dataclasses.replace(self.options, workers=1), left, True)
            with self._lock:
                if self._stopped.is_set():
                    return
                self._solver = solver
            self.status = solver.solve(b.m)
            if self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                self.placements = extract(b, solver)
        finally:
            self._done.set()

    def finished(self) -> bool:
        """True once CP-SAT has an answer (a timetable, or proof that none exists)."""
        return self._done.is_set() and self.status != cp_model.UNKNOWN

    def finish(self, *, keep_going: bool) -> None:
        """When ``keep_going`` (the greedy failed), wait for CP-SAT within the time limit;
        else stop it without waiting: a thread still building its model (Python, up to
        about 0.4 s on big schools) ends by itself before solving, and the answer does not
        wait. The thread is not a daemon: a process that ends at once waits the few
        milliseconds CP-SAT takes to stop (ending the interpreter while CP-SAT was still
        inside its search aborted the process)."""
        if keep_going:
            self.join()
            return
        with self._lock:
            self._stopped.set()
            solver = self._solver
        if solver is not None:
            stopper = threading.Thread(
                target=self._keep_stopping, args=(solver,), name="cp-sat-stop", daemon=True
            )
            stopper.start()

    def _keep_stopping(self, solver: cp_model.CpSolver) -> None:
        """Ask CP-SAT to stop until this thread is done: a stop asked for between handing
        over the solver and the start of its search is lost (OR-Tools keeps it only while
        a search runs), and CP-SAT would then run on to the time limit."""
        solver.stop_search()
        while not self._done.wait(0.01):
            solver.stop_search()


def _second_search(
    problem: Problem,
    starts: dict[str, list[int]],
    warm: _Warm,
    options: SolveOptions,
    t0: float,
    race: _Race,
) -> _Warm:
    """When the greedy gave up beside a racing CP-SAT (its fullest attempt far from
    complete, see ``_HOPELESS_SHARE``), its core runs a second CP-SAT search for the first
    timetable -- another seed, the greedy's placements as hints -- until either search
    answers (the race stops this one). On JMSS one CP-SAT worker took 14-37 s by seed,
    the greedy never finished."""
    try:
        b = build_model(problem, objective=False, starts=starts, stop=race.finished)
    except BuildStopped:
        return warm
    _hint(b, in_part_order(problem, warm.placements))
    left = options.time_limit - (time.perf_counter() - t0)
    second = dataclasses.replace(options, workers=1, seed=options.seed + 1)
    solver = solver_for(second, left, first_only=True)
    searching = threading.Event()
    threading.Thread(
        target=_stop_when, args=(race.finished, solver, searching), name="cp-sat-second-stop",
        daemon=True,
    ).start()  # fmt: skip
    try:
        status = solver.solve(b.m)
    finally:
        searching.set()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Warm(extract(b, solver), True, "timetable 1 found by CP-SAT")
    return warm


def _hopeless(warm: _Warm, starts: dict[str, list[int]]) -> bool:
    """An incomplete greedy timetable too far from complete to go on with the greedy."""
    return not warm.complete and len(warm.placements) < _HOPELESS_SHARE * len(starts)


def _stop_when(done: Callable[[], bool], solver: cp_model.CpSolver, over: threading.Event) -> None:
    """Once ``done()``, ask ``solver`` to stop until ``over`` is set (a stop asked for
    before its search starts is lost)."""
    while not over.wait(0.01):
        if done():
            solver.stop_search()


@dataclass(frozen=True, slots=True)
class _Warm:
    placements: tuple[Placement, ...]
    complete: bool  # every lesson placed and no hard violation (checked by evaluate)
    found_by: str = ""  # for the progress report: which step found it
    evaluation: Evaluation | None = None  # of ``placements``, once computed
    arrays: Arrays | None = None  # the greedy's, holding ``placements`` (for the polish)


def _warm_start(
    problem: Problem,
    ix: Index,
    starts: dict[str, list[int]],
    options: SolveOptions,
    t0: float,
    watcher: _Watcher,
    stop: Callable[[], bool] | None = None,
) -> _Warm:
    """A greedy timetable within a short budget, finished by :func:`_repair` when it
    leaves lessons out; a few cycles, the greedy search going on where it stopped, while
    less than ``_WARM_SHARE`` of the limit is spent -- or, racing CP-SAT (``stop``), until CP-SAT
    has answered or the time is up. Otherwise the fullest greedy attempt (CP-SAT's hint).
    When re-solving, the ``keep`` placements instead, if they make a clean timetable."""
    if options.keep:
        kept = _kept(problem, starts, options.keep)
        return kept if kept.complete else _mend_kept(problem, ix, starts, options, t0)
    budget = _greedy_budget(options, len(starts), racing=stop is not None)
    best = _Warm((), False)
    cycle = 0
    greedy_search = Search(ix, starts, options.seed)
    while _another_cycle(cycle, options, t0, stop):
        left = options.time_limit - (time.perf_counter() - t0)
        greedy = greedy_search.run(min(budget, left), stop=stop)
        placements, complete = greedy.placements, greedy.complete
        cycle += 1
        found = evaluate(problem, placements) if complete else None
        if found is not None and found.hard_violations == 0:
            how = "timetable 1 found by the greedy start"
            return _Warm(placements, True, how, found, greedy.arrays)
        warm = _repair(problem, ix, starts, _Warm(placements, False), options, t0, watcher)
        if warm.complete:
            return warm
        if len(placements) > len(best.placements):
            best = warm
        if stop is not None and _hopeless(best, starts):
            break  # far from a timetable: the core goes to a second CP-SAT search
    return best


def _greedy_budget(options: SolveOptions, lessons: int, racing: bool) -> float:
    """Seconds of one greedy cycle: a base plus a share per lesson, and -- unless a CP-SAT
    search races it on the other core, which the greedy's time takes nothing from -- at
    most ``_GREEDY_SHARE`` of the limit. Capped while racing, an optimising solve whose
    limit was twice the time of a first timetable found none (MAPS at 1.2 s, first 0.6 s:
    0 of 3 seeds; Shipena at 5.8 s, first 2.9 s: 2 of 3)."""
    budget = _GREEDY_BASE_S + _GREEDY_PER_LESSON_S * lessons
    return budget if racing else min(_GREEDY_SHARE * options.time_limit, budget)


def _kept(problem: Problem, starts: dict[str, list[int]], keep: Sequence[Placement]) -> _Warm:
    """The ``keep`` placements as a complete first timetable when they place every lesson
    at one of its starts and :func:`evaluate` finds no hard rule broken (nothing changed
    that forces a move, or the platform's second phase starting from its first); else
    nothing, and CP-SAT looks for a timetable with ``keep`` as its goal."""
    where = {p.activity: p for p in keep}
    if any(a.id not in where or where[a.id].start not in starts[a.id] for a in problem.activities):
        return _Warm((), False)
    placements = tuple(where[a.id] for a in problem.activities)
    found = evaluate(problem, placements)
    if found.hard_violations:
        return _Warm((), False)
    return _Warm(placements, True, "timetable 1: the current one", found)


def _mend_kept(
    problem: Problem,
    ix: Index,
    starts: dict[str, list[int]],
    options: SolveOptions,
    t0: float,
) -> _Warm:
    """Re-solve after a change broke the ``keep`` timetable: the lessons it left without a
    start (their slot closed, or new lessons) and every lesson of their teachers and groups
    are free, the rest stay; among the timetables of that neighbourhood CP-SAT looks for one
    that moves the fewest kept lessons (:func:`_solve_growing`). Nothing (the full model
    takes over with ``keep`` as its goal) when no ring works in time. Measured on a demo
    cluster of 2,026 lessons whose busiest teacher fell ill for a day: the full model took
    3.5-4 s to a first timetable (and 7.6 s more with the goals, in the platform's second
    phase); this, 0.3 s."""
    keep = {p.activity: p for p in options.keep}
    placed = {aid: keep[aid] for aid, allowed in starts.items()
              if aid in keep and keep[aid].start in allowed}  # fmt: skip
    displaced = set(starts) - set(placed)
    rng = random.Random(options.seed + len(displaced))
    found = _solve_growing(problem, ix, starts, placed, displaced, options, t0, rng, keep)
    if found is None:
        return _Warm((), False)
    placements, evaluation = found
    return _Warm(placements, True, "timetable 1: the current one, mended", evaluation)


def _another_cycle(
    cycle: int, options: SolveOptions, t0: float, stop: Callable[[], bool] | None
) -> bool:
    elapsed = time.perf_counter() - t0
    if stop is not None:  # the first cycle even when the limit is tiny: it is the answer
        return not stop() and (cycle == 0 or elapsed < options.time_limit - 0.05)
    return cycle == 0 or (cycle < _WARM_CYCLES and elapsed <= _WARM_SHARE * options.time_limit)


def _repair(
    problem: Problem,
    ix: Index,
    starts: dict[str, list[int]],
    warm: _Warm,
    options: SolveOptions,
    t0: float,
    watcher: _Watcher,
) -> _Warm:
    """Finish an incomplete greedy timetable by a small CP-SAT solve (large neighbourhood
    search): the unplaced lessons and every lesson of their teachers and groups are free,
    all other lessons stay where the greedy put them. When that neighbourhood has no
    timetable (or none is found quickly) it grows by the next ring of teachers and groups
    -- or, when that ring would free more than ``_REPAIR_MAX_SHARE`` of all lessons, by a
    random part of it -- a few times; then the caller tries again or the full model takes
    over with the greedy placements as hints."""
    placed = {p.activity: p for p in warm.placements}
    unplaced = {a.id for a in problem.activities if a.id not in placed}
    cap = _repair_cap(problem)
    if not unplaced or len(unplaced) > cap:
        return warm
    rng = random.Random(options.seed + len(unplaced))
    found = _solve_growing(problem, ix, starts, placed, unplaced, options, t0, rng)
    if found is None:
        return warm
    placements, evaluation = found
    return _Warm(placements, True, "timetable 1 found by the greedy start and a repair", evaluation)


def _solve_growing(
    problem: Problem,
    ix: Index,
    starts: dict[str, list[int]],
    placed: dict[str, Placement],
    moving: set[str],
    options: SolveOptions,
    t0: float,
    rng: random.Random,
    keep: Mapping[str, Placement] | None = None,
) -> tuple[tuple[Placement, ...], Evaluation] | None:
    """A clean complete timetable from :func:`_solve_neighbourhood`, the ``moving``
    lessons and every lesson of their teachers and groups free, growing that neighbourhood
    (:func:`_grow`) while it has none, up to ``_REPAIR_ROUNDS`` times, ``_REPAIR_MAX_SHARE``
    of the lessons and the time left: its placements and their evaluation, or None."""
    cap = _repair_cap(problem)
    core = _neighbourhood(ix, moving)
    for _ in range(_REPAIR_ROUNDS):
        left = options.time_limit - (time.perf_counter() - t0)
        budget = min(left * _REPAIR_TIME_SHARE, _REPAIR_BASE_S + _REPAIR_PER_FREE_S * len(core))
        if len(core) > cap or budget < 0.05:
            break
        found = _solve_neighbourhood(problem, starts, placed, core, options, budget, keep)
        if found is not None:
            evaluation = evaluate(problem, found)
            if evaluation.hard_violations == 0:
                return found, evaluation
        core = _grow(ix, core, cap, rng)
    return None


def _repair_cap(problem: Problem) -> int:
    """Most lessons a repair may free: ``_REPAIR_MAX_SHARE`` of them, at least
    ``_REPAIR_MIN_CAP``."""
    return max(_REPAIR_MIN_CAP, int(_REPAIR_MAX_SHARE * len(problem.activities)))


def _grow(ix: Index, core: set[str], cap: int, rng: random.Random) -> set[str]:
    """The next ring around ``core``, or ``core`` plus a random part of it up to ``cap``
    lessons."""
    ring = _neighbourhood(ix, core)
    if len(ring) <= cap or len(core) >= cap:
        return ring
    return core | set(rng.sample(sorted(ring - core), cap - len(core)))


def _neighbourhood(ix: Index, lessons: set[str]) -> set[str]:
    """``lessons`` and every lesson sharing a teacher or a group with one of them."""
    grown = set(lessons)
    for aid in lessons:
        a = ix.activity[aid]
        for tid in a.teachers:
            grown.update(ix.of_teacher.get(tid, ()))
        for gid in a.groups:
            grown.update(ix.of_group.get(gid, ()))
    return grown


def _solve_neighbourhood(
    problem: Problem,
    starts: dict[str, list[int]],
    placed: dict[str, Placement],
    free: set[str],
    options: SolveOptions,
    budget: float,
    keep: Mapping[str, Placement] | None = None,
) -> tuple[Placement, ...] | None:
    """A complete timetable in which only the ``free`` lessons may move, or None. With
    ``keep``, the one (best within ``budget``) moving the fewest of the free lessons from
    their start in ``keep``; otherwise the first found."""
    fixed_starts = {
        aid: (
            [placed[aid].start]
            if aid not in free and aid in placed and placed[aid].start in allowed
            else allowed
        )
        for aid, allowed in starts.items()
    }
    b = build_model(problem, objective=False, symmetry=False, starts=fixed_starts)
    _hint(b, [p for aid, p in placed.items() if aid in free])
    solver = solver_for(options, budget, first_only=True)
    if keep:
        stays = [b.x[aid][keep[aid].start] for aid in sorted(free)
                 if aid in keep and keep[aid].start in b.x.get(aid, {})]  # fmt: skip
        b.m.maximize(cp_model.LinearExpr.sum(stays))
        solver.parameters.stop_after_first_solution = False
    status = solver.solve(b.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return extract(b, solver)


def _record_first(watcher: _Watcher, options: SolveOptions, message: str) -> None:
    watcher.first = time.perf_counter() - watcher.t0
    watcher.count = 1
    if watcher.progress is not None:
        fraction = min(1.0, watcher.first / max(options.time_limit, 1e-9))
        watcher.progress(fraction, message)


def _hint(b: Build, placements: Sequence[Placement]) -> None:
    for p in placements:
        lit = b.x.get(p.activity, {}).get(p.start)
        if lit is not None:
            b.m.add_hint(lit, 1)


def _answer(
    problem: Problem,
    options: SolveOptions,
    t0: float,
    watcher: _Watcher,
    placements: tuple[Placement, ...],
    status: str,
    objective: float | None,
    evaluation: Evaluation | None = None,
) -> Solution:
    """The solution, with ``evaluation`` of ``placements`` when already computed."""
    evaluation = evaluation or evaluate(problem, placements)
    now = time.perf_counter() - t0
    return Solution(
        status,
        placements,
        evaluation,
        now,
        watcher.first if watcher.first is not None else now,
        moved=moved(options.keep, placements),
        objective=objective,
    )


def _first_phase(
    b: Build, options: SolveOptions, t0: float, watcher: _Watcher
) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    time_left = options.time_limit - (time.perf_counter() - t0)
    solver = solver_for(options, time_left, first_only=True)
    return solver.solve(b.m, watcher), solver


def _improve(
    b: Build,
    options: SolveOptions,
    t0: float,
    watcher: _Watcher,
    start_from: Sequence[Placement],
) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    """Optimise the soft costs from a complete timetable (given to CP-SAT as a hint,
    completed by :func:`_complete_hint`). ``b`` has no symmetry rule, or ``start_from`` is
    its own solution: either way the hint is feasible as it is.

    Two stages: CP-SAT's full portfolio for a short while (``_PROOF_SHARE``, at most
    ``_PROOF_MAX_S``: enough to prove a small school optimal), then, from the best
    timetable so far, neighbourhood search alone (``use_lns_only``) for the time left --
    several times the gain of the portfolio on big schools and clusters, whose complete
    search only slows the neighbourhoods down."""
    end = options.time_limit - _ANSWER_S_PER_LESSON * len(b.problem.activities)
    time_left = end - (time.perf_counter() - t0)
    solver = solver_for(options, max(0.05, time_left), first_only=False)
    if time_left < 0.1:
        return cp_model.UNKNOWN, solver
    hint_timetable(b, start_from)  # no symmetry rule in b here: any part order
    _complete_hint(b.m, time_left * _HINT_SHARE)
    time_left = end - (time.perf_counter() - t0)
    proof = min(_PROOF_MAX_S, _PROOF_SHARE * time_left)
    if options.workers < 2:  # one worker searching neighbourhoods alone searched none
        proof = time_left
    status = cp_model.UNKNOWN
    if proof > 0:
        solver.parameters.max_time_in_seconds = max(0.05, proof)
        status = solver.solve(b.m, watcher)
        time_left = end - (time.perf_counter() - t0)
        if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE) or time_left < 0.1:
            return status, solver
        if status == cp_model.FEASIBLE:
            _hint_values(b.m, solver.response_proto.solution)  # on from the best so far
    searching = solver_for(options, time_left, first_only=False)
    searching.parameters.use_lns_only = True
    better = searching.solve(b.m, watcher)
    if better in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return better, searching
    return status, solver


def hint_timetable(b: Build, placements: Sequence[Placement]) -> None:
    """Replace ``b``'s hint by ``placements``: every start and room literal hinted true or
    false (a lesson they leave out: all false)."""
    b.m.clear_hints()  # type: ignore[no-untyped-call]
    where = {p.activity: p for p in placements}
    for aid, xs in b.x.items():
        for s, lit in xs.items():
            b.m.add_hint(lit, aid in where and where[aid].start == s)
    for aid, rooms in b.room.items():
        for rid, lit in rooms.items():
            b.m.add_hint(lit, aid in where and where[aid].room == rid)


def _complete_hint(m: cp_model.CpModel, budget: float) -> None:
    """Give the goals' helper variables their values in ``m``'s hint (the lessons' starts
    and rooms): CP-SAT does not take up an incomplete hint of a big model as a timetable
    (a cluster of 2,026 lessons found nothing in 20 s from one) but takes up a complete one
    at once. The values come from a solve with every hinted variable fixed; when that
    finds nothing within ``budget``, the hint stays as it was."""
    fixed = cp_model.CpSolver()
    fixed.parameters.fix_variables_to_their_hinted_value = True
    fixed.parameters.max_time_in_seconds = max(0.05, budget)
    fixed.parameters.num_workers = 1
    fixed.parameters.symmetry_level = 0  # nothing to search: every start is fixed
    if fixed.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    _hint_values(m, fixed.response_proto.solution)


def _hint_values(m: cp_model.CpModel, values: Sequence[int]) -> None:
    """Replace ``m``'s hint by a value for every variable (a solution of ``m``)."""
    m.clear_hints()  # type: ignore[no-untyped-call]
    hint = m.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)


def in_part_order(problem: Problem, placements: Sequence[Placement]) -> list[Placement]:
    """``placements`` with the starts (and rooms) of interchangeable parts
    (:func:`~auyl.engines.timetabling.constraints.interchangeable_parts`) handed out again
    in the order of the parts, earliest first: the same timetable, told the way the model's
    symmetry rule (:func:`~auyl.engines.timetabling.constraints.add_split_symmetry`) asks.
    A hint against that rule is infeasible, and CP-SAT then finds nothing from it."""
    where = {p.activity: p for p in placements}
    for parts in rules.interchangeable_parts(problem):
        placed = [aid for aid in parts if aid in where]
        spots = sorted((where[aid].start, where[aid].room or "") for aid in placed)
        for aid, (start, room) in zip(placed, spots, strict=True):
            where[aid] = Placement(aid, start, room or None)
    return [where[p.activity] for p in placements]


def extract(b: Build, solver: cp_model.CpSolver) -> tuple[Placement, ...]:
    """The placements of a solved model, in the order of the problem's activities."""
    placements = []
    for a in b.problem.activities:
        start = next(s for s, lit in b.x[a.id].items() if solver.boolean_value(lit))
        room = next(
            (rid for rid, lit in b.room.get(a.id, {}).items() if solver.boolean_value(lit)), None
        )
        placements.append(Placement(a.id, start, room))
    return tuple(placements)


def moved(keep: Sequence[Placement], placements: Sequence[Placement]) -> tuple[str, ...]:
    """Kept activities whose start or room differs in ``placements``."""
    now = {p.activity: p for p in placements}
    out = []
    for p in keep:
        q = now.get(p.activity)
        if q is None:
            continue
        if q.start != p.start or (p.room is not None and q.room != p.room):
            out.append(p.activity)
    return tuple(out)
