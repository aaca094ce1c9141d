"""`auyl network design`: one JSON line for the loaded region, and the CSV it can write."""

from __future__ import annotations

import json

import pytest

from auyl.cli import build_parser, main
from auyl.registry.models import School
from tests.test_network_helpers import build_net


@pytest.fixture
def net(region):
    return build_net(region)


def test_the_command_parses_its_options():
    args = build_parser().parse_args(
        [
            "network",
            "design",
            "--hubs",
            "3",
            "--max-km",
            "60",
            "--max-magnets",
            "12",
            "--out",
            "n.csv",
        ]
    )
    assert (args.hubs, args.max_km, args.max_magnets, args.out) == (3, 60.0, 12, "n.csv")


def test_design_prints_one_json_line_and_writes_the_network(net, capsys, tmp_path, monkeypatch):
    from auyl.network import commands

    # the tests' schools are too small for the default hub rule: loosen it
    monkeypatch.setattr(commands, "HubRule", _loose)
    out = tmp_path / "network.csv"
    code = main(["network", "design", "--hubs", "2", "--max-km", "100", "--out", str(out)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and len(lines) == 1
    line = json.loads(lines[0])
    assert set(line) >= {"objective", "gap", "hubs", "seconds"}
    assert line["hubs"] == 2 and line["status"] == "optimal" and line["gap"] <= 1e-6
    assert line["objective"] > 0 and line["unserved"] == 0
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "hub_code,hub_name,magnet_code,magnet_name,district,km,pupils"
    assert {r.split(",")[2] for r in rows[1:]} == {"KHR007", "ALG002"}
    assert School.objects.get(code="KHR007").hub.code == "ALG001"  # the registry is unchanged


def test_an_impossible_limit_exits_non_zero_with_the_unserved_counted(net, capsys, monkeypatch):
    from auyl.network import commands

    monkeypatch.setattr(commands, "HubRule", _loose)
    code = main(["network", "design", "--hubs", "1", "--max-km", "1"])
    line = json.loads(capsys.readouterr().out)
    assert line["unserved"] == 2
    assert (line["status"], code) == ("optimal", 0), line


@pytest.mark.django_db
def test_an_empty_registry_is_refused_without_a_traceback(capsys):
    assert main(["network", "design"]) == 2
    assert "no school" in capsys.readouterr().err


def _loose():
    from auyl.network.design import HubRule

    return HubRule(
        min_pupils=100, adequate_internet=False, min_specialist_subjects=0, computer_lab=False
    )
