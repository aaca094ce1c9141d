"""Benchmark: the registry's main pages and the import of 7,700 schools, at national scale.

    .venv/bin/python bench/registry_pages.py [--schools 7700] [--repeat 5]

Builds the national-size registry (``auyl.demo`` with ``--schools``) in a fresh temporary
data directory (or a fresh test database when ``DATABASE_URL`` is set), then, in process
with Django's test client (server time only, no network):

- times each main page as the region administrator (median of ``--repeat`` runs), counts
  its SQL queries and the bytes sent gzip-compressed, as a browser receives them;
- exports the ``schools`` dataset to CSV and times the preview (validate and diff all rows)
  and the apply of a re-import with every school's Russian name changed (7,700 updates
  with history), and of the same file again (nothing to change).

There is no external peer for these pages; the targets are the issue's budgets: a list
page under 100 KB on first load (HTML + CSS + JS, gzip) and under 30 KB for an HTMX update.
Results are printed and appended to ``bench/results/registry_pages.json``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "registry_pages.json"


def _setup(schools: int) -> None:
    os.environ.setdefault("AUYL_DATA_DIR", tempfile.mkdtemp(prefix="auyl-bench-"))
    os.environ["AUYL_MODE"] = "test"
    os.environ["AUYL_TASKS"] = "immediate"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "auyl.test_settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if os.environ.get("DATABASE_URL"):
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", interactive=False, verbosity=0)
    from auyl.demo.loader import ensure_demo_region

    t0 = time.perf_counter()
    ensure_demo_region(schools=schools, progress=lambda _m: None)
    print(f"built {schools} schools in {time.perf_counter() - t0:.1f} s", flush=True)


def _static_bytes() -> int:
    """CSS + JS a first visit downloads, gzip-compressed."""
    static = ROOT / "src" / "auyl" / "static" / "auyl"
    files = [static / "auyl.css", static / "vendor" / "htmx.min.js"]
    return sum(len(gzip.compress(f.read_bytes())) for f in files)


def _time_page(client, url: str, repeat: int, **headers) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip", **headers)
            times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
    body = response.content
    gz = body if response.get("Content-Encoding") == "gzip" else gzip.compress(body)
    return {
        "url": url,
        "median_ms": round(1000 * statistics.median(times), 1),
        "queries": len(ctx.captured_queries),
        "html_gzip_kb": round(len(gz) / 1024, 1),
    }


def _pages(repeat: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from auyl.registry.models import School

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    school = School.objects.filter(network_role="hub").order_by("code").first()
    rows = [
        _time_page(client, "/", repeat),
        _time_page(client, "/districts/", repeat),
        _time_page(client, "/schools/", repeat),
        _time_page(client, "/schools/?locality=rural&small=yes&sort=-pupils", repeat),
        _time_page(
            client,
            "/schools/?q=%D1%88%D0%BA%D0%BE%D0%BB%D0%B0&connectivity=inadequate",
            repeat,
            HTTP_HX_REQUEST="true",
        ),
        _time_page(client, f"/schools/{school.pk}/", repeat),
        _time_page(client, f"/schools/{school.pk}/history/", repeat),
    ]
    static_kb = round(_static_bytes() / 1024, 1)
    for row in rows:
        row["first_load_kb"] = round(row["html_gzip_kb"] + static_kb, 1)
    rows[4]["first_load_kb"] = None  # an HTMX update downloads no assets
    return rows


def _import() -> dict:
    from django.contrib.auth import get_user_model

    from auyl.registry.io.apply import import_file
    from auyl.registry.io.export import export_dataset

    admin = get_user_model().objects.get(username="admin")
    t0 = time.perf_counter()
    data = export_dataset("schools", admin, "csv")
    export_s = time.perf_counter() - t0

    text = data.decode("utf-8-sig")
    reader = list(csv.reader(io.StringIO(text)))
    header, rows = reader[0], reader[1:]
    name = header.index("name_ru")
    for row in rows:
        row[name] = row[name] + " (изм.)"
    changed = io.StringIO()
    csv.writer(changed).writerows([header, *rows])
    path = Path(tempfile.mkdtemp()) / "schools.csv"
    path.write_text(changed.getvalue(), encoding="utf-8")

    t0 = time.perf_counter()
    plan, writer = import_file(path, dataset="schools", user=admin)
    apply_s = time.perf_counter() - t0
    assert plan.ok and writer is not None, plan.summary()
    t0 = time.perf_counter()
    _again, writer_again = import_file(path, dataset="schools", user=admin)
    reimport_s = time.perf_counter() - t0
    return {
        "rows": len(rows),
        "export_csv_s": round(export_s, 2),
        "import_7700_updates_s": round(apply_s, 2),
        "written": dict(writer.counts),
        "reimport_same_file_s": round(reimport_s, 2),
        "reimport_written": dict(writer_again.counts) if writer_again else {},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=7700)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _setup(args.schools)
    from django.db import connection

    pages = _pages(args.repeat)
    print(f"\n{'page':62} {'ms':>8} {'queries':>8} {'html KB':>8} {'first KB':>9}")
    for p in pages:
        first = "" if p["first_load_kb"] is None else p["first_load_kb"]
        print(
            f"{p['url'][:62]:62} {p['median_ms']:>8} {p['queries']:>8} "
            f"{p['html_gzip_kb']:>8} {first:>9}"
        )
    imp = _import()
    print("\nimport:", json.dumps(imp))
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "schools": args.schools,
        "database": connection.vendor,
        "pages": pages,
        "import": imp,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as fh:
        fh.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
