"""Hostile or broken FET files give one clear FetError, never a crash, a leak or a hang.

Each case would hurt a naive XML reader: external entities read local files (XXE), nested
entities expand to gigabytes (billion laughs), deep nesting exhausts recursion, huge or
gzip-bombed files exhaust memory.
"""

from __future__ import annotations

import gzip

import pytest

from auyl.engines.timetabling.fet import FetError, read_fet, read_fet_timetable

MB = 1024 * 1024


def test_an_external_entity_is_refused_and_nothing_is_read():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE fet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<fet><Institution_Name>&x;</Institution_Name></fet>"
    )
    with pytest.raises(FetError, match="forbidden XML feature"):
        read_fet(xxe)


def test_billion_laughs_is_refused():
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE fet [{entities}]><fet>&l9;</fet>'.encode()
    with pytest.raises(FetError, match="forbidden XML feature"):
        read_fet(bomb)


def test_a_document_type_declaration_alone_is_refused():
    with pytest.raises(FetError, match="forbidden XML feature"):
        read_fet(b"<!DOCTYPE fet><fet></fet>")


def test_deep_nesting_is_refused():
    deep = b"<fet>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</fet>"
    with pytest.raises(FetError, match="nested deeper than"):
        read_fet(deep)


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path):
    big = tmp_path / "big.fet"
    with big.open("wb") as handle:
        handle.write(b"<fet>")
        handle.truncate(50 * MB)
    with pytest.raises(FetError, match="larger than the limit"):
        read_fet(big)


def test_the_size_limit_can_be_lowered():
    with pytest.raises(FetError, match="larger than the limit of 100 bytes"):
        read_fet(b"<fet>" + b" " * 200 + b"</fet>", max_bytes=100)


def test_a_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<fet>" + b" " * (100 * MB), compresslevel=9)
    with pytest.raises(FetError, match="unpacks to more than"):
        read_fet(bomb)


def test_damaged_gzip_is_refused():
    with pytest.raises(FetError, match="gzip'd file is damaged"):
        read_fet(b"\x1f\x8b\x08\x00garbage")


def test_not_xml_is_refused():
    with pytest.raises(FetError, match="not well-formed XML"):
        read_fet(b"Days: Mon, Tue\nHours: 1, 2\n")


def test_truncated_xml_is_refused():
    with pytest.raises(FetError, match="not well-formed XML"):
        read_fet(b"<fet><Days_List><Day><Name>Mon</Name>")


def test_the_wrong_root_element_is_refused():
    with pytest.raises(FetError, match="root element is <html>, expected <fet>"):
        read_fet(b"<html><body/></html>")


def test_an_empty_file_is_refused():
    with pytest.raises(FetError, match="empty"):
        read_fet(b"   \n")


def test_a_fet_file_without_days_is_refused():
    with pytest.raises(FetError, match="no days or no hours"):
        read_fet(b"<fet><Hours_List><Hour><Name>1</Name></Hour></Hours_List></fet>")


def test_a_missing_file_is_refused_with_its_name(tmp_path):
    with pytest.raises(FetError, match=r"cannot read .*missing\.fet"):
        read_fet(tmp_path / "missing.fet")


def test_a_hostile_timetable_file_is_refused_too():
    problem = read_fet(
        b"<fet><Days_List><Day><Name>Mon</Name></Day></Days_List>"
        b"<Hours_List><Hour><Name>1</Name></Hour></Hours_List></fet>"
    )
    with pytest.raises(FetError, match="forbidden XML feature"):
        read_fet_timetable(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><fet/>', problem)
