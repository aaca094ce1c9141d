"""Writes of the monitoring app: tests, their items and booklets, scalings.

Every function checks who is asking (:mod:`auyl.monitoring.access`), validates, runs in one
transaction and records the audit history (``auyl.core.history``). Answers are imported by
:mod:`auyl.monitoring.io.responses`; a scaling is computed by :mod:`auyl.monitoring.scaling`.

Items and answers are tied together: ``Sitting.scores[i]`` is the score of the item at
position ``i + 1``. So once answers are imported, the items' order, codes, keys and maximum
scores are frozen (:func:`items_replace` refuses to change them); their domain and anchor flag
may still change. Positions are always 1, 2, ... n without gaps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from auyl.accounts.scoping import AnyUser
from auyl.core.history import delete_with_history, mark_change, save_with_history
from auyl.jobs.models import Job
from auyl.monitoring import access
from auyl.monitoring.models import Assessment, Booklet, Item, Scaling

ITEM_CODE = re.compile(r"[A-Za-z0-9А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі._-]{1,40}")
MAX_ITEMS = 200


def _actor(by: AnyUser) -> Any:
    return by if by.is_authenticated else None


# --- Tests --------------------------------------------------------------------------------


def assessment_save(
    *, data: Mapping[str, Any], by: AnyUser, assessment: Assessment | None = None
) -> Assessment:
    """Create (``assessment`` None) or change a test's grade, subject, language, year, name."""
    access.ensure_can_define(by)
    with transaction.atomic():
        if assessment is None:
            assessment = Assessment(created_by=_actor(by))
            reason = "test defined"
        else:
            reason = "test changed"
        for name, value in data.items():
            setattr(assessment, name, value)
        if not _region_visible(by, assessment.region_id):
            raise PermissionDenied(_("This test belongs to a region you do not work in."))
        save_with_history(assessment, by, reason)
    return assessment


def _region_visible(user: AnyUser, region_id: int | None) -> bool:
    from auyl.accounts.scoping import visible_schools

    if region_id is None:
        return False
    return visible_schools(user).filter(district__region_id=region_id).exists()


def assessment_delete(*, assessment: Assessment, by: AnyUser) -> None:
    """Remove a test with its items and booklets; refused once answers are imported."""
    access.ensure_can_define(by)
    if assessment.sittings.exists():
        raise ValidationError(_("The test has imported answers and cannot be deleted."))
    with transaction.atomic():
        delete_with_history(assessment, by, "test deleted")


# --- Items --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemData:
    """One item as a form row or a file row gives it (``position`` orders the items)."""

    position: int
    code: str
    key: str = ""
    domain: str = ""
    max_score: int = 1
    anchor: bool = False

    def frozen_part(self) -> tuple[str, str, int]:
        return (self.code, self.key, self.max_score)


def item_problems(rows: Sequence[ItemData]) -> list[tuple[int, str, str]]:
    """Problems of an item list: (index in ``rows``, field, message); empty if it is fine."""
    problems: list[tuple[int, str, str]] = []
    if len(rows) > MAX_ITEMS:
        problems.append((0, "code", _("A test has at most %(max)s items.") % {"max": MAX_ITEMS}))
    seen_codes: dict[str, int] = {}
    seen_positions: dict[int, int] = {}
    for i, row in enumerate(rows):
        if not ITEM_CODE.fullmatch(row.code):
            problems.append(
                (
                    i,
                    "code",
                    _(
                        "“%(value)s” is not an item code: use 1 to 40 letters, digits, dots, "
                        "hyphens or underscores."
                    )
                    % {"value": row.code},
                )
            )
        folded = row.code.lower()
        if folded in seen_codes:
            problems.append(
                (i, "code", _("Item code %(code)s is used twice.") % {"code": row.code})
            )
        seen_codes.setdefault(folded, i)
        if row.position in seen_positions:
            problems.append(
                (i, "position", _("Position %(n)s is used twice.") % {"n": row.position})
            )
        seen_positions.setdefault(row.position, i)
        if not 1 <= row.max_score <= 10:
            problems.append((i, "max_score", _("The maximum score must be from 1 to 10.")))
        if row.key and row.max_score > 1:
            problems.append(
                (
                    i,
                    "key",
                    _(
                        "An item with partial credit has no key: its scores are given by the "
                        "markers. Leave the key empty or set the maximum score to 1."
                    ),
                )
            )
        if len(row.key) > 40 or len(row.domain) > 100:
            problems.append((i, "key", _("The key or the domain is too long.")))
    return problems


def items_replace(*, assessment: Assessment, rows: Sequence[ItemData], by: AnyUser) -> list[Item]:
    """Make the test's items exactly ``rows`` (ordered by position, renumbered 1..n).

    Raises ValidationError listing the problems; writes nothing then.
    """
    access.ensure_can_define(by)
    problems = item_problems(rows)
    if problems:
        raise ValidationError([m for _i, _f, m in problems])
    ordered = sorted(rows, key=lambda r: r.position)
    with transaction.atomic():
        current = list(Item.objects.select_for_update().filter(assessment=assessment))
        if assessment.sittings.exists():
            _check_frozen(current, ordered)
        by_code = {it.code: it for it in current}
        keep = {r.code for r in ordered}
        for item in current:
            if item.code not in keep:
                delete_with_history(item, by, "item removed")
        # Positions are unique: move the kept items out of the way before renumbering.
        for item in by_code.values():
            if item.code in keep:
                Item.objects.filter(pk=item.pk).update(position=item.position + 1000)
        result = []
        for position, row in enumerate(ordered, start=1):
            item = by_code.get(row.code) or Item(assessment=assessment)
            item.position, item.code, item.key = position, row.code, row.key
            item.domain, item.max_score, item.anchor = row.domain, row.max_score, row.anchor
            save_with_history(item, by, "item list saved")
            result.append(item)
    return result


