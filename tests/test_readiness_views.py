"""Readiness pages: what each person sees and may change, the ranking's ranks and map, the
panel for the registry's school page, what the equipment app reads, and query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auyl.readiness import selectors, services
from auyl.readiness.models import Audit, NormSet
from auyl.registry.models import School
from tests.factories import (
    ClassSetFactory,
    DeviceStockFactory,
    EnrolmentFactory,
    InfrastructureFactory,
    SchoolFactory,
    TeacherFactory,
)
from tests.test_readiness_services import COMPLETE, DEVICES


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def equipped(region):
    """Every school has pupils and infrastructure; the hub is well equipped, Kumsai not."""
    for school, pupils, mbps in (
        (region.hub, 300, 100),
        (region.magnet, 30, 4),
        (region.alga_school, 120, 25),
        (region.khromtau_school, 200, 20),
    ):
        EnrolmentFactory(school=school, grade=5, pupils=pupils)
        ClassSetFactory(school=school, name="5", grades=[5])
        InfrastructureFactory(school=school, internet_mbps=mbps, rooms=10, science_lab=True)
    DeviceStockFactory(school=region.hub, kind="laptop", count=60)
    DeviceStockFactory(school=region.hub, kind="panel", count=1)
    return region


def test_anonymous_visitor_is_sent_to_login(client, region):
    response = client.get(reverse("readiness:home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_ranking_lists_visible_schools_with_region_wide_ranks(as_user, people, equipped):
    page = as_user(people.aigerim).get(reverse("readiness:home"))
    rows = page.context["result"].rows
    assert {r.code for r in rows} == {"ALG001", "ALG002"}  # Alga only
    assert all(r.region_size == 4 and r.district_size == 2 for r in rows)
    hub = next(r for r in rows if r.code == "ALG001")
    assert hub.rank_region == 1 and hub.rank_district == 1


def test_the_ranking_filters_by_band_and_sorts_lowest_first(as_user, people, equipped):
    client = as_user(people.dana)
    rows = client.get(reverse("readiness:home")).context["result"].rows
    assert [r.index for r in rows] == sorted(r.index for r in rows)
    band = rows[0].band
    filtered = client.get(reverse("readiness:home"), {"band": band}).context["result"].rows
    assert filtered and all(r.band == band for r in filtered)


def test_the_ranking_map_colours_schools_by_readiness(as_user, people, equipped):
    response = as_user(people.dana).get(reverse("readiness:home"))
    svg = str(response.context["map_svg"])
    assert svg.count("<circle") == 4 and 'class="band-' in svg
    assert f'href="{reverse("readiness:school", args=[equipped.hub.pk])}"' in svg


def test_bolat_sees_his_school_page_and_may_audit(as_user, people, equipped):
    response = as_user(people.bolat).get(reverse("readiness:school", args=[equipped.magnet.pk]))
    assert response.status_code == 200 and response.context["can_edit"]
    needs = {n["item"] for n in response.context["needs"]}
    assert "internet" in needs  # 4 Mbps is below the 20 Mbps norm


def test_saule_reads_but_may_not_audit(as_user, people, equipped):
    client = as_user(people.saule)
    page = client.get(reverse("readiness:school", args=[equipped.magnet.pk]))
    assert page.status_code == 200 and not page.context["can_edit"]
    assert client.get(reverse("readiness:audit_edit", args=[equipped.magnet.pk])).status_code == 403
    post = client.post(reverse("readiness:audit_edit", args=[equipped.magnet.pk]), {"rooms": 3})
    assert post.status_code == 403 and not Audit.objects.exists()


def test_aigerim_does_not_see_a_khromtau_school(as_user, people, equipped):
    url = reverse("readiness:school", args=[equipped.magnet.pk])
    assert as_user(people.aigerim).get(url).status_code == 404


def _form_data(**changes):
    data = {k: ("" if v is None else v) for k, v in COMPLETE.items()}
    for name in ("computer_lab", "science_lab", "stem_lab", "offline_server"):
        if not data[name]:
            del data[name]
    for key, count in DEVICES.items():
        data["dev_" + key.replace(":", "_")] = count
    data.update(changes)
    return data


def test_the_audit_form_saves_a_draft_then_submits_it(as_user, people, equipped):
    client = as_user(people.bolat)
    url = reverse("readiness:audit_edit", args=[equipped.magnet.pk])
    assert client.get(url).status_code == 200
    saved = client.post(url, {"action": "save", "rooms": "6", "dev_laptop_0_3_working": "2"})
    assert saved.status_code == 302
    draft = Audit.objects.get(school=equipped.magnet)
    assert draft.status == "draft" and draft.rooms == 6
    assert draft.devices == {"laptop:0_3:working": 2}
    done = client.post(url, _form_data(action="submit"))
    assert done.status_code == 302
    audit = Audit.objects.get(school=equipped.magnet)
    assert (audit.status, audit.version) == ("submitted", 1)


def test_submitting_an_incomplete_audit_shows_what_is_missing(as_user, people, equipped):
    client = as_user(people.bolat)
    url = reverse("readiness:audit_edit", args=[equipped.magnet.pk])
    response = client.post(url, _form_data(action="submit", reliability_pct=""))
    assert response.status_code == 400
    assert "Fill this in before submitting." in response.content.decode()
    assert not Audit.objects.exists()


def test_a_negative_count_in_the_form_is_refused(as_user, people, equipped):
    client = as_user(people.bolat)
    url = reverse("readiness:audit_edit", args=[equipped.magnet.pk])
    response = client.post(url, _form_data(action="save", dev_tablet_8_plus_broken="-1"))
    assert response.status_code == 400
    assert "A device count cannot be negative." in response.content.decode()
    assert not Audit.objects.exists()


def test_a_submitted_version_is_shown_read_only(as_user, people, equipped):
    services.audit_save_and_submit(
        school=equipped.magnet, data=COMPLETE, devices=DEVICES, by=people.bolat
    )
    audit = Audit.objects.get()
    response = as_user(people.saule).get(reverse("readiness:audit_detail", args=[audit.pk]))
    assert response.status_code == 200 and "Readiness audit v1" in response.content.decode()
    assert (
        as_user(people.aigerim).get(reverse("readiness:audit_detail", args=[audit.pk])).status_code
        == 404
    )


def test_everyone_reads_the_norms_with_their_sources(as_user, people, region):
    response = as_user(people.saule).get(reverse("readiness:norms"))
    assert response.status_code == 200 and response.context["form"] is None
    text = response.content.decode()
    assert "inform.kz" in text and "assumption" in text


def test_saule_may_not_change_the_norms(as_user, people, region):
    response = as_user(people.saule).post(reverse("readiness:norms"), {"lab_min_grade": 5})
    assert response.status_code == 403 and not NormSet.objects.exists()


def _norm_form(**changes):
    data = {
        "devices_per_pupil": "0.20",
        "panels_per_class_set_room": "1.00",
        "lab_min_grade": "7",
        "min_reliability_pct": "90",
        "offline_below_mbps": "2.0",
        "offline_below_reliability_pct": "50",
        "weight_connectivity": "30",
        "weight_devices": "25",
        "weight_panels": "15",
        "weight_labs": "10",
        "weight_teachers": "20",
    }
    data.update(changes)
    return data


def test_dana_edits_a_norm(as_user, people, region):
    response = as_user(people.dana).post(reverse("readiness:norms"), _norm_form(lab_min_grade="8"))
    assert response.status_code == 302
    assert NormSet.objects.get().lab_min_grade == 8


def test_contradictory_norms_are_refused_with_a_clear_message(as_user, people, region):
    response = as_user(people.dana).post(
        reverse("readiness:norms"), _norm_form(devices_per_pupil="3", weight_labs="40")
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Computers per pupil must be above 0 and at most 2" in text
    assert "must add up to 100" in text
    assert not NormSet.objects.exists()


def test_dana_edits_a_price_and_an_absurd_one_is_refused(as_user, people, region):
    client = as_user(people.dana)
    rows = selectors.catalogue_rows(School.objects.first().district.region)
    data = {f"price_{r.item}": r.unit_price for r in rows}
    bad = client.post(reverse("readiness:catalogue"), {**data, "price_laptop": "12"})
    assert bad.status_code == 400 and "not a plausible price" in bad.content.decode()
    good = client.post(
        reverse("readiness:catalogue"), {**data, "price_laptop": "160000", "source_laptop": "q"}
    )
    assert good.status_code == 302
    assert selectors.catalogue_prices()["laptop"] == 160_000


def test_the_needs_page_totals_items_by_district(as_user, people, equipped):
    response = as_user(people.dana).get(reverse("readiness:needs"))
    totals = {t.item: t for t in response.context["totals"]}
    assert totals["internet"].schools == 1  # Kumsai: 4 Mbps
    assert sum(t.cost for t in totals.values()) == response.context["result"].total_cost
    assert {d["district"].code for d in response.context["by_district"]} == {"alga", "khromtau"}


def test_the_school_panel_for_the_registry_page(people, equipped):
    html = render_to_string("readiness/_school_panel.html", {"school": equipped.magnet})
    row = selectors.school_row(equipped.magnet, ranked=False)
    assert f"{row.index:.1f}" in html
    assert reverse("readiness:school", args=[equipped.magnet.pk]) in html


def test_planning_needs_are_scoped_and_keyed_by_school_and_item(people, equipped):
    needs = selectors.planning_needs(people.aigerim)
    assert [n.school for n in needs] == ["ALG001", "ALG002"]
    everyone = {n.school: n for n in selectors.planning_needs(people.dana)}
    kumsai = everyone["KHR007"]
    assert kumsai.district == "khromtau" and kumsai.pupils == 30
    keys = {p.key: p for p in kumsai.packages}
    assert keys["KHR007/laptop"].requires == ("KHR007/internet",)
    only = selectors.planning_needs(people.dana, schools=School.objects.filter(code="KHR007"))
    assert [n.school for n in only] == ["KHR007"]
    assert selectors.planning_needs(people.dana, schools=["ALG002"])[0].school == "ALG002"


def test_readiness_after_purchases_rises_for_the_schools_that_buy(people, equipped):
    kumsai = next(n for n in selectors.planning_needs(people.dana) if n.school == "KHR007")
    bought = {p.key: p.quantity for p in kumsai.packages}
    result = selectors.readiness_after_purchases(people.dana, bought)
    before, after = result["KHR007"]
    assert after > before
    assert result["ALG001"][0] == result["ALG001"][1]


def _query_count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["readiness:home", "readiness:needs"])
def test_list_pages_use_a_fixed_number_of_queries(as_user, people, equipped, name):
    client = as_user(people.dana)
    url = reverse(name)
    before = _query_count(client, url)
    for i in range(30):
        school = SchoolFactory(district=equipped.alga)
        EnrolmentFactory(school=school, grade=1, pupils=5)
        InfrastructureFactory(school=school)
        TeacherFactory(school=school)
        DeviceStockFactory(school=school)
        if i % 2:
            services.audit_save_and_submit(
                school=school,
                data={**COMPLETE, "internet_mbps": Decimal("9")},
                devices=DEVICES,
                by=people.dana,
            )
    assert _query_count(client, url) == before


def test_the_school_page_uses_a_fixed_number_of_queries(as_user, people, equipped):
    client = as_user(people.dana)
    url = reverse("readiness:school", args=[equipped.hub.pk])
    before = _query_count(client, url)
    for _ in range(3):
        services.audit_save_and_submit(
            school=equipped.hub, data=COMPLETE, devices=DEVICES, by=people.dana
        )
    for _ in range(10):
        SchoolFactory(district=equipped.alga)
    assert _query_count(client, url) == before
