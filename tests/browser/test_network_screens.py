"""The hub network as people use it, in Chromium: design -> map -> accept -> assign a
mentor -> record a visit; the coverage page and the calendar."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from auyl.network.models import Mentor, NetworkDesign, Visit
from auyl.registry.models import School, Subject
from auyl.registry.subjects import SUBJECTS
from tests.test_network_helpers import build_net


@pytest.fixture
def net(region):
    return build_net(region)


@pytest.fixture(autouse=True)
def subjects(db):
    """The live server's database is flushed between tests, data migrations included."""
    for code, kk, ru, en in SUBJECTS:
        Subject.objects.get_or_create(
            code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en}
        )


def test_dana_designs_the_network_accepts_it_and_supports_a_school(
    people, net, page, login, shot, page_errors
):
    login(page, "dana")
    page.goto("/network/")
    expect(page.locator("h1")).to_have_text("Hub network")
    shot(page, "network-home-before")

    page.click("text=Design the network")
    page.fill("#id_max_km", "100")
    page.fill("#id_min_pupils", "100")
    page.uncheck("#id_adequate_internet")
    page.fill("#id_min_specialist_subjects", "0")
    page.uncheck("#id_computer_lab")
    shot(page, "network-design-form")
    page.click("button:has-text('Compute the design')")
    page.wait_for_selector("text=Current and proposed network")
    design = NetworkDesign.objects.get()
    assert page.locator("figure.map svg circle").count() == 4
    assert page.locator("figure.map svg line").count() == 2  # two magnets, two links
    shot(page, "network-design-result")

    page.click("text=Accept this design…")
    page.wait_for_selector("text=Yes, accept and change the registry")
    shot(page, "network-design-accept")
    page.click("text=Yes, accept and change the registry")
    page.wait_for_selector(f"text=Design #{design.pk} accepted")
    assert School.objects.get(code="KHR007").hub.code == "KHR001"
    shot(page, "network-home-after-accept")

    page.click("text=Mentors")
    page.click("text=Add a mentor")
    page.fill("#id_full_name", "Ақмарал Сейсенова")
    page.fill("#id_organisation", "NIS Aktobe")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Mentor saved.")

    khr001 = School.objects.get(code="KHR001")
    page.goto(f"/network/clusters/{khr001.pk}/")
    page.select_option("#id_mentor", label="Ақмарал Сейсенова (NIS Aktobe)")
    page.click("button:has-text('Assign')")
    page.wait_for_selector("text=now supports this cluster")
    expect(page.locator("section.card", has_text="Mentors of the cluster")).to_contain_text(
        "Ақмарал Сейсенова"
    )
    shot(page, "network-cluster-with-mentor")

    page.click("section.card a:has-text('Ақмарал Сейсенова')")
    page.click("text=Plan a visit")
    page.select_option("#id_school", label=str(School.objects.get(code="KHR007")))
    page.select_option("#id_status", "done")
    page.fill("#id_focus", "Формативті бағалау біріктірілген сыныпта")
    page.fill("#id_observed_grades", "1+3")
    page.fill("#id_recommendations", "Сабақ мақсатын оқушыларға түсінікті етіп жазу.")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Visit saved.")
    page.fill("#id_action", "Ашық сабақ дайындау")
    page.fill("#id_due_date", "2030-01-20")
    page.click("button:has-text('Add')")
    page.wait_for_selector("text=Follow-up added.")
    visit = Visit.objects.get()
    assert visit.status == "done" and visit.mentor == Mentor.objects.get()
    assert visit.follow_ups.get().status == "open"
    shot(page, "network-visit-recorded")

    page.click("nav.subnav >> text=Calendar")
    expect(page.locator("table.calendar")).to_be_visible()
    shot(page, "network-calendar")
    assert page_errors == []


def test_nurlan_sees_the_coverage_of_his_cluster(people, net, page, login, shot, page_errors):
    from tests.factories import TeacherFactory

    english = TeacherFactory(school=net.hub, full_name="Ерлан Әбенов", weekly_hours=20)
    english.subjects.set(Subject.objects.filter(code="english"))
    login(page, "nurlan")
    page.goto(f"/network/clusters/{net.hub.pk}/coverage/")
    expect(page.locator("h1")).to_contain_text("Subject coverage")
    expect(page.locator("table.data").first).to_contain_text("English")
    expect(page.locator("table.data").first).to_contain_text("Ерлан Әбенов")
    shot(page, "network-coverage")
    assert page_errors == []
