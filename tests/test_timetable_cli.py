"""``auyl timetable cluster`` on the tiny cluster of ``tests/timetable_cluster.py``."""

from __future__ import annotations

import argparse
import json

from auyl.timetable.cli_args import add_arguments
from auyl.timetable.commands import cluster_command
from auyl.timetable.models import TimetableRun
from tests.timetable_cluster import make_cluster


def args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_one_json_line_per_cluster_and_a_total(region, people, capsys):
    make_cluster(region)
    code = cluster_command(args("--hub", "ALG001", "--time-limit", "2", "--seed", "3"))
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert lines[0]["hub"] == "ALG001" and lines[0]["status"] == "done"
    assert lines[0]["lessons"] == 10 and lines[0]["broadcasts"] == 2
    assert lines[-1]["clusters"] == 1 and lines[-1]["feasible"] == 1
    assert lines[-1]["lessons"] == 10
    soft = TimetableRun.objects.get().result["evaluation"]["soft"]
    assert lines[0]["soft_cost"] == soft and lines[-1]["soft_cost"] == soft
    assert TimetableRun.objects.get().params["seed"] == 3


def test_a_cluster_with_bad_data_is_reported_not_crashed(region, people, capsys):
    tiny = make_cluster(region)
    tiny.pana.assignments.all().delete()  # nobody teaches math to Kumsai's 1+3
    code = cluster_command(args("--hub", "ALG001", "--time-limit", "2"))
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert code == 1
    assert line["status"] == "invalid" and line["errors"] == ["no_teacher"]


def test_an_unknown_hub_is_a_clear_error(db, capsys):
    assert cluster_command(args("--hub", "NOPE")) == 2
    assert "no such hub school" in capsys.readouterr().err
