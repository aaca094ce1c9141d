"""Writes to the registry from forms. Each service checks the caller's right to edit,
validates with ``full_clean``, writes inside one transaction and records the audit history
(django-simple-history) with the acting user and a reason.

Bulk writes from imports live in :mod:`auyl.registry.io.apply`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from auyl.accounts.scoping import AnyUser, ensure_can_edit
from auyl.core.history import delete_with_history, save_with_history
from auyl.registry.models import (
    ClassSet,
    DeviceStock,
    Enrolment,
    Infrastructure,
    School,
    Subject,
    Teacher,
    TeachingAssignment,
)

_save = save_with_history
_delete = delete_with_history


@transaction.atomic
def school_update(*, school: School, data: Mapping[str, Any], by: AnyUser) -> School:
    """Change a school's own fields. A school may not be moved out of the editor's scope."""
    ensure_can_edit(by, school)
    for field, value in data.items():
        setattr(school, field, value)
    ensure_can_edit(by, school)  # also in scope after the change (e.g. its district)
    _save(school, by, "edit school")
    return school


@dataclass(frozen=True)
class GradeRow:
    """One line of the enrolment form: a grade, its pupils and its class-set's name."""

    grade: int
    pupils: int
    class_set: str


def class_sets_from_rows(rows: Iterable[GradeRow]) -> dict[str, list[int]]:
    """Group grades by class-set name; grades with no pupils belong to no class-set.

    Raises ValidationError when a grade with pupils has no class-set name.
    """
    groups: dict[str, list[int]] = {}
    for row in rows:
        if row.pupils <= 0:
            continue
        name = row.class_set.strip()
        if not name:
            raise ValidationError(
                _("Grade %(grade)s has pupils but no class-set.") % {"grade": row.grade}
            )
        groups.setdefault(name, []).append(row.grade)
    return {name: sorted(grades) for name, grades in groups.items()}


@transaction.atomic
def enrolment_update(*, school: School, rows: list[GradeRow], by: AnyUser) -> None:
    """Replace a school's enrolment and class-sets with ``rows`` (grades with 0 pupils
    are removed). Unchanged rows are left alone, so they gain no history entries."""
    ensure_can_edit(by, school)
    wanted_sets = class_sets_from_rows(rows)
    wanted_pupils = {r.grade: r.pupils for r in rows if r.pupils > 0}

    for enrolment in school.enrolments.all():
        if enrolment.grade not in wanted_pupils:
            _delete(enrolment, by, "edit enrolment")
        elif enrolment.pupils != wanted_pupils[enrolment.grade]:
            enrolment.pupils = wanted_pupils[enrolment.grade]
            _save(enrolment, by, "edit enrolment")
    existing_grades = set(school.enrolments.values_list("grade", flat=True))
    for grade, pupils in sorted(wanted_pupils.items()):
        if grade not in existing_grades:
            _save(Enrolment(school=school, grade=grade, pupils=pupils), by, "edit enrolment")

    for class_set in school.class_sets.all():
        if class_set.name not in wanted_sets:
            _delete(class_set, by, "edit class-sets")
        elif class_set.grades != wanted_sets[class_set.name]:
            class_set.grades = wanted_sets[class_set.name]
            _save(class_set, by, "edit class-sets")
    existing_sets = set(school.class_sets.values_list("name", flat=True))
    for name, grades in wanted_sets.items():
        if name not in existing_sets:
            _save(ClassSet(school=school, name=name, grades=grades), by, "edit class-sets")


@transaction.atomic
def teacher_save(
    *,
    school: School,
    data: Mapping[str, Any],
    subjects: Iterable[Subject],
    taught_here: Iterable[Subject],
    by: AnyUser,
    teacher: Teacher | None = None,
) -> Teacher:
    """Create or change a teacher whose main school is ``school``, with the subjects they
    are qualified for and the subjects they teach at ``school``.

    Invariant: a teacher teaches here only subjects they are qualified for.
    """
    ensure_can_edit(by, school)
    subjects = list(subjects)
    taught_here = list(taught_here)
    unqualified = [s for s in taught_here if s not in subjects]
    if unqualified:
        raise ValidationError(
            {
                "taught_here": _(
                    "%(subject)s is taught here but is not among the teacher's qualified subjects."
                )
                % {"subject": unqualified[0].name}
            }
        )
    teacher = teacher or Teacher(school=school)
    for field, value in data.items():
        setattr(teacher, field, value)
    _save(teacher, by, "edit teacher")
    teacher.subjects.set(subjects)
    current = {a.subject_id: a for a in teacher.assignments.filter(school=school)}
    wanted = {s.pk for s in taught_here}
    for subject_id, assignment in current.items():
        if subject_id not in wanted:
            _delete(assignment, by, "edit teacher")
    for subject in taught_here:
        if subject.pk not in current:
            _save(
                TeachingAssignment(teacher=teacher, school=school, subject=subject),
                by,
                "edit teacher",
            )
    return teacher


@transaction.atomic
def infrastructure_update(
    *,
    school: School,
    data: Mapping[str, Any],
    devices: Mapping[tuple[str, str], int],
    by: AnyUser,
) -> Infrastructure:
    """Set a school's infrastructure and its device counts by (kind, condition)."""
    ensure_can_edit(by, school)
    infrastructure, _created = Infrastructure.objects.get_or_create(school=school)
    changed = any(getattr(infrastructure, f) != v for f, v in data.items())
    for field, value in data.items():
        setattr(infrastructure, field, value)
    if changed or _created:
        _save(infrastructure, by, "edit infrastructure")
    else:
        infrastructure.full_clean()

    current = {(d.kind, d.condition): d for d in school.devices.all()}
    for key, count in devices.items():
        if count < 0:
            raise ValidationError(_("A device count cannot be negative."))
        stock = current.get(key)
        if stock is None and count:
            _save(
                DeviceStock(school=school, kind=key[0], condition=key[1], count=count),
                by,
                "edit devices",
            )
        elif stock is not None and not count:
            _delete(stock, by, "edit devices")
        elif stock is not None and stock.count != count:
            stock.count = count
            _save(stock, by, "edit devices")
    return infrastructure
