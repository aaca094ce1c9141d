"""Forms of the timetable pages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from auyl.timetable.models import MAX_PERIODS, MAX_WEEKLY_HOURS, LessonMode, TimetableSettings
from auyl.timetable.selectors import (
    DAY_NAMES,
    CurriculumTable,
    HoursCell,
    HoursRow,
)


class SettingsForm(forms.ModelForm):
    """A school's week; break periods are typed as numbers separated by commas."""

    breaks = forms.CharField(
        label=_("Periods without lessons"),
        required=False,
        help_text=_("Numbers of the periods kept free every day, e.g. 4 (1 = first period)."),
    )

    class Meta:
        model = TimetableSettings
        fields = ["days", "periods_per_day", "max_daily_primary", "max_daily", "link_streams"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.fields["breaks"].initial = ", ".join(str(p) for p in self.instance.break_periods)

    def clean_breaks(self) -> list[int]:
        text = (self.cleaned_data.get("breaks") or "").replace(";", ",")
        out = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            if not part.isdigit() or not 1 <= int(part) <= MAX_PERIODS:
                raise forms.ValidationError(
                    _("%(value)s is not a period number (1 to %(n)s).")
                    % {"value": part, "n": MAX_PERIODS}
                )
            out.append(int(part))
        return out

    def data_for_service(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["break_periods"] = self.cleaned_data["breaks"]
        return data


class SolveForm(forms.Form):
    time_limit = forms.FloatField(
        label=_("Time limit (seconds)"), min_value=5, max_value=900, initial=120
    )
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=10_000, initial=0)


class MoveForm(forms.Form):
    """A new period for a lesson (days and periods 0-based, shown 1-based)."""

    day = forms.TypedChoiceField(label=_("Day"), coerce=int, choices=())
    period = forms.TypedChoiceField(label=_("Period"), coerce=int, choices=())

    def __init__(self, *args: Any, days: int, periods: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        day, period = self.fields["day"], self.fields["period"]
        assert isinstance(day, forms.ChoiceField) and isinstance(period, forms.ChoiceField)
        day.choices = [(d, str(DAY_NAMES[d])) for d in range(days)]
        period.choices = [(p, str(p + 1)) for p in range(periods)]


@dataclass(frozen=True)
class CellInput:
    """One cell of the curriculum table as the page shows it: the figure, the text in its
    box (what was typed, when the form came back with errors) and whether it is wrong."""

    cell: HoursCell
    text: str
    error: bool


class CurriculumTableForm:
    """The whole curriculum table, saved at once or not at all.

    Each box holds the weekly hours of a subject (row) in a grade (column). A box left
    empty returns to the level above (the region's figure for a school, the default table
    for the region); a box missing from the request stays as it is. Every wrong box is
    named (subject, grade, what is wrong): not a whole number, negative, more than one
    subject may have, or more lessons than the week has; so is every grade whose lessons
    in all no longer fit its week."""

    def __init__(self, table: CurriculumTable, data: Mapping[str, Any] | None = None) -> None:
        self.table = table
        self.data = data
        self.errors: list[str] = []
        self.wrong: set[str] = set()
        self.changes: dict[tuple[str, int], int | None] = {}
        self.totals: dict[int, int] = {}

    @property
    def is_bound(self) -> bool:
        return self.data is not None

    def is_valid(self) -> bool:
        if self.data is None:
            return False
        self.errors, self.wrong, self.changes, self.totals = [], set(), {}, {}
        final: dict[tuple[str, int], int] = {}
        for row in self.table.rows:
            for cell in row.cells:
                final[(cell.subject, cell.grade)] = self._clean_cell(row.subject.name, cell)
        self._check_week(final)
        return not self.errors

    def _clean_cell(self, row: str, cell: HoursCell) -> int:
        """The figure the cell will have; records its change or its error."""
        assert self.data is not None
        if cell.name not in self.data:
            return cell.hours
        text = str(self.data.get(cell.name, "")).strip()
        if not text:
            if cell.own:
                self.changes[(cell.subject, cell.grade)] = None
            return cell.base
        reason = self._reason(text, cell.grade)
        if reason:
            self.wrong.add(cell.name)
            self.errors.append(
                str(_("%(row)s, grade %(grade)s: %(reason)s"))
                % {"row": row, "grade": cell.grade, "reason": reason}
            )
            return cell.hours
        hours = int(text)
        if hours != cell.hours:
            self.changes[(cell.subject, cell.grade)] = hours
        return hours

    def _reason(self, text: str, grade: int) -> str:
        """Why ``text`` is not a weekly-hours figure of ``grade`` ("" when it is one)."""
        if not re.fullmatch(r"[+-]?\d+", text):
            return str(_("“%(value)s” is not a whole number.")) % {"value": text[:20]}
        hours = int(text)
        week = self.table.capacity[grade - 1]
        if hours < 0:
            return str(_("%(value)s is negative.")) % {"value": hours}
        if hours > week:
            return str(_("%(value)s is more periods than the week has (%(week)s).")) % {
                "value": hours,
                "week": week,
            }
        if hours > MAX_WEEKLY_HOURS:
            return str(_("%(value)s is more than %(max)s lessons a week of one subject.")) % {
                "value": hours,
                "max": MAX_WEEKLY_HOURS,
            }
        return ""

    def _check_week(self, final: Mapping[tuple[str, int], int]) -> None:
        """Every grade's lessons in all must fit its week."""
        for i, grade in enumerate(self.table.grades):
            total = sum(h for (_subject, g), h in final.items() if g == grade)
            self.totals[grade] = total
            week = self.table.capacity[i]
            if total > week:
                self.wrong.add(f"total-{grade}")
                self.errors.append(
                    str(
                        _(
                            "Total, grade %(grade)s: %(total)s lessons a week in all, more "
                            "periods than the week has (%(week)s)."
                        )
                    )
                    % {"grade": grade, "total": total, "week": week}
                )

    def grid(self) -> list[tuple[HoursRow, list[CellInput]]]:
        """The rows with each box's text and whether it is wrong, for the template."""
        out = []
        for row in self.table.rows:
            inputs = []
            for cell in row.cells:
                text = str(cell.hours)
                if self.data is not None and cell.name in self.data:
                    text = str(self.data.get(cell.name, "")).strip()
                inputs.append(CellInput(cell, text, cell.name in self.wrong))
            out.append((row, inputs))
        return out

    def footer(self) -> list[tuple[int, int, bool]]:
        """(lessons a week in all, the most the week has, whether too many) per grade: of
        the figures typed in, when the form came back with errors."""
        totals = self.totals or dict(zip(self.table.grades, self.table.totals, strict=True))
        return [
            (totals[g], week, f"total-{g}" in self.wrong)
            for g, week in zip(self.table.grades, self.table.capacity, strict=True)
        ]


MODE_CHOICES = [("", _("default")), *LessonMode.Mode.choices]
