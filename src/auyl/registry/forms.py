"""Forms for editing a school, its enrolment and class-sets, teachers and infrastructure."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from auyl.accounts.scoping import AnyUser, visible_districts
from auyl.registry.models import (
    GRADES,
    DeviceStock,
    Infrastructure,
    School,
    Subject,
    Teacher,
)
from auyl.registry.services import GradeRow


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = [
            "name_kk",
            "name_ru",
            "district",
            "settlement_kk",
            "settlement_ru",
            "locality",
            "language",
            "network_role",
            "hub",
            "latitude",
            "longitude",
        ]

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district_field = cast(forms.ModelChoiceField, self.fields["district"])
        district_field.queryset = visible_districts(user)
        hub_field = cast(forms.ModelChoiceField, self.fields["hub"])
        hub_field.queryset = School.objects.filter(network_role=School.NetworkRole.HUB).exclude(
            pk=self.instance.pk
        )


def grade_label(grade: int) -> str:
    return str(_("pre-school class")) if grade == 0 else str(grade)


class EnrolmentForm(forms.Form):
    """Pupils and class-set per grade: grades sharing a class-set name are combined."""

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pupils = {e.grade: e.pupils for e in school.enrolments.all()}
        set_of = {g: cs.name for cs in school.class_sets.all() for g in cs.grades}
        for grade in GRADES:
            self.fields[f"pupils_{grade}"] = forms.IntegerField(
                label=grade_label(grade),
                min_value=0,
                max_value=5000,
                initial=pupils.get(grade, 0),
                error_messages={"min_value": _("Pupils cannot be negative.")},
            )
            self.fields[f"set_{grade}"] = forms.CharField(
                label=_("class-set"),
                required=False,
                max_length=50,
                initial=set_of.get(grade, ""),
            )

    def grade_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "grade": g,
                "label": grade_label(g),
                "pupils": self[f"pupils_{g}"],
                "class_set": self[f"set_{g}"],
            }
            for g in GRADES
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for grade in GRADES:
            if data.get(f"pupils_{grade}") and not (data.get(f"set_{grade}") or "").strip():
                self.add_error(
                    f"set_{grade}",
                    _("Grade %(grade)s has pupils: name its class-set (e.g. %(example)s).")
                    % {"grade": grade, "example": f"{grade}" if grade else "0"},
                )
        return data

    def rows(self) -> list[GradeRow]:
        data = self.cleaned_data
        return [
            GradeRow(
                grade=g, pupils=data.get(f"pupils_{g}") or 0, class_set=data.get(f"set_{g}") or ""
            )
            for g in GRADES
        ]


class TeacherForm(forms.ModelForm):
    subjects = forms.ModelMultipleChoiceField(
        queryset=Subject.objects.all(),
        label=_("qualified subjects"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    taught_here = forms.ModelMultipleChoiceField(
        queryset=Subject.objects.all(),
        label=_("subjects taught at this school"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Teacher
        fields = ["code", "full_name", "weekly_hours"]

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["subjects"].initial = list(self.instance.subjects.all())
            self.fields["taught_here"].initial = [
                a.subject for a in self.instance.assignments.filter(school=school)
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        extra = set(data.get("taught_here") or []) - set(data.get("subjects") or [])
        if extra:
            self.add_error(
                "taught_here",
                _("Tick %(subject)s among the qualified subjects too, or untick it here.")
                % {"subject": sorted(s.name for s in extra)[0]},
            )
        return data


class InfrastructureForm(forms.ModelForm):
    class Meta:
        model = Infrastructure
        fields = [
            "internet_type",
            "internet_mbps",
            "electricity",
            "rooms",
            "computer_lab",
            "science_lab",
            "stem_lab",
        ]

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        counts = {(d.kind, d.condition): d.count for d in school.devices.all()}
        for kind, _kind_label in DeviceStock.Kind.choices:
            for condition, _cond_label in DeviceStock.Condition.choices:
                self.fields[f"dev_{kind}_{condition}"] = forms.IntegerField(
                    min_value=0,
                    max_value=5000,
                    initial=counts.get((kind, condition), 0),
                    label=f"{_kind_label}: {_cond_label}",
                    error_messages={"min_value": _("A device count cannot be negative.")},
                )

    def device_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "label": label,
                "cells": [self[f"dev_{kind}_{c}"] for c, _l in DeviceStock.Condition.choices],
            }
            for kind, label in DeviceStock.Kind.choices
        ]

    def devices(self) -> dict[tuple[str, str], int]:
        return {
            (kind, condition): self.cleaned_data.get(f"dev_{kind}_{condition}") or 0
            for kind, _k in DeviceStock.Kind.choices
            for condition, _c in DeviceStock.Condition.choices
        }

    def infrastructure_data(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}
