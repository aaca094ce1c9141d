"""Demo readiness data: default norms and catalogue for the demo region and a submitted
audit for every school, derived from the registry, deterministic in the seed."""

from __future__ import annotations

import time

import pytest

from auyl.demo.generator import generate_region
from auyl.demo.loader import load_region
from auyl.readiness import demo, selectors
from auyl.readiness.models import Audit, CatalogueItem, NormSet
from auyl.registry.models import Infrastructure, School


@pytest.fixture(scope="module")
def spec():
    return generate_region(seed=7)


@pytest.fixture
def built(db, spec):
    load_region(spec, progress=lambda _: None)
    started = time.perf_counter()
    demo.load_demo(seed=7, progress=lambda _: None)
    return time.perf_counter() - started


def test_every_school_gets_a_submitted_audit_v1(built):
    assert Audit.objects.count() == School.objects.count() == 424
    assert set(Audit.objects.values_list("status", "version", "is_latest", "source")) == {
        ("submitted", 1, True, "demo")
    }
    assert built < 10  # seconds; the national scale is measured in the report


def test_default_norms_and_catalogue_with_their_history(built):
    norms = NormSet.objects.get()
    assert norms.history.count() == 1
    assert CatalogueItem.objects.count() == 5
    assert CatalogueItem.history.count() == 5


def test_audits_agree_with_the_registry(built):
    infrastructure = {i.school_id: i for i in Infrastructure.objects.all()}
    for audit in Audit.objects.all()[:100]:
        registry = infrastructure[audit.school_id]
        assert audit.internet_type == registry.internet_type
        assert audit.internet_mbps == registry.internet_mbps
        assert audit.rooms_with_panel <= audit.rooms
        assert not audit.submission_problems()
        assert (audit.reliability_pct == 0) == (audit.internet_type == "none")


def test_the_index_recorded_at_submission_is_the_index_now(built):
    rows = selectors.load_rows(School.objects.all())
    recorded = dict(Audit.objects.values_list("school_id", "index_at_submit"))
    assert all(recorded[r.pk] == r.index for r in rows)
    assert 30 < sum(r.index for r in rows) / len(rows) < 90


def test_teacher_skills_vary_with_the_seed(spec):
    school = {
        "code": "AKT-0001",
        "infrastructure__internet_type": "fibre",
        "infrastructure__internet_mbps": 50,
        "infrastructure__rooms": 20,
        "infrastructure__electricity": "stable",
        "infrastructure__computer_lab": True,
        "infrastructure__science_lab": True,
        "infrastructure__stem_lab": False,
        "network_role": "none",
        "locality": "urban",
        "n_teachers": 40,
    }
    first = demo.demo_audit(1, school, [])
    assert demo.demo_audit(1, school, []) == first
    levels = [f"teachers_level_{i}" for i in range(4)]
    others = [demo.demo_audit(seed, school, []) for seed in (2, 3, 4)]
    assert any([o[f] for f in levels] != [first[f] for f in levels] for o in others)
    assert sum(first[f] for f in levels) == 40


def test_loading_again_adds_nothing(built):
    demo.load_demo(seed=7, progress=lambda _: None)
    assert Audit.objects.count() == 424
    assert NormSet.objects.count() == 1 and CatalogueItem.objects.count() == 5
