"""The cluster problem builder (``auyl.timetable.problem.build_problem``), without a database.

The planted cluster of these tests (``cluster()``):

- Bestamak (the hub, code HUB) has one grade-7 class-set "7" with two classes (7a, 7b).
  Its teacher Erlan teaches physics there and may broadcast it.
- Kumsai (a magnet, code KUM, 60 km east) has the combined primary class-set "1+3" and the
  set "7+8". Pana, its primary class teacher, teaches math to "1+3"; Serik teaches algebra
  and physics to "7+8" and also teaches at Bestamak.
- Tasty (a second magnet, code TAS) has a set "7" taught by Sara.

Curriculum (weekly hours): math 3 in grades 1 and 3; algebra 2 in grades 7 and 8 (3 in 8);
physics 2 in grades 7-8.
"""

from __future__ import annotations

import dataclasses

import pytest

from auyl.engines.timetabling.model import LessonMode
from auyl.timetable.problem import (
    ClassSetData,
    ClusterData,
    CoverDefault,
    SchoolData,
    TeacherData,
    build_problem,
    choose_mode,
    default_mode,
    group_id,
    link_id,
    room_id,
    streams_for,
    travel_periods,
)

HOURS = {
    ("math", 1): 3,
    ("math", 3): 3,
    ("algebra", 7): 2,
    ("algebra", 8): 3,
    ("physics", 7): 2,
    ("physics", 8): 2,
}

HUB = SchoolData("HUB", "Bestamak", "hub", 50.0, 57.0, link_streams=6, spare_rooms=2)
KUM = SchoolData("KUM", "Kumsai", "magnet", 50.0, 57.84, link_streams=2, spare_rooms=2)
TAS = SchoolData("TAS", "Tasty", "magnet", 50.0, 57.0, link_streams=2, spare_rooms=2)

HUB_7 = ClassSetData(1, "HUB", "7", (7,), classes=2)
KUM_13 = ClassSetData(2, "KUM", "1+3", (1, 3))
KUM_78 = ClassSetData(3, "KUM", "7+8", (7, 8))
TAS_7 = ClassSetData(4, "TAS", "7", (7,))

ERLAN = TeacherData(
    10, "ERL", "Erlan", "HUB", 20, frozenset({"physics"}), frozenset({("HUB", "physics")})
)
PANA = TeacherData(
    11, "PAN", "Pana", "KUM", 20, frozenset({"literacy", "math"}), frozenset({("KUM", "math")})
)
SERIK = TeacherData(
    12,
    "SER",
    "Serik",
    "KUM",
    20,
    frozenset({"algebra", "physics"}),
    frozenset({("KUM", "algebra"), ("KUM", "physics"), ("HUB", "algebra")}),
)
SARA = TeacherData(
    13,
    "SAR",
    "Sara",
    "TAS",
    20,
    frozenset({"algebra", "physics"}),
    frozenset({("TAS", "algebra"), ("TAS", "physics")}),
)


def cluster(**changes: object) -> ClusterData:
    data = ClusterData(
        hub="HUB",
        schools=(HUB, KUM, TAS),
        class_sets=(HUB_7, KUM_13, KUM_78, TAS_7),
        teachers=(ERLAN, PANA, SERIK, SARA),
        hours=lambda school, subject, grade: HOURS.get((subject, grade), 0),
        subjects=("math", "algebra", "physics"),
    )
    return dataclasses.replace(data, **changes)  # type: ignore[arg-type]


def set_by_school(*choices):
    """``ClusterData.modes`` for (class-set, subject, mode) triples a school has set."""
    roles = {s.code: s.role for s in (HUB, KUM, TAS)}
    return {
        (cs.pk, subject): choose_mode(cs, role=roles[cs.school], explicit=mode)
        for cs, subject, mode in choices
    }


def activities_of(build, split_prefix):
    return [a for a in build.problem.activities if a.id.startswith(split_prefix)]


def codes(build):
    return [i.code for i in build.issues]


# ---- the week and the groups -------------------------------------------------------------


def test_one_atomic_group_per_grade_of_each_school_and_one_per_class_at_the_hub():
    groups = {g.id for g in build_problem(cluster()).problem.groups}
    assert groups == {
        "HUB/g7a",
        "HUB/g7b",
        "KUM/g1",
        "KUM/g3",
        "KUM/g7",
        "KUM/g8",
        "TAS/g7",
    }


def test_primary_grades_have_no_gaps_and_a_lower_daily_maximum():
    groups = {g.id: g for g in build_problem(cluster()).problem.groups}
    assert groups["KUM/g1"].no_gaps and groups["KUM/g1"].max_daily_periods == 5
    assert not groups["KUM/g7"].no_gaps and groups["KUM/g7"].max_daily_periods == 7
    assert groups["KUM/g7"].site == "KUM"


