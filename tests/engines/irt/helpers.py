"""Shared helpers for the IRT engine tests: small hand-made matrices."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from auyl.engines.irt import ResponseMatrix


def matrix_of(
    rows: Sequence[Sequence[float]], max_scores: list[int] | None = None
) -> ResponseMatrix:
    """A response matrix from a list of rows (NaN = not presented); persons p1.., items i1.."""
    scores = np.array(rows, dtype=np.float64)
    n_persons, n_items = scores.shape
    return ResponseMatrix(
        person_ids=tuple(f"p{i + 1}" for i in range(n_persons)),
        item_ids=tuple(f"i{j + 1}" for j in range(n_items)),
        scores=scores,
        max_scores=np.array(max_scores or [1] * n_items),
    )


def rmse(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(estimate) - np.asarray(truth)) ** 2)))
