"""The region's norms and catalogue: only Dana (region administrator) changes them; norms
that contradict each other and absurd prices are refused whole, with a clear message; every
change is in the audit history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from auyl.readiness import selectors, services
from auyl.readiness.models import CatalogueItem, NormSet
from auyl.registry.models import Region
from tests.factories import EnrolmentFactory, InfrastructureFactory


@pytest.fixture
def aktobe(region):
    return Region.objects.get(code="aktobe")


def test_defaults_apply_until_the_region_sets_norms(aktobe):
    norms = selectors.norms_for(aktobe)
    assert norms.pk is None
    assert norms.devices_per_pupil == Decimal("0.20") and norms.lab_min_grade == 7
    assert norms.engine_norms().weights.total == 100


def test_dana_changes_a_norm_and_the_history_says_so(people, aktobe):
    norms = services.norms_update(
        region=aktobe, data={"devices_per_pupil": Decimal("0.5")}, by=people.dana
    )
    assert NormSet.objects.get(region=aktobe).devices_per_pupil == Decimal("0.50")
    last = norms.history.first()
    assert last.history_user == people.dana and last.history_change_reason == "edit norms"


@pytest.mark.parametrize("who", ["aigerim", "bolat", "saule", "nurlan"])
def test_only_a_region_administrator_changes_norms(people, aktobe, who):
    with pytest.raises(PermissionDenied):
        services.norms_update(region=aktobe, data={"lab_min_grade": 5}, by=getattr(people, who))
    assert not NormSet.objects.exists()


@pytest.mark.parametrize("value", ["0", "-0.1", "2.5"])
def test_devices_per_pupil_must_be_above_0_and_at_most_2(people, aktobe, value):
    with pytest.raises(ValidationError) as error:
        services.norms_update(
            region=aktobe, data={"devices_per_pupil": Decimal(value)}, by=people.dana
        )
    assert "devices_per_pupil" in error.value.message_dict
    assert not NormSet.objects.exists()


def test_a_negative_speed_is_refused(people, aktobe):
    with pytest.raises(ValidationError) as error:
        services.norms_update(
            region=aktobe, data={"offline_below_mbps": Decimal("-1")}, by=people.dana
        )
    assert "negative" in error.value.message_dict["offline_below_mbps"][0]


def test_an_offline_threshold_at_or_above_the_internet_norm_contradicts_it(people, aktobe):
    with pytest.raises(ValidationError) as error:
        services.norms_update(
            region=aktobe, data={"offline_below_mbps": Decimal("25")}, by=people.dana
        )
    assert "national internet norm" in error.value.message_dict["offline_below_mbps"][0]


def test_offline_reliability_above_the_reliability_norm_contradicts_it(people, aktobe):
    with pytest.raises(ValidationError) as error:
        services.norms_update(
            region=aktobe,
            data={"min_reliability_pct": 60, "offline_below_reliability_pct": 70},
            by=people.dana,
        )
    assert "offline_below_reliability_pct" in error.value.message_dict


def test_weights_must_add_up_to_100(people, aktobe):
    with pytest.raises(ValidationError) as error:
        services.norms_update(region=aktobe, data={"weight_labs": 30}, by=people.dana)
    assert "add up to 100 (they add up to 120)" in error.value.message_dict["__all__"][0]


def test_a_refused_change_leaves_the_stored_norms_as_they_were(people, aktobe):
    services.norms_update(region=aktobe, data={"lab_min_grade": 8}, by=people.dana)
    with pytest.raises(ValidationError):
        services.norms_update(
            region=aktobe,
            data={"lab_min_grade": 5, "devices_per_pupil": Decimal("9")},
            by=people.dana,
        )
    assert NormSet.objects.get(region=aktobe).lab_min_grade == 8


def test_changed_norms_change_the_index(people, aktobe, region):
    EnrolmentFactory(school=region.hub, grade=9, pupils=100)
    InfrastructureFactory(school=region.hub, internet_mbps=50, science_lab=False)
    before = selectors.school_row(region.hub, ranked=False)
    assert "lab_stem" in {n.item for n in before.needs}
    services.norms_update(region=aktobe, data={"lab_min_grade": 10}, by=people.dana)
    after = selectors.school_row(region.hub, ranked=False)
    assert "lab_stem" not in {n.item for n in after.needs}
    assert after.index > before.index


# --- Catalogue ------------------------------------------------------------------------------


def test_the_default_catalogue_labels_every_source(aktobe):
    rows = {r.item: r for r in selectors.catalogue_rows(aktobe)}
    assert rows["laptop"].unit_price == 175_000 and "150-200" in rows["laptop"].source
    for item in ("panel", "lab_stem", "internet", "offline_server"):
        assert "assumption" in rows[item].source


def test_dana_sets_a_price_with_its_source(people, aktobe):
    services.catalogue_update(
        region=aktobe, prices={"panel": (950_000, "tender 2025 No. 12")}, by=people.dana
    )
    assert selectors.catalogue_prices(aktobe)["panel"] == 950_000
    row = next(r for r in selectors.catalogue_rows(aktobe) if r.item == "panel")
    assert row.source == "tender 2025 No. 12"
    assert CatalogueItem.history.filter(item="panel").first().history_user == people.dana


@pytest.mark.parametrize("price", [0, 5, 900_000_000])
def test_an_absurd_price_is_refused_and_nothing_is_written(people, aktobe, price):
    with pytest.raises(ValidationError) as error:
        services.catalogue_update(
            region=aktobe,
            prices={"panel": (950_000, "quote"), "laptop": (price, "")},
            by=people.dana,
        )
    assert "not a plausible price" in error.value.message_dict["laptop"][0]
    assert not CatalogueItem.objects.exists()  # the good panel price was not written either


def test_a_methodologist_cannot_change_prices(people, aktobe):
    with pytest.raises(PermissionDenied):
        services.catalogue_update(
            region=aktobe, prices={"laptop": (160_000, "")}, by=people.aigerim
        )


def test_catalogue_prices_for_the_equipment_app(people, aktobe):
    assert selectors.catalogue_prices() == {
        "internet": 1_500_000,
        "offline_server": 450_000,
        "laptop": 175_000,
        "panel": 1_200_000,
        "lab_stem": 6_000_000,
    }
    services.catalogue_update(region=aktobe, prices={"laptop": (160_000, "")}, by=people.dana)
    assert selectors.catalogue_prices()["laptop"] == 160_000
