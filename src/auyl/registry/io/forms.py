"""The upload form of an import."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from auyl.registry.io.datasets import DATASET_CHOICES
from auyl.registry.io.reading import store_upload

ENCODING_CHOICES = [
    ("", _("UTF-8 (recommended)")),
    ("cp1251", _("Windows-1251 (older Russian Excel)")),
]


class ImportForm(forms.Form):
    dataset = forms.ChoiceField(label=_("What the file holds"), choices=DATASET_CHOICES)
    file = forms.FileField(
        label=_("File"), help_text=_("A CSV or XLSX file with the columns listed below.")
    )
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"),
        choices=ENCODING_CHOICES,
        required=False,
        help_text=_("Excel's “CSV UTF-8” is UTF-8. Ignored for XLSX files."),
    )

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        limit = settings.AUYL_MAX_UPLOAD_BYTES
        if file.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is too large (%(size)s MB). The limit is %(limit)s MB: split "
                    "the file by district and import the parts one after another."
                ),
                params={"size": file.size // (1024 * 1024), "limit": limit // (1024 * 1024)},
                code="too_large",
            )
        if file.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return file

    def save_upload(self) -> str:
        """Store the file under MEDIA_ROOT/imports/; return its upload id."""
        return store_upload(self.cleaned_data["file"])
