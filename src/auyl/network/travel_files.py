"""Read an uploaded travel-time file (CSV) for a network design.

The file has a header row with the columns ``magnet_code``, ``hub_code`` and ``minutes``,
one row per (school to serve, hub) pair, in UTF-8 (with or without a byte-order mark) or
Windows-1251; commas, semicolons or tabs. The validation, row by row, is the engine's
(:mod:`auyl.engines.planning.travel`): unknown schools, missing pairs (every pair of a
school to serve and an eligible hub within the distance limit must have a time), negative
or non-numeric minutes and duplicates are refused with the row, the column and the reason
(the reasons are in English: the engine has no translations).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from auyl.engines.planning.travel import TravelCsvError, parse_travel_csv


@dataclass(frozen=True)
class TravelProblem:
    row: int | None  # 1 is the header row; None: a missing pair, or the whole file
    column: str
    reason: str


@dataclass(frozen=True)
class TravelFile:
    minutes: dict[tuple[str, str], float]
    problems: tuple[TravelProblem, ...]


def decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_travel_file(
    data: bytes, known_codes: Iterable[str], required: Iterable[tuple[str, str]] = ()
) -> TravelFile:
    """Parse and validate ``data`` against the school codes of the registry and the pairs
    the design needs (``required``)."""
    text = decode(data)
    if text is None:
        problem = TravelProblem(None, "file", _("The file is neither UTF-8 nor Windows-1251."))
        return TravelFile({}, (problem,))
    try:
        minutes = parse_travel_csv(text, known=frozenset(known_codes), required=required)
    except TravelCsvError as error:
        return TravelFile({}, tuple(TravelProblem(e.row, e.column, e.reason) for e in error.errors))
    return TravelFile(minutes, ())
