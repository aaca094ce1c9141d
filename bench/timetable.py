"""Benchmark: Auyl's CP-SAT timetabler against FET's ``fet-cl``, side by side in one run.

    .venv/bin/python bench/timetable.py [--quick] [--time-limit S] [--only NAME ...]
                                        [--no-fet] [--no-clusters] [--seed N]

Instances:

* the FET example schools listed in ``bench/timetable/instances.txt`` (Debian's fet-data,
  4 to 1,596 activities, only constraints Auyl supports);
* generated Aktobe-like clusters (:func:`aktobe_cluster`): a hub school (grades 1-11) and
  3, 7 or 11 small magnet schools (grades 1-9) with combined class-sets, teachers shared
  by two magnets, and broadcast lessons (a hub teacher teaching one grade of every magnet
  at once). FET has no cluster model, so a cluster is written as one FET "school"
  (:func:`auyl.engines.timetabling.export.write_fet`): every grade of every school is a
  students set, a broadcast is one activity with the grades of all magnets, a shared
  teacher simply teaches at two schools. Internet-link capacity and travel time between
  schools are *not* in the file (FET cannot express them), so neither solver sees them.

Per instance and solver: the time to the first complete timetable, its hard violations and
its soft cost, both counted by :func:`auyl.engines.timetabling.evaluate.evaluate` on the
timetable each solver produced (fet-cl's is read back from its
``*_data_and_timetable.fet``). Auyl runs in this process with ``first_solution_only``
(``SolveOptions``), so the time includes checking and building the model but not Python's
start-up; fet-cl runs as a process and its start-up (fet-cl on a 5-activity file) is
measured once and subtracted. Both start-ups are reported apart. Auyl's command-line
start-up (``auyl timetable solve`` on the same tiny file) is reported too.

Two more soft costs of Auyl's, each from an optimising solve of its own (the soft goals on,
the first timetable improved in the time left): *after S s* (``--optimize``, default 10)
and *in fet-cl's time*, given the seconds fet-cl took to its timetable (at least twice
Auyl's own time to its first): what a user gets from each solver in about the same time.

Writes ``bench/results/timetable.json`` (``timetable-quick.json`` with ``--quick``) and
``bench/results/timetable.md``, and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from auyl.engines.timetabling.evaluate import evaluate  # noqa: E402
from auyl.engines.timetabling.export import fet_export_gaps, write_fet  # noqa: E402
from auyl.engines.timetabling.fet import read_fet, read_fet_timetable  # noqa: E402
from auyl.engines.timetabling.model import (  # noqa: E402
    HARD,
    Activity,
    Constraint,
    Group,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    Problem,
    SolveOptions,
    Teacher,
    Week,
)
from auyl.engines.timetabling.solver import solve  # noqa: E402

EXAMPLES = Path("/usr/share/doc/fet-data/examples")
INSTANCES = ROOT / "bench" / "timetable" / "instances.txt"
RESULTS = ROOT / "bench" / "results"
TINY = ROOT / "tests" / "data" / "fet" / "school.fet"
FET_CL = "/usr/bin/fet-cl"
QUICK = (
    "small-school",
    "ACHILES-MANHA",
    "Hopwood",
    "primaria",
    "FGPS",
    "Brazil",
    "EEBLJ-Diurno",
    "cluster-hub+3",
)
CLUSTER_SIZES = (3, 7, 11)


# ---- generated Aktobe-like clusters ------------------------------------------------------
# Weekly hours are an APPROXIMATION made for the benchmark, not the national curriculum
# (MoES order No. 500 as amended by No. 27 of 8 Feb 2024 was not obtained; see facts.md).

PRIMARY_HOURS = {"Kazakh": 5, "Math": 4, "Russian": 2, "Science": 2, "Art": 1, "Music": 1, "PE": 3}
BASIC_HOURS = {
    "Kazakh": 3,
    "Literature": 2,
    "Russian": 2,
    "English": 3,
    "Math": 5,
    "History": 2,
    "Biology": 2,
    "Geography": 1,
    "Physics": 2,
    "Informatics": 1,
    "PE": 3,
}
#: taught jointly to the whole class-set (one lesson for all its grades)
JOINT = {"PE", "Art", "Music", "History", "Geography"}
#: magnets have no qualified teacher: a hub teacher broadcasts to that grade of every magnet
BROADCAST = {"English", "Physics"}
#: subjects one magnet teacher covers together
MAGNET_TEACHER_OF = {
    "Kazakh": "language",
    "Literature": "language",
    "Russian": "russian",
    "Math": "math",
    "Informatics": "math",
    "Biology": "science",
    "Geography": "science",
    "History": "history",
    "PE": "pe",
}
MAX_LOAD = 24


def basic_hours(grade: int) -> dict[str, int]:
    """Basic-school subjects by grade: physics from grade 7."""
    return {s: h for s, h in BASIC_HOURS.items() if s != "Physics" or grade >= 7}


def primary_hours(grade: int) -> dict[str, int]:
    return dict(PRIMARY_HOURS)


@dataclass
class _Builder:
    """Accumulates a cluster's teachers, groups and activities."""

    rng: random.Random
    teachers: dict[str, int]  # id -> weekly load so far
    groups: list[Group]
    activities: list[Activity]
    constraints: list[Constraint]

    def teacher(self, key: str, hours: int) -> str:
        """A teacher of ``key`` with room for ``hours`` more periods (a new one if none)."""
        n = 1
        while self.teachers.get(f"{key}-{n}", 0) + hours > MAX_LOAD:
            n += 1
        tid = f"{key}-{n}"
        self.teachers[tid] = self.teachers.get(tid, 0) + hours
        return tid

    def lessons(self, subject: str, teacher: str, groups: tuple[str, ...], hours: int) -> None:
        """``hours`` single-period lessons of one weekly subject, spread >= 1 day apart."""
        split = f"{subject}:{'+'.join(groups)}"
        ids = []
        for k in range(hours):
            aid = f"{split}:{k + 1}"
            ids.append(aid)
            self.activities.append(
                Activity(aid, subject, (teacher,), groups, split_of=split if hours > 1 else "")
            )
        if len(ids) > 1:
            self.constraints.append(
                MinDaysBetween(tuple(ids), 1, weight=95, consecutive_if_same_day=True)
            )


