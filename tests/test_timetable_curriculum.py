"""Weekly curriculum hours edited in the timetable app, outside the Django admin.

- The region's table (``timetable:curriculum``): region staff (Dana, region administrator;
  Aigerim, methodologist) change it; Nurlan, Bolat and Saule read it; Yerlan (no role)
  does not see it at all.
- A school's table (``timetable:school_curriculum``): where the school's own figures differ
  from the region's; changed by whoever changes the school's timetable settings (Bolat for
  Kumsai), read by the others who see the school (Aigerim: Kumsai lies in Khromtau).
- The whole table is saved at once, or nothing when a figure is wrong; every wrong figure
  is named by subject, grade and reason. Each change is in the audit history.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from auyl.registry.models import Region, Subject
from auyl.timetable import selectors
from auyl.timetable.models import CurriculumHours, TimetableSettings
from auyl.timetable.problem import HOURS_DEFAULT, HOURS_REGION, HOURS_SCHOOL, cluster_data
from tests.timetable_cluster import make_cluster

REGION_URL = reverse("timetable:curriculum")


def the_region() -> Region:
    return Region.objects.get(code="aktobe")


def post(client, user, url, data, **headers):
    client.force_login(user)
    return client.post(url, data, **headers)


def figure(subject: str, grade: int, **where) -> int | None:
    row = CurriculumHours.objects.filter(subject__code=subject, grade=grade, **where).first()
    return row.hours if row else None


# ---- the region's table ---------------------------------------------------------------------


def test_without_figures_of_its_own_the_region_reads_the_default_table(region):
    table = selectors.curriculum_table(the_region())
    physics = table.cells()[("physics", 7)]
    assert (physics.hours, physics.source, physics.own) == (2, HOURS_DEFAULT, False)
    assert table.capacity[0] == 30 and table.capacity[6] == 42  # 6 days x 5 / x 7


def test_the_page_says_the_table_is_an_approximation_to_be_checked(region, people, client):
    client.force_login(people.dana)
    page = client.get(REGION_URL).content.decode()
    assert "An approximation, to be checked." in page
    assert "MoES order No. 500" in page


def test_the_methodologist_changes_the_regions_table_with_its_history(region, people, client):
    answer = post(client, people.aigerim, REGION_URL, {"h-physics-7": "3", "h-math-1": "4"})
    assert answer.status_code == 302
    assert figure("physics", 7, region=the_region()) == 3
    assert figure("math", 1, region=the_region()) is None  # 4 is the default already
    change = selectors.curriculum_changes(the_region())[0]
    assert (change.who, change.subject, change.grade, change.before, change.after) == (
        "aigerim",
        "Physics",
        7,
        None,
        3,
    )


def test_an_empty_box_returns_to_the_default_table(region, people, client):
    post(client, people.dana, REGION_URL, {"h-physics-7": "3"})
    post(client, people.dana, REGION_URL, {"h-physics-7": ""})
    assert figure("physics", 7, region=the_region()) is None
    cell = selectors.curriculum_table(the_region()).cells()[("physics", 7)]
    assert (cell.hours, cell.source) == (2, HOURS_DEFAULT)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2.5", "Physics, grade 7: “2.5” is not a whole number."),
        ("two", "Physics, grade 7: “two” is not a whole number."),
        ("-1", "Physics, grade 7: -1 is negative."),
        ("21", "Physics, grade 7: 21 is more than 20 lessons a week of one subject."),
    ],
)
def test_a_wrong_figure_is_named_and_nothing_is_saved(region, people, client, text, says):
    answer = post(client, people.dana, REGION_URL, {"h-physics-7": text, "h-biology-7": "3"})
    assert answer.status_code == 400
    assert says in answer.content.decode()
    assert not CurriculumHours.objects.exists()  # biology was fine, but all or nothing


def test_a_figure_longer_than_the_week_is_named(region, people, client):
    TimetableSettings.objects.create(school=region.magnet, days=5, periods_per_day=4)
    url = reverse("timetable:school_curriculum", args=[region.hub.pk, region.magnet.pk])
    answer = post(client, people.bolat, url, {"h-math-1": "21"})
    assert "Mathematics, grade 1: 21 is more periods than the week has (20)." in (
        answer.content.decode()
    )


def test_a_grade_whose_lessons_no_longer_fit_its_week_is_named(region, people, client):
    answer = post(client, people.dana, REGION_URL, {"h-math-5": "20"})  # 28 + 15 = 43 > 42
    assert (
        "Total, grade 5: 43 lessons a week in all, more periods than the week has (42)."
        in answer.content.decode()
    )
    assert not CurriculumHours.objects.exists()


def test_an_htmx_save_answers_with_the_table_and_what_was_saved(region, people, client):
    hx = {"HTTP_HX_REQUEST": "true"}
    answer = post(client, people.dana, REGION_URL, {"h-physics-7": "3"}, **hx)
    html = answer.content.decode()
    assert answer.status_code == 200 and html.lstrip().startswith('<div id="curriculum-table">')
    assert "Curriculum hours saved: 1 figure changed." in html
    assert "dana" in html.split("Recent changes", 1)[1]  # the history is swapped in too
    wrong = post(client, people.dana, REGION_URL, {"h-physics-7": "x"}, **hx)
    assert wrong.status_code == 200 and "Nothing was saved" in wrong.content.decode()
    assert 'aria-invalid="true"' in wrong.content.decode()


@pytest.mark.parametrize("name", ["nurlan", "bolat", "saule"])
def test_others_with_a_role_read_the_regions_table_only(region, people, client, name):
    user = getattr(people, name)
    client.force_login(user)
    page = client.get(REGION_URL)
    assert page.status_code == 200 and 'name="h-physics-7"' not in page.content.decode()
    assert post(client, user, REGION_URL, {"h-physics-7": "3"}).status_code == 403


def test_without_a_role_there_is_no_curriculum_to_see(region, people, client):
    client.force_login(people.yerlan)
    assert client.get(REGION_URL).status_code == 404


def test_the_timetable_pages_link_to_the_curriculum(region, people, client):
    client.force_login(people.bolat)
    assert REGION_URL in client.get(reverse("timetable:home")).content.decode()


# ---- a school's table ------------------------------------------------------------------------


@pytest.fixture
def tiny(region, people):
    return make_cluster(region, people)  # the region has figures for every subject and grade


def school_url(tiny):
    return reverse("timetable:school_curriculum", args=[tiny.hub.pk, tiny.magnet.pk])


def test_the_principal_gives_her_school_its_own_figure(tiny, people, client):
    post(client, people.bolat, school_url(tiny), {"h-physics-7": "3"})
    assert figure("physics", 7, school=tiny.magnet) == 3
    cell = selectors.curriculum_table(the_region(), tiny.magnet).cells()[("physics", 7)]
    assert (cell.hours, cell.source, cell.base, cell.differs) == (3, HOURS_SCHOOL, 2, True)


def test_the_schools_page_shows_where_it_differs_from_the_region(tiny, people, client):
    post(client, people.bolat, school_url(tiny), {"h-physics-7": "3"})
    client.force_login(people.aigerim)
    page = client.get(school_url(tiny))
    assert page.context["table"].differing == 1
    assert "region 2" in page.content.decode()


def test_the_solver_reads_the_figures_of_the_tables(tiny, people, client):
    post(client, people.dana, REGION_URL, {"h-algebra-7": "3"})
    post(client, people.bolat, school_url(tiny), {"h-physics-7": "1"})
    hours = cluster_data(tiny.hub).hours
    assert hours(tiny.magnet.code, "algebra", 7) == 3  # the region's
    assert hours(tiny.magnet.code, "physics", 7) == 1  # the school's own
    assert hours(tiny.hub.code, "physics", 7) == 2  # the region's still, at the hub
    cell = selectors.curriculum_table(the_region(), tiny.hub).cells()[("algebra", 7)]
    assert cell.source == HOURS_REGION


def test_a_methodologist_of_another_district_reads_the_schools_table_only(tiny, people, client):
    client.force_login(people.aigerim)
    assert 'name="h-physics-7"' not in client.get(school_url(tiny)).content.decode()
    assert post(client, people.aigerim, school_url(tiny), {"h-physics-7": "3"}).status_code == 403


def test_the_settings_page_counts_the_schools_own_figures(tiny, people, client):
    post(client, people.bolat, school_url(tiny), {"h-physics-7": "3"})
    page = client.get(reverse("timetable:school_settings", args=[tiny.hub.pk, tiny.magnet.pk]))
    assert page.context["own_hours"] == 1
    assert school_url(tiny) in page.content.decode()


def test_the_curriculum_page_reads_a_fixed_number_of_queries(tiny, people, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.dana)
    client.get(REGION_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(REGION_URL)
    post(client, people.dana, REGION_URL, {f"h-{s.code}-7": "1" for s in Subject.objects.all()})
    with CaptureQueriesContext(connection) as many:
        client.get(REGION_URL)
    assert len(many) == len(few)
