"""Simulated responses with known item parameters, for recovery tests and benchmarks."""

from __future__ import annotations

import numpy as np

from auyl.engines.irt.data import ResponseMatrix
from auyl.engines.irt.model import MODELS, ItemParams, arrays_from_params, category_probs


def true_items(n_items: int, model: str, rng: np.random.Generator) -> tuple[ItemParams, ...]:
    """Plausible items: b ~ N(0, 1); a ~ U(0.7, 2) for 2PL, else 1.

    For ``pcm`` every third item has three score points with steps spread around b.
    """
    items = []
    for j in range(n_items):
        a = float(rng.uniform(0.7, 2.0)) if model == "2pl" else 1.0
        b = float(rng.normal(0.0, 1.0))
        steps: tuple[float, ...] = ()
        if model == "pcm" and j % 3 == 2:
            steps = (b - 0.8, b, b + 0.8)
        items.append(ItemParams(item=f"Q{j + 1:02d}", a=a, b=b, steps=steps))
    return tuple(items)


def simulate(
    n_persons: int,
    n_items: int,
    *,
    model: str = "2pl",
    seed: int = 0,
    theta: np.ndarray | None = None,
    theta_sd: float = 1.0,
    missing: float = 0.0,
    items: tuple[ItemParams, ...] | None = None,
) -> tuple[ResponseMatrix, tuple[ItemParams, ...]]:
    """Responses of ``n_persons`` to ``n_items`` drawn from the model, and the true items.

    theta ~ N(0, theta_sd^2) unless given. A share ``missing`` of cells, chosen at random,
    is left not presented (NaN). Persons are P000001.., items Q01...
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}")
    rng = np.random.default_rng(seed)
    items = items if items is not None else true_items(n_items, model, rng)
    if theta is None:
        theta = rng.normal(0.0, theta_sd, n_persons)
    arrays = arrays_from_params(items)
    scores = np.empty((n_persons, len(items)), dtype=np.float64)
    for j in range(len(items)):  # one item at a time keeps memory at persons x categories
        single = type(arrays)(a=arrays.a[j : j + 1], d=arrays.d[j : j + 1])
        cumulative = np.cumsum(category_probs(single, theta)[0], axis=0)
        draws = rng.random(n_persons)
        scores[:, j] = (draws[None, :] > cumulative[:-1]).sum(axis=0)
    if missing > 0:
        scores[rng.random(scores.shape) < missing] = np.nan
    max_scores = np.array([len(item.deltas) for item in items])
    return (
        ResponseMatrix(
            person_ids=tuple(f"P{i + 1:06d}" for i in range(n_persons)),
            item_ids=tuple(item.item for item in items),
            scores=scores,
            max_scores=max_scores,
        ),
        items,
    )
