"""Reading the CLI's response CSV: person id, then one column per item (1, 0 or empty).

Commas or (when the header has no comma) semicolons separate the columns. The file is
read by pandas' C parser in one pass (a million rows take seconds). Cells that
are not numbers or not a valid score become "not presented" with a warning per item
(count and first line); rows without a person id and repeated person ids are dropped with
a warning. Structural problems (no header, no item column, repeated item names) raise
ValueError. ``row`` in a warning is the line of the file (the header is line 1).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from auyl.engines.irt.data import DataWarning, ResponseMatrix, cap_warnings

FIRST_DATA_LINE = 2


def sniff_separator(path: Path) -> str:
    """Semicolon when the header has semicolons and no commas (spreadsheet exports), else comma."""
    with path.open(encoding="utf-8-sig") as handle:
        first = handle.readline()
    return ";" if ";" in first and "," not in first else ","


def read_header(path: Path, separator: str) -> list[str]:
    """The header's column names; ValueError if missing, too short or repeating a name."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle, delimiter=separator), None)
    if not header:
        raise ValueError(f"{path}: the file is empty (no header line)")
    names = [name.strip() for name in header]
    if len(names) < 2:
        raise ValueError(f"{path}: needs a person id column and at least one item column")
    items = names[1:]
    if any(not name for name in items):
        raise ValueError(f"{path}: an item column has no name")
    repeated = sorted({name for name in items if items.count(name) > 1})
    if repeated:
        raise ValueError(f"{path}: item column(s) repeated: {', '.join(repeated)}")
    return names


def _numeric_column(
    raw: pd.Series, item: str, max_score: int, warnings: list[DataWarning]
) -> np.ndarray:
    """Item scores as float64, bad cells as NaN with one warning per kind of problem."""
    values = np.array(pd.to_numeric(raw, errors="coerce"), dtype=np.float64)
    text = raw.isna().to_numpy()
    non_numeric = np.isnan(values) & ~text
    if non_numeric.any():
        _warn_cells(warnings, "non_numeric", item, non_numeric, "not a number")
    present = ~np.isnan(values)
    bad = present & ((values < 0) | (values > max_score) | (values != np.round(values)))
    if bad.any():
        _warn_cells(warnings, "out_of_range", item, bad, f"not a score 0..{max_score}")
        values[bad] = np.nan
    return values


def _warn_cells(
    warnings: list[DataWarning], code: str, item: str, cells: np.ndarray, reason: str
) -> None:
    first = int(np.flatnonzero(cells)[0]) + FIRST_DATA_LINE
    count = int(cells.sum())
    warnings.append(
        DataWarning(
            code,
            f"item {item}: {count} cell(s) {reason}, first on line {first}; "
            "treated as not presented",
            item=item,
            row=first,
        )
    )


def _person_rows(ids: pd.Series, warnings: list[DataWarning]) -> np.ndarray:
    """Rows to keep: a non-empty id seen for the first time."""
    text = ids.fillna("").astype(str).str.strip()
    empty = (text == "").to_numpy()
    repeated = text.duplicated(keep="first").to_numpy() & ~empty
    for row in np.flatnonzero(empty):
        warnings.append(
            DataWarning(
                "person_no_id",
                f"line {row + FIRST_DATA_LINE}: no person id, row dropped",
                row=int(row) + FIRST_DATA_LINE,
            )
        )
    for row in np.flatnonzero(repeated):
        person = str(text.iloc[row])
        warnings.append(
            DataWarning(
                "duplicate_person",
                f"line {row + FIRST_DATA_LINE}: person {person} repeated, only the first "
                "row is kept",
                person=person,
                row=int(row) + FIRST_DATA_LINE,
            )
        )
    return np.asarray(~(empty | repeated))


def read_responses_csv(
    path: str | Path, *, max_scores: Mapping[str, int] | None = None
) -> tuple[ResponseMatrix, tuple[DataWarning, ...]]:
    """Read a response CSV; every item is right/wrong unless ``max_scores`` says otherwise.

    The result may still hold items or persons that cannot be estimated: :func:`clean`
    (called by ``fit``) drops those.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    separator = sniff_separator(path)
    names = read_header(path, separator)
    items = names[1:]
    limits = {item: 1 for item in items} | dict(max_scores or {})
    frame = pd.read_csv(
        path,
        sep=separator,
        header=0,
        names=names,
        dtype={names[0]: str},
        skipinitialspace=True,
        encoding="utf-8-sig",
        engine="c",
        on_bad_lines="error",
    )
    if frame.empty:
        raise ValueError(f"{path}: no data rows")
    warnings: list[DataWarning] = []
    keep = _person_rows(frame[names[0]], warnings)
    scores = np.column_stack(
        [_numeric_column(frame[item], item, limits[item], warnings) for item in items]
    )[keep]
    person_ids = frame[names[0]].fillna("").astype(str).str.strip().to_numpy()[keep]
    matrix = ResponseMatrix(
        person_ids=tuple(person_ids.tolist()),
        item_ids=tuple(items),
        scores=scores,
        max_scores=np.array([limits[item] for item in items]),
    )
    return matrix, cap_warnings(warnings)
