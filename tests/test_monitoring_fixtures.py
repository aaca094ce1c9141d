"""Shared helpers of the monitoring tests (imported by the other test files).

``make_assessment`` makes a grade 4 Mathematics test of the small region
(``tests/conftest.py``) with five items: three multiple-choice/number items with keys
(M01 = B, M02 = C, M03 = 3,5), one open item with partial credit (M04, 0-2, no key)
and one anchor item (M05 = 12).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from auyl.monitoring import services
from auyl.monitoring.models import Assessment, Sitting
from auyl.registry.models import Subject

ITEMS = (
    services.ItemData(1, "M01", "B", "numbers"),
    services.ItemData(2, "M02", "C", "geometry"),
    services.ItemData(3, "M03", "3,5", "numbers"),
    services.ItemData(4, "M04", "", "problems", max_score=2),
    services.ItemData(5, "M05", "12", "numbers", anchor=True),
)


def make_assessment(people: Any, region: Any, *, year: int = 2024, grade: int = 4) -> Assessment:
    assessment = services.assessment_save(
        data={
            "region": region.alga.region,
            "name": f"Mathematics {grade} ({year})",
            "grade": grade,
            "subject": Subject.objects.get(code="math"),
            "language": "kk",
            "year": year,
        },
        by=people.dana,
    )
    services.items_replace(assessment=assessment, rows=ITEMS, by=people.dana)
    return assessment


def write_csv(folder: Path, rows: list[list[str]], name: str = "answers.csv") -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def add_sittings(
    assessment: Assessment, scores: np.ndarray, schools: list[Any], prefix: str = "P"
) -> list[Sitting]:
    """Sittings with these scores (NaN = not presented), pupils spread over ``schools``."""
    sittings = [
        Sitting(
            assessment=assessment,
            pupil_code=f"{prefix}{i:06d}",
            school=schools[i % len(schools)],
            raw=[None] * scores.shape[1],
            scores=[None if np.isnan(v) else int(v) for v in row],
            omitted=[],
        )
        for i, row in enumerate(scores)
    ]
    return Sitting.objects.bulk_create(sittings, batch_size=2000)
