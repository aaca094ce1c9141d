"""Writes of the timetable app: settings, lesson modes, curriculum hours, solver runs,
moving and locking lessons. Each write checks the user's right (``access``) and runs in a
transaction; settings keep an audit history.

A solve is a background job (:func:`run_start` -> ``tasks.run_timetable`` ->
:func:`run_compute`). Its result is stored as :class:`Lesson` rows of a new
:class:`TimetableRun`; the newest finished run of a hub is its current timetable. A
re-solve keeps the locked lessons where they are and as much of the current timetable as
possible, and records what moved.
"""

from __future__ import annotations

import dataclasses
import importlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from auyl.accounts.scoping import AnyUser
from auyl.core.history import delete_with_history, mark_change, save_with_history
from auyl.engines.timetabling.model import (
    HARD,
    Evaluation,
    Placement,
    Problem,
    Solution,
    SolveOptions,
    Violation,
)
from auyl.registry.models import ClassSet, Region, School, Subject
from auyl.timetable import access
from auyl.timetable.models import (
    CurriculumHours,
    Lesson,
    LessonGroup,
    LessonMode,
    TimetableRun,
    TimetableSettings,
)
from auyl.timetable.problem import Build, build_problem, cluster_data
from auyl.timetable.wording import issue_text, kind_text

Progress = Callable[[int, int, str], None]
DEFAULT_TIME_LIMIT = 120.0
#: re-solve: the cost of moving a lesson of the current timetable (soft costs are ~1 each)
KEEP_WEIGHT = 10.0
#: second phase of a fresh solve: the first timetable is only a starting hint
HINT_WEIGHT = 0.01
#: seconds kept back from a run's time limit, per lesson, for storing its lessons after the
#: solve (2,026 lessons of a demo cluster took 0.16-0.35 s): the run, not only the solver,
#: keeps to the limit the user set
STORE_S_PER_LESSON = 0.0003
#: loading the solver longer than this is numba compiling it (after an install), not
#: counted in a run's time limit
COMPILE_S = 5.0


# ---- settings ---------------------------------------------------------------------------


@transaction.atomic
def settings_save(*, school: School, data: Mapping[str, Any], by: AnyUser) -> TimetableSettings:
    """Create or change ``school``'s week and link capacity."""
    if not access.can_edit_settings(by, school):
        raise PermissionDenied(_("You may not change this school's timetable settings."))
    settings = TimetableSettings.objects.filter(school=school).first()
    settings = settings or TimetableSettings(school=school)
    for name in ("days", "periods_per_day", "break_periods", "max_daily_primary", "max_daily"):
        if name in data:
            setattr(settings, name, data[name])
    if "link_streams" in data:
        settings.link_streams = data["link_streams"]
    save_with_history(settings, by, "timetable settings")
    return settings


@transaction.atomic
def lesson_mode_save(
    *, class_set: ClassSet, subject: Subject, mode: str, by: AnyUser
) -> LessonMode | None:
    """Set how ``class_set`` takes ``subject``; an empty ``mode`` returns to the default."""
    if not access.can_edit_settings(by, class_set.school):
        raise PermissionDenied(_("You may not change this school's lesson modes."))
    current = LessonMode.objects.filter(class_set=class_set, subject=subject).first()
    if not mode:
        if current is not None:
            mark_change(current, by, "lesson mode back to default")
            current.delete()
        return None
    row = current or LessonMode(class_set=class_set, subject=subject)
    row.mode = mode
    save_with_history(row, by, "lesson mode")
    return row


def _ensure_can_edit_curriculum(by: AnyUser, region: Region | None, school: School | None) -> None:
    if school is not None:
        allowed = access.can_edit_settings(by, school)
    else:
        allowed = region is not None and access.can_edit_region_curriculum(by, region)
    if not allowed:
        raise PermissionDenied(_("You may not change these curriculum hours."))


def _hours_write(
    *,
    subject: Subject,
    grade: int,
    hours: int | None,
    by: AnyUser,
    school: School | None,
    region: Region | None,
) -> CurriculumHours | None:
    """Write one figure with its audit history; ``hours=None`` deletes it."""
    where = {"school": school} if school is not None else {"region": region}
    current = CurriculumHours.objects.filter(subject=subject, grade=grade, **where).first()
    if hours is None:
        if current is not None:
            delete_with_history(current, by, "curriculum hours back to the level above")
        return None
    row = current or CurriculumHours(subject=subject, grade=grade, **where)
    row.hours = hours
    save_with_history(row, by, "curriculum hours")
    return row


