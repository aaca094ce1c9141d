"""Pupils' answers to one test: file → plan (preview) → one transaction (apply).

Rules, each reported with the row, the column and the reason:

- every pupil id appears once (wide) or once per item (long), with one school, class-set and
  booklet; the school is in the test's region and in the importer's scope (a methodologist:
  her district); the class-set, if given, is one of that school's and teaches the test's
  grade; the booklet, when the test has booklets, is one of the test's;
- a cell of an item **not in the pupil's booklet** must be empty: the item was not presented
  (stored as None, "missing by design");
- an empty cell of a **presented** item is an omitted answer: it scores 0 and its index is
  listed in ``Sitting.omitted``;
- raw answers are scored against the item's key (letters compared ignoring case and the
  Latin/Cyrillic look-alikes A/А, B/В, C/С, E/Е; numbers compared as numbers, so ``3,5`` is
  ``3.5``); an item without a key, and every item of a file of scores, takes a whole number
  from 0 to the item's maximum score;
- a pupil with no answer at all is refused (an absent pupil has no row).

A pupil already in the test is updated if anything differs and left alone otherwise, so
importing the same file twice changes nothing the second time; pupils absent from the file
are kept (files may come district by district).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from auyl.monitoring.access import import_school_ids
from auyl.monitoring.io.formats import LONG, RAW, responses_dataset
from auyl.monitoring.models import Assessment, Booklet, Item, Sitting
from auyl.registry.io.reading import ReadError, Table, read_table, upload_path
from auyl.registry.io.validation import Cells, Issue, chunks
from auyl.registry.models import ClassSet, School

Progress = Callable[..., None]
BATCH = 2000
PREVIEW_ROWS = 10
_LOOK_ALIKES = str.maketrans({"А": "A", "В": "B", "С": "C", "Е": "E"})


@dataclass(frozen=True)
class SittingRow:
    """One pupil's sitting as the file gives it (ids resolved)."""

    row: int
    pupil_code: str
    school_id: int
    school_code: str
    class_set_id: int | None
    booklet_id: int | None
    raw: list[str | None]
    scores: list[int | None]
    omitted: list[int]

    def values(self) -> tuple[Any, ...]:
        return (
            self.school_id,
            self.class_set_id,
            self.booklet_id,
            self.raw,
            self.scores,
            self.omitted,
        )


@dataclass
class ResponsePlan:
    """What an answers file would write; ``ok`` when it has no problem."""

    rows: int
    issues: list[Issue]
    create: list[SittingRow] = field(default_factory=list)
    update: list[tuple[int, SittingRow]] = field(default_factory=list)  # (sitting id, row)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def digest(self) -> str:
        """A fingerprint of the changes, to notice that the data moved since the preview."""
        data = [("c", r.pupil_code, *r.values()) for r in self.create]
        data += [("u", r.pupil_code, *r.values()) for _pk, r in self.update]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()

    def summary(self, items: Sequence[str], *, issue_limit: int = 1000) -> dict[str, Any]:
        """JSON for the job result: counts, the problems, the first pupils."""
        issues = sorted(self.issues, key=lambda i: i.row or 0)
        changed = [*self.create, *(r for _pk, r in self.update)]
        changed.sort(key=lambda r: r.row)
        omitted = sum(len(r.omitted) for r in changed)
        not_presented = sum(s is None for r in changed for s in r.scores)
        return {
            "rows": self.rows,
            "issue_count": len(issues),
            "issues": [
                {"row": i.row, "column": i.column, "message": i.message}
                for i in issues[:issue_limit]
            ],
            "counts": {
                "create": len(self.create),
                "update": len(self.update),
                "unchanged": self.unchanged,
                "omitted": omitted,
                "not_presented": not_presented,
            },
            "items": list(items),
            "preview": [_preview_row(r) for r in changed[:PREVIEW_ROWS]],
            "digest": self.digest,
        }


def _preview_row(r: SittingRow) -> dict[str, Any]:
    cells = [
        "·" if s is None else ("∅" if i in r.omitted else str(s)) for i, s in enumerate(r.scores)
    ]
    return {
        "row": r.row,
        "pupil": r.pupil_code,
        "school": r.school_code,
        "cells": cells,
        "total": sum(s for s in r.scores if s is not None),
    }


# --- Scoring one cell ---------------------------------------------------------------------


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(" ", "").replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def matches_key(answer: str, key: str) -> bool:
    """True if ``answer`` is the ``key``: numbers as numbers, letters ignoring case."""
    a, k = _number(answer), _number(key)
    if a is not None and k is not None:
        return abs(a - k) < 1e-9
    return answer.strip().upper().translate(_LOOK_ALIKES) == key.strip().upper().translate(
        _LOOK_ALIKES
    )


