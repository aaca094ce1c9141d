"""Benchmark and recovery check of the impact engine (``auyl.engines.impact``).

    .venv/bin/python bench/impact.py [--replications N] [--reps B] [--no-pupil-bootstrap]

Data: :func:`auyl.engines.impact.simulate.simulate` with 400 schools x 4 years x 62 pupils
(99,200 pupil results), 100 programme schools joining in the third year, a +20 point
effect and a 30 point rural gap.

Timings (wall seconds, after one warm-up call that pays numba's compile time, which is
reported separately):

* ``did`` clustered (100 treated) and ``did`` with the wild cluster bootstrap (forced);
* the same regression in pyfixest on the 99,200 pupil rows, and pyfixest's
  ``wildboottest`` on the pupil rows (it builds a dense one-hot design: the reason the
  engine works on school-year cells instead);
* ``group_means`` by district x year, ``gap`` per year, ``level_shares`` by rural.

Recovery: ``--replications`` fresh data sets (300 schools x 4 years x 30 pupils) with 100
treated (clustered), 8 treated (bootstrap) and no effect (placebo); the share of 95%
intervals covering the truth and the share rejecting "no effect".
Results are printed and appended to ``bench/results/impact.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyfixest as pf

from auyl.engines.impact import did, gap, group_means, level_shares
from auyl.engines.impact.quiet import pyfixest_quiet
from auyl.engines.impact.simulate import Plan, simulate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "impact.json"
BIG = Plan(schools=400, treated=100, pupils_per_school_year=62, seed=1)
RECOVERY = Plan(schools=300, treated=100, pupils_per_school_year=30)


def timed(fn: Any, *args: Any, **kw: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - start


def pupil_fit(frame: pd.DataFrame) -> Any:
    data = frame.assign(treat=(frame["year"] >= frame["since_year"]).astype(float))
    data["school_id"] = pd.factorize(data["school"])[0]
    with pyfixest_quiet():
        return pf.feols("score ~ treat | school_id + year", data, vcov={"CRV1": "school_id"})


def timings(reps: int, pupil_bootstrap: bool) -> dict[str, Any]:
    frame = simulate(BIG)
    rows: dict[str, Any] = {"pupil_rows": len(frame), "schools": BIG.schools, "years": BIG.years}
    _, rows["did_first_call_s"] = timed(did, frame)
    result, rows["did_clustered_s"] = timed(did, frame)
    rows["did_estimate"] = round(result.estimate.value, 2)
    rows["did_ci"] = [round(result.estimate.ci_low, 2), round(result.estimate.ci_high, 2)]
    _, rows["did_bootstrap_first_call_s"] = timed(
        did, frame, min_treated_clusters=10**6, bootstrap_reps=reps
    )
    boot, rows["did_bootstrap_s"] = timed(
        did, frame, min_treated_clusters=10**6, bootstrap_reps=reps
    )
    rows["bootstrap_reps"] = reps
    rows["did_bootstrap_ci"] = [round(boot.estimate.ci_low, 2), round(boot.estimate.ci_high, 2)]
    fit, rows["pyfixest_pupil_feols_s"] = timed(pupil_fit, frame)
    rows["pyfixest_pupil_estimate"] = round(float(fit.coef()["treat"]), 2)
    if pupil_bootstrap:
        with pyfixest_quiet():
            _, rows["pyfixest_pupil_wildboottest_199_s"] = timed(
                fit.wildboottest, reps=199, param="treat", seed=1
            )
    _, rows["group_means_district_year_s"] = timed(group_means, frame, ["district", "year"])
    _, rows["gap_rural_per_year_s"] = timed(gap, frame)
    _, rows["level_shares_rural_s"] = timed(level_shares, frame, ["rural"])
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in rows.items()}


def recovery(replications: int, reps: int) -> dict[str, Any]:
    scenarios = {
        "100_treated": replace(RECOVERY, treated=100),
        "8_treated_bootstrap": replace(RECOVERY, treated=8),
        "placebo": replace(RECOVERY, effect=0.0),
    }
    out: dict[str, Any] = {}
    for name, plan in scenarios.items():
        covered = rejected = 0
        estimates = []
        for i in range(replications):
            r = did(simulate(replace(plan, seed=1000 + i)), bootstrap_reps=reps, seed=i)
            covered += r.estimate.ci_low <= plan.effect <= r.estimate.ci_high
            rejected += r.p_value < 0.05
            estimates.append(r.estimate.value)
        out[name] = {
            "truth": plan.effect,
            "mean_estimate": round(sum(estimates) / replications, 2),
            "coverage_95": round(covered / replications, 3),
            "rejects_zero": round(rejected / replications, 3),
            "replications": replications,
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--reps", type=int, default=999)
    parser.add_argument("--no-pupil-bootstrap", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()
    record: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_before": [round(x, 2) for x in load_before],
        "timings": timings(args.reps, not args.no_pupil_bootstrap),
        "recovery": recovery(args.replications, args.reps),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(record, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    history = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    history.append(record)
    RESULTS.write_text(json.dumps(history, indent=2, ensure_ascii=False) + "\n")
    print(f"appended to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
