"""``auyl timetable cluster``: solve the timetable of every cluster (or one) of the loaded
region and store it, printing one JSON line per cluster and a total line::

    {"hub": "AKT-0152", "schools": 13, "activities": 2026, "broadcasts": 71,
     "status": "done", "lessons": 2026, "seconds": 61.2}
    {"clusters": 12, "feasible": 12, "lessons": 21300, "seconds": 702.5}

Each cluster is a fresh solve (locked lessons of its current timetable are kept). The exit
status is 0 when every cluster got a timetable, 1 otherwise, 2 when there is no cluster.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from auyl.registry.models import School
from auyl.timetable.models import TimetableRun
from auyl.timetable.services import current_run, run_compute


def cluster_command(args: argparse.Namespace) -> int:
    hubs = School.objects.filter(network_role=School.NetworkRole.HUB).order_by("code")
    if args.hub:
        hubs = hubs.filter(code=args.hub)
    hubs_list = list(hubs)
    if not hubs_list:
        print(
            "auyl timetable cluster: no such hub school in the registry "
            "(run `auyl demo --no-serve` first, or check --hub)",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    feasible = lessons = 0
    soft_cost = 0.0
    for hub in hubs_list:
        line = solve_cluster(hub, time_limit=args.time_limit, seed=args.seed)
        print(json.dumps(line, ensure_ascii=False), flush=True)
        feasible += line["status"] == TimetableRun.Status.DONE
        lessons += int(str(line["lessons"]))
        soft_cost += float(str(line.get("soft_cost") or 0))
    total = {
        "clusters": len(hubs_list),
        "feasible": feasible,
        "lessons": lessons,
        "soft_cost": round(soft_cost, 2),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(total), flush=True)
    return 0 if feasible == len(hubs_list) else 1


def solve_cluster(hub: School, *, time_limit: float, seed: int) -> dict[str, object]:
    """Solve ``hub``'s cluster now (no background job) and describe the outcome."""
    previous = current_run(hub)
    run = TimetableRun.objects.create(
        hub=hub,
        params={
            "time_limit": time_limit,
            "seed": seed,
            "previous": previous.pk if previous else None,
            "source": "cli",
        },
    )
    outcome = run_compute(run=run)
    run.refresh_from_db()
    sizes = run.result.get("sizes", {})
    line: dict[str, object] = {
        "hub": hub.code,
        "schools": sizes.get("schools", 0),
        "activities": sizes.get("activities", 0),
        "broadcasts": sizes.get("broadcasts", 0),
        "status": outcome["status"],
        "lessons": run.lessons.count(),
        "seconds": run.seconds,
        "first_solution_seconds": run.result.get("first_solution_seconds"),
        "soft_cost": (run.result.get("evaluation") or {}).get("soft"),
    }
    errors = [i["code"] for i in run.result.get("issues", []) if i["severity"] == "error"]
    if errors:
        line["errors"] = errors[:10]
    conflicts = [c["kind"] for c in run.result.get("conflicts", [])]
    if conflicts:
        line["conflicts"] = conflicts[:10]
    return line
