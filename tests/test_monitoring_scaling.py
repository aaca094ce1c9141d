"""Scaling: simulated answers in, sensible estimates, scores and a recovered link out.

Answers are drawn from the 2PL with known items (``engines.irt.simulate``) and stored as
sittings; the scaling service must recover the items' difficulties, put the base year on
mean 500 / SD 100, and, for a later year whose pupils are planted 0.5 SD abler, find that
shift through the anchor items.
"""

from __future__ import annotations

import numpy as np
import pytest

from auyl.engines import irt
from auyl.monitoring import services
from auyl.monitoring.models import Assessment, ItemEstimate, PersonScore, Scaling
from auyl.monitoring.scaling import anchor_codes, scaling_compute
from auyl.registry.models import School, Subject
from tests.factories import SchoolFactory
from tests.test_monitoring_fixtures import add_sittings

N_ITEMS = 12
SHIFT = 0.5


def _test_with_items(region, people, year: int, codes: list[str]) -> Assessment:
    assessment = services.assessment_save(
        data={"region": region.alga.region, "name": f"M4 {year}", "grade": 4,
              "subject": Subject.objects.get(code="math"), "language": "kk", "year": year},
        by=people.dana,
    )  # fmt: skip
    rows = [
        services.ItemData(i, code, "", anchor=code.startswith("A"))
        for i, code in enumerate(codes, start=1)
    ]
    services.items_replace(assessment=assessment, rows=rows, by=people.dana)
    return assessment


@pytest.fixture
def schools(region):
    urban = SchoolFactory(district=region.alga, locality=School.Locality.URBAN,
                          language=School.Language.RUSSIAN)  # fmt: skip
    return [region.hub, region.alga_school, urban]


def _items(codes: list[str], seed: int) -> tuple[irt.ItemParams, ...]:
    rng = np.random.default_rng(seed)
    return tuple(
        irt.ItemParams(item=c, a=float(rng.uniform(0.8, 1.8)), b=float(rng.normal(0, 1)))
        for c in codes
    )


def _scale(assessment, people, model="2pl", base=None, method="none") -> Scaling:
    scaling = services.scaling_create(
        assessment=assessment, model=model, base=base, link_method=method, by=people.dana
    )
    scaling_compute(scaling=scaling)
    scaling.refresh_from_db()
    return scaling


BASE_CODES = [f"A{i:02d}" for i in range(1, 7)] + [f"X{i:02d}" for i in range(1, 7)]
NEW_CODES = [f"A{i:02d}" for i in range(1, 7)] + [f"Y{i:02d}" for i in range(1, 7)]


@pytest.fixture
def base_year(region, people, schools):
    assessment = _test_with_items(region, people, 2023, BASE_CODES)
    truth = _items(BASE_CODES, seed=1)
    matrix, _ = irt.simulate(1500, N_ITEMS, items=truth, seed=11)
    add_sittings(assessment, matrix.scores, schools, prefix="B")
    return assessment, truth


def test_a_base_year_scaling_recovers_difficulties_and_sets_the_scale(base_year, people):
    assessment, truth = base_year
    scaling = _scale(assessment, people)
    assert scaling.status == Scaling.Status.DONE and scaling.n_persons == 1500
    estimated = dict(ItemEstimate.objects.filter(scaling=scaling).values_list("item__code", "b"))
    true_b = np.array([p.b for p in truth])
    est_b = np.array([estimated[p.item] for p in truth])
    assert np.corrcoef(true_b, est_b)[0, 1] > 0.97
    assert np.sqrt(np.mean((true_b - est_b) ** 2)) < 0.25
    scores = np.array(PersonScore.objects.filter(scaling=scaling).values_list("score", flat=True))
    assert abs(scores.mean() - 500) < 10 and 70 < scores.std() < 100  # EAP shrinks the spread
    assert 0.6 < scaling.reliability < 1
    assert (scaling.link_a, scaling.link_b) == (1.0, 0.0)


def test_item_fit_share_correct_and_dif_are_stored_for_every_item(base_year, people):
    scaling = _scale(base_year[0], people)
    for e in ItemEstimate.objects.filter(scaling=scaling):
        assert 0.5 < e.infit < 1.5 and 0.4 < e.outfit < 1.8
        assert 0 < e.p_value < 1
        assert set(e.dif) == {"rural_urban", "language"}
        assert e.dif["rural_urban"] in ("A", "B", "C")