def _check_frozen(current: Sequence[Item], ordered: Sequence[ItemData]) -> None:
    before = [(it.code, it.key, it.max_score) for it in sorted(current, key=lambda i: i.position)]
    after = [r.frozen_part() for r in ordered]
    if before != after:
        raise ValidationError(
            _(
                "Answers are already imported for this test: the items' order, codes, keys "
                "and maximum scores can no longer change (only domains and anchor flags)."
            )
        )


# --- Booklets -----------------------------------------------------------------------------


def booklet_save(
    *,
    assessment: Assessment,
    code: str,
    items: Sequence[Item],
    by: AnyUser,
    booklet: Booklet | None = None,
) -> Booklet:
    """Create or change a booklet (the items one group of pupils got)."""
    access.ensure_can_define(by)
    if booklet is not None and booklet.sittings.exists():
        raise ValidationError(_("Pupils' answers use this booklet: it can no longer change."))
    if booklet is None and assessment.sittings.exists():
        raise ValidationError(
            _("Answers are already imported without booklets: booklets cannot be added now.")
        )
    if not items:
        raise ValidationError(_("A booklet holds at least one item."))
    if any(item.assessment_id != assessment.pk for item in items):
        raise ValidationError(_("A booklet holds items of its own test only."))
    with transaction.atomic():
        booklet = booklet or Booklet(assessment=assessment)
        booklet.code = code
        booklet.full_clean()
        booklet.save()
        booklet.items.set(items)
    return booklet


def booklet_delete(*, booklet: Booklet, by: AnyUser) -> None:
    access.ensure_can_define(by)
    if booklet.sittings.exists():
        raise ValidationError(_("Pupils' answers use this booklet: it cannot be deleted."))
    booklet.delete()


# --- Scalings -----------------------------------------------------------------------------


def scaling_create(
    *,
    assessment: Assessment,
    model: str,
    base: Scaling | None,
    link_method: str,
    by: AnyUser,
) -> Scaling:
    """A queued scaling of ``assessment`` (see :func:`auyl.monitoring.scaling.scaling_compute`)."""
    access.ensure_can_define(by)
    if base is not None:
        problem = base_problem(assessment, base)
        if problem:
            raise ValidationError(problem)
        if link_method == Scaling.Link.NONE:
            raise ValidationError(_("Choose how to link to the base-year scaling."))
    else:
        link_method = Scaling.Link.NONE
    scaling = Scaling(
        assessment=assessment,
        model=model,
        base=base,
        link_method=link_method,
        created_by=_actor(by),
    )
    scaling.full_clean(exclude=["warnings"])  # an empty list is a valid "no warnings"
    mark_change(scaling, by, "scaling started")
    scaling.save()
    return scaling


def base_problem(assessment: Assessment, base: Scaling) -> str:
    """Why ``base`` cannot be the base of a scaling of ``assessment`` ("" if it can)."""
    if base.status != Scaling.Status.DONE:
        return _("The base-year scaling is not computed.")
    if base.assessment_id == assessment.pk:
        return _("A test cannot be linked to itself.")
    other = base.assessment
    if (other.grade, other.subject_id) != (assessment.grade, assessment.subject_id):
        return _("The base-year test must be of the same grade and subject.")
    ours = set(assessment.items.values_list("code", flat=True))
    theirs = set(base.item_estimates.filter(a__isnull=False).values_list("item__code", flat=True))
    if not ours & theirs:
        return _("The two tests share no item code: there is no anchor item to link them.")
    return ""


def scaling_start(
    *, assessment: Assessment, model: str, base: Scaling | None, link_method: str, by: AnyUser
) -> Scaling:
    """Create a scaling and compute it as a background job."""
    from auyl.jobs.services import job_start
    from auyl.monitoring.tasks import scaling_task

    scaling = scaling_create(
        assessment=assessment, model=model, base=base, link_method=link_method, by=by
    )
    params = {"scaling": scaling.pk, "language": translation.get_language()}
    job = job_start(kind="monitoring_scaling", by=by, params=params, task=scaling_task)
    Scaling.objects.filter(pk=scaling.pk).update(job=job)
    scaling.refresh_from_db()
    return scaling


def scaling_failed(scaling: Scaling) -> bool:
    return scaling.status == Scaling.Status.FAILED or bool(
        scaling.job_id and scaling.job and scaling.job.state == Job.State.FAILED
    )


def scaling_delete(*, scaling: Scaling, by: AnyUser) -> None:
    """Remove a scaling with its estimates and scores; refused while others link to it."""
    access.ensure_can_define(by)
    if scaling.linked.exists():
        raise ValidationError(_("Other scalings are linked to this one: delete them first."))
    scaling.delete()
