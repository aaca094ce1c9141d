"""Check an import table row by row and work out what it would change.

:func:`validate` returns a :class:`Plan`: every problem found (row as the user sees it in the
spreadsheet, column, reason in the user's language), every row's effect on the registry
(create, update with each field's before → after, unchanged, delete), and a ``write``
function that performs exactly those changes. The plan is computed from the database as it
is now and writes nothing; :mod:`auyl.registry.io.apply` runs ``write`` inside one
transaction after computing the plan again.

All problems are collected, never only the first. A row with a problem still has its other
cells checked; cross-row rules (duplicate keys, hub of a magnet, a grade in two class-sets)
are checked once every row has been read. Everything is loaded with a fixed number of
queries (``values()`` into dictionaries), so a file of 7,700 schools checks in seconds.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from auyl.accounts.models import Role
from auyl.accounts.scoping import can_import, profile_of, role_of
from auyl.registry.io.datasets import DEVICE_COLUMNS, Dataset
from auyl.registry.io.reading import Table
from auyl.registry.models import (
    MAX_GRADE,
    ClassSet,
    DeviceStock,
    District,
    Enrolment,
    Infrastructure,
    School,
    Subject,
    Teacher,
    TeachingAssignment,
)

if TYPE_CHECKING:
    from auyl.accounts.scoping import AnyUser
    from auyl.registry.io.apply import Writer

#: ``progress(done, total)``, or ``progress(done, total, message)`` to change the message.
Progress = Callable[..., None]
T = TypeVar("T")
CREATE, UPDATE, UNCHANGED, DELETE = "create", "update", "unchanged", "delete"
ACTIONS = (CREATE, UPDATE, DELETE, UNCHANGED)


@dataclass(frozen=True)
class Issue:
    row: int | None  # spreadsheet row (header = 1); None for the file as a whole
    column: str
    message: str


@dataclass(frozen=True)
class Change:
    action: str
    key: str  # language-neutral, for the digest
    label: str  # what the user reads
    row: int | None
    fields: tuple[tuple[str, str, str], ...] = ()  # (column, before, after)


@dataclass
class Plan:
    dataset: str
    rows: int
    issues: list[Issue]
    changes: list[Change] = field(default_factory=list)
    write: Callable[[Writer], None] | None = None

    @property
    def ok(self) -> bool:
        return not self.issues and self.write is not None

    def counts(self) -> dict[str, int]:
        found = Counter(c.action for c in self.changes)
        return {action: found[action] for action in ACTIONS}

    @property
    def digest(self) -> str:
        """A fingerprint of the changes, to notice that the data moved since the preview."""
        data = [(c.action, c.key, c.fields) for c in self.changes]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()

    def summary(self, *, limit: int = 500, issue_limit: int = 1000) -> dict[str, Any]:
        """JSON for the job result: counts, the first problems and the first changes."""
        shown: Counter[str] = Counter()
        changes = []
        for c in self.changes:
            if shown[c.action] < limit:
                shown[c.action] += 1
                changes.append(
                    {"action": c.action, "label": c.label, "row": c.row, "fields": c.fields}
                )
        issues = sorted(self.issues, key=lambda i: i.row or 0)
        return {
            "dataset": self.dataset,
            "rows": self.rows,
            "issue_count": len(issues),
            "issues": [
                {"row": i.row, "column": i.column, "message": i.message}
                for i in issues[:issue_limit]
            ],
            "counts": self.counts(),
            "changes": changes,
            "digest": self.digest,
        }


def failed_plan(dataset: str, messages: Iterable[str]) -> Plan:
    return Plan(dataset=dataset, rows=0, issues=[Issue(None, "", m) for m in messages])


# --- Who may import what ------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The districts whose schools a user may import: all (None) or one."""

    district_id: int | None

    def allows(self, district_id: int | None) -> bool:
        return self.district_id is None or district_id == self.district_id


def scope_for(user: AnyUser) -> Scope:
    if not can_import(user):
        raise PermissionDenied(_("Only region administrators and methodologists may import."))
    if role_of(user) is Role.REGION_ADMIN:
        return Scope(None)
    profile = profile_of(user)
    assert profile is not None  # can_import() is true only with a role
    return Scope(profile.district_id)


# --- Cells --------------------------------------------------------------------------------

_BOOLEANS = {
    **dict.fromkeys(("1", "yes", "y", "true", "да", "д", "иә", "ия", "и"), True),
    **dict.fromkeys(("0", "no", "n", "false", "нет", "н", "жоқ", "ж"), False),
}
_INTEGER = re.compile(r"([+-]?\d+)(?:[.,]0*)?")


def _squash_number(value: str) -> str:
    return value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")