@dataclass(frozen=True)
class _ItemRule:
    index: int
    code: str
    key: str
    max_score: int
    pk: int


def _score(cells: Cells, column: str, value: str, item: _ItemRule, answers: str) -> int | None:
    """The score of a non-empty cell, or None after recording the problem."""
    if answers == RAW and item.key:
        return 1 if matches_key(value, item.key) else 0
    return cells.integer(
        column,
        high=item.max_score,
        out_of_range=_(
            "“%(value)s” is not a score of item {code}: give a whole number from 0 to {max}."
        ).format(code=item.code, max=item.max_score),
    )


# --- The whole file -----------------------------------------------------------------------


@dataclass
class _Pupil:
    row: int
    school: str
    class_set: str
    booklet: str
    answers: dict[int, tuple[int, str, str]] = field(default_factory=dict)  # item → (row, col, v)


class _Context:
    """Everything the rules look up, loaded with a fixed number of queries."""

    def __init__(self, assessment: Assessment, user: Any) -> None:
        self.assessment = assessment
        self.items = [
            _ItemRule(i, it.code, it.key, it.max_score, it.pk)
            for i, it in enumerate(assessment.items.order_by("position"))
        ]
        self.by_code = {it.code.lower(): it for it in self.items}
        self.schools = import_school_ids(user, assessment)
        self.region_schools = set(
            School.objects.filter(district__region_id=assessment.region_id).values_list(
                "code", flat=True
            )
        )
        index = {it.pk: it.index for it in self.items}
        self.booklets: dict[str, tuple[int, set[int]]] = {}
        for booklet in Booklet.objects.filter(assessment=assessment).prefetch_related("items"):
            presented = {index[i.pk] for i in booklet.items.all()}
            self.booklets[booklet.code.lower()] = (booklet.pk, presented)
        self.class_sets: dict[tuple[int, str], tuple[int, list[int]]] = {
            (school, name.lower()): (pk, grades)
            for pk, school, name, grades in ClassSet.objects.filter(
                school_id__in=self.schools.values()
            ).values_list("pk", "school_id", "name", "grades")
        }
        existing = Sitting.objects.filter(assessment=assessment).values_list(
            "pk", "pupil_code", "school_id", "class_set_id", "booklet_id", "raw", "scores",
            "omitted",
        )  # fmt: skip
        self.existing = {row[1]: (row[0], (*row[2:],)) for row in existing}


def plan_file(
    path: Path,
    *,
    assessment: Assessment,
    layout: str,
    answers: str,
    user: Any,
    filename: str = "",
    encoding: str = "",
    progress: Progress | None = None,
) -> ResponsePlan:
    """Read and check an answers file for ``assessment`` (writes nothing)."""
    context = _Context(assessment, user)
    if not context.items:
        return ResponsePlan(0, [Issue(None, "", _("The test has no items yet: add them first."))])
    dataset = responses_dataset(
        layout, [it.code for it in context.items], booklets=bool(context.booklets)
    )
    try:
        table = read_table(path, dataset=dataset, filename=filename or path.name, encoding=encoding)
    except ReadError as exc:
        return ResponsePlan(0, [Issue(None, "", m) for m in exc.messages])
    return plan_table(table, context, layout=layout, answers=answers, progress=progress)


def plan_table(
    table: Table, context: _Context, *, layout: str, answers: str, progress: Progress | None
) -> ResponsePlan:
    issues = [Issue(row, column, message) for row, column, message in table.row_problems]
    pupils = (_long_pupils if layout == LONG else _wide_pupils)(table, context, issues)
    plan = ResponsePlan(rows=len(table.rows), issues=issues)
    total = len(pupils)
    for done, (code, pupil) in enumerate(pupils.items(), start=1):
        sitting = _sitting(code, pupil, context, answers, issues)
        if sitting is not None:
            _classify(plan, sitting, context)
        if progress and done % 2000 == 0:
            progress(done, total)
    return plan


def _wide_pupils(table: Table, context: _Context, issues: list[Issue]) -> dict[str, _Pupil]:
    pupils: dict[str, _Pupil] = {}
    for number, cells in table.rows:
        pupil = _pupil_head(number, cells, pupils, issues)
        if pupil is None:
            continue
        for column, item in context.by_code.items():
            if cells.get(column, ""):
                pupil.answers[item.index] = (number, column, cells[column])
    return pupils


