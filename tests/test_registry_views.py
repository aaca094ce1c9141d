"""Registry pages: what each person sees, what they may change, and how many queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auyl.registry.models import ClassSet, Enrolment, Infrastructure, School
from tests.factories import (
    ClassSetFactory,
    EnrolmentFactory,
    InfrastructureFactory,
    SchoolFactory,
    TeacherFactory,
)


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_anonymous_visitor_is_sent_to_login(client, region):
    response = client.get(reverse("registry:school_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_dashboard_shows_key_figures_for_the_users_scope(as_user, people, region):
    EnrolmentFactory(school=region.hub, grade=5, pupils=30)
    EnrolmentFactory(school=region.khromtau_school, grade=5, pupils=700)
    response = as_user(people.aigerim).get(reverse("registry:dashboard"))
    figures = response.context["figures"]
    assert figures.schools == 2  # Alga only
    assert figures.pupils == 30
    assert b"<svg" in response.content


def test_school_list_filters_and_search(as_user, people, region):
    client = as_user(people.dana)
    url = reverse("registry:school_list")
    assert [s.code for s in client.get(url, {"role": "hub"}).context["page"]] == ["ALG001"]
    assert [s.code for s in client.get(url, {"q": "кумсай"}).context["page"]] == ["KHR007"]
    assert [s.code for s in client.get(url, {"q": "ҚҰМСАЙ"}).context["page"]] == ["KHR007"]
    assert [s.code for s in client.get(url, {"q": "alg00"}).context["page"]] == ["ALG001", "ALG002"]
    codes = [s.code for s in client.get(url, {"district": "khromtau"}).context["page"]]
    assert codes == ["KHR001", "KHR007"]


def test_small_school_filter_uses_combined_class_sets(as_user, people, region):
    ClassSetFactory(school=region.magnet, name="1+3", grades=[1, 3])
    ClassSetFactory(school=region.hub, name="5", grades=[5])
    page = as_user(people.dana).get(reverse("registry:school_list"), {"small": "yes"})
    assert [s.code for s in page.context["page"]] == ["KHR007"]


def test_connectivity_filter_applies_the_national_norm(as_user, people, region):
    # 500 pupils need 20 + 100/20 = 25 Mbps; 24 is below, 25 meets it.
    EnrolmentFactory(school=region.hub, grade=5, pupils=500)
    InfrastructureFactory(school=region.hub, internet_mbps=24)
    EnrolmentFactory(school=region.alga_school, grade=5, pupils=500)
    InfrastructureFactory(school=region.alga_school, internet_mbps=25)
    client = as_user(people.aigerim)
    adequate = client.get(reverse("registry:school_list"), {"connectivity": "adequate"})
    assert [s.code for s in adequate.context["page"]] == ["ALG002"]


def test_sorting_by_pupils(as_user, people, region):
    EnrolmentFactory(school=region.hub, grade=5, pupils=500)
    EnrolmentFactory(school=region.alga_school, grade=5, pupils=20)
    page = as_user(people.aigerim).get(reverse("registry:school_list"), {"sort": "-pupils"})
    assert [s.code for s in page.context["page"]] == ["ALG001", "ALG002"]


def test_htmx_request_gets_only_the_table_fragment(as_user, people, region):
    response = as_user(people.dana).get(
        reverse("registry:school_list"), {"q": "ALG"}, HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in response.content
    assert b"ALG001" in response.content


def _query_count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "name", ["registry:school_list", "registry:dashboard", "registry:district_list"]
)
def test_list_pages_use_a_fixed_number_of_queries(as_user, people, region, name):
    client = as_user(people.dana)
    url = reverse(name)
    before = _query_count(client, url)
    for _ in range(30):
        school = SchoolFactory(district=region.alga)
        EnrolmentFactory(school=school, grade=1, pupils=5)
        InfrastructureFactory(school=school)
        TeacherFactory(school=school)
    assert _query_count(client, url) == before


def test_school_page_uses_a_fixed_number_of_queries(as_user, people, region):
    client = as_user(people.dana)
    url = reverse("registry:school_detail", args=[region.hub.pk])
    EnrolmentFactory(school=region.hub, grade=11, pupils=9)
    TeacherFactory(school=region.hub)
    before = _query_count(client, url)
    for grade in range(1, 10):
        EnrolmentFactory(school=region.hub, grade=grade, pupils=9)
        TeacherFactory(school=region.hub)
    assert _query_count(client, url) == before


def test_school_outside_scope_is_not_found(as_user, people, region):
    response = as_user(people.bolat).get(reverse("registry:school_detail", args=[region.hub.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "registry:school_edit",
        "registry:enrolment_edit",
        "registry:infrastructure_edit",
        "registry:teacher_add",
    ],
)
def test_people_who_may_only_look_cannot_open_edit_forms(as_user, people, region, name):
    for person in (people.saule, people.nurlan):
        response = as_user(person).get(reverse(name, args=[region.magnet.pk]))
        assert response.status_code in (403, 404)


def test_methodologist_cannot_post_changes_to_another_district(as_user, people, region):
    response = as_user(people.aigerim).post(
        reverse("registry:school_edit", args=[region.khromtau_school.pk]),
        {"name_kk": "x", "name_ru": "x"},
    )
    assert response.status_code == 404
    region.khromtau_school.refresh_from_db()
    assert region.khromtau_school.name_ru == "Хромтау №1"


def _school_form(school, **changes):
    data = {
        "name_kk": school.name_kk,
        "name_ru": school.name_ru,
        "district": school.district_id,
        "settlement_kk": school.settlement_kk,
        "settlement_ru": school.settlement_ru,
        "locality": school.locality,
        "language": school.language,
        "network_role": school.network_role,
        "hub": school.hub_id or "",
        "latitude": school.latitude,
        "longitude": school.longitude,
    }
    data.update(changes)
    return data


def test_principal_edits_his_school_and_the_history_records_it(as_user, people, region):
    client = as_user(people.bolat)
    url = reverse("registry:school_edit", args=[region.magnet.pk])
    response = client.post(url, _school_form(region.magnet, name_ru="Кумсайская школа"))
    assert response.status_code == 302
    region.magnet.refresh_from_db()
    assert region.magnet.name_ru == "Кумсайская школа"
    latest = region.magnet.history.first()
    assert latest.history_user == people.bolat
    assert latest.prev_record.name_ru == "Школа Кумсай"
    history = client.get(reverse("registry:school_history", args=[region.magnet.pk]))
    assert "Кумсайская школа" in history.content.decode()


def test_principal_cannot_move_his_school_to_another_district(as_user, people, region):
    client = as_user(people.bolat)
    url = reverse("registry:school_edit", args=[region.magnet.pk])
    response = client.post(url, _school_form(region.magnet, district=region.alga.pk))
    assert response.status_code == 200  # form shown again: Alga is not a choice for him
    region.magnet.refresh_from_db()
    assert region.magnet.district == region.khromtau


def test_magnet_school_without_a_hub_is_refused_with_a_message(as_user, people, region):
    client = as_user(people.bolat)
    url = reverse("registry:school_edit", args=[region.magnet.pk])
    response = client.post(url, _school_form(region.magnet, hub=""))
    assert response.status_code == 200
    assert "hub" in response.context["form"].errors
    region.magnet.refresh_from_db()
    assert region.magnet.hub == region.hub


def _enrolment_form(rows):
    data = {}
    for grade in range(12):
        pupils, class_set = rows.get(grade, (0, ""))
        data[f"pupils_{grade}"] = pupils
        data[f"set_{grade}"] = class_set
    return data


def test_enrolment_form_builds_combined_class_sets(as_user, people, region):
    client = as_user(people.bolat)
    url = reverse("registry:enrolment_edit", args=[region.magnet.pk])
    rows = {1: (4, "1+3"), 3: (6, "1+3"), 2: (5, "2")}
    assert client.post(url, _enrolment_form(rows)).status_code == 302
    sets = {c.name: c.grades for c in ClassSet.objects.filter(school=region.magnet)}
    assert sets == {"1+3": [1, 3], "2": [2]}
    assert dict(Enrolment.objects.filter(school=region.magnet).values_list("grade", "pupils")) == {
        1: 4,
        2: 5,
        3: 6,
    }


def test_enrolment_form_refuses_negative_pupils_and_grades_without_class_set(
    as_user, people, region
):
    client = as_user(people.bolat)
    url = reverse("registry:enrolment_edit", args=[region.magnet.pk])
    response = client.post(url, _enrolment_form({1: (-3, "1"), 2: (5, "")}))
    errors = response.context["form"].errors
    assert "pupils_1" in errors and "set_2" in errors
    assert not Enrolment.objects.filter(school=region.magnet).exists()


def test_resaving_unchanged_enrolment_adds_no_history(as_user, people, region):
    client = as_user(people.bolat)
    url = reverse("registry:enrolment_edit", args=[region.magnet.pk])
    rows = _enrolment_form({1: (4, "1+3"), 3: (6, "1+3")})
    client.post(url, rows)
    count = Enrolment.history.count() + ClassSet.history.count()
    client.post(url, rows)
    assert Enrolment.history.count() + ClassSet.history.count() == count


def test_infrastructure_form_checks_speed_against_type(as_user, people, region):
    client = as_user(people.bolat)
    url = reverse("registry:infrastructure_edit", args=[region.magnet.pk])
    data = {"internet_type": "none", "internet_mbps": "10", "electricity": "stable", "rooms": "6"}
    for kind in ("laptop", "desktop", "tablet", "panel", "projector"):
        for condition in ("working", "repair", "broken"):
            data[f"dev_{kind}_{condition}"] = "0"
    response = client.post(url, data)
    assert "internet_mbps" in response.context["form"].errors
    data.update({"internet_type": "satellite", "dev_laptop_working": "7"})
    assert client.post(url, data).status_code == 302
    infrastructure = Infrastructure.objects.get(school=region.magnet)
    assert infrastructure.internet_mbps == 10
    assert region.magnet.devices.get(kind="laptop", condition="working").count == 7


def test_teacher_form_adds_a_teacher_who_teaches_here(as_user, people, region):
    from auyl.registry.models import Subject

    client = as_user(people.bolat)
    math, physics = Subject.objects.get(code="math"), Subject.objects.get(code="physics")
    url = reverse("registry:teacher_add", args=[region.magnet.pk])
    response = client.post(
        url,
        {
            "code": "T9",
            "full_name": "Сәуле Ахметова",
            "weekly_hours": 20,
            "subjects": [math.pk, physics.pk],
            "taught_here": [math.pk],
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("registry:school_detail", args=[region.magnet.pk]))
    assert "Сәуле Ахметова" in page.content.decode()


def test_teacher_cannot_teach_a_subject_she_is_not_qualified_for(as_user, people, region):
    from auyl.registry.models import Subject

    math = Subject.objects.get(code="math")
    response = as_user(people.bolat).post(
        reverse("registry:teacher_add", args=[region.magnet.pk]),
        {
            "code": "T9",
            "full_name": "X",
            "weekly_hours": 20,
            "subjects": [],
            "taught_here": [math.pk],
        },
    )
    assert "taught_here" in response.context["form"].errors


def test_interface_language_switches(as_user, people, region):
    client = as_user(people.dana)
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    assert 'lang="ru"' in client.get(reverse("registry:dashboard")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("registry:dashboard")).content.decode()


def test_school_is_small_only_with_a_combined_class_set(region):
    from auyl.registry.selectors import annotated_schools
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True)
    ClassSetFactory(school=region.magnet, name="1+2", grades=[1, 2])
    small = {s.code: s.is_small for s in annotated_schools(admin)}
    assert small["KHR007"] is True and small["ALG001"] is False
    assert School.objects.count() == 4


def test_key_figures_count_schools_meeting_the_internet_norm(people, region):
    from auyl.registry.selectors import district_rows, key_figures

    EnrolmentFactory(school=region.hub, grade=5, pupils=500)
    InfrastructureFactory(school=region.hub, internet_mbps=24)  # below 25
    InfrastructureFactory(school=region.alga_school, internet_mbps=25)  # 0 pupils: 20 needed
    ClassSetFactory(school=region.hub, name="5+6", grades=[5, 6])
    figures = key_figures(people.aigerim)
    assert (figures.adequate, figures.small, figures.no_internet) == (1, 1, 0)
    assert [r["adequate"] for r in district_rows(people.aigerim)] == [1]


def test_school_list_stays_within_its_page_weight_budget(as_user, people, region):
    """First load (HTML + CSS + JS, gzip) under 100 KB; an HTMX update under 30 KB."""
    import gzip

    from django.contrib.staticfiles import finders

    for _ in range(60):
        school = SchoolFactory(district=region.alga, name_ru="Общеобразовательная школа " * 3)
        EnrolmentFactory(school=school, grade=1, pupils=5)
    client = as_user(people.dana)
    page = client.get(reverse("registry:school_list")).content
    assets = [finders.find("auyl/auyl.css"), finders.find("auyl/vendor/htmx.min.js")]
    first_load = len(gzip.compress(page)) + sum(
        len(gzip.compress(Path(path).read_bytes())) for path in assets
    )
    update = client.get(reverse("registry:school_list"), {"page": 2}, HTTP_HX_REQUEST="true")
    assert first_load < 100 * 1024
    assert len(gzip.compress(update.content)) < 30 * 1024
    assert b"<html" in page and b"<html" not in update.content
