"""A test's item list from a CSV or XLSX file: all items replaced at once, or none.

Columns: ``position, code, key, domain, max_score, anchor`` (see :data:`.formats.ITEMS`).
The rules are those of the item table on the test's page
(:func:`auyl.monitoring.services.item_problems`), reported here with the file's row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from auyl.monitoring import services
from auyl.monitoring.io.formats import ITEMS
from auyl.monitoring.models import Assessment
from auyl.registry.io.reading import ReadError, read_table
from auyl.registry.io.validation import Cells, Issue


def read_items(
    path: Path, *, filename: str = "", encoding: str = ""
) -> tuple[list[services.ItemData], list[Issue]]:
    """The file's items (``services.ItemData``) and its problems (row, column, reason)."""
    try:
        table = read_table(path, dataset=ITEMS, filename=filename or path.name, encoding=encoding)
    except ReadError as exc:
        return [], [Issue(None, "", m) for m in exc.messages]
    issues = [Issue(row, column, message) for row, column, message in table.row_problems]
    rows: list[services.ItemData] = []
    numbers: list[int] = []
    for number, values in table.rows:
        cells = Cells(number, values, issues)
        position = cells.integer("position", high=services.MAX_ITEMS)
        code = cells.text("code", max_length=40)
        key = cells.text("key", max_length=40, required=False)
        domain = cells.text("domain", max_length=100, required=False)
        max_score = cells.integer("max_score", high=10, blank=1)
        anchor = cells.boolean("anchor") if values.get("anchor") else False
        if cells.ok and position is not None and max_score is not None:
            rows.append(services.ItemData(position, code, key, domain, max_score, bool(anchor)))
            numbers.append(number)
    for index, column, message in services.item_problems(rows):
        issues.append(Issue(numbers[index] if numbers else None, column, message))
    if not table.rows:
        issues.append(Issue(None, "", _("The file has no item rows.")))
    return rows, issues


def import_items(
    path: Path, *, assessment: Assessment, by: Any, filename: str = "", encoding: str = ""
) -> list[Issue]:
    """Replace the test's items by the file's; the problems (nothing written if any)."""
    rows, issues = read_items(path, filename=filename, encoding=encoding)
    if issues:
        return issues
    try:
        services.items_replace(assessment=assessment, rows=rows, by=by)
    except ValidationError as exc:
        return [Issue(None, "", m) for m in exc.messages]
    return []
