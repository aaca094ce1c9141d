"""Downloads of a run: PDF per school or teacher, a teacher's iCalendar, the cluster's CSV.

iCalendar and CSV come from the engine's exporters (:mod:`auyl.engines.timetabling.export`)
applied to the cluster's problem rebuilt from the registry and the run's lessons.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _

from auyl.core.downloads import file_response
from auyl.registry.models import ClassSet, School, Teacher
from auyl.timetable import selectors
from auyl.timetable.models import Lesson, TimetableRun
from auyl.timetable.pdf import PdfGrid, timetable_pdf
from auyl.timetable.services import run_solution


def attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    return file_response(body, content_type, filename)


def _cell_line(lesson: Lesson, by_teacher: bool) -> str:
    who = selectors.lesson_groups_text(lesson)
    if by_teacher:
        return f"{lesson.subject.name} · {who}"
    online = f" ({_('online')})" if lesson.broadcast else ""
    teacher = lesson.teacher.full_name if lesson.teacher else "—"
    return f"{lesson.subject.name}{online} · {teacher} · {who}"


def _pdf_grid(heading: str, run: TimetableRun, lessons: list[Lesson], by_teacher: bool) -> PdfGrid:
    grid = selectors.make_grid(run, lessons)
    cells = [
        ["\n".join(_cell_line(x, by_teacher) for x in cell.lessons) for cell in row]
        for row in grid.rows
    ]
    return PdfGrid(heading, grid.days, cells)


def _subtitle(run: TimetableRun) -> str:
    return _("Cluster of %(hub)s · timetable of %(date)s") % {
        "hub": run.hub.name,
        "date": run.created_at.strftime("%d.%m.%Y"),
    }


def school_pdf(run: TimetableRun, school: School) -> bytes:
    """One page per class-set (per class at a school with parallel classes)."""
    grids = []
    for cs in ClassSet.objects.filter(school=school).order_by("name"):
        lessons = selectors.class_set_lessons(run, cs)
        if lessons:
            heading = _("Class-set %(name)s") % {"name": cs.name}
            grids.append(_pdf_grid(heading, run, lessons, by_teacher=False))
    return timetable_pdf(school.name, _subtitle(run), grids)


def teacher_pdf(run: TimetableRun, teacher: Teacher) -> bytes:
    lessons = selectors.teacher_lessons(run, teacher)
    grid = _pdf_grid(teacher.full_name, run, lessons, by_teacher=True)
    return timetable_pdf(teacher.full_name, _subtitle(run), [grid])


def teacher_ics(run: TimetableRun, teacher: Teacher, *, first_monday: dt.date) -> bytes:
    """The teacher's lessons, repeating weekly for a school term of 8 weeks."""
    from auyl.engines.timetabling.export import to_ical

    problem, solution = run_solution(run)
    return to_ical(problem, solution, first_monday=first_monday, weeks=8, teacher=teacher.code)


def cluster_csv(run: TimetableRun) -> str:
    from auyl.engines.timetabling.export import to_csv

    problem, solution = run_solution(run)
    return to_csv(problem, solution)
