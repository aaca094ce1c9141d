"""Monitoring as Dana uses it, in Chromium: define a test and its items, import the pupils'
answers (check, preview, confirm), scale them, and read the result."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import expect

from auyl.engines import irt
from auyl.monitoring.models import Scaling, Sitting
from auyl.registry.models import Subject
from auyl.registry.subjects import SUBJECTS

KEYS = ("B", "C", "A", "D", "12", "B")
LETTERS = ("A", "B", "C", "D")


@pytest.fixture(autouse=True)
def subjects(db: None) -> None:
    """The live server's database is flushed between tests, data migrations included."""
    for code, kk, ru, en in SUBJECTS:
        Subject.objects.get_or_create(
            code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en}
        )


def _answers_file(folder: Path, schools: list[str]) -> Path:
    """300 pupils' raw answers drawn from the 2PL (a few left blank)."""
    matrix, _ = irt.simulate(300, len(KEYS), seed=8)
    rng = np.random.default_rng(9)
    path = folder / "answers-2024.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["pupil_id", "school_code", "class_set", *[f"Q{i}" for i in range(1, 7)]])
        for p, row in enumerate(matrix.scores):
            cells = []
            for key, score in zip(KEYS, row, strict=True):
                if score == 1:
                    cells.append(key)
                elif rng.random() < 0.1:
                    cells.append("")
                else:
                    cells.append("13" if key == "12" else LETTERS[(LETTERS.index(key) + 1) % 4])
            out.writerow([f"P{p:04d}", schools[p % len(schools)], "", *cells])
    return path


def test_dana_defines_imports_and_scales_a_test(
    people: Any, region: Any, page: Any, login: Any, shot: Any, page_errors: list[str],
    tmp_path: Path,
) -> None:  # fmt: skip
    login(page, "dana")
    page.goto("/monitoring/")
    expect(page.locator("h1")).to_have_text("Monitoring of learning outcomes")
    page.click("text=New test")
    page.fill("#id_name", "Математика, 4-сынып, 2024")
    page.fill("#id_grade", "4")
    page.select_option("#id_subject", str(Subject.objects.get(code="math").pk))
    page.select_option("#id_language", "kk")
    page.fill("#id_year", "2024")
    shot(page, "monitoring-test-new")
    page.click("button:has-text('Save')")

    expect(page.locator("h1")).to_contain_text("Items of")
    for i, key in enumerate(KEYS):
        page.fill(f"#id_items-{i}-code", f"Q{i + 1}")
        page.fill(f"#id_items-{i}-key", key)
        page.fill(f"#id_items-{i}-domain", "numbers" if i % 2 else "geometry")
        if i < 3:
            page.check(f"#id_items-{i}-anchor")
    shot(page, "monitoring-items")
    page.click("button:has-text('Save the items')")
    expect(page.locator(".messages")).to_contain_text("The items are saved.")

    page.click("text=Import answers")
    page.set_input_files("#id_file", str(_answers_file(tmp_path, ["ALG001", "ALG002", "KHR007"])))
    shot(page, "monitoring-import-start")
    page.click("button:has-text('Check the file')")
    expect(page.locator(".figures")).to_contain_text("new pupils")
    expect(page.locator("table.scored tbody tr")).to_have_count(10)
    shot(page, "monitoring-import-preview")
    assert not Sitting.objects.exists()
    page.click("button:has-text('Confirm the import')")
    expect(page.locator("p.ok")).to_have_text("The answers are imported.")
    shot(page, "monitoring-import-result")
    assert Sitting.objects.count() == 300

    page.click("text=Back to the test")
    expect(page.locator(".figures")).to_contain_text("300")
    shot(page, "monitoring-test-detail")
    page.click("a.button:has-text('Scale')")
    page.select_option("#id_model", "2pl")
    shot(page, "monitoring-scale-form")
    page.click("button:has-text('Start the scaling')")
    expect(page.locator("h1")).to_contain_text("Scaling #")
    expect(page.locator("table.items-result tbody tr")).to_have_count(6)
    expect(page.locator("dl.facts")).to_contain_text("Base year")
    shot(page, "monitoring-scaling-result")
    assert Scaling.objects.get().status == Scaling.Status.DONE
    assert page_errors == []
