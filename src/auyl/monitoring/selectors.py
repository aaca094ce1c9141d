"""Reads of the monitoring app, scoped by who is asking (:mod:`auyl.monitoring.access`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Prefetch, Q, QuerySet

from auyl.accounts.scoping import AnyUser, visible_schools
from auyl.engines.irt import PROFICIENCY_CUTS
from auyl.monitoring import access
from auyl.monitoring.models import Assessment, Booklet, Item, ItemEstimate, PersonScore, Scaling
from auyl.monitoring.scaling import warning_text

#: An item whose infit or outfit mean square lies outside this range is flagged.
FIT_RANGE = (0.7, 1.3)


def assessment_list(user: AnyUser) -> QuerySet[Assessment]:
    """The tests ``user`` sees, with the number of sittings at schools he sees."""
    return (
        access.visible_assessments(user)
        .select_related("subject", "region")
        .annotate(
            n_sittings=Count(
                "sittings", filter=Q(sittings__school__in=visible_schools(user)), distinct=True
            ),
            n_items=Count("items", distinct=True),
        )
    )


def assessment_for(user: AnyUser, pk: int) -> Assessment | None:
    return (
        access.visible_assessments(user).select_related("subject", "region").filter(pk=pk).first()
    )


def booklets_of(assessment: Assessment) -> QuerySet[Booklet]:
    return assessment.booklets.prefetch_related(
        Prefetch("items", queryset=Item.objects.order_by("position"))
    )


def scalings_of(assessment: Assessment) -> QuerySet[Scaling]:
    return assessment.scalings.select_related("base__assessment", "job", "created_by")


def base_candidates(assessment: Assessment) -> QuerySet[Scaling]:
    """Computed scalings of the same grade and subject in another year: possible bases."""
    return (
        Scaling.objects.filter(
            status=Scaling.Status.DONE,
            assessment__region_id=assessment.region_id,
            assessment__grade=assessment.grade,
            assessment__subject_id=assessment.subject_id,
        )
        .exclude(assessment=assessment)
        .select_related("assessment")
        .order_by("assessment__year", "-created_at")
    )


@dataclass(frozen=True)
class ItemRow:
    estimate: ItemEstimate
    misfit: bool
    dif_flag: bool


def item_rows(scaling: Scaling) -> list[ItemRow]:
    """The item table of a scaling, with misfit and DIF (category C) flags."""
    low, high = FIT_RANGE
    rows = []
    for e in scaling.item_estimates.select_related("item"):
        fits = [f for f in (e.infit, e.outfit) if f is not None]
        rows.append(
            ItemRow(
                estimate=e,
                misfit=any(not low <= f <= high for f in fits),
                dif_flag="C" in (e.dif or {}).values(),
            )
        )
    return rows


def warnings_of(scaling: Scaling) -> list[dict[str, Any]]:
    """The stored warnings with their translated meaning."""
    return [{**w, "text": warning_text(w.get("code", ""))} for w in scaling.warnings or []]


@dataclass(frozen=True)
class ScoreSummary:
    n: int
    mean: float
    sd: float
    mean_se: float
    percentiles: tuple[tuple[int, float], ...]
    levels: tuple[tuple[int, int, float], ...]  # (level, pupils, share)
    cuts: tuple[float, ...]


def score_summary(scaling: Scaling, user: AnyUser) -> ScoreSummary | None:
    """Distribution of the scale scores of the pupils at schools ``user`` sees."""
    rows = np.array(
        PersonScore.objects.filter(
            scaling=scaling, sitting__school__in=visible_schools(user)
        ).values_list("score", "level"),
        dtype=float,
    )
    if not len(rows):
        return None
    scores, levels = rows[:, 0], rows[:, 1].astype(int)
    n = len(scores)
    sd = float(scores.std(ddof=1)) if n > 1 else 0.0
    counts = np.bincount(levels, minlength=len(PROFICIENCY_CUTS) + 1)
    return ScoreSummary(
        n=n,
        mean=float(scores.mean()),
        sd=sd,
        mean_se=sd / np.sqrt(n),
        percentiles=tuple((p, float(np.percentile(scores, p))) for p in (10, 25, 50, 75, 90)),
        levels=tuple((lvl, int(c), float(c) / n) for lvl, c in enumerate(counts)),
        cuts=tuple(PROFICIENCY_CUTS),
    )


def school_means(scaling: Scaling, user: AnyUser, limit: int = 200) -> list[dict[str, Any]]:
    """Mean score and pupils per school ``user`` sees (at most ``limit`` schools)."""
    from django.db.models import Avg

    rows: Any = (
        PersonScore.objects.filter(scaling=scaling, sitting__school__in=visible_schools(user))
        .values("sitting__school__code", "sitting__school__name_kk", "sitting__school__name_ru")
        .annotate(pupils=Count("pk"), mean=Avg("score"))
        .order_by("sitting__school__code")[:limit]
    )
    return list(rows)
