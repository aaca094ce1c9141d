"""Reading FET files: each supported FET concept lands in the model as documented.

The tiny school (``tests/data/fet/school.fet``): 3 days (Mon, Tue, Wed) x 4 hours, so
slot = day * 4 + hour. Year 5 has group 5a (subgroups 5a-boys, 5a-girls) and group 5b
(no subgroups); year 6 has no groups. Aigul teaches Math to year 5 twice (activities 1, 2,
split from one weekly activity), Bolat Art to 5a (2 periods, activity 3), Bolat and Dana
Sport to 5b and 6 together (4), Dana Kazakh to 6 (5, inactive) and to 5a-girls (6, tag lab).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from auyl.engines.timetabling.fet import FetError, read_fet
from auyl.engines.timetabling.model import (
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    PreferredStarts,
    Problem,
    SameStart,
    Unsupported,
)

SCHOOL_FILE = Path(__file__).parents[2] / "data" / "fet" / "school.fet"
SCHOOL = SCHOOL_FILE.read_bytes()


def school_with(time: str = "", space: str = "") -> bytes:
    """The tiny school with extra time / space constraints (XML snippets)."""
    return SCHOOL.replace(
        b"</Time_Constraints_List>", time.encode() + b"</Time_Constraints_List>"
    ).replace(b"</Space_Constraints_List>", space.encode() + b"</Space_Constraints_List>")


def c(tag: str, body: str, weight: float = 100, active: bool = True) -> str:
    """One FET constraint element."""
    return (
        f"<Constraint{tag}><Weight_Percentage>{weight}</Weight_Percentage>{body}"
        f"<Active>{str(active).lower()}</Active><Comments></Comments></Constraint{tag}>"
    )


def times(entry: str, day_tag: str, hour_tag: str, *slots: tuple[str, str]) -> str:
    return "".join(
        f"<{entry}><{day_tag}>{d}</{day_tag}><{hour_tag}>{h}</{hour_tag}></{entry}>"
        for d, h in slots
    )


def only(problem: Problem) -> object:
    (constraint,) = problem.constraints
    return constraint


def activity(problem: Problem, activity_id: str):  # type: ignore[no-untyped-def]
    return next(a for a in problem.activities if a.id == activity_id)


# ---- the school's objects ----------------------------------------------------------------


def test_days_and_hours_make_the_week():
    week = read_fet(SCHOOL).week
    assert week.days == ("Mon", "Tue", "Wed")
    assert week.periods == ("1", "2", "3", "4")


def test_subgroups_and_childless_groups_and_years_are_the_atomic_groups():
    problem = read_fet(SCHOOL)
    assert [g.id for g in problem.groups] == ["5a-boys", "5a-girls", "5b", "6"]


def test_years_and_groups_keep_their_names_for_reports():
    sets = dict(read_fet(SCHOOL).group_sets)
    assert sets["5"] == ("5a-boys", "5a-girls", "5b")
    assert sets["5a"] == ("5a-boys", "5a-girls")
    assert sets["6"] == ("6",)


def test_an_activity_for_a_year_occupies_all_its_subgroups():
    assert activity(read_fet(SCHOOL), "1").groups == ("5a-boys", "5a-girls", "5b")


def test_an_activity_keeps_several_teachers_and_student_sets():
    sport = activity(read_fet(SCHOOL), "4")
    assert sport.teachers == ("Bolat", "Dana")
    assert sport.groups == ("5b", "6")


def test_duration_and_split_activity_group_are_kept():
    problem = read_fet(SCHOOL)
    assert activity(problem, "3").duration == 2
    assert activity(problem, "1").split_of == activity(problem, "2").split_of == "1"
    assert activity(problem, "3").split_of == ""


def test_inactive_activities_are_left_out():
    assert "5" not in {a.id for a in read_fet(SCHOOL).activities}


def test_rooms_have_capacity_one_activity():
    problem = read_fet(SCHOOL)
    assert [(r.id, r.capacity, r.kind) for r in problem.resources] == [
        ("Room 1", 1, "room"),
        ("Lab", 1, "room"),
        ("Gym", 1, "room"),
    ]


def test_name_is_the_file_name_without_suffix():
    assert read_fet(SCHOOL_FILE).name == "school"


def test_a_gzipped_file_reads_like_the_plain_one(tmp_path):
    packed = tmp_path / "school.fet.gz"
    packed.write_bytes(gzip.compress(SCHOOL))
    assert read_fet(packed) == read_fet(SCHOOL_FILE)


# ---- time constraints --------------------------------------------------------------------


def test_break_times_become_break_slots():
    xml = c("BreakTimes", times("Break_Time", "Day", "Hour", ("Mon", "3"), ("Tue", "3")))
    assert read_fet(school_with(xml)).week.break_slots == {2, 6}


def test_teacher_not_available_times_go_to_the_teacher():
    xml = c(
        "TeacherNotAvailableTimes",
        "<Teacher>Aigul</Teacher>"
        + times("Not_Available_Time", "Day", "Hour", ("Wed", "1"), ("Wed", "4")),
    )
    aigul = read_fet(school_with(xml)).teachers[0]
    assert aigul.unavailable == {8, 11}


def test_students_not_available_times_go_to_every_subgroup_of_the_set():
    xml = c(
        "StudentsSetNotAvailableTimes",
        "<Students>5a</Students>" + times("Not_Available_Time", "Day", "Hour", ("Mon", "1")),
    )
    groups = {g.id: g.unavailable for g in read_fet(school_with(xml)).groups}
    assert groups == {"5a-boys": {0}, "5a-girls": {0}, "5b": set(), "6": set()}


def test_soft_not_available_times_become_soft_preferences_of_each_lesson():
    """As FET reads them: Dana's lessons (Sport, Kazakh) should avoid Mon 1-4."""
    monday = [("Mon", h) for h in "1234"]
    xml = c(
        "TeacherNotAvailableTimes",
        "<Teacher>Dana</Teacher>" + times("Not_Available_Time", "Day", "Hour", *monday),
        weight=80,
    )
    problem = read_fet(school_with(xml))
    rest_of_week = frozenset(range(4, 12))
    assert problem.constraints == (
        PreferredStarts("4", rest_of_week, 80),
        PreferredStarts("6", rest_of_week, 80),
    )
    assert problem.teachers[2].unavailable == frozenset()


