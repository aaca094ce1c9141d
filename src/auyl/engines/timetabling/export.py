"""A solved timetable out of Auyl: a ``.fet`` file FET can open, CSV, and iCalendar.

* :func:`write_fet` — the source FET file (or one generated from the problem) with every
  placed activity's time added as a locked ``ActivityPreferredStartingTime`` and its room
  as a locked ``ActivityPreferredRoom``, as fet-cl itself writes a solved file, so
  :func:`auyl.engines.timetabling.fet.read_fet_timetable` reads both the same way;
* :func:`to_csv` — one row per placed lesson;
* :func:`to_ical` — one weekly repeating event per lesson, for everyone or one teacher.

Pure functions of the problem and the solution (no Django, no files).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from xml.etree.ElementTree import Element, SubElement, tostring
from zoneinfo import ZoneInfo

import icalendar

from auyl.engines.timetabling.fet import load_fet_root
from auyl.engines.timetabling.model import (
    HARD,
    Activity,
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    Placement,
    PreferredStarts,
    Problem,
    SameStart,
    Solution,
    Week,
)

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n\n'
#: The FET file format we write when generating a file from a problem (FET 6 opens it).
FET_VERSION = "5.41.0"


# ---- .fet --------------------------------------------------------------------------------


def write_fet(problem: Problem, solution: Solution | None, source: bytes | None = None) -> bytes:
    """The ``.fet`` file of ``problem`` with ``solution``'s times and rooms locked in.

    With ``source`` (the file the problem was read from) everything in it is kept and the
    locks are appended; without it a FET file is generated from the problem (see
    :func:`problem_to_fet`). ``solution=None`` writes the problem alone.
    """
    if source is None:
        root, ids = problem_to_fet(problem)
    else:
        root, ids = load_fet_root(source), {a.id: a.id for a in problem.activities}
    if solution is not None:
        _lock_placements(root, problem.week, solution.placements, ids)
    return XML_DECLARATION + tostring(root, encoding="unicode").encode("utf-8") + b"\n"


def _lock_placements(
    root: Element, week: Week, placements: Iterable[Placement], ids: dict[str, str]
) -> None:
    """Append a locked start (and room) per placement, after the file's own constraints."""
    time_list = _section(root, "Time_Constraints_List")
    space_list = _section(root, "Space_Constraints_List")
    for placement in placements:
        day, hour = week.day_of(placement.start), week.period_of(placement.start)
        _element(
            time_list,
            "ConstraintActivityPreferredStartingTime",
            ("Weight_Percentage", "100"),
            ("Activity_Id", ids[placement.activity]),
            ("Preferred_Day", week.days[day]),
            ("Preferred_Hour", week.periods[hour]),
            ("Permanently_Locked", "true"),
            ("Active", "true"),
            ("Comments", ""),
        )
        if placement.room:
            _element(
                space_list,
                "ConstraintActivityPreferredRoom",
                ("Weight_Percentage", "100"),
                ("Activity_Id", ids[placement.activity]),
                ("Room", placement.room),
                ("Permanently_Locked", "true"),
                ("Active", "true"),
                ("Comments", ""),
            )


def _section(root: Element, tag: str) -> Element:
    found = root.find(tag)
    return found if found is not None else SubElement(root, tag)


def _element(parent: Element, tag: str, *children: tuple[str, str]) -> Element:
    element = SubElement(parent, tag)
    for child_tag, text in children:
        SubElement(element, child_tag).text = text
    return element


