"""Forms of the timetable pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from auyl.registry.models import Subject
from auyl.timetable.models import MAX_PERIODS, LessonMode, TimetableSettings
from auyl.timetable.selectors import DAY_NAMES


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


class CurriculumHoursForm(forms.Form):
    """A school's own weekly hours of a subject in a grade (empty hours: the default)."""

    subject = forms.ModelChoiceField(label=_("Subject"), queryset=Subject.objects.all())
    grade = forms.TypedChoiceField(
        label=_("Grade"), coerce=int, choices=[(g, str(g)) for g in range(1, 12)]
    )
    hours = forms.IntegerField(
        label=_("Weekly hours"),
        min_value=0,
        max_value=20,
        required=False,
        help_text=_("Leave empty to return to the default table."),
    )


MODE_CHOICES = [("", _("default")), *LessonMode.Mode.choices]
