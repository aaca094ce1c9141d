"""Pages of cluster timetables: the clusters, a cluster's run and its schools, grids per
school, class-set, grade and teacher, the hub's broadcasts, moving and locking a lesson
(HTMX), settings and lesson modes, and the downloads (PDF, iCalendar, CSV).

Views stay thin: selectors read, services write, forms validate, ``access`` decides.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from auyl.registry.models import ClassSet, Region, School, Subject, Teacher
from auyl.timetable import access, downloads, selectors, services
from auyl.timetable.forms import (
    MODE_CHOICES,
    CurriculumTableForm,
    MoveForm,
    SettingsForm,
    SolveForm,
)
from auyl.timetable.models import (
    CurriculumHours,
    Lesson,
    TimetableRun,
    TimetableSettings,
)


def _hub(request: HttpRequest, pk: int) -> School:
    hub = access.visible_clusters(request.user).select_related("district").filter(pk=pk).first()
    if hub is None:
        raise Http404(_("No such cluster, or it is outside what you may see."))
    return hub


def _school_in_view(request: HttpRequest, hub: School, pk: int) -> School:
    school = access.schools_in_view(request.user, hub).filter(pk=pk).first()
    if school is None:
        raise Http404(_("No such school in this cluster, or it is outside what you may see."))
    return school


def _run(hub: School) -> TimetableRun:
    run = selectors.current_run(hub)
    if run is None:
        raise Http404(_("This cluster has no timetable yet."))
    return run


def _grid_page(
    request: HttpRequest, hub: School, run: TimetableRun, lessons: list[Lesson], **extra: Any
) -> HttpResponse:
    context = {
        "hub": hub,
        "run": run,
        "grid": selectors.make_grid(run, lessons),
        "can_edit": access.can_edit_lessons(request.user, hub),
        **extra,
    }
    return render(request, "timetable/grid.html", context)


# ---- clusters ---------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    mine = access.own_teacher(request.user)
    context = {"rows": selectors.cluster_list(request.user), "mine": mine}
    return render(request, "timetable/home.html", context)


@login_required
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    latest = selectors.latest_run(hub)
    run = selectors.current_run(hub)
    schools = access.schools_in_view(request.user, hub).order_by("code")
    class_sets = selectors.teaching_class_sets(selectors.class_sets_of(schools))
    result = latest.result if latest else {}
    context = {
        "hub": hub,
        "latest": latest,
        "run": run,
        "schools": schools,
        "class_sets": class_sets,
        "grades": selectors.grades_of(class_sets),
        "teachers": selectors.teachers_of(run, schools) if run else [],
        "errors": services.issue_sentences(result, "error"),
        "warnings": services.issue_sentences(result, "warning"),
        "conflicts": services.conflict_sentences(result),
        "moved": result.get("moved", []),
        "evaluation": result.get("evaluation"),
        "sizes": result.get("sizes"),
        "can_solve": access.can_solve(request.user, hub),
        "whole": access.sees_whole_cluster(request.user, hub),
        "solve_form": SolveForm(),
        "runs": selectors.run_rows(hub),
    }
    return render(request, "timetable/cluster_detail.html", context)


@login_required
@require_POST
def cluster_solve(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    form = SolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a time limit of 5 to 900 seconds and a seed."))
        return redirect("timetable:cluster_detail", pk=hub.pk)
    services.run_start(
        hub=hub,
        by=request.user,
        time_limit=form.cleaned_data["time_limit"],
        seed=form.cleaned_data["seed"],
        language=get_language(),
    )
    return redirect("timetable:cluster_detail", pk=hub.pk)


@login_required
def broadcast_list(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    if not access.sees_whole_cluster(request.user, hub):
        raise PermissionDenied(_("The broadcast list is for those who see the whole cluster."))
    run = _run(hub)
    context = {"hub": hub, "run": run, "rows": selectors.broadcast_list(run)}
    return render(request, "timetable/broadcast_list.html", context)


# ---- grids ------------------------------------------------------------------------------


@login_required
def school_timetable(request: HttpRequest, pk: int, school: int) -> HttpResponse:
    hub = _hub(request, pk)
    the_school = _school_in_view(request, hub, school)
    run = _run(hub)
    lessons = selectors.school_lessons(run, the_school)
    if request.GET.get("view") == "week":
        return _grid_page(
            request, hub, run, lessons, title=the_school.name, school=the_school, pdf=True
        )
    context = {
        "hub": hub,
        "run": run,
        "school": the_school,
        "overview": selectors.school_overview(run, the_school, lessons),
        "can_edit": access.can_edit_lessons(request.user, hub),
    }
    return render(request, "timetable/school.html", context)


@login_required
def class_set_timetable(request: HttpRequest, pk: int, class_set: int) -> HttpResponse:
    hub = _hub(request, pk)
    the_set = get_object_or_404(ClassSet.objects.select_related("school"), pk=class_set)
    _school_in_view(request, hub, the_set.school_id)
    run = _run(hub)
    section = request.GET.get("section", "")[:2]
    title = _("Class-set %(name)s · %(school)s") % {
        "name": the_set.name + section,
        "school": the_set.school.name,
    }
    lessons = selectors.class_set_lessons(run, the_set, section)
    return _grid_page(request, hub, run, lessons, title=title, school=the_set.school)


@login_required
def grade_timetable(request: HttpRequest, pk: int, school: int, grade: int) -> HttpResponse:
    hub = _hub(request, pk)
    the_school = _school_in_view(request, hub, school)
    run = _run(hub)
    title = _("Grade %(grade)s · %(school)s") % {"grade": grade, "school": the_school.name}
    lessons = selectors.grade_lessons(run, the_school, grade)
    return _grid_page(request, hub, run, lessons, title=title, school=the_school)


def _teacher_in_view(request: HttpRequest, run: TimetableRun, pk: int) -> Teacher:
    teacher = get_object_or_404(Teacher, pk=pk)
    if not selectors.teacher_in_view(request.user, run, teacher):
        raise Http404(_("No such teacher in this timetable, or outside what you may see."))
    return teacher


@login_required
def teacher_timetable(request: HttpRequest, pk: int, teacher: int) -> HttpResponse:
    hub = _hub(request, pk)
    run = _run(hub)
    the_teacher = _teacher_in_view(request, run, teacher)
    lessons = selectors.teacher_lessons(run, the_teacher)
    return _grid_page(
        request, hub, run, lessons, title=the_teacher.full_name, teacher=the_teacher, pdf=True
    )


@login_required
def my_timetable(request: HttpRequest) -> HttpResponse:
    teacher = access.own_teacher(request.user)
    if teacher is None:
        messages.info(request, _("Your login is not linked to a teacher record."))
        return redirect("timetable:home")
    hub_id = teacher.school.pk if teacher.school.network_role == "hub" else teacher.school.hub_id
    if hub_id is None:
        raise Http404(_("Your school is not in a cluster."))
    return redirect("timetable:teacher_timetable", pk=hub_id, teacher=teacher.pk)


# ---- one lesson: details, move, lock ----------------------------------------------------


def _lesson(request: HttpRequest, pk: int) -> Lesson:
    lesson = selectors.lesson_in_view(request.user, pk)
    if lesson is None:
        raise Http404(_("No such lesson, or it is outside what you may see."))
    return lesson


def _move_form(lesson: Lesson, data: Any = None) -> MoveForm:
    days, periods = selectors.week_of(lesson.run)
    initial = {"day": lesson.day, "period": lesson.period}
    return MoveForm(data, days=days, periods=periods, initial=initial)


@login_required
def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _lesson(request, pk)
    context = {
        **selectors.lesson_context(lesson),
        "form": _move_form(lesson),
        "can_edit": access.can_edit_lessons(request.user, lesson.run.hub),
        "fragment": bool(getattr(request, "htmx", False)),
    }
    template = "timetable/_lesson.html" if context["fragment"] else "timetable/lesson.html"
    return render(request, template, context)


@login_required
@require_POST
def lesson_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The instant check: would the lesson fit in the chosen period?"""
    lesson = _lesson(request, pk)
    form = _move_form(lesson, request.POST)
    verdict = None
    if form.is_valid():
        verdict = services.lesson_move_check(
            lesson=lesson, day=form.cleaned_data["day"], period=form.cleaned_data["period"]
        )
    context = {"lesson": lesson, "form": form, "verdict": verdict}
    return render(request, "timetable/_verdict.html", context)


