"""Benchmark: generate and load the demo registry (Aktobe, and the national 7,700 schools).

    .venv/bin/python bench/registry_build.py [--seed N] [--only aktobe|national]

Each scenario runs in a fresh process with a fresh temporary data directory
(``AUYL_DATA_DIR``), so it loads into an empty, freshly migrated SQLite database; with
``DATABASE_URL`` set it uses a fresh test database on that server instead (created and
dropped by Django's test-database machinery). Times: ``generate`` is the pure-Python
generator, ``load`` the bulk load (rows and their history) plus the demo accounts, in one
transaction. A table is printed and the results are appended to
``bench/results/registry_build.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "registry_build.json"
SCENARIOS = {"aktobe": None, "national": 7700}


def run_scenario(name: str, seed: int) -> dict:
    """Run in a child process: set up Django on a fresh database, generate, load."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "auyl.settings")
    os.environ.setdefault("AUYL_TASKS", "immediate")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from auyl.demo.generator import generate_region
    from auyl.demo.loader import create_demo_accounts, load_region

    test_db = None
    if os.environ.get("DATABASE_URL"):
        test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", interactive=False, verbosity=0)

    try:
        t0 = time.perf_counter()
        spec = generate_region(seed=seed, schools=SCENARIOS[name])
        t1 = time.perf_counter()
        with transaction.atomic():
            load_region(spec, progress=lambda _msg: None)
            create_demo_accounts(spec)
        t2 = time.perf_counter()
        rows = _row_counts()
    finally:
        if test_db is not None:
            connection.creation.destroy_test_db(test_db, verbosity=0)
    summary = spec.summary()
    db_file = Path(os.environ["AUYL_DATA_DIR"]) / "auyl.sqlite3"
    return {
        "scenario": name,
        "seed": seed,
        "schools": summary["schools"],
        "teachers": summary["teachers"],
        "pupils": summary["pupils"],
        "rows": rows,
        "rows_total": sum(rows.values()),
        "generate_s": round(t1 - t0, 2),
        "load_s": round(t2 - t1, 2),
        "database": connection.vendor,
        "db_mb": round(db_file.stat().st_size / 2**20, 1) if db_file.exists() else None,
    }


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    counts = {}
    for model in apps.get_app_config("registry").get_models(include_auto_created=True):
        n = model._default_manager.count()
        if n:
            counts[model._meta.db_table] = n
    return counts


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--only", choices=sorted(SCENARIOS))
    parser.add_argument("--child", choices=sorted(SCENARIOS), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:  # inside the child process: print one JSON line
        print(json.dumps(run_scenario(args.child, args.seed)))
        return 0

    results = []
    for name in [args.only] if args.only else list(SCENARIOS):
        with tempfile.TemporaryDirectory(prefix="auyl-bench-") as data_dir:
            env = {**os.environ, "AUYL_DATA_DIR": data_dir}
            started = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, __file__, "--child", name, "--seed", str(args.seed)],
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr)
                return proc.returncode
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            result["process_s"] = round(time.perf_counter() - started, 2)
            results.append(result)

    header = (
        "scenario",
        "database",
        "schools",
        "teachers",
        "rows",
        "generate s",
        "load s",
        "db MB",
    )
    table = [header] + [
        (
            r["scenario"],
            r["database"],
            f"{r['schools']:,}",
            f"{r['teachers']:,}",
            f"{r['rows_total']:,}",
            f"{r['generate_s']:.2f}",
            f"{r['load_s']:.2f}",
            str(r["db_mb"] if r["db_mb"] is not None else "-"),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print(
            "  ".join(
                c.rjust(w) if i and j > 1 else c.ljust(w)
                for j, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )

    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
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