def fet_export_gaps(problem: Problem) -> tuple[str, ...]:
    """What of ``problem`` a generated ``.fet`` cannot say (FET has no such concept)."""
    gaps = []
    if any(t.max_weekly_periods is not None for t in problem.teachers):
        gaps.append("teacher maximum weekly load (FET counts the activities instead)")
    if any(t.travel_periods for t in problem.teachers):
        gaps.append("travel time between a teacher's schools")
    if any(t.disliked for t in problem.teachers):
        gaps.append("teachers' disliked periods")
    if any(r.kind != "room" or r.capacity != 1 for r in problem.resources):
        gaps.append("internet links and resources of capacity above 1")
    if any(a.resources for a in problem.activities):
        gaps.append("fixed resources of activities")
    if any(getattr(problem.soft, name) for name in problem.soft.__slots__):
        gaps.append("the cluster model's built-in soft goals")
    return tuple(gaps)


def problem_to_fet(problem: Problem) -> tuple[Element, dict[str, str]]:
    """A FET file for ``problem`` and the FET activity id (1, 2, ...) of each activity.

    Every atomic group becomes a year of its own; a broadcast lesson is an activity with
    the groups of several schools. What FET cannot express is listed by
    :func:`fet_export_gaps` and left out.
    """
    ids = {a.id: str(n) for n, a in enumerate(problem.activities, start=1)}
    root = Element("fet", version=FET_VERSION)
    SubElement(root, "Institution_Name").text = problem.name
    SubElement(root, "Comments").text = "Written by Auyl"
    _named_list(root, "Days_List", "Number_of_Days", "Day", problem.week.days)
    _named_list(root, "Hours_List", "Number_of_Hours", "Hour", problem.week.periods)
    subjects = SubElement(root, "Subjects_List")
    for subject in dict.fromkeys(a.subject for a in problem.activities):
        _element(subjects, "Subject", ("Name", subject), ("Comments", ""))
    SubElement(root, "Activity_Tags_List")
    teachers = SubElement(root, "Teachers_List")
    for teacher in problem.teachers:
        _element(teachers, "Teacher", ("Name", teacher.id), ("Comments", ""))
    students = SubElement(root, "Students_List")
    for group in problem.groups:
        _element(students, "Year", ("Name", group.id), ("Number_of_Students", "0"))
    _activities(root, problem.activities, ids)
    SubElement(root, "Buildings_List")
    rooms = SubElement(root, "Rooms_List")
    for room in problem.resources:
        if room.kind == "room":
            _element(
                rooms,
                "Room",
                ("Name", room.id),
                ("Building", ""),
                ("Capacity", "30000"),
                ("Virtual", "false"),
                ("Comments", ""),
            )
    _time_constraints(SubElement(root, "Time_Constraints_List"), problem, ids)
    _space_constraints(SubElement(root, "Space_Constraints_List"), problem, ids)
    return root, ids


def _named_list(root: Element, tag: str, count_tag: str, item: str, names: Sequence[str]) -> None:
    section = SubElement(root, tag)
    SubElement(section, count_tag).text = str(len(names))
    for name in names:
        _element(section, item, ("Name", name))


def _activities(root: Element, activities: Sequence[Activity], ids: dict[str, str]) -> None:
    """FET wants numeric ids and a split activity's group id = its first part's id."""
    section = SubElement(root, "Activities_List")
    first_part: dict[str, str] = {}
    total: dict[str, int] = {}
    for activity in activities:
        if activity.split_of:
            first_part.setdefault(activity.split_of, ids[activity.id])
            total[activity.split_of] = total.get(activity.split_of, 0) + activity.duration
    for activity in activities:
        element = SubElement(section, "Activity")
        for teacher in activity.teachers:
            SubElement(element, "Teacher").text = teacher
        SubElement(element, "Subject").text = activity.subject
        for group in activity.groups:
            SubElement(element, "Students").text = group
        group_id = first_part.get(activity.split_of, "0") if activity.split_of else "0"
        for tag, text in (
            ("Duration", str(activity.duration)),
            ("Total_Duration", str(total.get(activity.split_of, activity.duration))),
            ("Id", ids[activity.id]),
            ("Activity_Group_Id", group_id),
            ("Active", "true"),
            ("Comments", activity.label),
        ):
            SubElement(element, tag).text = text


