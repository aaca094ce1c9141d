"""Timetable pages and downloads, and who may see what (the tiny cluster of
``tests/timetable_cluster.py`` with a planted timetable: lesson i in slot i).

- Dana (region administrator) and Nurlan (Bestamak's coordinator) see the whole cluster;
  Nurlan builds it and moves its lessons.
- Bolat (principal of Kumsai) sees Kumsai's timetable and the teachers of its lessons
  (Erlan's broadcast included), not Bestamak's timetable nor the broadcast list.
- Saule (teacher at Kumsai, her login linked to Serik) sees her own timetable.
- Yerlan (no role) sees no cluster.
"""

from __future__ import annotations

import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auyl.timetable.models import Lesson
from tests.timetable_cluster import make_cluster, planted_run


@pytest.fixture
def tiny(region, people):
    cluster = make_cluster(region, people)
    cluster.run = planted_run(cluster.hub, people.dana)
    return cluster


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def get(as_user, user, name, *args, **query):
    return as_user(user).get(reverse(f"timetable:{name}", args=args), query)


# ---- clusters ----------------------------------------------------------------------------


def test_the_cluster_list_shows_the_clusters_one_may_see(tiny, people, as_user):
    assert "Бестамак" in get(as_user, people.dana, "home").content.decode()
    assert "Бестамак" in get(as_user, people.bolat, "home").content.decode()
    page = get(as_user, people.yerlan, "home").content.decode()
    assert "No cluster you may see." in page


def test_the_cluster_list_reads_a_fixed_number_of_queries(tiny, people, as_user, region):
    client = as_user(people.dana)
    url = reverse("timetable:home")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    from tests.factories import SchoolFactory

    for n in range(3):
        SchoolFactory(code=f"HUB{n}", network_role="hub")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_a_cluster_page_lists_only_the_schools_one_may_see(tiny, people, as_user):
    whole = get(as_user, people.nurlan, "cluster_detail", tiny.hub.pk).content.decode()
    assert "Школа Бестамак" in whole and "Школа Кумсай" in whole
    assert "Broadcast lessons" in whole and "Solve again" in whole
    own = get(as_user, people.bolat, "cluster_detail", tiny.hub.pk).content.decode()
    hub_link = f'href="/timetable/cluster/{tiny.hub.pk}/school/{tiny.hub.pk}/"'
    assert "Школа Кумсай" in own and hub_link not in own
    assert "Solve again" not in own
    assert get(as_user, people.yerlan, "cluster_detail", tiny.hub.pk).status_code == 404


def test_solving_from_the_page_starts_a_job_and_shows_its_outcome(tiny, people, as_user):
    client = as_user(people.nurlan)
    url = reverse("timetable:cluster_solve", args=[tiny.hub.pk])
    response = client.post(url, {"time_limit": 5, "seed": 1})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "timetable found" in page


def test_a_principal_may_not_start_a_solve(tiny, people, as_user):
    url = reverse("timetable:cluster_solve", args=[tiny.hub.pk])
    response = as_user(people.bolat).post(url, {"time_limit": 5, "seed": 0})
    assert response.status_code == 403


# ---- grids -------------------------------------------------------------------------------


def test_a_school_timetable_shows_its_lessons_and_the_broadcasts_it_joins(tiny, people, as_user):
    page = get(as_user, people.bolat, "school_timetable", tiny.hub.pk, tiny.magnet.pk)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Математика" in text or "Math" in text
    assert "tt-online" in text  # the physics broadcast from the hub
    assert "Ерлан Сейітов" in text


def test_a_school_overview_has_one_column_per_class_and_each_lesson_once_per_class(
    tiny, people, as_user
):
    overview = get(as_user, people.bolat, "school_timetable", tiny.hub.pk, tiny.magnet.pk).context[
        "overview"
    ]
    labels = [c.label for c in overview.columns]
    assert labels == ["1+3", "7"]  # Kumsai's combined set and its grade 7
    combined = [x for row in overview.rows for x in row.cells[0]]
    assert len(combined) == len({x.pk for x in combined}) == 2  # math of 1+3, once
    week = get(as_user, people.bolat, "school_timetable", tiny.hub.pk, tiny.magnet.pk, view="week")
    assert week.context["grid"].lessons == overview.lessons