@login_required
@require_POST
def lesson_move(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _lesson(request, pk)
    form = _move_form(lesson, request.POST)
    if not form.is_valid():
        return render(request, "timetable/_verdict.html", {"lesson": lesson, "form": form})
    verdict = services.lesson_move(
        lesson=lesson,
        day=form.cleaned_data["day"],
        period=form.cleaned_data["period"],
        by=request.user,
    )
    if not verdict.ok:
        context = {"lesson": lesson, "form": form, "verdict": verdict}
        return render(request, "timetable/_verdict.html", context, status=409)
    messages.success(request, _("Lesson moved and locked in its new period."))
    if getattr(request, "htmx", False):
        return HttpResponseClientRefresh()
    return redirect("timetable:lesson_detail", pk=lesson.pk)


@login_required
@require_POST
def lesson_lock(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _lesson(request, pk)
    services.lesson_lock(lesson=lesson, locked=request.POST.get("locked") == "1", by=request.user)
    if getattr(request, "htmx", False):
        return HttpResponseClientRefresh()
    return redirect("timetable:lesson_detail", pk=lesson.pk)


# ---- settings ---------------------------------------------------------------------------


@login_required
def school_settings(request: HttpRequest, pk: int, school: int) -> HttpResponse:
    """A school's week, link capacity and lesson modes (each with why it applies)."""
    hub = _hub(request, pk)
    the_school = _school_in_view(request, hub, school)
    can_edit = access.can_edit_settings(request.user, the_school)
    instance = TimetableSettings.objects.filter(school=the_school).first()
    form = SettingsForm(request.POST or None, instance=instance or TimetableSettings())
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("You may not change this school's timetable settings."))
        if form.is_valid():
            services.settings_save(school=the_school, data=form.data_for_service(), by=request.user)
            messages.success(request, _("Timetable settings saved."))
            return redirect("timetable:school_settings", pk=hub.pk, school=the_school.pk)
    context = {
        "hub": hub,
        "school": the_school,
        "form": form,
        "can_edit": can_edit,
        "modes": selectors.school_lesson_modes(hub, the_school),
        "mode_choices": MODE_CHOICES,
        "own_hours": CurriculumHours.objects.filter(school=the_school).count(),
    }
    return render(
        request, "timetable/school_settings.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def lesson_mode_save(request: HttpRequest, pk: int, class_set: int) -> HttpResponse:
    hub = _hub(request, pk)
    the_set = get_object_or_404(ClassSet.objects.select_related("school"), pk=class_set)
    _school_in_view(request, hub, the_set.school_id)
    subject = get_object_or_404(Subject, pk=request.POST.get("subject") or 0)
    mode = request.POST.get("mode", "")
    if mode not in dict(MODE_CHOICES):
        messages.error(request, _("Unknown lesson mode."))
    else:
        services.lesson_mode_save(class_set=the_set, subject=subject, mode=mode, by=request.user)
        messages.success(
            request,
            _("%(subject)s in %(set)s: lesson mode saved.")
            % {"subject": subject.name, "set": the_set.name},
        )
    return redirect("timetable:school_settings", pk=hub.pk, school=the_set.school_id)


# ---- curriculum hours -------------------------------------------------------------------


@login_required
def curriculum(request: HttpRequest) -> HttpResponse:
    """The region's weekly hours per subject and grade: region staff edit them, everyone
    else with a role in the region reads them."""
    regions = list(access.curriculum_regions(request.user).order_by("is_demo", "code"))
    chosen = request.GET.get("region") or request.POST.get("region")
    region = next((r for r in regions if str(r.pk) == chosen), regions[0] if regions else None)
    if region is None:
        raise Http404(_("No region's curriculum is within what you may see."))
    can_edit = access.can_edit_region_curriculum(request.user, region)
    return _curriculum_page(request, region, None, can_edit, regions=regions)


@login_required
def school_curriculum(request: HttpRequest, pk: int, school: int) -> HttpResponse:
    """A school's weekly hours: where they differ from the region's, and its own figures."""
    hub = _hub(request, pk)
    the_school = _school_in_view(request, hub, school)
    region = the_school.district.region
    can_edit = access.can_edit_settings(request.user, the_school)
    return _curriculum_page(request, region, the_school, can_edit, hub=hub)


def _curriculum_page(
    request: HttpRequest,
    region: Region,
    school: School | None,
    can_edit: bool,
    **extra: Any,
) -> HttpResponse:
    """Show a curriculum table, or save it (all cells at once). An HTMX save gets the table
    fragment back, with its errors or what was saved."""
    table = selectors.curriculum_table(region, school)
    form = CurriculumTableForm(table, request.POST if request.method == "POST" else None)
    fragment = bool(getattr(request, "htmx", False))
    saved: int | None = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("You may not change these curriculum hours."))
        if form.is_valid():
            saved = services.curriculum_table_save(
                region=region, school=school, changes=form.changes, by=request.user
            )
            if not fragment:
                messages.success(request, _saved_text(saved))
                return redirect(request.get_full_path())
            form = CurriculumTableForm(selectors.curriculum_table(region, school))
    context = {
        "region": region,
        "school": school,
        "form": form,
        "table": form.table,
        "can_edit": can_edit,
        "saved": _saved_text(saved) if saved is not None else "",
        "changes": selectors.curriculum_changes(region, school),
        **extra,
    }
    template = "timetable/_curriculum_table.html" if fragment else "timetable/curriculum.html"
    status = 400 if form.errors and not fragment else 200
    return render(request, template, context, status=status)


def _saved_text(n: int) -> str:
    if n == 0:
        return _("Nothing changed.")
    return ngettext(
        "Curriculum hours saved: %(n)s figure changed.",
        "Curriculum hours saved: %(n)s figures changed.",
        n,
    ) % {"n": n}


# ---- downloads --------------------------------------------------------------------------


@login_required
def school_pdf(request: HttpRequest, pk: int, school: int) -> HttpResponse:
    hub = _hub(request, pk)
    the_school = _school_in_view(request, hub, school)
    run = _run(hub)
    body = downloads.school_pdf(run, the_school)
    return downloads.attachment(body, "application/pdf", f"timetable-{the_school.code}.pdf")


@login_required
def teacher_pdf(request: HttpRequest, pk: int, teacher: int) -> HttpResponse:
    hub = _hub(request, pk)
    run = _run(hub)
    the_teacher = _teacher_in_view(request, run, teacher)
    body = downloads.teacher_pdf(run, the_teacher)
    return downloads.attachment(body, "application/pdf", f"timetable-{the_teacher.code}.pdf")


@login_required
def teacher_ics(request: HttpRequest, pk: int, teacher: int) -> HttpResponse:
    hub = _hub(request, pk)
    run = _run(hub)
    the_teacher = _teacher_in_view(request, run, teacher)
    today = timezone.localdate()
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7)
    body = downloads.teacher_ics(run, the_teacher, first_monday=monday)
    return downloads.attachment(body, "text/calendar", f"timetable-{the_teacher.code}.ics")


@login_required
def cluster_csv(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    if not access.sees_whole_cluster(request.user, hub):
        raise PermissionDenied(_("The cluster's CSV is for those who see the whole cluster."))
    run = _run(hub)
    body = downloads.cluster_csv(run).encode("utf-8")
    return downloads.attachment(body, "text/csv; charset=utf-8", f"timetable-{hub.code}.csv")
