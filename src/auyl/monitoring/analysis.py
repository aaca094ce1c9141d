"""Selectors and analyses behind the monitoring dashboards and reports.

The chain is **frame → engine → rows**: :func:`score_frame` reads the pupils' scale scores of
the latest computed scaling of each assessment into one pandas frame (one row per pupil and
test, the columns the impact engine expects), :mod:`auyl.engines.impact` computes means,
gaps, level shares and the difference-in-differences, and this module turns the results
into plain rows for pages, PDFs and workbooks.

Invariants:

- **Scope.** Every frame is cut to the schools the user may see
  (:func:`auyl.accounts.scoping.visible_schools`). Principals, teachers and hub coordinators
  additionally get the *region's* published aggregates (a mean per year, the impact
  estimate) as a reference, never another school's own result.
- **Never NaN.** A group with fewer than :data:`MIN_PUPILS` pupils is *suppressed*: its row
  says so and carries no numbers. Any non-finite number from an engine suppresses its row.
- **Fast at national scale.** Pupil rows are read with one ``values_list`` per scaling into
  numpy arrays and cached by scaling id (a computed scaling never changes); the school
  attributes are one small query per request. No per-row ORM.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from auyl.accounts.models import Role
from auyl.accounts.scoping import AnyUser, profile_of, role_of, visible_schools
from auyl.monitoring.models import Assessment, ItemEstimate, Participation, PersonScore, Scaling
from auyl.registry.models import District, School

#: Groups with fewer pupils than this are suppressed in every page, PDF and workbook.
MIN_PUPILS = 10
#: Seconds a dashboard, its charts and an impact estimate stay cached (their keys also
#: change with a new scaling, another scope or language, or new programme participation).
CACHE_SECONDS = 3600
#: Draws of the wild cluster bootstrap (the engine's default).
BOOTSTRAP_REPS = 999
FRAME_COLUMNS = (
    "score",
    "level",
    "school",
    "school_id",
    "year",
    "district",
    "rural",
    "role",
    "since_year",
    "pilot",
)


# --- Scope --------------------------------------------------------------------------------


class ScopeKind:
    SCHOOL = "school"
    DISTRICT = "district"
    REGION = "region"


@dataclass(frozen=True)
class Scope:
    """Whose results a page or report shows: one school, one district or the whole region
    (the schools of ``school_ids``, already cut to what the user may see)."""

    kind: str
    label: str
    school_ids: frozenset[int]
    district_id: int | None = None
    school_id: int | None = None

    @property
    def key(self) -> str:
        """A short stable key for caches."""
        ids = ",".join(str(i) for i in sorted(self.school_ids))
        return hashlib.sha1(ids.encode(), usedforsecurity=False).hexdigest()[:16]


def sees_region_aggregates_only(user: AnyUser) -> bool:
    """Principals, teachers and hub coordinators see their schools plus the region's
    published aggregates; they never get comparisons across other schools."""
    return role_of(user) in (Role.PRINCIPAL, Role.TEACHER, Role.HUB_COORDINATOR)


def default_scope(user: AnyUser) -> Scope:
    """The widest scope ``user`` may see: the region, a district, a cluster or a school."""
    ids = frozenset(visible_schools(user).values_list("pk", flat=True))
    role = role_of(user)
    profile = profile_of(user)
    if role is Role.REGION_ADMIN:
        return Scope(ScopeKind.REGION, _("Region"), ids)
    if role is Role.METHODOLOGIST and profile is not None and profile.district is not None:
        district = profile.district
        return Scope(ScopeKind.DISTRICT, district.name, ids, district_id=district.pk)
    if role is Role.HUB_COORDINATOR and profile is not None and profile.school is not None:
        return Scope(
            ScopeKind.DISTRICT,
            _("Cluster of %(hub)s") % {"hub": profile.school.name},
            ids,
        )
    if profile is not None and profile.school is not None:
        school = profile.school
        return Scope(ScopeKind.SCHOOL, school.name, ids, school_id=school.pk)
    return Scope(ScopeKind.SCHOOL, _("No school"), frozenset())


def narrow_scope(
    user: AnyUser, *, district: District | None = None, school: School | None = None
) -> Scope:
    """A district's or a school's scope inside what ``user`` may see (empty when not visible)."""
    visible = visible_schools(user)
    if school is not None:
        ids = frozenset(visible.filter(pk=school.pk).values_list("pk", flat=True))
        return Scope(ScopeKind.SCHOOL, school.name, ids, school_id=school.pk)
    if district is not None:
        ids = frozenset(visible.filter(district=district).values_list("pk", flat=True))
        return Scope(ScopeKind.DISTRICT, district.name, ids, district_id=district.pk)
    return default_scope(user)


# --- Tests and their series ---------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One test over the years: a grade and a subject (optionally one language)."""

    grade: int
    subject_id: int
    subject_name: str
    years: tuple[int, ...]
    language: str = ""

    @property
    def label(self) -> str:
        return _("Grade %(grade)s · %(subject)s") % {
            "grade": self.grade,
            "subject": self.subject_name,
        }


