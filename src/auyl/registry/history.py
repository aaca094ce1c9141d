"""A school's audit history: who changed what, when, from what to what.

Reads the django-simple-history tables of the school and of the rows that belong to it,
pairs each historical record with the previous record of the same object, and lists the
fields that differ. A fixed number of queries (one per tracked model plus one for users).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from auyl.registry.models import (
    ClassSet,
    DeviceStock,
    Enrolment,
    Infrastructure,
    School,
    Teacher,
    TeachingAssignment,
)

#: (model, filter reaching the school, label); each model keeps HistoricalRecords.
TRACKED: tuple[tuple[type[Model], str, Any], ...] = (
    (School, "id", _("school")),
    (Enrolment, "school_id", _("enrolment")),
    (ClassSet, "school_id", _("class-set")),
    (Teacher, "school_id", _("teacher")),
    (TeachingAssignment, "school_id", _("teaching assignment")),
    (Infrastructure, "school_id", _("infrastructure")),
    (DeviceStock, "school_id", _("devices")),
)
SKIP = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "id",
}
ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Change:
    field: str
    before: Any
    after: Any


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    what: str
    object_label: str
    action: str
    kind: str  # '+' created, '~' changed, '-' deleted
    reason: str
    changes: list[Change] = field(default_factory=list)


def _field_names(model: type[Model]) -> list[tuple[str, str]]:
    out = []
    for f in model._meta.concrete_fields:
        if f.attname in SKIP:
            continue
        out.append((f.attname, str(f.verbose_name)))
    return out


def _label(model: type[Model], record: Any) -> str:
    for attr in ("name_ru", "full_name", "name"):
        value = getattr(record, attr, None)
        if value:
            return str(value)
    if model is Enrolment:
        return f"{_('grade')} {record.grade}"
    if model is DeviceStock:
        return f"{record.kind} / {record.condition}"
    return ""


def school_history(school: School, limit: int = 200) -> list[HistoryEntry]:
    """The newest ``limit`` changes to ``school`` and its rows, newest first."""
    loaded = []
    for model, key, label in TRACKED:
        history_model = model.history.model  # type: ignore[attr-defined]
        records = list(
            history_model.objects.filter(**{key: school.pk}).order_by(
                "id", "history_date", "history_id"
            )
        )
        loaded.append((model, label, records))
    user_ids = {r.history_user_id for _m, _l, records in loaded for r in records}
    users = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
    entries: list[HistoryEntry] = []
    for model, label, records in loaded:
        fields = _field_names(model)
        previous: dict[int, Any] = {}
        for record in records:
            before = previous.get(record.id)
            changes = []
            if record.history_type == "~" and before is not None:
                for attname, verbose in fields:
                    old, new = getattr(before, attname), getattr(record, attname)
                    if old != new:
                        changes.append(Change(verbose, old, new))
            elif record.history_type == "+":
                changes = [Change(v, None, getattr(record, a)) for a, v in fields]
            previous[record.id] = record
            if record.history_type == "~" and before is not None and not changes:
                continue
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=users.get(record.history_user_id, str(_("system"))),
                    what=str(label),
                    object_label=_label(model, record),
                    action=str(ACTIONS.get(record.history_type, record.history_type)),
                    kind=record.history_type,
                    reason=record.history_change_reason or "",
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
