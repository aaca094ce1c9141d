"""Compute a scaling: pupils' answers → IRT calibration → scores on the reporting scale.

:func:`scaling_compute` runs in a background job (:mod:`auyl.monitoring.tasks`):

1. **Matrix.** One row per sitting, one column per item (the item's code is its id);
   a not-presented item (booklets) is NaN, an omitted one scores 0.
2. **Clean.** ``engines.irt.clean`` drops what cannot be estimated (an item nobody or
   everybody got right, a pupil with no presented item...), one warning each; the warnings
   are stored by code and shown translated (:data:`WARNING_TEXT`).
3. **Fit** Rasch, 2PL or partial credit by marginal maximum likelihood; **EAP** scores with
   their standard errors; infit/outfit; Mantel-Haenszel **DIF** rural vs urban and Kazakh vs
   Russian language of instruction, where both groups have at least :data:`MIN_DIF_GROUP`
   pupils; marginal reliability.
4. **Link.** A scaling with a base: the anchor items (same item code in both tests; only the
   items flagged "anchor" when the test flags any) link the new metric to the base's with
   Stocking-Lord, Haebara or mean-sigma: ``theta_base = link_a * theta + link_b``. Item
   estimates and thetas are stored **on the base metric**, so a later year can link to any
   linked year and land on the same metric (chains compose).
5. **Reporting scale.** ``score = scale_mean + scale_sd * theta_base``. A base-year scaling
   chooses the constants so that its estimated population distribution of ability has mean
   500 and SD 100; a linked scaling copies them from its base. Proficiency levels cut the
   score at ``engines.irt.PROFICIENCY_CUTS`` (illustrative cuts).
6. **Store** item estimates and person scores in bulk (:mod:`auyl.monitoring.bulk`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from auyl.engines import irt
from auyl.engines.irt.data import subset
from auyl.monitoring.bulk import insert_rows
from auyl.monitoring.models import Item, ItemEstimate, PersonScore, Scaling, Sitting

Progress = Callable[[int, int, str], None]
BATCH = 5000
MIN_DIF_GROUP = 30
MAX_EXAMPLES = 20
STEPS = 6

#: What each warning code of the engine (and of this module) means, for the result page.
WARNING_TEXT = {
    "item_all_correct": gettext_lazy("Every pupil got the item right: it was left out."),
    "item_none_correct": gettext_lazy("No pupil got the item right: it was left out."),
    "item_constant": gettext_lazy("Every pupil got the same score on the item: it was left out."),
    "item_too_few": gettext_lazy("Too few pupils got the item: it was left out."),
    "person_no_answers": gettext_lazy("Pupils without any presented item were left out."),
    "duplicate_person": gettext_lazy("A pupil appeared twice: the repeat was left out."),
    "non_numeric": gettext_lazy("A score was not a number: it was treated as not presented."),
    "out_of_range": gettext_lazy("A score was outside the item's range: it was left out."),
    "few_anchors": gettext_lazy("Fewer than three anchor items: the link is fragile."),
    "not_converged": gettext_lazy(
        "The estimation did not converge within its iteration limit: treat results with care."
    ),
    "person_not_scored": gettext_lazy("Pupils whose score could not be computed were left out."),
    "item_category_empty": gettext_lazy(
        "No pupil reached one of the item's score points: it was left out."
    ),
    "person_no_id": gettext_lazy("A pupil without an id was left out."),
    "more_warnings": gettext_lazy("More warnings of the same kinds (not listed)."),
    "refused": gettext_lazy("The answers cannot be scaled."),
}


def warning_text(code: str) -> str:
    """The translated meaning of a warning code (the code itself if it is a new one)."""
    return str(WARNING_TEXT.get(code, code))


# --- 1. The matrix ------------------------------------------------------------------------


def response_matrix(
    items: Sequence[Item], sittings: Sequence[tuple[int, list[int | None]]]
) -> irt.ResponseMatrix:
    """Sittings (id, scores aligned with ``items``) → the engine's matrix (NaN = not presented)."""
    n_items = len(items)
    scores = np.full((len(sittings), n_items), np.nan)
    for row, (_pk, values) in enumerate(sittings):
        line = [np.nan if v is None else v for v in values[:n_items]]
        scores[row, : len(line)] = line
    return irt.ResponseMatrix(
        person_ids=tuple(str(pk) for pk, _v in sittings),
        item_ids=tuple(it.code for it in items),
        scores=scores,
        max_scores=np.array([it.max_score for it in items], dtype=int),
    )


# --- 2. Warnings --------------------------------------------------------------------------