def _class_sets(rng: random.Random) -> list[tuple[int, ...]]:
    """How a magnet combines its grades (an assumption: pairs, grade 9 alone)."""
    primary = rng.choice([[(1, 3), (2, 4)], [(1, 2), (3, 4)]])
    basic = rng.choice([[(5, 6), (7, 8), (9,)], [(5, 7), (6, 8), (9,)]])
    return primary + basic


def aktobe_cluster(magnets: int, seed: int = 0) -> Problem:
    """A hub (grades 1-11, one class each) and ``magnets`` small schools (grades 1-9)."""
    rng = random.Random(seed)
    b = _Builder(rng, {}, [], [], [])
    for grade in range(1, 12):
        gid = f"H-{grade}"
        b.groups.append(Group(gid, f"Hub grade {grade}", no_gaps=grade <= 4, site="H"))
        hours = primary_hours(grade) if grade <= 4 else basic_hours(grade)
        for subject, h in hours.items():
            b.lessons(subject, b.teacher(f"H-{subject}", h), (gid,), h)
    for m in range(1, magnets + 1):
        site = f"M{m}"
        shared_pe = f"M{m - 1 if m % 2 == 0 else m}"  # magnets 1+2, 3+4, ... share PE
        for class_set in _class_sets(rng):
            gids = tuple(f"{site}-{g}" for g in class_set)
            for g, gid in zip(class_set, gids, strict=True):
                b.groups.append(Group(gid, f"{site} grade {g}", no_gaps=g <= 4, site=site))
            if class_set[0] <= 4:
                for subject, h in PRIMARY_HOURS.items():
                    key = f"{shared_pe}-pe" if subject == "PE" else f"{site}-class{class_set[0]}"
                    b.lessons(subject, b.teacher(key, h), gids, h)
                continue
            for subject in BASIC_HOURS:
                if subject in BROADCAST:
                    continue
                key = (
                    f"{shared_pe}-pe" if subject == "PE" else f"{site}-{MAGNET_TEACHER_OF[subject]}"
                )
                if subject in JOINT:
                    h = BASIC_HOURS[subject]
                    b.lessons(subject, b.teacher(key, h), gids, h)
                    continue
                for g, gid in zip(class_set, gids, strict=True):
                    h = basic_hours(g).get(subject, 0)
                    if h:
                        b.lessons(subject, b.teacher(key, h), (gid,), h)
    for subject in sorted(BROADCAST):
        for grade in range(5, 10):
            h = basic_hours(grade).get(subject, 0)
            if h:
                gids = tuple(f"M{m}-{grade}" for m in range(1, magnets + 1))
                b.lessons(subject, b.teacher(f"H-{subject}", h), gids, h)
    primary = tuple(g.id for g in b.groups if g.no_gaps)
    b.constraints += [
        MaxGaps("group", primary, 0, "week", HARD),
        MaxHoursDaily("group", primary, 5, HARD),
        MaxGaps("teacher", (), 6, "week", HARD),  # FET refuses soft teacher max gaps
    ]
    groups = tuple(Group(g.id, g.name, site=g.site) for g in b.groups)  # no_gaps: in MaxGaps
    return Problem(
        name=f"cluster-hub+{magnets}",
        week=Week(("Mon", "Tue", "Wed", "Thu", "Fri"), tuple(str(p) for p in range(1, 8))),
        teachers=tuple(Teacher(t, t) for t in b.teachers),
        groups=groups,
        resources=(),
        activities=tuple(b.activities),
        constraints=tuple(b.constraints),
    )