@transaction.atomic
def curriculum_hours_save(
    *,
    subject: Subject,
    grade: int,
    hours: int | None,
    by: AnyUser,
    school: School | None = None,
    region: Region | None = None,
) -> CurriculumHours | None:
    """Set the weekly hours of ``subject`` in ``grade`` for a school (or a whole region);
    ``hours=None`` returns to the region's figure (for the region: the default table)."""
    _ensure_can_edit_curriculum(by, region, school)
    return _hours_write(
        subject=subject, grade=grade, hours=hours, by=by, school=school, region=region
    )


@transaction.atomic
def curriculum_table_save(
    *,
    region: Region,
    changes: Mapping[tuple[str, int], int | None],
    by: AnyUser,
    school: School | None = None,
) -> int:
    """Write the changed figures of a curriculum table ((subject code, grade) -> hours, None
    for back to the level above) all at once, or none: the form has validated every cell
    and the week totals. Returns how many figures changed."""
    _ensure_can_edit_curriculum(by, region, school)
    subjects = Subject.objects.in_bulk([code for code, _grade in changes], field_name="code")
    for (code, grade), hours in sorted(changes.items()):
        _hours_write(
            subject=subjects[code], grade=grade, hours=hours, by=by, school=school, region=region
        )
    return len(changes)


# ---- solving ----------------------------------------------------------------------------


def current_run(hub: School) -> TimetableRun | None:
    """The hub's newest run that has a timetable."""
    return (
        TimetableRun.objects.filter(hub=hub, status=TimetableRun.Status.DONE)
        .order_by("-created_at", "-pk")
        .first()
    )


def run_start(
    *,
    hub: School,
    by: AnyUser,
    time_limit: float = DEFAULT_TIME_LIMIT,
    seed: int = 0,
    language: str | None = None,
) -> TimetableRun:
    """Start solving ``hub``'s cluster as a background job (a re-solve when a timetable
    exists: locked lessons stay, the rest moves as little as possible)."""
    from auyl.jobs.services import job_start
    from auyl.timetable.tasks import timetable_task

    if not access.can_solve(by, hub):
        raise PermissionDenied(_("You may not build this cluster's timetable."))
    previous = current_run(hub)
    run = TimetableRun.objects.create(
        hub=hub,
        created_by=_actor(by),
        params={
            "time_limit": time_limit,
            "seed": seed,
            "previous": previous.pk if previous else None,
        },
    )
    job = job_start(
        kind=TimetableRun.JOB_KIND,
        by=by,
        params={"run": run.pk, "language": language},
        task=timetable_task,
    )
    TimetableRun.objects.filter(pk=run.pk).update(job=job)
    run.refresh_from_db()
    return run


def _actor(by: AnyUser) -> Any:
    """The user to record as author (None for an anonymous caller, e.g. a script)."""
    return by if by.is_authenticated else None


def locked_problem(build: Build, locked: Mapping[str, int]) -> Problem:
    """``build``'s problem with the lessons ``locked`` (activity -> slot) fixed in place."""
    activities = tuple(
        dataclasses.replace(a, fixed_start=locked[a.id]) if a.id in locked else a
        for a in build.problem.activities
    )
    return dataclasses.replace(build.problem, activities=activities)


def run_placements(run: TimetableRun, problem: Problem) -> tuple[Placement, ...]:
    """The placements of ``run``'s lessons that are activities of ``problem``."""
    known = {a.id for a in problem.activities}
    week = problem.week
    return tuple(
        Placement(activity, week.slot(day, period))
        for activity, day, period in run.lessons.values_list("activity", "day", "period")
        if activity in known and day < week.n_days and period < week.periods_per_day
    )