def assessments_with_results(user: AnyUser) -> QuerySet[Assessment]:
    """Assessments of the user's region(s) that have a computed scaling."""
    regions = visible_schools(user).values("district__region_id")
    return (
        Assessment.objects.filter(region_id__in=regions, scalings__status=Scaling.Status.DONE)
        .select_related("subject")
        .distinct()
    )


def series_choices(user: AnyUser) -> tuple[Series, ...]:
    """Every grade-and-subject with results, with the years it was given, newest first."""
    years: dict[tuple[int, int], set[int]] = {}
    names: dict[int, str] = {}
    for assessment in assessments_with_results(user):
        years.setdefault((assessment.grade, assessment.subject_id), set()).add(assessment.year)
        names[assessment.subject_id] = assessment.subject.name
    return tuple(
        Series(grade, subject_id, names[subject_id], tuple(sorted(ys)))
        for (grade, subject_id), ys in sorted(
            years.items(), key=lambda kv: (kv[0][0], names[kv[0][1]])
        )
    )


def series_assessments(user: AnyUser, series: Series) -> list[Assessment]:
    qs = assessments_with_results(user).filter(grade=series.grade, subject_id=series.subject_id)
    if series.language:
        qs = qs.filter(language=series.language)
    return list(qs.order_by("year"))


def latest_scalings(assessments: Iterable[Assessment]) -> dict[int, Scaling]:
    """The latest computed scaling of each assessment (assessment id -> scaling)."""
    ids = [a.pk for a in assessments]
    latest: dict[int, Scaling] = {}
    scalings = (
        Scaling.objects.filter(assessment_id__in=ids, status=Scaling.Status.DONE)
        .select_related("assessment")
        .order_by("assessment_id", "-created_at", "-pk")
    )
    for scaling in scalings:
        latest.setdefault(scaling.assessment_id, scaling)
    return latest


# --- The frame ----------------------------------------------------------------------------


def scaling_key(scaling: Scaling) -> str:
    """A cache key of a computed scaling: it is never changed (a rescaling is a new
    scaling), so its id and creation time identify its scores."""
    return f"{scaling.pk}.{scaling.created_at.timestamp():.6f}.{scaling.n_persons}"


