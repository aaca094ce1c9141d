"""The `auyl` command: data-dir resolution and the demo's refusal of impossible sizes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auyl.cli import build_parser
from auyl.paths import data_dir, default_data_dir


def test_data_dir_comes_from_the_environment_else_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv("AUYL_DATA_DIR", str(tmp_path / "here"))
    assert data_dir() == (tmp_path / "here").resolve()
    monkeypatch.delenv("AUYL_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "auyl"


def test_every_command_accepts_a_data_dir():
    parser = build_parser()
    for command in ("demo", "serve", "worker", "manage"):
        assert parser.parse_args([command, "--data-dir", "/x"]).data_dir == "/x"
    assert parser.parse_args(["demo"]).port == 8000


@pytest.mark.django_db(transaction=True)
def test_demo_no_serve_builds_into_the_given_data_dir_and_refuses_too_few_schools(tmp_path):
    env = {**os.environ, "AUYL_TASKS": "immediate"}
    env.pop("DATABASE_URL", None)  # the command's own SQLite in the data dir
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = [sys.executable, "-m", "auyl.cli", "demo", "--no-serve", "--data-dir", str(tmp_path)]
    done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "auyl-demo-2024" in done.stdout
    assert (Path(tmp_path) / "auyl.sqlite3").exists()
    again = subprocess.run(
        [*run, "--schools", "100"], env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0 and "already exists" in again.stdout
    fresh = tmp_path / "fresh"
    refused = subprocess.run(
        [*run[:-1], str(fresh), "--schools", "100"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode == 2
    assert "auyl demo:" in refused.stderr and "Traceback" not in refused.stderr


def test_the_embedded_consumer_knows_every_task_before_it_reads_the_queue():
    """`auyl demo --no-serve` queues the demo cluster's solve; a later `auyl serve` runs it
    in a fresh process, whose consumer must know the task without a page having imported
    its module first."""
    check = (
        "import django; django.setup()\n"
        "from huey.contrib.djhuey import HUEY\n"
        "from auyl.cli import register_tasks\n"
        "before = set(HUEY._registry._registry)\n"
        "register_tasks()\n"
        "print(sorted(set(HUEY._registry._registry) - before))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "auyl.settings", "AUYL_TASKS": "embedded"}
    done = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "auyl.timetable.tasks.auyl.timetable" in done.stdout