def group_warnings(warnings: Sequence[Any]) -> list[dict[str, Any]]:
    """Engine warnings grouped by code: count, first items/pupils, one English detail."""
    groups: dict[str, dict[str, Any]] = {}
    for w in warnings:
        g = groups.setdefault(
            w.code, {"code": w.code, "count": 0, "items": [], "persons": [], "detail": w.detail}
        )
        g["count"] += 1
        if w.item and len(g["items"]) < MAX_EXAMPLES:
            g["items"].append(w.item)
        if w.person and len(g["persons"]) < MAX_EXAMPLES:
            g["persons"].append(w.person)
    return list(groups.values())


# --- 4. Linking ---------------------------------------------------------------------------


def _base_params(base: Scaling) -> list[irt.ItemParams]:
    rows = base.item_estimates.filter(a__isnull=False, b__isnull=False).values_list(
        "item__code", "a", "b", "steps"
    )
    return [
        irt.ItemParams(item=c, a=a, b=b, steps=tuple(s or ()))
        for c, a, b, s in rows
        if a is not None and b is not None
    ]


def anchor_codes(items: Sequence[Item], base_codes: set[str]) -> set[str]:
    """Items linking to the base: common codes, only the flagged ones if any is flagged."""
    common = {it.code for it in items if it.code in base_codes}
    flagged = {it.code for it in items if it.anchor and it.code in common}
    return flagged or common


def _link(
    scaling: Scaling, items: Sequence[Item], cal: irt.Calibration
) -> tuple[float, float, list[Any]]:
    """(A, B, warnings): theta on the base metric = A * theta + B."""
    if scaling.base is None:
        return 1.0, 0.0, []
    base = _base_params(scaling.base)
    anchors = anchor_codes(items, {p.item for p in base})
    new = [p for p in cal.items if p.item in anchors]
    found = irt.link(base, new, method=scaling.link_method)
    return float(found.a), float(found.b), list(found.warnings)


def reporting_constants(scaling: Scaling, cal: irt.Calibration) -> tuple[float, float]:
    """(scale_mean, scale_sd) with score = scale_mean + scale_sd * theta_base."""
    if scaling.base is not None:
        return scaling.base.scale_mean, scaling.base.scale_sd
    sd = cal.theta_sd if cal.theta_sd > 0 else 1.0
    return 500.0 - 100.0 * cal.theta_mean / sd, 100.0 / sd


# --- The whole computation ----------------------------------------------------------------


def scaling_compute(*, scaling: Scaling, progress: Progress | None = None) -> dict[str, Any]:
    """Compute ``scaling`` and store its estimates and scores; returns a short summary."""
    report = progress or (lambda done, total, message: None)
    started = time.perf_counter()
    assessment = scaling.assessment
    items = list(assessment.items.order_by("position"))
    report(0, STEPS, _("Reading the answers"))
    rows = list(
        Sitting.objects.filter(assessment=assessment)
        .order_by("pk")
        .values_list("pk", "scores", "school__locality", "school__language")
    )
    matrix = response_matrix(items, [(pk, scores) for pk, scores, _l, _g in rows])
    groups = {str(pk): (locality, language) for pk, _s, locality, language in rows}
    report(1, STEPS, _("Checking the data"))
    try:
        cleaned, warnings = irt.clean(matrix)
    except ValueError as exc:  # no estimable item, or fewer than two pupils
        return _refuse(scaling, str(exc))
    report(2, STEPS, _("Estimating the item parameters"))
    cal = irt.fit(cleaned, scaling.model)
    report(3, STEPS, _("Scoring the pupils"))
    persons = irt.score_eap(cal, cleaned)
    fits = {f.item: f for f in irt.item_fit(cal, cleaned, persons)}
    dif = _dif(cleaned, groups)
    report(4, STEPS, _("Linking to the base year"))
    try:
        a_link, b_link, link_warnings = _link(scaling, items, cal)
    except ValueError as exc:  # no anchor item left to link through
        return _refuse(scaling, str(exc))
    scale_mean, scale_sd = reporting_constants(scaling, cal)
    report(5, STEPS, _("Saving the results"))
    all_warnings = [*warnings, *cal.warnings, *link_warnings]
    grouped = group_warnings(all_warnings)
    if not cal.converged:
        grouped.append({"code": "not_converged", "count": 1, "items": [], "persons": [],
                        "detail": f"{cal.iterations} iterations"})  # fmt: skip
    with transaction.atomic():
        ItemEstimate.objects.filter(scaling=scaling).delete()
        PersonScore.objects.filter(scaling=scaling).delete()
        _store_items(scaling, items, matrix, cal, fits, dif, all_warnings, a_link, b_link)
        theta = a_link * np.asarray(persons.theta, dtype=float) + b_link
        se = abs(a_link) * np.asarray(persons.se, dtype=float)
        stored, unscored = _store_persons(
            scaling, cleaned.person_ids, theta, se, scale_mean, scale_sd
        )
        if unscored:
            grouped.append({"code": "person_not_scored", "count": unscored, "items": [],
                            "persons": [], "detail": ""})  # fmt: skip
        scaling.link_a, scaling.link_b = a_link, b_link
        scaling.scale_mean, scaling.scale_sd = scale_mean, scale_sd
        scaling.n_persons = stored
        scaling.loglik = _finite(cal.loglik)
        scaling.theta_sd = _finite(cal.theta_sd)
        scaling.reliability = _finite(irt.marginal_reliability(persons))
        scaling.warnings = grouped
        scaling.seconds = round(time.perf_counter() - started, 3)
        scaling.status = Scaling.Status.DONE
        scaling.save()
    report(STEPS, STEPS, _("Done"))
    return {"scaling": scaling.pk, "persons": stored, "seconds": scaling.seconds}