def test_a_later_year_is_linked_through_its_anchor_items(base_year, region, people, schools):
    base_assessment, base_truth = base_year
    base = _scale(base_assessment, people)
    new = _test_with_items(region, people, 2024, NEW_CODES)
    anchors = {p.item: p for p in base_truth if p.item.startswith("A")}
    truth = tuple(anchors.get(c) or p for c, p in zip(NEW_CODES, _items(NEW_CODES, 2), strict=True))
    theta = np.random.default_rng(5).normal(SHIFT, 1.0, 1500)
    matrix, _ = irt.simulate(1500, N_ITEMS, items=truth, theta=theta, seed=12)
    add_sittings(new, matrix.scores, schools, prefix="N")
    for method in ("stocking_lord", "haebara", "mean_sigma"):
        linked = _scale(new, people, base=base, method=method)
        assert linked.status == Scaling.Status.DONE
        base_mean = PersonScore.objects.filter(scaling=base).values_list("theta", flat=True)
        new_theta = PersonScore.objects.filter(scaling=linked).values_list("theta", flat=True)
        shift = np.mean(list(new_theta)) - np.mean(list(base_mean))
        tolerance = 0.2 if method == "mean_sigma" else 0.12
        assert abs(shift - SHIFT) < tolerance, (method, shift)
        assert (linked.scale_mean, linked.scale_sd) == (base.scale_mean, base.scale_sd)
        anchor_b = dict(
            ItemEstimate.objects.filter(scaling=linked, item__code__startswith="A").values_list(
                "item__code", "b"
            )
        )
        for code, b in anchor_b.items():
            assert abs(b - anchors[code].b) < 0.4, code


def test_anchors_are_the_common_codes_or_only_the_flagged_ones(math4_items=None):
    from auyl.monitoring.models import Item

    items = [Item(code="A1", anchor=True), Item(code="B1"), Item(code="C1")]
    assert anchor_codes(items, {"A1", "B1"}) == {"A1"}
    items[0].anchor = False
    assert anchor_codes(items, {"A1", "B1"}) == {"A1", "B1"}


def test_an_item_everybody_got_right_is_left_out_with_a_warning(region, people, schools):
    assessment = _test_with_items(region, people, 2024, BASE_CODES)
    matrix, _ = irt.simulate(400, N_ITEMS, items=_items(BASE_CODES, 3), seed=4)
    scores = matrix.scores.copy()
    scores[:, 0] = 1
    add_sittings(assessment, scores, schools)
    scaling = _scale(assessment, people)
    dropped = ItemEstimate.objects.get(scaling=scaling, item__code="A01")
    assert (dropped.a, dropped.b, dropped.dropped) == (None, None, "item_all_correct")
    assert [w["code"] for w in scaling.warnings] == ["item_all_correct"]
    assert scaling.n_persons == 400


def test_answers_that_cannot_be_scaled_end_the_scaling_with_the_reason(region, people, schools):
    assessment = _test_with_items(region, people, 2024, BASE_CODES[:2])
    add_sittings(assessment, np.ones((10, 2)), schools)
    scaling = _scale(assessment, people)
    assert scaling.status == Scaling.Status.FAILED
    assert scaling.warnings[0]["code"] == "refused"
    assert not PersonScore.objects.filter(scaling=scaling).exists()


def test_a_base_must_share_items_and_be_the_same_grade_and_subject(base_year, region, people):
    from django.core.exceptions import ValidationError

    base = _scale(base_year[0], people)
    other = _test_with_items(region, people, 2024, ["Z1", "Z2"])
    with pytest.raises(ValidationError, match="no item code"):
        services.scaling_create(assessment=other, model="2pl", base=base,
                                link_method="stocking_lord", by=people.dana)  # fmt: skip


def test_a_scaling_job_that_breaks_ends_failed_and_says_so(base_year, people):
    from auyl.jobs.services import job_start
    from auyl.monitoring.tasks import SCALING_KIND, scaling_task

    scaling = services.scaling_create(
        assessment=base_year[0], model="2pl", base=None, link_method="none", by=people.dana
    )
    Scaling.objects.filter(pk=scaling.pk).update(model="3pl")  # the engine refuses it
    job = job_start(kind=SCALING_KIND, by=people.dana, params={"scaling": scaling.pk},
                    task=scaling_task)  # fmt: skip
    Scaling.objects.filter(pk=scaling.pk).update(job=job)
    scaling.refresh_from_db()
    assert scaling.status == Scaling.Status.FAILED and services.scaling_failed(scaling)
    assert "3pl" in scaling.job.error


def test_a_link_without_any_anchor_left_is_refused_with_the_reason(
    base_year, region, people, schools
):
    base = _scale(base_year[0], people)
    new = _test_with_items(region, people, 2024, ["A01", "Y01", "Y02", "Y03"])
    matrix, _ = irt.simulate(300, 4, items=_items(["A01", "Y01", "Y02", "Y03"], 5), seed=6)
    scores = matrix.scores.copy()
    scores[:, 0] = 0  # the only anchor: nobody right, so it is left out
    add_sittings(new, scores, schools, prefix="L")
    linked = _scale(new, people, base=base, method="stocking_lord")
    assert linked.status == Scaling.Status.FAILED
    assert linked.warnings[0]["code"] == "refused"
