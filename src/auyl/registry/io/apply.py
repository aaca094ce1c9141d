"""Preview and apply an import: all or nothing, with the audit history kept.

The two steps a user sees, each run as a background job (:mod:`auyl.registry.io.tasks`):

1. :func:`import_preview` reads and validates the stored file and returns the problems or
   the changes it would make. Nothing is written.
2. :func:`import_apply` reads and validates the file again inside one transaction (the
   registry may have changed since the preview) and writes only if there is no problem and
   the changes are still exactly those the user saw (same digest); otherwise it writes
   nothing and returns the new preview. Every write goes through :class:`Writer`, which
   records history rows (django-simple-history) with the importing user, one timestamp and
   the change reason ``import <file name>``. Rows that would not change are not written, so
   importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from auyl.registry.io.datasets import get_dataset
from auyl.registry.io.reading import ReadError, read_table, upload_path
from auyl.registry.io.validation import Plan, Progress, chunks, failed_plan, validate

M = TypeVar("M", bound=Model)
BATCH = 500


class Writer:
    """Bulk writes with history rows, all stamped with one user, date and reason."""

    def __init__(self, *, user: Any, reason: str) -> None:
        self.user = user
        self.reason = reason[:100]  # simple_history's change reason column
        self.date = timezone.now()
        self.counts: Counter[str] = Counter()

    def _check(self, objs: Sequence[Model]) -> None:
        """The model's own rules, as a last guard (relations were checked in bulk before)."""
        for obj in objs:
            related = [f.name for f in obj._meta.fields if f.is_relation]
            obj.full_clean(exclude=related, validate_unique=False, validate_constraints=False)

    def _history(self) -> dict[str, Any]:
        return {
            "batch_size": BATCH,
            "default_user": self.user,
            "default_change_reason": self.reason,
            "default_date": self.date,
        }

    def create(self, model: type[M], objs: Sequence[M]) -> list[M]:
        if not objs:
            return []
        self._check(objs)
        created = bulk_create_with_history(list(objs), model, **self._history())
        self.counts[f"{model._meta.model_name}:created"] += len(created)
        return created

    def update(self, model: type[M], objs: Sequence[M], fields: list[str]) -> None:
        if not objs:
            return
        self._check(objs)
        bulk_update_with_history(list(objs), model, fields, **self._history())
        self.counts[f"{model._meta.model_name}:updated"] += len(objs)

    def delete(self, objs: Sequence[Model]) -> None:
        """One by one, so that each deletion leaves its own history row."""
        for obj in objs:
            obj._history_user = self.user  # type: ignore[attr-defined]
            obj._change_reason = self.reason  # type: ignore[attr-defined]
            obj._history_date = self.date  # type: ignore[attr-defined]
            obj.delete()
            self.counts[f"{obj._meta.model_name}:deleted"] += 1

    def m2m_snapshot(self, model: type[Model], field_name: str, ids: Sequence[int]) -> None:
        """Attach the current many-to-many rows to the history rows just written for ``ids``.

        simple_history does this itself on ``save()``; bulk writes skip it.
        """
        if not ids:
            return
        field = model._meta.get_field(field_name)
        assert isinstance(field, models.ManyToManyField)
        history_model = model.history.model  # type: ignore[attr-defined]
        m2m_history = getattr(history_model, field_name).model
        through: Any = field.remote_field.through
        own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
        rows = []
        for part in chunks(list(ids)):
            records = dict(
                history_model.objects.filter(
                    id__in=part, history_date=self.date, history_change_reason=self.reason
                ).values_list("id", "history_id")
            )
            for pk, owner, target in through.objects.filter(**{f"{own}_id__in": part}).values_list(
                "id", f"{own}_id", f"{other}_id"
            ):
                if owner in records:
                    rows.append(
                        m2m_history(
                            id=pk,
                            history_id=records[owner],
                            **{f"{own}_id": owner, f"{other}_id": target},
                        )
                    )
        m2m_history.objects.bulk_create(rows, batch_size=BATCH)


def plan_for_file(
    path: Path,
    *,
    dataset: str,
    user: Any,
    filename: str = "",
    encoding: str = "",
    progress: Progress | None = None,
) -> Plan:
    """Read and validate ``path`` for ``user``: the plan of an import (writes nothing)."""
    spec = get_dataset(dataset)
    try:
        table = read_table(path, dataset=spec, filename=filename or path.name, encoding=encoding)
    except ReadError as exc:
        return failed_plan(dataset, exc.messages)
    return validate(spec, table, user, progress)


def change_reason(filename: str) -> str:
    return f"import {Path(filename).name}"


def apply_plan(plan: Plan, *, user: Any, filename: str) -> Writer:
    """Write a valid plan; the caller holds the transaction."""
    if not plan.ok or plan.write is None:
        raise ValueError("only a plan without problems can be applied")
    writer = Writer(user=user, reason=change_reason(filename))
    plan.write(writer)
    return writer


def import_file(
    path: Path, *, dataset: str, user: Any, filename: str = "", encoding: str = ""
) -> tuple[Plan, Writer | None]:
    """Validate and, if there is no problem, apply ``path`` at once (for scripts and tests)."""
    with transaction.atomic():
        plan = plan_for_file(path, dataset=dataset, user=user, filename=filename, encoding=encoding)
        if not plan.ok:
            return plan, None
        return plan, apply_plan(plan, user=user, filename=filename or path.name)


def _plan_from_params(params: dict[str, Any], user: Any, progress: Progress | None) -> Plan:
    return plan_for_file(
        upload_path(params["upload"]),
        dataset=params["dataset"],
        user=user,
        filename=params["filename"],
        encoding=params.get("encoding", ""),
        progress=progress,
    )


def import_preview(
    *, params: dict[str, Any], user: Any, progress: Progress | None = None
) -> dict[str, Any]:
    """The job result of a preview: ``status`` is ``ready`` or ``invalid``."""
    plan = _plan_from_params(params, user, progress)
    return {"status": "ready" if plan.ok else "invalid", **plan.summary()}


def import_apply(
    *, params: dict[str, Any], user: Any, progress: Progress | None = None
) -> dict[str, Any]:
    """The job result of an apply: ``applied``, or ``invalid``/``stale`` with nothing written."""
    with transaction.atomic():
        plan = _plan_from_params(params, user, progress)
        if not plan.ok:
            return {"status": "invalid", **plan.summary()}
        if plan.digest != params.get("digest"):
            return {"status": "stale", **plan.summary()}
        if progress:
            progress(0, 1, gettext("Writing the changes"))
        writer = apply_plan(plan, user=user, filename=params["filename"])
    upload_path(params["upload"]).unlink(missing_ok=True)
    return {"status": "applied", **plan.summary(), "written": dict(writer.counts)}
