"""The readiness engine (auyl.engines.readiness): one test per index component and per
needs rule, on plain dataclasses."""

from __future__ import annotations

from dataclasses import replace

import pytest

from auyl.engines import norms as national
from auyl.engines import readiness as engine
from auyl.engines.readiness import DeviceCount, Norms, SchoolState, Weights

NORMS = Norms()


def school(**changes: object) -> SchoolState:
    """A 100-pupil school teaching grades 1-9 in 6 class-sets that meets every norm."""
    base = SchoolState(
        code="S1",
        pupils=100,
        class_sets=6,
        top_grade=9,
        internet_type="fibre",
        internet_mbps=50.0,
        reliability_pct=100.0,
        devices=(DeviceCount("laptop", "0_3", "working", 20),),
        rooms_with_panel=6,
        science_lab=True,
        stem_lab=False,
        offline_server=False,
        teacher_levels=(0, 0, 0, 10),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def items(state: SchoolState, norms: Norms = NORMS) -> dict[str, int]:
    return {n.item: n.quantity for n in engine.school_needs(state, norms)}


# --- The index ------------------------------------------------------------------------------


def test_a_school_meeting_every_norm_scores_100_and_needs_nothing():
    assert engine.readiness(school(), NORMS).index == 100.0
    assert engine.school_needs(school(), NORMS) == ()


def test_default_weights_add_up_to_100():
    assert Weights().total == 100


def test_the_index_is_the_weighted_sum_of_the_components():
    # connectivity 0 (no internet) loses 30 points; half the devices lose 12.5 more.
    state = school(internet_type="none", internet_mbps=0.0, reliability_pct=0.0)
    state = replace(state, devices=(DeviceCount("laptop", "0_3", "working", 10),))
    result = engine.readiness(state, NORMS)
    assert result.component("connectivity").score == 0.0
    assert result.component("devices").score == 0.5
    assert result.index == pytest.approx(100 - 30 - 12.5)


def test_weights_change_what_a_component_is_worth():
    heavy_teachers = Norms(weights=Weights(20, 20, 10, 10, 40))
    state = school(teacher_levels=(10, 0, 0, 0))
    assert engine.readiness(state, NORMS).index == 80.0
    assert engine.readiness(state, heavy_teachers).index == 60.0


# --- Connectivity ----------------------------------------------------------------------------


def test_connectivity_is_the_share_of_the_national_norm():
    # 500 pupils need 20 + 100/20 = 25 Mbps (auyl.engines.norms); 10 Mbps is 40% of it.
    state = school(pupils=500, internet_mbps=10.0)
    assert engine.required_mbps(state) == national.connectivity_norm_mbps(500) == 25.0
    assert engine.connectivity_score(state, NORMS) == pytest.approx(0.4)


def test_connectivity_above_the_norm_counts_as_full():
    assert engine.connectivity_score(school(internet_mbps=500.0), NORMS) == 1.0


def test_connectivity_is_scaled_by_days_online_against_the_reliability_norm():
    # online on 72% of days against a norm of 90%: 0.8 of the score
    assert engine.connectivity_score(school(reliability_pct=72.0), NORMS) == pytest.approx(0.8)
    assert engine.connectivity_score(school(reliability_pct=95.0), NORMS) == 1.0


def test_no_internet_scores_zero_connectivity():
    state = school(internet_type="none", internet_mbps=0.0)
    assert engine.connectivity_score(state, NORMS) == 0.0


def test_unknown_reliability_counts_as_every_day_online():
    assert engine.connectivity_score(school(reliability_pct=None), NORMS) == 1.0


def test_a_school_below_the_bandwidth_norm_needs_a_connection_upgrade():
    need = engine.connectivity_need(school(internet_mbps=12.0), NORMS)
    assert need is not None and need.item == "internet" and need.quantity == 1
    assert need.target == 20.0


def test_an_unreliable_connection_needs_an_upgrade_even_when_fast():
    assert engine.connectivity_need(school(reliability_pct=85.0), NORMS) is not None
    assert engine.connectivity_need(school(reliability_pct=90.0), NORMS) is None


def test_a_school_with_no_internet_needs_a_connection():
    state = school(internet_type="none", internet_mbps=0.0, reliability_pct=0.0)
    assert items(state)["internet"] == 1


# --- Offline content server ----------------------------------------------------------------


def test_no_internet_and_no_server_needs_an_offline_server():
    state = school(internet_type="none", internet_mbps=0.0, reliability_pct=0.0)
    assert items(state)["offline_server"] == 1


def test_a_school_that_has_a_server_needs_no_other():
    state = school(internet_type="none", internet_mbps=0.0, offline_server=True)
    assert "offline_server" not in items(state)


def test_internet_slower_than_the_offline_threshold_counts_as_missing():
    assert engine.offline_server_need(school(internet_mbps=1.5), NORMS) is not None
    assert engine.offline_server_need(school(internet_mbps=2.0), NORMS) is None


def test_internet_online_on_too_few_days_counts_as_missing():
    assert engine.offline_server_need(school(reliability_pct=40.0), NORMS) is not None
    assert engine.offline_server_need(school(reliability_pct=50.0), NORMS) is None


# --- Devices ---------------------------------------------------------------------------------


def test_device_target_is_pupils_times_the_norm_rounded_up():
    assert engine.device_target(school(pupils=101), NORMS) == 21  # 20.2 -> 21


def test_only_working_computers_under_8_years_count_by_default():
    devices = (
        DeviceCount("laptop", "0_3", "working", 5),
        DeviceCount("desktop", "4_7", "working", 3),
        DeviceCount("tablet", "8_plus", "working", 4),  # too old
        DeviceCount("laptop", "0_3", "repair", 2),  # needs repair
        DeviceCount("laptop", "0_3", "broken", 6),
        DeviceCount("panel", "0_3", "working", 7),  # not a computer
    )
    assert engine.countable_devices(school(devices=devices), NORMS) == 8


def test_norms_may_count_old_computers_and_those_needing_repair():
    devices = (
        DeviceCount("tablet", "8_plus", "working", 4),
        DeviceCount("laptop", "0_3", "repair", 2),
    )
    lenient = Norms(count_devices_needing_repair=True, count_devices_over_7_years=True)
    assert engine.countable_devices(school(devices=devices), lenient) == 6


def test_devices_score_is_the_share_of_the_target():
    state = school(devices=(DeviceCount("laptop", "0_3", "working", 5),))
    assert engine.devices_score(state, NORMS) == 0.25


def test_laptops_are_needed_up_to_the_device_target():
    state = school(devices=(DeviceCount("laptop", "0_3", "working", 5),))
    assert items(state)["laptop"] == 15


def test_more_computers_per_pupil_in_the_norm_means_more_laptops_needed():
    strict = Norms(devices_per_pupil=0.5)
    assert items(school(), strict)["laptop"] == 30


# --- Panels ----------------------------------------------------------------------------------


def test_panels_score_is_the_share_of_class_set_rooms_equipped():
    assert engine.panels_score(school(rooms_with_panel=3), NORMS) == 0.5


def test_a_panel_is_needed_for_every_class_set_room_without_one():
    assert items(school(rooms_with_panel=2))["panel"] == 4


def test_a_lower_panel_norm_asks_for_fewer_panels():
    half = Norms(panels_per_class_set_room=0.5)
    assert engine.panel_rooms_target(school(), half) == 3
    assert "panel" not in items(school(rooms_with_panel=3), half)


# --- Labs ------------------------------------------------------------------------------------


def test_a_school_teaching_grade_7_or_above_without_a_lab_needs_a_lab_kit():
    state = school(science_lab=False, stem_lab=False)
    assert items(state)["lab_stem"] == 1
    assert engine.labs_score(state, NORMS) == 0.0


def test_a_primary_school_needs_no_lab():
    state = school(top_grade=4, science_lab=False, stem_lab=False)
    assert "lab_stem" not in items(state)
    assert engine.labs_score(state, NORMS) == 1.0


def test_a_stem_lab_meets_the_lab_norm_too():
    assert engine.labs_score(school(science_lab=False, stem_lab=True), NORMS) == 1.0


# --- Teachers --------------------------------------------------------------------------------


def test_teacher_skills_score_is_the_mean_level_over_the_top_level():
    # levels 0,1,2,3 with 1,1,1,1 teachers: mean 1.5 of 3
    assert engine.teachers_score(school(teacher_levels=(1, 1, 1, 1))) == 0.5


def test_unreported_teacher_skills_score_zero():
    assert engine.teachers_score(school(teacher_levels=None)) == 0.0
    assert engine.teachers_score(school(teacher_levels=(0, 0, 0, 0))) == 0.0


# --- Packages for the plan ------------------------------------------------------------------

PRICES = {"internet": 1_500_000, "offline_server": 450_000, "laptop": 175_000, "panel": 1_200_000,
          "lab_stem": 6_000_000}  # fmt: skip


def test_needs_cost_is_quantity_times_unit_price():
    state = school(rooms_with_panel=4, devices=(DeviceCount("laptop", "0_3", "working", 18),))
    assert (
        engine.needs_cost(engine.school_needs(state, NORMS), PRICES) == 2 * 175_000 + 2 * 1_200_000
    )


def test_packages_are_keyed_by_school_and_item_and_labs_are_indivisible():
    state = school(science_lab=False, rooms_with_panel=5)
    packages = {p.key: p for p in engine.packages(state, engine.school_needs(state, NORMS), PRICES)}
    assert set(packages) == {"S1/panel", "S1/lab_stem"}
    assert packages["S1/lab_stem"].divisible is False
    assert packages["S1/lab_stem"].category == "labs"
    assert packages["S1/panel"].divisible is True and packages["S1/panel"].unit_cost == 1_200_000


def test_laptops_require_the_connectivity_package_when_there_is_one():
    slow = school(internet_mbps=5.0, devices=())
    packages = {p.key: p for p in engine.packages(slow, engine.school_needs(slow, NORMS), PRICES)}
    assert packages["S1/laptop"].requires == ("S1/internet",)
    assert packages["S1/internet"].category == "connectivity"
    fast = school(devices=())
    (laptops,) = engine.packages(fast, engine.school_needs(fast, NORMS), PRICES)
    assert laptops.requires == ()


def test_school_need_carries_pupils_readiness_and_district():
    need = engine.school_need(school(rooms_with_panel=0), "alga", NORMS, PRICES)
    assert (need.school, need.district, need.pupils) == ("S1", "alga", 100)
    assert need.readiness == 85.0 and [p.item for p in need.packages] == ["panel"]


# --- After a plan ---------------------------------------------------------------------------


def test_buying_every_need_brings_the_school_to_100():
    state = school(
        internet_type="none",
        internet_mbps=0.0,
        reliability_pct=0.0,
        devices=(),
        rooms_with_panel=0,
        science_lab=False,
    )
    bought = {n.item: n.quantity for n in engine.school_needs(state, NORMS)}
    after = engine.apply_purchases(state, NORMS, bought)
    assert engine.school_needs(after, NORMS) == ()
    assert engine.readiness(after, NORMS).index == 100.0


def test_buying_part_of_the_laptops_raises_the_devices_score_in_proportion():
    state = school(devices=())
    after = engine.apply_purchases(state, NORMS, {"laptop": 10})
    assert engine.devices_score(after, NORMS) == 0.5
    assert engine.readiness(after, NORMS).index > engine.readiness(state, NORMS).index


def test_buying_nothing_changes_nothing():
    state = school(devices=())
    assert engine.apply_purchases(state, NORMS, {}) == state


def test_the_worked_example_of_docs_readiness_md():
    state = school(
        internet_mbps=12.0,
        reliability_pct=72.0,
        devices=(DeviceCount("laptop", "0_3", "working", 10),),
        teacher_levels=(1, 1, 1, 1),
    )
    assert engine.readiness(state, NORMS).index == 61.9
