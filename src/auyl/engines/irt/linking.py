"""Linking two calibrations through common (anchor) items.

A link (A, B) puts the new calibration on the base scale: theta_base = A theta_new + B, so
an item's a becomes a / A and each step difficulty A delta + B. Stocking-Lord finds A and B
that make the anchors' test characteristic curve (expected total score) match; Haebara
matches each anchor's category curves; mean-sigma matches the mean and SD of the anchors'
difficulties. The curve methods average squared differences over a theta grid weighted by
N(0, 1) on the base scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize

from auyl.engines.irt.data import DataWarning
from auyl.engines.irt.model import Calibration, ItemParams, arrays_from_params, category_probs

METHODS = ("stocking_lord", "haebara", "mean_sigma")
#: Fewer anchors than this give a warning: the link then rests on too few items.
MIN_ANCHORS = 3
GRID = np.linspace(-4.0, 4.0, 41)
GRID_WEIGHTS = np.exp(-0.5 * GRID**2) / np.exp(-0.5 * GRID**2).sum()


@dataclass(frozen=True)
class Link:
    """theta_on_base = a * theta_new + b, found by ``method`` on ``anchors``."""

    method: str
    a: float
    b: float
    anchors: tuple[str, ...]
    warnings: tuple[DataWarning, ...]


def transform_item(item: ItemParams, a: float, b: float) -> ItemParams:
    """An item of the new calibration expressed on the base scale."""
    return ItemParams(
        item=item.item,
        a=item.a / a,
        b=a * item.b + b,
        steps=tuple(a * step + b for step in item.steps),
    )


def apply_link(cal: Calibration, link: Link) -> Calibration:
    """The whole calibration (items and theta distribution) on the base scale."""
    return replace(
        cal,
        items=tuple(transform_item(item, link.a, link.b) for item in cal.items),
        theta_mean=link.a * cal.theta_mean + link.b,
        theta_sd=link.a * cal.theta_sd,
    )


def mean_sigma(base: Sequence[ItemParams], new: Sequence[ItemParams]) -> tuple[float, float]:
    """A = SD(base deltas) / SD(new deltas), B = mean(base) - A mean(new); A = 1 if SD is 0."""
    base_d = np.concatenate([item.deltas for item in base])
    new_d = np.concatenate([item.deltas for item in new])
    spread = float(np.std(new_d))
    a = float(np.std(base_d)) / spread if spread > 0 and np.std(base_d) > 0 else 1.0
    return a, float(np.mean(base_d) - a * np.mean(new_d))


def _curve_loss(
    base: Sequence[ItemParams], new: Sequence[ItemParams], method: str
) -> optimize.OptimizeResult:
    base_probs = category_probs(arrays_from_params(base), GRID)
    k = np.arange(base_probs.shape[1])

    def loss(x: np.ndarray) -> float:
        a, b = float(x[0]), float(x[1])
        if a <= 0:
            return 1e12
        moved = [transform_item(item, a, b) for item in new]
        probs = category_probs(arrays_from_params(moved), GRID)
        if method == "stocking_lord":
            diff = (base_probs * k[None, :, None]).sum(axis=(0, 1)) - (
                probs * np.arange(probs.shape[1])[None, :, None]
            ).sum(axis=(0, 1))
            return float(GRID_WEIGHTS @ diff**2)
        width = min(base_probs.shape[1], probs.shape[1])
        diff2 = ((base_probs[:, :width] - probs[:, :width]) ** 2).sum(axis=(0, 1))
        return float(GRID_WEIGHTS @ diff2)

    start = np.array(mean_sigma(base, new))
    return optimize.minimize(
        loss, start, method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-12, "maxiter": 2000}
    )


def link(
    base: Sequence[ItemParams], new: Sequence[ItemParams], method: str = "stocking_lord"
) -> Link:
    """Link ``new`` to ``base`` through the items present in both (by item id).

    Raises ValueError for an unknown method, no common item or anchors whose number of
    steps differs; warns (``few_anchors``) with fewer than :data:`MIN_ANCHORS` anchors.
    """
    if method not in METHODS:
        raise ValueError(f"unknown linking method {method!r}: use one of {', '.join(METHODS)}")
    by_id = {item.item: item for item in base}
    anchors = tuple(item.item for item in new if item.item in by_id)
    if not anchors:
        raise ValueError("the two calibrations have no item in common: they cannot be linked")
    base_anchors = [by_id[item] for item in anchors]
    new_anchors = [item for item in new if item.item in by_id]
    for old, fresh in zip(base_anchors, new_anchors, strict=True):
        if len(old.deltas) != len(fresh.deltas):
            raise ValueError(f"anchor {old.item} has different score points in the two years")
    warnings: tuple[DataWarning, ...] = ()
    if len(anchors) < MIN_ANCHORS:
        warnings = (
            DataWarning(
                "few_anchors",
                f"only {len(anchors)} anchor item(s); at least {MIN_ANCHORS} are advised",
            ),
        )
    if method == "mean_sigma":
        a, b = mean_sigma(base_anchors, new_anchors)
    else:
        result = _curve_loss(base_anchors, new_anchors, method)
        a, b = float(result.x[0]), float(result.x[1])
    return Link(method=method, a=a, b=b, anchors=anchors, warnings=warnings)