def test_soft_students_not_available_times_avoid_whole_lessons():
    """Art (2 periods) of 5a must not start at Mon 1 or 2 if Mon 2 is to stay free."""
    xml = c(
        "StudentsSetNotAvailableTimes",
        "<Students>5a-boys</Students>" + times("Not_Available_Time", "Day", "Hour", ("Mon", "2")),
        weight=50,
    )
    art = next(c for c in read_fet(school_with(xml)).constraints if c.activity == "3")
    assert art == PreferredStarts("3", frozenset({2, 4, 5, 6, 8, 9, 10}), 50)


def test_min_days_between_activities_keeps_weight_and_consecutive_flag():
    xml = c(
        "MinDaysBetweenActivities",
        "<Consecutive_If_Same_Day>true</Consecutive_If_Same_Day>"
        "<Number_of_Activities>2</Number_of_Activities><Activity_Id>1</Activity_Id>"
        "<Activity_Id>2</Activity_Id><MinDays>1</MinDays>",
        weight=95,
    )
    assert only(read_fet(school_with(xml))) == MinDaysBetween(
        activities=("1", "2"), min_days=1, weight=95, consecutive_if_same_day=True
    )


def test_constraints_ignore_inactive_activities():
    xml = c(
        "ActivitiesSameStartingTime",
        "<Number_of_Activities>2</Number_of_Activities>"
        "<Activity_Id>4</Activity_Id><Activity_Id>5</Activity_Id>",
    )
    assert read_fet(school_with(xml)).constraints == ()


def test_activities_same_starting_time():
    xml = c(
        "ActivitiesSameStartingTime",
        "<Number_of_Activities>2</Number_of_Activities>"
        "<Activity_Id>4</Activity_Id><Activity_Id>6</Activity_Id>",
        weight=70,
    )
    assert only(read_fet(school_with(xml))) == SameStart(activities=("4", "6"), weight=70)


def test_activities_not_overlapping_share_a_resource_of_capacity_one():
    xml = c(
        "ActivitiesNotOverlapping",
        "<Number_of_Activities>2</Number_of_Activities>"
        "<Activity_Id>4</Activity_Id><Activity_Id>6</Activity_Id>",
    )
    problem = read_fet(school_with(xml))
    (shared,) = activity(problem, "4").resources
    assert activity(problem, "6").resources == (shared,)
    assert next(r for r in problem.resources if r.id == shared).capacity == 1


