"""`auyl plan equipment`: one JSON line for the loaded region, the XLSX, and refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from auyl.cli import build_parser
from auyl.equipment.commands import split_budget


def test_the_parser_knows_plan_equipment():
    args = build_parser().parse_args(
        ["plan", "equipment", "--budget", "2063000000", "--years", "3", "--data-dir", "/x"]
    )
    assert (args.budget, args.years, args.data_dir, args.out) == ("2063000000", 3, "/x", None)


def test_the_budget_is_split_evenly_with_the_remainder_in_the_first_year():
    assert split_budget(2_063_000_000, 3) == (687_666_668, 687_666_666, 687_666_666)
    assert sum(split_budget(1_000_001, 4)) == 1_000_001


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """A data directory with the Aktobe demo region (built once for this module)."""
    path = tmp_path_factory.mktemp("plan-cli")
    done = _auyl("demo", "--no-serve", "--data-dir", str(path))
    assert done.returncode == 0, done.stderr[-2000:]
    return path


def _auyl(*args):
    env = {**os.environ, "AUYL_TASKS": "immediate"}
    env.pop("DATABASE_URL", None)  # the command's own SQLite in the data dir
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "auyl.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.django_db(transaction=True)
def test_plan_equipment_prints_one_json_line_and_writes_the_xlsx(demo_dir, tmp_path):
    out = tmp_path / "plan.xlsx"
    done = _auyl(
        "plan", "equipment", "--budget", "2063000000", "--years", "3",
        "--out", str(out), "--data-dir", str(demo_dir),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    for key in ("total_cost", "objective", "gap", "seconds", "status", "purchases"):
        assert key in result
    assert result["status"] == "optimal" and 0 < result["total_cost"] <= 2_063_000_000
    assert result["gap"] <= 0.001 and result["schools"] == 424
    assert result["budgets"] == [687_666_668, 687_666_666, 687_666_666]
    book = load_workbook(out)
    purchases = list(book.worksheets[-1].iter_rows(min_row=2, values_only=True))
    assert len(purchases) == result["purchases"]
    assert sum(row[7] for row in purchases) == result["total_cost"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "budget, message",
    [("100000", "cheapest item"), ("-5", "negative"), ("lots", "whole number")],
)
def test_plan_equipment_refuses_bad_budgets_with_exit_code_2(demo_dir, budget, message):
    done = _auyl("plan", "equipment", "--budget", budget, "--data-dir", str(demo_dir))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "auyl plan equipment:" in done.stderr and message in done.stderr
    assert "Traceback" not in done.stderr
