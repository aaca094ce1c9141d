"""The registry as people use it, in Chromium: browse, filter, open, edit, switch language."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import ClassSetFactory, EnrolmentFactory, InfrastructureFactory


def _populate(region):
    for school, grades in ((region.magnet, [1, 3]), (region.hub, [5])):
        for grade in grades:
            EnrolmentFactory(school=school, grade=grade, pupils=6 + grade)
        ClassSetFactory(school=school, name="+".join(map(str, grades)), grades=grades)
    InfrastructureFactory(school=region.magnet, internet_type="satellite", internet_mbps=8)
    InfrastructureFactory(school=region.hub, internet_mbps=100)


def test_dana_browses_the_dashboard_and_filters_the_school_list(
    people, region, page, login, shot, page_errors
):
    _populate(region)
    login(page, "dana")
    page.goto("/")
    assert page.locator(".figure").count() >= 7
    assert page.locator(".map circle").count() == 4
    shot(page, "dashboard")

    page.click("nav.mainnav >> text=Schools")
    expect(page.locator("table.schools tbody tr")).to_have_count(4)
    page.select_option("#id_role", "magnet")
    expect(page.locator("table.schools tbody tr")).to_have_count(1)
    assert "role=magnet" in page.url  # the filter is in the address, so it can be shared
    page.fill("#id_q", "ALG")
    page.wait_for_selector("text=No school matches these filters.")
    shot(page, "school-list-filtered")
    assert page_errors == []


def test_bolat_opens_his_school_and_edits_it(people, region, page, login, shot, page_errors):
    _populate(region)
    login(page, "bolat")
    page.goto(f"/schools/{region.magnet.pk}/")
    assert page.locator("h1").inner_text() == "Школа Кумсай"
    assert "1+3" in page.locator("#enrolment").inner_text()
    assert "below the norm" in page.locator("#infrastructure").inner_text()
    shot(page, "school-detail")

    page.click("text=Edit school")
    page.fill("#id_latitude", "123")
    page.click("button:has-text('Save')")
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator(".has-error").count() >= 1
    shot(page, "school-edit-error")

    page.fill("#id_latitude", "50.2")
    page.fill("#id_name_ru", "Кумсайская школа")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=School saved.")
    assert page.locator("h1").inner_text() == "Кумсайская школа"

    page.click("text=History")
    expect(page.locator("table.history")).to_contain_text("Кумсайская школа")
    assert "bolat" in page.locator("table.history").inner_text()
    shot(page, "school-history")
    assert page_errors == []


def test_the_interface_switches_to_kazakh_and_russian(people, region, page, login, shot):
    login(page, "dana")
    page.goto("/schools/")
    page.click("button.lang[value=kk]")
    page.wait_for_selector("html[lang=kk]")
    assert "Мектептер" in page.locator("h1").inner_text()
    shot(page, "school-list-kk")
    page.click("button.lang[value=ru]")
    page.wait_for_selector("html[lang=ru]")
    assert "Школы" in page.locator("h1").inner_text()
    shot(page, "school-list-ru")
