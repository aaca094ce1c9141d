"""Exports of the network: a table (CSV or XLSX) of hub, magnet, district, km and pupils,
and a printable cluster sheet (PDF) per hub.

The CSV is UTF-8 with a byte-order mark (Excel shows Kazakh and Russian letters right) and
text cells that a spreadsheet would run as a formula get a leading apostrophe, as in the
registry's exports. The PDF uses DejaVu Sans from matplotlib's fonts, which has the Kazakh
letters (ә, ғ, қ, ң, ө, ұ, ү, һ, і).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from auyl.accounts.scoping import AnyUser
from auyl.network import selectors
from auyl.network.coverage import cluster_coverage_for
from auyl.network.models import MentorAssignment, NetworkDesign
from auyl.registry.io.export import escape_text
from auyl.registry.models import School

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER = (
    "hub_code",
    "hub_name",
    "magnet_code",
    "magnet_name",
    "district",
    "km",
    "pupils",
)

Row = tuple[Any, ...]


def _name(school: School | None) -> str:
    return school.name if school is not None else ""


def network_rows(user: AnyUser) -> list[Row]:
    """The network as it is, over the clusters ``user`` may see (four queries)."""
    rows: list[Row] = []
    for cluster in selectors.clusters(user):
        for m in cluster.magnets:
            rows.append(
                (
                    cluster.hub.code,
                    _name(cluster.hub),
                    m.school.code,
                    _name(m.school),
                    m.school.district.code,
                    m.km,
                    m.pupils,
                )
            )
    return rows


def design_rows(design: NetworkDesign) -> list[Row]:
    """A design's proposed network (road km as computed for the design)."""
    result = design.result or {}
    links = result.get("links", [])
    schools = selectors.school_names({x["magnet"] for x in links} | {x["hub"] for x in links})
    rows: list[Row] = []
    for x in sorted(links, key=lambda x: (x["hub"], x["magnet"])):
        hub, magnet = schools.get(x["hub"]), schools.get(x["magnet"])
        rows.append(
            (
                x["hub"],
                _name(hub),
                x["magnet"],
                _name(magnet),
                magnet.district.code if magnet else "",
                round(x["km"], 1),
                x["pupils"],
            )
        )
    return rows


def _cell(value: Any) -> Any:
    return escape_text(value) if isinstance(value, str) else value


def write(rows: Iterable[Row], fmt: str) -> bytes:
    if fmt == "xlsx":
        return _xlsx(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(rows: Iterable[Row]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "network"
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for column, width in zip("ABCDEFG", (12, 40, 12, 40, 14, 8, 8), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- The cluster sheet (PDF) ----------------------------------------------------------------


def font_path(bold: bool = False) -> Path:
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def cluster_sheet_pdf(user: AnyUser, hub: School) -> bytes:
    """One cluster on A4: the hub, its magnet schools with road km and pupils, the subjects
    they cannot staff and who could cover them, and the mentors assigned."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    cluster = selectors.clusters(user, hub)[0]
    coverage = cluster_coverage_for(user, hub)
    mentors = MentorAssignment.objects.filter(hub=hub).select_related("mentor")

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    pdf.set_title(f"{hub.code} {hub.name}")
    pdf.add_page()

    def line(text: str, size: float = 10, bold: bool = False, height: float = 5.5) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(_("Cluster sheet"), 9)
    line(f"{hub.name} ({hub.code})", 16, bold=True, height=8)
    line(
        _(
            "%(district)s · %(magnets)s magnet schools · %(pupils)s pupils in them · "
            "farthest %(km)s km"
        )
        % {
            "district": hub.district.name,
            "magnets": cluster.magnet_count,
            "pupils": cluster.pupils,
            "km": f"{cluster.max_km:.0f}",
        },
        10,
    )
    pdf.ln(3)

    line(_("Magnet schools"), 12, bold=True, height=7)
    widths = (22, 78, 36, 18, 26)
    headings = (_("Code"), _("School"), _("District"), _("km"), _("Pupils"))
    pdf.set_font("DejaVu", "B", 9)
    for w, h in zip(widths, headings, strict=True):
        pdf.cell(w, 6, h, border="B", align="R" if h in (_("km"), _("Pupils")) else "L")
    pdf.ln()
    pdf.set_font("DejaVu", "", 9)
    for m in cluster.magnets:
        cells = (
            m.school.code,
            m.school.name[:46],
            m.school.district.name[:22],
            f"{m.km:.0f}",
            str(m.pupils),
        )
        for i, (w, text) in enumerate(zip(widths, cells, strict=True)):
            pdf.cell(w, 5.5, text, align="R" if i >= 3 else "L")
        pdf.ln()
    if not cluster.magnets:
        line(_("No magnet school."), 9)
    pdf.ln(3)

    line(_("Subjects the magnet schools cannot staff"), 12, bold=True, height=7)
    gaps = coverage.gaps
    if not gaps:
        line(_("Every subject of every grade has a qualified teacher."), 9)
    for gap in gaps:
        who = ", ".join(
            f"{c.full_name} ({c.spare_hours:g} h)" for c in gap.candidates if c.enough
        ) or _("no hub teacher with enough spare hours")
        line(
            _("%(school)s: %(subject)s, grades %(grades)s, %(hours)s h/week → %(who)s")
            % {
                "school": gap.school_code,
                "subject": gap.subject_name,
                "grades": gap.grades_text,
                "hours": f"{gap.weekly_hours:g}",
                "who": who,
            },
            9,
            height=5,
        )
    pdf.ln(3)

    line(_("Mentors"), 12, bold=True, height=7)
    names = [
        f"{a.mentor.full_name}" + (f" ({a.mentor.organisation})" if a.mentor.organisation else "")
        for a in mentors
    ]
    line("; ".join(names) if names else _("No mentor assigned yet."), 9)
    pdf.ln(4)
    line(
        _(
            "Printed %(date)s by Auyl. Road km = straight-line km × %(factor)s. Curriculum "
            "hours are an approximation to be checked."
        )
        % {"date": timezone.localdate().isoformat(), "factor": selectors.ROAD_FACTOR},
        7.5,
        height=4,
    )
    return bytes(pdf.output())