def run_compute(*, run: TimetableRun, progress: Progress | None = None) -> dict[str, Any]:
    """Build the cluster's problem, solve it and store the lessons (or why not)."""
    from auyl.engines.timetabling.validate import check

    report = progress or (lambda done, total, message: None)
    started = time.perf_counter()
    report(0, 100, _("Reading the cluster"))
    build = build_problem(cluster_data(run.hub))
    previous = TimetableRun.objects.filter(pk=run.params.get("previous") or 0).first()
    locked = _locked_slots(previous, build.problem) if previous else {}
    problem = locked_problem(build, locked)
    result: dict[str, Any] = {
        "issues": [_issue_row(i) for i in build.issues],
        "sizes": problem_sizes(problem, build),
        "week": {"days": problem.week.n_days, "periods": problem.week.periods_per_day},
    }
    if build.errors:
        return _finish(run, TimetableRun.Status.INVALID, result, started)
    findings = check(problem)
    if findings:
        result["conflicts"] = [_conflict_row(c.kind, c.detail) for c in findings]
        return _finish(run, TimetableRun.Status.INVALID, result, started)
    report(5, 100, _("Looking for a timetable that keeps every rule"))

    def on_stage(fraction: float, message: str) -> None:
        report(int(100 * fraction), 100, message)

    current = run_placements(previous, problem) if previous is not None else ()
    counted_from = started + load_solver_uncounted()  # the run's own time stays honest
    solution = solve_in_two_phases(
        problem,
        current,
        time_limit=solver_time_limit(run, problem, counted_from),
        seed=int(run.params.get("seed", 0)),
        stage=on_stage,
    )
    return store_solution(run, build, problem, solution, result, started)


def load_solver_uncounted() -> float:
    """Import the solver and load its compiled greedy (0.4-0.7 s, once per process) before
    the run's time limit is shared out, so that the run keeps to it: the first cluster of
    a process took 10.52 s of a 10 s limit when this came inside the solve. Returns the
    seconds the run's limit should not count: none, unless this was numba compiling the
    greedy after an install (a minute or more), which is not the user's time."""
    from auyl.engines.timetabling import warm_up

    began = time.perf_counter()
    importlib.import_module("auyl.engines.timetabling.solver")  # OR-Tools' import, the cost
    warm_up()
    spent = time.perf_counter() - began
    return spent if spent > COMPILE_S else 0.0


def solver_time_limit(run: TimetableRun, problem: Problem, started: float) -> float:
    """The solver's share of ``run``'s time limit: what is left after reading the cluster
    (since ``started``), less the time kept back for storing its lessons."""
    limit = float(run.params.get("time_limit", DEFAULT_TIME_LIMIT))
    spent = time.perf_counter() - started
    return max(0.1, limit - spent - STORE_S_PER_LESSON * len(problem.activities))


def solve_in_two_phases(
    problem: Problem,
    current: tuple[Placement, ...],
    *,
    time_limit: float,
    seed: int,
    stage: Callable[[float, str], None] | None = None,
) -> Solution:
    """A timetable within ``time_limit`` seconds: first any timetable that keeps every hard
    rule (the soft goals off: much faster on a whole cluster), then, in the time left, a
    better one starting from it. With ``current`` placements (a re-solve) the first phase
    starts from them, and the second moves as few of them as it can.

    ``stage(fraction, message)`` is called between the phases, in the calling thread (the
    engine's own progress comes from CP-SAT's threads, where a job must not write)."""
    from auyl.engines.timetabling import resolve, solve

    started = time.perf_counter()
    first = solve(
        problem,
        SolveOptions(
            time_limit=time_limit,
            seed=seed,
            first_solution_only=True,
            keep=current,
        ),
    )
    left = time_limit - (time.perf_counter() - started)
    if not first.feasible or left < 1.0:
        return _with_moved(first, current)
    start_from = current or first.placements
    if stage is not None:
        stage(0.5, _("Timetable found; improving it (gaps, spread, hard subjects)"))
    better = resolve(
        problem,
        start_from,
        SolveOptions(
            time_limit=left,
            seed=seed,
            keep_weight=KEEP_WEIGHT if current else HINT_WEIGHT,
        ),
    )
    if not better.feasible or better.evaluation is None or first.evaluation is None:
        return _with_moved(first, current)
    if better.evaluation.hard_violations > first.evaluation.hard_violations:
        return _with_moved(first, current)
    return _with_moved(
        dataclasses.replace(better, seconds=time.perf_counter() - started), current, first
    )


def _with_moved(
    solution: Solution, current: tuple[Placement, ...], first: Solution | None = None
) -> Solution:
    """``solution`` with the lessons of ``current`` it moved, and the time to the first
    complete timetable (that of the first phase)."""
    from auyl.engines.timetabling.solver import moved

    first = first or solution
    return dataclasses.replace(
        solution,
        moved=moved(current, solution.placements),
        first_solution_seconds=first.seconds if first.feasible else None,
    )