# ---- running the solvers -----------------------------------------------------------------


def fet_cl(path: Path, out: Path, limit: float) -> tuple[float, str, Path | None, str]:
    """Run fet-cl; (wall seconds, status, solved file or None, its last message line)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    flags = [f"--{name}=false" for name in WRITE_FLAGS]
    command = [
        FET_CL,
        f"--inputfile={path}",
        f"--outputdir={out}",
        f"--timelimitseconds={max(1, round(limit))}",
        "--htmllevel=0",
        *flags,
    ]
    t0 = time.perf_counter()
    try:
        run = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=limit + 15, check=False
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t0, "killed", None, ""
    wall = time.perf_counter() - t0
    solved = sorted(out.glob("timetables/*/*_data_and_timetable.fet"))
    said = [line.strip() for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    last = said[-1] if said else ""
    if "Simulation successful" in run.stdout + run.stderr and solved:
        return wall, "feasible", solved[0], last
    if wall >= limit or "time exceeded" in last.lower():
        return wall, "timeout", None, last
    return wall, "failed", None, last


WRITE_FLAGS = (
    "writetimetableconflicts",
    "writetimetablesstatistics",
    "writetimetablesxml",
    "writetimetablesdayshorizontal",
    "writetimetablesdaysvertical",
    "writetimetablestimehorizontal",
    "writetimetablestimevertical",
    "writetimetablessubgroups",
    "writetimetablesgroups",
    "writetimetablesyears",
    "writetimetablesteachers",
    "writetimetablesteachersfreeperiods",
    "writetimetablesrooms",
    "writetimetablessubjects",
    "writetimetablesactivitytags",
    "writetimetablesactivities",
)


def fet_startup(work: Path) -> float:
    """fet-cl's wall time on the 5-activity test school (start-up + I/O), median of 3."""
    times = [fet_cl(TINY, work / f"startup{n}", 10)[0] for n in range(3)]
    return statistics.median(times)


