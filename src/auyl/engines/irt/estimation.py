"""Marginal maximum likelihood by EM with Gauss-Hermite quadrature (Bock and Aitkin).

The E-step computes, for every distinct response pattern, the log-likelihood at each
quadrature node from per-item log-probability rows (a not-presented cell adds nothing),
the posterior over the nodes, and from it the expected counts per item, category and node;
a compiled loop (:mod:`kernels`) does this on all cores. The M-step solves one small
weighted multinomial-logit problem per item by Newton's method, all items at once, and
updates the mean and SD of theta from the posterior moments when they are free. Identical
response patterns are collapsed first and weighted by their counts; SQUAREM extrapolation
roughly halves the number of EM iterations.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from auyl.engines.irt import kernels
from auyl.engines.irt.data import DataWarning, ResponseMatrix, clean
from auyl.engines.irt.model import (
    MODELS,
    Calibration,
    ItemArrays,
    ItemParams,
    arrays_from_params,
    category_log_probs,
    category_probs,
    params_from_arrays,
)

#: Largest allowed |a| and |d|: keeps Newton steps finite on nearly separable items.
MAX_SLOPE = 20.0
MAX_INTERCEPT = 80.0


@dataclass(frozen=True)
class Patterns:
    """Distinct response patterns with their counts.

    ``codes`` (U, J) uint8: the score, or K (the number of categories) when not presented.
    ``counts`` (U,): how many persons gave each pattern; ``index`` (N,): pattern of each.
    """

    codes: np.ndarray
    counts: np.ndarray
    index: np.ndarray


def collapse_patterns(scores: np.ndarray, n_categories: int) -> Patterns:
    """Group identical rows (np.unique on a packed byte view of each row)."""
    if n_categories > 255:
        raise ValueError("max score above 254 is not supported")
    codes = np.where(np.isnan(scores), n_categories, scores).astype(np.uint8)
    codes = np.ascontiguousarray(codes)
    packed = np.packbits(codes, axis=1) if codes.max(initial=0) <= 1 else codes
    packed = np.ascontiguousarray(packed)
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, index, counts = np.unique(
        rows, return_index=True, return_inverse=True, return_counts=True
    )
    return Patterns(
        codes=np.ascontiguousarray(codes[first]),
        counts=counts.astype(np.float64),
        index=index.ravel(),
    )


@dataclass(frozen=True)
class Quadrature:
    """Standard normal Gauss-Hermite nodes z and weights (summing to 1)."""

    nodes: np.ndarray
    weights: np.ndarray


def gauss_hermite(n: int) -> Quadrature:
    """Probabilists' Gauss-Hermite rule for N(0, 1) with n nodes."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(n)
    return Quadrature(nodes=nodes, weights=weights / weights.sum())


@dataclass(frozen=True)
class Expectation:
    """E-step output: expected counts (J, K, Q), posterior mass per node, log-likelihood."""

    counts: np.ndarray
    node_mass: np.ndarray
    loglik: float


