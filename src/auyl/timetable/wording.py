"""The engine's codes in words a deputy head understands, in the user's language.

The engine returns stable ``kind`` codes (violations of :func:`evaluate`, conflicts of
``validate.check`` and ``explain``) with an English ``detail``; this module turns a code
into a translated sentence. The builder's :class:`~auyl.timetable.problem.Issue` codes
are turned into sentences here too, with their parameters filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from auyl.timetable import problem

#: engine kind code -> sentence (violations and conflicts)
KINDS: Mapping[str, Promise] = {
    "teacher_clash": _("The teacher would teach two lessons at once."),
    "group_clash": _("A grade would have two lessons at once."),
    "resource_capacity": _(
        "The room or the school's internet link is already in use (an internet link carries "
        "only so many online lessons at once)."
    ),
    "group_unavailable": _("The school has no lessons in that period (its week or a break)."),
    "resource_unavailable": _(
        "The room or the school's internet link is not available in that period."
    ),
    "resource_availability": _("A room or an internet link is closed in some periods."),
    "room_choice": _("The lesson must be held in one of the rooms chosen for it."),
    "consecutive_if_same_day": _(
        "Two lessons that fall on the same day must follow each other directly."
    ),
    "lesson_no_room": _("A lesson's room is closed whenever the lesson could take place."),
    "teacher_unavailable": _("The teacher is not available in that period."),
    "break": _("That period is a break."),
    "day_end": _("The lesson does not fit in one day."),
    "fixed_start": _("A locked lesson would move."),
    "group_daily_max": _("A grade would have more lessons that day than its daily maximum."),
    "group_no_gaps": _("A primary grade would have an empty period between two lessons."),
    "teacher_travel": _("The teacher would not have the time to travel between the schools."),
    "teacher_max_load": _("The teacher would teach more than the most periods a week allowed."),
    "placed_once": _("A lesson is missing or placed twice."),
    "group_overfull": _("A grade has more lessons than its week has periods."),
    "teacher_overfull": _("A teacher has more lessons than free periods in the week."),
    "teacher_over_max_load": _("A teacher has more lessons than the most allowed a week."),
    "teacher_unavailable_all_week": _("A teacher with lessons is not available at all."),
    "lesson_no_slot": _("A lesson fits nowhere in the week (breaks, unavailable or locked)."),
    "broadcast_no_common_slot": _("A broadcast joins schools whose free periods never coincide."),
    "duplicate_id": _("The timetable data names something twice (a program error)."),
    "unknown_reference": _("The timetable data refers to something missing (a program error)."),
    "room_capacity": _("The room is needed by two lessons at once."),
    "link_capacity": _("The school's internet link carries too many online lessons at once."),
    "curriculum": _("The curriculum hours of a grade must all be taught."),
    "timeout": _("The solver found no timetable within the time limit."),
}

#: builder issue code -> sentence with named parameters
ISSUES: Mapping[str, Promise] = {
    "no_teacher": _(
        "%(school)s, class-set %(class_set)s: no teacher is assigned to teach %(subject)s "
        "there. Assign one in the registry, or make the subject online."
    ),
    "unqualified": _(
        "%(school)s, class-set %(class_set)s: %(teacher)s teaches %(subject)s without the "
        "qualification (an online lesson from the hub could replace it)."
    ),
    "no_broadcaster": _(
        "%(school)s: %(subject)s for grade(s) %(grades)s is set to online, but no hub teacher "
        "qualified in it has the time. Choose another lesson mode or free a hub teacher."
    ),
    "no_link": _(
        "%(school)s has no internet link, but %(subject)s for grade %(grade)s is an online "
        "lesson there."
    ),
    "broadcast_weeks_differ": _(
        "The broadcast of %(subject)s for grade %(grade)s joins schools whose weeks differ: "
        "%(schools)s. Give them the same days and periods in the timetable settings."
    ),
    "grade_overfull": _(
        "%(group)s needs %(needed)s lessons a week, but its week has room for only "
        "%(available)s (days x daily maximum, without breaks). Lower the curriculum hours or "
        "lengthen the week."
    ),
    "room_overfull": _(
        "%(school)s, class-set %(class_set)s: its room is needed for %(needed)s lessons a week, "
        "but the week has only %(available)s periods. Make some subjects separate or online, "
        "or lengthen the week."
    ),
    "spare_overfull": _(
        "%(school)s: %(needed)s online or separate lessons a week need its spare room(s), "
        "which offer only %(available)s periods. Take fewer subjects online or separately."
    ),
    "link_overfull": _(
        "%(school)s: %(needed)s online lessons a week need its internet link, which carries "
        "only %(available)s stream-periods a week. Raise its streams or take fewer subjects "
        "online."
    ),
    "teacher_unavailable": _(
        "%(teacher)s has %(needed)s lessons but no available period in the week."
    ),
    "teacher_overfull": _(
        "%(teacher)s has %(needed)s lessons but only %(available)s available periods."
    ),
}


def kind_text(kind: str) -> str:
    """A sentence for an engine code (the code itself when it is new to this module)."""
    text = KINDS.get(kind)
    return str(text) if text is not None else kind.replace("_", " ")


def issue_text(code: str, params: Mapping[str, Any]) -> str:
    """The sentence of a builder issue, with its parameters."""
    template = ISSUES.get(code)
    if template is None:
        return code.replace("_", " ")
    try:
        return str(template) % dict(params)
    except (KeyError, TypeError, ValueError):
        return str(template)


#: why a class-set takes a subject in its mode (``problem.ModeChoice.source``)
MODE_SOURCES: Mapping[str, Promise] = {
    problem.SOURCE_SET: _("set by the school"),
    problem.SOURCE_HUB: _(
        "set to online by the school, but the hub teaches its own pupils itself: joint"
    ),
    problem.SOURCE_COVERAGE: _(
        "default: online lesson from hub %(hub)s (coverage list: no qualified teacher at "
        "the school)"
    ),
    problem.SOURCE_PRIMARY_SET: _("default for a combined primary class-set (grades 1-4)"),
    problem.SOURCE_COMBINED_SET: _("default for a combined class-set of older grades"),
    problem.SOURCE_SINGLE_GRADE: _("default for a class-set of one grade"),
}

#: lesson mode code -> its short name
MODE_NAMES: Mapping[str, Promise] = {
    "joint": _("joint"),
    "parallel": _("parallel"),
    "separate": _("separate"),
    "online": _("online"),
}


def mode_source_text(choice: problem.ModeChoice) -> str:
    """Why ``choice`` applies, in a few words ("default: online lesson from hub X ...")."""
    text = MODE_SOURCES.get(choice.source)
    if text is None:
        return choice.source
    return (
        str(text) % {"hub": choice.hub} if choice.source == problem.SOURCE_COVERAGE else str(text)
    )


def mode_fallback_text(choice: problem.ModeChoice) -> str:
    """What a default online lesson becomes when it cannot be given, and who could give it."""
    teachers = ", ".join(choice.teachers[:3])
    text = _(
        "Hub teachers who could give it: %(teachers)s. If none has the time left, or the "
        "school's spare room and link are already half busy with online lessons, it stays "
        "%(local)s at the school."
    )
    return str(text) % {"teachers": teachers or "—", "local": mode_name(choice.local)}


def mode_name(mode: str) -> str:
    name = MODE_NAMES.get(mode)
    return str(name) if name is not None else mode
