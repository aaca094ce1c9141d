"""A travel-time table for the network design: parse and validate a CSV of
``magnet_code, hub_code, minutes`` (pure Python, no Django).

The file is all-or-nothing: every problem is collected, with its row number (the header is
row 1, as a spreadsheet shows it), the column and the reason in plain words, and nothing is
returned unless there is no problem. Refused:

* a missing column (``magnet_code``, ``hub_code`` or ``minutes``) -- row 1;
* an empty code, or a code that is not a school of the region (``known``);
* a row whose magnet and hub are the same school;
* minutes that are empty, not a number, not finite, or negative;
* a second row for the same (magnet, hub) pair ("duplicate of row 5");
* a *missing pair*: a pair in ``required`` with no row. Which pairs are required is the
  caller's choice; :func:`required_pairs` gives the rule the network design uses: every
  (school to serve, eligible hub) pair within the distance limit (road km), in the same
  district when the design keeps districts apart. Pairs beyond the limit may be given and
  are simply kept; a pair the design needs but the table lacks cannot be used. Missing
  pairs have no row of their own: they are reported with ``row`` None.

Codes are compared after trimming spaces. The delimiter may be a comma, a semicolon or a
tab (Excel in Kazakh or Russian saves with semicolons); with a semicolon or tab delimiter a
decimal comma ("12,5") is read as 12.5. Extra columns are ignored. A UTF-8 byte-order mark
is accepted.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np

from auyl.engines.planning.network import Site, haversine_matrix_km

COLUMNS = ("magnet_code", "hub_code", "minutes")


@dataclass(frozen=True)
class TravelRowError:
    row: int | None  # 1-based as in a spreadsheet (header = 1); None for a missing pair
    column: str
    reason: str


class TravelCsvError(ValueError):
    """The table was refused; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[TravelRowError]) -> None:
        self.errors: tuple[TravelRowError, ...] = tuple(errors)
        first = self.errors[0] if self.errors else None
        head = f"{len(self.errors)} problems in the travel-time table"
        if first is not None:
            where = f"row {first.row}" if first.row is not None else "missing pair"
            head += f"; first: {where}, {first.column}: {first.reason}"
        super().__init__(head)


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_minutes(raw: str, delimiter: str) -> tuple[float | None, str | None]:
    """(value, None) or (None, reason)."""
    text = raw.strip()
    if not text:
        return None, "minutes are empty"
    if delimiter != ",":
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None, f"'{raw.strip()}' is not a number"
    if not math.isfinite(value):
        return None, f"'{raw.strip()}' is not a finite number"
    if value < 0:
        return None, f"minutes cannot be negative ({value:g})"
    return value, None


def parse_travel_csv(
    text: str | bytes,
    *,
    known: Collection[str],
    required: Iterable[tuple[str, str]] = (),
) -> dict[tuple[str, str], float]:
    """Read the table; return ``{(magnet_code, hub_code): minutes}`` or raise
    :class:`TravelCsvError` with every problem (see the module docstring)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TravelCsvError(
                [TravelRowError(None, "file", f"not UTF-8 text ({exc.reason})")]
            ) from exc
    text = text.removeprefix("\ufeff")
    known_set = set(known)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    errors: list[TravelRowError] = []
    header = next(reader, None)
    if header is None:
        raise TravelCsvError([TravelRowError(1, "file", "the file is empty")])
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise TravelCsvError(
            [TravelRowError(1, c, "missing column (expected magnet_code, hub_code, minutes)")
             for c in missing]
        )  # fmt: skip
    at = {c: names.index(c) for c in COLUMNS}
    minutes: dict[tuple[str, str], float] = {}
    seen: dict[tuple[str, str], int] = {}
    for row_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
        bad = False
        for col in ("magnet_code", "hub_code"):
            code = cells[col]
            if not code:
                errors.append(TravelRowError(row_no, col, "the school code is empty"))
                bad = True
            elif code not in known_set:
                errors.append(TravelRowError(row_no, col, f"unknown school {code}"))
                bad = True
        value, reason = _parse_minutes(cells["minutes"], delimiter)
        if reason is not None:
            errors.append(TravelRowError(row_no, "minutes", reason))
            bad = True
        magnet, hub = cells["magnet_code"], cells["hub_code"]
        if magnet and magnet == hub:
            errors.append(
                TravelRowError(row_no, "hub_code", f"the magnet and the hub are the same ({hub})")
            )
            bad = True
        pair = (magnet, hub)
        if pair in seen:
            errors.append(
                TravelRowError(
                    row_no, "hub_code", f"duplicate of row {seen[pair]} ({magnet} -> {hub})"
                )
            )
            continue
        seen[pair] = row_no
        if not bad and value is not None:
            minutes[pair] = value
    for magnet, hub in sorted(set(required)):
        if (magnet, hub) not in seen:
            errors.append(
                TravelRowError(
                    None, "magnet_code/hub_code", f"no travel time for {magnet} -> {hub}"
                )
            )
    if errors:
        raise TravelCsvError(errors)
    return minutes


def required_pairs(
    sites: Iterable[Site],
    *,
    max_km: float | None,
    road_factor: float = 1.3,
    same_district: bool = False,
) -> set[tuple[str, str]]:
    """The (school to serve, eligible hub) pairs a travel-time table must cover: within
    ``max_km`` road km (haversine x road_factor, as the design measures it; every pair when
    None) and, with ``same_district``, in the same district. A school never needs a time to
    itself."""
    sites = list(sites)
    hubs = [h for h in sites if h.can_be_hub or h.fixed_hub]
    wanted = [s for s in sites if s.must_be_served]
    out: set[tuple[str, str]] = set()
    if not hubs:
        return out
    h_lat = np.array([h.latitude for h in hubs])
    h_lon = np.array([h.longitude for h in hubs])
    h_district = np.array([h.district for h in hubs], dtype=object)
    h_code = np.array([h.code for h in hubs], dtype=object)
    for start in range(0, len(wanted), 512):
        block = wanted[start : start + 512]
        km = road_factor * haversine_matrix_km(
            np.array([s.latitude for s in block]),
            np.array([s.longitude for s in block]),
            h_lat,
            h_lon,
        )
        mask = np.array([[s.code] for s in block], dtype=object) != h_code[None, :]
        if max_km is not None:
            mask &= km <= max_km + 1e-9
        if same_district:
            mask &= np.array([[s.district] for s in block], dtype=object) == h_district[None, :]
        for r, c in zip(*np.nonzero(mask), strict=True):
            out.add((block[int(r)].code, hubs[int(c)].code))
    return out
