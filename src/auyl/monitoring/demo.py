"""Demo monitoring results for the Aktobe demo region, with a planted truth to recover.

Added by the demo loader after the registry, inside its transaction
(``auyl.demo.loader.DEMO_EXTENSION_MODULES``). Deterministic for a seed. What it plants:

- **Tests** (:data:`DEMO_TESTS`): grade 4 Mathematics, grade 4 Kazakh language and grade 8
  Mathematics, in each of :data:`DEMO_YEARS`, 20 right/wrong items each (multiple choice with
  a letter key, the last six with a number key). :data:`ANCHORS` items keep their code every
  year (the anchors); the others are new each year.
- **Pupils**: the school's enrolment in the grade, at most :data:`MAX_PUPILS_PER_SCHOOL`
  per school (to keep the build short), linked to the class-set teaching the grade.
- **Programme**: hub and magnet schools take part from :data:`PROGRAMME_START` (the pilot);
  a :class:`~auyl.monitoring.models.Participation` row says so.
- **True ability** (theta, base-year pupils' SD about 1):
  ``theta = trend * (year - first year) + school effect + urban * RURAL_URBAN_GAP
  + pilot * after start * PROGRAMME_EFFECT + pupil noise``, with school effects of SD
  :data:`SCHOOL_SD` (centred within rural/urban and pilot/other schools). So urban pupils
  are :data:`RURAL_URBAN_GAP` SD abler than rural ones, and pilot schools gain
  :data:`PROGRAMME_EFFECT` SD from the first programme year.
- **Answers** drawn from the 2PL with the true items; a few wrong answers are left blank
  (omitted). Raw answers are stored (letters or numbers), scored against the key.
- **Scalings**: the first year by 2PL (it fixes the reporting scale: mean 500, SD 100),
  each later year by 2PL linked to it by Stocking-Lord through the anchors.

On the reporting scale one SD of the base year is about 100 points, so the planted gap is
about 30 points and the effect about 20 (:func:`planted_points`); EAP scores shrink group
differences by about the test's reliability.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils import timezone

from auyl.monitoring.bulk import insert_rows
from auyl.monitoring.models import Assessment, Item, Participation, Scaling, Sitting
from auyl.monitoring.scaling import scaling_compute
from auyl.registry.models import ClassSet, Enrolment, Region, School, Subject

Progress = Callable[[str], Any]

DEMO_YEARS = (2021, 2022, 2023, 2024, 2025)  # two years before the pilot: a pre-trend test
PROGRAMME_START = 2023
RURAL_URBAN_GAP = 0.3  # SD of theta: urban pupils above rural ones
PROGRAMME_EFFECT = 0.2  # SD of theta: pilot schools from PROGRAMME_START on
TREND = 0.03  # SD of theta a year, every school
SCHOOL_SD = 0.3
N_ITEMS = 20
ANCHORS = 8
NUMBER_KEYS = 6
MAX_PUPILS_PER_SCHOOL = 12
OMIT_SHARE = 0.05  # of wrong answers, left blank
LETTERS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class DemoTest:
    grade: int
    subject: str  # registry subject code
    prefix: str  # item codes: "<prefix>-A01" (anchors), "<prefix>-<yy>-09"...
    difficulty: float  # mean item difficulty, theta units


DEMO_TESTS = (
    DemoTest(4, "math", "M4", -0.3),
    DemoTest(4, "kazakh", "K4", -0.5),
    DemoTest(8, "math", "M8", 0.0),
)


def planted_points(effect_sd: float) -> float:
    """A planted effect in theta SD units, in points of the reporting scale (about 100/SD)."""
    return 100.0 * effect_sd


def load_demo(*, seed: int, progress: Progress = print) -> None:
    """Add the demo tests, answers, participation and scalings (see the module docstring)."""
    started = time.perf_counter()
    region = Region.objects.filter(is_demo=True).order_by("pk").first()
    if region is None:
        progress("  monitoring: no demo region, no demo results")
        return
    rng = np.random.default_rng(seed * 104_729 + 6)
    schools = list(
        School.objects.filter(district__region=region)
        .order_by("code")
        .values_list("pk", "locality", "network_role")
    )
    pilot = {pk for pk, _loc, role in schools if role != School.NetworkRole.NONE}
    Participation.objects.bulk_create(
        [Participation(school_id=pk, since_year=PROGRAMME_START) for pk in sorted(pilot)]
    )
    urban = {pk for pk, loc, _r in schools if loc == School.Locality.URBAN}
    school_effect = _school_effects(rng, [pk for pk, _l, _r in schools], urban, pilot)
    n_sittings = n_scalings = 0
    for test in DEMO_TESTS:
        pupils = _pupils(region, test.grade)
        anchors = _true_items(rng, range(1, ANCHORS + 1), test.difficulty)
        base: Scaling | None = None
        for year in DEMO_YEARS:
            assessment, items = _assessment(region, test, year, rng, anchors)
            theta = _abilities(rng, pupils, year, school_effect, urban, pilot)
            n_sittings += _sittings(rng, assessment, items, pupils, theta, year)
            scaling = Scaling.objects.create(
                assessment=assessment,
                model=Scaling.Model.TWO_PL,
                base=base,
                link_method=Scaling.Link.STOCKING_LORD if base else Scaling.Link.NONE,
            )
            scaling_compute(scaling=scaling)
            n_scalings += 1
            base = base or scaling
    progress(
        f"  monitoring: {len(DEMO_TESTS) * len(DEMO_YEARS)} tests, {n_sittings:,} pupils' "
        f"answers, {n_scalings} scalings, {len(pilot)} pilot schools "
        f"({time.perf_counter() - started:.1f} s)"
    )


def _school_effects(
    rng: np.random.Generator, schools: list[int], urban: set[int], pilot: set[int]
) -> dict[int, float]:
    """Random school effects (SD ``SCHOOL_SD``), centred within each group of schools
    (rural/urban x pilot/not), so that the groups differ by what is planted and no more."""
    effects = {pk: float(rng.normal(0, SCHOOL_SD)) for pk in schools}
    groups: dict[tuple[bool, bool], list[int]] = {}
    for pk in schools:
        groups.setdefault((pk in urban, pk in pilot), []).append(pk)
    for members in groups.values():
        centre = float(np.mean([effects[pk] for pk in members]))
        for pk in members:
            effects[pk] -= centre
    return effects


@dataclass(frozen=True)
class _Pupils:
    school: np.ndarray  # school id per pupil
    class_set: list[int | None]
    codes: list[str]  # school code per pupil


def _pupils(region: Region, grade: int) -> _Pupils:
    """The pupils who sit a grade's test: enrolment, capped per school."""
    class_sets = {
        school: pk
        for pk, school, grades in ClassSet.objects.filter(
            school__district__region=region
        ).values_list("pk", "school_id", "grades")
        if grade in grades
    }
    school_ids: list[int] = []
    codes: list[str] = []
    for school, code, count in (
        Enrolment.objects.filter(school__district__region=region, grade=grade, pupils__gt=0)
        .order_by("school__code")
        .values_list("school_id", "school__code", "pupils")
    ):
        n = min(count, MAX_PUPILS_PER_SCHOOL)
        school_ids += [school] * n
        codes += [code] * n
    return _Pupils(np.array(school_ids, dtype=int), [class_sets.get(s) for s in school_ids], codes)


