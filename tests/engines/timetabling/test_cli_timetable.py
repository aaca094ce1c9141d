"""``auyl timetable solve --fet FILE``: one JSON line, files written, clear errors.

Most cases call the command's ``main`` in this process (a new ``auyl`` process needs
seconds to start); one runs the real process to check what a user sees on a bad file:
a message on stderr, exit code 2, no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auyl.cli import main
from auyl.engines.timetabling.fet import read_fet, read_fet_timetable

SCHOOL = Path(__file__).parents[2] / "data" / "fet" / "school.fet"


def solve(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``auyl timetable solve ARGS`` in this process: (exit code, stdout, stderr)."""
    code = main(["timetable", "solve", *args])
    out, err = capsys.readouterr()
    return code, out, err


def auyl_process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auyl.cli", "timetable", "solve", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_solve_prints_one_json_line_and_writes_fet_csv_and_ical(tmp_path, capsys):
    code, out, err = solve(
        capsys, "--fet", str(SCHOOL), "--time-limit", "5", "--out", str(tmp_path)
    )
    assert code == 0, err
    (line,) = out.splitlines()
    result = json.loads(line)
    assert result["feasible"] is True
    assert result["placed"] == result["activities"] == 5
    assert result["hard_violations"] == 0
    assert result["soft_cost"] == 0
    assert result["unsupported"] == []
    assert {"seconds", "first_solution_seconds", "status"} <= result.keys()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["school.csv", "school.fet", "school.ics"]
    problem = read_fet(SCHOOL)
    assert len(read_fet_timetable(tmp_path / "school.fet", problem)) == 5


def test_a_bad_file_gives_a_message_and_an_exit_code_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.fet"
    bad.write_text('<!DOCTYPE fet [<!ENTITY x SYSTEM "file:///etc/passwd">]><fet>&x;</fet>')
    run = auyl_process("--fet", str(bad))
    assert run.returncode == 2
    assert run.stdout == ""
    assert "bad.fet: the file uses a forbidden XML feature" in run.stderr
    assert "Traceback" not in run.stderr


def test_strict_refuses_unsupported_constraints_that_are_otherwise_listed(tmp_path, capsys):
    unsupported = tmp_path / "school.fet"
    rule = (
        "<ConstraintTeacherMinHoursDaily><Weight_Percentage>100</Weight_Percentage>"
        "<Teacher_Name>Dana</Teacher_Name><Minimum_Hours_Daily>2</Minimum_Hours_Daily>"
        "</ConstraintTeacherMinHoursDaily></Time_Constraints_List>"
    )
    unsupported.write_text(
        SCHOOL.read_text(encoding="utf-8").replace("</Time_Constraints_List>", rule),
        encoding="utf-8",
    )
    listed = json.loads(solve(capsys, "--fet", str(unsupported), "--first")[1])
    assert listed["unsupported"] == [{"kind": "ConstraintTeacherMinHoursDaily", "count": 1}]
    code, out, err = solve(capsys, "--fet", str(unsupported), "--strict")
    assert (code, out) == (2, "")
    assert "does not support: ConstraintTeacherMinHoursDaily (1)" in err


def test_a_school_without_a_timetable_says_so_with_exit_code_1(tmp_path, capsys):
    """Aigul is unavailable all week but has to teach Math."""
    unavailable = "".join(
        f"<Not_Available_Time><Day>{d}</Day><Hour>{h}</Hour></Not_Available_Time>"
        for d in ("Mon", "Tue", "Wed")
        for h in "1234"
    )
    rule = (
        "<ConstraintTeacherNotAvailableTimes><Weight_Percentage>100</Weight_Percentage>"
        f"<Teacher>Aigul</Teacher>{unavailable}</ConstraintTeacherNotAvailableTimes>"
        "</Time_Constraints_List>"
    )
    impossible = tmp_path / "impossible.fet"
    impossible.write_text(
        SCHOOL.read_text(encoding="utf-8").replace("</Time_Constraints_List>", rule),
        encoding="utf-8",
    )
    code, out, _ = solve(capsys, "--fet", str(impossible), "--time-limit", "5")
    assert code == 1
    result = json.loads(out)
    assert result["feasible"] is False
    assert result["placed"] == 0
    assert result["conflicts"]
