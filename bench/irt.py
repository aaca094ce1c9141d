"""Benchmark: 2PL calibration by our MML/EM engine, side by side with girth's 2PL MML.

    .venv/bin/python bench/irt.py [--seed N] [--girth-sizes 10000,100000] [--quick]

Data are simulated 2PL responses, 40 items, a ~ U(0.7, 2), b ~ N(0, 1), theta ~ N(0, 1)
(``auyl.engines.irt.simulate``). For each size the engine's ``fit`` is timed (wall and
CPU seconds of this process, which include both compiled worker threads) and its RMSE
against the true a and b is reported; the compiled loops are warmed up on a small data set
first, so compilation is not timed. At the girth sizes, ``girth.twopl_mml`` (default
options, which also use 41 quadrature nodes) runs in the same process on the same data
(girth wants items x persons): the ratio is girth's seconds over ours, and both RMSEs are
shown so that the speed is compared at equal accuracy. Targets (issue 6): 100,000 x 40
under 10 s, 1,000,000 x 40 under 90 s, at least 3x faster than girth.

A markdown table is printed and written to ``bench/results/irt.md``; results are appended
to ``bench/results/irt.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from auyl.engines.irt import fit, simulate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "irt.json"
TABLE = ROOT / "bench" / "results" / "irt.md"
N_ITEMS = 40
SIZES = (1_000, 50_000, 100_000, 1_000_000)
TARGET_SECONDS = {100_000: 10.0, 1_000_000: 90.0}


def rmse(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(np.sqrt(np.mean((estimate - truth) ** 2)))


def run_ours(matrix: Any, a_true: np.ndarray, b_true: np.ndarray) -> dict[str, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    cal = fit(matrix, "2pl")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    a = np.array([item.a for item in cal.items])
    b = np.array([item.b for item in cal.items])
    return {
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "iterations": cal.iterations,
        "converged": cal.converged,
        "rmse_a": round(rmse(a, a_true), 4),
        "rmse_b": round(rmse(b, b_true), 4),
        "a": a,
        "b": b,
    }


def run_girth(matrix: Any, a_true: np.ndarray, b_true: np.ndarray) -> dict[str, Any]:
    import girth

    data = matrix.scores.T.astype(np.int64)  # girth: items x persons
    wall, cpu = time.perf_counter(), time.process_time()
    result = girth.twopl_mml(data)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    a, b = np.asarray(result["Discrimination"]), np.asarray(result["Difficulty"])
    return {
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "rmse_a": round(rmse(a, a_true), 4),
        "rmse_b": round(rmse(b, b_true), 4),
        "a": a,
        "b": b,
    }


def agreement(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, float]:
    """Correlation and mean absolute difference of our and girth's a and b."""
    out = {}
    for key in ("a", "b"):
        out[f"corr_{key}"] = round(float(np.corrcoef(ours[key], theirs[key])[0, 1]), 5)
        out[f"mad_{key}"] = round(float(np.mean(np.abs(ours[key] - theirs[key]))), 4)
    return out


def run_size(n: int, seed: int, with_girth: bool) -> dict[str, Any]:
    matrix, truth = simulate(n, N_ITEMS, model="2pl", seed=seed)
    a_true = np.array([item.a for item in truth])
    b_true = np.array([item.b for item in truth])
    ours = run_ours(matrix, a_true, b_true)
    row: dict[str, Any] = {"persons": n, "items": N_ITEMS, "ours": ours}
    if n in TARGET_SECONDS:
        row["target_seconds"] = TARGET_SECONDS[n]
    if with_girth:
        theirs = run_girth(matrix, a_true, b_true)
        row["girth"] = theirs
        row["ratio"] = round(theirs["seconds"] / max(ours["seconds"], 1e-9), 1)
        row["agreement"] = agreement(ours, theirs)
    for side in ("ours", "girth"):
        if side in row:
            row[side] = {k: v for k, v in row[side].items() if k not in ("a", "b")}
    print(f"done {n:,}: {json.dumps(row)}", file=sys.stderr, flush=True)
    return row


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| persons x items | ours s (CPU s) | iterations | girth s (CPU s) | girth / ours "
        "| RMSE a ours / girth | RMSE b ours / girth | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ours, theirs = row["ours"], row.get("girth")
        girth_s = f"{theirs['seconds']} ({theirs['cpu_seconds']})" if theirs else "-"
        ratio = f"{row['ratio']}x" if theirs else "-"
        rmse_a = f"{ours['rmse_a']} / {theirs['rmse_a']}" if theirs else f"{ours['rmse_a']}"
        rmse_b = f"{ours['rmse_b']} / {theirs['rmse_b']}" if theirs else f"{ours['rmse_b']}"
        target = f"< {row['target_seconds']:g} s" if "target_seconds" in row else "-"
        lines.append(
            f"| {row['persons']:,} x {row['items']} | {ours['seconds']} ({ours['cpu_seconds']}) "
            f"| {ours['iterations']} | {girth_s} | {ratio} | {rmse_a} | {rmse_b} | {target} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--girth-sizes", default="10000,100000")
    parser.add_argument("--quick", action="store_true", help="skip the 1,000,000 size")
    args = parser.parse_args()
    girth_sizes = {int(n) for n in args.girth_sizes.split(",") if n}
    sizes = sorted(set(SIZES) | girth_sizes)
    if args.quick:
        sizes = [n for n in sizes if n < 1_000_000]
    warm, _ = simulate(300, 10, seed=0)
    fit(warm, "2pl")  # compile the numba loops (cached on disk afterwards)
    load_before = os.getloadavg()[0]
    rows = [run_size(n, args.seed + i, n in girth_sizes) for i, n in enumerate(sizes)]
    lines = [table(rows), ""]
    for row in rows:
        if "agreement" in row:
            lines.append(f"agreement with girth at {row['persons']:,}: {row['agreement']}")
    lines.append(f"load average before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f}")
    print("\n".join(lines))
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
    RESULTS.write_text(json.dumps(history, indent=2) + "\n")
    TABLE.write_text(f"# bench/irt.py, {entry['when']}\n\n" + "\n".join(lines) + "\n")
    print(f"appended to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
