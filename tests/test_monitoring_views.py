"""The monitoring pages for each person: define a test, its items and booklets, import
answers (preview, confirm), scale, and see results scoped to one's schools.

Dana (region admin) and Aigerim (methodologist of Alga) define, import and scale; Bolat
(principal of Kumsai) and Saule (teacher there) see Kumsai's results only; Yerlan sees nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from auyl.engines import irt
from auyl.monitoring import services
from auyl.monitoring.models import Assessment, Item, Scaling, Sitting
from auyl.monitoring.scaling import scaling_compute
from auyl.registry.models import Subject
from tests.test_monitoring_fixtures import add_sittings, make_assessment

HEAD = "pupil_id,school_code,class_set,M01,M02,M03,M04,M05\n"


@pytest.fixture
def math4(region, people):
    return make_assessment(people, region)


def _client(client, user):
    client.force_login(user)
    return client


def _items_post(rows):
    data = {"items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "200"}  # fmt: skip
    for i, (position, code, key, max_score) in enumerate(rows):
        data |= {f"items-{i}-position": position, f"items-{i}-code": code,
                 f"items-{i}-key": key, f"items-{i}-max_score": max_score}  # fmt: skip
    return data


def test_dana_defines_a_test_and_its_items(client, people, region):
    c = _client(client, people.dana)
    response = c.post(
        reverse("monitoring:assessment_new"),
        {"region": region.alga.region.pk, "name": "Математика 4", "grade": 4,
         "subject": Subject.objects.get(code="math").pk, "language": "kk", "year": 2024,
         "minutes": 40},
    )  # fmt: skip
    assessment = Assessment.objects.get()
    assert response.url == reverse("monitoring:items_edit", args=[assessment.pk])
    response = c.post(
        reverse("monitoring:items_edit", args=[assessment.pk]),
        _items_post([(2, "M02", "C", 1), (1, "M01", "B", 1), (3, "", "", 1)]),
    )
    assert response.status_code == 302
    assert list(assessment.items.values_list("position", "code")) == [(1, "M01"), (2, "M02")]


def test_a_second_test_of_the_same_year_grade_subject_and_language_is_refused(
    client, people, region, math4
):
    response = _client(client, people.dana).post(
        reverse("monitoring:assessment_new"),
        {"region": region.alga.region.pk, "name": "Again", "grade": 4,
         "subject": math4.subject_id, "language": "kk", "year": 2024, "minutes": 40},
    )  # fmt: skip
    assert response.status_code == 400 and Assessment.objects.count() == 1


def test_an_item_table_with_a_repeated_code_saves_nothing(client, people, math4):
    response = _client(client, people.dana).post(
        reverse("monitoring:items_edit", args=[math4.pk]),
        _items_post([(1, "Q1", "A", 1), (2, "q1", "B", 1)]),
    )
    assert response.status_code == 400
    assert b"used twice" in response.content
    assert math4.items.count() == 5


def test_a_partial_credit_item_has_no_key(client, people, math4):
    response = _client(client, people.dana).post(
        reverse("monitoring:items_edit", args=[math4.pk]), _items_post([(1, "Q1", "A", 2)])
    )
    assert response.status_code == 400 and b"partial credit" in response.content


def test_items_are_frozen_once_answers_are_imported(people, math4, region):
    add_sittings(math4, np.zeros((1, 5)), [region.hub])
    rows = [services.ItemData(it.position, it.code, it.key, "new domain", it.max_score)
            for it in math4.items.order_by("position")]  # fmt: skip
    services.items_replace(assessment=math4, rows=rows, by=people.dana)  # domains may change
    rows[0] = services.ItemData(1, "M01", "D")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="no longer change"):
        services.items_replace(assessment=math4, rows=rows, by=people.dana)


def test_the_item_list_is_imported_from_a_file_with_row_level_problems(client, people, math4):
    c = _client(client, people.dana)
    bad = "position,code,key,domain,max_score,anchor\n1,A1,B,,1,yes\n2,A2,C,,x,no\n"
    response = c.post(
        reverse("monitoring:items_import", args=[math4.pk]),
        {"file": SimpleUploadedFile("items.csv", bad.encode())},
    )
    assert response.status_code == 400 and b"not a whole number" in response.content
    assert math4.items.count() == 5
    good = "position,code,key,domain,max_score,anchor\n1,A1,B,,1,yes\n2,A2,,,2,no\n"
    response = c.post(
        reverse("monitoring:items_import", args=[math4.pk]),
        {"file": SimpleUploadedFile("items.csv", good.encode())},
    )
    assert response.status_code == 302
    assert list(math4.items.values_list("code", "max_score", "anchor")) == [
        ("A1", 1, True), ("A2", 2, False),
    ]  # fmt: skip


def test_a_booklet_is_saved_with_its_items(client, people, math4):
    items = list(math4.items.order_by("position")[:2])
    response = _client(client, people.dana).post(
        reverse("monitoring:booklet_new", args=[math4.pk]),
        {"code": "A", "items": [it.pk for it in items]},
    )
    assert response.status_code == 302
    assert list(math4.booklets.get().items.order_by("position")) == items


def test_answers_are_previewed_then_written_on_confirmation(client, people, math4):
    c = _client(client, people.dana)
    content = HEAD + "P1,ALG001,,B,C,3.5,2,12\nP2,ALG002,,A,,3,1,\n"
    response = c.post(
        reverse("monitoring:import_start", args=[math4.pk]),
        {"file": SimpleUploadedFile("a.csv", content.encode()), "layout": "wide",
         "answers": "raw"},
    )  # fmt: skip
    preview = c.get(response.url)
    assert b"new pupils" in preview.content and not Sitting.objects.exists()
    assert preview.context["result"]["counts"]["create"] == 2
    job = preview.context["job"]
    result = c.post(reverse("monitoring:import_confirm", args=[math4.pk, job.pk]))
    page = c.get(result.url)
    assert page.context["result"]["status"] == "applied"
    assert Sitting.objects.count() == 2


def test_a_bad_file_shows_its_problems_and_cannot_be_confirmed(client, people, math4):
    c = _client(client, people.dana)
    content = HEAD + "P1,NOPE,,B,C,3.5,2,12\n"
    response = c.post(
        reverse("monitoring:import_start", args=[math4.pk]),
        {"file": SimpleUploadedFile("a.csv", content.encode()), "layout": "wide",
         "answers": "raw"},
    )  # fmt: skip
    preview = c.get(response.url)
    assert b"no school with code NOPE" in preview.content
    job = preview.context["job"]
    assert c.post(reverse("monitoring:import_confirm", args=[math4.pk, job.pk])).status_code == 404


@pytest.fixture
def scaled(math4, region, people):
    """Kumsai (Bolat's school) and Bestamak pupils, scaled with the Rasch model."""
    matrix, _ = irt.simulate(200, 5, model="rasch", seed=3)
    scores = matrix.scores.copy()
    scores[:, 3] = np.where(scores[:, 3] > 0, 2, 0)
    scores[::3, 3] = 1
    add_sittings(math4, scores, [region.magnet, region.hub])
    scaling = services.scaling_create(
        assessment=math4, model="pcm", base=None, link_method="none", by=people.dana
    )
    scaling_compute(scaling=scaling)
    return scaling


def test_dana_starts_a_scaling_and_sees_its_result(client, people, math4, region):
    matrix, _ = irt.simulate(150, 5, seed=2)
    add_sittings(math4, matrix.scores, [region.hub])
    c = _client(client, people.dana)
    response = c.post(reverse("monitoring:scaling_new", args=[math4.pk]), {"model": "2pl"})
    scaling = Scaling.objects.get()
    assert response.url == reverse("monitoring:scaling_detail", args=[scaling.pk])
    page = c.get(response.url)
    assert scaling.status == "queued" or page.context["summary"].n == 150
    scaling.refresh_from_db()
    assert scaling.status == Scaling.Status.DONE
    assert b"base year" in page.content.lower() or b"Base year" in page.content


def test_the_result_page_shows_the_model_link_and_item_table(client, people, scaled):
    page = _client(client, people.dana).get(reverse("monitoring:scaling_detail", args=[scaled.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for expected in ("partial credit", "Base year", "marginal reliability", "M04", "Infit"):
        assert expected in text, expected
    assert page.context["summary"].n == 200


def test_bolat_sees_only_his_schools_scores(client, people, scaled):
    page = _client(client, people.bolat).get(reverse("monitoring:scaling_detail", args=[scaled.pk]))
    assert page.context["summary"].n == 100
    assert [s["sitting__school__code"] for s in page.context["schools"]] == ["KHR007"]


def test_only_definers_may_define_import_or_scale(client, people, math4):
    urls = [
        reverse("monitoring:assessment_new"),
        reverse("monitoring:items_edit", args=[math4.pk]),
        reverse("monitoring:import_start", args=[math4.pk]),
        reverse("monitoring:scaling_new", args=[math4.pk]),
    ]
    for person in (people.bolat, people.saule, people.nurlan):
        c = _client(client, person)
        assert c.get(reverse("monitoring:home")).status_code == 200
        assert c.get(reverse("monitoring:assessment_detail", args=[math4.pk])).status_code == 200
        for url in urls:
            assert c.get(url).status_code == 403, (person, url)
    c = _client(client, people.aigerim)
    assert all(c.get(url).status_code == 200 for url in urls)


def test_yerlan_without_a_role_sees_no_test(client, people, math4):
    c = _client(client, people.yerlan)
    assert list(c.get(reverse("monitoring:home")).context["assessments"]) == []
    assert c.get(reverse("monitoring:assessment_detail", args=[math4.pk])).status_code == 404


def test_the_test_list_counts_only_the_pupils_one_may_see(client, people, scaled, math4):
    rows = _client(client, people.bolat).get(reverse("monitoring:home")).context["assessments"]
    assert [(a.pk, a.n_sittings, a.n_items) for a in rows] == [(math4.pk, 100, 5)]


def test_the_answers_template_has_the_item_columns(client, people, math4):
    response = _client(client, people.dana).get(
        reverse("monitoring:import_template", args=[math4.pk]) + "?layout=wide"
    )
    assert response.content.decode("utf-8-sig").strip() == HEAD.strip()


def test_item_codes_are_case_insensitive_only_for_uniqueness(people, math4):
    assert Item.objects.filter(assessment=math4, code="M01").exists()


def test_the_test_list_takes_the_same_queries_whatever_the_number_of_tests(
    client, people, region, django_assert_max_num_queries
):
    c = _client(client, people.bolat)
    make_assessment(people, region, year=2023)
    with django_assert_max_num_queries(12) as few:
        c.get(reverse("monitoring:home"))
    for year in (2024, 2025, 2026):
        make_assessment(people, region, year=year)
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(reverse("monitoring:home"))


def test_a_linked_scaling_page_names_its_method_base_and_constants(client, people, region):
    base_test = make_assessment(people, region, year=2023)
    new_test = make_assessment(people, region, year=2024)
    for assessment, seed in ((base_test, 1), (new_test, 2)):
        matrix, _ = irt.simulate(300, 5, seed=seed)
        add_sittings(assessment, matrix.scores, [region.hub], prefix=f"Y{seed}")
    base = services.scaling_create(
        assessment=base_test, model="2pl", base=None, link_method="none", by=people.dana
    )
    scaling_compute(scaling=base)
    linked = services.scaling_create(
        assessment=new_test, model="2pl", base=base, link_method="haebara", by=people.dana
    )
    scaling_compute(scaling=linked)
    page = _client(client, people.dana).get(reverse("monitoring:scaling_detail", args=[linked.pk]))
    text = page.content.decode()
    assert f"Haebara to the 2023 scaling #{base.pk}" in text
    linked.refresh_from_db()
    assert f"{linked.link_a:.4f}" in text