def _weight(value: float) -> tuple[str, str]:
    return ("Weight_Percentage", f"{value:g}")


def _times(week: Week, slots: Iterable[int], entry: str, day: str, hour: str) -> list[Element]:
    result = []
    for slot in sorted(slots):
        element = Element(entry)
        SubElement(element, day).text = week.days[week.day_of(slot)]
        SubElement(element, hour).text = week.periods[week.period_of(slot)]
        result.append(element)
    return result


def _time_constraints(section: Element, problem: Problem, ids: dict[str, str]) -> None:
    """Basic rules, availability, breaks, fixed starts and the model's constraints."""
    week = problem.week
    _element(section, "ConstraintBasicCompulsoryTime", _weight(HARD), ("Active", "true"))
    if week.break_slots:
        breaks = _element(
            section,
            "ConstraintBreakTimes",
            _weight(HARD),
            ("Number_of_Break_Times", str(len(week.break_slots))),
        )
        breaks.extend(_times(week, week.break_slots, "Break_Time", "Day", "Hour"))
    for tag, key, people in (
        ("ConstraintTeacherNotAvailableTimes", "Teacher", problem.teachers),
        ("ConstraintStudentsSetNotAvailableTimes", "Students", problem.groups),
    ):
        for person in people:
            if person.unavailable:
                element = _element(
                    section,
                    tag,
                    _weight(HARD),
                    (key, person.id),
                    ("Number_of_Not_Available_Times", str(len(person.unavailable))),
                )
                element.extend(
                    _times(week, person.unavailable, "Not_Available_Time", "Day", "Hour")
                )
    for group in problem.groups:
        if group.no_gaps:
            _element(
                section,
                "ConstraintStudentsSetMaxGapsPerWeek",
                _weight(HARD),
                ("Max_Gaps", "0"),
                ("Students", group.id),
            )
        if group.max_daily_periods is not None:
            _element(
                section,
                "ConstraintStudentsSetMaxHoursDaily",
                _weight(HARD),
                ("Maximum_Hours_Daily", str(group.max_daily_periods)),
                ("Students", group.id),
            )
    for activity in problem.activities:
        if activity.fixed_start is not None:
            _element(
                section,
                "ConstraintActivityPreferredStartingTime",
                _weight(HARD),
                ("Activity_Id", ids[activity.id]),
                ("Preferred_Day", week.days[week.day_of(activity.fixed_start)]),
                ("Preferred_Hour", week.periods[week.period_of(activity.fixed_start)]),
                ("Permanently_Locked", "true"),
            )
    for constraint in problem.constraints:
        for element in _constraint_elements(constraint, week, ids):
            section.append(element)
    for element in section:
        if element.find("Active") is None:
            _element(element, "Active").text = "true"


def _constraint_elements(constraint: object, week: Week, ids: dict[str, str]) -> list[Element]:
    """One model constraint as FET constraint elements (one per person when needed)."""
    holder = Element("holder")
    match constraint:
        case PreferredStarts(activity=activity, slots=slots, weight=weight):
            element = _element(
                holder,
                "ConstraintActivityPreferredStartingTimes",
                _weight(weight),
                ("Activity_Id", ids[activity]),
                ("Number_of_Preferred_Starting_Times", str(len(slots))),
            )
            element.extend(
                _times(
                    week,
                    slots,
                    "Preferred_Starting_Time",
                    "Preferred_Starting_Day",
                    "Preferred_Starting_Hour",
                )
            )
        case SameStart(activities=activities, weight=weight):
            _element(
                holder,
                "ConstraintActivitiesSameStartingTime",
                _weight(weight),
                ("Number_of_Activities", str(len(activities))),
                *[("Activity_Id", ids[a]) for a in activities],
            )
        case MinDaysBetween():
            c = constraint
            _element(
                holder,
                "ConstraintMinDaysBetweenActivities",
                _weight(c.weight),
                ("Consecutive_If_Same_Day", str(c.consecutive_if_same_day).lower()),
                ("Number_of_Activities", str(len(c.activities))),
                *[("Activity_Id", ids[a]) for a in c.activities],
                ("MinDays", str(c.min_days)),
            )
        case MaxGaps(who=who, ids=people, max_gaps=gaps, per=per, weight=weight):
            suffix = "PerWeek" if per == "week" else "PerDay"
            _per_person(holder, who, people, f"MaxGaps{suffix}", ("Max_Gaps", str(gaps)), weight)
        case MaxHoursDaily(who=who, ids=people, max_periods=most, weight=weight):
            value = ("Maximum_Hours_Daily", str(most))
            _per_person(holder, who, people, "MaxHoursDaily", value, weight)
        case MaxDaysPerWeek(ids=people, max_days=most, weight=weight):
            value = ("Max_Days_Per_Week", str(most))
            _per_person(holder, "teacher", people, "MaxDaysPerWeek", value, weight)
    return list(holder)


