"""Exporting a timetable: back to FET (times and rooms locked), to CSV, to iCalendar.

The tiny school of ``tests/data/fet/school.fet`` (3 days x 4 hours, slot = day * 4 + hour)
with Sport (activity 4) held in the Gym. The hand-made timetable below is valid.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from auyl.engines.timetabling.evaluate import evaluate
from auyl.engines.timetabling.export import problem_to_fet, to_csv, to_ical, write_fet
from auyl.engines.timetabling.fet import read_fet, read_fet_timetable
from auyl.engines.timetabling.model import (
    MaxGaps,
    MinDaysBetween,
    Placement,
    Solution,
    SolveOptions,
    Week,
)
from auyl.engines.timetabling.solver import solve

from .fet_cl import FET_CL, run_fet_cl

SCHOOL = (Path(__file__).parents[2] / "data" / "fet" / "school.fet").read_bytes()
GYM = (
    b"<ConstraintActivityPreferredRoom><Weight_Percentage>100</Weight_Percentage>"
    b"<Activity_Id>4</Activity_Id><Room>Gym</Room></ConstraintActivityPreferredRoom>"
)
SOURCE = SCHOOL.replace(b"</Space_Constraints_List>", GYM + b"</Space_Constraints_List>")
PROBLEM = read_fet(SOURCE)
PLACEMENTS = (
    Placement("1", 0),  # Math, Mon 1
    Placement("2", 4),  # Math, Tue 1
    Placement("3", 1),  # Art, Mon 2-3
    Placement("4", 9, "Gym"),  # Sport, Wed 2
    Placement("6", 8),  # Kazakh, Wed 1
)
SOLUTION = Solution("feasible", PLACEMENTS, None, 0.1, 0.1)


def test_the_hand_made_timetable_is_valid():
    assert evaluate(PROBLEM, PLACEMENTS).hard_violations == 0


# ---- .fet --------------------------------------------------------------------------------


def test_write_fet_locks_times_and_rooms_that_read_back_the_same():
    assert read_fet_timetable(write_fet(PROBLEM, SOLUTION, SOURCE), PROBLEM) == PLACEMENTS


def test_write_fet_keeps_the_source_and_fixes_every_start():
    written = read_fet(write_fet(PROBLEM, SOLUTION, SOURCE))
    assert {a.id: a.fixed_start for a in written.activities} == {
        p.activity: p.start for p in PLACEMENTS
    }
    assert written.teachers == PROBLEM.teachers
    assert written.group_sets == PROBLEM.group_sets


def test_solve_then_write_fet_then_read_gives_the_same_placements():
    solution = solve(PROBLEM, SolveOptions(time_limit=5, workers=1))
    assert solution.feasible
    written = write_fet(PROBLEM, solution, SOURCE)
    assert set(read_fet_timetable(written, PROBLEM)) == set(solution.placements)


def test_a_problem_without_source_becomes_a_fet_file_with_the_same_rules():
    problem = replace(
        PROBLEM,
        week=Week(PROBLEM.week.days, PROBLEM.week.periods, frozenset({3})),
        constraints=(
            MinDaysBetween(("1", "2"), 1, 95, consecutive_if_same_day=True),
            MaxGaps("group", ("5b",), 0, "day"),
        ),
    )
    again = read_fet(write_fet(problem, None))
    assert again.week == problem.week
    assert again.constraints == problem.constraints
    assert [(a.teachers, a.groups, a.duration, a.room_choices) for a in again.activities] == [
        (a.teachers, a.groups, a.duration, a.room_choices) for a in problem.activities
    ]


def test_generated_activity_ids_are_numbers_and_split_parts_share_the_first_id():
    root, ids = problem_to_fet(PROBLEM)
    assert list(ids.values()) == ["1", "2", "3", "4", "5"]
    group_ids = [a.findtext("Activity_Group_Id") for a in root.iter("Activity")]
    assert group_ids == ["1", "1", "0", "0", "0"]


# ---- CSV ---------------------------------------------------------------------------------


def rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(to_csv(PROBLEM, SOLUTION))))


def test_csv_has_one_row_per_lesson_in_timetable_order():
    assert [(r["day"], r["period"], r["subject"]) for r in rows()] == [
        ("Mon", "1", "Math"),
        ("Mon", "2", "Art"),
        ("Tue", "1", "Math"),
        ("Wed", "1", "Kazakh"),
        ("Wed", "2", "Sport"),
    ]


def test_csv_names_the_students_sets_people_know():
    by_subject = {r["subject"]: r for r in rows()}
    assert by_subject["Math"]["students"] == "5"
    assert by_subject["Art"]["students"] == "5a"
    assert by_subject["Sport"]["students"] == "5b; 6"
    assert by_subject["Sport"]["teachers"] == "Bolat; Dana"
    assert by_subject["Sport"]["room"] == "Gym"
    assert by_subject["Art"]["duration"] == "2"


def test_csv_and_ical_name_the_school_of_a_cluster_lesson():
    at_kumsai = replace(
        PROBLEM,
        activities=tuple(replace(a, site="Kumsai") for a in PROBLEM.activities),
    )
    (row, *_) = csv.DictReader(io.StringIO(to_csv(at_kumsai, SOLUTION)))
    assert row["site"] == "Kumsai"
    ics = to_ical(at_kumsai, SOLUTION, first_monday=MONDAY, teacher="Bolat")
    locations = {str(e["LOCATION"]) for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}
    assert locations == {"Kumsai", "Gym, Kumsai"}


# ---- iCalendar ---------------------------------------------------------------------------

MONDAY = date(2026, 9, 7)
PERIODS = [
    (time(9, 0), time(9, 45)),
    (time(10, 0), time(10, 45)),
    (time(11, 0), time(11, 45)),
    (time(12, 0), time(12, 45)),
]


def events(**kwargs: object) -> list[icalendar.Event]:
    ics = to_ical(PROBLEM, SOLUTION, first_monday=MONDAY, period_times=PERIODS, **kwargs)  # type: ignore[arg-type]
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


def test_ical_has_one_weekly_event_per_lesson():
    found = events(weeks=12)
    assert len(found) == 5
    assert all(e["RRULE"]["FREQ"] == ["WEEKLY"] and e["RRULE"]["COUNT"] == [12] for e in found)


def test_ical_event_times_follow_day_and_period_in_the_school_time_zone():
    art = next(e for e in events() if str(e["SUMMARY"]).startswith("Art"))
    almaty = ZoneInfo("Asia/Almaty")
    assert art.decoded("DTSTART") == datetime(2026, 9, 7, 10, 0, tzinfo=almaty)
    assert art.decoded("DTEND") == datetime(2026, 9, 7, 11, 45, tzinfo=almaty)  # 2 periods


def test_ical_for_one_teacher_has_only_her_lessons():
    found = events(teacher="Dana")
    assert sorted(str(e["SUMMARY"]) for e in found) == ["Kazakh (5a-girls)", "Sport (5b, 6)"]
    assert next(str(e["LOCATION"]) for e in found if "Sport" in str(e["SUMMARY"])) == "Gym"


def test_ical_refuses_a_week_longer_than_seven_days():
    long_week = replace(PROBLEM, week=Week(tuple(f"D{n}" for n in range(10)), ("1", "2")))
    with pytest.raises(ValueError, match="at most 7 days"):
        to_ical(long_week, SOLUTION, first_monday=MONDAY)


@pytest.mark.skipif(not FET_CL.exists(), reason="FET's fet-cl is not installed")
def test_fet_opens_the_written_file_and_keeps_our_timetable(tmp_path):
    written = tmp_path / "school.fet"
    written.write_bytes(write_fet(PROBLEM, SOLUTION, SOURCE))
    solved = run_fet_cl(written, tmp_path / "out")
    assert read_fet_timetable(solved, PROBLEM) == PLACEMENTS