def _long_pupils(table: Table, context: _Context, issues: list[Issue]) -> dict[str, _Pupil]:
    pupils: dict[str, _Pupil] = {}
    for number, cells in table.rows:
        code = cells.get("pupil_id", "")
        pupil = pupils.get(code) if code else None
        if pupil is None:
            pupil = _pupil_head(number, cells, pupils, issues)
            if pupil is None:
                continue
        else:
            _same_head(number, cells, pupil, issues)
        item = context.by_code.get(cells.get("item", "").lower())
        if item is None:
            issues.append(
                Issue(
                    number,
                    "item",
                    _("“%(value)s” is not an item of this test.")
                    % {"value": cells.get("item", "")},
                )
                if cells.get("item")
                else Issue(number, "item", _("A value is required."))
            )
            continue
        if item.index in pupil.answers:
            first = pupil.answers[item.index][0]
            issues.append(
                Issue(
                    number,
                    "item",
                    _("Pupil %(pupil)s has item %(item)s already in row %(row)s.")
                    % {"pupil": code, "item": item.code, "row": first},
                )
            )
            continue
        pupil.answers[item.index] = (number, "answer", cells.get("answer", ""))
    return pupils


def _pupil_head(
    number: int, cells: dict[str, str], pupils: dict[str, _Pupil], issues: list[Issue]
) -> _Pupil | None:
    code = cells.get("pupil_id", "")
    if not code:
        issues.append(Issue(number, "pupil_id", _("A value is required.")))
        return None
    if len(code) > 40:
        issues.append(Issue(number, "pupil_id", _("The pupil id is longer than 40 characters.")))
        return None
    if code in pupils:
        issues.append(
            Issue(
                number,
                "pupil_id",
                _("Pupil %(pupil)s appears twice: also in row %(row)s.")
                % {"pupil": code, "row": pupils[code].row},
            )
        )
        return None
    pupil = _Pupil(
        row=number,
        school=cells.get("school_code", ""),
        class_set=cells.get("class_set", ""),
        booklet=cells.get("booklet", ""),
    )
    pupils[code] = pupil
    return pupil


def _same_head(number: int, cells: dict[str, str], pupil: _Pupil, issues: list[Issue]) -> None:
    """In a long file, every row of a pupil names the same school, class-set and booklet."""
    for column, value in (
        ("school_code", pupil.school),
        ("class_set", pupil.class_set),
        ("booklet", pupil.booklet),
    ):
        if cells.get(column, "") != value:
            issues.append(
                Issue(
                    number,
                    column,
                    _("“%(value)s” differs from row %(row)s of the same pupil (“%(first)s”).")
                    % {"value": cells.get(column, ""), "row": pupil.row, "first": value},
                )
            )


def _sitting(
    code: str, pupil: _Pupil, context: _Context, answers: str, issues: list[Issue]
) -> SittingRow | None:
    problems_before = len(issues)
    cells = Cells(pupil.row, {}, issues)
    school_id = _school(cells, pupil.school, context)
    class_set_id = _class_set(cells, school_id, pupil.class_set, context)
    booklet_id, presented = _booklet(cells, pupil.booklet, context)
    raw: list[str | None] = [None] * len(context.items)
    scores: list[int | None] = [None] * len(context.items)
    omitted: list[int] = []
    for item in context.items:
        found = pupil.answers.get(item.index)
        row, column, value = found if found else (pupil.row, item.code.lower(), "")
        cell = Cells(row, {column: value}, issues)
        if presented is not None and item.index not in presented:
            if value:
                cell.fail(
                    column,
                    _(
                        "Item %(item)s is not in booklet %(booklet)s, so it was not presented: "
                        "leave the cell empty."
                    )
                    % {"item": item.code, "booklet": pupil.booklet},
                )
            continue
        if not value:
            scores[item.index] = 0
            omitted.append(item.index)
            continue
        scores[item.index] = _score(cell, column, value, item, answers)
        raw[item.index] = value if answers == RAW else None
    if len(omitted) == sum(s is not None for s in scores):
        cells.fail(
            "pupil_id",
            _("Pupil %(pupil)s has no answer at all: remove the row of a pupil who was absent.")
            % {"pupil": code},
        )
    if len(issues) > problems_before or school_id is None:
        return None
    return SittingRow(
        pupil.row, code, school_id, pupil.school, class_set_id, booklet_id, raw, scores, omitted
    )


def _school(cells: Cells, code: str, context: _Context) -> int | None:
    if not code:
        cells.fail("school_code", _("A value is required."))
        return None
    school_id = context.schools.get(code)
    if school_id is None:
        if code in context.region_schools:
            cells.fail(
                "school_code",
                _("School %(code)s is outside your district: you may not import its answers.")
                % {"code": code},
            )
        else:
            cells.fail(
                "school_code",
                _("There is no school with code %(code)s in the region.") % {"code": code},
            )
    return school_id


def _class_set(cells: Cells, school_id: int | None, name: str, context: _Context) -> int | None:
    if not name or school_id is None:
        return None
    found = context.class_sets.get((school_id, name.lower()))
    if found is None:
        cells.fail(
            "class_set",
            _("The school has no class-set named “%(name)s”.") % {"name": name},
        )
        return None
    pk, grades = found
    if context.assessment.grade not in grades:
        cells.fail(
            "class_set",
            _("Class-set “%(name)s” does not teach grade %(grade)s.")
            % {"name": name, "grade": context.assessment.grade},
        )
    return pk


