"""The four registry datasets that can be imported and exported, and their columns.

Every dataset is one file (CSV or XLSX) with one header row of English column names; the
order of the columns does not matter, their names (case-insensitive) do. All columns are
required; a cell may be left empty only where noted.

``schools`` — one row per school, key ``code``:

=============== ==========================================================================
code            the school's code (at most 20 characters), unique in the region
district_code   code of its district, e.g. ``alga``
name_kk         name in Kazakh
name_ru         name in Russian
settlement_kk   village or town, in Kazakh
settlement_ru   village or town, in Russian
locality        ``rural`` or ``urban``
language        language of instruction: ``kk``, ``ru`` or ``mixed``
network_role    ``none``, ``hub`` or ``magnet``
hub_code        for a magnet school, the code of its hub school; empty otherwise
latitude        decimal degrees, -90 to 90 (a decimal comma is accepted)
longitude       decimal degrees, -180 to 180
=============== ==========================================================================

``enrolment`` — one row per school and grade, key ``school_code`` + ``grade``:

=============== ==========================================================================
school_code     code of an existing school
grade           0 (pre-school class) to 11
pupils          number of pupils in that grade (0-5000)
class_set       name of the class-set the grade is taught in, e.g. ``1+3``; may be empty
=============== ==========================================================================

For every school in an enrolment file, the file is the whole truth: grades of that school
missing from the file are removed, and its class-sets are rebuilt from the ``class_set``
column (all grades with the same class-set name form one class-set).

``teachers`` — one row per teacher, key ``teacher_code``:

================= ========================================================================
teacher_code      the teacher's code, unique in the region
full_name         full name
main_school_code  code of the teacher's main school
weekly_hours      weekly teaching hours (0-40)
subjects          qualified subjects: subject codes separated by ``;``; may be empty
teaches_at        what the teacher teaches where: ``school_code:subject_code`` pairs
                  separated by ``;``; may be empty
================= ========================================================================

``infrastructure`` — one row per school, key ``school_code``:

=============== ==========================================================================
school_code     code of an existing school
internet_type   ``none``, ``fibre``, ``adsl``, ``mobile``, ``satellite`` or ``radio``
internet_mbps   measured speed in Mbit/s, one decimal place at most; 0 with ``none``
electricity     ``stable``, ``unstable`` or ``off_grid``
rooms           number of classrooms (0-300)
computer_lab    yes or no (``1``/``0``, ``yes``/``no``, ``да``/``нет``, ``иә``/``жоқ``)
science_lab     yes or no
stem_lab        yes or no
laptop_working  number of laptops in working order; one column for every device kind
...             (laptop, desktop, tablet, panel, projector) and condition (working,
                repair, broken), e.g. ``desktop_broken``; an empty cell means 0
=============== ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from auyl.registry.models import DeviceStock, Infrastructure, School


@dataclass(frozen=True)
class Column:
    name: str
    help: str | Promise
    example: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str | Promise
    columns: tuple[Column, ...]
    note: str | Promise = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _choices(values: list[str]) -> str:
    return ", ".join(values)


DEVICE_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (f"{kind}_{condition}", kind, condition)
    for kind in DeviceStock.Kind.values
    for condition in DeviceStock.Condition.values
)

SCHOOLS = Dataset(
    name="schools",
    label=_("Schools"),
    columns=(
        Column("code", _("The school's code, unique in the region."), "ALG003"),
        Column("district_code", _("Code of the school's district."), "alga"),
        Column("name_kk", _("Name in Kazakh."), "№3 мектеп"),
        Column("name_ru", _("Name in Russian."), "Школа №3"),
        Column("settlement_kk", _("Village or town, in Kazakh."), "Бестамақ"),
        Column("settlement_ru", _("Village or town, in Russian."), "Бестамак"),
        Column("locality", _choices(School.Locality.values), "rural"),
        Column("language", _choices(School.Language.values), "kk"),
        Column("network_role", _choices(School.NetworkRole.values), "magnet"),
        Column("hub_code", _("For a magnet school, the code of its hub school."), "ALG001"),
        Column("latitude", _("Decimal degrees, -90 to 90."), "50.2513"),
        Column("longitude", _("Decimal degrees, -180 to 180."), "57.4127"),
    ),
    note=_("Schools are never deleted by an import."),
)

ENROLMENT = Dataset(
    name="enrolment",
    label=_("Enrolment and class-sets"),
    columns=(
        Column("school_code", _("Code of an existing school."), "ALG003"),
        Column("grade", _("0 (pre-school class) to 11."), "3"),
        Column("pupils", _("Number of pupils in the grade."), "4"),
        Column(
            "class_set",
            _(
                "Name of the class-set the grade is taught in; grades with the same name "
                "form one class-set. May be empty."
            ),
            "1+3",
        ),
    ),
    note=_(
        "For every school in the file, the file is the whole truth: grades and class-sets "
        "of that school missing from the file are removed."
    ),
)

TEACHERS = Dataset(
    name="teachers",
    label=_("Teachers"),
    columns=(
        Column("teacher_code", _("The teacher's code, unique in the region."), "T000123"),
        Column("full_name", _("Full name."), "Әлиева Гүлнар Серікқызы"),
        Column("main_school_code", _("Code of the teacher's main school."), "ALG003"),
        Column("weekly_hours", _("Weekly teaching hours (0-40)."), "18"),
        Column(
            "subjects",
            _("Qualified subjects: subject codes separated by “;”. May be empty."),
            "math;physics",
        ),
        Column(
            "teaches_at",
            _("Pairs school_code:subject_code separated by “;”. May be empty."),
            "ALG003:math;ALG001:physics",
        ),
    ),
    note=_(
        "Teachers are never deleted by an import; their teaching assignments are "
        "replaced by those in the file."
    ),
)

INFRASTRUCTURE = Dataset(
    name="infrastructure",
    label=_("Infrastructure and devices"),
    columns=(
        Column("school_code", _("Code of an existing school."), "ALG003"),
        Column("internet_type", _choices(Infrastructure.InternetType.values), "mobile"),
        Column("internet_mbps", _("Measured speed in Mbit/s; 0 with none."), "12.5"),
        Column("electricity", _choices(Infrastructure.Electricity.values), "stable"),
        Column("rooms", _("Number of classrooms."), "9"),
        Column("computer_lab", _("yes or no (1/0, yes/no, да/нет, иә/жоқ)."), "1"),
        Column("science_lab", _("yes or no."), "0"),
        Column("stem_lab", _("yes or no."), "0"),
        *(
            Column(name, _("Number of devices; empty means 0."), "0")
            for name, _kind, _condition in DEVICE_COLUMNS
        ),
    ),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (SCHOOLS, ENROLMENT, TEACHERS, INFRASTRUCTURE)}
DATASET_CHOICES = [(d.name, d.label) for d in DATASETS.values()]


def get_dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}") from None