def store_solution(
    run: TimetableRun,
    build: Build,
    problem: Problem,
    solution: Solution,
    result: dict[str, Any],
    started: float,
) -> dict[str, Any]:
    """Write a solver's answer to ``run``: its lessons, or its conflicts in words."""
    result["solver_seconds"] = round(solution.seconds, 2)
    if solution.first_solution_seconds is not None:
        result["first_solution_seconds"] = round(solution.first_solution_seconds, 2)
    if not solution.feasible:
        result["conflicts"] = [_conflict_row(c.kind, c.detail) for c in solution.conflicts] or [
            _conflict_row("timeout", "")
        ]
        status = (
            TimetableRun.Status.INFEASIBLE
            if solution.status == "infeasible"
            else TimetableRun.Status.TIMEOUT
        )
        return _finish(run, status, result, started)
    result["evaluation"] = _evaluation_row(solution.evaluation)
    labels = {a.id: a.label or a.id for a in problem.activities}
    result["moved"] = [labels.get(a, a) for a in solution.moved]
    locked = {a.id for a in problem.activities if a.fixed_start is not None}
    with transaction.atomic():
        _store_lessons(run, build, problem, solution.placements, locked)
        return _finish(run, TimetableRun.Status.DONE, result, started)


def _locked_slots(previous: TimetableRun, problem: Problem) -> dict[str, int]:
    known = {a.id for a in problem.activities}
    week = problem.week
    return {
        activity: week.slot(day, period)
        for activity, day, period in previous.lessons.filter(locked=True).values_list(
            "activity", "day", "period"
        )
        if activity in known and day < week.n_days and period < week.periods_per_day
    }


def _store_lessons(
    run: TimetableRun,
    build: Build,
    problem: Problem,
    placements: Iterable[Placement],
    locked: set[str],
) -> None:
    codes = {spec.school for spec in build.lessons.values()} | {
        g.school for spec in build.lessons.values() for g in spec.groups
    }
    school_pk = dict(School.objects.filter(code__in=codes).values_list("code", "pk"))
    subject_pk = dict(Subject.objects.values_list("code", "pk"))
    week = problem.week
    lessons = []
    for p in placements:
        spec = build.lessons.get(p.activity)
        if spec is None:
            continue
        lessons.append(
            Lesson(
                run=run,
                activity=spec.activity,
                school_id=school_pk[spec.school],
                subject_id=subject_pk[spec.subject],
                teacher_id=spec.teacher,
                day=week.day_of(p.start),
                period=week.period_of(p.start),
                mode=spec.mode,
                broadcast=spec.broadcast,
                locked=spec.activity in locked,
                label=spec.label[:200],
            )
        )
    Lesson.objects.bulk_create(lessons, batch_size=500)
    pk_of = dict(run.lessons.values_list("activity", "pk"))
    LessonGroup.objects.bulk_create(
        (
            LessonGroup(
                lesson_id=pk_of[lesson.activity],
                school_id=school_pk[g.school],
                class_set_id=g.class_set,
                grade=g.grade,
                section=g.section,
            )
            for lesson in lessons
            for g in build.lessons[lesson.activity].groups
        ),
        batch_size=1000,
    )


def _finish(
    run: TimetableRun, status: str, result: dict[str, Any], started: float
) -> dict[str, Any]:
    run.status = status
    run.result = result
    run.seconds = round(time.perf_counter() - started, 2)
    run.save(update_fields=["status", "result", "seconds"])
    return {"run": run.pk, "status": status, "seconds": run.seconds}


def run_mark_failed(run_id: int) -> None:
    TimetableRun.objects.filter(pk=run_id).update(status=TimetableRun.Status.FAILED)


def problem_sizes(problem: Problem, build: Build) -> dict[str, int]:
    return {
        "schools": len({g.site for g in problem.groups}),
        "activities": len(problem.activities),
        "broadcasts": sum(1 for a in problem.activities if a.broadcast),
        "groups": len(problem.groups),
        "teachers": len(problem.teachers),
        "slots": problem.week.n_slots,
        "warnings": sum(1 for i in build.issues if i.severity == "warning"),
    }


def _issue_row(issue: Any) -> dict[str, Any]:
    return {"code": issue.code, "severity": issue.severity, "params": dict(issue.params)}


def _conflict_row(kind: str, detail: str) -> dict[str, str]:
    return {"kind": kind, "detail": detail}


def _evaluation_row(evaluation: Evaluation | None) -> dict[str, Any]:
    if evaluation is None:
        return {}
    return {
        "hard": evaluation.hard_violations,
        "soft": round(evaluation.soft_cost, 2),
        "by_kind": {k: round(v, 2) for k, v in evaluation.soft_by_kind.items()},
    }


