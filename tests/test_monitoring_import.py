"""Importing pupils' answers: formats, scoring, booklets, problems, all-or-nothing, re-import.

The test ``math4`` (see ``test_monitoring_fixtures``) has items M01 (key B), M02 (key C),
M03 (key 3,5), M04 (partial credit 0-2, no key) and M05 (key 12). Dana imports for the whole
region; Aigerim only for her district Alga (Bestamak ALG001 and Alga No. 2 ALG002).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from auyl.monitoring import services
from auyl.monitoring.io.responses import import_file, matches_key, plan_file
from auyl.monitoring.models import Sitting
from tests.factories import ClassSetFactory
from tests.test_monitoring_fixtures import make_assessment, write_csv

HEAD = ["pupil_id", "school_code", "class_set", "M01", "M02", "M03", "M04", "M05"]


@pytest.fixture
def math4(region, people):
    return make_assessment(people, region)


def plan(path: Path, assessment, user, *, layout="wide", answers="raw"):
    return plan_file(path, assessment=assessment, layout=layout, answers=answers, user=user)


def issues_of(p) -> list[tuple[int | None, str]]:
    return [(i.row, i.column) for i in p.issues]


@pytest.mark.parametrize(
    ("answer", "key", "right"),
    [("b", "B", True), ("В", "B", True), ("A", "B", False), ("3.5", "3,5", True),
     ("3,50", "3.5", True), ("4", "3,5", False), (" 12 ", "12", True)],
)  # fmt: skip
def test_an_answer_matches_the_key_by_letter_or_by_number(answer, key, right):
    assert matches_key(answer, key) is right


def test_raw_answers_are_scored_against_the_key_and_blanks_are_omitted(tmp_path, math4, people):
    path = write_csv(tmp_path, [HEAD, ["P1", "ALG001", "", "b", "A", "3.5", "2", ""]])
    result = import_file(path, assessment=math4, layout="wide", answers="raw", user=people.dana)
    assert result.ok, result.issues
    sitting = Sitting.objects.get(pupil_code="P1")
    assert sitting.scores == [1, 0, 1, 2, 0]
    assert sitting.omitted == [4]
    assert sitting.raw == ["b", "A", "3.5", "2", None]


def test_long_file_gives_the_same_sitting_as_the_wide_file(tmp_path, math4, people):
    rows = [["pupil_id", "school_code", "class_set", "item", "answer"]]
    for code, answer in zip(HEAD[3:], ["b", "A", "3.5", "2", ""], strict=True):
        rows.append(["P1", "ALG001", "", code, answer])
    result = import_file(
        write_csv(tmp_path, rows), assessment=math4, layout="long", answers="raw", user=people.dana
    )
    assert result.ok, result.issues
    sitting = Sitting.objects.get(pupil_code="P1")
    assert (sitting.scores, sitting.omitted) == ([1, 0, 1, 2, 0], [4])


def test_a_pupil_missing_an_item_in_a_long_file_omitted_it(tmp_path, math4, people):
    rows = [["pupil_id", "school_code", "class_set", "item", "answer"],
            ["P1", "ALG001", "", "M01", "B"]]  # fmt: skip
    import_file(write_csv(tmp_path, rows), assessment=math4, layout="long", answers="raw",
                user=people.dana)  # fmt: skip
    assert Sitting.objects.get(pupil_code="P1").omitted == [1, 2, 3, 4]


def test_scored_files_take_whole_numbers_up_to_the_maximum(tmp_path, math4, people):
    path = write_csv(tmp_path, [HEAD, ["P1", "ALG001", "", "1", "0", "1", "1", "0"]])
    result = import_file(path, assessment=math4, layout="wide", answers="scored", user=people.dana)
    assert result.ok
    assert Sitting.objects.get().scores == [1, 0, 1, 1, 0]
    assert Sitting.objects.get().raw == [None] * 5


def test_items_outside_the_booklet_are_not_presented(tmp_path, math4, people):
    items = list(math4.items.order_by("position"))
    services.booklet_save(assessment=math4, code="A", items=items[:3], by=people.dana)
    services.booklet_save(assessment=math4, code="B", items=items[2:], by=people.dana)
    head = ["pupil_id", "school_code", "class_set", "booklet", *HEAD[3:]]
    path = write_csv(
        tmp_path,
        [head, ["P1", "ALG001", "", "A", "B", "", "3.5", "", ""],
         ["P2", "ALG001", "", "b", "", "", "", "1", "12"]],
    )  # fmt: skip
    result = import_file(path, assessment=math4, layout="wide", answers="raw", user=people.dana)
    assert result.ok, result.issues
    p1, p2 = Sitting.objects.order_by("pupil_code")
    assert (p1.scores, p1.omitted) == ([1, 0, 1, None, None], [1])
    assert (p2.scores, p2.omitted) == ([None, None, 0, 1, 1], [2])


def test_an_answer_to_an_item_not_in_the_booklet_is_refused(tmp_path, math4, people):
    items = list(math4.items.order_by("position"))
    services.booklet_save(assessment=math4, code="A", items=items[:3], by=people.dana)
    head = ["pupil_id", "school_code", "class_set", "booklet", *HEAD[3:]]
    path = write_csv(tmp_path, [head, ["P1", "ALG001", "", "A", "B", "C", "3.5", "1", ""]])
    p = plan(path, math4, people.dana)
    assert issues_of(p) == [(2, "m04")]
    assert "not in booklet A" in p.issues[0].message


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["P2", "XXX999", "", "B", "C", "1", "1", "12"], "school_code", "no school with code"),
        (["P2", "ALG001", "", "B", "C", "1", "x", "12"], "m04", "not a whole number"),
        (["P2", "ALG001", "", "B", "C", "1", "3", "12"], "m04", "not a score of item M04"),
        (["P1", "ALG001", "", "B", "C", "1", "1", "12"], "pupil_id", "appears twice"),
        (["P2", "ALG001", "9+10", "B", "C", "1", "1", "12"], "class_set", "no class-set"),
        (["P2", "ALG001", "", "", "", "", "", ""], "pupil_id", "no answer at all"),
        (["", "ALG001", "", "B", "C", "1", "1", "12"], "pupil_id", "required"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_written(tmp_path, math4, people, row, column, reason):
    good = ["P1", "ALG001", "", "B", "C", "3.5", "1", "12"]
    path = write_csv(tmp_path, [HEAD, good, row])
    result = import_file(path, assessment=math4, layout="wide", answers="raw", user=people.dana)
    assert [(i.row, i.column) for i in result.issues] == [(3, column)]
    assert reason in result.issues[0].message
    assert not Sitting.objects.exists()


def test_a_class_set_must_be_the_schools_and_teach_the_grade(tmp_path, math4, people, region):
    ClassSetFactory(school=region.hub, name="2+4", grades=[2, 4])
    ClassSetFactory(school=region.hub, name="1+3", grades=[1, 3])
    path = write_csv(
        tmp_path,
        [HEAD, ["P1", "ALG001", "2+4", "B", "C", "3.5", "1", "12"],
         ["P2", "ALG001", "1+3", "B", "C", "3.5", "1", "12"]],
    )  # fmt: skip
    p = plan(path, math4, people.dana)
    assert issues_of(p) == [(3, "class_set")]
    assert "does not teach grade 4" in p.issues[0].message


def test_long_file_problems_name_their_row(tmp_path, math4, people):
    rows = [["pupil_id", "school_code", "class_set", "item", "answer"],
            ["P1", "ALG001", "", "M01", "B"],
            ["P1", "ALG001", "", "M01", "C"],
            ["P1", "ALG002", "", "M02", "C"],
            ["P1", "ALG001", "", "Q99", "C"]]  # fmt: skip
    p = plan(write_csv(tmp_path, rows), math4, people.dana, layout="long")
    assert issues_of(p) == [(3, "item"), (4, "school_code"), (5, "item")]


def test_a_missing_column_refuses_the_file(tmp_path, math4, people):
    path = write_csv(tmp_path, [HEAD[:-1], ["P1", "ALG001", "", "B", "C", "3.5", "1"]])
    p = plan(path, math4, people.dana)
    assert not p.ok and "m05" in p.issues[0].message and p.issues[0].row is None


def test_reimporting_the_same_file_changes_nothing(tmp_path, math4, people):
    rows = [HEAD, ["P1", "ALG001", "", "B", "C", "3.5", "1", ""],
            ["P2", "ALG002", "", "A", "", "3", "2", "12"]]  # fmt: skip
    path = write_csv(tmp_path, rows)
    first = import_file(path, assessment=math4, layout="wide", answers="raw", user=people.dana)
    before = list(Sitting.objects.order_by("pk").values("pk", "scores", "omitted", "raw"))
    second = plan(path, math4, people.dana)
    assert (len(first.create), len(second.create), len(second.update), second.unchanged) == (
        2, 0, 0, 2,
    )  # fmt: skip
    import_file(path, assessment=math4, layout="wide", answers="raw", user=people.dana)
    assert list(Sitting.objects.order_by("pk").values("pk", "scores", "omitted", "raw")) == before


def test_a_corrected_answer_updates_only_that_pupil(tmp_path, math4, people):
    rows = [HEAD, ["P1", "ALG001", "", "B", "C", "3.5", "1", ""],
            ["P2", "ALG002", "", "A", "", "3", "2", "12"]]  # fmt: skip
    import_file(write_csv(tmp_path, rows), assessment=math4, layout="wide", answers="raw",
                user=people.dana)  # fmt: skip
    rows[2][3] = "B"
    p = plan(write_csv(tmp_path, rows, "fixed.csv"), math4, people.dana)
    assert (len(p.create), [r.pupil_code for _pk, r in p.update], p.unchanged) == (0, ["P2"], 1)


def test_xlsx_files_are_read_like_csv(tmp_path, math4, people):
    book = Workbook()
    sheet = book.active
    sheet.append(HEAD)
    sheet.append(["P1", "ALG001", None, "B", "C", 3.5, 2, 12])
    path = tmp_path / "answers.xlsx"
    book.save(path)
    result = import_file(path, assessment=math4, layout="wide", answers="raw", user=people.dana)
    assert result.ok, result.issues
    assert Sitting.objects.get().scores == [1, 1, 1, 2, 1]


def test_a_methodologist_imports_only_her_districts_schools(tmp_path, math4, people):
    path = write_csv(
        tmp_path,
        [HEAD, ["P1", "ALG001", "", "B", "C", "3.5", "1", "12"],
         ["P2", "KHR007", "", "B", "C", "3.5", "1", "12"]],
    )  # fmt: skip
    p = plan(path, math4, people.aigerim)
    assert issues_of(p) == [(3, "school_code")]
    assert "outside your district" in p.issues[0].message


def test_a_principal_may_not_import(tmp_path, math4, people):
    from django.core.exceptions import PermissionDenied

    path = write_csv(tmp_path, [HEAD, ["P1", "KHR007", "", "B", "C", "3.5", "1", "12"]])
    with pytest.raises(PermissionDenied):
        plan(path, math4, people.bolat)


EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples" / "monitoring"


def test_the_documented_example_files_import_as_described(people, region):
    """docs/monitoring.md's examples: items, wide raw, long scored, wide with booklets."""
    from auyl.monitoring.io.items import import_items

    assessment = make_assessment(people, region)
    assert import_items(EXAMPLES / "items.csv", assessment=assessment, by=people.dana) == []
    ClassSetFactory(school=region.alga_school, name="2+4", grades=[2, 4])
    for name, layout, answers in (
        ("answers-wide-raw.csv", "wide", "raw"),
        ("answers-long-scored.csv", "long", "scored"),
    ):
        result = import_file(
            EXAMPLES / name, assessment=assessment, layout=layout, answers=answers,
            user=people.dana,
        )  # fmt: skip
        assert result.ok, (name, result.issues)
    p101, p102, p103, p104 = Sitting.objects.order_by("pupil_code")
    assert (p101.scores, p102.scores) == ([1, 1, 1, 0, 1, 2], [1, 0, 0, 1, 1, 1])
    assert (p102.omitted, p103.scores, p104.omitted) == ([2], [0, 1, 0, 1, 0, 0], [1, 3, 5])

    booklets = make_assessment(people, region, year=2025)
    import_items(EXAMPLES / "items.csv", assessment=booklets, by=people.dana)
    items = list(booklets.items.order_by("position"))
    services.booklet_save(assessment=booklets, code="A", items=items[:4], by=people.dana)
    services.booklet_save(assessment=booklets, code="B", items=items[:3] + items[4:],
                          by=people.dana)  # fmt: skip
    result = import_file(
        EXAMPLES / "answers-wide-booklets.csv", assessment=booklets, layout="wide",
        answers="raw", user=people.dana,
    )  # fmt: skip
    assert result.ok, result.issues
    p203 = Sitting.objects.get(assessment=booklets, pupil_code="P-000203")
    assert (p203.scores, p203.omitted) == ([1, 0, 0, None, 1, 1], [1])


def test_a_file_over_the_row_limit_is_refused_whole(tmp_path, math4, people, settings):
    settings.AUYL_IMPORT_MAX_ROWS = 2
    rows = [HEAD] + [[f"P{i}", "ALG001", "", "B", "C", "3.5", "1", "12"] for i in range(3)]
    p = plan(write_csv(tmp_path, rows), math4, people.dana)
    assert not p.ok and "more than 2 rows" in p.issues[0].message
