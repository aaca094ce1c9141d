"""Importing the registry from CSV/XLSX: safe with data (auyl.registry.io).

The rules these tests hold the import to:

- a bad file is refused with a clear message (row, column, reason) and the registry is left
  exactly as it was, history included; all problems are reported at once;
- nothing is written before the user confirms the preview; confirming writes everything
  or nothing, with history rows naming the importing user and the file;
- importing the same file again changes nothing and adds no history;
- Dana (region administrator) may import anything; Aigerim (methodologist of Alga) only
  rows of Alga's schools; Nurlan, Bolat, Saule and Yerlan may not import at all.
"""

from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from auyl.jobs.models import Job
from auyl.registry.io.apply import import_file, plan_for_file
from auyl.registry.io.datasets import DATASETS
from auyl.registry.io.forms import ImportForm
from auyl.registry.models import (
    ClassSet,
    DeviceStock,
    Enrolment,
    Infrastructure,
    School,
    Subject,
    Teacher,
    TeachingAssignment,
)
from tests.factories import (
    ClassSetFactory,
    EnrolmentFactory,
    InfrastructureFactory,
    TeacherFactory,
)

CORPUS = Path(__file__).parent / "data" / "import"
REGISTRY_MODELS = (
    "District",
    "School",
    "Enrolment",
    "ClassSet",
    "Subject",
    "Teacher",
    "Teacher_subjects",
    "TeachingAssignment",
    "Infrastructure",
    "DeviceStock",
)


def registry_dump() -> dict[str, Any]:
    """Every registry row and the number of history rows of every model, for comparisons."""
    dump: dict[str, Any] = {}
    for model in apps.get_app_config("registry").get_models():
        name = model.__name__
        if name in REGISTRY_MODELS:
            dump[name] = list(model.objects.order_by("pk").values())
        else:  # historical models: their size is enough
            dump[name] = model.objects.count()
    return dump


def history_count() -> int:
    return sum(
        model.objects.count()
        for model in apps.get_app_config("registry").get_models()
        if model.__name__.startswith("Historical")
    )


def write_csv(path: Path, header: list[str], rows: list[list[Any]], delimiter: str = ",") -> Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


SCHOOL_HEADER = list(DATASETS["schools"].column_names)
ENROLMENT_HEADER = list(DATASETS["enrolment"].column_names)
TEACHER_HEADER = list(DATASETS["teachers"].column_names)
INFRA_HEADER = list(DATASETS["infrastructure"].column_names)


def school_row(code: str, district: str = "alga", **changes: Any) -> list[Any]:
    values = {
        "code": code,
        "district_code": district,
        "name_kk": f"{code} мектебі",
        "name_ru": f"Школа {code}",
        "settlement_kk": "Ауыл",
        "settlement_ru": "Аул",
        "locality": "rural",
        "language": "kk",
        "network_role": "none",
        "hub_code": "",
        "latitude": "50.1",
        "longitude": "57.1",
        **changes,
    }
    return [values[c] for c in SCHOOL_HEADER]


def as_file_row(school: School) -> list[Any]:
    """A school exactly as the registry holds it (an unchanged row)."""
    return school_row(
        school.code,
        school.district.code,
        name_kk=school.name_kk,
        name_ru=school.name_ru,
        settlement_kk=school.settlement_kk,
        settlement_ru=school.settlement_ru,
        locality=school.locality,
        language=school.language,
        network_role=school.network_role,
        hub_code=school.hub.code if school.hub else "",
        latitude=repr(school.latitude),
        longitude=repr(school.longitude),
    )


def infra_row(code: str, **changes: Any) -> list[Any]:
    values = dict.fromkeys(INFRA_HEADER, "0")
    values.update(
        school_code=code,
        internet_type="mobile",
        internet_mbps="12.5",
        electricity="stable",
        rooms="9",
        computer_lab="yes",
        science_lab="нет",
        stem_lab="иә",
    )
    values.update(changes)
    return [values[c] for c in INFRA_HEADER]


def issues_of(plan: Any) -> set[tuple[int | None, str]]:
    return {(i.row, i.column) for i in plan.issues}


def text_of(plan: Any) -> str:
    return "\n".join(i.message for i in plan.issues)


