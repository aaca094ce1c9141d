"""Monitoring test data: scaled results with a planted programme effect and rural-urban gap.

:func:`planted_results` writes, for the ``region`` fixture plus extra schools, one grade 4
Mathematics assessment per year with items, a computed scaling, item estimates, sittings
and person scores drawn as

    score = 500 + trend * (year - first year) - gap * rural + school effect
            + effect * (school in the programme and year >= since_year) + pupil noise

so a test can check that the whole app path (frame -> engine -> page) recovers ``effect``
and ``gap``. Scores are generated directly (no IRT fit), as the scaling job would store them.

``urlpatterns`` is a small URL configuration for these tests (``@pytest.mark.urls``): the
pages the base template links to plus the monitoring app, so the report tests do not depend
on the URLs of unrelated apps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib import admin
from django.urls import include, path

CUTS = (400.0, 500.0, 600.0)


@dataclass
class Planted:
    assessments: list[Any]
    scalings: list[Any]
    treated: list[Any]
    comparison: list[Any]
    effect: float
    gap: float
    years: tuple[int, ...]
    subject: Any
    tiny_school: Any = None
    schools: list[Any] = field(default_factory=list)


def _subject() -> Any:
    from auyl.registry.models import Subject

    subject, _created = Subject.objects.get_or_create(
        code="math",
        defaults={"name_kk": "Математика", "name_ru": "Математика", "name_en": "Mathematics"},
    )
    return subject


def planted_results(
    region: Any,
    *,
    n_schools: int = 36,
    pupils: int = 14,
    years: tuple[int, ...] = (2023, 2024, 2025),
    since_year: int = 2024,
    effect: float = 30.0,
    gap: float = 40.0,
    trend: float = 5.0,
    seed: int = 0,
    tiny_school: bool = True,
) -> Planted:
    """Scaled results for the fixture region's schools plus ``n_schools`` generated ones.

    Half of the schools (alternating, so both rural and urban) are in the programme from
    ``since_year``, including the fixture's hub and magnet (Kumsai). One extra school has
    only 3 pupils a year (``tiny_school``), to check suppression.
    """
    from auyl.monitoring.models import (
        Assessment,
        Item,
        ItemEstimate,
        Participation,
        PersonScore,
        Scaling,
        Sitting,
    )
    from auyl.registry.models import Region as RegionModel
    from auyl.registry.models import School
    from tests.factories import SchoolFactory

    rng = np.random.default_rng(seed)
    the_region = RegionModel.objects.get(code="aktobe")
    subject = _subject()
    districts = [region.alga, region.khromtau]
    extra = [
        SchoolFactory(
            code=f"PLT{i:03d}",
            district=districts[i % 2],
            locality=School.Locality.URBAN if i % 4 in (2, 3) else School.Locality.RURAL,
            name_kk=f"Сынақ мектебі {i}",
            name_ru=f"Опытная школа {i}",
        )
        for i in range(n_schools)
    ]
    schools = [region.hub, region.magnet, region.alga_school, region.khromtau_school, *extra]
    treated = [s for i, s in enumerate(schools) if i % 2 == 0 or s == region.magnet]
    treated = [s for s in treated if s != region.alga_school]
    comparison = [s for s in schools if s not in treated]
    for school in treated:
        Participation.objects.create(school=school, since_year=since_year)
    tiny = None
    if tiny_school:
        tiny = SchoolFactory(code="TINY01", district=region.alga, name_ru="Малая школа")
    school_effect = {s.pk: rng.normal(0, 15) for s in [*schools, *([tiny] if tiny else [])]}
    assessments, scalings = [], []
    for year in years:
        assessment = Assessment.objects.create(
            region=the_region,
            name=f"Math 4 {year}",
            grade=4,
            subject=subject,
            language="kk",
            year=year,
        )
        items = Item.objects.bulk_create(
            Item(
                assessment=assessment,
                position=p,
                code=f"M{p:02d}",
                key="A",
                domain="numbers" if p % 2 else "geometry",
                anchor=p < 5,
            )
            for p in range(20)
        )
        scaling = Scaling.objects.create(
            assessment=assessment,
            model=Scaling.Model.TWO_PL,
            status=Scaling.Status.DONE,
            link_method=Scaling.Link.NONE if year == years[0] else Scaling.Link.STOCKING_LORD,
        )
        ItemEstimate.objects.bulk_create(
            ItemEstimate(
                scaling=scaling,
                item=item,
                a=1.0 + 0.02 * item.position,
                b=-1.5 + 0.15 * item.position,
                infit=1.0,
                outfit=1.02,
                p_value=0.8 - 0.03 * item.position,
                dif={"rural_urban": "B" if item.position == 7 else "A"},
            )
            for item in items
        )
        sittings, values = [], []
        for school in [*schools, *([tiny] if tiny else [])]:
            n = 3 if school is tiny else pupils
            rural = school.locality == School.Locality.RURAL
            in_programme = school in treated and year >= since_year
            for k in range(n):
                sittings.append(
                    Sitting(
                        assessment=assessment,
                        pupil_code=f"{school.code}-{year}-{k}",
                        school=school,
                        scores=[1] * 20,
                    )
                )
                values.append(
                    500.0
                    + trend * (year - years[0])
                    - gap * rural
                    + school_effect[school.pk]
                    + effect * in_programme
                    + rng.normal(0, 70)
                )
        sittings = Sitting.objects.bulk_create(sittings)
        PersonScore.objects.bulk_create(
            PersonScore(
                scaling=scaling,
                sitting=s,
                theta=(v - 500) / 100,
                se=0.3,
                score=v,
                level=int(np.searchsorted(CUTS, v, side="right")),
            )
            for s, v in zip(sittings, values, strict=True)
        )
        scaling.n_persons = len(sittings)
        scaling.save(update_fields=["n_persons"])
        assessments.append(assessment)
        scalings.append(scaling)
    return Planted(
        assessments, scalings, treated, comparison, effect, gap, years, subject, tiny, schools
    )


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("auyl.accounts.urls")),
    path("monitoring/", include("auyl.monitoring.urls")),
    path("", include("auyl.registry.urls")),
]
