"""Real schools' FET files (Debian's fet-data) import completely and validly.

The list is the benchmark's (``bench/timetable/instances.txt``): 27 schools from 4 to
1,596 activities that use only constraints Auyl supports, so ``strict=True`` reads them.
Skipped where fet-data is not installed, except on CI (``CI=true``), where that is a fault.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from auyl.engines.timetabling import solver as solver_module
from auyl.engines.timetabling.build import start_slots
from auyl.engines.timetabling.fet import read_fet
from auyl.engines.timetabling.index import Index
from auyl.engines.timetabling.model import SolveOptions
from auyl.engines.timetabling.validate import validate

EXAMPLES = Path("/usr/share/doc/fet-data/examples")
LIST = Path(__file__).parents[3] / "bench" / "timetable" / "instances.txt"
INSTANCES = [
    line.strip()
    for line in LIST.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]

needs_fet_data = pytest.mark.skipif(
    not EXAMPLES.is_dir() and os.environ.get("CI") != "true",
    reason="Debian's fet-data is not installed",
)


def test_the_list_has_at_least_twenty_schools():
    assert len(INSTANCES) >= 20


@needs_fet_data
@pytest.mark.parametrize("instance", INSTANCES, ids=lambda p: Path(p).stem)
def test_a_real_school_imports_strictly_and_validly(instance):
    problem = read_fet(EXAMPLES / instance, strict=True)
    assert problem.activities
    assert problem.groups or problem.teachers
    assert validate(problem) == ()


_STOP_MID_SOLVE = """
import sys, time
from auyl.engines.timetabling.build import start_slots
from auyl.engines.timetabling.fet import read_fet
from auyl.engines.timetabling.index import Index
from auyl.engines.timetabling.model import SolveOptions
from auyl.engines.timetabling.solver import _Race
import auyl.engines.timetabling.solver as solver

solver._RACE_DELAY_S = 0.0
problem = read_fet(sys.argv[1])
starts = start_slots(Index.of(problem), relax=False)
race = _Race(problem, starts, SolveOptions(time_limit=30, workers=2), time.perf_counter())
race.start()
while race._solver is None:
    time.sleep(0.01)
time.sleep(0.1)
race.finish(keep_going=False)  # the greedy won: CP-SAT is told to stop, nobody waits
print("answered")
"""


@needs_fet_data
def test_a_process_ends_cleanly_when_the_race_is_stopped_mid_solve():
    """A script that solves and exits while the race's CP-SAT is still stopping must not
    abort (a daemon thread inside CP-SAT at interpreter exit did: exit code 134)."""
    school = EXAMPLES / "FET-5-official/Namibia/by-Bobby/set-2/MAPS.fet"
    run = subprocess.run(
        [sys.executable, "-c", _STOP_MID_SOLVE, str(school)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-500:]
    assert run.stdout.strip() == "answered"


@needs_fet_data
def test_a_stop_asked_for_before_cp_sat_starts_searching_still_stops_it(monkeypatch):
    """The greedy may win between the race handing over its solver and CP-SAT starting its
    search; OR-Tools drops a stop asked for then, so the race keeps asking until CP-SAT
    is done (else it ran on to the time limit, holding a core)."""
    handed_over = threading.Event()
    real_solver_for = solver_module.solver_for

    def late_solver(*args, **kw):
        solver = real_solver_for(*args, **kw)
        real_solve = solver.solve

        def solve_later(model, *rest):
            handed_over.set()
            time.sleep(0.3)  # the greedy wins now
            return real_solve(model, *rest)

        solver.solve = solve_later
        return solver

    monkeypatch.setattr(solver_module, "_RACE_DELAY_S", 0.0)
    monkeypatch.setattr(solver_module, "solver_for", late_solver)
    problem = read_fet(EXAMPLES / "FET-5-official/Namibia/by-Bobby/set-2/MAPS.fet")
    starts = start_slots(Index.of(problem), relax=False)
    race = solver_module._Race(
        problem, starts, SolveOptions(time_limit=30, workers=2), time.perf_counter()
    )
    race.start()
    assert handed_over.wait(30)
    race.finish(keep_going=False)
    race.join(timeout=1.0)  # CP-SAT needs several seconds for MAPS' first timetable
    assert not race.is_alive()
