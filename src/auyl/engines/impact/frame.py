"""Checks and cleaning of the pupil-score frame every estimate starts from.

One row per pupil-test: ``score`` (reporting scale), ``school``, ``year`` and, depending
on the estimate, ``since_year``, ``level`` and grouping columns. Extra columns are ignored.
Bad input raises :class:`ImpactError` with a code and a detail naming the column and the
first bad row; missing scores (NaN) are dropped and counted, never estimated through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from auyl.engines.impact.model import ImpactError


@dataclass(frozen=True)
class Cleaned:
    """A frame whose ``score`` is float with no NaN, and how many rows were dropped."""

    frame: pd.DataFrame
    dropped_missing: int


def require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise ``missing_columns`` naming every required column the frame lacks."""
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise ImpactError("missing_columns", "missing column(s): " + ", ".join(missing))


def numeric_column(frame: pd.DataFrame, column: str, *, code: str) -> pd.Series:
    """``column`` as floats; a non-empty cell that is not a number raises ``code`` naming
    its row label and value. Empty cells become NaN."""
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype(float)
    else:
        values = pd.to_numeric(raw, errors="coerce").astype(float)
        unparsed = raw[values.isna() & raw.notna()]
        bad = unparsed[unparsed.astype(str).str.strip() != ""]
        if not bad.empty:
            raise ImpactError(
                code, f"column {column!r}, row {bad.index[0]}: {bad.iloc[0]!r} is not a number"
            )
    return values.where(np.isfinite(values))


def clean_scores(frame: pd.DataFrame, columns: Sequence[str], outcome: str = "score") -> Cleaned:
    """Keep ``columns`` (and the outcome), make the outcome numeric, drop rows whose outcome
    is missing (counted) and refuse a frame with no score left."""
    require_columns(frame, [outcome, *columns])
    keep = list(dict.fromkeys([outcome, *columns]))
    out = frame.loc[:, keep].copy()
    out[outcome] = numeric_column(frame, outcome, code="non_numeric_scores")
    missing = out[outcome].isna()
    out = out.loc[~missing]
    if out.empty:
        raise ImpactError("no_scores", f"no row has a numeric {outcome!r}")
    return Cleaned(out.reset_index(drop=True), int(missing.sum()))


def whole_years(frame: pd.DataFrame, column: str) -> pd.Series:
    """``column`` as whole-number years (NaN kept); a fractional or non-numeric value
    raises ``bad_year``."""
    values = numeric_column(frame, column, code="bad_year")
    fractional = values.notna() & (values != np.round(values))
    if fractional.any():
        row = fractional[fractional].index[0]
        raise ImpactError("bad_year", f"column {column!r}, row {row}: not a whole year")
    return values


def constant_within_school(frame: pd.DataFrame, column: str, code: str) -> None:
    """Raise ``code`` when a school has two different values of ``column`` (NaN counts as
    a value of its own)."""
    values = frame[column].astype(object).where(frame[column].notna(), "<missing>")
    per_school = values.groupby(frame["school"], sort=False).nunique()
    varying = per_school[per_school > 1]
    if not varying.empty:
        raise ImpactError(
            code, f"school {varying.index[0]!r} has more than one value of {column!r}"
        )
