"""The procurement list as an XLSX workbook (openpyxl): what to buy, by item and by
district, and every purchase with its school and reason.

Sheets: a summary of the plan; totals by item; totals by district and item (with a
subtotal per district); every purchase. Headings are in the active language.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from auyl.equipment.outputs.rows import ProcurementLine

MONEY = '#,##0" ₸"'
BOLD = Font(bold=True)


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _is_total(row: Sequence[Any]) -> bool:
    """Subtotal rows start with an empty cell and a "Σ" label."""
    return len(row) > 1 and row[0] == "" and str(row[1]).startswith("Σ")


def _write(
    ws: Any, header: Sequence[str], rows: Iterable[Sequence[Any]], money: Sequence[int]
) -> None:
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = BOLD
    for row in rows:
        ws.append(list(row))
        if _is_total(row):
            for cell in ws[ws.max_row]:
                cell.font = BOLD
    for column in money:
        for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = MONEY
    for i, title in enumerate(header, start=1):
        width = max(
            [len(str(title))]
            + [
                len(str(c.value or ""))
                for (c,) in ws.iter_rows(
                    min_row=2, max_row=min(ws.max_row, 200), min_col=i, max_col=i
                )
            ]
        )
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, width + 2))
    ws.freeze_panes = "A2"


def procurement_workbook(
    lines: Sequence[ProcurementLine], summary: Sequence[tuple[str, Any]]
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(_("Summary"))
    for label, value in summary:
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = BOLD
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1000:
            ws.cell(ws.max_row, 2).number_format = MONEY
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 40

    by_item: dict[str, dict[str, Any]] = {}
    for x in lines:
        row = by_item.setdefault(
            x.item, {"label": x.item_label, "units": 0, "schools": set(), "cost": 0}
        )
        row["units"] += x.units
        row["schools"].add(x.school_code)
        row["cost"] += x.cost
    items = wb.create_sheet(_sheet_title(_("By item")))
    _write(
        items,
        [_("Item"), _("Code"), _("Units"), _("Schools"), _("Cost (KZT)")],
        [
            [r["label"], code, r["units"], len(r["schools"]), r["cost"]]
            for code, r in sorted(by_item.items())
        ]
        + [
            [
                "",
                "Σ",
                sum(r["units"] for r in by_item.values()),
                len({x.school_code for x in lines}),
                sum(r["cost"] for r in by_item.values()),
            ]
        ],
        money=[5],
    )

    grouped: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for x in lines:
        row = grouped[x.district].setdefault(
            x.item, {"label": x.item_label, "units": 0, "schools": set(), "cost": 0}
        )
        row["units"] += x.units
        row["schools"].add(x.school_code)
        row["cost"] += x.cost
    district_rows: list[list[Any]] = []
    for district in sorted(grouped):
        for code, r in sorted(grouped[district].items()):
            district_rows.append(
                [district, r["label"], code, r["units"], len(r["schools"]), r["cost"]]
            )
        district_rows.append(
            [
                "",
                "Σ " + district,
                "",
                sum(r["units"] for r in grouped[district].values()),
                len({s for r in grouped[district].values() for s in r["schools"]}),
                sum(r["cost"] for r in grouped[district].values()),
            ]
        )
    by_district = wb.create_sheet(_sheet_title(_("By district and item")))
    _write(
        by_district,
        [_("District"), _("Item"), _("Code"), _("Units"), _("Schools"), _("Cost (KZT)")],
        district_rows,
        money=[6],
    )

    purchases = wb.create_sheet(_sheet_title(_("Purchases")))
    _write(
        purchases,
        [
            _("District"),
            _("School code"),
            _("School"),
            _("Item"),
            _("Year"),
            _("Units"),
            _("Unit price (KZT)"),
            _("Cost (KZT)"),
            _("Why"),
        ],
        [
            [
                x.district,
                x.school_code,
                x.school_name,
                x.item_label,
                x.year,
                x.units,
                x.unit_cost,
                x.cost,
                x.reason,
            ]
            for x in lines
        ],
        money=[7, 8],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