def test_a_school_with_a_shorter_week_blocks_its_missing_day_and_breaks():
    short = dataclasses.replace(TAS, days=5, break_periods=(3,))
    problem = build_problem(cluster(schools=(HUB, KUM, short))).problem
    week = problem.week
    tasty = next(g for g in problem.groups if g.id == "TAS/g7")
    assert week.n_days == 6  # the cluster's week is the longest of its schools
    assert week.slot(5, 0) in tasty.unavailable  # Saturday
    assert week.slot(0, 3) in tasty.unavailable  # the break period
    assert week.slot(0, 0) not in tasty.unavailable


# ---- lesson modes ------------------------------------------------------------------------


def test_joint_lessons_occupy_every_grade_of_the_set_that_takes_the_subject():
    build = build_problem(cluster())
    math = activities_of(build, "KUM/1+3/math/")
    assert len(math) == 3
    assert all(a.groups == ("KUM/g1", "KUM/g3") for a in math)
    assert all(a.resources == (room_id("KUM", "1+3"),) for a in math)
    assert all(a.teachers == ("PAN",) for a in math)


def test_parallel_lessons_let_a_grade_with_fewer_hours_leave_the_extra_ones():
    build = build_problem(cluster(modes=set_by_school((KUM_78, "algebra", "parallel"))))
    algebra = activities_of(build, "KUM/7+8/algebra/")
    assert [a.groups for a in algebra] == [
        ("KUM/g7", "KUM/g8"),
        ("KUM/g7", "KUM/g8"),
        ("KUM/g8",),
    ]


def test_separate_lessons_give_each_grade_its_own_lessons_in_the_spare_room():
    build = build_problem(cluster(modes=set_by_school((KUM_78, "algebra", "separate"))))
    grade7 = activities_of(build, "KUM/7+8/algebra/g7/")
    grade8 = activities_of(build, "KUM/7+8/algebra/g8/")
    assert (len(grade7), len(grade8)) == (2, 3)
    assert all(a.groups == ("KUM/g7",) and a.resources == ("spare:KUM",) for a in grade7)


def test_default_modes_joint_for_primary_sets_and_parallel_for_older_combined_sets():
    assert default_mode(KUM_13, "math") == LessonMode.JOINT
    assert default_mode(KUM_78, "algebra") == LessonMode.PARALLEL
    assert default_mode(TAS_7, "algebra") == LessonMode.JOINT


def test_a_big_school_class_gets_its_own_lessons_and_room():
    build = build_problem(cluster())
    physics_a = activities_of(build, "HUB/7a/physics/")
    physics_b = activities_of(build, "HUB/7b/physics/")
    assert len(physics_a) == len(physics_b) == 2
    assert physics_a[0].groups == ("HUB/g7a",)
    assert physics_b[0].resources == (room_id("HUB", "7", "b"),)


# ---- broadcasts --------------------------------------------------------------------------


def online_physics() -> ClusterData:
    return cluster(modes=set_by_school((KUM_78, "physics", "online"), (TAS_7, "physics", "online")))


def test_an_online_grade_joins_the_hub_teachers_broadcast_with_other_schools():
    build = build_problem(online_physics())
    grade7 = activities_of(build, "bc/physics/g7/0/")
    assert len(grade7) == 2
    cast = grade7[0]
    assert cast.broadcast and cast.teachers == ("ERL",) and cast.site == "HUB"
    assert cast.groups == (group_id("KUM", 7), group_id("TAS", 7))
    assert set(cast.resources) >= {link_id("HUB"), link_id("KUM"), link_id("TAS")}


def test_a_combined_set_online_joins_one_broadcast_per_grade():
    build = build_problem(online_physics())
    assert activities_of(build, "bc/physics/g8/0/")[0].groups == (group_id("KUM", 8),)
    assert not activities_of(build, "KUM/7+8/physics/")  # no local physics any more


def test_the_hub_teachers_own_hub_lessons_are_in_the_same_problem():
    build = build_problem(online_physics())
    erlan = [a for a in build.problem.activities if "ERL" in a.teachers]
    assert {a.broadcast for a in erlan} == {True, False}


def test_a_broadcast_lesson_is_stored_for_every_joining_school():
    build = build_problem(online_physics())
    spec = build.lessons["bc/physics/g7/0/0"]
    assert spec.broadcast and spec.school == "HUB" and spec.teacher == ERLAN.pk
    assert {(g.school, g.grade) for g in spec.groups} == {("KUM", 7), ("TAS", 7)}


def test_a_default_online_subject_stays_local_when_no_hub_teacher_has_time():
    # Erlan teaches 13 periods of physics to each of 7a and 7b: 26, the most a hub teacher
    # takes on (TEACHER_MAX_PERIODS), so Tasty's physics cannot be broadcast.
    def hours(school, subject, grade):
        return 13 if (school, subject) == ("HUB", "physics") else HOURS.get((subject, grade), 0)

    coverage_gap = choose_mode(TAS_7, role="magnet", cover=CoverDefault("Bestamak", ("Erlan",)))
    build = build_problem(cluster(hours=hours, modes={(4, "physics"): coverage_gap}))
    assert not activities_of(build, "bc/")
    assert activities_of(build, "TAS/7/physics/")
    assert not build.errors


