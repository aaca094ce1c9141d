"""``auyl timetable solve --fet FILE``: solve a FET file with the CP-SAT engine.

Prints exactly one JSON line on stdout::

    {"feasible": true, "status": "feasible", "placed": 412, "activities": 412,
     "hard_violations": 0, "soft_cost": 3.9, "soft_by_kind": {...},
     "unsupported": [{"kind": "ConstraintTwoActivitiesConsecutive", "count": 4}],
     "seconds": 2.4, "first_solution_seconds": 1.1, "read_seconds": 0.05,
     "conflicts": [], "files": ["out/school.fet", "out/school.csv", "out/school.ics"]}

``seconds`` is the solver's time (reading the file is ``read_seconds``). With ``--out DIR``
the timetable is written as ``DIR/<name>.fet`` (the input plus locked times and rooms, for
FET), ``.csv`` and ``.ics``. Exit code: 0 a timetable was found, 1 none was found (the JSON
line says why), 2 the file or the output directory could not be used (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auyl.engines.timetabling.model import Problem, Solution

# The solver, OR-Tools and the exporters are imported when a command runs: ``auyl``
# builds every subcommand's parser, and this module is imported for all of them.

PROG = "auyl timetable solve"


def add_solve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fet", required=True, help="a FET .fet file (or .fet.gz)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    parser.add_argument("--out", help="write the timetable (.fet, CSV, iCalendar) here")
    parser.add_argument("--strict", action="store_true", help="refuse unsupported constraints")
    parser.add_argument("--first", action="store_true", help="stop at the first complete timetable")


def solve_command(args: argparse.Namespace) -> int:
    """Read, solve, print one JSON line, write the files; see the module docstring."""
    from auyl.engines.timetabling.fet import FetError, read_fet
    from auyl.engines.timetabling.model import SolveOptions
    from auyl.engines.timetabling.solver import solve

    started = time.perf_counter()
    try:
        problem = read_fet(args.fet, strict=args.strict)
    except FetError as error:
        print(f"{PROG}: {args.fet}: {error}", file=sys.stderr)
        return 2
    read_seconds = time.perf_counter() - started
    options = SolveOptions(
        time_limit=args.time_limit,
        seed=args.seed,
        workers=args.workers,
        first_solution_only=args.first,
    )
    solution = solve(problem, options)
    result = summary(problem, solution)
    result["read_seconds"] = round(read_seconds, 3)
    if args.out and solution.placements:
        try:
            result["files"] = write_outputs(Path(args.out), Path(args.fet), problem, solution)
        except OSError as error:
            print(f"{PROG}: cannot write to {args.out}: {error.strerror or error}", file=sys.stderr)
            return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0 if solution.feasible else 1


def summary(problem: Problem, solution: Solution) -> dict[str, Any]:
    """The JSON line's content (hard violations and costs counted by ``evaluate``)."""
    from auyl.engines.timetabling.evaluate import evaluate

    evaluation = solution.evaluation
    if evaluation is None and solution.placements:
        evaluation = evaluate(problem, solution.placements)
    return {
        "feasible": solution.feasible,
        "status": solution.status,
        "placed": len(solution.placements),
        "activities": len(problem.activities),
        "hard_violations": evaluation.hard_violations if evaluation else None,
        "soft_cost": round(evaluation.soft_cost, 4) if evaluation else None,
        "soft_by_kind": (
            {k: round(v, 4) for k, v in sorted(evaluation.soft_by_kind.items())}
            if evaluation
            else {}
        ),
        "unsupported": [{"kind": u.kind, "count": u.count} for u in problem.unsupported],
        "seconds": round(solution.seconds, 3),
        "first_solution_seconds": (
            None
            if solution.first_solution_seconds is None
            else round(solution.first_solution_seconds, 3)
        ),
        "conflicts": [c.detail for c in solution.conflicts],
    }


def write_outputs(out: Path, source: Path, problem: Problem, solution: Solution) -> list[str]:
    """Write ``<name>.fet``, ``.csv`` and (for weeks of up to 7 days) ``.ics`` into ``out``."""
    from auyl.engines.timetabling.export import to_csv, to_ical, write_fet

    out.mkdir(parents=True, exist_ok=True)
    written = []
    fet_file = out / f"{problem.name}.fet"
    fet_file.write_bytes(write_fet(problem, solution, source.read_bytes()))
    written.append(fet_file)
    csv_file = out / f"{problem.name}.csv"
    csv_file.write_text(to_csv(problem, solution), encoding="utf-8")
    written.append(csv_file)
    if problem.week.n_days <= 7:
        ics_file = out / f"{problem.name}.ics"
        ics_file.write_bytes(to_ical(problem, solution, first_monday=next_monday(date.today())))
        written.append(ics_file)
    return [str(path) for path in written]


def next_monday(today: date) -> date:
    """The Monday on or after ``today`` (the calendar's first week)."""
    return today + timedelta(days=(7 - today.weekday()) % 7)