def test_a_hard_preferred_starting_time_fixes_the_start():
    xml = c(
        "ActivityPreferredStartingTime",
        "<Activity_Id>3</Activity_Id><Preferred_Day>Tue"
        "</Preferred_Day><Preferred_Hour>2</Preferred_Hour>"
        "<Permanently_Locked>true</Permanently_Locked>",
    )
    problem = read_fet(school_with(xml))
    assert activity(problem, "3").fixed_start == 5
    assert problem.constraints == ()


def test_a_preferred_day_without_hour_allows_every_hour_of_that_day():
    xml = c(
        "ActivityPreferredStartingTime",
        "<Activity_Id>6</Activity_Id><Preferred_Day>Wed"
        "</Preferred_Day><Preferred_Hour></Preferred_Hour>",
        weight=80,
    )
    assert only(read_fet(school_with(xml))) == PreferredStarts("6", frozenset({8, 9, 10, 11}), 80)


def test_activity_preferred_starting_times():
    xml = c(
        "ActivityPreferredStartingTimes",
        "<Activity_Id>6</Activity_Id>"
        + times(
            "Preferred_Starting_Time",
            "Preferred_Starting_Day",
            "Preferred_Starting_Hour",
            ("Mon", "1"),
            ("Tue", "1"),
        ),
    )
    assert only(read_fet(school_with(xml))) == PreferredStarts("6", frozenset({0, 4}), 100)


def test_preferred_time_slots_allow_starts_whose_whole_lesson_fits():
    """Art lasts 2 periods: Mon 1-2 and Tue 3-4 fit; Mon 2 and Tue 4 alone do not."""
    slots = (("Mon", "1"), ("Mon", "2"), ("Tue", "3"), ("Tue", "4"))
    xml = c(
        "ActivityPreferredTimeSlots",
        "<Activity_Id>3</Activity_Id>"
        + times("Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour", *slots),
    )
    assert only(read_fet(school_with(xml))) == PreferredStarts("3", frozenset({0, 6}), 100)


def test_activities_preferred_starting_times_apply_to_each_matching_activity():
    xml = c(
        "ActivitiesPreferredStartingTimes",
        "<Teacher_Name></Teacher_Name><Students_Name>"
        "</Students_Name><Subject_Name>Math</Subject_Name><Activity_Tag_Name>"
        "</Activity_Tag_Name>"
        + times(
            "Preferred_Starting_Time",
            "Preferred_Starting_Day",
            "Preferred_Starting_Hour",
            ("Mon", "1"),
            ("Tue", "1"),
            ("Wed", "1"),
        ),
    )
    assert read_fet(school_with(xml)).constraints == (
        PreferredStarts("1", frozenset({0, 4, 8}), 100),
        PreferredStarts("2", frozenset({0, 4, 8}), 100),
    )


def test_activities_preferred_time_slots_filter_by_students_set_and_tag():
    xml = c(
        "ActivitiesPreferredTimeSlots",
        "<Students_Name>5a-girls</Students_Name>"
        "<Activity_Tag_Name>lab</Activity_Tag_Name>"
        + times("Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour", ("Wed", "2")),
        weight=90,
    )
    assert only(read_fet(school_with(xml))) == PreferredStarts("6", frozenset({9}), 90)


def test_subactivities_preferred_starting_times_pick_the_numbered_part():
    xml = c(
        "SubactivitiesPreferredStartingTimes",
        "<Component_Number>2</Component_Number>"
        "<Subject_Name>Math</Subject_Name>"
        + times(
            "Preferred_Starting_Time",
            "Preferred_Starting_Day",
            "Preferred_Starting_Hour",
            ("Wed", "1"),
            ("Wed", "2"),
        ),
    )
    assert only(read_fet(school_with(xml))) == PreferredStarts("2", frozenset({8, 9}), 100)


