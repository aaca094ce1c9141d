"""The timetabling engine: a cluster of schools (or one FET school) as plain data in,
a timetable out, on OR-Tools CP-SAT. No Django. See ``docs/engines/timetabling.md``.

* :func:`validate` -- bad input in plain words (raises nothing); :class:`ProblemError`;
* :func:`solve` -- a timetable within a time limit (seed, workers, first-solution mode,
  progress, kept placements);
* :func:`evaluate` -- an independent count of hard violations and soft costs (FET weights);
* :func:`explain` -- the smallest set of conflicting requirements when none exists;
* :func:`resolve` -- re-solve after a change, moving as little as possible.

The solver functions (which import OR-Tools, and with it pandas) are imported on first
use, so that ``auyl --help`` and ``auyl timetable solve`` start quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from auyl.engines.timetabling.evaluate import evaluate
from auyl.engines.timetabling.model import (
    HARD,
    Activity,
    Conflict,
    Constraint,
    Evaluation,
    Group,
    LessonMode,
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
    Solution,
    SolveOptions,
    Teacher,
    Unsupported,
    Violation,
    Week,
)
from auyl.engines.timetabling.validate import ProblemError, check, ensure_valid, validate

if TYPE_CHECKING:
    from auyl.engines.timetabling.explain import explain as explain
    from auyl.engines.timetabling.greedy import warm_up as warm_up
    from auyl.engines.timetabling.resolve import resolve as resolve
    from auyl.engines.timetabling.solver import build_model as build_model
    from auyl.engines.timetabling.solver import model_size as model_size
    from auyl.engines.timetabling.solver import solve as solve

_LAZY = {
    "explain": "auyl.engines.timetabling.explain",
    "resolve": "auyl.engines.timetabling.resolve",
    "build_model": "auyl.engines.timetabling.solver",
    "model_size": "auyl.engines.timetabling.solver",
    "solve": "auyl.engines.timetabling.solver",
    "warm_up": "auyl.engines.timetabling.greedy",
}


def __getattr__(name: str) -> Any:
    """Import a solver function the first time it is asked for (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "HARD",
    "Activity",
    "Conflict",
    "Constraint",
    "Evaluation",
    "Group",
    "LessonMode",
    "MaxDaysPerWeek",
    "MaxGaps",
    "MaxHoursDaily",
    "MinDaysBetween",
    "Placement",
    "PreferredStarts",
    "Problem",
    "ProblemError",
    "Resource",
    "SameStart",
    "SoftWeights",
    "Solution",
    "SolveOptions",
    "Teacher",
    "Unsupported",
    "Violation",
    "Week",
    "build_model",
    "check",
    "ensure_valid",
    "evaluate",
    "explain",
    "model_size",
    "resolve",
    "solve",
    "validate",
    "warm_up",
]
