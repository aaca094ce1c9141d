"""Agreement with an established package: girth's MML estimates on the same data.

girth takes an items x persons matrix. Its 2PL has theta ~ N(0, 1) like ours. Its
``onepl_mml`` estimates one common a with theta ~ N(0, 1): that is our Rasch model with
theta_sd = girth's a and our b = girth's a x girth's b."""

from __future__ import annotations

import numpy as np
import pytest

from auyl.engines.irt import fit, simulate

girth = pytest.importorskip("girth")


def test_2pl_agrees_with_girth_twopl_mml() -> None:
    matrix, _ = simulate(2000, 25, model="2pl", seed=21)
    ours = fit(matrix, "2pl")
    theirs = girth.twopl_mml(matrix.scores.T.astype(int))
    for field, key in (("a", "Discrimination"), ("b", "Difficulty")):
        mine = np.array([getattr(item, field) for item in ours.items])
        other = np.asarray(theirs[key])
        assert np.corrcoef(mine, other)[0, 1] > 0.99
        assert np.mean(np.abs(mine - other)) < 0.02


def test_rasch_agrees_with_girth_onepl_mml() -> None:
    matrix, _ = simulate(2000, 25, model="rasch", seed=22, theta_sd=1.3)
    ours = fit(matrix, "rasch")
    theirs = girth.onepl_mml(matrix.scores.T.astype(int))
    slope = float(np.asarray(theirs["Discrimination"]).ravel()[0])
    mine = np.array([item.b for item in ours.items])
    other = slope * np.asarray(theirs["Difficulty"])
    assert np.corrcoef(mine, other)[0, 1] > 0.999
    assert np.mean(np.abs(mine - other)) < 0.02
    assert ours.theta_sd == pytest.approx(slope, abs=0.02)
