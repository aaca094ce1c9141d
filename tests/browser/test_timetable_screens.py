"""Cluster timetables as people use them, in Chromium: Nurlan (Bestamak's coordinator)
opens his cluster, builds its timetable (a background job), looks at Kumsai's timetable
and a teacher's, tries to move a lesson onto a clash (and is told why in words), moves
it to a free period, and downloads the school's PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from auyl.registry.models import Subject
from auyl.registry.subjects import SUBJECTS
from auyl.timetable.models import CurriculumHours, Lesson, TimetableRun
from tests.timetable_cluster import make_cluster


@pytest.fixture(autouse=True, scope="module")
def solver_loaded():
    """Load the compiled solver before any page waits on it: on a fresh clone numba first
    compiles it (a minute or more on the shared 2-core machine, beside the other test
    process), which a request solving with the tasks run inline would otherwise wait for
    within the page's timeout."""
    from auyl.timetable.services import load_solver_uncounted

    load_solver_uncounted()


@pytest.fixture(autouse=True)
def subjects(db):
    """The live server's database is flushed between tests, data migrations included."""
    for code, kk, ru, en in SUBJECTS:
        Subject.objects.get_or_create(
            code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en}
        )


def test_nurlan_builds_his_clusters_timetable_and_moves_a_lesson(
    region, people, page, login, shot, page_errors, tmp_path
):
    tiny = make_cluster(region, people)
    page.set_default_timeout(60_000)  # the shared test machine can be slow
    login(page, "nurlan")
    page.goto("/timetable/")
    expect(page.locator("h1")).to_have_text("Cluster timetables")
    shot(page, "timetable-home")

    page.click("text=Школа Бестамак")
    page.fill("#id_time_limit", "5")
    shot(page, "timetable-cluster-before")
    page.click("#solve-button")
    page.wait_for_selector("text=timetable found")
    run = TimetableRun.objects.get(status="done")
    assert run.lessons.count() == 10
    shot(page, "timetable-cluster-solved")

    page.click("a:has-text('Школа Кумсай')")
    expect(page.locator("h1")).to_have_text("Школа Кумсай")
    assert page.locator(".tt-lesson.tt-online").count() == 2  # the physics broadcast
    shot(page, "timetable-school-kumsai")

    # Try to put Kumsai's algebra (grade 7) in the period of grade 7's broadcast.
    algebra = Lesson.objects.get(
        run=run, school=tiny.magnet, subject__code="algebra", activity__endswith="/0"
    )
    cast = Lesson.objects.filter(run=run, broadcast=True).first()
    page.click(f"[data-lesson='{algebra.pk}']")
    page.wait_for_selector("#lesson-panel >> text=Move and lock")
    page.select_option("#lesson-panel select[name=day]", index=cast.day)
    page.select_option("#lesson-panel select[name=period]", index=cast.period)
    expect(page.locator("#verdict")).to_contain_text(
        "A grade would have two lessons at once.", timeout=30_000
    )
    shot(page, "timetable-move-clash")

    busy = set(run.lessons.values_list("day", "period"))
    day, period = next((d, p) for d in range(6) for p in range(1, 5) if (d, p) not in busy)
    page.select_option("#lesson-panel select[name=day]", index=day)
    page.select_option("#lesson-panel select[name=period]", index=period)
    expect(page.locator("#verdict")).to_contain_text("This period is free", timeout=30_000)
    page.click("#lesson-panel button:has-text('Move and lock')")
    page.wait_for_selector("text=Lesson moved and locked in its new period.")
    algebra.refresh_from_db()
    assert (algebra.day, algebra.period, algebra.locked) == (day, period, True)
    shot(page, "timetable-school-after-move")

    with page.expect_download() as download:
        page.click("a:has-text('PDF')")
    pdf = tmp_path / "kumsai.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    page.goto(f"/timetable/cluster/{tiny.hub.pk}/teacher/{tiny.erlan.pk}/")
    expect(page.locator("h1")).to_have_text("Ерлан Сейітов")
    shot(page, "timetable-teacher-erlan")

    page.goto(f"/timetable/cluster/{tiny.hub.pk}/broadcasts/")
    expect(page.locator("table.data")).to_contain_text("Школа Кумсай")
    shot(page, "timetable-broadcasts")

    page.goto(f"/timetable/cluster/{tiny.hub.pk}/school/{tiny.magnet.pk}/settings/")
    expect(page.locator("h1")).to_contain_text("Timetable settings")
    shot(page, "timetable-school-settings")
    assert page_errors == []


def test_lesson_modes_say_why_and_the_curriculum_is_edited_in_place(
    region, people, page, login, shot, page_errors
):
    """Bolat (principal of Kumsai) reads which lesson mode applies to each subject and why,
    sets one; Aigerim (methodologist) edits the region's curriculum hours in place (a wrong
    figure first, named; then a right one), and Bolat reads where Kumsai differs."""
    tiny = make_cluster(region, people)
    page.set_default_timeout(60_000)
    login(page, "bolat")
    page.goto(f"/timetable/cluster/{tiny.hub.pk}/school/{tiny.magnet.pk}/settings/")
    modes = page.locator("table.tt-modes")
    expect(modes).to_contain_text("default: online lesson from hub Школа Бестамак")
    expect(modes).to_contain_text("default for a combined primary class-set (grades 1-4)")
    page.select_option("select[aria-label='Lesson mode of Algebra in 7']", "separate")
    page.click("tr:has-text('Algebra') button:has-text('Set')")
    page.wait_for_selector("text=Algebra in 7: lesson mode saved.")
    expect(page.locator("tr.tt-mode-set")).to_contain_text("set by the school")
    shot(page, "timetable-lesson-modes")

    page.click("nav.subnav >> text=Curriculum hours")
    expect(page.locator(".tt-approx")).to_contain_text("An approximation, to be checked.")
    assert page.locator("table.tt-hours input").count() == 0  # a principal reads it only
    shot(page, "timetable-curriculum-read-only")

    # The region has set only the figures the tiny cluster needs; the rest are the default's.
    CurriculumHours.objects.filter(region__isnull=False, hours=0).delete()
    page.context.clear_cookies()
    login(page, "aigerim")
    page.goto("/timetable/curriculum/")
    assert page.locator("table.tt-hours td.tt-own").count() == 4
    shot(page, "timetable-curriculum-region")
    page.fill("input[name='h-physics-7']", "2.5")
    page.click("button:has-text('Save the table')")
    expect(page.locator("#curriculum-table .error-summary")).to_contain_text(
        "Physics, grade 7: “2.5” is not a whole number."
    )
    shot(page, "timetable-curriculum-error")
    page.fill("input[name='h-physics-7']", "3")
    page.click("button:has-text('Save the table')")
    expect(page.locator("#curriculum-table .tt-saved")).to_contain_text("1 figure changed")
    assert (
        CurriculumHours.objects.get(region__isnull=False, subject__code="physics", grade=7).hours
        == 3
    )
    expect(page.locator("#curriculum-table table.history")).to_contain_text("aigerim")
    shot(page, "timetable-curriculum-saved")

    page.context.clear_cookies()
    login(page, "bolat")
    page.goto(f"/timetable/cluster/{tiny.hub.pk}/school/{tiny.magnet.pk}/curriculum/")
    page.fill("input[name='h-physics-7']", "2")
    page.click("button:has-text('Save the table')")
    expect(page.locator("#curriculum-table td.tt-differs")).to_contain_text("region 3")
    shot(page, "timetable-curriculum-school")
    assert page_errors == []
