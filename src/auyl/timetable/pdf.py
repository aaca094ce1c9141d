"""Timetables as PDF (fpdf2): one landscape A4 page per grid (a class-set, a grade, a
teacher), in the active language. The font is the DejaVu Sans that matplotlib ships, as
in the equipment letters: it has every letter of the Kazakh alphabet and Cyrillic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from auyl.equipment.outputs.pdf import FONT, font_path


@dataclass(frozen=True)
class PdfGrid:
    """One page: a heading and the text of every cell, ``cells[period][day]``."""

    heading: str
    days: Sequence[str]
    cells: Sequence[Sequence[str]]


def timetable_pdf(title: str, subtitle: str, grids: Sequence[PdfGrid]) -> bytes:
    """A PDF with one page per grid (a single page saying so when there is none)."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(font_path()))
    pdf.add_font(FONT, "B", str(font_path(bold=True)))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.set_creator("Auyl")
    pdf.set_title(title)
    for grid in grids:
        _page(pdf, title, subtitle, grid)
    if not grids:
        pdf.add_page()
        pdf.set_font(FONT, "", 11)
        pdf.cell(0, 8, _("No lessons."), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _page(pdf: FPDF, title: str, subtitle: str, grid: PdfGrid) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(90, 100, 110)
    pdf.cell(0, 4, f"Auyl · {title}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 4, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_text_color(20, 30, 40)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 6, grid.heading, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, "", 7)
    width = (pdf.epw - 10) / max(1, len(grid.days))
    with pdf.table(
        col_widths=(10, *([width] * len(grid.days))),
        headings_style=FontFace(emphasis="BOLD", fill_color=(232, 238, 244)),
        line_height=3.6,
        padding=1,
    ) as table:
        header = table.row()
        header.cell(_("Period"))
        for day in grid.days:
            header.cell(day)
        for number, row in enumerate(grid.cells, start=1):
            cells = table.row()
            cells.cell(str(number))
            for text in row:
                cells.cell(text)
