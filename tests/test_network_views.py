"""The network's pages for each person, their query counts, and the exports."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auyl.network.models import Event, EventParticipation, FollowUp, Mentor, MentorAssignment, Visit
from auyl.registry.models import School
from tests.factories import DistrictFactory, EnrolmentFactory, SchoolFactory, TeacherFactory

PEOPLE = ("dana", "aigerim", "nurlan", "bolat", "saule")


@pytest.fixture
def filled(region):
    mentor = Mentor.objects.create(full_name="Ақмарал Сейсенова")
    MentorAssignment.objects.create(mentor=mentor, hub=region.hub)
    visit = Visit.objects.create(
        mentor=mentor, school=region.magnet, date=dt.date.today(), focus="f"
    )
    FollowUp.objects.create(visit=visit, action="a", due_date=dt.date.today())
    event = Event.objects.create(
        kind="seminar", title="Seminar", date=dt.date.today(), hub=region.hub
    )
    teacher = TeacherFactory(school=region.magnet)
    EventParticipation.objects.create(event=event, teacher=teacher)
    EnrolmentFactory(school=region.magnet, grade=7, pupils=5)
    return {"mentor": mentor, "visit": visit, "event": event, "teacher": teacher}


def kumsai_pages(region, filled):
    """Pages about Kumsai, which lies in Khromtau: not Aigerim's (Alga) to see."""
    return [
        reverse("network:visit_detail", args=[filled["visit"].pk]),
        reverse("network:teacher_history", args=[filled["teacher"].pk]),
        reverse("network:school_network", args=[region.magnet.pk]),
    ]


def pages(region, filled):
    return [
        reverse("network:home"),
        reverse("network:cluster_detail", args=[region.hub.pk]),
        reverse("network:cluster_coverage", args=[region.hub.pk]),
        reverse("network:mentor_list"),
        reverse("network:mentor_detail", args=[filled["mentor"].pk]),
        reverse("network:visit_list"),
        reverse("network:follow_up_list"),
        reverse("network:calendar"),
        reverse("network:event_list"),
        reverse("network:event_detail", args=[filled["event"].pk]),
        reverse("network:curriculum"),
    ]


@pytest.mark.parametrize("who", PEOPLE)
def test_every_page_opens_for_the_people_of_the_cluster(client, people, region, filled, who):
    client.force_login(getattr(people, who))
    for url in pages(region, filled):
        response = client.get(url)
        assert response.status_code == 200, url
    for url in kumsai_pages(region, filled):
        assert client.get(url).status_code == (404 if who == "aigerim" else 200), url


def test_anonymous_visitors_are_sent_to_log_in(client, region, filled):
    for url in pages(region, filled) + kumsai_pages(region, filled):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_home_shows_the_current_network_of_the_users_scope(client, people, region):
    other_hub = SchoolFactory(code="KHR100", district=region.khromtau, network_role="hub")
    SchoolFactory(code="KHR101", district=region.khromtau, network_role="magnet", hub=other_hub)
    client.force_login(people.dana)
    summary = client.get(reverse("network:home")).context["summary"]
    assert (summary.hubs, summary.magnets) == (2, 2)
    client.force_login(people.aigerim)
    rows = client.get(reverse("network:home")).context["rows"]
    assert [r.hub.code for r in rows] == ["ALG001"]
    client.force_login(people.bolat)
    rows = client.get(reverse("network:home")).context["rows"]
    assert [(r.hub.code, [m.school.code for m in r.magnets]) for r in rows] == [
        ("ALG001", ["KHR007"])
    ]


def test_a_principal_of_a_magnet_does_not_see_the_other_magnets(client, people, region):
    SchoolFactory(code="ALG050", district=region.alga, network_role="magnet", hub=region.hub)
    client.force_login(people.bolat)
    row = client.get(reverse("network:cluster_detail", args=[region.hub.pk])).context["row"]
    assert [m.school.code for m in row.magnets] == ["KHR007"]
    client.force_login(people.nurlan)
    row = client.get(reverse("network:cluster_detail", args=[region.hub.pk])).context["row"]
    assert [m.school.code for m in row.magnets] == ["ALG050", "KHR007"]


def test_a_cluster_outside_ones_scope_is_not_found(client, people, region):
    other_hub = SchoolFactory(code="KHR100", district=region.khromtau, network_role="hub")
    for who in ("aigerim", "nurlan", "bolat", "saule"):
        client.force_login(getattr(people, who))
        assert client.get(reverse("network:cluster_detail", args=[other_hub.pk])).status_code == 404
        assert client.get(reverse("network:cluster_sheet", args=[other_hub.pk])).status_code == 404


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(region, n):
    for i in range(n):
        district = DistrictFactory()
        hub = SchoolFactory(district=district, network_role="hub")
        mentor = Mentor.objects.create(full_name=f"Mentor {i}")
        MentorAssignment.objects.create(mentor=mentor, hub=hub)
        for _ in range(3):
            magnet = SchoolFactory(district=district, network_role="magnet", hub=hub)
            EnrolmentFactory(school=magnet, grade=3, pupils=4)
            visit = Visit.objects.create(
                mentor=mentor, school=magnet, date=dt.date.today(), focus="f"
            )
            FollowUp.objects.create(visit=visit, action="a", due_date=dt.date.today())
            teacher = TeacherFactory(school=magnet)
            event = Event.objects.create(kind="seminar", title="S", date=dt.date.today(), hub=hub)
            EventParticipation.objects.create(event=event, teacher=teacher)


@pytest.mark.parametrize(
    "name",
    [
        "network:home",
        "network:mentor_list",
        "network:visit_list",
        "network:follow_up_list",
        "network:event_list",
        "network:calendar",
    ],
)
def test_list_pages_use_a_fixed_number_of_queries(client, people, region, filled, name):
    client.force_login(people.dana)
    url = reverse(name)
    before = _count(client, url)
    _grow(region, 6)
    assert _count(client, url) == before


def test_export_csv_and_xlsx_list_hub_magnet_district_km_and_pupils(client, people, region):
    EnrolmentFactory(school=region.magnet, grade=3, pupils=7)
    client.force_login(people.nurlan)
    csv_text = client.get(reverse("network:export"), {"format": "csv"}).content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0] == "hub_code,hub_name,magnet_code,magnet_name,district,km,pupils"
    assert lines[1].startswith("ALG001,Школа Бестамак,KHR007,Школа Кумсай,khromtau,")
    assert lines[1].endswith(",7")
    from openpyxl import load_workbook

    xlsx = client.get(reverse("network:export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("hub_code", "hub_name", "magnet_code") and rows[1][2] == "KHR007"
    assert client.get(reverse("network:export"), {"format": "pdf"}).status_code == 404


def test_export_escapes_text_a_spreadsheet_would_run(client, people, region):
    School.objects.filter(pk=region.magnet.pk).update(name_ru="=HYPERLINK(1)")
    client.force_login(people.dana)
    text = client.get(reverse("network:export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_the_cluster_sheet_is_a_pdf_with_kazakh_letters(client, people, region, tmp_path):
    School.objects.filter(pk=region.hub.pk).update(
        name_ru="Бестамақ мектебі", name_kk="Бестамақ мектебі"
    )
    client.force_login(people.nurlan)
    response = client.get(reverse("network:cluster_sheet", args=[region.hub.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Бестамақ мектебі" in text and "Школа Кумсай" in text
