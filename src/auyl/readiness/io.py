"""Import of readiness audits from a CSV or XLSX file (methodologists, region administrators).

One row per school; each row becomes a new submitted version of that school's audit. The
import is all-or-nothing: every row is checked first (file-level problems by
:func:`auyl.registry.io.reading.read_table`, cells by the registry's
:class:`~auyl.registry.io.validation.Cells`), the preview shows every problem with its row
and column, and the audits are written in one transaction on confirmation after checking
the file again. A methodologist may import only her district's schools.

Columns (all required; a device cell may be empty, meaning 0):

======================= ===================================================================
school_code             code of an existing school
internet_type           none, fibre, adsl, mobile, satellite or radio
internet_mbps           measured speed (Mbit/s), one decimal at most; 0 with ``none``
reliability_pct         share of school days online, 0-100
electricity             stable, unstable or off_grid
rooms                   classrooms (0-300)
rooms_with_panel        classrooms with a working interactive panel
computer_lab ...        computer_lab, science_lab, stem_lab, offline_server: yes or no
teachers_beginner ...   teachers at each self-assessed level: teachers_beginner,
                        teachers_basic, teachers_confident, teachers_advanced
laptop_new_working ...  device counts: ``<kind>_<age>_<condition>`` for kind laptop,
                        desktop, tablet, panel, projector; age new (under 4 years), mid
                        (4-7), old (8+); condition working, repair, broken
======================= ===================================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from auyl.accounts.scoping import AnyUser, visible_schools
from auyl.readiness.models import DEVICE_KEYS, MAX_DEVICES, MAX_TEACHERS, Audit
from auyl.registry.io.datasets import Column, Dataset
from auyl.registry.io.export import to_csv, to_xlsx
from auyl.registry.io.reading import ReadError, read_table
from auyl.registry.io.validation import Cells, Issue, Schools, scope_for
from auyl.registry.models import Infrastructure

AGE_COLUMN = {"0_3": "new", "4_7": "mid", "8_plus": "old"}
LEVEL_COLUMNS = (
    ("teachers_level_0", "teachers_beginner"),
    ("teachers_level_1", "teachers_basic"),
    ("teachers_level_2", "teachers_confident"),
    ("teachers_level_3", "teachers_advanced"),
)
BOOLEAN_COLUMNS = ("computer_lab", "science_lab", "stem_lab", "offline_server")


def device_column(key: str) -> str:
    kind, age, condition = key.split(":")
    return f"{kind}_{AGE_COLUMN[age]}_{condition}"


DEVICE_COLUMNS = {device_column(key): key for key in DEVICE_KEYS}

AUDITS = Dataset(
    name="audits",
    label=gettext_lazy("Readiness audits"),
    columns=(
        Column("school_code", gettext_lazy("Code of an existing school."), "KHR007"),
        Column("internet_type", ", ".join(Infrastructure.InternetType.values), "mobile"),
        Column("internet_mbps", gettext_lazy("Measured speed in Mbit/s; 0 with none."), "8.5"),
        Column("reliability_pct", gettext_lazy("Share of school days online, 0-100."), "85"),
        Column("electricity", ", ".join(Infrastructure.Electricity.values), "stable"),
        Column("rooms", gettext_lazy("Number of classrooms."), "9"),
        Column("rooms_with_panel", gettext_lazy("Classrooms with a working panel."), "2"),
        *(Column(name, gettext_lazy("yes or no"), "no") for name in BOOLEAN_COLUMNS),
        *(
            Column(column, gettext_lazy("Teachers at this level."), "3")
            for _f, column in LEVEL_COLUMNS
        ),
        *(Column(column, gettext_lazy("Devices; empty means 0."), "") for column in DEVICE_COLUMNS),
    ),
    note=gettext_lazy("One row per school; each row becomes a new submitted audit version."),
)


@dataclass
class AuditRow:
    number: int
    school_id: int
    code: str
    data: dict[str, Any]
    devices: dict[str, int]


@dataclass
class CheckedFile:
    rows: list[AuditRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues and bool(self.rows)


def _check_row(cells: Cells, schools: Schools, scope: Any, seen: dict[str, int]) -> AuditRow | None:
    code = cells.text("school_code", max_length=20)
    school_id = schools.resolve(cells, "school_code", code, scope) if code else None
    if code in seen:
        cells.fail(
            "school_code",
            _("School %(code)s appears twice in the file (rows %(first)s and %(row)s).")
            % {"code": code, "first": seen[code], "row": cells.row},
        )
    elif code:
        seen[code] = cells.row
    data: dict[str, Any] = {
        "internet_type": cells.choice("internet_type", Infrastructure.InternetType.values),
        "internet_mbps": cells.decimal("internet_mbps", high=10000),
        "reliability_pct": cells.integer("reliability_pct", high=100),
        "electricity": cells.choice("electricity", Infrastructure.Electricity.values),
        "rooms": cells.integer("rooms", high=300),
        "rooms_with_panel": cells.integer("rooms_with_panel", high=300),
    }
    for name in BOOLEAN_COLUMNS:
        data[name] = cells.boolean(name)
    for name, column in LEVEL_COLUMNS:
        data[name] = cells.integer(column, high=MAX_TEACHERS)
    devices = {}
    for column, key in DEVICE_COLUMNS.items():
        count = cells.integer(column, high=MAX_DEVICES, blank=0)
        if count:
            devices[key] = count
    if not cells.ok or school_id is None:
        return None
    # The rules a submitted audit must keep, with the columns that break them.
    audit = Audit(school_id=school_id, devices=devices, **data)
    column_of = dict(LEVEL_COLUMNS)
    problems: dict[str, str] = {}
    try:
        audit.clean()
    except Exception as error:  # ValidationError with a message per field
        for name, messages in getattr(error, "message_dict", {"": [str(error)]}).items():
            problems.setdefault(name, messages[0])
    for name, message in audit.submission_problems().items():
        problems.setdefault(name, message)
    for name, message in problems.items():
        cells.fail(column_of.get(name, name), message)
    if problems:
        return None
    return AuditRow(cells.row, school_id, code, data, devices)


def check_file(path: Path, *, filename: str, encoding: str, user: AnyUser) -> CheckedFile:
    """Read and check an audits file for ``user``; writes nothing."""
    scope = scope_for(user)
    try:
        table = read_table(path, dataset=AUDITS, filename=filename, encoding=encoding)
    except ReadError as error:
        return CheckedFile(issues=[Issue(None, "", m) for m in error.messages])
    checked = CheckedFile(total_rows=len(table.rows))
    checked.issues = [Issue(row, column, message) for row, column, message in table.row_problems]
    if not table.rows:
        checked.issues.append(Issue(None, "", _("The file has no data rows.")))
    schools = Schools()
    seen: dict[str, int] = {}
    for number, values in table.rows:
        row = _check_row(Cells(number, values, checked.issues), schools, scope, seen)
        if row is not None:
            checked.rows.append(row)
    checked.issues.sort(key=lambda i: (i.row or 0, i.column))
    return checked


@transaction.atomic
def apply_file(path: Path, *, filename: str, encoding: str, user: AnyUser) -> CheckedFile:
    """Check the file again and, if it is clean, submit one new audit version per row in
    one transaction (nothing is written when any row has a problem)."""
    checked = check_file(path, filename=filename, encoding=encoding, user=user)
    if not checked.ok:
        return checked
    ids = [r.school_id for r in checked.rows]
    last = dict(
        Audit.objects.filter(school_id__in=ids, status="submitted")
        .values("school_id")
        .annotate(v=Max("version"))
        .values_list("school_id", "v")
    )
    Audit.objects.filter(school_id__in=ids, is_latest=True).update(is_latest=False)
    now = timezone.now()
    by: Any = user if user.is_authenticated else None
    audits = [
        Audit(
            school_id=row.school_id,
            status=Audit.Status.SUBMITTED,
            version=(last.get(row.school_id) or 0) + 1,
            is_latest=True,
            source=Audit.Source.IMPORT,
            created_by=by,
            submitted_by=by,
            submitted_at=now,
            devices=row.devices,
            **row.data,
        )
        for row in checked.rows
    ]
    Audit.objects.bulk_create(audits, batch_size=500)
    _record_indexes(ids)
    return checked


def _record_indexes(school_ids: list[int]) -> None:
    from auyl.readiness.selectors import load_rows
    from auyl.registry.models import School

    index = {r.pk: r.index for r in load_rows(School.objects.filter(pk__in=school_ids))}
    latest = list(Audit.objects.filter(school_id__in=school_ids, is_latest=True))
    for audit in latest:
        audit.index_at_submit = index.get(audit.school_id)
    Audit.objects.bulk_update(latest, ["index_at_submit"], batch_size=500)


# --- Export and template ------------------------------------------------------------------


def _export_rows(user: AnyUser) -> Iterator[list[Any]]:
    audits = (
        Audit.objects.filter(is_latest=True, school__in=visible_schools(user).values("pk"))
        .select_related("school")
        .order_by("school__code")
    )
    for a in audits:
        yield [
            a.school.code,
            a.internet_type,
            float(a.internet_mbps or 0),
            a.reliability_pct,
            a.electricity,
            a.rooms,
            a.rooms_with_panel,
            *(int(getattr(a, name)) for name in BOOLEAN_COLUMNS),
            *(getattr(a, name) for name, _c in LEVEL_COLUMNS),
            *(a.device_count(key) for key in DEVICE_COLUMNS.values()),
        ]


def export_file(user: AnyUser, fmt: str) -> bytes:
    """The latest submitted audits of the schools ``user`` may see, in the import format."""
    rows = _export_rows(user)
    return to_xlsx(AUDITS, rows) if fmt == "xlsx" else to_csv(AUDITS, rows)


def template_file(fmt: str) -> bytes:
    return to_xlsx(AUDITS, iter(())) if fmt == "xlsx" else to_csv(AUDITS, iter(()))