def _true_items(
    rng: np.random.Generator, positions: range, difficulty: float
) -> list[tuple[float, float, str]]:
    """True (a, b) and a key for the items at ``positions`` (the last ones have number keys)."""
    items = []
    for position in positions:
        a, b = float(rng.uniform(0.7, 1.8)), float(rng.normal(difficulty, 0.9))
        if position > N_ITEMS - NUMBER_KEYS:
            key = str(int(rng.integers(2, 99)))
        else:
            key = LETTERS[int(rng.integers(0, len(LETTERS)))]
        items.append((a, b, key))
    return items


def _assessment(
    region: Region,
    test: DemoTest,
    year: int,
    rng: np.random.Generator,
    anchors: list[tuple[float, float, str]],
) -> tuple[Assessment, list[tuple[Item, float, float]]]:
    """The year's test and its items with their true (a, b)."""
    subject = Subject.objects.get(code=test.subject)
    assessment = Assessment.objects.create(
        region=region,
        name=f"{subject.name_kk}, {test.grade}-сынып, {year}",
        grade=test.grade,
        subject=subject,
        language=Assessment.Language.KAZAKH,
        year=year,
    )
    fresh = _true_items(rng, range(ANCHORS + 1, N_ITEMS + 1), test.difficulty)
    items: list[tuple[Item, float, float]] = []
    for position in range(1, N_ITEMS + 1):
        is_anchor = position <= ANCHORS
        a, b, key = anchors[position - 1] if is_anchor else fresh[position - 1 - ANCHORS]
        code = (
            f"{test.prefix}-A{position:02d}"
            if is_anchor
            else f"{test.prefix}-{year % 100:02d}-{position:02d}"
        )
        items.append(
            (
                Item(
                    assessment=assessment,
                    position=position,
                    code=code,
                    key=key,
                    domain=("numbers", "geometry", "problems", "reading")[position % 4],
                    anchor=is_anchor,
                ),
                a,
                b,
            )
        )
    Item.objects.bulk_create([it for it, _a, _b in items])
    return assessment, items


