"""Benchmark: the hub network design (capacitated p-median MIP on HiGHS) on the demo region
(Aktobe, 424 schools) and at national size (7,700 schools), against two peers.

    .venv/bin/python bench/network_design.py [--seed N] [--only aktobe|aktobe-17|national]
                                             [--no-scip]

Instances come from the pure demo generator (``auyl.demo.generator.generate_region``):

* sites: every school of the region;
* schools to serve: the small schools (rural, with a combined class-set);
* eligible hubs: rural schools that are not small (single-grade classes: enough teachers),
  meet the internet norm and have a computer lab (53 in Aktobe, 732 nationally);
* distance: haversine x 1.3 road km, pupil-weighted.

Scenarios:

* ``aktobe``: 12 hubs, at most 150 km, at most 15 magnets per hub -- as the issue asks.
  12 x 15 = 180 places for 200 small schools, so 20 cannot fit: this exercises phase 1
  (most schools served, proven by the LP bound) and phase 2 (least travel for 180).
* ``aktobe-17``: the same with 17 magnets per hub (204 places), every small school served.
* ``national``: 200 hubs, at most 150 km, at most 25 magnets per hub, 115 s time limit,
  relative gap target 0.01%.

Solvers, side by side in the same run:

* ``highs``: :func:`design_network` (greedy + swap warm start passed to HiGHS);
* ``highs-cold``: the same without the warm start (Aktobe only);
* ``greedy+swap``: :func:`heuristic_network` alone (the peer heuristic; the trivial bound 0);
* ``scip``: SCIP through OR-Tools' ``pywraplp`` on the very same final MIP
  (:func:`build_network_mip`), Aktobe only. It runs in a child process because OR-Tools
  and highspy 1.15 cannot be loaded in one process (both ship a ``libhighs.so.1``).

``wall s`` is the elapsed time, ``cpu s`` the process CPU time (the machine may be shared;
the load average is recorded). A table is printed and the results are appended to
``bench/results/network_design.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "network_design.json"

SCENARIOS: dict[str, dict[str, Any]] = {
    "aktobe": {
        "schools": None, "hubs": 12, "max_km": 150.0, "max_magnets": 15,
        "time_limit_s": 60.0, "mip_rel_gap": 0.0, "peer_s": 5.0, "scip": True,
    },
    "aktobe-17": {
        "schools": None, "hubs": 12, "max_km": 150.0, "max_magnets": 17,
        "time_limit_s": 60.0, "mip_rel_gap": 0.0, "peer_s": 5.0, "scip": True,
    },
    "national": {
        "schools": 7700, "hubs": 200, "max_km": 150.0, "max_magnets": 25,
        "time_limit_s": 115.0, "mip_rel_gap": 1e-4, "peer_s": 115.0, "scip": False,
    },
}  # fmt: skip


def eligible(s: Any) -> bool:
    """The hub rule of the benchmark (see the module docstring)."""
    return s.locality == "rural" and not s.is_small and s.internet_adequate and s.computer_lab


def make_request(name: str, seed: int, **overrides: Any) -> Any:
    from auyl.demo.generator import generate_region
    from auyl.engines.planning.network import NetworkRequest, Site

    sc = SCENARIOS[name]
    spec = generate_region(seed=seed, schools=sc["schools"])
    sites = tuple(
        Site(s.code, s.district_code, s.latitude, s.longitude, s.pupils, eligible(s), s.is_small)
        for s in spec.schools
    )
    kw = {
        "hubs": sc["hubs"],
        "max_km": sc["max_km"],
        "max_magnets": sc["max_magnets"],
        "time_limit_s": sc["time_limit_s"],
        "mip_rel_gap": sc["mip_rel_gap"],
    }
    kw.update(overrides)
    return NetworkRequest(sites, **kw)


def _row(name: str, solver: str, res: Any, wall: float, cpu: float) -> dict[str, Any]:
    return {
        "scenario": name,
        "solver": solver,
        "status": res.status,
        "objective": round(res.objective, 1),
        "bound": round(res.bound, 1) if math.isfinite(res.bound) else None,
        "gap": round(res.gap, 6) if math.isfinite(res.gap) else None,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "hubs": len(res.hubs),
        "served": len(res.assignments),
        "unserved": len(res.unserved),
        "shortfall": res.shortfall,
        "warm_start_objective": (
            round(res.warm_start_objective, 1) if res.warm_start_objective is not None else None
        ),
        "variables": res.variables,
        "constraints": res.constraints,
    }


def _timed(fn: Any, *args: Any, **kw: Any) -> tuple[Any, float, float]:
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, time.perf_counter() - w, time.process_time() - c


def run_scenario(name: str, seed: int, scip: bool) -> list[dict[str, Any]]:
    from auyl.engines.planning.network import (
        build_network_mip,
        design_network,
        heuristic_network,
        sites_summary,
    )

    sc = SCENARIOS[name]
    req = make_request(name, seed)
    summary = sites_summary(req.sites)
    print(f"{name}: {summary}", file=sys.stderr, flush=True)
    rows = []
    res, wall, cpu = _timed(design_network, req)
    rows.append(_row(name, "highs", res, wall, cpu))
    if sc["scip"]:
        cold = make_request(name, seed, warm_start=False)
        res, wall, cpu = _timed(design_network, cold)
        rows.append(_row(name, "highs-cold", res, wall, cpu))
    res, wall, cpu = _timed(heuristic_network, req, time_limit_s=sc["peer_s"])
    rows.append(_row(name, "greedy+swap", res, wall, cpu))
    if sc["scip"] and scip:
        mip = build_network_mip(req)
        rows.append(_scip_row(name, mip, sc["time_limit_s"], rows[0]))
    for r in rows:
        r.update(summary)
    return rows


def _scip_row(name: str, mip: Any, time_limit: float, highs: dict[str, Any]) -> dict[str, Any]:
    """Solve ``mip`` with SCIP in a child process (see the module docstring)."""
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="auyl-bench-") as tmp:
        path = Path(tmp) / "mip.npz"
        np.savez(
            path,
            n_schools=np.array(highs["served"] + highs["shortfall"]),
            n_slack=np.array(mip.n_slack),
            **{k: getattr(mip, k) for k in (
                "col_cost", "col_lower", "col_upper", "integrality", "row_lower",
                "row_upper", "a_start", "a_index", "a_value",
            )},
        )  # fmt: skip
        proc = subprocess.run(
            [sys.executable, __file__, "--scip-child", str(path), "--time-limit", str(time_limit)],
            capture_output=True,
            text=True,
        )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(proc.returncode)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "scenario": name,
        "solver": "scip",
        "status": out["status"],
        "objective": round(out["objective"], 1),
        "bound": round(out["bound"], 1),
        "gap": round(out["gap"], 6),
        "wall_s": round(out["wall_s"], 2),
        "cpu_s": round(out["cpu_s"], 2),
        "hubs": out["hubs"],
        "served": out["served"],
        "unserved": (
            None if out["served"] is None else highs["unserved"] + highs["served"] - out["served"]
        ),
        "shortfall": highs["shortfall"],
        "warm_start_objective": None,
        "variables": len(mip.col_cost),
        "constraints": len(mip.row_lower),
    }


def scip_child(path: str, time_limit: float) -> dict[str, Any]:
    """Inside the child: build the MIP in pywraplp, solve it with SCIP (model building is
    included in the times, as HiGHS's include passing the model)."""
    import numpy as np
    from ortools.linear_solver import pywraplp

    w, c = time.perf_counter(), time.process_time()
    d = np.load(path)
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:
        raise SystemExit("SCIP is not available in this OR-Tools build")
    n_col = len(d["col_cost"])
    cols = [
        solver.IntVar(lo, hi, "") if integ else solver.NumVar(lo, hi, "")
        for lo, hi, integ in zip(
            d["col_lower"].tolist(), d["col_upper"].tolist(), d["integrality"].tolist(),
            strict=True,
        )
    ]  # fmt: skip
    inf = solver.infinity()
    rows = [
        solver.RowConstraint(lo if math.isfinite(lo) else -inf, hi if math.isfinite(hi) else inf)
        for lo, hi in zip(d["row_lower"].tolist(), d["row_upper"].tolist(), strict=True)
    ]
    start, index, value = d["a_start"].tolist(), d["a_index"].tolist(), d["a_value"].tolist()
    for j in range(n_col):
        for k in range(start[j], start[j + 1]):
            rows[index[k]].SetCoefficient(cols[j], value[k])
    objective = solver.Objective()
    for j, cost in enumerate(d["col_cost"].tolist()):
        if cost:
            objective.SetCoefficient(cols[j], cost)
    objective.SetMinimization()
    solver.SetTimeLimit(int(time_limit * 1000))
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
    status = solver.Solve(params)
    names = {
        pywraplp.Solver.OPTIMAL: "optimal",
        pywraplp.Solver.FEASIBLE: "feasible",
        pywraplp.Solver.INFEASIBLE: "infeasible",
        pywraplp.Solver.NOT_SOLVED: "not_solved",
    }
    has = status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
    obj = objective.Value() if has else math.inf
    bound = objective.BestBound()
    n_hubs = int((d["integrality"] == 1).sum())
    n_slack, n_schools = int(d["n_slack"]), int(d["n_schools"])
    slack = sum(cols[j].solution_value() for j in range(n_col - n_slack, n_col)) if has else 0
    return {
        "served": n_schools - round(slack) if has else None,
        "status": names.get(status, str(status)),
        "objective": obj,
        "bound": bound,
        "gap": max(0.0, (obj - bound) / abs(obj)) if has and obj else 0.0,
        "hubs": sum(cols[j].solution_value() > 0.5 for j in range(n_hubs)) if has else 0,
        "wall_s": time.perf_counter() - w,
        "cpu_s": time.process_time() - c,
    }


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _fmt(v: Any, spec: str = "") -> str:
    if v is None:
        return "-"
    return format(v, spec) if spec else str(v)


def print_table(results: list[dict[str, Any]]) -> None:
    header = (
        "scenario", "solver", "status", "objective", "bound", "gap %", "wall s", "cpu s",
        "hubs", "served", "no place",
    )  # fmt: skip
    table = [header] + [
        (
            r["scenario"],
            r["solver"],
            r["status"],
            _fmt(r["objective"], ",.0f"),
            _fmt(r["bound"], ",.0f"),
            _fmt(None if r["gap"] is None else 100 * r["gap"], ".3f"),
            _fmt(r["wall_s"], ".2f"),
            _fmt(r["cpu_s"], ".2f"),
            _fmt(r["hubs"]),
            _fmt(r["served"]),
            _fmt(r["unserved"]),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print(
            "  ".join(
                c.rjust(w) if i and j > 2 else c.ljust(w)
                for j, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--only", choices=sorted(SCENARIOS))
    parser.add_argument("--no-scip", action="store_true", help="skip the SCIP peer")
    parser.add_argument("--scip-child", help=argparse.SUPPRESS)
    parser.add_argument("--time-limit", type=float, default=60.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scip_child:
        print(json.dumps(scip_child(args.scip_child, args.time_limit)))
        return 0

    sys.path.insert(0, str(ROOT / "src"))
    load_before = os.getloadavg()
    results: list[dict[str, Any]] = []
    for name in [args.only] if args.only else list(SCENARIOS):
        results.extend(run_scenario(name, args.seed, scip=not args.no_scip))
    print_table(results)
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    history = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    history.append(record)
    RESULTS.write_text(json.dumps(history, indent=2, ensure_ascii=False) + "\n")
    print(f"appended to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
