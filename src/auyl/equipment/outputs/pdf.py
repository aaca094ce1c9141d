"""One-page letters to schools (fpdf2), in Kazakh or Russian: what the school gets and why.

The letter's words come from :class:`~auyl.equipment.outputs.rows.Letter`, already in the
letter's language; the labels written here are translated too, so call
:func:`letters_pdf` under ``translation.override(language)``. The font is the DejaVu Sans
that matplotlib ships: it has every letter of the Kazakh alphabet (ә ғ қ ң ө ұ ү һ і).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from auyl.equipment.outputs.rows import Letter

FONT = "DejaVu"


def font_path(bold: bool = False) -> Path:
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", " ") + " ₸"


class _LetterPDF(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FONT, "", str(font_path()))
        self.add_font(FONT, "B", str(font_path(bold=True)))
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=False)
        self.set_creator("Auyl")


def letters_pdf(letters: Sequence[Letter], *, title: str = "") -> bytes:
    """A PDF with one page per letter."""
    pdf = _LetterPDF()
    pdf.set_title(title or _("Equipment plan: letters to schools"))
    for letter in letters:
        _page(pdf, letter)
    if not letters:
        pdf.add_page()
        pdf.set_font(FONT, "", 11)
        _para(pdf, 6, _("No school in this selection."))
    return bytes(pdf.output())


def _para(pdf: FPDF, height: float, text: str) -> None:
    """A paragraph across the page; the next one starts below it at the left margin."""
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _page(pdf: FPDF, letter: Letter) -> None:
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(90, 100, 110)
    pdf.cell(width / 2, 5, _("Auyl · equipment plan"), new_x="RIGHT", new_y="TOP")
    pdf.cell(width / 2, 5, letter.date, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, letter.scenario_name, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_text_color(20, 30, 40)
    pdf.set_font(FONT, "B", 12)
    _para(pdf, 6, _("To the principal: %(school)s") % {"school": letter.school_name})
    pdf.set_font(FONT, "", 10)
    _para(
        pdf,
        5,
        _("%(district)s · school code %(code)s")
        % {"district": letter.district_name, "code": letter.school_code},
    )
    pdf.ln(4)
    pdf.set_font(FONT, "B", 14)
    if letter.lines:
        heading = _("Your school's equipment under the plan")
    else:
        heading = _("Your school in this equipment plan")
    _para(pdf, 7, heading)
    pdf.ln(2)
    pdf.set_font(FONT, "", 10.5)
    if letter.lines:
        _para(
            pdf,
            5.5,
            _(
                "The region's equipment plan provides your school with the equipment listed "
                "below, worth %(total)s in all. Each line says why your school gets it."
            )
            % {"total": money(letter.total)},
        )
        pdf.ln(3)
        _table(pdf, letter)
    else:
        _para(
            pdf, 5.5, _("Under this plan your school receives no equipment.") + " " + letter.why_not
        )
    pdf.ln(4)
    pdf.set_font(FONT, "B", 11)
    _para(pdf, 6, _("Digital readiness"))
    pdf.set_font(FONT, "", 10.5)
    figures = {
        "pupils": letter.pupils,
        "before": round(letter.readiness_before),
        "after": round(letter.readiness_after),
    }
    if letter.lines:
        readiness = _(
            "Your school has %(pupils)s pupils. Its digital readiness is %(before)s out of 100 "
            "today and is expected to reach %(after)s once the equipment is delivered."
        )
    else:
        readiness = _(
            "Your school has %(pupils)s pupils. Its digital readiness is %(before)s out of 100."
        )
    _para(pdf, 5.5, readiness % figures)
    for note in letter.notes:
        pdf.ln(1)
        _para(pdf, 5.5, note)
    pdf.ln(6)
    _para(
        pdf,
        5.5,
        _(
            "The plan spends a fixed budget where it helps pupils most. If your school's audit "
            "is out of date, please update it in Auyl: the plan is computed from it."
        ),
    )
    pdf.set_y(-32)
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 6, _("Regional education department"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(90, 100, 110)
    _para(
        pdf, 4, _("Prepared with Auyl from the plan scenario named above; figures in tenge (KZT).")
    )


def _table(pdf: FPDF, letter: Letter) -> None:
    headings = FontFace(emphasis="BOLD", fill_color=(232, 238, 244))
    pdf.set_font(FONT, "", 9)
    # Shrink the reasons when a school gets many things, so the letter stays on one page.
    if len(letter.lines) > 4:
        pdf.set_font(FONT, "", 8)
    with pdf.table(
        col_widths=(34, 14, 12, 26, 84),
        text_align=("LEFT", "RIGHT", "CENTER", "RIGHT", "LEFT"),
        headings_style=headings,
        line_height=4.6,
        padding=1.2,
    ) as table:
        header = table.row()
        for text in (_("Item"), _("Units"), _("Year"), _("Cost"), _("Why")):
            header.cell(text)
        for line in letter.lines:
            row = table.row()
            row.cell(line.item_label)
            row.cell(str(line.units))
            row.cell(str(line.year))
            row.cell(money(line.cost))
            row.cell(line.reason)
        total = table.row()
        total.cell(_("Total"))
        total.cell("")
        total.cell("")
        total.cell(money(letter.total))
        total.cell("")
