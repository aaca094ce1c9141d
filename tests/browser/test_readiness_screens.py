"""Readiness as people use it, in Chromium: Bolat audits Kumsai (draft, save, submit, score);
Dana edits a norm (a contradictory one is refused); the ranking with its map."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import (
    ClassSetFactory,
    DeviceStockFactory,
    EnrolmentFactory,
    InfrastructureFactory,
    SchoolFactory,
)


def _populate(region):
    for school, grades, pupils in (
        (region.magnet, [(1, 3), (2, 4), (5, 7)], 5),
        (region.hub, [(5,), (6,), (7,), (8,), (9,)], 40),
        (region.alga_school, [(1,), (2,), (3,)], 20),
        (region.khromtau_school, [(5,), (9,)], 25),
    ):
        for group in grades:
            for grade in group:
                EnrolmentFactory(school=school, grade=grade, pupils=pupils)
            ClassSetFactory(school=school, name="+".join(map(str, group)), grades=list(group))
    InfrastructureFactory(school=region.magnet, internet_type="satellite", internet_mbps=6, rooms=5)
    DeviceStockFactory(school=region.magnet, kind="laptop", condition="working", count=4)
    DeviceStockFactory(school=region.magnet, kind="panel", condition="working", count=1)
    InfrastructureFactory(school=region.hub, internet_mbps=100, rooms=20, science_lab=True)
    DeviceStockFactory(school=region.hub, kind="laptop", count=40)
    InfrastructureFactory(school=region.alga_school, internet_mbps=20, rooms=6)
    InfrastructureFactory(school=region.khromtau_school, internet_type="none", internet_mbps=0)
    for i, lat in enumerate((50.2, 50.4, 49.9)):
        school = SchoolFactory(district=region.alga, latitude=lat, longitude=57.3 + i / 5)
        EnrolmentFactory(school=school, grade=4, pupils=12)


def test_bolat_fills_a_draft_saves_it_submits_it_and_sees_the_score(
    people, region, page, login, shot, page_errors
):
    _populate(region)
    login(page, "bolat")
    page.goto(f"/readiness/schools/{region.magnet.pk}/")
    assert "not audited yet" in page.locator(".page-head").inner_text()
    registry_score = float(page.locator("#readiness-index").inner_text())
    page.click("text=Start a new audit")

    # prefilled from the registry
    expect(page.locator("#id_internet_type")).to_have_value("satellite")
    expect(page.locator("#id_dev_laptop_4_7_working")).to_have_value("4")
    page.fill("#id_reliability_pct", "70")
    page.fill("#id_dev_laptop_0_3_working", "8")
    page.click("button:has-text('Save draft')")
    page.wait_for_selector("text=Draft saved.")
    expect(page.locator("#id_reliability_pct")).to_have_value("70")
    shot(page, "readiness-audit-draft")

    page.click("button:has-text('Submit audit')")  # teachers and panels not filled in yet
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator(".has-error").count() >= 4
    shot(page, "readiness-audit-incomplete")

    page.fill("#id_rooms_with_panel", "1")
    for level, n in enumerate((1, 3, 2, 0)):
        page.fill(f"#id_teachers_level_{level}", str(n))
    page.click("button:has-text('Submit audit')")
    page.wait_for_selector("text=Audit submitted as version v1")
    assert "from audit v1" in page.locator(".page-head").inner_text()
    score = float(page.locator("#readiness-index").inner_text())
    assert 0 < score < 100 and score != registry_score
    assert "v1" in page.locator("#audits").inner_text()
    assert page.locator("#needs tbody tr").count() >= 2
    shot(page, "readiness-school")
    assert page_errors == []


def test_dana_edits_a_norm_and_a_contradiction_is_refused(
    people, region, page, login, shot, page_errors
):
    _populate(region)
    login(page, "dana")
    page.goto("/readiness/norms/")
    assert "inform.kz" in page.locator("main").inner_text()
    page.fill("#id_devices_per_pupil", "3")
    page.fill("#id_weight_labs", "20")
    page.click("button:has-text('Save norms')")
    expect(page.locator(".error-summary")).to_be_visible()
    assert "at most 2" in page.locator("main").inner_text()
    assert "add up to 100" in page.locator("main").inner_text()
    shot(page, "readiness-norms-refused")

    page.fill("#id_devices_per_pupil", "0.25")
    page.fill("#id_weight_labs", "10")
    page.click("button:has-text('Save norms')")
    page.wait_for_selector("text=Norms saved.")
    expect(page.locator("#id_devices_per_pupil")).to_have_value("0.25")
    history = page.locator("ul.history").inner_text()  # who changed what
    assert "dana" in history and "Computers per pupil: 0.20 → 0.25" in history
    shot(page, "readiness-norms")

    page.click("nav.subnav >> text=Catalogue")
    expect(page.locator("main")).to_contain_text("150-200")
    shot(page, "readiness-catalogue")
    assert page_errors == []


def test_the_ranking_page_with_its_map(people, region, page, login, shot, page_errors):
    _populate(region)
    login(page, "dana")
    page.click("nav.mainnav >> text=Readiness")
    page.wait_for_selector("table.ranking")
    assert page.locator("table.ranking tbody tr").count() == 7
    assert page.locator(".readiness-map circle").count() == 7
    assert page.locator(".readiness-map circle[class^='band-']").count() == 7
    shot(page, "readiness-ranking")

    page.select_option("#id_district", "khromtau")
    expect(page.locator("table.ranking tbody tr")).to_have_count(2)
    assert "district=khromtau" in page.url
    page.click("table.ranking >> text=Школа Кумсай")
    page.wait_for_selector("#components")
    page.click("nav.subnav >> text=Needs")
    page.wait_for_selector("#need-totals tbody tr")
    assert page.locator("#need-totals tbody tr").count() >= 3
    shot(page, "readiness-needs")
    assert page_errors == []


def test_saule_reads_the_ranking_and_her_school_but_cannot_audit(
    people, region, page, login, shot, page_errors
):
    _populate(region)
    login(page, "saule")
    page.goto("/readiness/")
    assert page.locator("table.ranking tbody tr").count() == 1
    page.click("table.ranking >> text=Школа Кумсай")
    page.wait_for_selector("#components")
    assert page.locator("text=Start a new audit").count() == 0
    shot(page, "readiness-school-teacher")
    assert page_errors == []
