"""Template helpers of the timetable pages."""

from __future__ import annotations

from django import template

from auyl.timetable import wording
from auyl.timetable.models import Lesson
from auyl.timetable.problem import ModeChoice
from auyl.timetable.selectors import lesson_groups_text

register = template.Library()


@register.filter
def who(lesson: Lesson) -> str:
    """Who takes ``lesson``: grades and schools ("5+6 · Kumsai")."""
    return lesson_groups_text(lesson)


@register.filter
def plus_one(value: int) -> int:
    """0-based day or period -> the number people use."""
    return int(value) + 1


@register.filter
def day_name(value: int) -> str:
    """0-based day -> its short name in the active language (Mon, Tue...)."""
    from auyl.timetable.selectors import DAY_NAMES

    day = int(value)
    return str(DAY_NAMES[day]) if 0 <= day < len(DAY_NAMES) else str(day + 1)


@register.filter
def mode_label(mode: str) -> str:
    """A lesson mode code -> its short name in the active language."""
    return wording.mode_name(mode)


@register.filter
def mode_source(choice: ModeChoice) -> str:
    """Why a lesson mode applies, in words."""
    return wording.mode_source_text(choice)


@register.filter
def mode_fallback(choice: ModeChoice) -> str:
    """What a default online lesson becomes when it cannot be given."""
    return wording.mode_fallback_text(choice)
