"""Subject coverage of a cluster, on a planted cluster with a small curriculum.

The curriculum of these tests (weekly hours per class):

    math 4 h in grades 1-2; algebra 3 h, physics 2 h, English 3 h in grades 7-8;
    chemistry 2 h in grade 8; music 1 h in grades 1-2.

Kumsai (the magnet) has grades 1, 2 (class-set "1+2") and 7, 8 (class-set "7+8"). Its
primary class teacher Pana is qualified in literacy, math and chemistry; its specialist
Serik in algebra and physics. So Kumsai cannot staff chemistry (grade 8: a primary
teacher does not count above grade 4), English (7, 8) and music (1, 2).

Bestamak (the hub) has one grade-7 class-set of 30 pupils (two classes). Its teachers:
Erlan (English, 18 h) and Elmira (English, 10 h) share its 6 h of English; Chingiz
(chemistry, 2 h) teaches nothing yet; Pakize is a primary class teacher qualified in music
and English (she may cover music in grades 1-2, not English in grades 7-8).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auyl.engines.curriculum import GRADES, Curriculum
from auyl.network.coverage import cluster_coverage, cluster_coverage_for, coverage_gaps
from auyl.registry.models import School, Subject, TeachingAssignment
from tests.factories import (
    ClassSetFactory,
    DistrictFactory,
    EnrolmentFactory,
    SchoolFactory,
    TeacherFactory,
)


def hours(**by_grade):
    return tuple(float(by_grade.get(f"g{g}", 0)) for g in GRADES)


SMALL = Curriculum(
    hours={
        "math": hours(g1=4, g2=4),
        "algebra": hours(g7=3, g8=3),
        "physics": hours(g7=2, g8=2),
        "english": hours(g7=3, g8=3),
        "chemistry": hours(g8=2),
        "music": hours(g1=1, g2=1),
    },
    source="test curriculum",
)


def teacher(school, name, qualified, teaches=(), weekly=18, at=None):
    t = TeacherFactory(school=school, full_name=name, weekly_hours=weekly)
    t.subjects.set(Subject.objects.filter(code__in=qualified))
    for code in teaches:
        TeachingAssignment.objects.create(
            teacher=t, school=at or school, subject=Subject.objects.get(code=code)
        )
    return t


@pytest.fixture
def cluster(region):
    kumsai, bestamak = region.magnet, region.hub
    for grade, pupils in ((1, 3), (2, 2), (7, 4), (8, 5)):
        EnrolmentFactory(school=kumsai, grade=grade, pupils=pupils)
    ClassSetFactory(school=kumsai, name="1+2", grades=[1, 2])
    ClassSetFactory(school=kumsai, name="7+8", grades=[7, 8])
    teacher(kumsai, "Pana", ["literacy", "math", "chemistry"], ["math"])
    teacher(kumsai, "Serik", ["algebra", "physics"], ["algebra", "physics"])
    EnrolmentFactory(school=bestamak, grade=7, pupils=30)
    ClassSetFactory(school=bestamak, name="7", grades=[7])
    teacher(bestamak, "Erlan", ["english"], ["english"], weekly=18)
    teacher(bestamak, "Elmira", ["english"], ["english"], weekly=10)
    teacher(bestamak, "Chingiz", ["chemistry"], [], weekly=2)
    teacher(bestamak, "Pakize", ["literacy", "music", "english"], [], weekly=6)
    return region


def gaps_of(coverage):
    return {(g.subject_code, g.grades): g for g in coverage.gaps}


def test_the_magnet_cannot_staff_chemistry_english_and_music(cluster):
    coverage = cluster_coverage(cluster.hub, curriculum=SMALL)
    assert [s.code for s in coverage.schools] == ["KHR007"]
    assert set(gaps_of(coverage)) == {
        ("english", (7, 8)),
        ("chemistry", (8,)),
        ("music", (1, 2)),
    }
    kumsai = coverage.schools[0]
    assert (kumsai.subjects_needed, kumsai.subjects_staffed) == (6, 3)


def test_a_gap_needs_the_hours_of_each_class_set_once(cluster):
    gaps = gaps_of(cluster_coverage(cluster.hub, curriculum=SMALL))
    assert gaps[("english", (7, 8))].weekly_hours == 3  # 7+8 is taught together
    assert gaps[("chemistry", (8,))].weekly_hours == 2
    assert gaps[("music", (1, 2))].weekly_hours == 1


def test_hub_teachers_spare_hours_are_weekly_hours_less_their_estimated_load(cluster):
    coverage = cluster_coverage(cluster.hub, curriculum=SMALL)
    spare = {t.full_name: (t.load_hours, t.spare_hours) for t in coverage.hub_teachers}
    # Bestamak's grade 7 has two classes: 2 x 3 h of English shared by Erlan and Elmira.
    assert spare["Erlan"] == (3.0, 15.0)
    assert spare["Elmira"] == (3.0, 7.0)
    assert spare["Chingiz"] == (0.0, 2.0)
    assert coverage.hub_teachers[0].full_name == "Erlan"  # most spare first


def test_candidates_are_qualified_hub_teachers_and_say_whether_they_have_time(cluster):
    gaps = gaps_of(cluster_coverage(cluster.hub, curriculum=SMALL))
    english = gaps[("english", (7, 8))]
    assert [(c.full_name, c.enough) for c in english.candidates] == [
        ("Erlan", True),
        ("Elmira", True),
    ]
    assert [c.full_name for c in gaps[("chemistry", (8,))].candidates] == ["Chingiz"]
    assert gaps[("chemistry", (8,))].covered


def test_a_primary_class_teacher_covers_only_grades_1_to_4(cluster):
    gaps = gaps_of(cluster_coverage(cluster.hub, curriculum=SMALL))
    assert [c.full_name for c in gaps[("music", (1, 2))].candidates] == ["Pakize"]
    assert "Pakize" not in [c.full_name for c in gaps[("english", (7, 8))].candidates]


def test_a_visiting_teacher_with_an_assignment_staffs_the_subject(cluster):
    teacher(cluster.alga_school, "Visitor", ["english"], ["english"], at=cluster.magnet)
    gaps = gaps_of(cluster_coverage(cluster.hub, curriculum=SMALL))
    assert ("english", (7, 8)) not in gaps


def test_not_enough_spare_hours_is_said_and_a_higher_ceiling_changes_it(cluster):
    from auyl.registry.models import Teacher

    Teacher.objects.filter(full_name="Chingiz").update(weekly_hours=1)
    gap = gaps_of(cluster_coverage(cluster.hub, curriculum=SMALL))[("chemistry", (8,))]
    assert not gap.covered
    gap = gaps_of(cluster_coverage(cluster.hub, curriculum=SMALL, max_hours=20))[
        ("chemistry", (8,))
    ]
    assert gap.covered and gap.candidates[0].spare_hours == 20


def test_the_default_curriculum_starts_english_in_grade_3_and_is_labelled_an_approximation():
    from auyl.engines.curriculum import DEFAULT
    from auyl.registry.subjects import SUBJECTS

    assert "english" not in DEFAULT.subjects_for(2)
    assert "english" in DEFAULT.subjects_for(3)
    assert "APPROXIMATION" in DEFAULT.source and "No. 27" in DEFAULT.source
    assert set(DEFAULT.hours) <= {code for code, *_names in SUBJECTS}
    with pytest.raises(ValueError):
        Curriculum(hours={"math": (1, 2)})


# --- Who sees which gaps ----------------------------------------------------------------------


@pytest.fixture
def second_cluster(cluster):
    """A Khromtau hub with one magnet that lacks English (grade 7)."""
    hub = SchoolFactory(
        code="KHR100", district=cluster.khromtau, network_role=School.NetworkRole.HUB
    )
    magnet = SchoolFactory(
        code="KHR101", district=cluster.khromtau, network_role=School.NetworkRole.MAGNET, hub=hub
    )
    EnrolmentFactory(school=magnet, grade=7, pupils=6)
    return hub, magnet


@pytest.mark.parametrize(
    "who,schools",
    [
        ("dana", {"KHR007", "KHR101"}),
        ("aigerim", {"KHR007"}),  # the Alga cluster (Kumsai lies in Khromtau)
        ("nurlan", {"KHR007"}),
        ("bolat", {"KHR007"}),
        ("saule", {"KHR007"}),
        ("yerlan", set()),
    ],
)
def test_coverage_gaps_follow_what_each_person_may_see(people, second_cluster, who, schools):
    gaps = coverage_gaps(getattr(people, who), curriculum=SMALL)
    assert {g.school_code for g in gaps} == schools


def test_a_principal_sees_only_his_school_of_a_cluster(people, cluster):
    other = SchoolFactory(
        code="ALG050", district=cluster.alga, network_role="magnet", hub=cluster.hub
    )
    EnrolmentFactory(school=other, grade=8, pupils=3)
    seen = cluster_coverage_for(people.bolat, cluster.hub, curriculum=SMALL)
    assert [s.code for s in seen.schools] == ["KHR007"]
    everyone = cluster_coverage_for(people.nurlan, cluster.hub, curriculum=SMALL)
    assert [s.code for s in everyone.schools] == ["ALG050", "KHR007"]


def test_coverage_uses_a_fixed_number_of_queries(people, cluster):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            coverage_gaps(people.dana, curriculum=SMALL)
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        district = DistrictFactory()
        hub = SchoolFactory(district=district, network_role="hub")
        teacher(hub, f"Hub teacher {i}", ["english"], ["english"])
        for _ in range(3):
            magnet = SchoolFactory(district=district, network_role="magnet", hub=hub)
            EnrolmentFactory(school=magnet, grade=7, pupils=4)
            teacher(magnet, "Magnet teacher", ["algebra"], ["algebra"])
    assert count() == before


# --- The page -------------------------------------------------------------------------------


def test_the_coverage_page_lists_gaps_and_candidates(client, people, cluster):
    client.force_login(people.nurlan)
    page = client.get(reverse("network:cluster_coverage", args=[cluster.hub.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Subject coverage" in text and "Школа Кумсай" in text
    assert "Chingiz" in text and "Curriculum hours" in text


def test_coverage_of_a_cluster_one_may_not_see_is_not_found(client, people, second_cluster):
    hub, _magnet = second_cluster
    client.force_login(people.aigerim)
    assert client.get(reverse("network:cluster_coverage", args=[hub.pk])).status_code == 404
    client.force_login(people.bolat)
    assert client.get(reverse("network:cluster_coverage", args=[hub.pk])).status_code == 404


def test_grades_read_as_ranges():
    from auyl.network.coverage import grade_ranges

    assert grade_ranges((3, 4, 5, 7, 8, 11)) == "3–5, 7–8, 11"
    assert grade_ranges(()) == ""
