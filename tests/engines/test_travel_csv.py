"""The travel-time table (magnet_code, hub_code, minutes): all-or-nothing, with every
problem given by row (header = row 1), column and reason."""

from __future__ import annotations

import pytest

from auyl.engines.planning.network import NetworkRequest, Site, design_network
from auyl.engines.planning.travel import (
    TravelCsvError,
    TravelRowError,
    parse_travel_csv,
    required_pairs,
)

KNOWN = {"AKT-0001", "AKT-0002", "AKT-0012", "AKT-0013"}


def errors_of(text: str | bytes, **kw: object) -> list[TravelRowError]:
    kw.setdefault("known", KNOWN)
    with pytest.raises(TravelCsvError) as info:
        parse_travel_csv(text, **kw)  # type: ignore[arg-type]
    return list(info.value.errors)


def test_a_clean_table_is_read_into_pairs_and_minutes() -> None:
    text = "magnet_code,hub_code,minutes\nAKT-0001,AKT-0012,35\nAKT-0002,AKT-0012,47.5\n"
    assert parse_travel_csv(text, known=KNOWN) == {
        ("AKT-0001", "AKT-0012"): 35.0,
        ("AKT-0002", "AKT-0012"): 47.5,
    }


def test_semicolons_decimal_commas_a_bom_spaces_and_extra_columns_are_accepted() -> None:
    text = (
        "\ufeffMagnet_code; hub_code ;minutes;note\n AKT-0001 ;AKT-0012;35,5;по грейдеру\n\n"
    ).encode()
    assert parse_travel_csv(text, known=KNOWN) == {("AKT-0001", "AKT-0012"): 35.5}


def test_an_unknown_school_is_refused_with_its_row_and_column() -> None:
    text = "magnet_code,hub_code,minutes\nAKT-0001,AKT-0012,35\nAKT-9999,AKT-0012,20\n"
    assert errors_of(text) == [TravelRowError(3, "magnet_code", "unknown school AKT-9999")]


def test_an_unknown_hub_is_refused_too() -> None:
    text = "magnet_code,hub_code,minutes\nAKT-0001,XYZ,35\n"
    assert errors_of(text) == [TravelRowError(2, "hub_code", "unknown school XYZ")]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-5", "minutes cannot be negative (-5)"),
        ("abc", "'abc' is not a number"),
        ("", "minutes are empty"),
        ("inf", "'inf' is not a finite number"),
        ("nan", "'nan' is not a finite number"),
    ],
)
def test_minutes_that_are_not_a_non_negative_number_are_refused(value: str, reason: str) -> None:
    text = f"magnet_code,hub_code,minutes\nAKT-0001,AKT-0012,{value}\n"
    assert errors_of(text) == [TravelRowError(2, "minutes", reason)]


def test_a_duplicate_pair_names_the_first_row() -> None:
    text = (
        "magnet_code,hub_code,minutes\n"
        "AKT-0001,AKT-0012,35\nAKT-0002,AKT-0012,40\nAKT-0001,AKT-0012,36\n"
    )
    assert errors_of(text) == [
        TravelRowError(4, "hub_code", "duplicate of row 2 (AKT-0001 -> AKT-0012)")
    ]


def test_a_school_paired_with_itself_is_refused() -> None:
    text = "magnet_code,hub_code,minutes\nAKT-0012,AKT-0012,0\n"
    assert errors_of(text) == [
        TravelRowError(2, "hub_code", "the magnet and the hub are the same (AKT-0012)")
    ]


def test_a_missing_column_is_reported_on_the_header_row() -> None:
    assert errors_of("magnet_code,hub,minutes\nAKT-0001,AKT-0012,3\n") == [
        TravelRowError(1, "hub_code", "missing column (expected magnet_code, hub_code, minutes)")
    ]


def test_an_empty_file_is_refused() -> None:
    assert errors_of("") == [TravelRowError(1, "file", "the file is empty")]


def test_a_file_that_is_not_utf8_is_refused() -> None:
    (err,) = errors_of("magnet_code,hub_code,minutes\n".encode("utf-16"))
    assert err.column == "file" and err.reason.startswith("not UTF-8 text")


def test_a_missing_required_pair_is_reported_without_a_row() -> None:
    text = "magnet_code,hub_code,minutes\nAKT-0001,AKT-0012,35\n"
    required = {("AKT-0001", "AKT-0012"), ("AKT-0002", "AKT-0012")}
    assert errors_of(text, required=required) == [
        TravelRowError(None, "magnet_code/hub_code", "no travel time for AKT-0002 -> AKT-0012")
    ]


def test_every_problem_is_reported_at_once_and_nothing_is_returned() -> None:
    text = (
        "magnet_code,hub_code,minutes\n"
        "AKT-0001,AKT-0012,-1\n"
        "AKT-0002,NOPE,x\n"
        "AKT-0001,AKT-0013,12\n"
    )
    errors = errors_of(text, required={("AKT-0002", "AKT-0013")})
    assert [(e.row, e.column) for e in errors] == [
        (2, "minutes"),
        (3, "hub_code"),
        (3, "minutes"),
        (None, "magnet_code/hub_code"),
    ]
    assert "4 problems in the travel-time table; first: row 2, minutes" in str(
        TravelCsvError(errors)
    )


def sites() -> list[Site]:
    # Hub H1 at Aktobe; M1 about 43 km away (Alga), M2 about 240 km away; H2 in Alga.
    return [
        Site("H1", "aktobe", 50.2797, 57.2072, 900, True, False),
        Site("H2", "alga", 49.9028, 57.3350, 500, True, False),
        Site("M1", "alga", 49.90, 57.34, 30, False, True),
        Site("M2", "bayganin", 48.69, 55.875, 20, False, True),
    ]


def test_required_pairs_are_the_pairs_within_the_distance_limit() -> None:
    assert required_pairs(sites(), max_km=100, road_factor=1.3) == {("M1", "H1"), ("M1", "H2")}


def test_required_pairs_respect_the_district_rule() -> None:
    assert required_pairs(sites(), max_km=100, same_district=True) == {("M1", "H2")}


def test_without_a_limit_every_school_hub_pair_is_required() -> None:
    assert len(required_pairs(sites(), max_km=None)) == 4


def test_a_parsed_table_drives_the_design() -> None:
    text = "magnet_code,hub_code,minutes\nM1,H1,40\nM1,H2,55\nM2,H1,200\n"
    all_sites = sites()
    required = required_pairs(all_sites, max_km=100)
    table = parse_travel_csv(text, known={s.code for s in all_sites}, required=required)
    res = design_network(
        NetworkRequest(tuple(all_sites), hubs=1, travel_minutes=table, max_minutes=120)
    )
    # H2 is next door on the map but 55 minutes away; H1 takes 40.
    assert {a.magnet: a.hub for a in res.assignments} == {"M1": "H1"}
    assert res.unserved[0].school == "M2"
    assert "within 120 minutes" in res.unserved[0].reason
