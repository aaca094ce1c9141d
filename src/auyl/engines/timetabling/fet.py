"""Read FET files (``.fet``, FET 5.x and 6.x, optionally gzip'd) into a :class:`Problem`.

Reading is **safe** for files from anywhere: the XML goes through defusedxml (no DTD, no
entities, no external references, so no XXE and no billion laughs), the file and its
gzip'd content are capped at ``max_bytes``, and element nesting at :data:`MAX_DEPTH`.
Whatever is wrong with a file surfaces as one :class:`FetError` whose message says what.

Mapping (see ``docs/engines/timetabling-fet.md``):

* days x hours -> :class:`Week`; break times -> ``Week.break_slots``;
* years/groups/subgroups -> *atomic* groups: a subgroup; a group without subgroups; a
  year without groups. Every FET name keeps its atomic ids in ``Problem.group_sets``;
* an activity -> :class:`Activity` (its students expanded to atomic groups; FET's
  activity group id -> ``split_of``); inactive activities are left out;
* supported time and space constraints -> model constraints or fields; everything else
  -> :class:`Unsupported` (listed, never dropped silently); inactive constraints and
  constraints of weight 0 have no effect in FET and are ignored here too.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from auyl.engines.timetabling.model import (
    HARD,
    Activity,
    Constraint,
    Group,
    MaxDaysPerWeek,
    MaxGaps,
    MaxHoursDaily,
    MinDaysBetween,
    Placement,
    PreferredStarts,
    Problem,
    Resource,
    SameStart,
    Teacher,
    Unsupported,
    Week,
)

#: FET files of real schools are at most a few MB (the largest Debian example: 6 MB).
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: FET nests at most 4 levels below <fet> (a subgroup's name); 32 leaves room.
MAX_DEPTH = 32

Source = str | Path | bytes


class FetError(ValueError):
    """A FET file that cannot be read: malformed, hostile, too big, or inconsistent."""


# ---- safe loading ------------------------------------------------------------------------


def _read_capped(source: Source, max_bytes: int) -> bytes:
    """The raw bytes of ``source``; refuse more than ``max_bytes``."""
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        try:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as error:
            raise FetError(f"cannot read {path}: {error.strerror or error}") from error
    if len(data) > max_bytes:
        raise FetError(f"the file is larger than the limit of {max_bytes:,} bytes")
    return data


def _gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip data, refusing output beyond ``max_bytes`` (gzip bombs)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise FetError(f"the gzip'd file is damaged: {error}") from error
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise FetError(f"the gzip'd file unpacks to more than {max_bytes:,} bytes")
    if not inflater.eof:
        raise FetError("the gzip'd file is damaged: it ends too early")
    return out


class _DepthLimitedBuilder(TreeBuilder):
    """An ElementTree builder that refuses nesting deeper than ``max_depth``."""

    def __init__(self, max_depth: int) -> None:
        super().__init__()
        self._depth = 0
        self._max_depth = max_depth

    def start(self, tag: Any, attrs: Any) -> Element:
        self._depth += 1
        if self._depth > self._max_depth:
            raise FetError(f"elements are nested deeper than {self._max_depth} levels")
        return super().start(tag, attrs)

    def end(self, tag: Any) -> Element:
        self._depth -= 1
        return super().end(tag)


def parse_xml(data: bytes, *, max_depth: int = MAX_DEPTH) -> Element:
    """Parse untrusted XML bytes into an element tree, or raise :class:`FetError`."""
    parser = DefusedXMLParser(
        target=_DepthLimitedBuilder(max_depth),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    try:
        for start in range(0, len(data), 1 << 16):
            parser.feed(data[start : start + (1 << 16)])
        root: Element = parser.close()
    except DefusedXmlException as error:
        raise FetError(f"the file uses a forbidden XML feature ({error})") from error
    except ParseError as error:
        raise FetError(f"not well-formed XML: {error}") from error
    return root


def load_fet_root(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Element:
    """The ``<fet>`` element of a (possibly gzip'd) FET file, loaded safely."""
    data = _read_capped(source, max_bytes)
    if data[:2] == b"\x1f\x8b":
        data = _gunzip_capped(data, max_bytes)
    if not data.strip():
        raise FetError("the file is empty")
    root = parse_xml(data)
    if root.tag != "fet":
        raise FetError(f"not a FET file: the root element is <{root.tag}>, expected <fet>")
    return root


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzip'd (for writing ``.fet.gz``; reading accepts both)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
        handle.write(data)
    return buffer.getvalue()


# ---- small element helpers ---------------------------------------------------------------


def _text(element: Element, tag: str, default: str = "") -> str:
    child = element.find(tag)
    if child is None or child.text is None:
        return default
    return child.text


def _texts(element: Element, tag: str) -> list[str]:
    return [child.text or "" for child in element.findall(tag)]


def _int(element: Element, tag: str, where: str) -> int:
    raw = _text(element, tag).strip()
    try:
        return int(raw)
    except ValueError:
        raise FetError(f"{where}: <{tag}> should be a whole number, found {raw!r}") from None


def _flag(element: Element, tag: str, default: bool) -> bool:
    raw = _text(element, tag).strip().lower()
    return default if not raw else raw == "true"


def _name(element: Element) -> str:
    """A list entry's name: ``<Day><Name>Mon</Name></Day>`` (or ``<Day>Mon</Day>``)."""
    name = element.find("Name")
    return (name.text if name is not None else element.text) or ""


# ---- the file's objects ------------------------------------------------------------------


@dataclass(slots=True)
class _Students:
    """FET students-set names -> atomic group ids (subgroups, or childless groups/years)."""

    atomic: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # atomic ids, first seen first

    def add(self, name: str, members: Sequence[str], size: int) -> None:
        known = self.atomic.get(name, ())
        self.atomic[name] = tuple(dict.fromkeys((*known, *members)))
        self.sizes[name] = max(self.sizes.get(name, 0), size)

    def add_atomic(self, name: str, size: int) -> None:
        if name not in self.order:
            self.order.append(name)
        self.add(name, (name,), size)


def _read_students(root: Element) -> _Students:
    """Expand years/groups/subgroups: each name maps to the atomic groups it covers."""
    students = _Students()
    for year in root.findall("./Students_List/Year"):
        year_members: list[str] = []
        for group in year.findall("Group"):
            group_members: list[str] = []
            for subgroup in group.findall("Subgroup"):
                students.add_atomic(_name(subgroup), _size(subgroup))
                group_members.append(_name(subgroup))
            if not group_members:
                students.add_atomic(_name(group), _size(group))
                group_members.append(_name(group))
            students.add(_name(group), group_members, _size(group))
            year_members.extend(group_members)
        if not year_members:
            students.add_atomic(_name(year), _size(year))
        else:
            students.add(_name(year), year_members, _size(year))
    return students


def _size(element: Element) -> int:
    raw = _text(element, "Number_of_Students", "0").strip()
    return int(raw) if raw.isdigit() else 0


@dataclass(frozen=True, slots=True)
class _FetActivity:
    """An activity as the file states it, before constraints shape it."""

    activity: Activity
    tags: tuple[str, ...]
    student_sets: tuple[str, ...]
    n_students: int


def _read_activities(root: Element, students: _Students, teachers: set[str]) -> list[_FetActivity]:
    """Active activities, their students expanded to atomic groups."""
    result: list[_FetActivity] = []
    seen: set[str] = set()
    for element in root.findall("./Activities_List/Activity"):
        if not _flag(element, "Active", True):
            continue
        activity_id = _text(element, "Id").strip()
        where = f"activity {activity_id or '(no id)'}"
        if not activity_id:
            raise FetError("an activity has no <Id>")
        if activity_id in seen:
            raise FetError(f"{where}: the id is used twice")
        seen.add(activity_id)
        for teacher in _texts(element, "Teacher"):
            if teacher not in teachers:
                raise FetError(f"{where}: unknown teacher {teacher!r}")
        sets = tuple(_texts(element, "Students"))
        for name in sets:
            if name not in students.atomic:
                raise FetError(f"{where}: unknown students set {name!r}")
        groups = tuple(dict.fromkeys(g for name in sets for g in students.atomic[name]))
        duration = _int(element, "Duration", where)
        if duration < 1:
            raise FetError(f"{where}: the duration must be at least 1, found {duration}")
        split = _text(element, "Activity_Group_Id", "0").strip()
        declared = _text(element, "Number_Of_Students").strip()
        n_students = int(declared) if declared.isdigit() else sum(students.sizes[n] for n in sets)
        activity = Activity(
            id=activity_id,
            subject=_text(element, "Subject"),
            teachers=tuple(_texts(element, "Teacher")),
            groups=groups,
            duration=duration,
            split_of="" if split in ("", "0") else split,
            label=_label(element),
        )
        result.append(
            _FetActivity(activity, tuple(_texts(element, "Activity_Tag")), sets, n_students)
        )
    return result


def _label(element: Element) -> str:
    parts = [_text(element, "Subject"), *_texts(element, "Teacher"), *_texts(element, "Students")]
    return " - ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class _Room:
    name: str
    capacity: int
    virtual: bool


def _read_rooms(root: Element) -> list[_Room]:
    rooms = []
    for element in root.findall("./Rooms_List/Room"):
        raw = _text(element, "Capacity", "0").strip()
        rooms.append(
            _Room(
                _name(element), int(raw) if raw.isdigit() else 0, _flag(element, "Virtual", False)
            )
        )
    return rooms


# ---- constraints -------------------------------------------------------------------------


@dataclass(slots=True)
class _RoomRule:
    """A hard room constraint: ``rooms`` for the activities ``applies`` selects."""

    applies: Callable[[_FetActivity], bool]
    rooms: frozenset[str]
    home: bool  # FET uses home rooms only for activities without preferred rooms


@dataclass(slots=True)
class _Context:
    """What the constraint readers collect while walking the file."""

    week: Week
    days: dict[str, int]
    hours: dict[str, int]
    students: _Students
    teachers: set[str]
    rooms: set[str]
    activities: dict[str, _FetActivity]
    breaks: set[int] = field(default_factory=set)
    teacher_unavailable: dict[str, set[int]] = field(default_factory=dict)
    group_unavailable: dict[str, set[int]] = field(default_factory=dict)
    room_unavailable: dict[str, set[int]] = field(default_factory=dict)
    fixed: dict[str, int] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    room_rules: list[_RoomRule] = field(default_factory=list)
    #: resources of capacity 1 shared by activities that must not overlap
    shared_resources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unsupported: Counter[str] = field(default_factory=Counter)

    # -- references --
    def slot(self, day: str, hour: str, where: str) -> int:
        return self.week.slot(self.day(day, where), self.hour(hour, where))

    def day(self, name: str, where: str) -> int:
        if name not in self.days:
            raise FetError(f"{where}: unknown day {name!r}")
        return self.days[name]

    def hour(self, name: str, where: str) -> int:
        if name not in self.hours:
            raise FetError(f"{where}: unknown hour {name!r}")
        return self.hours[name]

    def teacher(self, name: str, where: str) -> str:
        if name not in self.teachers:
            raise FetError(f"{where}: unknown teacher {name!r}")
        return name

    def groups(self, name: str, where: str) -> tuple[str, ...]:
        if name not in self.students.atomic:
            raise FetError(f"{where}: unknown students set {name!r}")
        return self.students.atomic[name]

    def room(self, name: str, where: str) -> str:
        if name not in self.rooms:
            raise FetError(f"{where}: unknown room {name!r}")
        return name

    def known_activities(self, ids: Iterable[str]) -> tuple[str, ...]:
        """The ids naming active activities (FET ignores inactive ones in constraints)."""
        return tuple(dict.fromkeys(i.strip() for i in ids if i.strip() in self.activities))

    def activity_of(self, element: Element) -> str:
        """The constraint's ``Activity_Id`` if it names an active activity, else ""."""
        activity_id = _text(element, "Activity_Id").strip()
        return activity_id if activity_id in self.activities else ""

    def slots_of(
        self, element: Element, entry: str, day_tag: str, hour_tag: str, where: str
    ) -> set[int]:
        return {
            self.slot(_text(e, day_tag), _text(e, hour_tag), where) for e in element.findall(entry)
        }

    def starts_within(self, activity: str, slots: set[int]) -> frozenset[int]:
        """Start slots from which the whole activity lies inside ``slots`` on one day."""
        duration = self.activities[activity].activity.duration
        week = self.week
        return frozenset(
            s
            for s in slots
            if week.period_of(s) + duration <= week.periods_per_day
            and all(s + k in slots for k in range(duration))
        )


Reader = Callable[[Element, float, _Context, str], None]


def _weight(element: Element, where: str) -> float:
    raw = _text(element, "Weight_Percentage", "100").strip()
    try:
        weight = float(raw)
    except ValueError:
        raise FetError(f"{where}: weight {raw!r} is not a number") from None
    if not 0 <= weight <= HARD:
        raise FetError(f"{where}: weight {weight} is outside 0-100")
    return weight


def _nothing(element: Element, weight: float, ctx: _Context, where: str) -> None:
    """Basic compulsory time/space: the solver always enforces them."""


def _break_times(element: Element, weight: float, ctx: _Context, where: str) -> None:
    """Break times: no activity in these slots (and none spans them)."""
    ctx.breaks |= ctx.slots_of(element, "Break_Time", "Day", "Hour", where)


def _avoid_slots(ctx: _Context, activities: Iterable[str], slots: set[int], weight: float) -> None:
    """Soft "not available": each lesson concerned should not cover ``slots`` -- FET's own
    reading (it turns them into per-activity allowed times); cost weight/100 per lesson."""
    week = ctx.week
    for activity in activities:
        duration = ctx.activities[activity].activity.duration
        allowed = frozenset(
            s
            for s in range(week.n_slots)
            if week.period_of(s) + duration <= week.periods_per_day
            and not any(s + k in slots for k in range(duration))
        )
        ctx.constraints.append(PreferredStarts(activity=activity, slots=allowed, weight=weight))


def _teacher_not_available(element: Element, weight: float, ctx: _Context, where: str) -> None:
    """Hard: ``Teacher.unavailable``; soft: her lessons prefer other slots."""
    teacher = ctx.teacher(_text(element, "Teacher"), where)
    slots = ctx.slots_of(element, "Not_Available_Time", "Day", "Hour", where)
    if weight >= HARD:
        ctx.teacher_unavailable.setdefault(teacher, set()).update(slots)
    else:
        mine = [a for a, fa in ctx.activities.items() if teacher in fa.activity.teachers]
        _avoid_slots(ctx, mine, slots, weight)


def _students_not_available(element: Element, weight: float, ctx: _Context, where: str) -> None:
    """Hard: ``Group.unavailable`` of every atomic group of the set; soft: as for teachers."""
    groups = ctx.groups(_text(element, "Students"), where)
    slots = ctx.slots_of(element, "Not_Available_Time", "Day", "Hour", where)
    if weight >= HARD:
        for group in groups:
            ctx.group_unavailable.setdefault(group, set()).update(slots)
    else:
        theirs = [a for a, fa in ctx.activities.items() if set(groups) & set(fa.activity.groups)]
        _avoid_slots(ctx, theirs, slots, weight)


def _room_not_available(element: Element, weight: float, ctx: _Context, where: str) -> None:
    """Hard: ``Resource.unavailable`` of the room; soft: no counterpart (listed)."""
    room = ctx.room(_text(element, "Room"), where)
    slots = ctx.slots_of(element, "Not_Available_Time", "Day", "Hour", where)
    if weight < HARD:
        ctx.unsupported[f"{element.tag} (weight below 100)"] += 1
    else:
        ctx.room_unavailable.setdefault(room, set()).update(slots)


def _activities_not_overlapping(element: Element, weight: float, ctx: _Context, where: str) -> None:
    """Hard: the activities share a capacity-1 resource of their own, so never overlap."""
    ids = ctx.known_activities(_texts(element, "Activity_Id"))
    if weight < HARD:
        ctx.unsupported[f"{element.tag} (weight below 100)"] += 1
    elif len(ids) >= 2:
        resource = f"fet:not-overlapping-{len(ctx.shared_resources) + 1}"
        ctx.shared_resources[resource] = ids


def _min_days_between(element: Element, weight: float, ctx: _Context, where: str) -> None:
    ids = ctx.known_activities(_texts(element, "Activity_Id"))
    if len(ids) >= 2:
        ctx.constraints.append(
            MinDaysBetween(
                activities=ids,
                min_days=_int(element, "MinDays", where),
                weight=weight,
                consecutive_if_same_day=_flag(element, "Consecutive_If_Same_Day", False),
            )
        )


def _same_starting_time(element: Element, weight: float, ctx: _Context, where: str) -> None:
    ids = ctx.known_activities(_texts(element, "Activity_Id"))
    if len(ids) >= 2:
        ctx.constraints.append(SameStart(activities=ids, weight=weight))


def _prefer_starts(ctx: _Context, activity: str, starts: frozenset[int], weight: float) -> None:
    """Hard single-slot preferences become fixed starts; the rest preferred starts."""
    if weight >= HARD and len(starts) == 1 and activity not in ctx.fixed:
        ctx.fixed[activity] = next(iter(starts))
    else:
        ctx.constraints.append(PreferredStarts(activity=activity, slots=starts, weight=weight))


def _activity_preferred_starting_time(
    element: Element, weight: float, ctx: _Context, where: str
) -> None:
    """One start (day and hour; either may be left empty, meaning any)."""
    activity = ctx.activity_of(element)
    if not activity:
        return
    day, hour = _text(element, "Preferred_Day"), _text(element, "Preferred_Hour")
    days = [ctx.day(day, where)] if day else range(ctx.week.n_days)
    hours = [ctx.hour(hour, where)] if hour else range(ctx.week.periods_per_day)
    starts = frozenset(ctx.week.slot(d, h) for d in days for h in hours)
    _prefer_starts(ctx, activity, starts, weight)


def _activity_preferred_starting_times(
    element: Element, weight: float, ctx: _Context, where: str
) -> None:
    activity = ctx.activity_of(element)
    if activity:
        starts = _starting_times(element, ctx, where)
        _prefer_starts(ctx, activity, frozenset(starts), weight)


def _starting_times(element: Element, ctx: _Context, where: str) -> set[int]:
    return ctx.slots_of(
        element,
        "Preferred_Starting_Time",
        "Preferred_Starting_Day",
        "Preferred_Starting_Hour",
        where,
    )


def _time_slots(element: Element, ctx: _Context, where: str) -> set[int]:
    return ctx.slots_of(element, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour", where)


def _activity_preferred_time_slots(
    element: Element, weight: float, ctx: _Context, where: str
) -> None:
    """All periods of the activity inside the slots -> the starts that allow that."""
    activity = ctx.activity_of(element)
    if activity:
        starts = ctx.starts_within(activity, _time_slots(element, ctx, where))
        _prefer_starts(ctx, activity, starts, weight)


def _matching(element: Element, ctx: _Context, where: str) -> list[str]:
    """The activities an "activities ..." constraint selects (teacher, students, subject,
    activity tag, duration; an empty filter matches all)."""
    teacher = _text(element, "Teacher_Name")
    students = _text(element, "Students_Name")
    subject = _text(element, "Subject_Name")
    tag = _text(element, "Activity_Tag_Name")
    duration = _text(element, "Duration").strip()
    if teacher:
        ctx.teacher(teacher, where)
    if students:
        ctx.groups(students, where)
    return [
        a.activity.id
        for a in ctx.activities.values()
        if (not teacher or teacher in a.activity.teachers)
        and (not students or students in a.student_sets)
        and (not subject or subject == a.activity.subject)
        and (not tag or tag in a.tags)
        and (not duration or duration == str(a.activity.duration))
    ]


def _activities_preferred_starting_times(
    element: Element, weight: float, ctx: _Context, where: str
) -> None:
    starts = frozenset(_starting_times(element, ctx, where))
    for activity in _matching(element, ctx, where):
        _prefer_starts(ctx, activity, starts, weight)


def _activities_preferred_time_slots(
    element: Element, weight: float, ctx: _Context, where: str
) -> None:
    slots = _time_slots(element, ctx, where)
    for activity in _matching(element, ctx, where):
        _prefer_starts(ctx, activity, ctx.starts_within(activity, slots), weight)


def _subactivities(element: Element, ctx: _Context, where: str) -> list[str]:
    """The ``Component_Number``-th part of each matching split activity (FET's order)."""
    component = _int(element, "Component_Number", where)
    parts: dict[str, list[str]] = {}
    for activity in _matching(element, ctx, where):
        a = ctx.activities[activity].activity
        parts.setdefault(a.split_of or a.id, []).append(a.id)
    return [ids[component - 1] for ids in parts.values() if 1 <= component <= len(ids)]


def _subactivities_preferred_starting_times(
    element: Element, weight: float, ctx: _Context, where: str
) -> None:
    starts = frozenset(_starting_times(element, ctx, where))
    for activity in _subactivities(element, ctx, where):
        _prefer_starts(ctx, activity, starts, weight)


def _subactivities_preferred_time_slots(
    element: Element, weight: float, ctx: _Context, where: str
) -> None:
    slots = _time_slots(element, ctx, where)
    for activity in _subactivities(element, ctx, where):
        _prefer_starts(ctx, activity, ctx.starts_within(activity, slots), weight)


def _who_ids(element: Element, ctx: _Context, where: str) -> tuple[str, tuple[str, ...]]:
    """("teacher" | "group", ids) of a teacher(s)/students(set) constraint; () = all."""
    tag = element.tag
    if tag.startswith("ConstraintTeachers"):
        return "teacher", ()
    if tag.startswith("ConstraintTeacher"):
        return "teacher", (ctx.teacher(_text(element, "Teacher_Name"), where),)
    if tag.startswith("ConstraintStudentsSet"):
        return "group", ctx.groups(_text(element, "Students"), where)
    return "group", ()


def _max_gaps_per_week(element: Element, weight: float, ctx: _Context, where: str) -> None:
    who, ids = _who_ids(element, ctx, where)
    gaps = _int(element, "Max_Gaps", where)
    ctx.constraints.append(MaxGaps(who=who, ids=ids, max_gaps=gaps, per="week", weight=weight))


def _max_gaps_per_day(element: Element, weight: float, ctx: _Context, where: str) -> None:
    who, ids = _who_ids(element, ctx, where)
    gaps = _int(element, "Max_Gaps", where)
    ctx.constraints.append(MaxGaps(who=who, ids=ids, max_gaps=gaps, per="day", weight=weight))


def _max_hours_daily(element: Element, weight: float, ctx: _Context, where: str) -> None:
    who, ids = _who_ids(element, ctx, where)
    most = _int(element, "Maximum_Hours_Daily", where)
    ctx.constraints.append(MaxHoursDaily(who=who, ids=ids, max_periods=most, weight=weight))


def _max_days_per_week(element: Element, weight: float, ctx: _Context, where: str) -> None:
    _, ids = _who_ids(element, ctx, where)
    most = _int(element, "Max_Days_Per_Week", where)
    ctx.constraints.append(MaxDaysPerWeek(ids=ids, max_days=most, weight=weight))


def _room_rule(
    ctx: _Context,
    weight: float,
    kind: str,
    applies: Callable[[_FetActivity], bool],
    rooms: Iterable[str],
    *,
    home: bool = False,
) -> None:
    """Hard room constraints narrow the room choices; soft ones have no model (listed)."""
    if weight < HARD:
        ctx.unsupported[f"{kind} (weight below 100)"] += 1
        return
    ctx.room_rules.append(_RoomRule(applies, frozenset(rooms), home))


def _rooms_of(element: Element, ctx: _Context, where: str) -> list[str]:
    names = _texts(element, "Preferred_Room") or [_text(element, "Room")]
    return [ctx.room(name, where) for name in names]


def _activity_preferred_rooms(element: Element, weight: float, ctx: _Context, where: str) -> None:
    activity = _text(element, "Activity_Id").strip()
    rooms = _rooms_of(element, ctx, where)
    _room_rule(ctx, weight, element.tag, lambda a: a.activity.id == activity, rooms)


def _subject_preferred_rooms(element: Element, weight: float, ctx: _Context, where: str) -> None:
    subject = _text(element, "Subject")
    rooms = _rooms_of(element, ctx, where)
    _room_rule(ctx, weight, element.tag, lambda a: a.activity.subject == subject, rooms)


def _activity_tag_preferred_rooms(
    element: Element, weight: float, ctx: _Context, where: str
) -> None:
    tag = _text(element, "Activity_Tag")
    rooms = _rooms_of(element, ctx, where)
    _room_rule(ctx, weight, element.tag, lambda a: tag in a.tags, rooms)


def _subject_activity_tag_preferred_rooms(
    element: Element, weight: float, ctx: _Context, where: str
) -> None:
    subject, tag = _text(element, "Subject"), _text(element, "Activity_Tag")
    rooms = _rooms_of(element, ctx, where)
    _room_rule(
        ctx, weight, element.tag, lambda a: a.activity.subject == subject and tag in a.tags, rooms
    )


def _teacher_home_rooms(element: Element, weight: float, ctx: _Context, where: str) -> None:
    """Home rooms of a teacher: activities whose only teacher she is."""
    teacher = ctx.teacher(_text(element, "Teacher"), where)
    rooms = _rooms_of(element, ctx, where)
    _room_rule(
        ctx, weight, element.tag, lambda a: a.activity.teachers == (teacher,), rooms, home=True
    )


def _students_home_rooms(element: Element, weight: float, ctx: _Context, where: str) -> None:
    """Home rooms of a students set: activities of exactly that one set."""
    students = _text(element, "Students")
    ctx.groups(students, where)
    rooms = _rooms_of(element, ctx, where)
    _room_rule(ctx, weight, element.tag, lambda a: a.student_sets == (students,), rooms, home=True)


READERS: dict[str, Reader] = {
    "ConstraintBasicCompulsoryTime": _nothing,
    "ConstraintBasicCompulsorySpace": _nothing,
    "ConstraintBreakTimes": _break_times,
    "ConstraintTeacherNotAvailableTimes": _teacher_not_available,
    "ConstraintStudentsSetNotAvailableTimes": _students_not_available,
    "ConstraintMinDaysBetweenActivities": _min_days_between,
    "ConstraintActivitiesSameStartingTime": _same_starting_time,
    "ConstraintActivitiesNotOverlapping": _activities_not_overlapping,
    "ConstraintActivityPreferredStartingTime": _activity_preferred_starting_time,
    "ConstraintActivityPreferredStartingTimes": _activity_preferred_starting_times,
    "ConstraintActivityPreferredTimeSlots": _activity_preferred_time_slots,
    "ConstraintActivitiesPreferredStartingTimes": _activities_preferred_starting_times,
    "ConstraintActivitiesPreferredTimeSlots": _activities_preferred_time_slots,
    "ConstraintSubactivitiesPreferredStartingTimes": _subactivities_preferred_starting_times,
    "ConstraintSubactivitiesPreferredTimeSlots": _subactivities_preferred_time_slots,
    "ConstraintTeachersMaxGapsPerWeek": _max_gaps_per_week,
    "ConstraintTeacherMaxGapsPerWeek": _max_gaps_per_week,
    "ConstraintStudentsMaxGapsPerWeek": _max_gaps_per_week,
    "ConstraintStudentsSetMaxGapsPerWeek": _max_gaps_per_week,
    "ConstraintTeachersMaxGapsPerDay": _max_gaps_per_day,
    "ConstraintTeacherMaxGapsPerDay": _max_gaps_per_day,
    "ConstraintStudentsMaxGapsPerDay": _max_gaps_per_day,
    "ConstraintStudentsSetMaxGapsPerDay": _max_gaps_per_day,
    "ConstraintTeachersMaxHoursDaily": _max_hours_daily,
    "ConstraintTeacherMaxHoursDaily": _max_hours_daily,
    "ConstraintStudentsMaxHoursDaily": _max_hours_daily,
    "ConstraintStudentsSetMaxHoursDaily": _max_hours_daily,
    "ConstraintTeachersMaxDaysPerWeek": _max_days_per_week,
    "ConstraintTeacherMaxDaysPerWeek": _max_days_per_week,
    "ConstraintActivityPreferredRoom": _activity_preferred_rooms,
    "ConstraintActivityPreferredRooms": _activity_preferred_rooms,
    "ConstraintSubjectPreferredRoom": _subject_preferred_rooms,
    "ConstraintSubjectPreferredRooms": _subject_preferred_rooms,
    "ConstraintActivityTagPreferredRoom": _activity_tag_preferred_rooms,
    "ConstraintActivityTagPreferredRooms": _activity_tag_preferred_rooms,
    "ConstraintSubjectActivityTagPreferredRoom": _subject_activity_tag_preferred_rooms,
    "ConstraintSubjectActivityTagPreferredRooms": _subject_activity_tag_preferred_rooms,
    "ConstraintTeacherHomeRoom": _teacher_home_rooms,
    "ConstraintTeacherHomeRooms": _teacher_home_rooms,
    "ConstraintStudentsSetHomeRoom": _students_home_rooms,
    "ConstraintStudentsSetHomeRooms": _students_home_rooms,
    "ConstraintRoomNotAvailableTimes": _room_not_available,
}

#: the FET constraint kinds this importer models (the rest become :class:`Unsupported`).
SUPPORTED_KINDS: frozenset[str] = frozenset(READERS)


def _read_constraints(root: Element, ctx: _Context) -> None:
    """Dispatch every active constraint of weight > 0 to its reader."""
    for section in ("Time_Constraints_List", "Space_Constraints_List"):
        for number, element in enumerate(root.findall(f"./{section}/*"), start=1):
            if not _flag(element, "Active", True):
                continue
            where = f"{element.tag} (constraint {number} of {section})"
            weight = _weight(element, where)
            if weight == 0:
                continue
            reader = READERS.get(element.tag)
            if reader is None:
                ctx.unsupported[element.tag] += 1
            else:
                reader(element, weight, ctx, where)


def _room_choices(
    activity: _FetActivity, rules: list[_RoomRule], rooms: list[_Room]
) -> tuple[str, ...]:
    """The rooms an activity may use: preferred rooms, else home rooms (FET's rule), all hard
    rules of a kind intersected, rooms too small for its students removed. No rule, no room."""
    preferred = [r.rooms for r in rules if not r.home and r.applies(activity)]
    chosen = preferred or [r.rooms for r in rules if r.home and r.applies(activity)]
    if not chosen:
        return ()
    allowed = frozenset.intersection(*chosen)
    return tuple(
        room.name for room in rooms if room.name in allowed and room.capacity >= activity.n_students
    )


# ---- the public reader -------------------------------------------------------------------


def _week(root: Element) -> Week:
    days = tuple(_name(e) for e in root.findall("./Days_List/Day"))
    hours = tuple(_name(e) for e in root.findall("./Hours_List/Hour"))
    if not days or not hours:
        raise FetError("the file lists no days or no hours")
    for kind, names in (("day", days), ("hour", hours)):
        if len(set(names)) != len(names):
            raise FetError(f"a {kind} name is used twice")
    return Week(days=days, periods=hours)


def _mode_unsupported(root: Element) -> list[Unsupported]:
    mode = _text(root, "Mode", "Official").strip()
    if mode != "Official":
        detail = "days are read as plain days; the mode's own rules are not modelled"
        return [Unsupported(kind=f"Mode {mode}", count=1, detail=detail)]
    return []


def read_fet(
    source: Source,
    *,
    strict: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    name: str | None = None,
) -> Problem:
    """Read a FET file (path or bytes, plain or gzip'd) into a :class:`Problem`.

    Unsupported constraints are listed in ``Problem.unsupported``; with ``strict=True``
    the file is refused instead. Raises :class:`FetError` for anything wrong.
    """
    root = load_fet_root(source, max_bytes=max_bytes)
    week = _week(root)
    students = _read_students(root)
    teachers = [_name(e) for e in root.findall("./Teachers_List/Teacher")]
    rooms = _read_rooms(root)
    fet_activities = _read_activities(root, students, set(teachers))
    ctx = _Context(
        week=week,
        days={d: i for i, d in enumerate(week.days)},
        hours={h: i for i, h in enumerate(week.periods)},
        students=students,
        teachers=set(teachers),
        rooms={r.name for r in rooms},
        activities={a.activity.id: a for a in fet_activities},
    )
    _read_constraints(root, ctx)
    unsupported = _mode_unsupported(root) + [
        Unsupported(kind=kind, count=count) for kind, count in sorted(ctx.unsupported.items())
    ]
    if any(room.virtual for room in rooms):
        unsupported.append(Unsupported(kind="virtual rooms", count=sum(r.virtual for r in rooms)))
    if strict and unsupported:
        listed = ", ".join(f"{u.kind} ({u.count})" for u in unsupported)
        raise FetError(f"the file uses constraints this engine does not support: {listed}")
    shared_by: dict[str, list[str]] = {}
    for resource, ids in ctx.shared_resources.items():
        for activity_id in ids:
            shared_by.setdefault(activity_id, []).append(resource)
    activities = tuple(
        replace(
            a.activity,
            fixed_start=ctx.fixed.get(a.activity.id),
            room_choices=_room_choices(a, ctx.room_rules, rooms),
            resources=tuple(shared_by.get(a.activity.id, ())),
        )
        for a in fet_activities
    )
    return Problem(
        name=name or _problem_name(source, root),
        week=replace(week, break_slots=frozenset(ctx.breaks)),
        teachers=tuple(
            Teacher(id=t, name=t, unavailable=frozenset(ctx.teacher_unavailable.get(t, ())))
            for t in teachers
        ),
        groups=tuple(
            Group(id=g, name=g, unavailable=frozenset(ctx.group_unavailable.get(g, ())))
            for g in students.order
        ),
        resources=(
            *(
                Resource(
                    id=r.name,
                    capacity=1,
                    kind="room",
                    name=r.name,
                    unavailable=frozenset(ctx.room_unavailable.get(r.name, ())),
                )
                for r in rooms
            ),
            *(
                Resource(
                    id=rid, capacity=1, kind="not-overlapping", name="lessons that must not overlap"
                )
                for rid in ctx.shared_resources
            ),
        ),
        activities=activities,
        constraints=tuple(ctx.constraints),
        unsupported=tuple(unsupported),
        group_sets=tuple(students.atomic.items()),
    )


def _problem_name(source: Source, root: Element) -> str:
    if isinstance(source, bytes):
        return _text(root, "Institution_Name", "fet").strip() or "fet"
    stem = Path(source).name
    for suffix in (".gz", ".fet"):
        stem = stem.removesuffix(suffix)
    return stem


def read_fet_timetable(
    source: Source, problem: Problem, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Placement, ...]:
    """The placements stored in a solved FET file (fet-cl's ``*_data_and_timetable.fet``
    or :func:`auyl.engines.timetabling.export.write_fet`'s output).

    A solved file states each activity's time as a hard ``ActivityPreferredStartingTime``
    (day and hour) and its room as a hard ``ActivityPreferredRoom``, appended after the
    original constraints; the last such constraint per activity wins. Activities of
    ``problem`` without a time are left out (a partial timetable).
    """
    root = load_fet_root(source, max_bytes=max_bytes)
    days = {d: i for i, d in enumerate(problem.week.days)}
    hours = {h: i for i, h in enumerate(problem.week.periods)}
    starts: dict[str, int] = {}
    rooms: dict[str, str] = {}
    for element in root.findall("./Time_Constraints_List/ConstraintActivityPreferredStartingTime"):
        if _is_hard_and_active(element):
            day, hour = _text(element, "Preferred_Day"), _text(element, "Preferred_Hour")
            if day in days and hour in hours:
                activity = _text(element, "Activity_Id").strip()
                starts[activity] = problem.week.slot(days[day], hours[hour])
    for element in root.findall("./Space_Constraints_List/ConstraintActivityPreferredRoom"):
        if _is_hard_and_active(element):
            rooms[_text(element, "Activity_Id").strip()] = _text(element, "Room")
    return tuple(
        Placement(
            activity=a.id, start=starts[a.id], room=rooms.get(a.id) if a.room_choices else None
        )
        for a in problem.activities
        if a.id in starts
    )


def _is_hard_and_active(element: Element) -> bool:
    try:
        weight = float(_text(element, "Weight_Percentage", "100").strip())
    except ValueError:
        return False
    return weight >= HARD and _flag(element, "Active", True)