def _abilities(
    rng: np.random.Generator,
    pupils: _Pupils,
    year: int,
    school_effect: dict[int, float],
    urban: set[int],
    pilot: set[int],
) -> np.ndarray:
    """True abilities with the planted trend, school effects, gap and programme effect."""
    n = len(pupils.school)
    noise_sd = math.sqrt(max(0.1, 1.0 - SCHOOL_SD**2 - 0.25 * RURAL_URBAN_GAP**2))
    school = np.array([school_effect[s] for s in pupils.school])
    is_urban = np.isin(pupils.school, list(urban))
    treated = np.isin(pupils.school, list(pilot)) & (year >= PROGRAMME_START)
    return (
        TREND * (year - DEMO_YEARS[0])
        + school
        + RURAL_URBAN_GAP * is_urban
        + PROGRAMME_EFFECT * treated
        + rng.normal(0.0, noise_sd, n)
    )


def _sittings(
    rng: np.random.Generator,
    assessment: Assessment,
    items: list[tuple[Item, float, float]],
    pupils: _Pupils,
    theta: np.ndarray,
    year: int,
) -> int:
    """Draw 2PL answers, write them as raw answers and scores; returns the pupils written."""
    a = np.array([x[1] for x in items])
    b = np.array([x[2] for x in items])
    right = rng.random((len(theta), len(items))) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))
    blank = ~right & (rng.random(right.shape) < OMIT_SHARE)
    wrong_pick = rng.integers(1, 4, right.shape)
    keys = [it.key for it, _a, _b in items]
    now = timezone.now()
    rows = []
    for p in range(len(theta)):
        raw: list[str | None] = []
        for j, key in enumerate(keys):
            if blank[p, j]:
                raw.append(None)
            elif right[p, j]:
                raw.append(key)
            else:
                raw.append(_wrong(key, int(wrong_pick[p, j])))
        rows.append(
            (
                assessment.pk,
                f"{pupils.codes[p]}-{year}-{assessment.pk}-{p:05d}",
                int(pupils.school[p]),
                pupils.class_set[p],
                None,
                raw,
                [int(x) for x in right[p]],
                [int(j) for j in np.flatnonzero(blank[p])],
                now,
            )
        )
    return insert_rows(Sitting, SITTING_COLUMNS, rows)


SITTING_COLUMNS = (
    "assessment_id", "pupil_code", "school_id", "class_set_id", "booklet_id", "raw", "scores",
    "omitted", "imported_at",
)  # fmt: skip


def _wrong(key: str, shift: int) -> str:
    """A wrong answer: another letter, or the number off by a little."""
    if key in LETTERS:
        return LETTERS[(LETTERS.index(key) + shift) % len(LETTERS)]
    return str(int(key) + (shift if shift != 2 else -1))