def issue_sentences(result: Mapping[str, Any], severity: str) -> list[str]:
    """The run's issues of one severity, as sentences in the active language."""
    return [
        issue_text(i["code"], i["params"])
        for i in result.get("issues", [])
        if i["severity"] == severity
    ]


def conflict_sentences(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(sentence, engine detail) of each conflict of a run."""
    return [(kind_text(c["kind"]), c["detail"]) for c in result.get("conflicts", [])]


# ---- moving and locking -----------------------------------------------------------------


@dataclass(frozen=True)
class MoveCheck:
    """What moving a lesson would break: nothing (``ok``) or sentences."""

    ok: bool
    problems: tuple[tuple[str, str], ...]  # (sentence, engine detail)


def _cluster_problem(run: TimetableRun) -> tuple[Build, Problem]:
    build = build_problem(cluster_data(run.hub))
    return build, build.problem


def lesson_move_check(*, lesson: Lesson, day: int, period: int) -> MoveCheck:
    """Would ``lesson`` at (day, period) break a hard rule that the current timetable keeps?
    The engine's :func:`evaluate` judges the whole timetable before and after the move."""
    from auyl.engines.timetabling.evaluate import evaluate

    run = lesson.run
    _build, problem = _cluster_problem(run)
    week = problem.week
    if not (0 <= day < week.n_days and 0 <= period < week.periods_per_day):
        return MoveCheck(False, ((_("That period is not in the week."), ""),))
    before = run_placements(run, problem)
    if lesson.activity not in {p.activity for p in before}:
        return MoveCheck(
            False, ((_("This lesson is no longer in the cluster's data; solve again."), ""),)
        )
    target = week.slot(day, period)
    after = tuple(
        dataclasses.replace(p, start=target) if p.activity == lesson.activity else p for p in before
    )
    new = _new_hard(evaluate(problem, before).violations, evaluate(problem, after).violations)
    return MoveCheck(not new, tuple((kind_text(v.kind), v.detail) for v in new))


def _new_hard(before: Iterable[Violation], after: Iterable[Violation]) -> list[Violation]:
    """Hard violations of ``after`` that ``before`` did not have (by kind and detail)."""
    seen: dict[tuple[str, str], int] = {}
    for v in before:
        if _is_hard(v):
            seen[(v.kind, v.detail)] = seen.get((v.kind, v.detail), 0) + 1
    out = []
    for v in after:
        if not _is_hard(v):
            continue
        key = (v.kind, v.detail)
        if seen.get(key, 0) > 0:
            seen[key] -= 1
        else:
            out.append(v)
    return out


def _is_hard(v: Violation) -> bool:
    """A hard rule broken (soft ones, even of weight 100, carry a cost)."""
    return v.weight >= HARD and v.cost == 0


@transaction.atomic
def lesson_move(*, lesson: Lesson, day: int, period: int, by: AnyUser) -> MoveCheck:
    """Move ``lesson`` and lock it there, unless the move breaks a hard rule."""
    if not access.can_edit_lessons(by, lesson.run.hub):
        raise PermissionDenied(_("You may not change this timetable."))
    verdict = lesson_move_check(lesson=lesson, day=day, period=period)
    if not verdict.ok:
        return verdict
    lesson.day, lesson.period, lesson.locked = day, period, True
    mark_change(lesson, by, "lesson moved")
    lesson.save(update_fields=["day", "period", "locked"])
    return verdict


@transaction.atomic
def lesson_lock(*, lesson: Lesson, locked: bool, by: AnyUser) -> Lesson:
    """Lock a lesson in its period (a re-solve keeps it there) or unlock it."""
    if not access.can_edit_lessons(by, lesson.run.hub):
        raise PermissionDenied(_("You may not change this timetable."))
    lesson.locked = locked
    mark_change(lesson, by, "lesson locked" if locked else "lesson unlocked")
    lesson.save(update_fields=["locked"])
    return lesson


def validate_slot(day: Any, period: Any) -> tuple[int, int]:
    """Parse a (day, period) pair from a form (0-based), or raise ValidationError."""
    try:
        return int(day), int(period)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Choose a day and a period.")) from error


def run_solution(run: TimetableRun) -> tuple[Problem, Solution]:
    """The cluster's problem rebuilt from the registry and ``run``'s lessons as a solution
    (for the engine's exporters)."""
    _build, problem = _cluster_problem(run)
    placements = run_placements(run, problem)
    return problem, Solution("feasible", placements, None, run.seconds, None)
