"""Monitoring dashboards and reports, specified on planted results.

The data (``tests.monitoring_factories.planted_results``): 40 schools in Alga and Khromtau,
three years of grade 4 Mathematics, half the schools in the programme from 2024 with a
planted effect of +30 points, rural pupils 40 points below urban ones, and one tiny school
of 3 pupils a year.

Who sees what (people of ``tests/conftest.py``): Dana (region) sees every school and the
region's comparisons; Aigerim (Alga methodologist) sees Alga's schools only; Bolat
(principal of Kumsai) sees Kumsai's results plus the region's published aggregates, never
another school's own result; Yerlan (no role) sees nothing.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from auyl.monitoring import analysis
from tests.monitoring_factories import planted_results

pytestmark = [pytest.mark.urls("tests.monitoring_factories")]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def quick_bootstrap(monkeypatch: pytest.MonkeyPatch) -> None:
    """199 bootstrap draws (instead of 999) keep the tests quick and still recover the
    planted effect."""
    monkeypatch.setattr(analysis, "BOOTSTRAP_REPS", 199)


@pytest.fixture
def planted(region: Any, people: Any) -> Any:
    return planted_results(region)


def _series(user: Any) -> analysis.Series:
    return analysis.series_choices(user)[0]


# --- The frame ----------------------------------------------------------------------------


def test_frame_has_one_row_per_pupil_test_with_the_engine_columns(
    planted: Any, people: Any
) -> None:
    dana = people.dana
    scalings = analysis.latest_scalings(analysis.series_assessments(dana, _series(dana)))
    frame = analysis.score_frame(scalings.values(), analysis.default_scope(dana).school_ids)
    assert list(frame.columns) == list(analysis.FRAME_COLUMNS)
    assert len(frame) == 3 * (40 * 14 + 3)
    assert sorted(frame["year"].unique()) == [2023, 2024, 2025]
    assert frame["since_year"].dropna().eq(2024).all()
    assert not frame["score"].isna().any()


def test_frame_is_cut_to_the_schools_a_principal_may_see(
    planted: Any, people: Any, region: Any
) -> None:
    bolat = people.bolat
    scope = analysis.default_scope(bolat)
    scalings = analysis.latest_scalings(analysis.series_assessments(bolat, _series(bolat)))
    frame = analysis.score_frame(scalings.values(), scope.school_ids)
    assert scope.kind == analysis.ScopeKind.SCHOOL
    assert set(frame["school"]) == {region.magnet.code}


def test_latest_computed_scaling_is_used(planted: Any, people: Any) -> None:
    from auyl.monitoring.models import Scaling

    assessment = planted.assessments[0]
    Scaling.objects.create(assessment=assessment, model="2pl", status=Scaling.Status.FAILED)
    assert analysis.latest_scalings([assessment])[assessment.pk] == planted.scalings[0]


# --- Recovering what was planted ----------------------------------------------------------


def test_rural_urban_gap_recovers_the_planted_gap(planted: Any, people: Any) -> None:
    dash = analysis.dashboard(
        people.dana, _series(people.dana), analysis.default_scope(people.dana)
    )
    assert [r.year for r in dash.rural_gap] == [2023, 2024, 2025]
    for row in dash.rural_gap:
        assert row.ci_low < planted.gap < row.ci_high
        assert row.ci_low > 0  # rural pupils score lower


def test_impact_recovers_the_planted_programme_effect_with_a_wild_bootstrap(
    planted: Any, people: Any
) -> None:
    """20 programme schools are too few for clustered errors: the bootstrap is used."""
    result = analysis.impact(people.dana, _series(people.dana), analysis.default_scope(people.dana))
    assert result.estimated
    estimate = result.result.estimate
    assert estimate.ci_low < planted.effect < estimate.ci_high
    assert estimate.ci_low > 0
    assert "effect_positive" in result.result.claims
    assert result.result.n_treated_schools < 30
    assert result.result.method == "wild_cluster_bootstrap"
    assert "Wild cluster bootstrap" in analysis.method_sentence(result.result.method)


def test_every_claim_code_of_the_engine_has_a_sentence() -> None:
    from auyl.engines.impact import CLAIM_TEXT, WARNING_TEXT

    assert all(analysis.claim_sentences([code]) for code in CLAIM_TEXT)
    general = analysis.warning_sentences(["something_new"])
    assert all(analysis.warning_sentences([code]) != general for code in WARNING_TEXT)


# --- Never NaN: tiny groups are suppressed ------------------------------------------------


def test_a_school_with_fewer_than_ten_pupils_is_suppressed(planted: Any, people: Any) -> None:
    dash = analysis.dashboard(
        people.dana, _series(people.dana), analysis.default_scope(people.dana)
    )
    tiny = next(r for r in dash.schools if r.key == planted.tiny_school.pk)
    assert tiny.suppressed and tiny.mean is None and tiny.n == 3
    shown = [r for r in dash.schools if not r.suppressed]
    assert all(math.isfinite(v) for r in shown for v in (r.mean, r.ci_low, r.ci_high))


def test_pages_and_reports_never_print_nan(client: Any, planted: Any, people: Any) -> None:
    client.force_login(people.dana)
    html = client.get(reverse("monitoring:reports_home")).content.decode()
    assert "nan" not in html.lower().replace("nana", "")
    assert "not shown: too few pupils" in html


# --- Pages and scoping --------------------------------------------------------------------


def test_dashboard_shows_trend_gap_levels_schools_and_item_map(
    client: Any, planted: Any, people: Any
) -> None:
    client.force_login(people.dana)
    response = client.get(reverse("monitoring:reports_home"), {"year": 2025})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('src="data:image/svg+xml;base64,') == 5
    for words in ("Trend", "Rural-urban gap", "Proficiency levels", "Item map", "illustrative"):
        assert words in html
    assert "Сынақ мектебі 1" in html or "Опытная школа 1" in html


def test_schools_table_filters_and_sorts_as_an_htmx_fragment(
    client: Any, planted: Any, people: Any
) -> None:
    client.force_login(people.dana)
    response = client.get(
        reverse("monitoring:reports_home"),
        {"fragment": "schools", "q": "Малая", "sort": "mean"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.startswith('<div id="schools-table">')
    assert "Малая школа" in html and "Опытная школа" not in html


def test_principal_sees_his_school_and_the_region_but_no_other_school(
    client: Any, planted: Any, people: Any
) -> None:
    client.force_login(people.bolat)
    html = client.get(reverse("monitoring:reports_home")).content.decode()
    assert "Кумсай" in html or "Құмсай" in html
    assert "Опытная школа" not in html and "Сынақ мектебі" not in html
    assert "Region, for reference" in html


def test_methodologist_sees_her_district_only(
    client: Any, planted: Any, people: Any, region: Any
) -> None:
    client.force_login(people.aigerim)
    assert (
        client.get(
            reverse("monitoring:reports_home"), {"district": region.khromtau.code}
        ).status_code
        == 404
    )
    dash = analysis.dashboard(
        people.aigerim, _series(people.aigerim), analysis.default_scope(people.aigerim)
    )
    alga = set(region.alga.schools.values_list("pk", flat=True))
    assert {r.key for r in dash.schools} <= alga


def test_user_without_a_role_gets_no_results(client: Any, planted: Any, people: Any) -> None:
    client.force_login(people.yerlan)
    html = client.get(reverse("monitoring:reports_home")).content.decode()
    assert "There are no scaled test results for the schools you may see yet." in html
    assert "Опытная школа" not in html
    assert client.get(reverse("monitoring:reports_pdf"), {"level": "school"}).status_code == 404


def test_impact_page_states_the_estimate_method_and_plain_words(
    client: Any, planted: Any, people: Any
) -> None:
    client.force_login(people.dana)
    html = client.get(reverse("monitoring:reports_impact")).content.decode()
    assert "In plain words" in html
    assert "Wild cluster bootstrap" in html
    assert "not assigned to the programme at random" in html
    assert "Event study" in html and "data:image/svg+xml" in html


def test_principal_gets_the_region_estimate_labelled_as_such(
    client: Any, planted: Any, people: Any
) -> None:
    client.force_login(people.bolat)
    html = client.get(reverse("monitoring:reports_impact")).content.decode()
    assert "One school cannot be compared with itself" in html


# --- PDF and XLSX -------------------------------------------------------------------------


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_district_pdf_in_kazakh_has_the_district_and_the_impact_summary(
    client: Any, planted: Any, people: Any, region: Any, tmp_path: Path
) -> None:
    client.force_login(people.aigerim)
    response = client.get(
        reverse("monitoring:reports_pdf"),
        {"level": "district", "district": region.alga.code, "lang": "kk"},
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = _pdf_text(response.content, tmp_path)
    assert "Алға" in text
    assert "Бестамақ мектебі" in text  # a school of the district, in Kazakh
    assert "nan" not in text.lower()


def test_school_pdf_in_russian_shows_the_school_in_russian(
    client: Any, planted: Any, people: Any, region: Any, tmp_path: Path
) -> None:
    client.force_login(people.bolat)
    response = client.get(
        reverse("monitoring:reports_pdf"),
        {"level": "school", "school": region.magnet.pk, "lang": "ru"},
    )
    text = _pdf_text(response.content, tmp_path)
    assert "Школа Кумсай" in text
    assert "Опытная школа" not in text


def test_region_pdf_is_for_the_region_administrator_only(
    client: Any, planted: Any, people: Any
) -> None:
    client.force_login(people.bolat)
    assert client.get(reverse("monitoring:reports_pdf"), {"level": "region"}).status_code == 403
    client.force_login(people.dana)
    response = client.get(reverse("monitoring:reports_pdf"), {"level": "region", "lang": "en"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_principal_cannot_get_another_schools_pdf(
    client: Any, planted: Any, people: Any, region: Any
) -> None:
    client.force_login(people.bolat)
    response = client.get(
        reverse("monitoring:reports_pdf"), {"level": "school", "school": region.alga_school.pk}
    )
    assert response.status_code == 404


def test_workbook_has_schools_groups_and_items_without_nan(
    client: Any, planted: Any, people: Any
) -> None:
    from openpyxl import load_workbook

    client.force_login(people.dana)
    response = client.get(reverse("monitoring:reports_xlsx"), {"year": 2025, "lang": "en"})
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Schools", "Groups", "Items", "Notes"]
    schools = list(wb["Schools"].values)
    assert schools[0][:3] == ("Year", "School", "Pupils")
    assert len(schools) == 1 + 41
    tiny = next(r for r in schools if r[1] == "Малая школа")
    assert tiny[4] is None and tiny[-1] == "not shown: too few pupils"
    groups = list(wb["Groups"].values)
    assert any(r[0] == "urban minus rural" for r in groups)
    assert len(list(wb["Items"].values)) == 1 + 20
    for sheet in wb.worksheets:
        for row in sheet.values:
            assert not any(isinstance(v, float) and not math.isfinite(v) for v in row)


# --- Charts -------------------------------------------------------------------------------


def test_chart_svgs_are_valid_and_carry_a_title_and_description(planted: Any, people: Any) -> None:
    from defusedxml import ElementTree

    from auyl.monitoring import charts

    dash = analysis.dashboard(
        people.dana, _series(people.dana), analysis.default_scope(people.dana)
    )
    for name, chart in charts.dashboard_charts(dash).items():
        root = ElementTree.fromstring(chart.svg)
        ns = "{http://www.w3.org/2000/svg}"
        assert root.tag == f"{ns}svg", name
        assert root.find(f"{ns}title").text == chart.title
        assert root.find(f"{ns}desc") is not None
        assert chart.png.startswith(b"\x89PNG")
        assert b"NaN" not in chart.svg and b"nan" not in chart.svg.lower().replace(b"nana", b"")


def test_an_empty_chart_says_so_in_words() -> None:
    from auyl.monitoring import charts

    chart = charts.trend_chart(
        [],
        title="T",
        ylabel="y",
        label="l",
        reference_label="r",
        empty="Nothing here",
        description="",
    )
    assert b"Nothing here" in chart.svg


def test_hub_coordinator_sees_his_cluster_only(
    client: Any, planted: Any, people: Any, region: Any
) -> None:
    dash = analysis.dashboard(
        people.nurlan, _series(people.nurlan), analysis.default_scope(people.nurlan)
    )
    assert {r.key for r in dash.schools} == {region.hub.pk, region.magnet.pk}
    client.force_login(people.nurlan)
    html = client.get(reverse("monitoring:reports_home")).content.decode()
    assert "Опытная школа" not in html
    assert "<h3>Districts</h3>" not in html


def test_impact_page_explains_why_a_single_year_gives_no_estimate(
    client: Any, region: Any, people: Any
) -> None:
    planted_results(region, years=(2025,), n_schools=6)
    client.force_login(people.dana)
    html = client.get(reverse("monitoring:reports_impact")).content.decode()
    assert "No estimate" in html
    assert "single year" in html or "do not allow this estimate" in html
