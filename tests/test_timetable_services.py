"""Solving a cluster's timetable, moving and locking lessons, settings (the tiny cluster of
``tests/timetable_cluster.py``: 10 lessons a week, one of them a two-lesson broadcast)."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import PermissionDenied

from auyl.registry.models import Subject
from auyl.timetable import services
from auyl.timetable.models import Lesson, LessonMode, TeacherAvailability, TimetableRun
from tests.timetable_cluster import make_cluster

TIME_LIMIT = 2.0


@pytest.fixture
def tiny(region, people):
    return make_cluster(region, people)


def solve(hub, by) -> TimetableRun:
    run = services.run_start(hub=hub, by=by, time_limit=TIME_LIMIT)
    run.refresh_from_db()
    return run


def test_solving_a_small_cluster_stores_every_lesson(tiny, people):
    run = solve(tiny.hub, people.dana)
    assert run.status == TimetableRun.Status.DONE, run.result
    assert run.lessons.count() == 10
    assert run.result["evaluation"]["hard"] == 0
    assert run.job is not None and run.job.state == "done"


def test_the_broadcast_is_one_lesson_for_the_hub_teacher_joined_by_the_magnet(tiny, people):
    run = solve(tiny.hub, people.dana)
    casts = run.lessons.filter(broadcast=True)
    assert casts.count() == 2
    for lesson in casts:
        assert lesson.teacher == tiny.erlan and lesson.school == tiny.hub
        assert [(g.school_id, g.grade) for g in lesson.groups.all()] == [(tiny.magnet.pk, 7)]


def test_a_lesson_of_a_combined_set_is_taken_by_both_grades(tiny, people):
    run = solve(tiny.hub, people.dana)
    math = run.lessons.filter(subject__code="math").first()
    assert sorted(g.grade for g in math.groups.all()) == [1, 3]


def test_nobody_but_the_cluster_builders_may_solve(tiny, people):
    for person in (people.bolat, people.saule, people.yerlan):
        with pytest.raises(PermissionDenied):
            services.run_start(hub=tiny.hub, by=person, time_limit=TIME_LIMIT)


def test_the_hub_coordinator_may_solve_his_cluster(tiny, people):
    assert solve(tiny.hub, people.nurlan).status == TimetableRun.Status.DONE


# ---- moving and locking ------------------------------------------------------------------


def free_slot(run: TimetableRun, lesson: Lesson) -> tuple[int, int]:
    """A period in which nothing else of the cluster takes place (the cluster is tiny)."""
    busy = set(run.lessons.values_list("day", "period"))
    return next((d, p) for d in range(6) for p in range(1, 5) if (d, p) not in busy)


def test_moving_a_lesson_onto_its_grades_broadcast_is_refused_in_words(tiny, people):
    run = solve(tiny.hub, people.dana)
    algebra = run.lessons.filter(school=tiny.magnet, subject__code="algebra").first()
    cast = run.lessons.filter(broadcast=True).first()
    verdict = services.lesson_move(lesson=algebra, day=cast.day, period=cast.period, by=people.dana)
    assert not verdict.ok
    sentences = [sentence for sentence, _detail in verdict.problems]
    assert "A grade would have two lessons at once." in sentences
    algebra.refresh_from_db()
    assert (algebra.day, algebra.period) != (cast.day, cast.period)


def test_moving_a_lesson_to_a_free_period_saves_and_locks_it(tiny, people):
    run = solve(tiny.hub, people.dana)
    algebra = run.lessons.filter(school=tiny.hub, subject__code="algebra").first()
    day, period = free_slot(run, algebra)
    verdict = services.lesson_move(lesson=algebra, day=day, period=period, by=people.nurlan)
    assert verdict.ok, verdict.problems
    algebra.refresh_from_db()
    assert (algebra.day, algebra.period, algebra.locked) == (day, period, True)


def test_a_resolve_keeps_the_locked_lesson_and_reports_what_moved(tiny, people):
    run = solve(tiny.hub, people.dana)
    algebra = run.lessons.filter(school=tiny.hub, subject__code="algebra").first()
    day, period = free_slot(run, algebra)
    services.lesson_move(lesson=algebra, day=day, period=period, by=people.dana)
    again = solve(tiny.hub, people.dana)
    assert again.status == TimetableRun.Status.DONE
    kept = again.lessons.get(activity=algebra.activity)
    assert (kept.day, kept.period, kept.locked) == (day, period, True)
    assert isinstance(again.result["moved"], list)
    assert again.params["previous"] == run.pk


def test_a_teacher_may_not_move_lessons(tiny, people):
    run = solve(tiny.hub, people.dana)
    lesson = run.lessons.first()
    with pytest.raises(PermissionDenied):
        services.lesson_move(lesson=lesson, day=0, period=0, by=people.saule)
    with pytest.raises(PermissionDenied):
        services.lesson_lock(lesson=lesson, locked=True, by=people.bolat)


def test_locking_and_unlocking(tiny, people):
    lesson = solve(tiny.hub, people.dana).lessons.first()
    services.lesson_lock(lesson=lesson, locked=True, by=people.nurlan)
    assert Lesson.objects.get(pk=lesson.pk).locked
    services.lesson_lock(lesson=lesson, locked=False, by=people.nurlan)
    assert not Lesson.objects.get(pk=lesson.pk).locked


# ---- bad input through the whole path ----------------------------------------------------


def test_a_teacher_with_no_available_period_stops_the_run_with_her_name(tiny, people):
    TeacherAvailability.objects.create(
        teacher=tiny.pana, unavailable=[[d, p] for d in range(6) for p in range(7)]
    )
    run = solve(tiny.hub, people.dana)
    assert run.status == TimetableRun.Status.INVALID
    errors = services.issue_sentences(run.result, "error")
    assert any("Пана Әлиева" in e and "no available period" in e for e in errors), errors
    assert not run.lessons.exists()


def test_curriculum_hours_that_cannot_fit_the_week_stop_the_run(tiny, people):
    math = Subject.objects.get(code="math")
    services.curriculum_hours_save(
        subject=math, grade=1, hours=20, by=people.bolat, school=tiny.magnet
    )
    services.curriculum_hours_save(
        subject=math, grade=3, hours=20, by=people.bolat, school=tiny.magnet
    )
    services.settings_save(school=tiny.magnet, data={"max_daily_primary": 3}, by=people.bolat)
    run = solve(tiny.hub, people.dana)
    assert run.status == TimetableRun.Status.INVALID
    errors = services.issue_sentences(run.result, "error")
    assert any("needs 20 lessons a week" in e and "only 18" in e for e in errors), errors


def test_a_broadcast_joining_schools_with_different_weeks_stops_the_run(tiny, people):
    services.settings_save(school=tiny.magnet, data={"days": 5}, by=people.bolat)
    run = solve(tiny.hub, people.dana)
    assert run.status == TimetableRun.Status.INVALID
    errors = services.issue_sentences(run.result, "error")
    assert any("whose weeks differ" in e for e in errors), errors


# ---- settings ----------------------------------------------------------------------------


def test_the_principal_and_the_hub_coordinator_may_change_a_schools_settings(tiny, people):
    services.settings_save(school=tiny.magnet, data={"periods_per_day": 6}, by=people.bolat)
    services.settings_save(school=tiny.magnet, data={"link_streams": 2}, by=people.nurlan)
    settings = tiny.magnet.timetable_settings
    settings.refresh_from_db()
    assert (settings.periods_per_day, settings.link_streams) == (6, 2)
    assert settings.history.count() == 2


def test_a_teacher_may_not_change_settings(tiny, people):
    with pytest.raises(PermissionDenied):
        services.settings_save(school=tiny.magnet, data={"days": 5}, by=people.saule)


def test_a_lesson_mode_can_be_set_and_returned_to_the_default(tiny, people):
    physics = Subject.objects.get(code="physics")
    services.lesson_mode_save(class_set=tiny.kum_7, subject=physics, mode="joint", by=people.bolat)
    assert LessonMode.objects.get(class_set=tiny.kum_7, subject=physics).mode == "joint"
    run = solve(tiny.hub, people.dana)
    assert not run.lessons.filter(broadcast=True).exists()  # Serik teaches physics himself
    services.lesson_mode_save(class_set=tiny.kum_7, subject=physics, mode="", by=people.bolat)
    assert not LessonMode.objects.filter(class_set=tiny.kum_7).exists()


def test_the_solver_gets_the_runs_limit_less_the_time_spent_and_the_storing(tiny, people):
    run = TimetableRun.objects.create(hub=tiny.hub, params={"time_limit": 20.0})
    problem = services.build_problem(services.cluster_data(tiny.hub)).problem
    started_a_second_ago = time.perf_counter() - 1.0
    limit = services.solver_time_limit(run, problem, started_a_second_ago)
    storing = services.STORE_S_PER_LESSON * len(problem.activities)
    assert 0 < limit <= 20.0 - 1.0 - storing


def test_loading_the_solver_counts_in_the_runs_limit(monkeypatch):
    """Loading the compiled greedy (0.4-0.7 s, once per process) is the run's time: none
    of it is handed back to the limit."""
    import auyl.engines.timetabling as engine

    monkeypatch.setattr(engine, "warm_up", lambda: time.sleep(0.02))
    assert services.load_solver_uncounted() == 0.0


def test_numba_compiling_after_an_install_is_not_counted_in_the_runs_limit(monkeypatch):
    """A first load after an install compiles for a minute or more: that time is given
    back, or the solver would get nothing of the limit."""
    import auyl.engines.timetabling as engine

    monkeypatch.setattr(services, "COMPILE_S", 0.01)
    monkeypatch.setattr(engine, "warm_up", lambda: time.sleep(0.05))
    assert services.load_solver_uncounted() >= 0.05