def _finite(value: float) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def _dif(matrix: irt.ResponseMatrix, groups: dict[str, tuple[str, str]]) -> dict[str, dict]:
    """Item code → {"rural_urban": category, "language": category} where both groups exist."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    localities = np.array([groups[p][0] for p in matrix.person_ids])
    languages = np.array([groups[p][1] for p in matrix.person_ids])
    comparisons = (
        ("rural_urban", np.ones(len(localities), dtype=bool), localities == "rural"),
        ("language", np.isin(languages, ("kk", "ru")), languages == "ru"),
    )
    for name, included, focal in comparisons:
        n_focal = int((included & focal).sum())
        n_reference = int((included & ~focal).sum())
        if min(n_focal, n_reference) < MIN_DIF_GROUP:
            continue
        for result in irt.dif_mantel_haenszel(
            subset(matrix, included, np.ones(len(matrix.item_ids), dtype=bool)), focal[included]
        ):
            found[result.item][name] = result.category
    return found


def _store_items(
    scaling: Scaling,
    items: Sequence[Item],
    matrix: irt.ResponseMatrix,
    cal: irt.Calibration,
    fits: dict[str, Any],
    dif: dict[str, dict],
    warnings: Sequence[Any],
    a_link: float,
    b_link: float,
) -> None:
    params = {p.item: p for p in cal.items}
    dropped = {w.item: w.code for w in warnings if w.item}
    shares = _shares_correct(matrix)
    estimates = []
    for index, item in enumerate(items):
        p = params.get(item.code)
        fit = fits.get(item.code)
        a = b = None
        steps: list[float] = []
        if p is not None:
            moved = irt.transform_item(p, a_link, b_link)
            a, b, steps = moved.a, moved.b, list(moved.steps)
        estimates.append(
            ItemEstimate(
                scaling=scaling,
                item=item,
                a=_finite(a) if a is not None else None,
                b=_finite(b) if b is not None else None,
                steps=steps,
                infit=_finite(fit.infit) if fit else None,
                outfit=_finite(fit.outfit) if fit else None,
                p_value=shares[index],
                dif=dif.get(item.code, {}),
                dropped="" if p is not None else dropped.get(item.code, "dropped"),
            )
        )
    ItemEstimate.objects.bulk_create(estimates, batch_size=BATCH)


def _shares_correct(matrix: irt.ResponseMatrix) -> list[float | None]:
    """Mean score over the maximum, among pupils the item was presented to."""
    presented = ~np.isnan(matrix.scores)
    counts = presented.sum(axis=0)
    sums = np.nansum(matrix.scores, axis=0)
    return [
        float(sums[i] / (counts[i] * matrix.max_scores[i])) if counts[i] else None
        for i in range(len(matrix.item_ids))
    ]


def _store_persons(
    scaling: Scaling,
    person_ids: Sequence[str],
    theta: np.ndarray,
    se: np.ndarray,
    scale_mean: float,
    scale_sd: float,
) -> tuple[int, int]:
    """Insert the person scores; returns (stored, left out because not finite)."""
    score = scale_mean + scale_sd * theta
    ok = np.isfinite(theta) & np.isfinite(se)
    levels = irt.proficiency_level(np.where(ok, score, scale_mean))
    rows = (
        (scaling.pk, int(person_ids[int(i)]), float(theta[i]), float(se[i]), float(score[i]),
         int(levels[i]))
        for i in np.flatnonzero(ok)
    )  # fmt: skip
    stored = insert_rows(
        PersonScore, ["scaling_id", "sitting_id", "theta", "se", "score", "level"], rows
    )
    return stored, int((~ok).sum())


def _refuse(scaling: Scaling, reason: str) -> dict[str, Any]:
    """Store why the answers cannot be scaled (the scaling ends failed, nothing else stored)."""
    scaling.warnings = [{"code": "refused", "count": 1, "items": [], "persons": [],
                         "detail": reason}]  # fmt: skip
    scaling.status = Scaling.Status.FAILED
    scaling.save(update_fields=["warnings", "status"])
    return {"scaling": scaling.pk, "refused": reason}


def mark_failed(scaling_id: int) -> None:
    Scaling.objects.filter(pk=scaling_id).update(status=Scaling.Status.FAILED)
