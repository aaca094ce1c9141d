"""The scenario form: budget per year, scope, benefit weights."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from auyl.accounts.models import Role
from auyl.accounts.scoping import AnyUser, role_of
from auyl.engines.planning.equipment import BenefitWeights
from auyl.equipment.models import CATEGORIES, CATEGORY_LABELS, MAX_YEARS, PlanScenario
from auyl.equipment.selectors import plannable_districts
from auyl.equipment.services import ScenarioData, cheapest_price, validate_budgets
from auyl.registry.models import District

_SEPARATORS = re.compile(r"[\s\u00a0\u202f,'_]")


class KZTField(forms.CharField):
    """An amount in tenge; accepts "2 063 000 000", "2,063,000,000" or "2063000000"."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = _SEPARATORS.sub("", str(value or ""))
        if not text:
            return None
        if text.startswith("-") and text[1:].isdigit():
            raise ValidationError(_("A budget cannot be negative."), code="negative")
        if not text.isdigit():
            raise ValidationError(
                _("Write the amount in tenge with digits only, e.g. 2 063 000 000."),
                code="invalid",
            )
        if len(text) > 16:
            raise ValidationError(_("This amount is far too large."), code="too_large")
        return int(text)


def _weight_field(
    label: Any, initial: float, help_text: Any = "", maximum: float = 100
) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        initial=initial,
        min_value=0,
        max_value=maximum,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    district: forms.ModelChoiceField[District] = forms.ModelChoiceField(
        label=_("Plan for"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("the whole region"),
    )
    schools = forms.ChoiceField(
        label=_("Schools"), choices=PlanScenario.Schools.choices, initial="all"
    )
    weight_pupils = _weight_field(
        _("Weight of pupils reached"),
        1.0,
        _("0 to 2. 1: twice the pupils, twice the benefit; 0: school size does not matter."),
        maximum=2,
    )
    weight_gap_closed = _weight_field(
        _("Weight of the gap closed"),
        1.0,
        _("0 to 2. 1: the benefit grows with the share of the school's gap closed."),
        maximum=2,
    )
    weight_equity = _weight_field(
        _("Equity weight"),
        1.0,
        _("0: readiness does not matter; higher: the least-ready schools first."),
    )
    connectivity_first = forms.BooleanField(
        label=_("Connectivity before the devices that need it"), required=False, initial=True
    )
    year_discount = forms.FloatField(
        label=_("Worth of a year's delay"),
        initial=0.9,
        min_value=0,
        max_value=1,
        help_text=_("Help bought a year later counts this many times as much (0.9: a tenth less)."),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    carry_over = forms.BooleanField(
        label=_("Money not spent in a year may be spent later"), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, user: AnyUser, instance: PlanScenario | None = None, **kwargs: Any
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(instance)
        super().__init__(*args, **kwargs)
        district = cast(forms.ModelChoiceField, self.fields["district"])
        district.queryset = plannable_districts(user)
        if role_of(user) is not Role.REGION_ADMIN:
            district.required = True
            district.empty_label = None
        for year in range(1, MAX_YEARS + 1):
            self.fields[f"budget_{year}"] = KZTField(
                label=_("Budget of year %(year)s (KZT)") % {"year": year},
                required=year == 1,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
        defaults = BenefitWeights().category
        for category in CATEGORIES:
            self.fields[f"category_{category}"] = _weight_field(
                CATEGORY_LABELS[category], defaults.get(category, 1.0)
            )

    def budget_fields(self) -> list[forms.BoundField]:
        return [self[f"budget_{y}"] for y in range(1, MAX_YEARS + 1)]

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("weight_pupils", "weight_gap_closed", "weight_equity")]

    def year_fields(self) -> list[forms.BoundField]:
        return [self["year_discount"], self["carry_over"]]

    def category_fields(self) -> list[forms.BoundField]:
        return [self[f"category_{c}"] for c in CATEGORIES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        budgets: list[int] = []
        gap_at = None
        for year in range(1, MAX_YEARS + 1):
            value = data.get(f"budget_{year}")
            if value is None:
                if f"budget_{year}" not in self.errors and gap_at is None:
                    gap_at = year
                continue
            if gap_at is not None:
                self.add_error(
                    f"budget_{year}",
                    _("Fill in the years in order: year %(year)s has no budget.")
                    % {"year": gap_at},
                )
                continue
            budgets.append(value)
        cheapest = cheapest_price()
        for year, value in enumerate(budgets, start=1):
            try:
                validate_budgets((value,), cheapest, first_year=year)
            except ValidationError as error:
                self.add_error(f"budget_{year}", error)
        if not any(data.get(f"category_{c}") for c in CATEGORIES) and not self.errors:
            self.add_error(None, _("At least one category needs a weight above 0."))
        data["budgets"] = tuple(budgets)
        return data

    def scenario_data(self) -> ScenarioData:
        d = self.cleaned_data
        return ScenarioData(
            name=d["name"],
            district=d.get("district"),
            schools=d["schools"],
            budgets=d["budgets"],
            weight_pupils=d["weight_pupils"],
            weight_gap_closed=d["weight_gap_closed"],
            weight_equity=d["weight_equity"],
            category_weights={c: d[f"category_{c}"] for c in CATEGORIES},
            connectivity_first=d["connectivity_first"],
            year_discount=d["year_discount"],
            carry_over=d["carry_over"],
            notes=d.get("notes", ""),
        )


def initial_from(scenario: PlanScenario) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": scenario.name,
        "district": scenario.district_id,
        "schools": scenario.schools,
        "weight_pupils": scenario.weight_pupils,
        "weight_gap_closed": scenario.weight_gap_closed,
        "weight_equity": scenario.weight_equity,
        "connectivity_first": scenario.connectivity_first,
        "year_discount": scenario.year_discount,
        "carry_over": scenario.carry_over,
        "notes": scenario.notes,
    }
    for year, budget in enumerate(scenario.budgets, start=1):
        initial[f"budget_{year}"] = f"{int(budget):,}".replace(",", " ")
    for category in CATEGORIES:
        if category in scenario.category_weights:
            initial[f"category_{category}"] = scenario.category_weights[category]
    return initial


class CompareForm(forms.Form):
    a: forms.ModelChoiceField[PlanScenario] = forms.ModelChoiceField(
        label=_("Scenario A"), queryset=PlanScenario.objects.none()
    )
    b: forms.ModelChoiceField[PlanScenario] = forms.ModelChoiceField(
        label=_("Scenario B"), queryset=PlanScenario.objects.none()
    )

    def __init__(self, *args: Any, scenarios: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = scenarios