def auyl_cli_startup() -> float:
    """``auyl timetable solve`` on the tiny school minus its own reported times."""
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "auyl.cli",
                "timetable",
                "solve",
                "--fet",
                str(TINY),
                "--first",
                "--time-limit",
                "10",
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        wall = time.perf_counter() - t0
        result = json.loads(run.stdout)
        best = min(best, wall - result["seconds"] - result["read_seconds"])
    return best


def jit_warmup() -> float:
    """Seconds to load (or, the first time after an install, compile) the greedy's numba
    code: once per process, like the interpreter's start-up, so it is reported apart."""
    t0 = time.perf_counter()
    solve(read_fet(TINY), SolveOptions(time_limit=10, first_solution_only=True))
    return time.perf_counter() - t0


def ours(problem: Problem, limit: float, seed: int) -> dict[str, Any]:
    options = SolveOptions(time_limit=limit, seed=seed, workers=2, first_solution_only=True)
    t0 = time.perf_counter()
    solution = solve(problem, options)
    wall = time.perf_counter() - t0
    ev = solution.evaluation
    complete = solution.feasible and len(solution.placements) == len(problem.activities)
    return {
        "status": solution.status if complete or not solution.feasible else "partial",
        "first_s": round(solution.first_solution_seconds, 3) if complete else None,
        "wall_s": round(wall, 3),
        "hard": ev.hard_violations if ev else None,
        "soft": round(ev.soft_cost, 3) if ev else None,
    }


def ours_optimized(problem: Problem, seconds: float, seed: int) -> dict[str, Any]:
    """Auyl with its objective for ``seconds``: the soft cost it reaches (not timed first)."""
    solution = solve(problem, SolveOptions(time_limit=seconds, seed=seed, workers=2))
    ev = solution.evaluation
    return {
        "status": solution.status,
        "hard": ev.hard_violations if ev else None,
        "soft": round(ev.soft_cost, 3) if ev else None,
    }


def theirs(
    path: Path, problem: Problem, limit: float, startup: float, work: Path
) -> dict[str, Any]:
    wall, status, solved, last = fet_cl(path, work, limit)
    row: dict[str, Any] = {
        "note": last if status != "feasible" else "",
        "status": status,
        "wall_s": round(wall, 3),
        "first_s": None,
        "hard": None,
        "soft": None,
    }
    if solved is not None:
        placements = read_fet_timetable(solved, problem)
        ev = evaluate(problem, placements)
        complete = len(placements) == len(problem.activities)
        row.update(
            status="feasible" if complete else "partial",
            first_s=round(max(0.0, wall - startup), 3) if complete else None,
            hard=ev.hard_violations,
            soft=round(ev.soft_cost, 3),
        )
    return row


# ---- the run -----------------------------------------------------------------------------