def likelihood_table(
    arrays: ItemArrays, theta: np.ndarray, log_prior: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The kernels' table (J, K+1, Q) and log prior (Q,), see :mod:`kernels`.

    table[j, k] = log P_j(k) - log P_j(0) for k < K (0 for padded categories),
    table[j, K] = -log P_j(0) (not presented); prior = log_prior + sum_j log P_j(0).
    """
    log_p = category_log_probs(arrays, theta)
    n_items, n_cat, n_nodes = log_p.shape
    base = log_p[:, 0, :]
    table = np.zeros((n_items, n_cat + 1, n_nodes))
    table[:, :n_cat, :] = np.where(np.isfinite(log_p), log_p - base[:, None, :], 0.0)
    table[:, n_cat, :] = -base
    return table, log_prior + base.sum(axis=0)


def expectation(
    patterns: Patterns, arrays: ItemArrays, theta: np.ndarray, log_prior: np.ndarray
) -> Expectation:
    """E-step: expected category counts per item and node, and the marginal loglik."""
    table, prior = likelihood_table(arrays, theta, log_prior)
    counts, node_mass, loglik = kernels.estep(patterns.codes, patterns.counts, table, prior)
    return Expectation(counts=counts[:, :-1, :], node_mass=node_mass, loglik=loglik)


def newton_step(
    arrays: ItemArrays, free: np.ndarray, counts: np.ndarray, theta: np.ndarray
) -> float:
    """One Newton step for every item at once; returns the largest parameter change.

    Per item, maximise sum over nodes q and categories k of counts[k, q] log P_k(theta_q)
    in (a, d_1..d_{K-1}); ``free`` (J, K) marks which of these are estimated (column 0 = a).
    The problem is concave, so Newton converges; steps are capped at 1 for safety.
    """
    probs = category_probs(arrays, theta)
    n_cat = arrays.d.shape[1]
    k = np.arange(n_cat, dtype=np.float64)
    total = counts.sum(axis=1)
    resid = counts - total[:, None, :] * probs
    mean_k = (probs * k[None, :, None]).sum(axis=1)
    var_k = (probs * k[None, :, None] ** 2).sum(axis=1) - mean_k**2
    grad = np.empty(free.shape)
    grad[:, 0] = ((resid * k[None, :, None]).sum(axis=1) * theta).sum(axis=1)
    grad[:, 1:] = resid[:, 1:, :].sum(axis=2)
    info = np.empty((*free.shape, n_cat))
    info[:, 0, 0] = (total * theta**2 * var_k).sum(axis=1)
    cross = (total[:, None, :] * theta * probs * (k[None, :, None] - mean_k[:, None, :])).sum(
        axis=2
    )
    info[:, 0, 1:] = cross[:, 1:]
    info[:, 1:, 0] = cross[:, 1:]
    p = probs[:, 1:, :]
    info[:, 1:, 1:] = -np.einsum("jq,jhq,jlq->jhl", total, p, p)
    diag = np.einsum("jq,jhq->jh", total, p)
    info[:, np.arange(1, n_cat), np.arange(1, n_cat)] += diag
    fixed = ~free
    grad[fixed] = 0.0
    info[fixed[:, :, None] | fixed[:, None, :]] = 0.0
    info[:, np.arange(n_cat), np.arange(n_cat)] += fixed + 1e-9
    step = np.linalg.solve(info, grad[:, :, None])[:, :, 0]
    biggest = np.abs(step).max(axis=1, keepdims=True)
    step /= np.maximum(biggest, 1.0)
    arrays.a = np.clip(arrays.a + step[:, 0], -MAX_SLOPE, MAX_SLOPE)
    d_new = np.clip(arrays.d[:, 1:] + step[:, 1:], -MAX_INTERCEPT, MAX_INTERCEPT)
    arrays.d[:, 1:] = np.where(np.isfinite(arrays.d[:, 1:]), d_new, -np.inf)
    return float(np.abs(step).max(initial=0.0))


def maximise_items(
    arrays: ItemArrays, free: np.ndarray, counts: np.ndarray, theta: np.ndarray
) -> None:
    """M-step for the items: Newton steps on the expected counts until they settle."""
    for _ in range(25):
        if newton_step(arrays, free, counts, theta) < 1e-7:
            break


def initial_arrays(matrix: ResponseMatrix) -> ItemArrays:
    """Start values: a = 1 and intercepts from the observed category shares (log odds)."""
    n_cat = int(matrix.max_scores.max()) + 1
    d = np.full((len(matrix.item_ids), n_cat), -np.inf)
    for j, max_score in enumerate(matrix.max_scores):
        column = matrix.scores[:, j]
        used = np.bincount(column[~np.isnan(column)].astype(np.int64), minlength=n_cat)
        shares = used[: max_score + 1] + 0.5
        d[j, : max_score + 1] = np.log(shares / shares[0])
    return ItemArrays(a=np.ones(len(matrix.item_ids)), d=d)


def free_mask(arrays: ItemArrays, slopes_free: bool, fixed_rows: np.ndarray) -> np.ndarray:
    """Which of (a, d_1..d_{K-1}) are estimated: intercepts of real categories of free items."""
    free = np.zeros(arrays.d.shape, dtype=bool)
    free[:, 0] = slopes_free
    free[:, 1:] = np.isfinite(arrays.d[:, 1:])
    free[fixed_rows] = False
    return free


def _check_model(matrix: ResponseMatrix, model: str) -> None:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}: use one of {', '.join(MODELS)}")
    if model != "pcm" and int(matrix.max_scores.max()) > 1:
        raise ValueError(f"model {model} needs right/wrong items; use pcm for partial credit")


def _apply_fixed(
    arrays: ItemArrays, item_ids: tuple[str, ...], fixed: Mapping[str, ItemParams]
) -> np.ndarray:
    """Overwrite anchor items with their given parameters; returns their row mask."""
    rows = np.zeros(len(item_ids), dtype=bool)
    for j, item in enumerate(item_ids):
        if item in fixed:
            given = arrays_from_params([fixed[item]])
            width = given.d.shape[1]
            if width > arrays.d.shape[1] or np.isfinite(arrays.d[j, width:]).any():
                raise ValueError(f"fixed item {item}: its steps do not match its max score")
            arrays.a[j] = given.a[0]
            arrays.d[j, :width] = given.d[0]
            rows[j] = True
    return rows


@dataclass(frozen=True)
class EMProblem:
    """Everything one EM iteration needs besides the current parameters."""

    patterns: Patterns
    free: np.ndarray
    mean_free: bool
    sd_free: bool
    rule: Quadrature
    padding: np.ndarray  # True where a category is padded (d = -inf)


def pack(arrays: ItemArrays, mean: float, sd: float, problem: EMProblem) -> np.ndarray:
    """All parameters as one vector: a, the real intercepts, mean and SD of theta."""
    return np.concatenate([arrays.a, arrays.d[~problem.padding], [mean, sd]])


def unpack(x: np.ndarray, problem: EMProblem) -> tuple[ItemArrays, float, float]:
    """Inverse of :func:`pack`."""
    n_items = problem.padding.shape[0]
    d = np.full(problem.padding.shape, -np.inf)
    d[~problem.padding] = x[n_items:-2]
    return ItemArrays(a=x[:n_items].copy(), d=d), float(x[-2]), float(x[-1])


def em_iteration(x: np.ndarray, problem: EMProblem) -> tuple[np.ndarray, float]:
    """One EM iteration from parameters ``x``: the new parameters and the loglik at ``x``."""
    arrays, mean, sd = unpack(x, problem)
    theta = mean + sd * problem.rule.nodes
    expected = expectation(problem.patterns, arrays, theta, np.log(problem.rule.weights))
    maximise_items(arrays, problem.free, expected.counts, theta)
    n_persons = float(problem.patterns.counts.sum())
    if problem.mean_free:
        mean = float(expected.node_mass @ theta / n_persons)
    if problem.sd_free:
        sd = float(np.sqrt(expected.node_mass @ (theta - mean) ** 2 / n_persons))
    return pack(arrays, mean, sd, problem), expected.loglik


def plausible(x: np.ndarray, problem: EMProblem) -> bool:
    """An extrapolated point is usable: finite, slopes and intercepts in range, SD > 0.05."""
    n_items = problem.padding.shape[0]
    return bool(
        np.isfinite(x).all()
        and np.abs(x[:n_items]).max() <= MAX_SLOPE
        and np.abs(x[n_items:-2]).max(initial=0.0) <= MAX_INTERCEPT
        and x[-1] > 0.05
    )


def squarem_point(x0: np.ndarray, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """SQUAREM extrapolation (Varadhan and Roland 2008, scheme S3) from two EM steps.

    r = x1 - x0, v = (x2 - x1) - r, step alpha = -|r| / |v| (at most -1, where the point
    is x2 itself): x0 - 2 alpha r + alpha^2 v.
    """
    r = x1 - x0
    v = x2 - x1 - r
    norm_v = float(np.linalg.norm(v))
    alpha = min(-float(np.linalg.norm(r)) / norm_v, -1.0) if norm_v > 0 else -1.0
    return np.asarray(x0 - 2.0 * alpha * r + alpha**2 * v)


@dataclass
class EMRun:
    """Progress of an EM run: reported parameters, their loglik, iterations, convergence."""

    x: np.ndarray
    loglik: float = -np.inf
    iterations: int = 0
    converged: bool = False


def run_em(x: np.ndarray, problem: EMProblem, max_iter: int, tol: float, accelerate: bool) -> EMRun:
    """EM until no parameter moves more than ``tol`` in one iteration, or ``max_iter``.

    With ``accelerate``, each cycle takes two EM steps, extrapolates (SQUAREM) and takes a
    third step from the extrapolated point when that point is plausible and its loglik is
    not below the cycle's start (EM's monotone increase is kept); otherwise it continues
    from the second plain step. Every EM iteration counts towards ``max_iter``.
    """
    run = EMRun(x=x)
    while run.iterations < max_iter:
        start = run.x
        x1, run.loglik = em_iteration(start, problem)
        run.iterations += 1
        if float(np.abs(x1 - start).max()) < tol:
            run.converged = True
            return run
        run.x = x1
        if not accelerate or run.iterations >= max_iter:
            continue
        start_loglik = run.loglik
        x2, run.loglik = em_iteration(x1, problem)
        run.iterations += 1
        run.x = x2
        point = squarem_point(start, x1, x2)
        if run.iterations >= max_iter or not plausible(point, problem):
            continue
        x3, point_loglik = em_iteration(point, problem)
        run.iterations += 1
        if point_loglik >= start_loglik:
            run.x, run.loglik = x3, point_loglik
    return run


def fit(
    matrix: ResponseMatrix,
    model: str,
    *,
    fixed: Mapping[str, ItemParams] | None = None,
    quadrature: int = 41,
    max_iter: int = 500,
    tol: float = 1e-4,
    accelerate: bool = True,
) -> Calibration:
    """Calibrate items by marginal maximum likelihood (EM with Gauss-Hermite quadrature).

    ``2pl``: theta ~ N(0, 1), a and b free. ``rasch``: a = 1, theta ~ N(0, s^2) with s
    estimated. ``pcm``: a = 1, Rasch for right/wrong items and Masters' partial credit for
    items with max score > 1, s estimated. Items in ``fixed`` keep the given parameters
    (fixed-parameter linking); then the mean and SD of theta are both estimated. The data
    are cleaned first (:func:`clean`); dropped items appear only in ``warnings``. EM stops
    when no parameter moved more than ``tol`` in an iteration (``converged``) or after
    ``max_iter`` iterations; ``accelerate`` uses SQUAREM extrapolation (fewer iterations,
    same optimum). When converged, ``loglik`` is computed at the reported parameters.
    """
    started = time.perf_counter()
    fixed = fixed or {}
    _check_model(matrix, model)
    if quadrature < 5:
        raise ValueError("quadrature needs at least 5 nodes")
    data, warnings = clean(matrix)
    arrays = initial_arrays(data)
    fixed_rows = _apply_fixed(arrays, data.item_ids, fixed)
    problem = EMProblem(
        patterns=collapse_patterns(data.scores, arrays.d.shape[1]),
        free=free_mask(arrays, model == "2pl", fixed_rows),
        mean_free=bool(fixed_rows.any()),
        sd_free=model != "2pl" or bool(fixed_rows.any()),
        rule=gauss_hermite(quadrature),
        padding=~np.isfinite(arrays.d),
    )
    run = run_em(pack(arrays, 0.0, 1.0, problem), problem, max_iter, tol, accelerate)
    arrays, mean, sd = unpack(run.x, problem)
    return Calibration(
        model=model,
        items=params_from_arrays(arrays, data.item_ids),
        theta_mean=mean,
        theta_sd=sd,
        loglik=float(run.loglik),
        n_persons=int(problem.patterns.counts.sum()),
        iterations=run.iterations,
        converged=run.converged,
        seconds=time.perf_counter() - started,
        warnings=warnings + _unused_fixed(fixed, data.item_ids),
    )


def _unused_fixed(
    fixed: Mapping[str, ItemParams], item_ids: tuple[str, ...]
) -> tuple[DataWarning, ...]:
    missing = sorted(set(fixed) - set(item_ids))
    return tuple(
        DataWarning("fixed_item_absent", f"fixed item {item} is not in the data", item=item)
        for item in missing
    )
