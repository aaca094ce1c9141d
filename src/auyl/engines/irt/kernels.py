"""Compiled loops of the E-step and of EAP scoring (numba, no GIL, run on threads).

A response pattern is a row of category codes (0..K-1, or K for not presented). The
table holds, per item, log P(category | node) - log P(0 | node), and for code K
-log P(0 | node); the sum over items of log P(0 | node) is folded into the log prior. So a
pattern's log-likelihood at a node is the prior plus the table rows of its non-zero codes
(about half the work of adding every item). The loop normalises the posterior over the
nodes and, in the E-step, adds it to the expected counts of the non-zero codes; counts of
code 0 follow as the node mass minus the others. Rows are split into one block per
thread; each thread keeps its own accumulators, summed afterwards (so results do not
depend on timing).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import numpy as np
from numba import njit

#: Worker threads for the compiled loops (the loops release the GIL).
THREADS = max(1, min(4, os.cpu_count() or 1))


def _pattern_loglik(
    codes: np.ndarray, table: np.ndarray, log_prior: np.ndarray, post: np.ndarray
) -> float:
    """Fill ``post`` with log prior + log P(pattern | node) - max; return that max."""
    n_nodes = log_prior.size
    for q in range(n_nodes):
        post[q] = log_prior[q]
    for j in range(codes.size):
        c = codes[j]
        if c != 0:
            for q in range(n_nodes):
                post[q] += table[j, c, q]
    top = post[0]
    for q in range(n_nodes):
        top = max(top, post[q])
    for q in range(n_nodes):
        post[q] -= top
    return float(top)


_compile = cast(Callable[..., Any], njit(nogil=True, cache=True, boundscheck=False))
_pattern_loglik_compiled = _compile(_pattern_loglik)


def _estep_block(
    codes: np.ndarray,
    weights: np.ndarray,
    table: np.ndarray,
    log_prior: np.ndarray,
    counts: np.ndarray,
    node_mass: np.ndarray,
) -> float:
    n_rows, n_items = codes.shape
    n_nodes = log_prior.size
    post = np.empty(n_nodes)
    loglik = 0.0
    for n in range(n_rows):
        top = _pattern_loglik_compiled(codes[n], table, log_prior, post)
        total = 0.0
        for q in range(n_nodes):
            post[q] = np.exp(post[q])
            total += post[q]
        loglik += weights[n] * (np.log(total) + top)
        scale = weights[n] / total
        for q in range(n_nodes):
            post[q] *= scale
            node_mass[q] += post[q]
        for j in range(n_items):
            c = codes[n, j]
            if c != 0:
                for q in range(n_nodes):
                    counts[j, c, q] += post[q]
    return loglik


def _moments_block(
    codes: np.ndarray,
    table: np.ndarray,
    log_prior: np.ndarray,
    theta: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
) -> None:
    n_nodes = log_prior.size
    post = np.empty(n_nodes)
    for n in range(codes.shape[0]):
        _pattern_loglik_compiled(codes[n], table, log_prior, post)
        total = 0.0
        first = 0.0
        second = 0.0
        for q in range(n_nodes):
            weight = np.exp(post[q])
            total += weight
            first += weight * theta[q]
            second += weight * theta[q] * theta[q]
        mean[n] = first / total
        var[n] = max(second / total - mean[n] * mean[n], 1e-12)


_estep_compiled = _compile(_estep_block)
_moments_compiled = _compile(_moments_block)


def _blocks(n_rows: int) -> list[slice]:
    size = -(-n_rows // THREADS) if n_rows else 1
    return [slice(start, min(start + size, n_rows)) for start in range(0, n_rows, size)]


def estep(
    codes: np.ndarray, weights: np.ndarray, table: np.ndarray, log_prior: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Expected counts (J, K+1, Q), posterior mass per node (Q,) and the marginal loglik.

    ``codes`` (U, J) uint8 with K meaning not presented; ``weights`` (U,) pattern counts;
    ``table`` (J, K+1, Q) and ``log_prior`` (Q,) as described in the module docstring.
    Counts of code 0 are filled in from the node mass.
    """
    blocks = _blocks(codes.shape[0])
    counts = np.zeros((len(blocks), *table.shape))
    mass = np.zeros((len(blocks), log_prior.size))

    def run(i: int) -> float:
        rows = blocks[i]
        return float(
            _estep_compiled(codes[rows], weights[rows], table, log_prior, counts[i], mass[i])
        )

    with ThreadPoolExecutor(max_workers=len(blocks)) as pool:
        logliks = list(pool.map(run, range(len(blocks))))
    total_counts, total_mass = counts.sum(axis=0), mass.sum(axis=0)
    total_counts[:, 0, :] = total_mass[None, :] - total_counts[:, 1:, :].sum(axis=1)
    return total_counts, total_mass, float(sum(logliks))


def posterior_moments(
    codes: np.ndarray, table: np.ndarray, log_prior: np.ndarray, theta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and variance of theta for every pattern (same inputs as :func:`estep`)."""
    mean = np.empty(codes.shape[0])
    var = np.empty(codes.shape[0])

    def run(rows: slice) -> None:
        _moments_compiled(codes[rows], table, log_prior, theta, mean[rows], var[rows])

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(run, _blocks(codes.shape[0])))
    return mean, var