class Cells:
    """One row's cells, with parsers that record a problem instead of raising."""

    def __init__(self, number: int, values: dict[str, str], issues: list[Issue]) -> None:
        self.row = number
        self.values = values
        self.issues = issues
        self.ok = True

    def fail(self, column: str, message: str) -> None:
        self.issues.append(Issue(self.row, column, message))
        self.ok = False

    def _present(self, column: str, required: bool) -> str:
        value = self.values.get(column, "")
        if not value and required:
            self.fail(column, _("A value is required."))
        return value

    def text(self, column: str, *, max_length: int, required: bool = True) -> str:
        value = self._present(column, required)
        if len(value) > max_length:
            self.fail(
                column,
                _("The text is too long (%(length)s characters; at most %(max)s).")
                % {"length": len(value), "max": max_length},
            )
        return value

    def integer(
        self,
        column: str,
        *,
        high: int,
        blank: int | None = None,
        out_of_range: str = "",
    ) -> int | None:
        value = self.values.get(column, "")
        if not value and blank is not None:
            return blank
        if not self._present(column, True):
            return None
        match = _INTEGER.fullmatch(_squash_number(value))
        if not match:
            self.fail(column, _("“%(value)s” is not a whole number.") % {"value": value})
            return None
        number = int(match.group(1))
        if out_of_range and not 0 <= number <= high:
            self.fail(column, out_of_range % {"value": number})
        elif number < 0:
            self.fail(
                column, _("The number must not be negative (found %(value)s).") % {"value": number}
            )
        elif number > high:
            self.fail(
                column,
                _("The number is too large (found %(value)s; at most %(max)s).")
                % {"value": number, "max": high},
            )
        else:
            return number
        return None

    def number(self, column: str, *, low: float, high: float, out_of_range: str) -> float | None:
        value = self._present(column, True)
        if not value:
            return None
        text = _squash_number(value)
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.fail(column, _("“%(value)s” is not a number.") % {"value": value})
            return None
        if not low <= number <= high:
            self.fail(column, out_of_range % {"value": value})
            return None
        return number

    def decimal(self, column: str, *, high: int) -> Decimal | None:
        """A non-negative number with at most one decimal place (0.1 steps)."""
        value = self._present(column, True)
        if not value:
            return None
        text = _squash_number(value).replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.fail(column, _("“%(value)s” is not a number.") % {"value": value})
            return None
        if number < 0:
            self.fail(
                column, _("The number must not be negative (found %(value)s).") % {"value": value}
            )
            return None
        if number > high:
            self.fail(
                column,
                _("The number is too large (found %(value)s; at most %(max)s).")
                % {"value": value, "max": high},
            )
            return None
        rounded = number.quantize(Decimal("0.1"))
        if rounded != number:
            self.fail(
                column, _("Give at most one decimal place (found %(value)s).") % {"value": value}
            )
            return None
        return rounded

    def choice(self, column: str, choices: Sequence[str]) -> str:
        value = self._present(column, True)
        if not value:
            return ""
        if value.lower() not in choices:
            self.fail(
                column,
                _("“%(value)s” is not one of the allowed values: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(choices)},
            )
            return ""
        return value.lower()

    def boolean(self, column: str) -> bool | None:
        value = self._present(column, True)
        if not value:
            return None
        found = _BOOLEANS.get(value.lower())
        if found is None:
            self.fail(
                column,
                _("“%(value)s” is not yes or no (write 1/0, yes/no, да/нет or иә/жоқ).")
                % {"value": value},
            )
        return found


def _fmt(value: Any) -> str:
    """A value as the file writes it, for the preview."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (column, _fmt(before[column]), _fmt(after[column]))
        for column in after
        if before[column] != after[column]
    )


def _created(after: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    return tuple((column, "", _fmt(value)) for column, value in after.items())


def chunks(items: Sequence[T], size: int = 2000) -> Iterator[Sequence[T]]:
    """Slices of ``items``; keeps ``__in`` lookups under SQLite's variable limit."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bilingual(kk: str, ru: str) -> str:
    return (kk or ru) if (get_language() or "kk").startswith("kk") else (ru or kk)


class Schools:
    """Every school's id, district and code, loaded once."""

    def __init__(self) -> None:
        rows = School.objects.values_list("id", "code", "district_id", "district__code")
        self.by_code = {code: (pk, district, dcode) for pk, code, district, dcode in rows}
        self.code_of = {pk: code for code, (pk, _d, _c) in self.by_code.items()}
        self.district_of = {pk: district for pk, district, _c in self.by_code.values()}

    def resolve(self, cells: Cells, column: str, code: str, scope: Scope) -> int | None:
        """The id of school ``code`` if it exists and ``scope`` covers it; else a problem."""
        if not code:
            return None
        found = self.by_code.get(code)
        if found is None:
            cells.fail(column, _("Unknown school code “%(code)s”.") % {"code": code})
            return None
        pk, district, district_code = found
        if not scope.allows(district):
            cells.fail(column, _out_of_scope(code, district_code))
            return None
        return pk


def _out_of_scope(code: str, district_code: str) -> str:
    return _(
        "School %(code)s is in district %(district)s, outside your district: you may "
        "import data only for the schools of your district."
    ) % {"code": code, "district": district_code}


# --- Entry point --------------------------------------------------------------------------


def validate(
    dataset: Dataset, table: Table, user: AnyUser, progress: Progress | None = None
) -> Plan:
    """Check ``table`` as ``dataset`` for ``user`` and plan its changes (no writes)."""
    scope = scope_for(user)
    issues = [Issue(row, column, message) for row, column, message in table.row_problems]
    check = _VALIDATORS[dataset.name]
    plan = check(table, scope, issues, progress or (lambda done, total: None))
    if plan.issues:
        plan.write = None
    return plan


# --- schools ------------------------------------------------------------------------------

_SCHOOL_TEXT = (("name_kk", 200), ("name_ru", 200), ("settlement_kk", 200), ("settlement_ru", 200))
_SCHOOL_FIELDS = (
    "district_id",
    "name_kk",
    "name_ru",
    "settlement_kk",
    "settlement_ru",
    "locality",
    "language",
    "network_role",
    "hub_id",
    "latitude",
    "longitude",
)
_SCHOOL_UPDATE_FIELDS = [f.removesuffix("_id") for f in _SCHOOL_FIELDS]
HUB, MAGNET = School.NetworkRole.HUB.value, School.NetworkRole.MAGNET.value


@dataclass
class _SchoolRow:
    number: int
    code: str
    values: dict[str, Any]  # School field values, without hub_id
    hub_code: str


def _validate_schools(table: Table, scope: Scope, issues: list[Issue], progress: Progress) -> Plan:
    districts = {code: pk for pk, code in District.objects.values_list("id", "code")}
    district_code = {pk: code for code, pk in districts.items()}
    db = {r["code"]: r for r in School.objects.values("id", "code", *_SCHOOL_FIELDS)}
    code_of = {r["id"]: code for code, r in db.items()}
    first_row: dict[str, int] = {}
    file_role: dict[str, tuple[str, int]] = {}
    parsed: dict[str, _SchoolRow] = {}

    for done, (number, raw) in enumerate(table.rows, start=1):
        c = Cells(number, raw, issues)
        code = c.text("code", max_length=20)
        dcode = c.text("district_code", max_length=30)
        values: dict[str, Any] = {name: c.text(name, max_length=n) for name, n in _SCHOOL_TEXT}
        values["locality"] = c.choice("locality", School.Locality.values)
        values["language"] = c.choice("language", School.Language.values)
        role = values["network_role"] = c.choice("network_role", School.NetworkRole.values)
        hub_code = c.text("hub_code", max_length=20, required=False)
        values["latitude"] = c.number(
            "latitude",
            low=-90,
            high=90,
            out_of_range=_("Latitude must be between -90 and 90 (found %(value)s)."),
        )
        values["longitude"] = c.number(
            "longitude",
            low=-180,
            high=180,
            out_of_range=_("Longitude must be between -180 and 180 (found %(value)s)."),
        )
        if code in first_row:
            c.fail(
                "code",
                _("School code %(code)s appears twice in the file (first on row %(row)s).")
                % {"code": code, "row": first_row[code]},
            )
        elif code:
            first_row[code] = number
            if role:
                file_role[code] = (role, number)
        if dcode:
            values["district_id"] = districts.get(dcode) or districts.get(dcode.lower())
            if values["district_id"] is None:
                c.fail("district_code", _("Unknown district code “%(code)s”.") % {"code": dcode})
            elif not scope.allows(values["district_id"]):
                c.fail(
                    "district_code",
                    _(
                        "District %(code)s is not your district: you may import only the "
                        "schools of your district."
                    )
                    % {"code": dcode},
                )
        existing = db.get(code)
        if existing and not scope.allows(existing["district_id"]):
            c.fail("code", _out_of_scope(code, district_code[existing["district_id"]]))
        if role == MAGNET and not hub_code:
            c.fail("hub_code", _("A magnet school must name its hub school in hub_code."))
        elif role and role != MAGNET and hub_code:
            c.fail(
                "hub_code",
                _(
                    "Only a magnet school has a hub school: leave hub_code empty or set "
                    "network_role to magnet."
                ),
            )
        elif hub_code and hub_code == code:
            c.fail("hub_code", _("A school cannot be its own hub."))
        if c.ok:
            parsed[code] = _SchoolRow(number, code, values, hub_code)
        progress(done, len(table.rows))

    _check_hubs(parsed, db, code_of, file_role, first_row, issues)
    return _plan_schools(table, issues, parsed, db, code_of, district_code)


def _check_hubs(
    parsed: dict[str, _SchoolRow],
    db: dict[str, dict[str, Any]],
    code_of: dict[int, str],
    file_role: dict[str, tuple[str, int]],
    first_row: dict[str, int],
    issues: list[Issue],
) -> None:
    """A magnet's hub must be a hub once the file is applied, and hubs keep their magnets."""
    roles = {code: r["network_role"] for code, r in db.items()}
    roles.update({code: role for code, (role, _row) in file_role.items()})
    for row in parsed.values():
        hub = row.hub_code
        if not hub:
            continue
        if hub not in roles:
            issues.append(
                Issue(
                    row.number,
                    "hub_code",
                    _(
                        "Unknown hub school code “%(code)s”: there is no such school in the "
                        "registry or in this file."
                    )
                    % {"code": hub},
                )
            )
        elif roles[hub] != HUB:
            where = (
                _("in this file, row %(row)s") % {"row": file_role[hub][1]}
                if hub in file_role
                else _("in the registry")
            )
            issues.append(
                Issue(
                    row.number,
                    "hub_code",
                    _(
                        "School %(code)s is not a hub school (%(where)s), so it cannot be "
                        "the hub of a magnet school."
                    )
                    % {"code": hub, "where": where},
                )
            )
    orphans: dict[str, list[str]] = defaultdict(list)
    for code, r in db.items():
        if r["network_role"] == MAGNET and r["hub_id"] and code not in first_row:
            hub = code_of[r["hub_id"]]
            if hub in file_role and file_role[hub][0] != HUB:
                orphans[hub].append(code)
    for hub, magnets in orphans.items():
        issues.append(
            Issue(
                file_role[hub][1],
                "network_role",
                _(
                    "School %(code)s is the hub of the magnet schools %(magnets)s, which are "
                    "not in this file: it must stay a hub, or give those schools another "
                    "hub in the same file."
                )
                % {"code": hub, "magnets": ", ".join(sorted(magnets))},
            )
        )


def _plan_schools(
    table: Table,
    issues: list[Issue],
    parsed: dict[str, _SchoolRow],
    db: dict[str, dict[str, Any]],
    code_of: dict[int, str],
    district_code: dict[int, str],
) -> Plan:
    def as_file(values: dict[str, Any], hub_code: str) -> dict[str, Any]:
        out = {"district_code": district_code.get(values["district_id"], "")}
        out.update({k: values[k] for k in _SCHOOL_FIELDS if k not in ("district_id", "hub_id")})
        out["hub_code"] = hub_code
        return {name: out[name] for name in _SCHOOL_COLUMNS_ORDER}

    changes: list[Change] = []
    creates: list[_SchoolRow] = []
    updates: list[tuple[int, _SchoolRow]] = []
    for row in parsed.values():
        after = as_file(row.values, row.hub_code)
        label = f"{row.code} · {_bilingual(row.values['name_kk'], row.values['name_ru'])}"
        existing = db.get(row.code)
        if existing is None:
            changes.append(Change(CREATE, row.code, label, row.number, _created(after)))
            creates.append(row)
            continue
        before = as_file(existing, code_of.get(existing["hub_id"], ""))
        fields = _diff(before, after)
        changes.append(Change(UPDATE if fields else UNCHANGED, row.code, label, row.number, fields))
        if fields:
            updates.append((existing["id"], row))

    def write(w: Writer) -> None:
        ids = {code: r["id"] for code, r in db.items()}

        def build(row: _SchoolRow, pk: int | None = None) -> School:
            hub_id = ids[row.hub_code] if row.hub_code else None
            return School(pk=pk, code=row.code, hub_id=hub_id, **row.values)

        # Each write is checked against the rows already written (School.clean reads the
        # hub), so hubs come first: new non-magnets, then updates of non-magnets (a school
        # becoming a hub), then updates of magnets, then new magnets.
        created = w.create(School, [build(r) for r in creates if not r.hub_code])
        ids.update({s.code: s.pk for s in created})
        for magnets in (False, True):
            chosen = [build(row, pk) for pk, row in updates if bool(row.hub_code) == magnets]
            w.update(School, chosen, _SCHOOL_UPDATE_FIELDS)
        w.create(School, [build(r) for r in creates if r.hub_code])

    return Plan("schools", len(table.rows), issues, changes, write)


_SCHOOL_COLUMNS_ORDER = (
    "district_code",
    "name_kk",
    "name_ru",
    "settlement_kk",
    "settlement_ru",
    "locality",
    "language",
    "network_role",
    "hub_code",
    "latitude",
    "longitude",
)


# --- enrolment ----------------------------------------------------------------------------


def _validate_enrolment(
    table: Table, scope: Scope, issues: list[Issue], progress: Progress
) -> Plan:
    schools = Schools()
    seen: dict[tuple[int, int], tuple[int, str]] = {}
    by_school: dict[int, dict[int, tuple[int, int, str]]] = {}  # school → grade → row
    for done, (number, raw) in enumerate(table.rows, start=1):
        c = Cells(number, raw, issues)
        code = c.text("school_code", max_length=20)
        school_id = schools.resolve(c, "school_code", code, scope)
        grade = c.integer(
            "grade",
            high=MAX_GRADE,
            out_of_range=_("Grade %(value)s does not exist (grades are 0-11)."),
        )
        pupils = c.integer("pupils", high=5000)
        class_set = c.text("class_set", max_length=50, required=False)
        if school_id is not None and grade is not None:
            key = (school_id, grade)
            if key in seen:
                row, first_set = seen[key]
                if first_set != class_set:
                    c.fail(
                        "class_set",
                        _(
                            "Grade %(grade)s of school %(school)s is in two class-sets: "
                            "“%(first)s” (row %(row)s) and “%(second)s”."
                        )
                        % {
                            "grade": grade,
                            "school": code,
                            "first": first_set,
                            "row": row,
                            "second": class_set,
                        },
                    )
                else:
                    c.fail(
                        "grade",
                        _("Grade %(grade)s of school %(school)s is already on row %(row)s.")
                        % {"grade": grade, "school": code, "row": row},
                    )
            else:
                seen[key] = (number, class_set)
        if c.ok and school_id is not None and grade is not None and pupils is not None:
            by_school.setdefault(school_id, {})[grade] = (number, pupils, class_set)
        progress(done, len(table.rows))
    return _plan_enrolment(table, issues, schools, by_school)


def _plan_enrolment(
    table: Table,
    issues: list[Issue],
    schools: Schools,
    by_school: dict[int, dict[int, tuple[int, int, str]]],
) -> Plan:
    ids = list(by_school)
    db_enrol: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    db_sets: dict[int, dict[str, tuple[int, list[int]]]] = defaultdict(dict)
    for part in chunks(ids):
        for pk, school, grade, pupils in Enrolment.objects.filter(school_id__in=part).values_list(
            "id", "school_id", "grade", "pupils"
        ):
            db_enrol[school][grade] = (pk, pupils)
        for pk, school, name, grades in ClassSet.objects.filter(school_id__in=part).values_list(
            "id", "school_id", "name", "grades"
        ):
            db_sets[school][name] = (pk, grades)

    changes: list[Change] = []
    enrol_create: list[Enrolment] = []
    enrol_update: list[Enrolment] = []
    enrol_delete: list[Enrolment] = []
    set_create: list[ClassSet] = []
    set_update: list[ClassSet] = []
    set_delete: list[ClassSet] = []
    for school_id, grades in by_school.items():
        code = schools.code_of[school_id]
        for grade, (number, pupils, _set) in sorted(grades.items(), key=lambda g: g[1][0]):
            label = _("%(school)s, grade %(grade)s") % {"school": code, "grade": grade}
            key = f"{code}/grade/{grade}"
            found = db_enrol[school_id].get(grade)
            if found is None:
                changes.append(Change(CREATE, key, label, number, (("pupils", "", str(pupils)),)))
                enrol_create.append(Enrolment(school_id=school_id, grade=grade, pupils=pupils))
            elif found[1] != pupils:
                fields = (("pupils", str(found[1]), str(pupils)),)
                changes.append(Change(UPDATE, key, label, number, fields))
                enrol_update.append(
                    Enrolment(pk=found[0], school_id=school_id, grade=grade, pupils=pupils)
                )
            else:
                changes.append(Change(UNCHANGED, key, label, number))
        for grade, (pk, pupils) in sorted(db_enrol[school_id].items()):
            if grade not in grades:
                label = _("%(school)s, grade %(grade)s") % {"school": code, "grade": grade}
                fields = (("pupils", str(pupils), ""),)
                changes.append(Change(DELETE, f"{code}/grade/{grade}", label, None, fields))
                enrol_delete.append(
                    Enrolment(pk=pk, school_id=school_id, grade=grade, pupils=pupils)
                )

        wanted: dict[str, tuple[int, list[int]]] = {}
        for grade, (number, _pupils, name) in sorted(grades.items(), key=lambda g: g[1][0]):
            if name:
                first, members = wanted.get(name, (number, []))
                wanted[name] = (first, sorted([*members, grade]))
        existing = db_sets[school_id]
        for name, (number, members) in wanted.items():
            label = _("%(school)s, class-set “%(name)s”") % {"school": code, "name": name}
            key = f"{code}/class_set/{name}"
            after = ";".join(map(str, members))
            if name not in existing:
                changes.append(Change(CREATE, key, label, number, (("grades", "", after),)))
                set_create.append(ClassSet(school_id=school_id, name=name, grades=members))
                continue
            pk, old = existing[name]
            if old != members:
                fields = (("grades", ";".join(map(str, old)), after),)
                changes.append(Change(UPDATE, key, label, number, fields))
                set_update.append(ClassSet(pk=pk, school_id=school_id, name=name, grades=members))
            else:
                changes.append(Change(UNCHANGED, key, label, number))
        for name, (pk, old) in sorted(existing.items()):
            if name not in wanted:
                label = _("%(school)s, class-set “%(name)s”") % {"school": code, "name": name}
                fields = (("grades", ";".join(map(str, old)), ""),)
                changes.append(Change(DELETE, f"{code}/class_set/{name}", label, None, fields))
                set_delete.append(ClassSet(pk=pk, school_id=school_id, name=name, grades=old))

    def write(w: Writer) -> None:
        w.delete(set_delete)
        w.delete(enrol_delete)
        w.update(Enrolment, enrol_update, ["pupils"])
        w.create(Enrolment, enrol_create)
        w.update(ClassSet, set_update, ["grades"])
        w.create(ClassSet, set_create)

    return Plan("enrolment", len(table.rows), issues, changes, write)


# --- teachers -----------------------------------------------------------------------------


@dataclass
class _TeacherRow:
    number: int
    code: str
    full_name: str
    school_id: int
    weekly_hours: int
    subjects: set[int]
    pairs: set[tuple[int, int]]  # (school, subject)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _validate_teachers(table: Table, scope: Scope, issues: list[Issue], progress: Progress) -> Plan:
    schools = Schools()
    subjects = {code: pk for pk, code in Subject.objects.values_list("id", "code")}
    db: dict[str, dict[str, Any]] = {
        r["code"]: dict(r)
        for r in Teacher.objects.values("id", "code", "full_name", "school_id", "weekly_hours")
    }
    db_pairs: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    for pk, teacher, school, subject in TeachingAssignment.objects.values_list(
        "id", "teacher_id", "school_id", "subject_id"
    ):
        db_pairs[teacher][(school, subject)] = pk
    first_row: dict[str, int] = {}
    parsed: list[_TeacherRow] = []

    for done, (number, raw) in enumerate(table.rows, start=1):
        c = Cells(number, raw, issues)
        code = c.text("teacher_code", max_length=20)
        full_name = c.text("full_name", max_length=200)
        school_code = c.text("main_school_code", max_length=20)
        school_id = schools.resolve(c, "main_school_code", school_code, scope)
        hours = c.integer("weekly_hours", high=40)
        existing = db.get(code)
        if code in first_row:
            c.fail(
                "teacher_code",
                _("Teacher code %(code)s appears twice in the file (first on row %(row)s).")
                % {"code": code, "row": first_row[code]},
            )
        elif code:
            first_row[code] = number
        if existing and not scope.allows(schools.district_of[existing["school_id"]]):
            c.fail(
                "teacher_code",
                _(
                    "Teacher %(code)s works at school %(school)s, outside your district: you "
                    "may not change this teacher's record."
                )
                % {"code": code, "school": schools.code_of[existing["school_id"]]},
            )
        subject_ids: set[int] = set()
        unknown: list[str] = []
        for subject_code in _split(c.values.get("subjects", "")):
            if subject_code.lower() in subjects:
                subject_ids.add(subjects[subject_code.lower()])
            else:
                unknown.append(subject_code)
        if unknown:
            c.fail(
                "subjects",
                _("Unknown subject code(s): %(codes)s.") % {"codes": ", ".join(unknown)},
            )
        known_pairs = db_pairs[existing["id"]] if existing else {}
        pairs = _teaching_pairs(c, schools, subjects, scope, known_pairs)
        if c.ok and school_id is not None and hours is not None:
            parsed.append(
                _TeacherRow(number, code, full_name, school_id, hours, subject_ids, pairs)
            )
        progress(done, len(table.rows))
    return _plan_teachers(table, issues, schools, subjects, db, db_pairs, parsed, scope)


def _teaching_pairs(
    c: Cells,
    schools: Schools,
    subjects: dict[str, int],
    scope: Scope,
    known: dict[tuple[int, int], int],
) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for pair in _split(c.values.get("teaches_at", "")):
        school_code, sep, subject_code = (p.strip() for p in pair.partition(":"))
        if not sep or not school_code or not subject_code:
            c.fail(
                "teaches_at",
                _("“%(pair)s” is not a pair school_code:subject_code.") % {"pair": pair},
            )
            continue
        found = schools.by_code.get(school_code)
        subject = subjects.get(subject_code.lower())
        if found is None:
            c.fail(
                "teaches_at",
                _("Unknown school code “%(code)s” in “%(pair)s”.")
                % {"code": school_code, "pair": pair},
            )
        if subject is None:
            c.fail(
                "teaches_at",
                _("Unknown subject code “%(code)s” in “%(pair)s”.")
                % {"code": subject_code, "pair": pair},
            )
        if found is None or subject is None:
            continue
        key = (found[0], subject)
        if not scope.allows(found[1]) and key not in known:
            c.fail("teaches_at", _out_of_scope(school_code, found[2]))
            continue
        pairs.add(key)
    return pairs


def _plan_teachers(
    table: Table,
    issues: list[Issue],
    schools: Schools,
    subjects: dict[str, int],
    db: dict[str, dict[str, Any]],
    db_pairs: dict[int, dict[tuple[int, int], int]],
    parsed: list[_TeacherRow],
    scope: Scope,
) -> Plan:
    subject_code = {pk: code for code, pk in subjects.items()}
    Through = Teacher.subjects.through
    db_subjects: dict[int, set[int]] = defaultdict(set)
    for teacher, subject in Through.objects.values_list("teacher_id", "subject_id"):
        db_subjects[teacher].add(subject)

    def subjects_text(ids: set[int]) -> str:
        return ";".join(sorted(subject_code[s] for s in ids))

    def pairs_text(pairs: Iterable[tuple[int, int]]) -> str:
        named = sorted((schools.code_of[s], subject_code[j]) for s, j in pairs)
        return ";".join(f"{s}:{j}" for s, j in named)

    changes: list[Change] = []
    creates: list[_TeacherRow] = []
    updates: list[tuple[int, _TeacherRow]] = []
    new_subjects: dict[str, set[int]] = {}  # teacher code → subjects, where they change
    pair_create: list[tuple[str, int, int]] = []
    pair_delete: list[TeachingAssignment] = []
    for row in parsed:
        existing = db.get(row.code)
        kept: set[tuple[int, int]] = set()
        old_pairs: dict[tuple[int, int], int] = {}
        if existing:
            old_pairs = db_pairs[existing["id"]]
            # Teaching at schools outside the importer's district is left as it is.
            kept = {p for p in old_pairs if not scope.allows(schools.district_of[p[0]])}
        final_pairs = row.pairs | kept
        after = {
            "full_name": row.full_name,
            "main_school_code": schools.code_of[row.school_id],
            "weekly_hours": row.weekly_hours,
            "subjects": subjects_text(row.subjects),
            "teaches_at": pairs_text(final_pairs),
        }
        label = f"{row.code} · {row.full_name}"
        if existing is None:
            changes.append(Change(CREATE, row.code, label, row.number, _created(after)))
            creates.append(row)
            new_subjects[row.code] = row.subjects
        else:
            old_subjects = db_subjects[existing["id"]]
            before = {
                "full_name": existing["full_name"],
                "main_school_code": schools.code_of[existing["school_id"]],
                "weekly_hours": existing["weekly_hours"],
                "subjects": subjects_text(old_subjects),
                "teaches_at": pairs_text(old_pairs),
            }
            fields = _diff(before, after)
            action = UPDATE if fields else UNCHANGED
            changes.append(Change(action, row.code, label, row.number, fields))
            if any(f[0] not in ("teaches_at",) for f in fields):
                updates.append((existing["id"], row))
            if old_subjects != row.subjects:
                new_subjects[row.code] = row.subjects
            pair_delete.extend(
                TeachingAssignment(pk=pk, teacher_id=existing["id"], school_id=s, subject_id=j)
                for (s, j), pk in old_pairs.items()
                if (s, j) not in final_pairs
            )
        old = set(old_pairs)
        pair_create.extend((row.code, s, j) for s, j in sorted(final_pairs - old))

    def write(w: Writer) -> None:
        ids = {code: r["id"] for code, r in db.items()}
        created = w.create(
            Teacher,
            [
                Teacher(
                    code=r.code,
                    full_name=r.full_name,
                    school_id=r.school_id,
                    weekly_hours=r.weekly_hours,
                )
                for r in creates
            ],
        )
        ids.update({t.code: t.pk for t in created})
        w.update(
            Teacher,
            [
                Teacher(
                    pk=pk,
                    code=r.code,
                    full_name=r.full_name,
                    school_id=r.school_id,
                    weekly_hours=r.weekly_hours,
                )
                for pk, r in updates
            ],
            ["full_name", "school", "weekly_hours"],
        )
        changed = [ids[code] for code in new_subjects]
        for part in chunks(changed):
            Through.objects.filter(teacher_id__in=part).delete()
        Through.objects.bulk_create(
            [
                Through(teacher_id=ids[code], subject_id=s)
                for code, subject_set in new_subjects.items()
                for s in sorted(subject_set)
            ],
            batch_size=1000,
        )
        # Every new history record of a teacher carries the subjects, as save() would.
        recorded = [ids[r.code] for r in creates] + [pk for pk, _row in updates]
        w.m2m_snapshot(Teacher, "subjects", recorded)
        w.delete(pair_delete)
        w.create(
            TeachingAssignment,
            [
                TeachingAssignment(teacher_id=ids[code], school_id=s, subject_id=j)
                for code, s, j in pair_create
            ],
        )

    return Plan("teachers", len(table.rows), issues, changes, write)


# --- infrastructure -----------------------------------------------------------------------

_INFRA_FIELDS = (
    "internet_type",
    "internet_mbps",
    "electricity",
    "rooms",
    "computer_lab",
    "science_lab",
    "stem_lab",
)


def _validate_infrastructure(
    table: Table, scope: Scope, issues: list[Issue], progress: Progress
) -> Plan:
    schools = Schools()
    first_row: dict[int, int] = {}
    parsed: list[tuple[int, int, dict[str, Any], dict[str, int]]] = []
    for done, (number, raw) in enumerate(table.rows, start=1):
        c = Cells(number, raw, issues)
        code = c.text("school_code", max_length=20)
        school_id = schools.resolve(c, "school_code", code, scope)
        values: dict[str, Any] = {
            "internet_type": c.choice("internet_type", Infrastructure.InternetType.values),
            "internet_mbps": c.decimal("internet_mbps", high=10000),
            "electricity": c.choice("electricity", Infrastructure.Electricity.values),
            "rooms": c.integer("rooms", high=300),
            "computer_lab": c.boolean("computer_lab"),
            "science_lab": c.boolean("science_lab"),
            "stem_lab": c.boolean("stem_lab"),
        }
        devices = {name: c.integer(name, high=5000, blank=0) for name, _k, _c in DEVICE_COLUMNS}
        kind, mbps = values["internet_type"], values["internet_mbps"]
        if kind == Infrastructure.InternetType.NONE and mbps:
            c.fail(
                "internet_mbps",
                _(
                    "A school with internet_type none cannot have a speed above 0: set the "
                    "speed to 0 or give the type of connection."
                ),
            )
        elif kind and kind != Infrastructure.InternetType.NONE and mbps == 0:
            c.fail(
                "internet_mbps",
                _("Give the measured speed, or set internet_type to none."),
            )
        if school_id is not None:
            if school_id in first_row:
                c.fail(
                    "school_code",
                    _("School code %(code)s appears twice in the file (first on row %(row)s).")
                    % {"code": code, "row": first_row[school_id]},
                )
            else:
                first_row[school_id] = number
        if c.ok and school_id is not None:
            parsed.append((number, school_id, values, {k: v or 0 for k, v in devices.items()}))
        progress(done, len(table.rows))

    ids = [school_id for _n, school_id, _v, _d in parsed]
    db: dict[int, dict[str, Any]] = {}
    db_devices: dict[tuple[int, str, str], tuple[int, int]] = {}
    for part in chunks(ids):
        for r in Infrastructure.objects.filter(school_id__in=part).values(
            "id", "school_id", *_INFRA_FIELDS
        ):
            db[r["school_id"]] = r
        for pk, school, kind, condition, count in DeviceStock.objects.filter(
            school_id__in=part
        ).values_list("id", "school_id", "kind", "condition", "count"):
            db_devices[(school, kind, condition)] = (pk, count)

    changes: list[Change] = []
    infra_create: list[Infrastructure] = []
    infra_update: list[Infrastructure] = []
    device_create: list[DeviceStock] = []
    device_update: list[DeviceStock] = []
    for number, school_id, values, counts in parsed:
        code = schools.code_of[school_id]
        after = {**values, **counts}
        existing = db.get(school_id)
        before = {
            **(existing or {}),
            **{
                name: db_devices.get((school_id, kind, cond), (0, 0))[1]
                for name, kind, cond in DEVICE_COLUMNS
            },
        }
        for name, kind, cond in DEVICE_COLUMNS:
            found = db_devices.get((school_id, kind, cond))
            wanted = counts[name]
            if found is None and wanted:
                device_create.append(
                    DeviceStock(school_id=school_id, kind=kind, condition=cond, count=wanted)
                )
            elif found is not None and found[1] != wanted:
                device_update.append(
                    DeviceStock(
                        pk=found[0], school_id=school_id, kind=kind, condition=cond, count=wanted
                    )
                )
        if existing is None:
            changes.append(Change(CREATE, code, code, number, _created(after)))
            infra_create.append(Infrastructure(school_id=school_id, **values))
            continue
        fields = _diff(before, after)
        changes.append(Change(UPDATE if fields else UNCHANGED, code, code, number, fields))
        if any(f[0] in values for f in fields):
            infra_update.append(Infrastructure(pk=existing["id"], school_id=school_id, **values))

    def write(w: Writer) -> None:
        w.create(Infrastructure, infra_create)
        w.update(Infrastructure, infra_update, list(_INFRA_FIELDS))
        w.create(DeviceStock, device_create)
        w.update(DeviceStock, device_update, ["count"])

    return Plan("infrastructure", len(table.rows), issues, changes, write)


_VALIDATORS: dict[str, Callable[[Table, Scope, list[Issue], Progress], Plan]] = {
    "schools": _validate_schools,
    "enrolment": _validate_enrolment,
    "teachers": _validate_teachers,
    "infrastructure": _validate_infrastructure,
}
