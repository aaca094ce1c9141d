"""Item parameters and category probabilities of the Rasch, 2PL and partial credit models.

Every item follows the generalised partial credit form: the probability of score k is
proportional to exp(sum over steps h <= k of a (theta - delta_h)). With one step this is the
2PL, P(correct) = 1 / (1 + exp(-a (theta - b))) with b = delta_1; with a = 1 it is the Rasch
model, and with a = 1 and several steps Masters' partial credit model.

Internally an item is held in slope-intercept form, the logit of category k being
k a theta + d_k with d_0 = 0 and d_k = -a (delta_1 + ... + delta_k). Items are stacked
with their categories padded to the longest item; a padded category has d = -inf and
therefore probability 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from auyl.engines.irt.data import DataWarning

MODELS = ("rasch", "2pl", "pcm")


@dataclass(frozen=True)
class ItemParams:
    """One item: discrimination ``a``, difficulty ``b`` and, for partial credit, its steps.

    For a right/wrong item ``steps`` is empty and ``b`` is the difficulty. For a partial
    credit item ``steps`` holds the step difficulties delta_1..delta_m and ``b`` their mean.
    """

    item: str
    a: float
    b: float
    steps: tuple[float, ...] = ()

    @property
    def deltas(self) -> tuple[float, ...]:
        """Step difficulties, one per score point above 0 (just ``(b,)`` for right/wrong)."""
        return self.steps if self.steps else (self.b,)


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`auyl.engines.irt.fit`: items on the theta scale and its prior.

    theta ~ N(theta_mean, theta_sd^2). ``loglik`` is the marginal log-likelihood at the
    reported parameters; ``items`` excludes items dropped by cleaning (see ``warnings``).
    """

    model: str
    items: tuple[ItemParams, ...]
    theta_mean: float
    theta_sd: float
    loglik: float
    n_persons: int
    iterations: int
    converged: bool
    seconds: float
    warnings: tuple[DataWarning, ...]


@dataclass
class ItemArrays:
    """Stacked slope-intercept parameters: ``a`` (J,), ``d`` (J, K) with -inf padding."""

    a: np.ndarray
    d: np.ndarray

    @property
    def n_categories(self) -> np.ndarray:
        """Number of score categories (max score + 1) of each item."""
        return np.asarray(np.isfinite(self.d).sum(axis=1))


def arrays_from_params(items: Sequence[ItemParams]) -> ItemArrays:
    """Slope-intercept arrays of a sequence of items (categories padded with -inf)."""
    n_cat = max(len(item.deltas) for item in items) + 1
    a = np.array([item.a for item in items], dtype=np.float64)
    d = np.full((len(items), n_cat), -np.inf)
    for j, item in enumerate(items):
        d[j, 0] = 0.0
        d[j, 1 : len(item.deltas) + 1] = -item.a * np.cumsum(item.deltas)
    return ItemArrays(a=a, d=d)


def params_from_arrays(arrays: ItemArrays, item_ids: Sequence[str]) -> tuple[ItemParams, ...]:
    """Item parameters (a, b, steps) back from slope-intercept arrays."""
    result = []
    for j, item in enumerate(item_ids):
        a = float(arrays.a[j])
        d = arrays.d[j][np.isfinite(arrays.d[j])]
        deltas = -np.diff(d) / a
        steps = tuple(float(x) for x in deltas) if deltas.size > 1 else ()
        result.append(ItemParams(item=item, a=a, b=float(deltas.mean()), steps=steps))
    return tuple(result)


def category_log_probs(arrays: ItemArrays, theta: np.ndarray) -> np.ndarray:
    """log P(score = k | theta) with shape (items, categories, thetas); -inf when padded."""
    k = np.arange(arrays.d.shape[1], dtype=np.float64)
    logits = (
        k[None, :, None] * arrays.a[:, None, None] * theta[None, None, :] + arrays.d[:, :, None]
    )
    top = logits.max(axis=1, keepdims=True)
    norm = top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
    return np.asarray(logits - norm)


def category_probs(arrays: ItemArrays, theta: np.ndarray) -> np.ndarray:
    """P(score = k | theta) with shape (items, categories, thetas); 0 when padded."""
    return np.asarray(np.exp(category_log_probs(arrays, theta)))


def score_moments(arrays: ItemArrays, theta: np.ndarray) -> tuple[np.ndarray, ...]:
    """Expected score, variance and third and fourth central moments, each (items, thetas)."""
    probs = category_probs(arrays, theta)
    k = np.arange(arrays.d.shape[1], dtype=np.float64)[None, :, None]
    mean = (probs * k).sum(axis=1)
    dev = k - mean[:, None, :]
    return (
        mean,
        (probs * dev**2).sum(axis=1),
        (probs * dev**3).sum(axis=1),
        (probs * dev**4).sum(axis=1),
    )