def _booklet(cells: Cells, code: str, context: _Context) -> tuple[int | None, set[int] | None]:
    """The booklet's id and the indexes of its items; (None, None) if the test has none."""
    if not context.booklets:
        return None, None
    if not code:
        cells.fail("booklet", _("A value is required: the test has booklets."))
        return None, set()
    found = context.booklets.get(code.lower())
    if found is None:
        cells.fail(
            "booklet",
            _("“%(value)s” is not a booklet of this test (booklets: %(allowed)s).")
            % {"value": code, "allowed": ", ".join(sorted(context.booklets))},
        )
        return None, set()
    return found


def _classify(plan: ResponsePlan, sitting: SittingRow, context: _Context) -> None:
    existing = context.existing.get(sitting.pupil_code)
    if existing is None:
        plan.create.append(sitting)
        return
    pk, values = existing
    if values[0] not in context.schools.values():
        plan.issues.append(
            Issue(
                sitting.row,
                "pupil_id",
                _(
                    "Pupil %(pupil)s already sat this test at a school outside your district; "
                    "you may not change that."
                )
                % {"pupil": sitting.pupil_code},
            )
        )
    elif tuple(values) == sitting.values():
        plan.unchanged += 1
    else:
        plan.update.append((pk, sitting))


# --- Writing ------------------------------------------------------------------------------


def apply_plan(plan: ResponsePlan, assessment: Assessment) -> dict[str, int]:
    """Write a plan without problems (the caller holds the transaction)."""
    if not plan.ok:
        raise ValueError("only a plan without problems can be applied")

    now = timezone.now()

    def sitting(r: SittingRow, pk: int | None = None) -> Sitting:
        return Sitting(
            pk=pk,
            assessment=assessment,
            pupil_code=r.pupil_code,
            school_id=r.school_id,
            class_set_id=r.class_set_id,
            booklet_id=r.booklet_id,
            raw=r.raw,
            scores=r.scores,
            omitted=r.omitted,
            imported_at=now,
        )

    Sitting.objects.bulk_create([sitting(r) for r in plan.create], batch_size=BATCH)
    fields = ["school", "class_set", "booklet", "raw", "scores", "omitted", "imported_at"]
    for part in chunks(plan.update, BATCH):
        objs = [sitting(r, pk) for pk, r in part]
        Sitting.objects.bulk_update(objs, fields)
    return {"create": len(plan.create), "update": len(plan.update), "unchanged": plan.unchanged}


def _item_codes(assessment: Assessment) -> list[str]:
    return list(Item.objects.filter(assessment=assessment).values_list("code", flat=True))


def _plan_from_params(params: dict[str, Any], user: Any, progress: Progress | None) -> ResponsePlan:
    return plan_file(
        upload_path(params["upload"]),
        assessment=Assessment.objects.get(pk=params["assessment"]),
        layout=params["layout"],
        answers=params["answers"],
        user=user,
        filename=params["filename"],
        encoding=params.get("encoding", ""),
        progress=progress,
    )


def responses_preview(
    *, params: dict[str, Any], user: Any, progress: Progress | None = None
) -> dict[str, Any]:
    """The job result of a preview: ``status`` is ``ready`` or ``invalid``."""
    plan = _plan_from_params(params, user, progress)
    codes = _item_codes(Assessment.objects.get(pk=params["assessment"]))
    return {"status": "ready" if plan.ok else "invalid", **plan.summary(codes)}


def responses_apply(
    *, params: dict[str, Any], user: Any, progress: Progress | None = None
) -> dict[str, Any]:
    """The job result of an apply: ``applied``, or ``invalid``/``stale`` with nothing written."""
    assessment = Assessment.objects.get(pk=params["assessment"])
    codes = _item_codes(assessment)
    with transaction.atomic():
        plan = _plan_from_params(params, user, progress)
        if not plan.ok:
            return {"status": "invalid", **plan.summary(codes)}
        if plan.digest != params.get("digest"):
            return {"status": "stale", **plan.summary(codes)}
        written = apply_plan(plan, assessment)
    upload_path(params["upload"]).unlink(missing_ok=True)
    return {"status": "applied", **plan.summary(codes), "written": written}


def import_file(
    path: Path, *, assessment: Assessment, layout: str, answers: str, user: Any
) -> ResponsePlan:
    """Check and, if there is no problem, write ``path`` at once (for scripts, tests, demo)."""
    with transaction.atomic():
        plan = plan_file(path, assessment=assessment, layout=layout, answers=answers, user=user)
        if plan.ok:
            apply_plan(plan, assessment)
    return plan
