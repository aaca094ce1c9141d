"""Importing readiness audits from a file: all or nothing, every problem reported with its
row and column. Aigerim (methodologist of Alga) imports Alga's schools only; Dana imports
any school; principals and teachers do not import."""

from __future__ import annotations

import csv
import io as stdio

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from auyl.readiness import io
from auyl.readiness.models import Audit

GOOD = {
    "internet_type": "mobile",
    "internet_mbps": "8,5",
    "reliability_pct": "85",
    "electricity": "stable",
    "rooms": "9",
    "rooms_with_panel": "1",
    "computer_lab": "yes",
    "science_lab": "нет",
    "stem_lab": "0",
    "offline_server": "жоқ",
    "teachers_beginner": "2",
    "teachers_basic": "5",
    "teachers_confident": "3",
    "teachers_advanced": "1",
    "laptop_new_working": "6",
    "panel_mid_working": "1",
}


def audit_file(tmp_path, rows, columns=None):
    columns = columns or io.AUDITS.column_names
    out = stdio.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    path = tmp_path / "audits.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def check(path, user):
    return io.check_file(path, filename="audits.csv", encoding="", user=user)


def apply(path, user):
    return io.apply_file(path, filename="audits.csv", encoding="", user=user)


def problems(checked):
    return {(i.row, i.column): i.message for i in checked.issues}


def test_a_clean_file_submits_one_version_per_school(tmp_path, people, region):
    path = audit_file(
        tmp_path, [{"school_code": "ALG001", **GOOD}, {"school_code": "ALG002", **GOOD}]
    )
    checked = apply(path, people.aigerim)
    assert checked.ok and len(checked.rows) == 2
    audit = Audit.objects.get(school=region.hub)
    assert (audit.version, audit.is_latest, audit.source) == (1, True, "import")
    assert audit.submitted_by == people.aigerim
    assert float(audit.internet_mbps) == 8.5 and audit.computer_lab and not audit.science_lab
    assert audit.devices == {"laptop:0_3:working": 6, "panel:4_7:working": 1}
    assert audit.teacher_levels() == (2, 5, 3, 1)
    assert audit.index_at_submit is not None


def test_an_imported_audit_becomes_the_next_version(tmp_path, people, region):
    path = audit_file(tmp_path, [{"school_code": "ALG001", **GOOD}])
    apply(path, people.dana)
    apply(path, people.dana)
    versions = list(Audit.objects.filter(school=region.hub).values_list("version", "is_latest"))
    assert sorted(versions) == [(1, False), (2, True)]


def test_an_unknown_school_is_reported_and_nothing_is_written(tmp_path, people, region):
    path = audit_file(
        tmp_path, [{"school_code": "ALG001", **GOOD}, {"school_code": "NOPE99", **GOOD}]
    )
    checked = apply(path, people.dana)
    assert not checked.ok
    assert "Unknown school code" in problems(checked)[(3, "school_code")]
    assert not Audit.objects.exists()


def test_aigerim_cannot_import_a_khromtau_school(tmp_path, people, region):
    path = audit_file(tmp_path, [{"school_code": "KHR007", **GOOD}])
    checked = check(path, people.aigerim)
    assert "outside your district" in problems(checked)[(2, "school_code")]


@pytest.mark.parametrize("who", ["bolat", "saule", "nurlan"])
def test_principals_teachers_and_coordinators_do_not_import(tmp_path, people, region, who):
    path = audit_file(tmp_path, [{"school_code": "KHR007", **GOOD}])
    with pytest.raises(PermissionDenied):
        check(path, getattr(people, who))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("laptop_new_working", "-4", "must not be negative"),
        ("laptop_old_broken", "90000", "too large"),
        ("internet_mbps", "-2", "must not be negative"),
        ("internet_mbps", "fast", "is not a number"),
        ("reliability_pct", "130", "too large"),
        ("rooms", "", "A value is required"),
        ("internet_type", "pigeon", "not one of the allowed values"),
        ("science_lab", "maybe", "is not yes or no"),
        ("teachers_basic", "2.5", "not a whole number"),
    ],
)
def test_a_bad_cell_is_reported_with_its_row_and_column(tmp_path, people, region, column, value,
                                                        message):  # fmt: skip
    path = audit_file(tmp_path, [{"school_code": "ALG001", **GOOD, column: value}])
    checked = check(path, people.dana)
    assert message in problems(checked)[(2, column)]