def test_the_hubs_overview_lists_the_online_lessons_it_gives(tiny, people, as_user):
    overview = get(as_user, people.nurlan, "school_timetable", tiny.hub.pk, tiny.hub.pk).context[
        "overview"
    ]
    assert overview.columns[-1].class_set_id is None  # "Online lessons given"
    given = [x for row in overview.rows for x in row.cells[-1]]
    assert given and all(x.broadcast for x in given)


def test_a_principal_cannot_open_the_hubs_timetable(tiny, people, as_user):
    page = get(as_user, people.bolat, "school_timetable", tiny.hub.pk, tiny.hub.pk)
    assert page.status_code == 404


def test_grids_per_class_set_grade_and_teacher(tiny, people, as_user):
    by_set = get(as_user, people.dana, "class_set_timetable", tiny.hub.pk, tiny.kum_13.pk)
    by_grade = get(as_user, people.dana, "grade_timetable", tiny.hub.pk, tiny.magnet.pk, 7)
    by_teacher = get(as_user, people.dana, "teacher_timetable", tiny.hub.pk, tiny.erlan.pk)
    assert by_set.context["grid"].lessons == 2  # math of 1+3
    assert by_grade.context["grid"].lessons == 4  # algebra and the physics broadcast
    assert by_teacher.context["grid"].lessons == 6  # hub algebra, hub physics, broadcast


def test_the_broadcast_list_names_the_joining_schools(tiny, people, as_user):
    page = get(as_user, people.nurlan, "broadcast_list", tiny.hub.pk)
    text = page.content.decode()
    assert "Ерлан Сейітов" in text and "Школа Кумсай" in text
    assert page.context["rows"][0].grade == 7
    assert get(as_user, people.bolat, "broadcast_list", tiny.hub.pk).status_code == 403


def test_a_teacher_sees_her_own_timetable_only(tiny, people, as_user):
    mine = get(as_user, people.saule, "my_timetable")
    assert mine.status_code == 302
    assert mine["Location"].endswith(f"/teacher/{tiny.serik.pk}/")
    assert as_user(people.saule).get(mine["Location"]).status_code == 200
    other = get(as_user, people.saule, "teacher_timetable", tiny.hub.pk, tiny.pana.pk)
    assert other.status_code == 404


def test_a_principal_sees_the_teachers_of_her_schools_lessons(tiny, people, as_user):
    erlan = get(as_user, people.bolat, "teacher_timetable", tiny.hub.pk, tiny.erlan.pk)
    assert erlan.status_code == 200  # he broadcasts to Kumsai's grade 7


# ---- a lesson: the instant check, moving, locking ----------------------------------------


def lesson_of(tiny, **filters) -> Lesson:
    return tiny.run.lessons.filter(**filters).first()