def scaling_arrays(scaling: Scaling) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(school id, scale score, level) of every pupil of a computed scaling, cached."""
    key = f"monitoring:scaling-arrays:{scaling_key(scaling)}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    rows = PersonScore.objects.filter(scaling_id=scaling.pk).values_list(
        "sitting__school_id", "score", "level"
    )
    data = np.array(list(rows), dtype=np.float64).reshape(-1, 3)
    arrays = (data[:, 0].astype(np.int64), data[:, 1], data[:, 2].astype(np.int64))
    cache.set(key, arrays, timeout=None)
    return arrays


def school_attributes(school_ids: Iterable[int]) -> pd.DataFrame:
    """One row per school (indexed by id): code, district code, rural, role, since_year."""
    rows = list(
        School.objects.filter(pk__in=list(school_ids)).values_list(
            "pk", "code", "district__code", "locality", "network_role"
        )
    )
    since = dict(Participation.objects.values_list("school_id", "since_year"))
    frame = pd.DataFrame(rows, columns=["school_id", "school", "district", "locality", "role"])
    frame["rural"] = frame["locality"] == School.Locality.RURAL
    frame["since_year"] = frame["school_id"].map(since).astype("float64")
    return frame.drop(columns="locality").set_index("school_id")


def score_frame(scalings: Iterable[Scaling], school_ids: Iterable[int]) -> pd.DataFrame:
    """Pupil scores of ``scalings`` at the schools ``school_ids``: one row per pupil-test,
    with the columns :data:`FRAME_COLUMNS` (the impact engine's input)."""
    wanted = np.fromiter(set(school_ids), dtype=np.int64)
    parts = []
    for scaling in scalings:
        schools, scores, levels = scaling_arrays(scaling)
        keep = np.isin(schools, wanted) & np.isfinite(scores)
        parts.append(
            pd.DataFrame(
                {
                    "school_id": schools[keep],
                    "score": scores[keep],
                    "level": levels[keep],
                    "year": np.full(int(keep.sum()), scaling.assessment.year, dtype=np.int64),
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: [] for c in FRAME_COLUMNS})
    pupils = pd.concat(parts, ignore_index=True)
    attributes = school_attributes(np.unique(pupils["school_id"]).tolist())
    frame = pupils.join(attributes, on="school_id", how="inner")
    frame["pilot"] = frame["since_year"].notna()
    return frame[list(FRAME_COLUMNS)].reset_index(drop=True)


# --- Rows for pages and reports -----------------------------------------------------------


@dataclass(frozen=True)
class MeanRow:
    """A group's mean scale score with its confidence interval, or a suppressed group."""

    label: str
    year: int | None
    n: int
    n_schools: int
    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    key: Any = None

    @property
    def suppressed(self) -> bool:
        return self.mean is None


def _finite(*values: float) -> bool:
    return all(isinstance(v, int | float) and math.isfinite(v) for v in values)


def mean_row(label: str, year: int | None, estimate: Any, key: Any = None) -> MeanRow:
    """A row from an engine ``Estimate``; suppressed when too small or not finite."""
    n, n_schools = int(estimate.n), int(estimate.n_clusters)
    if n < MIN_PUPILS or not _finite(estimate.value, estimate.ci_low, estimate.ci_high):
        return MeanRow(label, year, n, n_schools, key=key)
    return MeanRow(
        label,
        year,
        n,
        n_schools,
        float(estimate.value),
        float(estimate.ci_low),
        float(estimate.ci_high),
        key=key,
    )


@dataclass(frozen=True)
class LevelRow:
    """Shares of pupils at each proficiency level in one year (fractions, summing to 1)."""

    year: int
    n: int
    shares: tuple[float, ...] = ()

    @property
    def suppressed(self) -> bool:
        return not self.shares

    @property
    def percents(self) -> tuple[int, ...]:
        return tuple(round(100 * s) for s in self.shares)


@dataclass(frozen=True)
class ItemRow:
    code: str
    domain: str
    difficulty: float | None  # on the reporting scale
    a: float | None
    infit: float | None
    outfit: float | None
    p_value: float | None
    dif: str
    dropped: str
    anchor: bool


def group_label(column: str, value: Any, districts: dict[str, str]) -> str:
    """The translated name of one group value (rural/urban, hub/magnet/none, ...)."""
    if column == "rural":
        return str(_("rural") if bool(value) else _("urban"))
    if column == "role":
        return str(
            {"hub": _("hub schools"), "magnet": _("magnet schools")}.get(
                str(value), _("other schools")
            )
        )
    if column == "pilot":
        return str(_("programme schools") if bool(value) else _("comparison schools"))
    if column == "district":
        return districts.get(str(value), str(value))
    return str(value)


def level_names() -> tuple[str, ...]:
    """Names of the proficiency levels, lowest first (one more than the cut scores)."""
    return (
        str(_("below basic")),
        str(_("basic")),
        str(_("proficient")),
        str(_("advanced")),
    )


def proficiency_cuts() -> tuple[float, ...]:
    from auyl.engines.irt import PROFICIENCY_CUTS

    return tuple(float(c) for c in PROFICIENCY_CUTS)


# --- The dashboard ------------------------------------------------------------------------

GAP_GROUPS = ("rural", "role", "pilot", "district")


@dataclass(frozen=True)
class Dashboard:
    series: Series
    year: int
    scope: Scope
    n_pupils: int
    n_schools: int
    trend: tuple[MeanRow, ...]
    reference: tuple[MeanRow, ...]  # the region per year (for a school or district scope)
    rural_gap: tuple[MeanRow, ...]  # urban minus rural, per year
    groups: dict[str, tuple[MeanRow, ...]]  # GAP_GROUPS -> rows of the chosen year
    levels: tuple[LevelRow, ...]
    schools: tuple[MeanRow, ...]  # per school (or per district) in the chosen year
    items: tuple[ItemRow, ...]
    scaling: Scaling | None
    frame: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()
    cache_key: str = ""


def _years(frame: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in frame["year"].unique())


def trend_rows(frame: pd.DataFrame) -> tuple[MeanRow, ...]:
    from auyl.engines.impact import group_means

    if frame.empty:
        return ()
    return tuple(
        mean_row(str(gm.keys[0]), int(gm.keys[0]), gm.estimate)
        for gm in group_means(frame, by=["year"])
    )


def rural_gap_rows(frame: pd.DataFrame) -> tuple[MeanRow, ...]:
    """Urban minus rural mean per year, with a school-clustered CI (rows of the engine's gap).

    Needs both rural and urban pupils in a year; years with one side missing are left out.
    """
    from auyl.engines.impact import gap

    if frame.empty or frame["rural"].nunique() < 2:
        return ()
    rows = []
    for gm in gap(frame, by="rural", focal=True, per="year"):
        year = int(gm.keys[0])
        row = mean_row(str(year), year, gm.estimate)
        rows.append(row)
    return tuple(rows)


def group_rows(frame: pd.DataFrame, column: str, districts: dict[str, str]) -> tuple[MeanRow, ...]:
    from auyl.engines.impact import group_means

    if frame.empty:
        return ()
    return tuple(
        mean_row(group_label(column, gm.keys[0], districts), None, gm.estimate, key=gm.keys[0])
        for gm in group_means(frame, by=[column])
    )


def level_rows(frame: pd.DataFrame, n_levels: int) -> tuple[LevelRow, ...]:
    from auyl.engines.impact import level_shares

    if frame.empty:
        return ()
    by_year: dict[int, dict[int, float]] = {}
    n_by_year: dict[int, int] = {}
    for share in level_shares(frame, by=["year"]):
        year = int(share.keys[0])
        by_year.setdefault(year, {})[int(share.level)] = float(share.share)
        n_by_year[year] = int(share.n)
    rows = []
    for year in sorted(by_year):
        n = n_by_year[year]
        shares = tuple(by_year[year].get(level, 0.0) for level in range(n_levels))
        if n < MIN_PUPILS or not _finite(*shares):
            rows.append(LevelRow(year, n))
        else:
            rows.append(LevelRow(year, n, shares))
    return tuple(rows)


def school_rows(frame: pd.DataFrame) -> tuple[MeanRow, ...]:
    """Mean per school of one year's frame, sorted by name (keys are school ids)."""
    from auyl.engines.impact import group_means

    if frame.empty:
        return ()
    names = school_names(frame["school_id"].unique().tolist())
    rows = [
        mean_row(names.get(gm.keys[0], str(gm.keys[0])), None, gm.estimate, key=gm.keys[0])
        for gm in group_means(frame, by=["school_id"])
    ]
    return tuple(sorted(rows, key=lambda r: r.label))


def item_rows(scaling: Scaling | None) -> tuple[ItemRow, ...]:
    """Item statistics of a scaling, difficulties on the reporting scale."""
    if scaling is None:
        return ()
    a_link, b_link = scaling.link_a, scaling.link_b
    rows = []
    for est in ItemEstimate.objects.filter(scaling=scaling).select_related("item"):
        difficulty = None
        if est.b is not None and _finite(est.b):
            difficulty = scaling.scale_mean + scaling.scale_sd * (a_link * est.b + b_link)
        dif = ", ".join(f"{k}: {v}" for k, v in sorted((est.dif or {}).items()) if v != "A")
        rows.append(
            ItemRow(
                est.item.code,
                est.item.domain,
                difficulty,
                est.a if est.a is not None and _finite(est.a) else None,
                est.infit if est.infit is not None and _finite(est.infit) else None,
                est.outfit if est.outfit is not None and _finite(est.outfit) else None,
                est.p_value if est.p_value is not None and _finite(est.p_value) else None,
                dif,
                est.dropped,
                est.item.anchor,
            )
        )
    return tuple(rows)


def district_names() -> dict[str, str]:
    return {d.code: d.name for d in District.objects.all()}


def school_names(ids: Iterable[int]) -> dict[Any, str]:
    return {s.pk: s.name for s in School.objects.filter(pk__in=list(ids))}


def region_school_ids(scope: Scope) -> frozenset[int]:
    """Every school of the region(s) of ``scope`` (for the region's published aggregates)."""
    regions = School.objects.filter(pk__in=scope.school_ids).values("district__region_id")
    return frozenset(
        School.objects.filter(district__region_id__in=regions).values_list("pk", flat=True)
    )


def dashboard(user: AnyUser, series: Series, scope: Scope, year: int | None = None) -> Dashboard:
    """Everything the dashboard and the reports show for one test series and scope, cached
    for :data:`CACHE_SECONDS` under a key that changes with a new scaling, another scope,
    year or language, or a change of programme participation."""
    scalings = latest_scalings(series_assessments(user, series))
    parts = (
        sorted(scaling_key(s) for s in scalings.values()),
        scope.kind,
        scope.label,
        scope.key,
        year,
        translation.get_language(),
        _participation_key(),
    )
    key = "monitoring:dash:" + hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    cached = cache.get(key)
    if cached is None:
        cached = _dashboard(series, scope, scalings, year, key)
        cache.set(key, cached, timeout=CACHE_SECONDS)
    return cached


def _dashboard(
    series: Series, scope: Scope, scalings: dict[int, Scaling], year: int | None, key: str
) -> Dashboard:
    frame = score_frame(scalings.values(), scope.school_ids)
    years = _years(frame) or list(series.years)
    chosen = year if year in years else years[-1]
    this_year = frame[frame["year"] == chosen]
    districts = district_names()
    reference: tuple[MeanRow, ...] = ()
    if scope.kind != ScopeKind.REGION:
        region_frame = score_frame(scalings.values(), region_school_ids(scope))
        reference = trend_rows(region_frame)
    schools = school_rows(this_year)
    scaling = next((s for s in scalings.values() if s.assessment.year == chosen), None)
    n_levels = len(proficiency_cuts()) + 1
    groups = {column: group_rows(this_year, column, districts) for column in GAP_GROUPS}
    notes = [
        str(
            _(
                "Groups with fewer than %(n)s pupils are not shown, to protect pupils and "
                "because their averages are too uncertain."
            )
            % {"n": MIN_PUPILS}
        )
    ]
    return Dashboard(
        series=series,
        year=chosen,
        scope=scope,
        n_pupils=len(this_year),
        n_schools=int(this_year["school_id"].nunique()),
        trend=trend_rows(frame),
        reference=reference,
        rural_gap=rural_gap_rows(frame),
        groups=groups,
        levels=level_rows(frame, n_levels),
        schools=schools,
        items=item_rows(scaling),
        scaling=scaling,
        frame=frame,
        notes=tuple(notes),
        cache_key=key,
    )


# --- Impact -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Impact:
    """The programme's estimated effect on scores for a scope, or why there is none."""

    scope_label: str
    result: Any = None  # auyl.engines.impact.DidResult
    error: str = ""  # an ImpactError code when the design cannot be estimated
    region_wide: bool = False  # estimated on the whole region (published aggregate)

    @property
    def estimated(self) -> bool:
        return self.result is not None and _finite(
            self.result.estimate.value, self.result.estimate.ci_low, self.result.estimate.ci_high
        )


def _participation_key() -> str:
    rows = sorted(Participation.objects.values_list("school_id", "since_year"))
    return hashlib.sha1(repr(rows).encode(), usedforsecurity=False).hexdigest()[:12]


def impact(user: AnyUser, series: Series, scope: Scope) -> Impact:
    """Difference-in-differences for the scope; the region's estimate for users who see
    only their own school or cluster (one school cannot be compared with itself)."""
    from auyl.engines.impact import ImpactError, did

    scalings = latest_scalings(series_assessments(user, series))
    region_wide = scope.kind == ScopeKind.SCHOOL or sees_region_aggregates_only(user)
    ids = region_school_ids(scope) if region_wide else scope.school_ids
    label = str(_("Region")) if region_wide else scope.label
    key_parts = (
        sorted(scaling_key(s) for s in scalings.values()),
        Scope(scope.kind, "", frozenset(ids)).key,
        _participation_key(),
    )
    key = (
        "monitoring:did:"
        + hashlib.sha1(repr(key_parts).encode(), usedforsecurity=False).hexdigest()
    )
    cached = cache.get(key)
    if cached is not None:
        result, error = cached
    else:
        frame = score_frame(scalings.values(), ids)
        try:
            result, error = (
                (did(frame, bootstrap_reps=BOOTSTRAP_REPS) if not frame.empty else None),
                "",
            )
            if result is None:
                error = "no_data"
        except ImpactError as exc:
            result, error = None, str(getattr(exc, "code", "") or exc)
        cache.set(key, (result, error), timeout=CACHE_SECONDS)
    return Impact(label, result, error, region_wide)


def claim_sentences(codes: Sequence[str]) -> list[str]:
    """The engine's claim codes as plain, translated sentences (unknown codes skipped)."""
    sentences = {
        "not_randomised": _(
            "Schools were not assigned to the programme at random, so the estimate compares "
            "schools that joined with schools that did not. It is an effect of the programme "
            "only if both groups would otherwise have moved in parallel."
        ),
        "parallel_trends_untestable": _(
            "There are too few years before the programme started to check whether programme "
            "and comparison schools were moving in parallel beforehand."
        ),
        "pre_trends_not_rejected": _(
            "Before the programme started, programme and comparison schools moved in "
            "parallel as far as the data can tell. This supports, but does not prove, the "
            "comparison."
        ),
        "pre_trends_rejected": _(
            "Programme and comparison schools were already moving apart before the programme "
            "started, so the estimate may mix the programme with earlier differences. Treat "
            "it with caution."
        ),
        "few_treated_clusters_bootstrap": _(
            "Few schools joined the programme, so ordinary clustered standard errors would be "
            "too optimistic; the interval comes from a wild cluster bootstrap instead."
        ),
        "effect_positive": _(
            "Pupils at programme schools gained more than pupils at comparison schools, and "
            "the difference is larger than chance would explain."
        ),
        "effect_negative": _(
            "Pupils at programme schools gained less than pupils at comparison schools, and "
            "the difference is larger than chance would explain."
        ),
        "effect_not_distinguishable": _(
            "The difference between programme and comparison schools is within what chance "
            "alone could produce: the data cannot tell an effect from no effect."
        ),
        "very_few_treated_clusters": _(
            "Fewer than five schools are in the programme: even the bootstrap is fragile, "
            "so read the result as a hint, not a finding."
        ),
        "staggered_adoption_twfe": _(
            "Schools joined in different years. The standard estimate can be biased when the "
            "effect grows or fades over time, so compare it with the estimate that treats "
            "each joining year separately."
        ),
    }
    return [str(sentences[c]) for c in codes if c in sentences]


def warning_sentences(codes: Sequence[str]) -> list[str]:
    """The engine's warning and error codes as translated sentences (unknown codes get a
    general sentence, so a page never shows a bare code)."""
    sentences = {
        "no_comparison_schools": _(
            "There are no comparison schools in this selection, so no effect can be estimated."
        ),
        "no_treated_schools": _(
            "No school in this selection joined the programme during the years tested, so no "
            "effect can be estimated."
        ),
        "single_year": _("Results of a single year cannot show a change over time."),
        "no_data": _("There are no scaled results for this selection yet."),
        "no_scores": _("There are no scaled results for this selection yet."),
        "missing_scores_dropped": _("Pupils without a score were left out."),
        "always_treated_dropped": _(
            "Schools already in the programme in the first year tested were left out: they "
            "have no year before the programme to compare with."
        ),
        "one_year_schools_dropped": _(
            "Schools tested in a single year were left out: a change needs two years."
        ),
        "two_years_only": _(
            "With only two years there is no event study and no check of earlier trends."
        ),
    }
    general = _("The data of this selection do not allow this estimate.")
    return [str(sentences.get(c, general)) for c in codes if c]


def method_sentence(method: str) -> str:
    if method == "wild_cluster_bootstrap":
        return str(
            _(
                "Wild cluster bootstrap by school: used because too few schools are in the "
                "programme for clustered standard errors to be trusted."
            )
        )
    return str(
        _(
            "Two-way fixed effects (school and year) with standard errors clustered by "
            "school, because pupils of one school share teachers and conditions."
        )
    )