@pytest.mark.parametrize(
    ("tag", "body", "expected"),
    [
        ("TeachersMaxGapsPerWeek", "<Max_Gaps>3</Max_Gaps>", MaxGaps("teacher", (), 3, "week")),
        (
            "TeacherMaxGapsPerWeek",
            "<Teacher_Name>Dana</Teacher_Name><Max_Gaps>2</Max_Gaps>",
            MaxGaps("teacher", ("Dana",), 2, "week"),
        ),
        ("TeachersMaxGapsPerDay", "<Max_Gaps>1</Max_Gaps>", MaxGaps("teacher", (), 1, "day")),
        (
            "TeacherMaxGapsPerDay",
            "<Teacher_Name>Bolat</Teacher_Name><Max_Gaps>1</Max_Gaps>",
            MaxGaps("teacher", ("Bolat",), 1, "day"),
        ),
        ("StudentsMaxGapsPerWeek", "<Max_Gaps>0</Max_Gaps>", MaxGaps("group", (), 0, "week")),
        (
            "StudentsSetMaxGapsPerWeek",
            "<Max_Gaps>1</Max_Gaps><Students>5a</Students>",
            MaxGaps("group", ("5a-boys", "5a-girls"), 1, "week"),
        ),
        ("StudentsMaxGapsPerDay", "<Max_Gaps>0</Max_Gaps>", MaxGaps("group", (), 0, "day")),
        (
            "StudentsSetMaxGapsPerDay",
            "<Max_Gaps>0</Max_Gaps><Students>6</Students>",
            MaxGaps("group", ("6",), 0, "day"),
        ),
    ],
)
def test_max_gaps_for_teachers_and_students(tag, body, expected):
    assert only(read_fet(school_with(c(tag, body)))) == expected


@pytest.mark.parametrize(
    ("tag", "body", "expected"),
    [
        (
            "TeacherMaxHoursDaily",
            "<Teacher_Name>Aigul</Teacher_Name><Maximum_Hours_Daily>3</Maximum_Hours_Daily>",
            MaxHoursDaily("teacher", ("Aigul",), 3),
        ),
        (
            "TeachersMaxHoursDaily",
            "<Maximum_Hours_Daily>4</Maximum_Hours_Daily>",
            MaxHoursDaily("teacher", (), 4),
        ),
        (
            "StudentsMaxHoursDaily",
            "<Maximum_Hours_Daily>3</Maximum_Hours_Daily>",
            MaxHoursDaily("group", (), 3),
        ),
        (
            "StudentsSetMaxHoursDaily",
            "<Maximum_Hours_Daily>2</Maximum_Hours_Daily><Students>5</Students>",
            MaxHoursDaily("group", ("5a-boys", "5a-girls", "5b"), 2),
        ),
    ],
)
def test_max_hours_daily_for_teachers_and_students(tag, body, expected):
    assert only(read_fet(school_with(c(tag, body)))) == expected


def test_teacher_max_days_per_week():
    xml = c(
        "TeacherMaxDaysPerWeek",
        "<Teacher_Name>Dana</Teacher_Name><Max_Days_Per_Week>2</Max_Days_Per_Week>",
        weight=50,
    )
    assert only(read_fet(school_with(xml))) == MaxDaysPerWeek(("Dana",), 2, 50)


def test_teachers_max_days_per_week():
    xml = c("TeachersMaxDaysPerWeek", "<Max_Days_Per_Week>2</Max_Days_Per_Week>")
    assert only(read_fet(school_with(xml))) == MaxDaysPerWeek((), 2)


def test_inactive_and_zero_weight_constraints_are_ignored():
    gaps = "<Max_Gaps>0</Max_Gaps>"
    xml = c("TeachersMaxGapsPerWeek", gaps, active=False) + c("StudentsMaxGapsPerDay", gaps, 0)
    problem = read_fet(school_with(xml))
    assert problem.constraints == ()
    assert problem.unsupported == ()


# ---- space constraints -------------------------------------------------------------------


def test_activities_without_room_constraints_take_no_room():
    assert all(a.room_choices == () for a in read_fet(SCHOOL).activities)


def test_activity_preferred_room():
    xml = c(
        "ActivityPreferredRoom",
        "<Activity_Id>4</Activity_Id><Room>Gym</Room>"
        "<Permanently_Locked>false</Permanently_Locked>",
    )
    assert activity(read_fet(school_with(space=xml)), "4").room_choices == ("Gym",)


