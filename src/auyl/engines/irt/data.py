"""Response matrices, data warnings and the rules that make a matrix estimable.

A :class:`ResponseMatrix` holds one row per person and one column per item. A cell is the
item score (0..max score) or NaN when the item was not presented to that person (missing by
design, e.g. booklets). :func:`clean` removes what cannot be estimated (items nobody or
everybody got right, constant items, persons without any answer) and says so, one
:class:`DataWarning` each, so that no estimate downstream is ever NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: At most this many warnings of one code are listed one by one; the rest are summarised.
MAX_WARNINGS_PER_CODE = 20


@dataclass(frozen=True)
class ResponseMatrix:
    """Scores of persons (rows) on items (columns); NaN = not presented.

    Invariants (checked on construction): ``scores`` is 2-D with one row per person id and
    one column per item id; ``max_scores`` has one positive integer per item.
    """

    person_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    scores: np.ndarray
    max_scores: np.ndarray

    def __post_init__(self) -> None:
        if self.scores.ndim != 2:
            raise ValueError("scores must be a 2-D array (persons x items)")
        n_persons, n_items = self.scores.shape
        if n_persons != len(self.person_ids) or n_items != len(self.item_ids):
            raise ValueError(
                f"scores are {n_persons} x {n_items} but there are {len(self.person_ids)} "
                f"person ids and {len(self.item_ids)} item ids"
            )
        if self.max_scores.shape != (n_items,):
            raise ValueError("max_scores needs one entry per item")
        if n_items and int(np.min(self.max_scores)) < 1:
            raise ValueError("every item needs a max score of at least 1")
        if len(set(self.item_ids)) != n_items:
            raise ValueError("item ids must be unique")


@dataclass(frozen=True)
class DataWarning:
    """Something in the data that was dropped or changed, with a code the app translates.

    Codes: ``item_all_correct``, ``item_none_correct``, ``item_constant``, ``item_too_few``,
    ``item_category_empty``, ``person_no_answers``, ``person_no_id``, ``duplicate_person``,
    ``non_numeric``, ``out_of_range``, ``more_warnings`` (a summary of warnings not listed),
    ``few_anchors``.
    """

    code: str
    detail: str
    item: str | None = None
    person: str | None = None
    row: int | None = None


def cap_warnings(warnings: Sequence[DataWarning]) -> tuple[DataWarning, ...]:
    """Keep the first :data:`MAX_WARNINGS_PER_CODE` warnings of each code, summarise the rest."""
    kept: list[DataWarning] = []
    extra: dict[str, int] = {}
    seen: dict[str, int] = {}
    for warning in warnings:
        seen[warning.code] = seen.get(warning.code, 0) + 1
        if seen[warning.code] <= MAX_WARNINGS_PER_CODE:
            kept.append(warning)
        else:
            extra[warning.code] = extra.get(warning.code, 0) + 1
    for code, count in extra.items():
        kept.append(DataWarning("more_warnings", f"{count} more warnings of type {code}"))
    return tuple(kept)


def check_scores(matrix: ResponseMatrix) -> None:
    """Refuse scores that are not whole numbers in 0..max score (NaN = not presented)."""
    scores = matrix.scores
    if np.isinf(scores).any():
        raise ValueError("scores contain infinite values")
    present = ~np.isnan(scores)
    bad = present & ((scores < 0) | (scores > matrix.max_scores) | (scores != np.round(scores)))
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            f"person {matrix.person_ids[row]}, item {matrix.item_ids[col]}: score "
            f"{scores[row, col]:g} is not a whole number between 0 and "
            f"{int(matrix.max_scores[col])}"
        )


def _item_problem(column: np.ndarray, max_score: int) -> tuple[str, str] | None:
    """Why an item cannot be estimated from its presented scores, or None when it can."""
    answered = column[~np.isnan(column)]
    if answered.size < 2:
        return "item_too_few", f"only {answered.size} answer(s)"
    low, high = float(answered.min()), float(answered.max())
    if low == high:
        if high == max_score:
            return "item_all_correct", "every answer has the full score"
        if high == 0:
            return "item_none_correct", "every answer scores 0"
        return "item_constant", f"every answer scores {high:g}"
    if max_score > 1:
        used = np.bincount(answered.astype(np.int64), minlength=max_score + 1)
        empty = [str(k) for k in range(max_score + 1) if used[k] == 0]
        if empty:
            return "item_category_empty", "no answer scores " + ", ".join(empty)
    return None


def subset(matrix: ResponseMatrix, persons: np.ndarray, items: np.ndarray) -> ResponseMatrix:
    """The matrix restricted to the persons and items selected by two boolean masks."""
    return ResponseMatrix(
        person_ids=tuple(p for p, keep in zip(matrix.person_ids, persons, strict=True) if keep),
        item_ids=tuple(i for i, keep in zip(matrix.item_ids, items, strict=True) if keep),
        scores=matrix.scores[np.ix_(persons, items)]
        if not (persons.all() and items.all())
        else matrix.scores,
        max_scores=matrix.max_scores[items],
    )


def clean(matrix: ResponseMatrix) -> tuple[ResponseMatrix, tuple[DataWarning, ...]]:
    """Drop items and persons that cannot be estimated, one warning each.

    Items: fewer than two answers, all answers equal (all right, all wrong or one constant
    partial score), or a partial-credit category nobody reached. Persons: no answer on any
    kept item. Dropping items can leave persons without answers, so the rules are applied
    until nothing changes. Scores outside 0..max score raise ValueError; so does a matrix with
    no estimable item or fewer than two estimable persons.
    """
    check_scores(matrix)
    warnings: list[DataWarning] = []
    keep_items = np.ones(len(matrix.item_ids), dtype=bool)
    keep_persons = np.ones(len(matrix.person_ids), dtype=bool)
    answered = ~np.isnan(matrix.scores)
    while True:
        no_answers = keep_persons & ~(answered[:, keep_items].any(axis=1))
        for row in np.flatnonzero(no_answers):
            person = matrix.person_ids[row]
            warnings.append(
                DataWarning("person_no_answers", f"person {person} has no answers", person=person)
            )
        keep_persons &= ~no_answers
        dropped_item = False
        for col in np.flatnonzero(keep_items):
            problem = _item_problem(matrix.scores[keep_persons, col], int(matrix.max_scores[col]))
            if problem is not None:
                code, reason = problem
                item = matrix.item_ids[col]
                warnings.append(DataWarning(code, f"item {item} dropped: {reason}", item=item))
                keep_items[col] = False
                dropped_item = True
        if not dropped_item:
            break
    if not keep_items.any():
        raise ValueError("no item can be estimated (see the warnings: " + _codes(warnings) + ")")
    if keep_persons.sum() < 2:
        raise ValueError("fewer than two persons have answers")
    return subset(matrix, keep_persons, keep_items), cap_warnings(warnings)


def _codes(warnings: Sequence[DataWarning]) -> str:
    return ", ".join(sorted({w.code for w in warnings})) or "no data"
