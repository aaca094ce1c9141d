"""Browser test of the monitoring reports: Dana opens the results dashboard, narrows it to a
district, reads the impact page and downloads the region's PDF report (in Kazakh too),
whose first pages are rendered to PNG next to the screenshots to be looked at."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from auyl.monitoring import analysis
from tests.browser.conftest import SCREENSHOTS
from tests.monitoring_factories import planted_results

pytestmark = [pytest.mark.urls("tests.monitoring_factories")]


def _pdf_pages_to_png(pdf: Path, name: str) -> None:
    if shutil.which("pdftoppm") is None:
        return
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "3", str(pdf), str(SCREENSHOTS / name)],
        check=True,
    )


def test_dana_reads_results_and_impact_and_downloads_the_pdf(
    people: Any,
    region: Any,
    page: Any,
    login: Any,
    shot: Any,
    page_errors: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(analysis, "BOOTSTRAP_REPS", 199)
    planted_results(region)
    login(page, "dana")
    page.goto("/monitoring/reports/")
    expect(page.locator("h1")).to_contain_text("Learning outcomes")
    expect(page.locator("img[alt^='Mean score over the years']")).to_be_visible()
    shot(page, "monitoring-reports-dashboard")

    # The schools table filters in place (HTMX).
    page.fill("#id_q", "Малая")
    expect(page.locator("#schools-table tbody tr")).to_have_count(1)
    expect(page.locator("#schools-table")).to_contain_text("not shown: too few pupils")

    # Narrow to Alga district.
    page.select_option("#id_district", label="Alga")
    page.click("button:has-text('Show')")
    expect(page.locator("h1")).to_contain_text("Alga")
    shot(page, "monitoring-reports-dashboard-alga")

    # The impact page for the region.
    page.goto("/monitoring/reports/")
    page.click("nav.subnav a:has-text('Programme impact')")
    expect(page.locator(".summary")).to_contain_text("In plain words")
    expect(page.locator("body")).to_contain_text("Wild cluster bootstrap")
    shot(page, "monitoring-reports-impact")

    # The region's PDF, in English (the UI language) and in Kazakh.
    with page.expect_download() as download:
        page.click("a:has-text('PDF report')")
    pdf = tmp_path / "region.pdf"
    pdf.write_bytes(download.value.path().read_bytes())
    assert pdf.read_bytes().startswith(b"%PDF")
    _pdf_pages_to_png(pdf, "monitoring-report-region-en")
    href = page.locator("a:has-text('PDF report')").get_attribute("href")
    response = page.request.get(href + "&lang=kk")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    kk = tmp_path / "region-kk.pdf"
    kk.write_bytes(response.body())
    _pdf_pages_to_png(kk, "monitoring-report-region-kk")
    assert page_errors == []
