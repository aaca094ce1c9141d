"""Exporting the registry as CSV and XLSX (auyl.registry.io.export).

- Each person exports only the schools they may see: Dana all, Aigerim Alga's, Nurlan his
  hub and its magnet, Bolat and Saule Kumsai, Yerlan nothing.
- CSV is UTF-8 with a byte-order mark; XLSX has one sheet named like the dataset.
- Text a spreadsheet would run as a formula gets a leading apostrophe, which the import
  removes again.
- The number of queries does not grow with the number of schools, and the whole region
  (7,700 schools) exports quickly.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from auyl.registry.io.apply import import_file, plan_for_file
from auyl.registry.io.datasets import DATASETS
from auyl.registry.io.export import escape_text, export_dataset, template_file
from auyl.registry.io.reading import unescape_text
from auyl.registry.models import DeviceStock, Infrastructure, School, Subject
from tests.factories import (
    ClassSetFactory,
    DeviceStockFactory,
    EnrolmentFactory,
    InfrastructureFactory,
    SchoolFactory,
    TeacherFactory,
)

CORPUS = Path(__file__).parent / "data" / "import"


@pytest.fixture(autouse=True)
def _english_uploads(settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def read_xlsx(content: bytes) -> tuple[str, list[list[Any]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook[workbook.sheetnames[0]]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return sheet.title, rows


def school_codes(user: Any, fmt: str = "csv") -> set[str]:
    content = export_dataset("schools", user, fmt)
    rows = read_csv(content)[1:] if fmt == "csv" else read_xlsx(content)[1][1:]
    return {row[0] for row in rows}


def test_each_person_exports_only_the_schools_they_may_see(people, region):
    assert school_codes(people.dana) == {"ALG001", "ALG002", "KHR001", "KHR007"}
    assert school_codes(people.aigerim) == {"ALG001", "ALG002"}
    assert school_codes(people.aigerim, "xlsx") == {"ALG001", "ALG002"}
    assert school_codes(people.nurlan) == {"ALG001", "KHR007"}
    assert school_codes(people.bolat) == {"KHR007"}
    assert school_codes(people.saule) == {"KHR007"}
    assert school_codes(people.yerlan) == set()


def test_the_other_datasets_are_scoped_too(people, region):
    EnrolmentFactory(school=region.alga_school, grade=1, pupils=7)
    EnrolmentFactory(school=region.khromtau_school, grade=1, pupils=9)
    InfrastructureFactory(school=region.alga_school)
    InfrastructureFactory(school=region.khromtau_school)
    TeacherFactory(code="TA", school=region.alga_school)
    TeacherFactory(code="TK", school=region.khromtau_school)
    for dataset in ("enrolment", "infrastructure", "teachers"):
        rows = read_csv(export_dataset(dataset, people.aigerim, "csv"))[1:]
        assert {row[2 if dataset == "teachers" else 0] for row in rows} == {"ALG002"}, dataset


def test_csv_has_a_bom_the_dataset_columns_and_the_values(people, region):
    content = export_dataset("schools", people.dana, "csv")
    rows = read_csv(content)
    assert rows[0] == list(DATASETS["schools"].column_names)
    magnet = next(row for row in rows if row[0] == "KHR007")
    assert magnet == [
        "KHR007",
        "khromtau",
        "Құмсай мектебі",
        "Школа Кумсай",
        "Ауыл",
        "Аул",
        "rural",
        "kk",
        "magnet",
        "ALG001",
        "50.1",
        "57.1",
    ]


def test_xlsx_has_one_sheet_named_like_the_dataset(people, region):
    InfrastructureFactory(school=region.hub, internet_type="mobile", internet_mbps="12.5")
    DeviceStockFactory(school=region.hub, kind="tablet", condition="repair", count=3)
    title, rows = read_xlsx(export_dataset("infrastructure", people.dana, "xlsx"))
    assert title == "infrastructure"
    header = rows[0]
    assert header == list(DATASETS["infrastructure"].column_names)
    row = dict(zip(header, rows[1], strict=True))
    assert row["school_code"] == "ALG001"
    assert row["internet_mbps"] == 12.5
    assert row["tablet_repair"] == 3 and row["laptop_working"] == 0


def test_enrolment_rows_name_their_class_set_and_teachers_their_subjects(people, region):
    for grade in (1, 2, 3):
        EnrolmentFactory(school=region.alga_school, grade=grade, pupils=grade + 3)
    ClassSetFactory(school=region.alga_school, name="1+3", grades=[1, 3])
    teacher = TeacherFactory(code="T1", full_name="Әлиева", school=region.alga_school)
    teacher.subjects.set(Subject.objects.filter(code__in=["physics", "math"]))
    teacher.assignments.create(school=region.hub, subject=Subject.objects.get(code="math"))

    enrolment = read_csv(export_dataset("enrolment", people.dana, "csv"))
    assert enrolment[1:] == [
        ["ALG002", "1", "4", "1+3"],
        ["ALG002", "2", "5", ""],
        [
            "ALG002",
            "3",
            "6",
            "1+3",
        ],
    ]
    teachers = read_csv(export_dataset("teachers", people.dana, "csv"))
    assert teachers[1:] == [["T1", "Әлиева", "ALG002", "18", "math;physics", "ALG001:math"]]


def test_formula_cells_are_guarded_and_the_import_takes_the_guard_off(people, region, tmp_path):
    plan, writer = import_file(
        CORPUS / "schools-formula-injection.csv", dataset="schools", user=people.dana
    )
    assert writer is not None, plan.issues
    school = School.objects.get(code="ALG010")
    assert school.name_kk.startswith("=HYPERLINK(")  # stored as the text it was

    rows = read_csv(export_dataset("schools", people.dana, "csv"))
    row = next(r for r in rows if r[0] == "ALG010")
    assert row[2:6] == [
        '\'=HYPERLINK("http://evil.example";"click")',
        "'+7 701 000 00 00",
        "'-Ауыл",
        "'@SUM(A1)",
    ]
    _title, xrows = read_xlsx(export_dataset("schools", people.dana, "xlsx"))
    xrow = next(r for r in xrows if r[0] == "ALG010")
    assert [v[0] for v in xrow[2:6]] == ["'", "'", "'", "'"]

    for fmt in ("csv", "xlsx"):
        exported = tmp_path / f"schools.{fmt}"
        exported.write_bytes(export_dataset("schools", people.dana, fmt))
        plan = plan_for_file(exported, dataset="schools", user=people.dana)
        assert plan.ok and plan.counts()["unchanged"] == 5, (fmt, plan.changes)


@pytest.mark.parametrize(
    "text",
    ["=1+2", "+7", "-x", "@x", "'quoted", "''", "'", "\tTab", "plain", "", "Ұлы Дала", "a=b"],
)
def test_escape_and_unescape_are_inverse(text):
    assert unescape_text(escape_text(text)) == text
    assert escape_text(text)[:1] not in ("=", "+", "-", "@", "\t")


def test_template_files_hold_only_the_header(people):
    for name, dataset in DATASETS.items():
        assert read_csv(template_file(name, "csv")) == [list(dataset.column_names)]
        title, rows = read_xlsx(template_file(name, "xlsx"))
        assert title == name and rows == [list(dataset.column_names)]


def _fill(n: int, district: Any) -> None:
    for _i in range(n):
        school = SchoolFactory(district=district)
        EnrolmentFactory(school=school, grade=1)
        ClassSetFactory(school=school, grades=[1])
        InfrastructureFactory(school=school)
        DeviceStockFactory(school=school)
        teacher = TeacherFactory(school=school)
        teacher.subjects.set(Subject.objects.filter(code="math"))
        teacher.assignments.create(school=school, subject=Subject.objects.get(code="math"))


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_export_queries_do_not_grow_with_the_schools(people, region, dataset):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_dataset(dataset, people.aigerim, "xlsx")
        return len(captured)

    _fill(3, region.alga)
    few = queries()
    _fill(12, region.alga)
    assert queries() == few <= 6


def test_the_whole_region_exports_in_a_fixed_number_of_queries(people, region):
    schools = School.objects.bulk_create(
        School(
            code=f"R{i:05d}",
            district=region.alga if i % 2 else region.khromtau,
            name_kk=f"№{i} мектеп",
            name_ru=f"Школа №{i}",
            settlement_kk="Ауыл",
            settlement_ru="Аул",
            locality="rural",
            language="kk",
            latitude=50 + i / 10000,
            longitude=57 + i / 10000,
        )
        for i in range(7700)
    )
    Infrastructure.objects.bulk_create(
        Infrastructure(school=s, internet_type="mobile", internet_mbps=10, rooms=8) for s in schools
    )
    DeviceStock.objects.bulk_create(
        DeviceStock(school=s, kind="laptop", condition="working", count=4) for s in schools
    )
    for dataset in ("schools", "infrastructure"):
        for fmt in ("csv", "xlsx"):
            # Time is measured in bench/, not here; what makes it fast is a fixed number of
            # queries whatever the number of schools.
            with CaptureQueriesContext(connection) as queries:
                content = export_dataset(dataset, people.dana, fmt)
            assert len(queries) <= 8, (dataset, fmt, len(queries))
            if fmt == "csv":
                assert len(read_csv(content)) == 7700 + 1 + (4 if dataset == "schools" else 0)


# --- The pages ----------------------------------------------------------------------------


def test_export_view_sends_an_attachment(people, region, client):
    client.force_login(people.aigerim)
    response = client.get(reverse("registry_io:export"), {"dataset": "schools", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="schools.csv"'
    assert {row[0] for row in read_csv(response.content)[1:]} == {"ALG001", "ALG002"}

    response = client.get(reverse("registry_io:export"), {"dataset": "teachers", "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="teachers.xlsx"'
    assert read_xlsx(response.content)[0] == "teachers"


def test_export_view_refuses_unknown_datasets_and_anonymous_users(people, client):
    response = client.get(reverse("registry_io:export"), {"dataset": "schools"})
    assert response.status_code == 302  # to the login page
    client.force_login(people.bolat)
    assert client.get(reverse("registry_io:export"), {"dataset": "pupils"}).status_code == 404
    bad_format = {"dataset": "schools", "format": "pdf"}
    assert client.get(reverse("registry_io:export"), bad_format).status_code == 404


def test_template_view(people, client):
    client.force_login(people.aigerim)
    response = client.get(
        reverse("registry_io:import_template"), {"dataset": "enrolment", "format": "csv"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="enrolment-template.csv"'
    assert read_csv(response.content) == [["school_code", "grade", "pupils", "class_set"]]
