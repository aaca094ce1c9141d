"""Every user-facing string is translated into Kazakh and Russian, and the compiled
catalogs shipped in the package match their sources."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "auyl"
LOCALE = PACKAGE / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_message_is_translated(language):
    po = catalog(language)
    missing = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert missing == [] and fuzzy == [], (
        f"{language}: untranslated {missing[:5]}, fuzzy {fuzzy[:5]}"
    )


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_translations_keep_their_placeholders(language):
    wrong = []
    for entry in catalog(language):
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            found = sorted(PLACEHOLDER.findall(text))
            # a plural form may drop the count (e.g. Russian "one" form), nothing else
            if set(found) - set(wanted) or (not entry.msgid_plural and found != wanted):
                wrong.append((entry.msgid, text))
    assert wrong == []


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_compiled_catalog_matches_its_source(language):
    po = catalog(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in mo}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"{language}: {entry.msgid!r} not compiled: run dev.py messages"
        msgstr, plural = compiled[key]
        if entry.msgid_plural:
            assert {int(k): v for k, v in plural.items()} == {
                int(k): v for k, v in entry.msgstr_plural.items()
            }
        else:
            assert msgstr == entry.msgstr


def test_catalogs_hold_every_string_marked_in_the_code(tmp_path):
    """makemessages over a copy of the package finds no msgid missing from the catalogs."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must check the catalogs, but xgettext (gettext) is missing")
        pytest.skip("xgettext is missing: apt-get install gettext")
    copy = tmp_path / "auyl"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command(
                "makemessages",
                locale=["ru"],
                no_obsolete=True,
                ignore_patterns=["test_settings.py"],
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
    fresh = polib.pofile(str(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in catalog("ru")}
    new = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in known)
    assert new == [], f"strings not yet in the catalogs (run dev.py messages): {new[:10]}"
