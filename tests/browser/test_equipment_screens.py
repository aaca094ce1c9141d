"""The equipment plan as a planner uses it, in Chromium: create a scenario (and be refused
a budget below the cheapest item), run it, read the results and a school's reasons, pin and
exclude by hand, re-plan, compare two scenarios, download the procurement list and letters.

The audit and norms screens before this are the readiness app's (its own browser test);
here the schools' needs come from the registry through the readiness app's
``planning_needs`` (no audits: the registry's infrastructure and devices), priced from the
default catalogue. Tasks run inline in the tests, so "Run the plan" returns with the plan.
"""

from __future__ import annotations

import io
import shutil
import subprocess

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import (
    ClassSetFactory,
    DeviceStockFactory,
    EnrolmentFactory,
    InfrastructureFactory,
)


def _populate(region):
    """Four schools with pupils in grades 1-9, class-sets, slow or no internet, few laptops."""
    for school, pupils, internet, mbps in (
        (region.hub, 40, "fibre", 60),
        (region.alga_school, 12, "none", 0),
        (region.magnet, 18, "satellite", 4),
        (region.khromtau_school, 30, "adsl", 10),
    ):
        for grade in range(1, 10):
            EnrolmentFactory(school=school, grade=grade, pupils=pupils // 9 + 1)
        ClassSetFactory(school=school, name="1+3", grades=[1, 3])
        ClassSetFactory(school=school, name="2+4", grades=[2, 4])
        InfrastructureFactory(school=school, internet_type=internet, internet_mbps=mbps, rooms=6)
        DeviceStockFactory(school=school, kind="laptop", condition="working", count=1)


def _new_scenario(page, name, budgets, equity="1"):
    page.goto("/equipment/")
    page.click("text=New scenario")
    page.fill("#id_name", name)
    for year, budget in enumerate(budgets, start=1):
        page.fill(f"#id_budget_{year}", budget)
    page.fill("#id_weight_equity", equity)
    page.click("button:has-text('Save')")


def _run(page):
    page.click("button:has-text('Run the plan')")
    page.wait_for_selector("text=Procurement list (XLSX)")
    page.locator("img.chart").first.scroll_into_view_if_needed()
    page.locator("img.chart").last.scroll_into_view_if_needed()
    for chart in page.locator("img.chart").all():
        expect(chart).to_have_js_property("complete", True)
        assert chart.evaluate("img => img.naturalWidth") > 0


def test_dana_plans_compares_and_downloads(
    people, region, page, login, shot, page_errors, tmp_path
):
    _populate(region)
    login(page, "dana")
    page.goto("/equipment/")
    shot(page, "equipment-home-empty")

    # A budget below the cheapest catalogue item is refused, nothing is saved.
    _new_scenario(page, "Too small", ["100 000"])
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".has-error")).to_contain_text("cheapest item")
    shot(page, "equipment-scenario-refused")

    page.fill("#id_name", "Small budget")
    page.fill("#id_budget_1", "3 000 000")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Scenario saved.")
    assert page.locator("h1").inner_text() == "Small budget"
    _run(page)
    figures = page.locator(".figure")
    expect(figures.first).to_contain_text("spent of")
    expect(page.locator(".results")).to_contain_text("optimality gap")
    rows = page.locator("table.plan-schools tbody tr")
    assert rows.count() >= 1
    shot(page, "equipment-results")

    # A school's page says why it gets what it gets; exclude another school by hand.
    page.click("table.plan-schools tbody tr >> nth=0 >> a")
    expect(page.locator("table.purchases")).to_contain_text("This closes")
    shot(page, "equipment-plan-school")
    page.click("text=Equipment plan >> nth=1")  # the crumb back to the list
    page.goto("/equipment/")
    page.click("text=Small budget")
    page.goto(page.url.split("?")[0] + "?show=all")
    page.click(f"table.plan-schools a:has-text('{region.hub.name_ru}')")
    page.click("button:has-text('Exclude this school from the scenario')")
    page.wait_for_selector("text=School excluded.")
    # Pinning a package of the excluded school is refused.
    assert page.locator("button:has-text('Pin')").count() == 0
    page.click("a:has-text('Small budget')")
    expect(page.locator("body")).to_contain_text("Excluded schools")
    _run(page)
    assert region.hub.name_ru not in page.locator("table.plan-schools").inner_text()

    # A second scenario with a larger budget over two years, then compare.
    _new_scenario(page, "Large budget", ["20 000 000", "10 000 000"], equity="2")
    page.wait_for_selector("text=Scenario saved.")
    _run(page)
    shot(page, "equipment-results-two-years")
    page.goto("/equipment/")
    shot(page, "equipment-home")
    page.select_option("#id_a", label="Small budget")
    page.select_option("#id_b", label="Large budget")
    page.click("button:has-text('Compare')")
    expect(page.locator("table.compare")).to_contain_text("Pupils reached")
    assert page.locator("table.compare-districts tbody tr").count() == 2
    page.locator("img.chart").last.scroll_into_view_if_needed()
    shot(page, "equipment-compare")

    # Downloads: the procurement list and the letters in Kazakh and Russian.
    page.click("table.compare a:has-text('Large budget')")
    with page.expect_download() as download:
        page.click("text=Procurement list (XLSX)")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert "By district and item" in book.sheetnames
    assert book["Purchases"].max_row > 1
    for language in ("kk", "ru"):
        response = page.request.get(
            page.locator(
                f"a:has-text('Letters to schools, {'Kazakh' if language == 'kk' else 'Russian'}')"
            ).get_attribute("href")
        )
        assert response.status == 200 and response.body().startswith(b"%PDF")
        pdf = tmp_path / f"letters-{language}.pdf"
        pdf.write_bytes(response.body())
        if shutil.which("pdftoppm"):
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "60",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    str(pdf),
                    str(tmp_path / language),
                ],
                check=True,
            )
    assert page_errors == []


def test_aigerim_plans_for_alga_and_bolat_reads_his_school(
    people, region, page, login, shot, page_errors
):
    _populate(region)
    login(page, "aigerim")
    _new_scenario(page, "Alga", ["5 000 000"])
    page.wait_for_selector("text=Scenario saved.")
    _run(page)
    assert page.locator("table.districts tbody tr").count() == 1
    page.goto("/equipment/")
    shot(page, "equipment-home-methodologist")

    page.context.clear_cookies()
    login(page, "bolat")
    page.goto("/equipment/")
    assert page.locator("text=New scenario").count() == 0
    expect(page.locator("table.scenarios tbody")).not_to_contain_text("Alga")
    assert page_errors == []
