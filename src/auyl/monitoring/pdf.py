"""The learning-outcomes report as a PDF (fpdf2): one school, one district or the region.

Call :func:`report_pdf` under ``translation.override(language)`` (Kazakh, Russian or
English): every word here is translated, and the dashboard rows it prints were built in the
same language. The font is DejaVu Sans (see :func:`auyl.equipment.outputs.pdf.font_path`),
which has every Kazakh letter. Charts are embedded as PNG.

Contents: key figures; trend (with the region for reference); proficiency levels with the
note that the cut scores are illustrative; for districts and the region also the
rural-urban gap, the group comparisons, the impact estimate in plain words and a table of
schools (district) or districts (region). Suppressed groups print as "not shown", never NaN.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from auyl.equipment.outputs.pdf import font_path
from auyl.monitoring import analysis, charts
from auyl.monitoring.analysis import Dashboard, Impact, MeanRow, ScopeKind

FONT = "DejaVu"
HEADINGS = FontFace(emphasis="BOLD", fill_color=(232, 238, 244))


class _ReportPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font(FONT, "", str(font_path()))
        self.add_font(FONT, "B", str(font_path(bold=True)))
        self.set_margins(16, 14, 16)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_creator("Auyl")

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(110, 118, 128)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}", align="R")
        self.set_text_color(20, 30, 40)


def _para(pdf: FPDF, text: str, size: float = 9.5, height: float = 4.8, bold: bool = False) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    _para(pdf, text, size=12, height=6.5, bold=True)
    pdf.ln(1)


def _interval(row: MeanRow) -> tuple[str, str]:
    if row.suppressed:
        return _("not shown: too few pupils"), ""
    assert row.mean is not None and row.ci_low is not None and row.ci_high is not None
    return f"{row.mean:.0f}", f"{row.ci_low:.0f} – {row.ci_high:.0f}"


def _mean_table(pdf: FPDF, rows: Sequence[MeanRow], first: str) -> None:
    if not rows:
        _para(pdf, _("No results."))
        return
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(
        col_widths=(70, 22, 22, 25, 39),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=HEADINGS,
        line_height=4.6,
        padding=1,
    ) as table:
        header = table.row()
        for text in (first, _("Pupils"), _("Schools"), _("Mean"), _("95 in 100 interval")):
            header.cell(text)
        for r in rows:
            row = table.row()
            row.cell(str(r.year) if r.year is not None else r.label)
            row.cell(str(r.n))
            row.cell(str(r.n_schools))
            mean, ci = _interval(r)
            row.cell(mean)
            row.cell(ci)


def _chart_height(chart: charts.Chart, width: float) -> float:
    w, h = chart.fig.get_size_inches()
    return float(width * h / w)


def _chart(pdf: FPDF, chart: charts.Chart, width: float = 150, heading: str = "") -> None:
    """A chart (PNG) under an optional heading, both moved to a new page if they do not fit."""
    if pdf.will_page_break(_chart_height(chart, width) + (12 if heading else 0)):
        pdf.add_page()
    if heading:
        _heading(pdf, heading)
    pdf.image(io.BytesIO(chart.png), w=width, alt_text=f"{chart.title}. {chart.description}")
    pdf.ln(1)


def _title(kind: str) -> str:
    return {
        ScopeKind.SCHOOL: _("Learning outcomes: school report"),
        ScopeKind.DISTRICT: _("Learning outcomes: district report"),
        ScopeKind.REGION: _("Learning outcomes: region report"),
    }[kind]


def _key_figures(pdf: FPDF, dash: Dashboard) -> None:
    latest = next((r for r in dash.trend if r.year == dash.year), None)
    rows: list[tuple[str, str]] = [
        (_("Pupils tested"), str(dash.n_pupils)),
        (_("Schools"), str(dash.n_schools)),
    ]
    if latest is not None:
        mean, ci = _interval(latest)
        rows.append((_("Mean score"), f"{mean} ({ci})" if ci else mean))
    reference = next((r for r in dash.reference if r.year == dash.year), None)
    if reference is not None:
        mean, ci = _interval(reference)
        rows.append((_("Region mean score"), f"{mean} ({ci})" if ci else mean))
    gap = next((r for r in dash.rural_gap if r.year == dash.year), None)
    if gap is not None:
        mean, ci = _interval(gap)
        rows.append((_("Urban minus rural"), f"{mean} ({ci})" if ci else mean))
    level = next((r for r in dash.levels if r.year == dash.year and not r.suppressed), None)
    if level is not None:
        names = analysis.level_names()
        rows.append(
            (
                _("Pupils at each level, per hundred"),
                ", ".join(f"{n} {p}" for n, p in zip(names, level.percents, strict=False)),
            )
        )
    pdf.set_font(FONT, "", 9.5)
    with pdf.table(
        col_widths=(60, 118),
        text_align="LEFT",
        line_height=5.2,
        padding=1.2,
        first_row_as_headings=False,
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=FontFace(emphasis="BOLD"))
            row.cell(value)


def _impact(pdf: FPDF, impact: Impact) -> None:
    _heading(pdf, _("Programme impact"))
    did = impact.result
    if not impact.estimated:
        codes = [impact.error] if did is None else list(did.warnings)
        for sentence in analysis.warning_sentences(codes) or [
            _("The programme's effect cannot be estimated for this selection.")
        ]:
            _para(pdf, sentence)
        return
    est = did.estimate
    _para(
        pdf,
        _(
            "Compared with how comparison schools changed over the same years, pupils at "
            "programme schools changed by %(value)s points on the scale (95 in 100 interval: "
            "%(low)s to %(high)s)."
        )
        % {"value": f"{est.value:+.0f}", "low": f"{est.ci_low:.0f}", "high": f"{est.ci_high:.0f}"},
        bold=True,
    )
    pdf.ln(1)
    if impact.region_wide:
        _para(
            pdf,
            _(
                "This is the estimate for the whole region; it says nothing about any single "
                "school."
            ),
        )
    for sentence in analysis.claim_sentences(did.claims):
        _para(pdf, "• " + sentence)
    for sentence in analysis.warning_sentences(did.warnings):
        _para(pdf, "• " + sentence)
    _para(
        pdf,
        _("Method: %(method)s Programme schools: %(treated)s; comparison schools: %(control)s.")
        % {
            "method": analysis.method_sentence(did.method),
            "treated": did.n_treated_schools,
            "control": did.n_control_schools,
        },
        size=8.5,
    )
    if did.event:
        _chart(pdf, charts.impact_chart(did), width=140)


def report_pdf(dash: Dashboard, impact: Impact | None, *, today: dt.date) -> bytes:
    """The report of ``dash`` (its scope decides school, district or region contents)."""
    footer = f"Auyl · {dash.scope.label} · {today.isoformat()}"
    pdf = _ReportPDF(footer)
    pdf.set_title(f"{_title(dash.scope.kind)}: {dash.scope.label}")
    pdf.set_lang(translation.get_language() or "en")
    pdf.add_page()
    pdf.set_text_color(90, 100, 110)
    _para(pdf, _("Auyl · learning-outcome monitoring"), size=8.5)
    pdf.set_text_color(20, 30, 40)
    _para(pdf, _title(dash.scope.kind), size=15, height=8, bold=True)
    _para(pdf, f"{dash.scope.label} · {dash.series.label} · {dash.year}", size=11, height=6)
    pdf.ln(2)
    _key_figures(pdf, dash)
    pdf.ln(1)
    _para(
        pdf,
        _(
            "Scores are on the reporting scale: the first year's pupils have a mean of 500 and "
            "a standard deviation of 100. Intervals hold the true mean 95 times in 100."
        ),
        size=8.5,
    )
    figures = charts.dashboard_charts(dash)
    _chart(pdf, figures["trend"], heading=_("Trend"))
    _chart(pdf, figures["levels"], width=140, heading=_("Proficiency levels"))
    _para(
        pdf,
        _(
            "The cut scores (%(cuts)s) are illustrative: they have not been set by a "
            "standard-setting panel, so read the shares as a description of the spread, not "
            "as a verdict."
        )
        % {"cuts": ", ".join(f"{c:.0f}" for c in analysis.proficiency_cuts())},
        size=8.5,
    )
    if dash.scope.kind != ScopeKind.SCHOOL:
        _groups(pdf, dash, figures)
    if impact is not None:
        _impact(pdf, impact)
    _heading(pdf, _("Notes"))
    for note in dash.notes:
        _para(pdf, note, size=8.5)
    return bytes(pdf.output())


def _groups(pdf: FPDF, dash: Dashboard, figures: dict[str, Any]) -> None:
    _chart(pdf, figures["gap"], width=140, heading=_("Rural-urban gap"))
    titles = {
        "rural": _("Rural and urban"),
        "role": _("Hub, magnet and other schools"),
        "pilot": _("Programme and comparison schools"),
    }
    _heading(pdf, _("Gaps between groups in %(year)s") % {"year": dash.year})
    for column, title in titles.items():
        _para(pdf, title, size=10, height=5.5, bold=True)
        _mean_table(pdf, dash.groups.get(column, ()), _("Group"))
        pdf.ln(2)
    if dash.scope.kind == ScopeKind.REGION:
        _heading(pdf, _("Districts"))
        _mean_table(pdf, dash.groups.get("district", ()), _("District"))
    else:
        _heading(pdf, _("Schools"))
        _mean_table(pdf, dash.schools, _("School"))
