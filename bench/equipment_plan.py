"""Benchmark: the optimal equipment plan (HiGHS MIP) on the demo regions, against a greedy.

    .venv/bin/python bench/equipment_plan.py [--seed N] [--runs 3] [--only aktobe|national]

Instances come from the pure-Python demo generator (``auyl.demo.generator``): Aktobe (424
schools) and the national size (7,700 schools). Each school's packages follow simple norms,
written out in ``school_needs`` below; unit prices are the public figure for laptops
(facts.md: about 150-200 k KZT in regional bulk purchases) and labelled assumptions for the
rest (facts.md found no panel, lab, connection or server prices).

Budget: Aktobe 2.063 bn KZT a year (the pilot's equipment budget, facts.md), the national
region the same per school (x 7,700 / 424). Scenarios: one year, and three years with that
budget each year; and Aktobe's small schools alone with 2.063 bn over three years, to the
default gap and proven optimal (see ``scenario_requests``). ``solve_plan`` is timed
(median of ``--runs``), and beside it a greedy baseline written here: take packages in
order of benefit per KZT, buying what fits, a package only once the packages it requires
are complete, year after year. Both objectives use the engine's benefit model, so they
compare directly. (The engine hands a similar greedy plan to HiGHS as its starting point,
so at the default 0.1% gap the MIP is never worse than a greedy; the exact scenario shows
how far the greedy is from the proven optimum.) A table is printed and the
results are appended to ``bench/results/equipment_plan.json``.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from auyl.demo.generator import SchoolSpec, generate_region
from auyl.engines.norms import connectivity_norm_mbps
from auyl.engines.planning.equipment import (
    Package,
    PlanRequest,
    PlanResult,
    SchoolNeed,
    effective_requires,
    solve_plan,
    unit_benefits,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "equipment_plan.json"

AKTOBE_BUDGET = 2_063_000_000  # KZT, facts.md (baq.kz): the pilot's equipment budget
AKTOBE_SCHOOLS = 424
NATIONAL_SCHOOLS = 7_700

#: Unit prices in KZT. Only the laptop price has a public source.
PRICES = {
    "laptop": 180_000,  # facts.md: 150-200 k KZT per laptop/PC in regional bulk purchases
    "panel": 1_200_000,  # ASSUMPTION: interactive panel with installation (no price found)
    "internet_new": 3_000_000,  # ASSUMPTION: satellite/radio link where there is none
    "internet_upgrade": 1_500_000,  # ASSUMPTION: upgrade of a slow link to the norm
    "lab_stem": 8_000_000,  # ASSUMPTION: STEM/science lab kit, installed
    "offline_server": 600_000,  # ASSUMPTION: offline content server, preloaded
}
#: Device norms. ASSUMPTIONS (facts.md: no official devices-per-pupil ratio was found).
PUPILS_PER_DEVICE_SMALL = 4  # small schools: up to 1 device per 4 pupils
PUPILS_PER_DEVICE_OTHER = 10  # other schools: 1 per 10 pupils
STEM_FROM_GRADE = 7


def _working(s: SchoolSpec, kinds: set[str]) -> int:
    return sum(n for kind, cond, n in s.devices if kind in kinds and cond == "working")


def school_needs(s: SchoolSpec) -> SchoolNeed:
    """Packages and a simple readiness index (mean of four 0-1 components x 100)."""
    pupils = s.pupils
    norm = connectivity_norm_mbps(pupils)
    per_device = PUPILS_PER_DEVICE_SMALL if s.is_small else PUPILS_PER_DEVICE_OTHER
    devices_target = math.ceil(pupils / per_device)
    devices = _working(s, {"laptop", "desktop", "tablet"})
    panels_target = len(s.class_sets)
    panels = _working(s, {"panel"})
    wants_lab = any(g >= STEM_FROM_GRADE for g in s.enrolment)
    has_lab = s.stem_lab or not wants_lab
    parts = [
        min(1.0, s.internet_mbps / norm),
        min(1.0, devices / devices_target) if devices_target else 1.0,
        min(1.0, panels / panels_target) if panels_target else 1.0,
        1.0 if has_lab else 0.0,
    ]
    readiness = round(100 * sum(parts) / len(parts), 1)

    pk: list[Package] = []
    code = s.code
    if s.internet_mbps < norm:
        price = PRICES["internet_new" if s.internet_mbps <= 0 else "internet_upgrade"]
        pk.append(Package(f"{code}/internet", code, "internet", "connectivity", 1, price, False))
    if devices < devices_target:
        gap = devices_target - devices
        pk.append(Package(f"{code}/laptop", code, "laptop", "devices", gap, PRICES["laptop"]))
    if panels < panels_target:
        gap = panels_target - panels
        pk.append(Package(f"{code}/panel", code, "panel", "panels", gap, PRICES["panel"]))
    if not has_lab:
        pk.append(
            Package(f"{code}/lab_stem", code, "lab_stem", "labs", 1, PRICES["lab_stem"], False)
        )
    if s.internet_mbps <= 0:
        pk.append(
            Package(
                f"{code}/offline",
                code,
                "offline_server",
                "offline",
                1,
                PRICES["offline_server"],
                False,
            )
        )
    return SchoolNeed(code, s.district_code, pupils, readiness, tuple(pk))


# --- Greedy baseline ---------------------------------------------------------------------


def greedy_plan(request: PlanRequest) -> tuple[float, int, int]:
    """Benefit per KZT, best first; a package waits until what it requires is complete.
    (No pinned packages: the bench scenarios pin nothing.)

    Returns (objective, total cost, pupils of the schools served). Same benefit model and
    year discount as the engine; tranches are bought best first.
    """
    w = request.weights
    tranches = unit_benefits(request)
    requires = effective_requires(request)
    pk = {p.key: p for n in request.needs for p in n.packages}
    pupils = {n.school: n.pupils for n in request.needs}
    excluded = request.excluded_schools
    left = {k: list(tranches[k]) for k in pk if pk[k].school not in excluded}
    complete: set[str] = set()
    served: set[str] = set()
    objective, total = 0.0, 0
    budget_left = 0
    for t, budget in enumerate(request.budgets):
        budget_left = budget_left + budget if request.carry_over else budget
        # ratio of the best remaining tranche of each package
        heap = [(-tr[0][1] / max(pk[k].unit_cost, 1), k) for k, tr in left.items() if tr]
        heapq.heapify(heap)
        waiting: dict[str, list[str]] = {}
        while heap:
            _, k = heapq.heappop(heap)
            p = pk[k]
            missing = [q for q in requires[k] if q not in complete]
            if missing:
                waiting.setdefault(missing[0], []).append(k)
                continue
            if p.divisible:
                q, b = left[k][0]
                n = min(q, budget_left // max(p.unit_cost, 1)) if p.unit_cost else q
                if n <= 0:
                    continue
                budget_left -= n * p.unit_cost
                total += n * p.unit_cost
                objective += n * b * w.year_discount**t
                left[k][0] = (q - n, b)
                if left[k][0][0] == 0:
                    left[k].pop(0)
                if left[k]:  # next tranche competes again at its own ratio
                    heapq.heappush(heap, (-left[k][0][1] / max(p.unit_cost, 1), k))
            else:
                cost = p.unit_cost * p.quantity
                if cost > budget_left:
                    continue
                budget_left -= cost
                total += cost
                objective += p.quantity * left[k][0][1] * w.year_discount**t
                left[k] = []
            served.add(p.school)
            if not left[k]:
                complete.add(k)
                for d in waiting.pop(k, []):
                    if left[d]:
                        heapq.heappush(heap, (-left[d][0][1] / max(pk[d].unit_cost, 1), d))
    return objective, total, sum(pupils[s] for s in served)


# --- Runs --------------------------------------------------------------------------------


def scenario_requests(name: str, seed: int) -> list[tuple[str, PlanRequest]]:
    """The plans to time: the whole region for one year and for three years at the same
    budget each year; for Aktobe also its small schools alone (the programme's target) with
    the pilot's 2.063 bn spread over three years, once to the default 0.1% gap and once
    proven optimal (gap 0, at most 60 s)."""
    schools = None if name == "aktobe" else NATIONAL_SCHOOLS
    spec = generate_region(seed=seed, schools=schools)
    needs = tuple(school_needs(s) for s in spec.schools)
    budget = round(AKTOBE_BUDGET * len(needs) / AKTOBE_SCHOOLS)
    out = [
        (f"{name} 1 year", PlanRequest(needs=needs, budgets=(budget,))),
        (f"{name} 3 years", PlanRequest(needs=needs, budgets=(budget,) * 3)),
    ]
    if name == "aktobe":
        small = tuple(school_needs(s) for s in spec.schools if s.is_small)
        thirds = (AKTOBE_BUDGET // 3,) * 3
        out += [
            ("aktobe small 3y", PlanRequest(needs=small, budgets=thirds)),
            (
                "aktobe small 3y exact",
                PlanRequest(needs=small, budgets=thirds, mip_rel_gap=0.0, time_limit_s=60.0),
            ),
        ]
    return out


def run(name: str, seed: int, runs: int) -> list[dict]:
    out = []
    for label, request in scenario_requests(name, seed):
        times, cpu, result = [], [], None
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            result = solve_plan(request)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        assert isinstance(result, PlanResult)
        g_times, greedy = [], (0.0, 0, 0)
        for _ in range(runs):
            t0 = time.perf_counter()
            greedy = greedy_plan(request)
            g_times.append(time.perf_counter() - t0)
        packages = sum(len(n.packages) for n in request.needs)
        need_cost = sum(p.quantity * p.unit_cost for n in request.needs for p in n.packages)
        out.append(
            {
                "scenario": label,
                "seed": seed,
                "schools": len(request.needs),
                "packages": packages,
                "need_kzt": need_cost,
                "budget_kzt": sum(request.budgets),
                "years": len(request.budgets),
                "variables": result.variables,
                "constraints": result.constraints,
                "status": result.status,
                "mip_s": round(statistics.median(times), 3),
                "mip_s_all": [round(x, 3) for x in times],
                # CPU seconds of this process: what the wall time would be on an idle machine
                "mip_cpu_s": round(statistics.median(cpu), 3),
                "mip_rel_gap": request.mip_rel_gap,
                "gap": result.gap,
                "objective": round(result.objective, 2),
                "bound": round(result.bound, 2),
                "total_cost": result.total_cost,
                "schools_served": result.schools_served,
                "pupils_reached": result.pupils_reached,
                "greedy_s": round(statistics.median(g_times), 3),
                "greedy_objective": round(greedy[0], 2),
                "greedy_total_cost": greedy[1],
                "greedy_pupils_reached": greedy[2],
                "mip_vs_greedy": _relative(result.objective, greedy[0]),
            }
        )
    return out


def _relative(mip: float, greedy: float) -> float | None:
    """How much better the MIP's objective is than the greedy's (float noise shown as 0)."""
    if not greedy:
        return None
    x = mip / greedy - 1
    return 0.0 if abs(x) < 1e-9 else round(x, 8)


def _table(rows: list[dict]) -> str:
    head = (
        f"{'scenario':<22}{'schools':>8}{'vars':>8}{'MIP s':>8}{'cpu s':>7}{'gap':>9}"
        f"{'objective':>12}"
        f"{'cost bn':>9}{'pupils':>10}{'greedy s':>9}{'greedy obj':>12}{'MIP/greedy':>11}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['scenario']:<22}{r['schools']:>8}{r['variables']:>8}{r['mip_s']:>8.2f}"
            f"{r['mip_cpu_s']:>7.2f}"
            f"{r['gap']:>9.5%}{r['objective']:>12,.1f}{r['total_cost'] / 1e9:>9.3f}"
            f"{r['pupils_reached']:>10,}{r['greedy_s']:>9.2f}{r['greedy_objective']:>12,.1f}"
            f"{r['mip_vs_greedy']:>+11.4%}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("aktobe", "national"))
    args = parser.parse_args()
    names = [args.only] if args.only else ["aktobe", "national"]
    load_before = os.getloadavg()[0]
    rows = []
    for name in names:
        rows += run(name, args.seed, args.runs)
    print(_table(rows))
    print(f"load average before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f}")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    entry = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        # other processes share the machine: the 1-minute load average before and after
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "results": rows,
    }
    history = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    history.append(entry)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(history, indent=2, ensure_ascii=False) + "\n")
    print(f"appended to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
