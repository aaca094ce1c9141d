"""Equipment plan pages: scoping, forms that refuse bad input, results, comparison,
downloads (XLSX, PDF letters in Kazakh and Russian, charts) and fixed query counts."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from auyl.equipment import services
from auyl.equipment.models import PlanRun, PlanScenario
from auyl.equipment.outputs.pdf import font_path
from auyl.equipment.services import ScenarioData
from auyl.equipment.testing import use_registry_needs
from tests.factories import EnrolmentFactory, InfrastructureFactory, SchoolFactory


@pytest.fixture
def world(region, people, monkeypatch):
    for school, pupils, mbps in (
        (region.hub, 100, 50),
        (region.alga_school, 20, 0),
        (region.magnet, 40, 2),
        (region.khromtau_school, 60, 30),
    ):
        EnrolmentFactory(school=school, grade=1, pupils=pupils)
        InfrastructureFactory(
            school=school, internet_type="fibre" if mbps else "none", internet_mbps=mbps
        )
    use_registry_needs(monkeypatch, cheapest=200_000)
    return region


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def planned(people, name="Pilot", budgets=(5_000_000,), district=None):
    scenario = services.scenario_create(
        data=ScenarioData(name=name, district=district, budgets=budgets), by=people.dana
    )
    services.plan_run_start(scenario=scenario, by=people.dana)
    scenario.refresh_from_db()
    return scenario


# --- scenario form --------------------------------------------------------------------------


def form_data(**overrides):
    values = {
        "name": "Two years",
        "district": "",
        "schools": "all",
        "budget_1": "2 000 000",
        "budget_2": "1,500,000",
        "weight_pupils": "1",
        "weight_gap_closed": "1",
        "weight_equity": "2",
        "category_connectivity": "1.5",
        "category_devices": "1",
        "category_panels": "1",
        "category_labs": "0.8",
        "category_offline": "1.2",
        "connectivity_first": "on",
        "year_discount": "0.9",
    }
    values.update(overrides)
    return values


def test_region_admin_creates_a_two_year_scenario_through_the_form(world, people, as_user):
    client = as_user(people.dana)
    response = client.post(reverse("equipment:scenario_create"), form_data())
    scenario = PlanScenario.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("equipment:scenario_detail", args=[scenario.pk])
    assert scenario.budgets == [2_000_000, 1_500_000] and scenario.weight_equity == 2


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"budget_1": "-1000000"}, "cannot be negative"),
        ({"budget_1": "two million"}, "digits only"),
        ({"budget_1": "100000"}, "cheapest item"),
        ({"budget_1": "99999999999999999"}, "far too large"),
        ({"budget_1": "5000000000000"}, "number of digits"),
        ({"budget_2": "", "budget_3": "1000000"}, "in order"),
        ({"weight_pupils": "3"}, "less than or equal to 2"),
        ({"weight_equity": "-1"}, "greater than or equal to 0"),
    ],
)
def test_the_form_refuses_bad_input_with_a_clear_message(
    world, people, as_user, overrides, message
):
    client = as_user(people.dana)
    response = client.post(reverse("equipment:scenario_create"), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PlanScenario.objects.exists()


def test_the_methodologist_form_offers_only_her_district(world, people, as_user):
    client = as_user(people.aigerim)
    page = client.get(reverse("equipment:scenario_create")).content.decode()
    assert "Alga" in page and "Khromtau" not in page and "the whole region" not in page
    response = client.post(
        reverse("equipment:scenario_create"), form_data(district=str(world.khromtau.pk))
    )
    assert response.status_code == 400 and not PlanScenario.objects.exists()


@pytest.mark.parametrize("who", ["nurlan", "bolat", "saule"])
def test_only_planners_may_open_the_scenario_form(world, people, as_user, who):
    client = as_user(getattr(people, who))
    assert client.get(reverse("equipment:scenario_create")).status_code == 403
    home = client.get(reverse("equipment:home")).content.decode()
    assert reverse("equipment:scenario_create") not in home


def test_the_form_shows_the_benefit_model_in_plain_words(world, people, as_user):
    page = as_user(people.dana).get(reverse("equipment:scenario_create")).content.decode()
    assert "How the plan decides" in page and "bought whole or not at all" in page


# --- run and results -----------------------------------------------------------------------


def test_running_from_the_page_shows_the_plan_with_its_gap(world, people, as_user):
    client = as_user(people.dana)
    scenario = services.scenario_create(
        data=ScenarioData(name="Pilot", district=None, budgets=(5_000_000,)), by=people.dana
    )
    response = client.post(reverse("equipment:scenario_run", args=[scenario.pk]))
    assert response.status_code == 302
    page = client.get(reverse("equipment:scenario_detail", args=[scenario.pk])).content.decode()
    run = PlanRun.objects.get()
    assert run.has_plan
    assert "optimality gap" in page and "Procurement list (XLSX)" in page
    assert "Хромтау №1" in page or "Khromtau" in page


def test_others_may_not_run_a_scenario(world, people, as_user):
    scenario = planned(people)
    for who in ("aigerim", "bolat"):
        client = as_user(getattr(people, who))
        assert client.post(reverse("equipment:scenario_run", args=[scenario.pk])).status_code == 403
    assert PlanRun.objects.count() == 1


def test_a_principal_sees_only_his_school_in_a_region_wide_plan(world, people, as_user):
    scenario = planned(people, budgets=(50_000_000,))
    page = as_user(people.bolat).get(
        reverse("equipment:scenario_detail", args=[scenario.pk]) + "?show=all"
    )
    text = page.content.decode()
    assert "KHR007" in text and "ALG001" not in text and "KHR001" not in text
    assert "Run the plan" not in text


def test_a_methodologist_cannot_see_another_districts_scenario(world, people, as_user):
    scenario = planned(people, district=world.khromtau)
    client = as_user(people.aigerim)
    assert client.get(reverse("equipment:scenario_detail", args=[scenario.pk])).status_code == 404
    run = scenario.latest_run
    assert client.get(reverse("equipment:run_xlsx", args=[run.pk])).status_code == 404


def test_the_school_page_explains_each_purchase_and_pins_by_hand(world, people, as_user):
    scenario = planned(people, budgets=(50_000_000,))
    client = as_user(people.dana)
    url = reverse("equipment:plan_school", args=[scenario.pk, world.alga_school.pk])
    page = client.get(url).content.decode()
    assert "Connectivity comes first" in page and "closes the gap in full" in page
    response = client.post(
        reverse("equipment:scenario_pin", args=[scenario.pk]),
        {"school": world.alga_school.pk, "key": "ALG002/laptop", "action": "pin"},
    )
    assert response.status_code == 302
    assert scenario.pins.filter(key="ALG002/laptop").exists()


def test_pinning_for_an_excluded_school_shows_the_refusal(world, people, as_user):
    scenario = planned(people)
    client = as_user(people.dana)
    client.post(
        reverse("equipment:scenario_exclude", args=[scenario.pk]),
        {"school": world.magnet.pk, "action": "exclude"},
    )
    response = client.post(
        reverse("equipment:scenario_pin", args=[scenario.pk]),
        {"school": world.magnet.pk, "key": "KHR007/laptop", "action": "pin"},
        follow=True,
    )
    assert "is excluded from this scenario" in response.content.decode()
    assert not scenario.pins.exists() and scenario.excluded_schools.get() == world.magnet


def test_compare_shows_two_budgets_side_by_side(world, people, as_user):
    small = planned(people, name="Small", budgets=(1_000_000,))
    large = planned(people, name="Large", budgets=(20_000_000,))
    client = as_user(people.dana)
    page = client.get(reverse("equipment:compare"), {"a": small.pk, "b": large.pk})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Small" in text and "Large" in text and "Spend by district" in text
    assert page.context["pupils_diff"] > 0
    assert page.context["totals_b"].cost > page.context["totals_a"].cost
    districts = {r["district"].code for r in page.context["districts"]}
    assert districts == {"alga", "khromtau"}


def test_compare_asks_to_run_scenarios_without_a_plan(world, people, as_user):
    done = planned(people, name="Done")
    waiting = services.scenario_create(
        data=ScenarioData(name="Waiting", district=None, budgets=(1_000_000,)), by=people.dana
    )
    page = as_user(people.dana).get(reverse("equipment:compare"), {"a": done.pk, "b": waiting.pk})
    assert "Run these scenarios first" in page.content.decode()


# --- downloads ------------------------------------------------------------------------------


def test_the_procurement_list_has_items_districts_and_every_purchase(world, people, as_user):
    scenario = planned(people, budgets=(50_000_000,))
    run = scenario.latest_run
    response = as_user(people.dana).get(reverse("equipment:run_xlsx", args=[run.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "By item", "By district and item", "Purchases"]
    by_item = {row[1]: row for row in book["By item"].iter_rows(min_row=2, values_only=True)}
    assert by_item["laptop"][2] == 20 + 4 + 8 + 12  # pupils // 5 at each school
    assert by_item["Σ"][4] == run.total_cost
    districts = [r for r in book["By district and item"].iter_rows(min_row=2, values_only=True)]
    assert {r[0] for r in districts if r[0]} == {"Alga", "Khromtau"}
    purchases = list(book["Purchases"].iter_rows(min_row=2, values_only=True))
    assert sum(r[7] for r in purchases) == run.total_cost
    assert all(r[8] for r in purchases)  # every purchase says why


def test_a_principal_downloads_only_his_schools_lines(world, people, as_user):
    scenario = planned(people, budgets=(50_000_000,))
    response = as_user(people.bolat).get(
        reverse("equipment:run_xlsx", args=[scenario.latest_run_id])
    )
    book = load_workbook(io.BytesIO(response.content))
    codes = {r[1] for r in book["Purchases"].iter_rows(min_row=2, values_only=True)}
    assert codes == {"KHR007"}


def _pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is missing")
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return done.stdout


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_letter_is_one_page_in_the_schools_language(world, people, as_user, tmp_path, language):
    scenario = planned(people, budgets=(50_000_000,))
    url = reverse("equipment:run_letter", args=[scenario.latest_run_id, world.magnet.pk])
    response = as_user(people.dana).get(url, {"lang": language})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"/Count 1" in response.content
    assert b"DejaVu" in response.content
    text = _pdf_text(response.content, tmp_path)
    name = "Құмсай мектебі" if language == "kk" else "Школа Кумсай"
    assert name in text and "KHR007" in text


def test_all_letters_of_a_district_one_page_each(world, people, as_user):
    scenario = planned(people, budgets=(50_000_000,))
    url = reverse("equipment:run_letters", args=[scenario.latest_run_id])
    response = as_user(people.dana).get(url, {"lang": "ru", "district": "alga"})
    assert b"/Count 2" in response.content


def test_the_letter_font_has_every_kazakh_letter():
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(font_path())).getBestCmap()
    assert all(ord(c) in cmap for c in "әғқңөұүһіӘҒҚҢӨҰҮҺІ")


@pytest.mark.parametrize("name", ["spend", "readiness"])
def test_charts_are_png_images(world, people, as_user, name):
    scenario = planned(people)
    url = reverse("equipment:run_chart", args=[scenario.latest_run_id, name])
    response = as_user(people.dana).get(url)
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG") and len(response.content) > 2000


# --- fixed query counts ---------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_plan_list_uses_a_fixed_number_of_queries(world, people, as_user):
    planned(people, name="First")
    planned(people, name="Second")
    client = as_user(people.dana)
    url = reverse("equipment:home")
    before = _queries(client, url)
    for i in range(8):
        planned(people, name=f"More {i}")
    assert _queries(client, url) == before


def test_the_result_page_uses_a_fixed_number_of_queries(world, people, as_user):
    client = as_user(people.dana)
    small = planned(people, budgets=(50_000_000,))
    url = reverse("equipment:scenario_detail", args=[small.pk]) + "?show=all"
    before = _queries(client, url)
    for i in range(25):
        school = SchoolFactory(district=world.alga if i % 2 else world.khromtau)
        EnrolmentFactory(school=school, grade=1, pupils=10 + i)
        InfrastructureFactory(school=school, internet_type="none", internet_mbps=0)
    large = planned(people, budgets=(500_000_000,))
    url = reverse("equipment:scenario_detail", args=[large.pk]) + "?show=all"
    assert large.latest_run.schools_served > small.latest_run.schools_served
    assert _queries(client, url) == before


def test_a_chart_shows_at_most_25_districts_with_the_rest_summed(monkeypatch):
    from auyl.equipment.outputs import build

    class Run:
        pass

    rows = [
        {"district": type("D", (), {"name": f"D{i}"})(), "cost": i * 1000,
         "readiness_before": 10.0, "readiness_after": 10.0 + i}
        for i in range(40)
    ]  # fmt: skip
    monkeypatch.setattr(build.selectors, "district_rows", lambda run, user: rows)
    drawn = {}
    monkeypatch.setattr(
        build.charts, "spend_by_district", lambda r, **kw: drawn.setdefault("spend", r)
    )
    monkeypatch.setattr(
        build.charts, "readiness_before_after", lambda r, **kw: drawn.setdefault("ready", r)
    )
    build.spend_chart(Run(), None)
    build.readiness_chart(Run(), None)
    assert len(drawn["spend"]) == 25 and drawn["spend"][0] == ("D39", 39000)
    assert drawn["spend"][-1] == ("16 other districts", sum(i * 1000 for i in range(16)))
    assert len(drawn["ready"]) == 25 and drawn["ready"][0][0] == "D39"