def instance_paths(work: Path, clusters: bool, seed: int) -> list[tuple[str, Path, str]]:
    """(name, .fet path, origin) of every instance, examples first, then clusters."""
    found = []
    for line in INSTANCES.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and (EXAMPLES / line).is_file():
            found.append((Path(line).stem, EXAMPLES / line, "fet-data"))
    if clusters:
        for magnets in CLUSTER_SIZES:
            problem = aktobe_cluster(magnets, seed)
            path = work / f"{problem.name}.fet"
            path.write_bytes(write_fet(problem, None))
            found.append((problem.name, path, "generated"))
    return found


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians and ratios over the instances both solved (and those taking over 1 s)."""
    both = [r for r in rows if r["ours"]["first_s"] is not None and r["fet"]["first_s"] is not None]
    slow = [r for r in both if max(r["ours"]["first_s"], r["fet"]["first_s"]) > 1.0]

    def medians(subset: list[dict[str, Any]]) -> dict[str, Any]:
        if not subset:
            return {"n": 0}
        a = statistics.median(r["ours"]["first_s"] for r in subset)
        f = statistics.median(r["fet"]["first_s"] for r in subset)
        ratios = [r["fet"]["first_s"] / max(r["ours"]["first_s"], 1e-3) for r in subset]
        return {
            "n": len(subset),
            "median_ours_s": round(a, 3),
            "median_fet_s": round(f, 3),
            "fet_over_ours_of_medians": round(f / max(a, 1e-3), 3),
            "median_of_fet_over_ours": round(statistics.median(ratios), 3),
            "ours_faster": sum(r["ours"]["first_s"] < r["fet"]["first_s"] for r in subset),
            "soft_ours_not_worse": sum(
                r["ours"]["soft"] <= r["fet"]["soft"] + 1e-9 for r in subset
            ),
            "soft_sum_ours": round(sum(r["ours"]["soft"] for r in subset), 3),
            "soft_sum_fet": round(sum(r["fet"]["soft"] for r in subset), 3),
            "optimized_soft_not_worse": sum(
                _not_worse(_optimized(r, "ours_optimized"), r) for r in subset
            ),
            "soft_in_fet_time_not_worse": sum(
                _not_worse(_optimized(r, "ours_in_fet_time"), r) for r in subset
            ),
        }

    return {
        "instances": len(rows),
        "ours_solved": sum(r["ours"]["first_s"] is not None for r in rows),
        "fet_solved": sum(r["fet"]["first_s"] is not None for r in rows),
        "both_solved": medians(both),
        "either_over_1s": medians(slow),
        "either_over_1s_unsolved_as_slowest": censored(rows),
    }


def censored(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The goal's comparison without dropping what a solver failed: every instance that at
    least one solver solved and on which either needs over 1 s or fails, a failure counted
    as slower than any time (infinity) -- so an instance only one solver solves counts
    against the other, not for nobody."""

    def seconds(value: float | None) -> float:
        return float("inf") if value is None else value

    subset = [
        (seconds(r["ours"]["first_s"]), seconds(r["fet"]["first_s"]))
        for r in rows
        if r["ours"]["first_s"] is not None or r["fet"]["first_s"] is not None
    ]
    subset = [(a, f) for a, f in subset if max(a, f) > 1.0]
    if not subset:
        return {"n": 0}
    return {
        "n": len(subset),
        "median_ours_s": statistics.median(a for a, _ in subset),
        "median_fet_s": statistics.median(f for _, f in subset),
        "ours_faster": sum(a < f for a, f in subset),
        "fet_faster": sum(f < a for a, f in subset),
        "ours_unsolved": sum(a == float("inf") for a, _ in subset),
        "fet_unsolved": sum(f == float("inf") for _, f in subset),
    }


def _optimized(row: dict[str, Any], key: str) -> float | None:
    soft: float | None = row.get(key, {}).get("soft")
    return soft


def _not_worse(soft: float | None, row: dict[str, Any]) -> bool:
    return soft is not None and soft <= row["fet"]["soft"] + 1e-9


def fet_time(row: dict[str, Any]) -> float | None:
    """The seconds fet-cl took to its timetable, at least twice Auyl's own time to its
    first: the time Auyl's optimising solve gets for the soft cost "in fet-cl's time";
    None when either solver found none. (Given only its own time to the first, Auyl's
    solve is a coin toss: its greedy cycles are cut to a quarter of the limit each.)"""
    ours_s, fet_s = row["ours"]["first_s"], row["fet"]["first_s"]
    if ours_s is None or fet_s is None:
        return None
    return float(max(2 * ours_s, fet_s))