# ---- teachers and travel -----------------------------------------------------------------


def test_a_teacher_at_two_schools_needs_travel_periods_between_them():
    teachers = {t.id: t for t in build_problem(cluster()).problem.teachers}
    # Serik teaches at Kumsai and at Bestamak (60 km apart: 78 road km at 60 km/h).
    assert teachers["SER"].travel_periods == (("HUB", "KUM", 2),)
    assert teachers["PAN"].travel_periods == ()


def test_travel_periods_grow_with_distance_and_are_zero_in_one_village():
    assert travel_periods(HUB, TAS) == 0
    assert travel_periods(HUB, KUM) == 2


def test_link_streams_come_from_the_internet_speed():
    assert streams_for(0, internet=False) == 0
    assert streams_for(3.0, internet=True) == 1
    assert streams_for(9.9, internet=True) == 4
    assert streams_for(100, internet=True) == 6


# ---- bad input ---------------------------------------------------------------------------


def test_a_subject_without_a_teacher_is_a_clear_error_not_a_crash():
    build = build_problem(cluster(teachers=(ERLAN, SERIK, SARA)))  # no primary teacher
    assert "no_teacher" in codes(build)
    issue = next(i for i in build.errors if i.code == "no_teacher")
    assert issue.params == {"subject": "math", "school": "Kumsai", "class_set": "1+3"}


def test_curriculum_hours_that_cannot_fit_the_week_are_named_per_grade():
    many = dict(HOURS)
    many[("math", 1)] = 31  # grade 1: at most 5 a day x 6 days = 30
    build = build_problem(cluster(hours=lambda s, subject, g: many.get((subject, g), 0)))
    issue = next(i for i in build.errors if i.code == "grade_overfull")
    assert issue.params == {"group": "Kumsai 1", "needed": 31, "available": 30}


def test_a_teacher_with_no_available_period_is_named():
    week_off = frozenset((d, p) for d in range(6) for p in range(7))
    absent = dataclasses.replace(PANA, unavailable=week_off)
    build = build_problem(cluster(teachers=(ERLAN, absent, SERIK, SARA)))
    issue = next(i for i in build.errors if i.code == "teacher_unavailable")
    assert issue.params["teacher"] == "Pana"


def test_a_broadcast_joining_schools_whose_weeks_differ_is_an_error():
    five_days = dataclasses.replace(TAS, days=5)
    build = build_problem(dataclasses.replace(online_physics(), schools=(HUB, KUM, five_days)))
    issue = next(i for i in build.errors if i.code == "broadcast_weeks_differ")
    assert "Tasty (5x7)" in issue.params["schools"]
    assert "Kumsai (6x7)" in issue.params["schools"]


def test_an_online_lesson_at_a_school_without_internet_is_an_error():
    offline = dataclasses.replace(TAS, link_streams=0)
    build = build_problem(dataclasses.replace(online_physics(), schools=(HUB, KUM, offline)))
    assert "no_link" in [i.code for i in build.errors]


def test_an_online_mode_no_hub_teacher_can_give_is_an_error():
    modes = set_by_school((TAS_7, "physics", "online"))
    build = build_problem(cluster(teachers=(PANA, SERIK, SARA), modes=modes))
    issue = next(i for i in build.errors if i.code == "no_broadcaster")
    assert issue.params["school"] == "Tasty"


def test_a_room_needed_for_more_lessons_than_the_week_has_is_an_error():
    # grade 7 takes 22 periods of algebra, grade 8 22 of physics: each grade fits the week,
    # their shared room (44 periods) does not.
    many = {("algebra", 7): 22, ("physics", 8): 22}
    build = build_problem(cluster(hours=lambda s, subject, g: many.get((subject, g), 0)))
    issue = next(i for i in build.errors if i.code == "room_overfull")
    assert issue.params == {
        "school": "Kumsai",
        "class_set": "7+8",
        "needed": 44,
        "available": 42,
    }


def test_an_unqualified_teacher_is_a_warning_only():
    unqualified = dataclasses.replace(SARA, qualified=frozenset({"algebra"}))
    build = build_problem(cluster(teachers=(ERLAN, PANA, SERIK, unqualified)))
    warning = next(i for i in build.issues if i.code == "unqualified")
    assert warning.severity == "warning" and not build.errors


@pytest.mark.parametrize("code", ["no_teacher", "grade_overfull", "broadcast_weeks_differ"])
def test_every_issue_code_has_a_sentence(code):
    from auyl.timetable.wording import ISSUES

    assert code in ISSUES