def _per_person(
    holder: Element,
    who: str,
    people: Sequence[str],
    name: str,
    value: tuple[str, str],
    weight: float,
) -> None:
    """``ConstraintTeachersX`` for everyone, else one ``ConstraintTeacherX`` per person."""
    plural, single, key = (
        ("Teachers", "Teacher", "Teacher_Name")
        if who == "teacher"
        else ("Students", "StudentsSet", "Students")
    )
    if not people:
        _element(holder, f"Constraint{plural}{name}", _weight(weight), value)
    for person in people:
        _element(holder, f"Constraint{single}{name}", _weight(weight), (key, person), value)


def _space_constraints(section: Element, problem: Problem, ids: dict[str, str]) -> None:
    """Basic rules, rooms' unavailable times and each lesson's candidate rooms."""
    _element(section, "ConstraintBasicCompulsorySpace", _weight(HARD), ("Active", "true"))
    for room in problem.resources:
        if room.kind == "room" and room.unavailable:
            element = _element(
                section,
                "ConstraintRoomNotAvailableTimes",
                _weight(HARD),
                ("Room", room.id),
                ("Number_of_Not_Available_Times", str(len(room.unavailable))),
            )
            element.extend(
                _times(problem.week, room.unavailable, "Not_Available_Time", "Day", "Hour")
            )
            _element(element, "Active").text = "true"
    for activity in problem.activities:
        if activity.room_choices:
            _element(
                section,
                "ConstraintActivityPreferredRooms",
                _weight(HARD),
                ("Activity_Id", ids[activity.id]),
                ("Number_of_Preferred_Rooms", str(len(activity.room_choices))),
                *[("Preferred_Room", room) for room in activity.room_choices],
                ("Active", "true"),
            )


# ---- CSV ---------------------------------------------------------------------------------

CSV_COLUMNS = (
    "day",
    "period",
    "activity",
    "subject",
    "teachers",
    "students",
    "room",
    "duration",
    "site",
)


def student_names(problem: Problem, groups: Sequence[str]) -> tuple[str, ...]:
    """The names a user knows for ``groups``: the largest FET years/groups that they cover
    exactly (``10a`` rather than its subgroups), else the groups' own names."""
    wanted = set(groups)
    names: list[str] = []
    covered: set[str] = set()
    for name, members in sorted(problem.group_sets, key=lambda item: -len(item[1])):
        if members and set(members) <= wanted and not set(members) <= covered:
            names.append(name)
            covered |= set(members)
        if covered == wanted:
            break
    by_id = {g.id: g.name or g.id for g in problem.groups}
    names.extend(by_id.get(g, g) for g in groups if g not in covered)
    return tuple(names)


def _placed(problem: Problem, solution: Solution) -> list[tuple[Placement, Activity]]:
    """Placements with their activities, in timetable order (slot, then activity)."""
    activities = {a.id: a for a in problem.activities}
    order = {a.id: n for n, a in enumerate(problem.activities)}
    placements = sorted(solution.placements, key=lambda p: (p.start, order.get(p.activity, 0)))
    return [(p, activities[p.activity]) for p in placements if p.activity in activities]