def test_the_lesson_panel_is_an_htmx_fragment(tiny, people, as_user):
    lesson = lesson_of(tiny, broadcast=True)
    url = reverse("timetable:lesson_detail", args=[lesson.pk])
    fragment = as_user(people.nurlan).get(url, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"Move and lock" in fragment.content
    page = as_user(people.bolat).get(url)
    assert b"<html" in page.content and b"Move and lock" not in page.content


def test_the_instant_check_names_the_clash(tiny, people, as_user):
    algebra = lesson_of(tiny, school=tiny.magnet, subject__code="algebra")
    cast = lesson_of(tiny, broadcast=True)
    url = reverse("timetable:lesson_check", args=[algebra.pk])
    response = as_user(people.nurlan).post(url, {"day": cast.day, "period": cast.period})
    assert "A grade would have two lessons at once." in response.content.decode()


def test_the_instant_check_says_when_a_period_is_free(tiny, people, as_user):
    algebra = lesson_of(tiny, school=tiny.hub, subject__code="algebra")
    url = reverse("timetable:lesson_check", args=[algebra.pk])
    response = as_user(people.nurlan).post(url, {"day": 3, "period": 2})
    assert "This period is free" in response.content.decode()


def test_moving_a_lesson_through_the_page(tiny, people, as_user):
    algebra = lesson_of(tiny, school=tiny.hub, subject__code="algebra")
    url = reverse("timetable:lesson_move", args=[algebra.pk])
    response = as_user(people.nurlan).post(url, {"day": 3, "period": 2}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    algebra.refresh_from_db()
    assert (algebra.day, algebra.period, algebra.locked) == (3, 2, True)
    own = lesson_of(tiny, teacher=tiny.serik)  # Saule sees her own lesson, may not move it
    own_url = reverse("timetable:lesson_move", args=[own.pk])
    assert as_user(people.saule).post(own_url, {"day": 4, "period": 2}).status_code == 403


def test_a_refused_move_answers_409_with_the_reason(tiny, people, as_user):
    algebra = lesson_of(tiny, school=tiny.magnet, subject__code="algebra")
    cast = lesson_of(tiny, broadcast=True)
    url = reverse("timetable:lesson_move", args=[algebra.pk])
    response = as_user(people.nurlan).post(url, {"day": cast.day, "period": cast.period})
    assert response.status_code == 409
    assert "This move breaks a rule" in response.content.decode()


def test_locking_through_the_page(tiny, people, as_user):
    lesson = lesson_of(tiny, broadcast=True)
    url = reverse("timetable:lesson_lock", args=[lesson.pk])
    as_user(people.nurlan).post(url, {"locked": "1"})
    lesson.refresh_from_db()
    assert lesson.locked


# ---- settings ----------------------------------------------------------------------------


def test_the_principal_saves_her_schools_week(tiny, people, as_user):
    url = reverse("timetable:school_settings", args=[tiny.hub.pk, tiny.magnet.pk])
    data = {
        "days": 5,
        "periods_per_day": 6,
        "max_daily_primary": 5,
        "max_daily": 6,
        "link_streams": "",
        "breaks": "4",
    }
    response = as_user(people.bolat).post(url, data)
    assert response.status_code == 302
    settings = tiny.magnet.timetable_settings
    assert (settings.days, settings.periods_per_day, settings.break_periods) == (5, 6, [4])


def test_a_bad_break_period_is_named(tiny, people, as_user):
    url = reverse("timetable:school_settings", args=[tiny.hub.pk, tiny.magnet.pk])
    data = {"days": 6, "periods_per_day": 7, "max_daily_primary": 5, "max_daily": 7}
    response = as_user(people.bolat).post(url, {**data, "breaks": "x"})
    assert response.status_code == 400
    assert "x is not a period number" in response.content.decode()


def test_a_teacher_cannot_save_settings(tiny, people, as_user):
    url = reverse("timetable:school_settings", args=[tiny.hub.pk, tiny.magnet.pk])
    data = {"days": 5, "periods_per_day": 6, "max_daily_primary": 5, "max_daily": 6}
    assert as_user(people.saule).post(url, data).status_code == 403


# ---- downloads ---------------------------------------------------------------------------


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(content)
    try:
        done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True)
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is missing")
    return done.stdout.decode()


def test_the_school_pdf_has_one_page_per_class_set_in_cyrillic(tiny, people, as_user, tmp_path):
    response = get(as_user, people.bolat, "school_pdf", tiny.hub.pk, tiny.magnet.pk)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"/Count 2" in response.content
    text = pdf_text(response.content, tmp_path)
    assert "Школа Кумсай" in text and "Пана Әлиева" in text


def test_the_teacher_pdf(tiny, people, as_user, tmp_path):
    response = get(as_user, people.saule, "teacher_pdf", tiny.hub.pk, tiny.serik.pk)
    assert "Серік Құдайберген" in pdf_text(response.content, tmp_path)


def test_the_teacher_calendar_is_icalendar_with_her_lessons(tiny, people, as_user):
    response = get(as_user, people.saule, "teacher_ics", tiny.hub.pk, tiny.serik.pk)
    assert response["Content-Type"] == "text/calendar"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR")
    assert body.count("BEGIN:VEVENT") == 2  # Serik's two algebra lessons


def test_the_cluster_csv_has_a_row_per_lesson(tiny, people, as_user):
    response = get(as_user, people.dana, "cluster_csv", tiny.hub.pk)
    rows = response.content.decode().strip().splitlines()
    assert len(rows) == 1 + 10
    assert get(as_user, people.bolat, "cluster_csv", tiny.hub.pk).status_code == 403


def test_a_principal_cannot_open_a_lesson_of_the_hub_alone(tiny, people, as_user):
    hub_only = lesson_of(tiny, school=tiny.hub, broadcast=False)
    url = reverse("timetable:lesson_detail", args=[hub_only.pk])
    assert as_user(people.bolat).get(url).status_code == 404
    assert as_user(people.nurlan).get(url).status_code == 200
