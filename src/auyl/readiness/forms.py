"""Forms: the audit (a draft may have gaps), the norms, the catalogue, the audit import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from auyl.engines import readiness as engine
from auyl.readiness.models import (
    AGE_LABELS,
    DEVICE_KEYS,
    DEVICE_KIND_LABELS,
    MAX_DEVICES,
    PRICE_RANGE,
    Audit,
    NormSet,
)
from auyl.readiness.services import AUDIT_FIELDS
from auyl.registry.io.forms import ENCODING_CHOICES
from auyl.registry.models import Infrastructure


def device_field(key: str) -> str:
    return "dev_" + key.replace(":", "_")


class AuditForm(forms.ModelForm):
    """The audit form. Every field may be left empty in a draft; submitting checks that
    everything is filled in (``Audit.submission_problems``)."""

    class Meta:
        model = Audit
        fields = list(AUDIT_FIELDS)
        widgets = {
            "internet_mbps": forms.NumberInput(attrs={"step": "0.1", "min": "0"}),
            "reliability_pct": forms.NumberInput(attrs={"min": "0", "max": "100"}),
        }

    def __init__(self, *args: Any, devices: dict[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = False
        choices = {
            "internet_type": Infrastructure.InternetType.choices,
            "electricity": Infrastructure.Electricity.choices,
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "—"), *options]
        for name in (*Audit.LEVEL_FIELDS, "rooms", "rooms_with_panel", "reliability_pct"):
            self.fields[name].widget.attrs.setdefault("min", "0")
        counts = devices or {}
        for key in DEVICE_KEYS:
            self.fields[device_field(key)] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=MAX_DEVICES,
                initial=counts.get(key, 0),
                label=key,
                error_messages={"min_value": _("A device count cannot be negative.")},
                widget=forms.NumberInput(attrs={"min": "0", "class": "count"}),
            )

    def main_fields(self) -> dict[str, list[forms.BoundField]]:
        groups = {
            "connectivity": ("internet_type", "internet_mbps", "reliability_pct", "electricity"),
            "rooms": (
                "rooms",
                "rooms_with_panel",
                "computer_lab",
                "science_lab",
                "stem_lab",
                "offline_server",
            ),
            "teachers": Audit.LEVEL_FIELDS,
        }
        return {group: [self[name] for name in names] for group, names in groups.items()}

    def device_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": DEVICE_KIND_LABELS[kind],
                "age": AGE_LABELS[age],
                "first": age == engine.AGE_BANDS[0],
                "cells": [
                    self[device_field(f"{kind}:{age}:{condition}")]
                    for condition in engine.CONDITIONS
                ],
            }
            for kind in engine.DEVICE_KINDS
            for age in engine.AGE_BANDS
        ]

    def audit_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in AUDIT_FIELDS}
        for name in ("internet_type", "electricity"):
            data[name] = data[name] or ""
        for name in ("computer_lab", "science_lab", "stem_lab", "offline_server"):
            data[name] = bool(data[name])
        return data

    def devices(self) -> dict[str, int | None]:
        return {key: self.cleaned_data.get(device_field(key)) for key in DEVICE_KEYS}


class NormSetForm(forms.ModelForm):
    """The region's norms; the model's ``clean`` refuses contradictory ones."""

    class Meta:
        model = NormSet
        fields = list(NormSet.EDITABLE)
        widgets = {
            "devices_per_pupil": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "panels_per_class_set_room": forms.NumberInput(attrs={"step": "0.05", "min": "0"}),
            "offline_below_mbps": forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
        }


class CatalogueForm(forms.Form):
    """A unit price (KZT) and its source for every catalogue item."""

    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            low, high = PRICE_RANGE[row.item]
            self.fields[f"price_{row.item}"] = forms.IntegerField(
                label=row.label,
                initial=row.unit_price,
                min_value=1,
                error_messages={"min_value": _("A price must be above 0 KZT.")},
                widget=forms.NumberInput(attrs={"min": str(low), "max": str(high)}),
            )
            self.fields[f"source_{row.item}"] = forms.CharField(
                label=_("source"),
                required=False,
                max_length=300,
                initial="" if row.is_default else row.source,
            )

    def table(self) -> list[dict[str, Any]]:
        return [
            {
                "row": row,
                "price": self[f"price_{row.item}"],
                "source": self[f"source_{row.item}"],
            }
            for row in self.rows
        ]

    def prices(self) -> dict[str, tuple[int, str]]:
        return {
            row.item: (
                self.cleaned_data[f"price_{row.item}"],
                self.cleaned_data.get(f"source_{row.item}") or "",
            )
            for row in self.rows
        }


class AuditImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("A CSV or XLSX file with the columns of the template.")
    )
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"), choices=ENCODING_CHOICES, required=False
    )

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        if file.size > settings.AUYL_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."), code="too_large")
        if file.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return file