def test_subject_preferred_rooms_apply_to_every_activity_of_the_subject():
    xml = c(
        "SubjectPreferredRooms",
        "<Subject>Math</Subject><Number_of_Preferred_Rooms>2"
        "</Number_of_Preferred_Rooms><Preferred_Room>Room 1</Preferred_Room>"
        "<Preferred_Room>Gym</Preferred_Room>",
    )
    problem = read_fet(school_with(space=xml))
    assert activity(problem, "1").room_choices == ("Gym",)  # 42 pupils: Room 1 holds 30
    assert activity(problem, "3").room_choices == ()


def test_several_hard_room_constraints_intersect():
    xml = c("SubjectPreferredRoom", "<Subject>Kazakh</Subject><Room>Lab</Room>") + c(
        "ActivityTagPreferredRooms",
        "<Activity_Tag>lab</Activity_Tag><Preferred_Room>Lab"
        "</Preferred_Room><Preferred_Room>Room 1</Preferred_Room>",
    )
    assert activity(read_fet(school_with(space=xml)), "6").room_choices == ("Lab",)


def test_home_rooms_apply_only_to_activities_without_preferred_rooms():
    xml = (
        c("StudentsSetHomeRoom", "<Students>5a</Students><Room>Room 1</Room>")
        + c("TeacherHomeRoom", "<Teacher>Dana</Teacher><Room>Lab</Room>")
        + c("SubjectPreferredRoom", "<Subject>Art</Subject><Room>Gym</Room>")
    )
    problem = read_fet(school_with(space=xml))
    assert activity(problem, "3").room_choices == ("Gym",)
    assert activity(problem, "6").room_choices == ("Lab",)
    assert activity(problem, "4").room_choices == ()  # two teachers: not Dana's alone


def test_soft_room_preferences_are_listed_as_unsupported():
    xml = c("ActivityPreferredRoom", "<Activity_Id>4</Activity_Id><Room>Gym</Room>", weight=90)
    problem = read_fet(school_with(space=xml))
    assert problem.unsupported == (
        Unsupported("ConstraintActivityPreferredRoom (weight below 100)", 1),
    )
    assert activity(problem, "4").room_choices == ()


# ---- what is not supported ---------------------------------------------------------------


def test_unsupported_constraints_are_listed_with_their_count():
    pair = "<First_Activity_Id>1</First_Activity_Id><Second_Activity_Id>3</Second_Activity_Id>"
    xml = c("TwoActivitiesConsecutive", pair) * 2
    assert read_fet(school_with(xml)).unsupported == (
        Unsupported("ConstraintTwoActivitiesConsecutive", 2),
    )


def test_strict_refuses_a_file_with_unsupported_constraints():
    xml = c("BuildingNotAvailableTimes", "<Building>Main</Building>")
    with pytest.raises(FetError, match="ConstraintBuildingNotAvailableTimes"):
        read_fet(school_with(space=xml), strict=True)


def test_strict_accepts_a_fully_supported_file():
    assert read_fet(SCHOOL, strict=True).unsupported == ()


def test_another_mode_than_official_is_listed():
    source = SCHOOL.replace(b"<Mode>Official</Mode>", b"<Mode>Mornings_Afternoons</Mode>")
    assert [u.kind for u in read_fet(source).unsupported] == ["Mode Mornings_Afternoons"]


# ---- inconsistent files ------------------------------------------------------------------


def test_an_activity_naming_an_unknown_teacher_is_refused():
    source = SCHOOL.replace(
        b"<Teacher>Aigul</Teacher><Subject>Math", b"<Teacher>Zh</Teacher><Subject>Math", 1
    )
    with pytest.raises(FetError, match="activity 1: unknown teacher 'Zh'"):
        read_fet(source)


def test_a_constraint_naming_an_unknown_day_is_refused():
    xml = c("BreakTimes", times("Break_Time", "Day", "Hour", ("Sun", "1")))
    with pytest.raises(FetError, match=r"ConstraintBreakTimes .*unknown day 'Sun'"):
        read_fet(school_with(xml))


def test_a_weight_above_100_is_refused():
    with pytest.raises(FetError, match="outside 0-100"):
        read_fet(school_with(c("TeachersMaxGapsPerWeek", "<Max_Gaps>1</Max_Gaps>", 150)))


def test_a_number_that_is_not_a_number_is_refused():
    with pytest.raises(FetError, match="Max_Gaps> should be a whole number"):
        read_fet(school_with(c("TeachersMaxGapsPerWeek", "<Max_Gaps>many</Max_Gaps>")))