def test_rules_across_cells_are_reported_on_the_right_column(tmp_path, people, region):
    rows = [
        {"school_code": "ALG001", **GOOD, "rooms_with_panel": "12"},  # more than 9 rooms
        {"school_code": "ALG002", **GOOD, "internet_type": "none"},  # speed with no internet
    ]
    found = problems(check(audit_file(tmp_path, rows), people.dana))
    assert "More classrooms with a panel" in found[(2, "rooms_with_panel")]
    assert "no internet cannot have a speed" in found[(3, "internet_mbps")]


def test_a_school_twice_in_the_file_is_reported(tmp_path, people, region):
    rows = [{"school_code": "ALG001", **GOOD}, {"school_code": "ALG001", **GOOD}]
    found = problems(check(audit_file(tmp_path, rows), people.dana))
    assert "appears twice" in found[(3, "school_code")]


def test_a_missing_column_is_a_file_problem(tmp_path, people, region):
    columns = [c for c in io.AUDITS.column_names if c != "reliability_pct"]
    path = audit_file(tmp_path, [{"school_code": "ALG001", **GOOD}], columns=columns)
    checked = check(path, people.dana)
    assert not checked.ok
    assert any("reliability_pct" in i.message and i.row is None for i in checked.issues)


def test_the_template_has_every_column(people, region):
    header = io.template_file("csv").decode("utf-8-sig").splitlines()[0].split(",")
    assert header == list(io.AUDITS.column_names) and len(header) == 15 + 45


def test_export_then_import_gives_the_same_audit(tmp_path, people, region):
    apply(audit_file(tmp_path, [{"school_code": "ALG001", **GOOD}]), people.dana)
    exported = tmp_path / "export.csv"
    exported.write_bytes(io.export_file(people.dana, "csv"))
    checked = io.apply_file(exported, filename="export.csv", encoding="", user=people.dana)
    assert checked.ok
    v1, v2 = Audit.objects.filter(school=region.hub).order_by("version")
    fields = ["internet_type", "internet_mbps", "reliability_pct", "rooms", "devices",
              "teachers_level_1", "computer_lab"]  # fmt: skip
    assert [getattr(v1, f) for f in fields] == [getattr(v2, f) for f in fields]


def test_the_import_pages_upload_preview_and_confirm(client, people, region):
    client.force_login(people.aigerim)
    content = stdio.StringIO()
    writer = csv.DictWriter(content, fieldnames=io.AUDITS.column_names, extrasaction="ignore")
    writer.writeheader()
    writer.writerow(
        {c: {"school_code": "ALG002", **GOOD}.get(c, "") for c in io.AUDITS.column_names}
    )
    upload = SimpleUploadedFile("audits.csv", content.getvalue().encode(), "text/csv")
    response = client.post(reverse("readiness:import_start"), {"file": upload, "encoding": ""})
    assert response.status_code == 302
    preview = client.get(reverse("readiness:import_preview"))
    assert preview.status_code == 200 and b"ALG002" in preview.content
    assert not Audit.objects.exists()
    done = client.post(reverse("readiness:import_confirm"))
    assert done.status_code == 302
    assert Audit.objects.get().school == region.alga_school


def test_a_principal_does_not_see_the_import_page(client, people, region):
    client.force_login(people.bolat)
    assert client.get(reverse("readiness:import_start")).status_code == 403
