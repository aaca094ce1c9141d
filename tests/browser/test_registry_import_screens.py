"""The import screens in Chromium: upload, preview, confirm, result; and a file with errors."""

from __future__ import annotations

from tests.test_registry_import import CORPUS, SCHOOL_HEADER, as_file_row, school_row, write_csv


def test_dana_imports_schools(people, region, page, login, shot, page_errors, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    changed = as_file_row(region.alga_school)
    changed[SCHOOL_HEADER.index("name_ru")] = "Алгинская средняя школа №2"
    path = write_csv(
        tmp_path / "schools.csv",
        SCHOOL_HEADER,
        [as_file_row(region.hub), changed, school_row("ALG010")],
    )
    login(page, "dana")
    page.goto("/registry/io/import/")
    shot(page, "io-import-start")
    page.select_option("#id_dataset", "schools")
    page.set_input_files("#id_file", str(path))
    page.click("text=Check the file")
    page.wait_for_selector("text=Confirm the import")
    shot(page, "io-import-preview")
    page.click("text=Confirm the import")
    page.wait_for_selector("text=The import is done")
    shot(page, "io-import-result")
    page.goto("/registry/io/import/")
    page.select_option("#id_dataset", "schools")
    page.set_input_files("#id_file", str(CORPUS / "schools-several-bad-rows.csv"))
    page.click("text=Check the file")
    page.wait_for_selector("text=5 problems")
    shot(page, "io-import-errors")
    assert page_errors == []