def to_csv(problem: Problem, solution: Solution) -> str:
    """One row per placed lesson: day, period, activity, subject, teachers, students,
    room, duration (periods), site (the school, in a cluster). Names are the ones people
    use."""
    teachers = {t.id: t.name or t.id for t in problem.teachers}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    week = problem.week
    for placement, activity in _placed(problem, solution):
        writer.writerow(
            (
                week.days[week.day_of(placement.start)],
                week.periods[week.period_of(placement.start)],
                activity.label or activity.id,
                activity.subject,
                "; ".join(teachers.get(t, t) for t in activity.teachers),
                "; ".join(student_names(problem, activity.groups)),
                placement.room or "",
                activity.duration,
                activity.site,
            )
        )
    return out.getvalue()


# ---- iCalendar ---------------------------------------------------------------------------


def default_period_times(periods: int) -> tuple[tuple[time, time], ...]:
    """45-minute lessons from 08:30 with 10-minute breaks (when the school gave none)."""
    start = datetime(2000, 1, 1, 8, 30)
    return tuple(
        (
            (start + timedelta(minutes=55 * p)).time(),
            (start + timedelta(minutes=55 * p + 45)).time(),
        )
        for p in range(periods)
    )


def to_ical(
    problem: Problem,
    solution: Solution,
    *,
    first_monday: date,
    weeks: int = 1,
    period_times: Sequence[tuple[time, time]] | None = None,
    tz: str = "Asia/Almaty",
    teacher: str | None = None,
) -> bytes:
    """An iCalendar file: one event per lesson repeating weekly for ``weeks`` weeks.

    Day ``d`` of the week is ``first_monday + d`` days, period ``p`` runs at
    ``period_times[p]`` (local time in ``tz``). With ``teacher`` (an id) only her lessons.
    Raises ValueError for a week longer than 7 days or too few period times.
    """
    week = problem.week
    if week.n_days > 7:
        raise ValueError("an iCalendar week has at most 7 days; this timetable has more")
    times = tuple(period_times) if period_times else default_period_times(week.periods_per_day)
    if len(times) < week.periods_per_day:
        raise ValueError(f"{week.periods_per_day} periods need as many period times")
    zone = ZoneInfo(tz)
    teachers = {t.id: t.name or t.id for t in problem.teachers}
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Auyl//timetable//EN")
    calendar.add("version", "2.0")
    calendar.add(
        "x-wr-calname",
        f"{problem.name}: {teachers.get(teacher, teacher)}" if teacher else problem.name,
    )
    stamp = datetime.now(UTC).replace(microsecond=0)
    for placement, activity in _placed(problem, solution):
        if teacher is not None and teacher not in activity.teachers:
            continue
        day = first_monday + timedelta(days=week.day_of(placement.start))
        first = week.period_of(placement.start)
        last = min(first + activity.duration - 1, week.periods_per_day - 1)
        event = icalendar.Event()
        event.add("uid", f"{problem.name}-{activity.id}@auyl")
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.combine(day, times[first][0], tzinfo=zone))
        event.add("dtend", datetime.combine(day, times[last][1], tzinfo=zone))
        event.add("rrule", {"freq": "weekly", "count": weeks})
        students = ", ".join(student_names(problem, activity.groups))
        event.add("summary", f"{activity.subject} ({students})" if students else activity.subject)
        event.add(
            "description",
            "\n".join(
                line
                for line in (
                    f"Teachers: {', '.join(teachers.get(t, t) for t in activity.teachers)}"
                    if activity.teachers
                    else "",
                    f"Students: {students}" if students else "",
                )
                if line
            ),
        )
        location = ", ".join(x for x in (placement.room or "", activity.site) if x)
        if location:
            event.add("location", location)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
