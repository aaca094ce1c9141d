"""The dashboard's numbers as an XLSX workbook (openpyxl), headings in the active language.

Sheets: scores by school (with 95 in 100 intervals), by group (year trend, rural-urban
gap, rural/urban, hub/magnet, programme/comparison, district) and item statistics.
Suppressed groups have empty number cells and a note, never NaN.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from auyl.monitoring.analysis import Dashboard, MeanRow

BOLD = Font(bold=True)


def sheet_title(text: str) -> str:
    """A sheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _write(ws: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = BOLD
    for row in rows:
        ws.append(list(row))
    for i, title in enumerate(header):
        ws.column_dimensions[get_column_letter(i + 1)].width = max(10, min(40, len(title) + 4))
    ws.freeze_panes = "A2"


def _numbers(row: MeanRow) -> list[Any]:
    """Mean, CI and a note; empty cells and a note for a suppressed group."""
    if row.suppressed:
        return [None, None, None, _("not shown: too few pupils")]
    return [round(row.mean or 0, 1), round(row.ci_low or 0, 1), round(row.ci_high or 0, 1), ""]


def _mean_header(first: Sequence[str]) -> list[str]:
    return [
        *first,
        _("Pupils"),
        _("Schools"),
        _("Mean"),
        _("95 in 100 low"),
        _("95 in 100 high"),
        _("Note"),
    ]


def report_workbook(dash: Dashboard) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Schools"))
    _write(
        ws,
        _mean_header([_("Year"), _("School")]),
        ([dash.year, r.label, r.n, r.n_schools, *_numbers(r)] for r in dash.schools),
    )
    groups = wb.create_sheet(sheet_title(_("Groups")))
    rows: list[list[Any]] = []
    rows += [[_("all pupils"), r.year, r.label, r.n, r.n_schools, *_numbers(r)] for r in dash.trend]
    rows += [
        [_("urban minus rural"), r.year, r.label, r.n, r.n_schools, *_numbers(r)]
        for r in dash.rural_gap
    ]
    for column, group_rows in dash.groups.items():
        rows += [[column, dash.year, r.label, r.n, r.n_schools, *_numbers(r)] for r in group_rows]
    _write(groups, _mean_header([_("Comparison"), _("Year"), _("Group")]), rows)
    items = wb.create_sheet(sheet_title(_("Items")))
    _write(
        items,
        [
            pgettext("test item", "Item"),
            _("Domain"),
            _("Anchor"),
            _("Difficulty (scale)"),
            _("Discrimination"),
            _("Infit"),
            _("Outfit"),
            _("Share correct"),
            _("DIF flags"),
            _("Dropped because"),
        ],
        (
            [
                i.code,
                i.domain,
                i.anchor,
                None if i.difficulty is None else round(i.difficulty, 1),
                None if i.a is None else round(i.a, 3),
                None if i.infit is None else round(i.infit, 3),
                None if i.outfit is None else round(i.outfit, 3),
                None if i.p_value is None else round(i.p_value, 3),
                i.dif,
                i.dropped,
            ]
            for i in dash.items
        ),
    )
    notes = wb.create_sheet(sheet_title(_("Notes")))
    for note in (f"{dash.scope.label} · {dash.series.label} · {dash.year}", *dash.notes):
        notes.append([note])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