def markdown(run: dict[str, Any]) -> str:
    def cell(value: Any) -> str:
        return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    lines = [
        f"Run {run['when']} on {run['machine']}, time limit {run['time_limit_s']} s per solver "
        f"and instance; start-up apart: fet-cl {run['fet_startup_s']} s, "
        f"`auyl` command {run['auyl_cli_startup_s']} s, loading the compiled greedy "
        f"{run.get('auyl_jit_load_s', '-')} s (once per process).",
        "",
        "| instance | activities | Auyl first s | Auyl status | Auyl hard | Auyl soft "
        f"| Auyl soft after {run['optimize_s']:g} s "
        "| Auyl soft in fet-cl's time (at least 2x its first) "
        "| fet-cl s | fet-cl status | fet-cl hard | fet-cl soft |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in run["results"]:
        o, f = r["ours"], r["fet"]
        optimized = _optimized(r, "ours_optimized")
        in_fet_time = _optimized(r, "ours_in_fet_time")
        lines.append(
            f"| {r['instance']} | {r['activities']} | {cell(o['first_s'])} | {o['status']} "
            f"| {cell(o['hard'])} | {cell(o['soft'])} | {cell(optimized)} | {cell(in_fet_time)} "
            f"| {cell(f['first_s'])} | {f['status']} "
            f"| {cell(f['hard'])} | {cell(f['soft'])} |"
        )
    s = run["summary"]
    lines += ["", "```", json.dumps(s, indent=1), "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per solver")
    parser.add_argument("--only", nargs="*", help="instance names (file stems)")
    parser.add_argument("--no-fet", action="store_true")
    parser.add_argument("--no-clusters", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--optimize",
        type=float,
        default=10.0,
        help="then let Auyl optimise the soft cost for S seconds (0: skip)",
    )
    parser.add_argument(
        "--no-in-fet-time",
        dest="in_fet_time",
        action="store_false",
        help="skip the optimising solve given the time fet-cl took",
    )
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-timetable-") as tmp:
        work = Path(tmp)
        instances = instance_paths(work, not args.no_clusters, args.seed)
        wanted = set(args.only or (QUICK if args.quick else ()))
        if wanted:
            instances = [i for i in instances if i[0] in wanted]
        startup = 0.0 if args.no_fet else fet_startup(work)
        cli_startup = auyl_cli_startup()
        warmup = jit_warmup()
        print(
            f"fet-cl start-up {startup:.2f} s, auyl command start-up {cli_startup:.2f} s, "
            f"loading the compiled greedy {warmup:.2f} s"
        )
        rows = []
        for n, (name, path, origin) in enumerate(instances):
            t0 = time.perf_counter()
            problem = read_fet(path)
            read_s = time.perf_counter() - t0
            row: dict[str, Any] = {
                "instance": name,
                "origin": origin,
                "activities": len(problem.activities),
                "unsupported": [f"{u.kind} ({u.count})" for u in problem.unsupported],
                "read_s": round(read_s, 3),
                "ours": ours(problem, args.time_limit, args.seed),
            }
            if args.optimize > 0 and row["ours"]["first_s"] is not None:
                row["ours_optimized"] = ours_optimized(problem, args.optimize, args.seed)
            if args.no_fet:
                row["fet"] = {"status": "not run", "first_s": None, "hard": None, "soft": None}
            else:
                row["fet"] = theirs(path, problem, args.time_limit, startup, work / f"fet{n}")
            seconds = fet_time(row) if args.in_fet_time else None
            if seconds is not None:
                row["ours_in_fet_time"] = ours_optimized(problem, seconds, args.seed)
            rows.append(row)
            print(json.dumps(row), flush=True)
    run = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "time_limit_s": args.time_limit,
        "optimize_s": args.optimize,
        "fet_startup_s": round(startup, 3),
        "auyl_cli_startup_s": round(cli_startup, 3),
        "auyl_jit_load_s": round(warmup, 3),
        "cluster_not_in_fet": [
            *fet_export_gaps(aktobe_cluster(3, args.seed)),
            "internet-link capacity",
            "travel time between schools",
        ],
        "results": rows,
        "summary": summarise(rows),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "timetable-quick" if args.quick else "timetable"
    (RESULTS / f"{stem}.json").write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")
    table = markdown(run)
    (RESULTS / f"{stem}.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


def _commit() -> str:
    run = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return run.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
