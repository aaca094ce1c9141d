"""Tiny timetabling problems for the engine tests: a few lessons in a small week.

``week(days, periods)`` numbers slots ``day * periods + period``; ``lesson`` makes an
activity with sensible defaults; ``problem`` fills in the teachers, groups and resources
the lessons name (override any of them by passing your own).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auyl.engines.timetabling import (
    Activity,
    Constraint,
    Group,
    Placement,
    Problem,
    Resource,
    SoftWeights,
    Solution,
    SolveOptions,
    Teacher,
    Week,
    solve,
)

NO_GOALS = SoftWeights(0, 0, 0, 0, 0, 0)


def week(days: int = 1, periods: int = 4, breaks: Iterable[int] = ()) -> Week:
    return Week(
        tuple(f"Day{d + 1}" for d in range(days)),
        tuple(str(p + 1) for p in range(periods)),
        frozenset(breaks),
    )


def lesson(
    aid: str,
    teacher: str | Sequence[str] = "T",
    group: str | Sequence[str] = "G",
    subject: str = "",
    **kw: object,
) -> Activity:
    teachers = (teacher,) if isinstance(teacher, str) else tuple(teacher)
    groups = (group,) if isinstance(group, str) else tuple(group)
    return Activity(aid, subject or f"subject-{aid}", teachers, groups, **kw)  # type: ignore[arg-type]


def problem(
    activities: Sequence[Activity],
    wk: Week | None = None,
    *,
    teachers: Sequence[Teacher] = (),
    groups: Sequence[Group] = (),
    resources: Sequence[Resource] = (),
    constraints: Sequence[Constraint] = (),
    soft: SoftWeights = NO_GOALS,
) -> Problem:
    """A problem whose missing teachers, groups and resources are created plainly."""
    given_t = {t.id for t in teachers}
    given_g = {g.id for g in groups}
    given_r = {r.id for r in resources}
    more_t = sorted({t for a in activities for t in a.teachers} - given_t)
    more_g = sorted({g for a in activities for g in a.groups} - given_g)
    more_r = sorted({r for a in activities for r in (*a.resources, *a.room_choices)} - given_r)
    return Problem(
        "tiny",
        wk or week(),
        (*teachers, *(Teacher(t) for t in more_t)),
        (*groups, *(Group(g) for g in more_g)),
        (*resources, *(Resource(r) for r in more_r)),
        tuple(activities),
        tuple(constraints),
        soft=soft,
    )


def solved(p: Problem, **options: object) -> Solution:
    """Solve quickly (2 s, one worker, fixed seed) and return the solution."""
    opts: dict[str, object] = {"time_limit": 2.0, "workers": 1, "seed": 1}
    opts.update(options)
    return solve(p, SolveOptions(**opts))  # type: ignore[arg-type]


def starts(solution: Solution) -> dict[str, int]:
    return {pl.activity: pl.start for pl in solution.placements}


def at(**slots: int) -> tuple[Placement, ...]:
    """Placements written as ``at(a=0, b=3)``."""
    return tuple(Placement(aid, s) for aid, s in slots.items())