@pytest.fixture(autouse=True)
def _english_uploads(settings: Any, tmp_path: Path) -> Any:
    """Messages in English (the msgids), uploads in a fresh directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


# --- The bad-file corpus ------------------------------------------------------------------

CORPUS_CASES = [
    # file, dataset, (row, column) or None for the file as a whole, words of the message
    ("schools-cp1251.csv", "schools", None, ["Line 2", "not valid UTF-8", "Windows-1251"]),
    ("schools-utf16.csv", "schools", None, ["UTF-16", "CSV UTF-8"]),
    ("schools-missing-columns.csv", "schools", None, ["missing: latitude, longitude"]),
    ("schools-unknown-columns.csv", "schools", None, ["Unknown columns: director, phone"]),
    ("schools-duplicate-header.csv", "schools", None, ["more than once: name_ru"]),
    ("schools-duplicate-codes.csv", "schools", (3, "code"), ["ALG010 appears twice", "row 2"]),
    ("schools-unknown-district.csv", "schools", (2, "district_code"), ["“atlantis”"]),
    ("schools-unknown-hub.csv", "schools", (2, "hub_code"), ["“NOPE99”"]),
    ("schools-hub-not-a-hub.csv", "schools", (2, "hub_code"), ["ALG002 is not a hub school"]),
    ("schools-magnet-without-hub.csv", "schools", (2, "hub_code"), ["must name its hub"]),
    ("schools-hub-code-for-non-magnet.csv", "schools", (2, "hub_code"), ["Only a magnet"]),
    ("schools-latitude-out-of-range.csv", "schools", (2, "latitude"), ["-90 and 90", "95.5"]),
    ("schools-several-bad-rows.csv", "schools", (4, "locality"), ["“village”"]),
    ("schools-wrong-sheet.xlsx", "schools", None, ["Sheet “Нұсқаулық”", "missing", "“schools”"]),
    ("enrolment-negative-pupils.csv", "enrolment", (3, "pupils"), ["negative", "-3"]),
    ("enrolment-grade-13.csv", "enrolment", (3, "grade"), ["Grade 13 does not exist"]),
    ("enrolment-text-in-number.csv", "enrolment", (2, "pupils"), ["“twelve” is not a whole"]),
    ("enrolment-unknown-school.csv", "enrolment", (2, "school_code"), ["“ZZZ999”"]),
    (
        "enrolment-grade-in-two-class-sets.csv",
        "enrolment",
        (4, "class_set"),
        ["Grade 1 of school ALG002 is in two class-sets", "“1+3” (row 2)", "“1+2”"],
    ),
    (
        "infrastructure-speed-without-internet.csv",
        "infrastructure",
        (2, "internet_mbps"),
        ["none cannot have a speed"],
    ),
    ("teachers-unknown-subject.csv", "teachers", (2, "subjects"), ["alchemy"]),
    ("empty.csv", "schools", None, ["The file is empty"]),
    ("binary-renamed.csv", "schools", None, ["not a CSV or XLSX", "binary"]),
    ("old-excel.xls", "schools", None, ["old Excel file (.xls)", ".xlsx"]),
    ("not-a-workbook.xlsx", "schools", None, ["not an Excel workbook"]),
]


@pytest.mark.parametrize(("name", "dataset", "where", "words"), CORPUS_CASES)
def test_every_bad_file_is_refused_clearly_and_changes_nothing(people, name, dataset, where, words):
    before = registry_dump()
    plan, writer = import_file(CORPUS / name, dataset=dataset, user=people.dana)
    assert writer is None and not plan.ok
    if where is None:
        assert [i.row for i in plan.issues][:1] == [None]
    else:
        assert where in issues_of(plan)
    for word in words:
        assert word in text_of(plan)
    assert registry_dump() == before


def test_the_corpus_has_a_case_for_every_file():
    tested = {name for name, *_rest in CORPUS_CASES}
    tested |= {"schools-named-sheet.xlsx", "schools-formula-injection.csv"}  # valid files
    assert {p.name for p in CORPUS.iterdir() if p.suffix not in (".md", ".py")} == tested


def test_several_bad_rows_are_all_reported_with_row_and_column(people):
    plan = plan_for_file(
        CORPUS / "schools-several-bad-rows.csv", dataset="schools", user=people.dana
    )
    assert issues_of(plan) == {
        (3, "district_code"),
        (4, "locality"),
        (5, "latitude"),
        (6, "name_kk"),
        (7, "code"),
    }
    assert "“village” is not one of the allowed values: rural, urban." in text_of(plan)


def test_a_cp1251_file_reads_when_the_encoding_is_chosen(people):
    plan, writer = import_file(
        CORPUS / "schools-cp1251.csv", dataset="schools", user=people.dana, encoding="cp1251"
    )
    assert plan.ok and writer is not None
    school = School.objects.get(code="ALG010")
    assert school.name_ru == "Школа Карабутак"  # semicolons and decimal commas understood
    assert (school.latitude, school.longitude) == (50.1, 57.2)


def test_a_utf8_file_stays_utf8_when_windows_1251_is_chosen_by_mistake(people, tmp_path):
    path = write_csv(tmp_path / "s.csv", SCHOOL_HEADER, [school_row("ALG010", name_kk="Қарағай")])
    plan = plan_for_file(path, dataset="schools", user=people.dana, encoding="cp1251")
    assert ("name_kk", "", "Қарағай") in plan.changes[0].fields


def test_an_xlsx_sheet_named_like_the_dataset_is_read_even_if_not_first(people):
    plan, _writer = import_file(
        CORPUS / "schools-named-sheet.xlsx", dataset="schools", user=people.dana
    )
    assert plan.ok
    assert School.objects.filter(code="ALG010").exists()


def test_a_file_above_the_size_limit_is_refused_by_the_reader(people, settings, tmp_path):
    settings.AUYL_MAX_UPLOAD_BYTES = 1024 * 1024
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (1024 * 1024 + 1))
    plan = plan_for_file(path, dataset="schools", user=people.dana)
    assert "too large" in text_of(plan)


def test_the_form_refuses_a_file_above_the_size_limit(settings):
    settings.AUYL_MAX_UPLOAD_BYTES = 10
    form = ImportForm(
        data={"dataset": "schools", "encoding": ""},
        files={"file": SimpleUploadedFile("schools.csv", b"code,district_code\n" * 2)},
    )
    assert not form.is_valid()
    assert "too large" in str(form.errors["file"])


def test_a_file_with_too_many_rows_is_refused(people, settings, tmp_path):
    settings.AUYL_IMPORT_MAX_ROWS = 3
    path = write_csv(tmp_path / "s.csv", SCHOOL_HEADER, [school_row(f"N{i}") for i in range(4)])
    before = registry_dump()
    plan, _writer = import_file(path, dataset="schools", user=people.dana)
    assert "more than 3 rows" in text_of(plan)
    assert registry_dump() == before


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(people, tmp_path):
    rows = [school_row("N1"), ["", "", ""], school_row("N2", district="nowhere")]
    path = write_csv(tmp_path / "s.csv", SCHOOL_HEADER, rows)
    plan = plan_for_file(path, dataset="schools", user=people.dana)
    assert issues_of(plan) == {(4, "district_code")}


def test_header_names_are_case_insensitive_and_semicolons_are_sniffed(people, tmp_path):
    header = [c.upper() for c in SCHOOL_HEADER]
    path = write_csv(tmp_path / "s.csv", header, [school_row("N1")], delimiter=";")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # with a byte-order mark
    plan = plan_for_file(path, dataset="schools", user=people.dana)
    assert plan.ok, plan.issues
    assert plan.counts()["create"] == 1


# --- Schools: preview, apply, re-import ---------------------------------------------------


def test_preview_shows_creates_updates_and_unchanged_and_writes_nothing(people, region, tmp_path):
    changed = as_file_row(region.alga_school)
    changed[SCHOOL_HEADER.index("name_ru")] = "Алгинская средняя школа №2"
    rows = [as_file_row(region.hub), changed, school_row("ALG010")]
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, rows)
    before = registry_dump()

    plan = plan_for_file(path, dataset="schools", user=people.dana)

    assert plan.ok
    assert plan.counts() == {"create": 1, "update": 1, "delete": 0, "unchanged": 1}
    by_key = {c.key: c for c in plan.changes}
    assert by_key["ALG001"].action == "unchanged"
    assert by_key["ALG002"].action == "update"
    assert by_key["ALG002"].row == 3
    assert by_key["ALG002"].fields == (
        ("name_ru", "Алгинская школа №2", "Алгинская средняя школа №2"),
    )
    assert by_key["ALG010"].action == "create"
    assert registry_dump() == before


def test_confirming_applies_with_history_naming_the_user_and_the_file(people, region, tmp_path):
    changed = as_file_row(region.alga_school)
    changed[SCHOOL_HEADER.index("locality")] = "urban"
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, [changed, school_row("ALG010")])

    plan, writer = import_file(path, dataset="schools", user=people.dana)

    assert writer is not None and plan.ok
    assert School.objects.get(code="ALG002").locality == "urban"
    new = School.objects.get(code="ALG010")
    assert new.district == region.alga and new.name_kk == "ALG010 мектебі"
    for code, kind in (("ALG002", "~"), ("ALG010", "+")):
        record = School.history.filter(code=code).latest("history_id")
        assert record.history_type == kind
        assert record.history_user == people.dana
        assert record.history_change_reason == "import schools.csv"


def test_reimporting_the_same_file_changes_nothing_and_adds_no_history(people, tmp_path):
    rows = [school_row("ALG010"), school_row("ALG011", network_role="hub")]
    rows.append(school_row("ALG012", network_role="magnet", hub_code="ALG011"))
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, rows)
    import_file(path, dataset="schools", user=people.dana)
    before, history = registry_dump(), history_count()

    plan, _writer = import_file(path, dataset="schools", user=people.dana)

    assert plan.counts() == {"create": 0, "update": 0, "delete": 0, "unchanged": 3}
    assert registry_dump() == before
    assert history_count() == history


def test_a_magnet_and_its_new_hub_can_come_in_the_same_file_in_any_order(people, tmp_path):
    rows = [
        school_row("ALG021", network_role="magnet", hub_code="ALG020"),
        school_row("ALG020", network_role="hub"),
    ]
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, rows)
    plan, _writer = import_file(path, dataset="schools", user=people.dana)
    assert plan.ok, plan.issues
    assert School.objects.get(code="ALG021").hub == School.objects.get(code="ALG020")


def test_a_school_can_become_a_hub_and_gain_new_and_existing_magnets_in_one_file(
    people, region, tmp_path
):
    becomes_hub = as_file_row(region.alga_school)
    becomes_hub[SCHOOL_HEADER.index("network_role")] = "hub"
    joins = as_file_row(region.khromtau_school)
    joins[SCHOOL_HEADER.index("network_role")] = "magnet"
    joins[SCHOOL_HEADER.index("hub_code")] = "ALG002"
    rows = [school_row("ALG021", network_role="magnet", hub_code="ALG002"), joins, becomes_hub]
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, rows)
    plan, writer = import_file(path, dataset="schools", user=people.dana)
    assert writer is not None, plan.issues
    assert set(School.objects.get(code="ALG002").magnets.values_list("code", flat=True)) == {
        "ALG021",
        "KHR001",
    }


def test_hub_code_must_point_at_a_school_that_is_a_hub_after_the_import(people, tmp_path):
    rows = [
        school_row("ALG021", network_role="magnet", hub_code="ALG022"),
        school_row("ALG022"),  # in the file, but not a hub
        school_row("ALG023", network_role="magnet", hub_code="ALG001"),  # a hub in the registry
    ]
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, rows)
    plan = plan_for_file(path, dataset="schools", user=people.dana)
    assert issues_of(plan) == {(2, "hub_code")}
    assert "ALG022 is not a hub school (in this file, row 3)" in text_of(plan)


def test_a_hub_cannot_stop_being_a_hub_while_its_magnets_are_outside_the_file(
    people, region, tmp_path
):
    row = as_file_row(region.hub)
    row[SCHOOL_HEADER.index("network_role")] = "none"
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, [row])
    before = registry_dump()
    plan, _writer = import_file(path, dataset="schools", user=people.dana)
    assert issues_of(plan) == {(2, "network_role")}
    assert "KHR007" in text_of(plan)
    assert registry_dump() == before


def test_an_import_never_deletes_schools(people, tmp_path):
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, [school_row("ALG010")])
    import_file(path, dataset="schools", user=people.dana)
    assert School.objects.count() == 5


# --- Enrolment and class-sets -------------------------------------------------------------


def test_enrolment_file_is_the_whole_truth_for_its_schools(people, region, tmp_path):
    school = region.alga_school
    for grade, pupils in ((1, 5), (2, 6), (3, 7)):
        EnrolmentFactory(school=school, grade=grade, pupils=pupils)
    ClassSetFactory(school=school, name="1+3", grades=[1, 3])
    ClassSetFactory(school=school, name="2", grades=[2])
    EnrolmentFactory(school=region.hub, grade=5, pupils=20)  # not in the file: untouched
    rows = [["ALG002", 1, 5, "1+3"], ["ALG002", 3, 8, "1+3"], ["ALG002", 4, 2, "4"]]
    path = write_csv(tmp_path / "enrolment.csv", ENROLMENT_HEADER, rows)

    plan = plan_for_file(path, dataset="enrolment", user=people.dana)
    actions = {c.key: (c.action, c.fields) for c in plan.changes}
    assert actions == {
        "ALG002/grade/1": ("unchanged", ()),
        "ALG002/grade/3": ("update", (("pupils", "7", "8"),)),
        "ALG002/grade/4": ("create", (("pupils", "", "2"),)),
        "ALG002/grade/2": ("delete", (("pupils", "6", ""),)),
        "ALG002/class_set/1+3": ("unchanged", ()),
        "ALG002/class_set/4": ("create", (("grades", "", "4"),)),
        "ALG002/class_set/2": ("delete", (("grades", "2", ""),)),
    }

    import_file(path, dataset="enrolment", user=people.dana)
    assert dict(school.enrolments.values_list("grade", "pupils")) == {1: 5, 3: 8, 4: 2}
    assert dict(school.class_sets.values_list("name", "grades")) == {"1+3": [1, 3], "4": [4]}
    assert region.hub.enrolments.count() == 1
    deleted = Enrolment.history.get(grade=2, history_type="-")
    assert deleted.history_user == people.dana
    assert deleted.history_change_reason == "import enrolment.csv"
    history = history_count()
    plan, _writer = import_file(path, dataset="enrolment", user=people.dana)
    assert plan.counts() == {"create": 0, "update": 0, "delete": 0, "unchanged": 5}
    assert history_count() == history


def test_class_sets_are_built_from_the_rows_with_sorted_grades(people, region, tmp_path):
    rows = [["ALG002", 3, 4, "1+3"], ["ALG002", 1, 5, "1+3"], ["ALG002", 2, 6, ""]]
    path = write_csv(tmp_path / "enrolment.csv", ENROLMENT_HEADER, rows)
    import_file(path, dataset="enrolment", user=people.dana)
    assert list(ClassSet.objects.values_list("name", "grades")) == [("1+3", [1, 3])]
    assert Enrolment.objects.count() == 3


# --- Teachers -----------------------------------------------------------------------------


def test_teachers_with_subjects_and_teaching_assignments(people, region, tmp_path):
    rows = [
        ["T1", "Әлиева Гүлнар", "ALG002", 18, "math;physics", "ALG002:math;KHR001:physics"],
        ["T2", "Петров Иван", "ALG001", 20, "", ""],
    ]
    path = write_csv(tmp_path / "teachers.csv", TEACHER_HEADER, rows)
    plan, writer = import_file(path, dataset="teachers", user=people.dana)
    assert plan.ok and writer is not None, plan.issues
    teacher = Teacher.objects.get(code="T1")
    assert set(teacher.subjects.values_list("code", flat=True)) == {"math", "physics"}
    assert set(teacher.assignments.values_list("school__code", "subject__code")) == {
        ("ALG002", "math"),
        ("KHR001", "physics"),
    }
    record = teacher.history.latest("history_id")
    assert record.history_user == people.dana
    assert {s.subject.code for s in record.subjects.all()} == {"math", "physics"}

    history = history_count()
    assert import_file(path, dataset="teachers", user=people.dana)[0].counts()["unchanged"] == 2
    assert history_count() == history

    rows[0][4], rows[0][5] = "math", "ALG002:math"
    write_csv(path, TEACHER_HEADER, rows)
    plan, _writer = import_file(path, dataset="teachers", user=people.dana)
    change = next(c for c in plan.changes if c.key == "T1")
    assert change.fields == (
        ("subjects", "math;physics", "math"),
        ("teaches_at", "ALG002:math;KHR001:physics", "ALG002:math"),
    )
    assert set(teacher.subjects.values_list("code", flat=True)) == {"math"}
    assert teacher.assignments.count() == 1
    latest = teacher.history.latest("history_id")
    assert {s.subject.code for s in latest.subjects.all()} == {"math"}


def test_teacher_file_problems(people, region, tmp_path):
    TeacherFactory(code="T9", school=region.khromtau_school)
    rows = [
        ["T1", "A", "ALG002", 41, "math", "ALG002"],  # hours, malformed pair
        ["T1", "B", "NOPE", 10, "", "NOPE:math"],  # duplicate, unknown school twice
    ]
    path = write_csv(tmp_path / "teachers.csv", TEACHER_HEADER, rows)
    plan = plan_for_file(path, dataset="teachers", user=people.dana)
    assert issues_of(plan) == {
        (2, "weekly_hours"),
        (2, "teaches_at"),
        (3, "teacher_code"),
        (3, "main_school_code"),
        (3, "teaches_at"),
    }


# --- Infrastructure -----------------------------------------------------------------------


def test_infrastructure_and_device_counts(people, region, tmp_path):
    InfrastructureFactory(school=region.hub, internet_type="fibre", internet_mbps=25, rooms=10)
    rows = [
        infra_row("ALG002", laptop_working="12", projector_broken="1"),
        infra_row(
            "ALG001",
            internet_type="fibre",
            internet_mbps="25",
            rooms="10",
            computer_lab="0",
            science_lab="0",
            stem_lab="0",
        ),
    ]
    path = write_csv(tmp_path / "infrastructure.csv", INFRA_HEADER, rows)
    plan, writer = import_file(path, dataset="infrastructure", user=people.dana)
    assert writer is not None, plan.issues
    assert plan.counts() == {"create": 1, "update": 0, "delete": 0, "unchanged": 1}
    infra = Infrastructure.objects.get(school=region.alga_school)
    assert (infra.internet_type, str(infra.internet_mbps), infra.rooms) == ("mobile", "12.5", 9)
    assert (infra.computer_lab, infra.science_lab, infra.stem_lab) == (True, False, True)
    assert set(DeviceStock.objects.values_list("kind", "condition", "count")) == {
        ("laptop", "working", 12),
        ("projector", "broken", 1),
    }
    history = history_count()
    assert (
        import_file(path, dataset="infrastructure", user=people.dana)[0].counts()["unchanged"] == 2
    )
    assert history_count() == history

    rows[0] = infra_row("ALG002", laptop_working="10", projector_broken="1", rooms="11")
    write_csv(path, INFRA_HEADER, rows)
    plan, _writer = import_file(path, dataset="infrastructure", user=people.dana)
    change = next(c for c in plan.changes if c.key == "ALG002")
    assert change.fields == (("rooms", "9", "11"), ("laptop_working", "12", "10"))
    assert DeviceStock.objects.get(kind="laptop").count == 10


def test_infrastructure_cell_problems(people, region, tmp_path):
    rows = [
        infra_row("ALG002", internet_type="fibre", internet_mbps="0", computer_lab="maybe"),
        infra_row("ALG001", internet_mbps="12.55", laptop_broken="-1", rooms="301"),
    ]
    path = write_csv(tmp_path / "infrastructure.csv", INFRA_HEADER, rows)
    plan = plan_for_file(path, dataset="infrastructure", user=people.dana)
    assert issues_of(plan) == {
        (2, "internet_mbps"),
        (2, "computer_lab"),
        (3, "internet_mbps"),
        (3, "laptop_broken"),
        (3, "rooms"),
    }


# --- Who may import -----------------------------------------------------------------------


def test_aigerim_cannot_import_a_khromtau_school_row(people, region, tmp_path):
    rows = [["ALG002", 1, 10, ""], ["KHR001", 1, 10, ""]]
    path = write_csv(tmp_path / "enrolment.csv", ENROLMENT_HEADER, rows)
    before = registry_dump()
    plan, writer = import_file(path, dataset="enrolment", user=people.aigerim)
    assert writer is None
    assert issues_of(plan) == {(3, "school_code")}
    assert "KHR001 is in district khromtau, outside your district" in text_of(plan)
    assert registry_dump() == before


def test_aigerim_may_import_schools_of_alga_only(people, region, tmp_path):
    rows = [
        school_row("ALG010"),
        school_row("KHR010", district="khromtau"),
        as_file_row(region.khromtau_school),
    ]
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, rows)
    plan = plan_for_file(path, dataset="schools", user=people.aigerim)
    assert issues_of(plan) == {(3, "district_code"), (4, "district_code"), (4, "code")}

    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, [school_row("ALG010")])
    plan, writer = import_file(path, dataset="schools", user=people.aigerim)
    assert writer is not None and School.objects.filter(code="ALG010").exists()


def test_aigerim_keeps_teaching_outside_alga_as_it_is_but_cannot_add_any(people, region, tmp_path):
    teacher = TeacherFactory(code="T1", school=region.alga_school, full_name="A", weekly_hours=18)
    math = Subject.objects.get(code="math")
    TeachingAssignment.objects.create(teacher=teacher, school=region.khromtau_school, subject=math)
    row = ["T1", "A", "ALG002", 18, "", "ALG002:math"]
    path = write_csv(tmp_path / "teachers.csv", TEACHER_HEADER, [row])
    plan, writer = import_file(path, dataset="teachers", user=people.aigerim)
    assert writer is not None, plan.issues
    assert set(teacher.assignments.values_list("school__code", flat=True)) == {"ALG002", "KHR001"}

    row[5] = "ALG002:math;KHR001:physics"
    write_csv(path, TEACHER_HEADER, [row])
    plan = plan_for_file(path, dataset="teachers", user=people.aigerim)
    assert issues_of(plan) == {(2, "teaches_at")}


@pytest.mark.parametrize("who", ["nurlan", "bolat", "saule", "yerlan"])
def test_only_region_admins_and_methodologists_may_import(people, tmp_path, client, who):
    user = getattr(people, who)
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, [school_row("ALG010")])
    with pytest.raises(PermissionDenied):
        plan_for_file(path, dataset="schools", user=user)
    client.force_login(user)
    assert client.get(reverse("registry_io:import_start")).status_code == 403
    with path.open("rb") as f:
        response = client.post(
            reverse("registry_io:import_start"), {"dataset": "schools", "file": f}
        )
    assert response.status_code == 403
    assert not School.objects.filter(code="ALG010").exists()


# --- The pages ----------------------------------------------------------------------------


def test_upload_preview_confirm_result(people, region, client, tmp_path):
    client.force_login(people.dana)
    page = client.get(reverse("registry_io:import_start"))
    assert page.status_code == 200
    assert "teaches_at" in page.content.decode()  # the columns are documented on the page
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, [school_row("ALG010")])
    before = registry_dump()

    with path.open("rb") as f:
        response = client.post(
            reverse("registry_io:import_start"), {"dataset": "schools", "file": f}
        )
    checked = Job.objects.get(kind="registry_import_preview")
    assert response.status_code == 302
    assert response.url == reverse("registry_io:import_preview", args=[checked.pk])
    stored = tmp_path / "media" / "imports" / checked.params["upload"]
    assert stored.read_bytes() == path.read_bytes()
    assert checked.result["status"] == "ready"
    assert checked.result["counts"]["create"] == 1
    preview = client.get(response.url)
    assert preview.status_code == 200
    assert "ALG010" in preview.content.decode()
    assert registry_dump() == before  # nothing written before the confirmation

    response = client.post(reverse("registry_io:import_confirm", args=[checked.pk]))
    applied = Job.objects.get(kind="registry_import_apply")
    assert response.url == reverse("registry_io:import_result", args=[applied.pk])
    assert applied.result["status"] == "applied"
    assert School.objects.get(code="ALG010").history.first().history_user == people.dana
    assert not stored.exists()  # an applied upload is not kept
    result = client.get(response.url)
    assert result.status_code == 200
    assert "The import is done" in result.content.decode()


def test_uploads_older_than_a_week_are_removed_by_the_next_upload(people, client, tmp_path):
    folder = tmp_path / "media" / "imports"
    folder.mkdir(parents=True)
    old, recent = folder / "old", folder / "recent"
    old.write_text("x")
    recent.write_text("x")
    os.utime(old, (time.time() - 8 * 86400,) * 2)
    client.force_login(people.dana)
    with (CORPUS / "schools-unknown-hub.csv").open("rb") as f:
        client.post(reverse("registry_io:import_start"), {"dataset": "schools", "file": f})
    assert not old.exists() and recent.exists()


def test_a_preview_with_problems_offers_no_confirmation(people, client):
    client.force_login(people.dana)
    with (CORPUS / "schools-several-bad-rows.csv").open("rb") as f:
        response = client.post(
            reverse("registry_io:import_start"), {"dataset": "schools", "file": f}, follow=True
        )
    content = response.content.decode()
    assert "5 problems" in content and "“atlantis”" in content
    assert reverse("registry_io:import_confirm", args=[response.context["job"].pk]) not in content
    checked = response.context["job"]
    assert client.post(reverse("registry_io:import_confirm", args=[checked.pk])).status_code == 404


def test_confirming_after_the_registry_changed_writes_nothing_and_shows_the_new_preview(
    people, region, client, tmp_path
):
    client.force_login(people.dana)
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, [as_file_row(region.alga_school)])
    path.write_text(path.read_text().replace("Алгинская школа №2", "Новое имя"))
    with path.open("rb") as f:
        response = client.post(
            reverse("registry_io:import_start"), {"dataset": "schools", "file": f}
        )
    checked = Job.objects.get(kind="registry_import_preview")
    School.objects.filter(code="ALG002").update(name_kk="Changed meanwhile")
    before = registry_dump()

    response = client.post(reverse("registry_io:import_confirm", args=[checked.pk]), follow=True)

    applying = Job.objects.get(kind="registry_import_apply")
    assert applying.result["status"] == "stale"
    assert registry_dump() == before
    assert "changed after the preview" in response.content.decode()
    # The new preview can be confirmed from the result page.
    client.post(reverse("registry_io:import_confirm", args=[applying.pk]))
    assert School.objects.get(code="ALG002").name_ru == "Новое имя"


def test_a_cp1251_upload_with_the_encoding_chosen(people, client):
    client.force_login(people.dana)
    with (CORPUS / "schools-cp1251.csv").open("rb") as f:
        response = client.post(
            reverse("registry_io:import_start"),
            {"dataset": "schools", "file": f, "encoding": "cp1251"},
            follow=True,
        )
    assert response.context["result"]["status"] == "ready"
    assert "Школа Карабутак" in response.content.decode()


def test_a_huge_request_is_refused_with_413_before_it_is_read(people, client):
    client.force_login(people.dana)
    response = client.post(
        reverse("registry_io:import_start"),
        data=b"x",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "too large (200 MB)" in response.content.decode()
    assert not Job.objects.exists()


def test_progress_bar_reloads_the_page_when_the_job_ends(people, client):
    client.force_login(people.dana)
    job = Job.objects.create(kind="registry_import_preview", created_by=people.dana, params={})
    url = reverse("jobs:job_progress", args=[job.pk])
    page = client.get(reverse("registry_io:import_preview", args=[job.pk]))
    assert url in page.content.decode()  # the progress page polls it
    assert "HX-Refresh" not in client.get(url, HTTP_HX_REQUEST="true").headers
    Job.objects.filter(pk=job.pk).update(state=Job.State.DONE, result={})
    assert client.get(url, HTTP_HX_REQUEST="true").headers["HX-Refresh"] == "true"


def test_jobs_of_someone_else_are_not_found(people, client):
    job = Job.objects.create(kind="registry_import_preview", created_by=people.aigerim, params={})
    client.force_login(people.dana)
    assert client.get(reverse("registry_io:import_preview", args=[job.pk])).status_code == 404
