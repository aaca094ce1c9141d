"""The response CSV of ``auyl irt fit``: person id, then one column per item holding 1, 0
or empty. Bad cells and rows are dropped with a warning naming the line; a broken file is
refused with the reason; a million rows are read in one go."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from auyl.engines.irt import fit, read_responses_csv


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "responses.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clean_file_gives_ids_items_and_not_presented_cells(tmp_path: Path) -> None:
    matrix, warnings = read_responses_csv(write(tmp_path, "pupil,Q1,Q2\nA,1,0\nB,,1\n"))
    assert matrix.person_ids == ("A", "B") and matrix.item_ids == ("Q1", "Q2")
    assert np.array_equal(matrix.scores, np.array([[1, 0], [np.nan, 1]]), equal_nan=True)
    assert warnings == ()


def test_semicolon_files_and_a_byte_order_mark_are_accepted(tmp_path: Path) -> None:
    matrix, _ = read_responses_csv(write(tmp_path, "\ufeffpupil;Q1;Q2\nA;1;0\n"))
    assert matrix.item_ids == ("Q1", "Q2") and matrix.scores.tolist() == [[1.0, 0.0]]


def test_non_numeric_cells_are_not_presented_with_a_warning_naming_item_and_line(
    tmp_path: Path,
) -> None:
    matrix, warnings = read_responses_csv(write(tmp_path, "id,Q1,Q2\nA,1,0\nB,x,1\nC,?,0\n"))
    assert np.isnan(matrix.scores[1:, 0]).all()
    [warning] = warnings
    assert (warning.code, warning.item, warning.row) == ("non_numeric", "Q1", 3)
    assert "2 cell(s)" in warning.detail


def test_values_out_of_range_are_not_presented_with_a_warning(tmp_path: Path) -> None:
    matrix, warnings = read_responses_csv(write(tmp_path, "id,Q1,Q2\nA,2,0\nB,0.5,1\nC,1,-1\n"))
    assert [(w.code, w.item, w.row) for w in warnings] == [
        ("out_of_range", "Q1", 2),
        ("out_of_range", "Q2", 4),
    ]
    assert np.isnan(matrix.scores[:2, 0]).all() and np.isnan(matrix.scores[2, 1])


def test_a_repeated_person_id_keeps_the_first_row_with_a_warning(tmp_path: Path) -> None:
    matrix, warnings = read_responses_csv(write(tmp_path, "id,Q1\nA,1\nB,0\nA,0\n"))
    assert matrix.person_ids == ("A", "B") and matrix.scores[:, 0].tolist() == [1.0, 0.0]
    assert [(w.code, w.person, w.row) for w in warnings] == [("duplicate_person", "A", 4)]


def test_a_row_without_a_person_id_is_dropped_with_a_warning(tmp_path: Path) -> None:
    matrix, warnings = read_responses_csv(write(tmp_path, "id,Q1\nA,1\n,0\n"))
    assert matrix.person_ids == ("A",)
    assert [(w.code, w.row) for w in warnings] == [("person_no_id", 3)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("id\nA\n", "at least one item column"),
        ("id,Q1,Q1\nA,1,0\n", "repeated: Q1"),
        ("id,Q1,\nA,1,0\n", "no name"),
        ("id,Q1\n", "no data rows"),
    ],
)
def test_a_broken_file_is_refused_with_the_reason(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        read_responses_csv(write(tmp_path, text))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        read_responses_csv(tmp_path / "nope.csv")


def test_a_million_rows_are_read_and_calibrated(tmp_path: Path) -> None:
    patterns = [
        f"{a},{b},{c},{d},{e}"
        for a in (0, 1)
        for b in (0, 1)
        for c in (0, 1)
        for d in (0, 1)
        for e in (0, 1)
    ]
    lines = [f"P{i},{patterns[(i * 7 + i // 32) % 32]}" for i in range(1_000_000)]
    path = write(tmp_path, "id,Q1,Q2,Q3,Q4,Q5\n" + "\n".join(lines) + "\n")
    matrix, warnings = read_responses_csv(path)
    assert matrix.scores.shape == (1_000_000, 5) and warnings == ()
    cal = fit(matrix, "rasch", max_iter=20)
    assert cal.n_persons == 1_000_000
    assert np.isfinite([item.b for item in cal.items]).all()
