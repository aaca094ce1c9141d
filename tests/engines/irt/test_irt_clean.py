"""Bad input in a response matrix: what cannot be estimated is dropped with one warning
each (never a NaN later), and scores that are not scores are refused with the reason."""

from __future__ import annotations

import numpy as np
import pytest

from auyl.engines.irt import ResponseMatrix, clean, fit, score_eap, score_wle
from tests.engines.irt.helpers import matrix_of

NAN = float("nan")
GOOD = [[1, 0], [0, 1], [1, 1], [0, 0]]


def codes(warnings: tuple[object, ...]) -> list[str]:
    return [w.code for w in warnings]  # type: ignore[attr-defined]


def test_an_item_everybody_answered_right_is_dropped_with_a_warning() -> None:
    kept, warnings = clean(matrix_of([[*row, 1] for row in GOOD]))
    assert kept.item_ids == ("i1", "i2")
    assert codes(warnings) == ["item_all_correct"]
    assert warnings[0].item == "i3"


def test_an_item_nobody_answered_right_is_dropped_with_a_warning() -> None:
    _, warnings = clean(matrix_of([[*row, 0] for row in GOOD]))
    assert codes(warnings) == ["item_none_correct"]


def test_a_partial_credit_item_with_one_constant_middle_score_is_dropped() -> None:
    _, warnings = clean(matrix_of([[*row, 1] for row in GOOD], max_scores=[1, 1, 2]))
    assert codes(warnings) == ["item_constant"]


def test_a_partial_credit_item_with_an_unused_score_is_dropped() -> None:
    rows = [[*row, s] for row, s in zip(GOOD, [0, 2, 0, 2], strict=True)]
    _, warnings = clean(matrix_of(rows, max_scores=[1, 1, 2]))
    assert codes(warnings) == ["item_category_empty"]


def test_an_item_presented_to_fewer_than_two_persons_is_dropped() -> None:
    _, warnings = clean(
        matrix_of([[*row, s] for row, s in zip(GOOD, [1, NAN, NAN, NAN], strict=True)])
    )
    assert codes(warnings) == ["item_too_few"]


def test_a_person_without_answers_is_dropped_with_a_warning() -> None:
    kept, warnings = clean(matrix_of([*GOOD, [NAN, NAN]]))
    assert kept.person_ids == ("p1", "p2", "p3", "p4")
    assert codes(warnings) == ["person_no_answers"]
    assert warnings[0].person == "p5"


def test_a_person_left_without_answers_by_a_dropped_item_is_dropped_too() -> None:
    rows = [[*row, 1] for row in GOOD] + [[NAN, NAN, 1]]
    kept, warnings = clean(matrix_of(rows))
    assert codes(warnings) == ["item_all_correct", "person_no_answers"]
    assert len(kept.person_ids) == 4


@pytest.mark.parametrize(
    ("bad", "reason"), [(2.0, "between 0 and 1"), (0.5, "whole number"), (-1.0, "between")]
)
def test_a_score_that_is_not_a_valid_score_is_refused_with_person_and_item(
    bad: float, reason: str
) -> None:
    with pytest.raises(ValueError, match=f"person p2, item i1.*{reason}"):
        clean(matrix_of([[1, 0], [bad, 1], [0, 1]]))


def test_infinite_scores_are_refused() -> None:
    with pytest.raises(ValueError, match="infinite"):
        clean(matrix_of([[1, 0], [np.inf, 1]]))


def test_a_matrix_where_no_item_can_be_estimated_is_refused_naming_the_reasons() -> None:
    with pytest.raises(ValueError, match="item_all_correct"):
        clean(matrix_of([[1, 1], [1, 1], [1, 1]]))


def test_a_matrix_whose_shape_does_not_match_its_ids_is_refused() -> None:
    with pytest.raises(ValueError, match="person ids"):
        ResponseMatrix(("p1",), ("i1",), np.zeros((2, 1)), np.array([1]))


def test_repeated_item_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        ResponseMatrix(("p1",), ("i1", "i1"), np.zeros((1, 2)), np.array([1, 1]))


def test_many_warnings_of_one_kind_are_summarised_after_twenty() -> None:
    rng = np.random.default_rng(0)
    scores = (rng.random((200, 3)) < 0.5).astype(float)
    scores[100:, :] = NAN
    matrix = ResponseMatrix(
        tuple(f"p{i}" for i in range(200)), ("a", "b", "c"), scores, np.ones(3, dtype=int)
    )
    _, warnings = clean(matrix)
    assert codes(warnings).count("person_no_answers") == 20
    assert warnings[-1].code == "more_warnings" and "80 more" in warnings[-1].detail


def test_fit_and_scores_on_messy_data_are_all_finite() -> None:
    rng = np.random.default_rng(1)
    scores = (rng.random((300, 6)) < 0.6).astype(float)
    scores[:, 0] = 1.0  # everybody right
    scores[:, 1] = 0.0  # nobody right
    scores[rng.random((300, 6)) < 0.2] = NAN
    scores[5] = NAN  # a person with no answers
    scores[6, 2:] = 1.0  # all right on the kept items
    scores[7, 2:] = 0.0  # all wrong on the kept items
    matrix = ResponseMatrix(
        tuple(f"p{i}" for i in range(300)), tuple("abcdef"), scores, np.ones(6, dtype=int)
    )
    cal = fit(matrix, "2pl")
    assert {w.code for w in cal.warnings} == {
        "item_all_correct",
        "item_none_correct",
        "person_no_answers",
    }
    assert [item.item for item in cal.items] == list("cdef")
    values = [cal.loglik, cal.theta_sd] + [v for i in cal.items for v in (i.a, i.b)]
    assert np.isfinite(values).all()
    eap = score_eap(cal, matrix)
    assert np.isfinite(eap.theta).all() and np.isfinite(eap.se).all()
    answered = np.flatnonzero(~np.isnan(scores[:, 2:]).all(axis=1))
    kept = ResponseMatrix(
        tuple(matrix.person_ids[i] for i in answered),
        matrix.item_ids,
        scores[answered],
        matrix.max_scores,
    )
    wle = score_wle(cal, kept)
    assert np.isfinite(wle.theta).all() and np.isfinite(wle.se).all()
