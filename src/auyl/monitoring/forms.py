"""Forms of the monitoring pages: a test, its item table, booklets, imports, a scaling."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from auyl.accounts.scoping import AnyUser, visible_schools
from auyl.monitoring import services
from auyl.monitoring.io.formats import ANSWER_CHOICES, LAYOUT_CHOICES, RAW, WIDE
from auyl.monitoring.models import Assessment, Booklet, Item, Scaling
from auyl.registry.io.forms import ENCODING_CHOICES
from auyl.registry.io.forms import ImportForm as RegistryImportForm
from auyl.registry.models import Region


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["region", "name", "grade", "subject", "language", "year", "minutes"]

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions: QuerySet[Region] = Region.objects.filter(
            pk__in=visible_schools(user).values("district__region_id")
        )
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = regions
        if self.instance.pk is None and regions.count() == 1:
            field.initial = regions.first()


class ItemForm(forms.Form):
    """One row of the item table; a row with an empty code is ignored (a spare row)."""

    position = forms.IntegerField(label=_("position"), min_value=1, max_value=services.MAX_ITEMS)
    code = forms.CharField(label=_("item code"), max_length=40, required=False)
    key = forms.CharField(label=_("key"), max_length=40, required=False)
    domain = forms.CharField(label=_("domain"), max_length=100, required=False)
    max_score = forms.IntegerField(label=_("maximum score"), min_value=1, max_value=10, initial=1)
    anchor = forms.BooleanField(label=_("anchor item"), required=False)

    def item_data(self) -> services.ItemData | None:
        d = self.cleaned_data
        if not d.get("code"):
            return None
        return services.ItemData(
            d["position"], d["code"], d.get("key", ""), d.get("domain", ""),
            d["max_score"], bool(d.get("anchor")),
        )  # fmt: skip


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        rows = self.item_rows()
        if not rows:
            raise forms.ValidationError(_("Give at least one item."))
        forms_with_code = [f for f in self.forms if f.item_data() is not None]
        for index, field, message in services.item_problems(rows):
            forms_with_code[index].add_error(field, message)

    def item_rows(self) -> list[services.ItemData]:
        return [row for f in self.forms if (row := f.item_data()) is not None]


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=0, max_num=200)


def item_formset(assessment: Assessment, data: Any = None, spare: int = 5) -> Any:
    """The item table of ``assessment`` with ``spare`` empty rows (20 for a new test)."""
    items = list(assessment.items.order_by("position"))
    initial = [
        {
            "position": it.position,
            "code": it.code,
            "key": it.key,
            "domain": it.domain,
            "max_score": it.max_score,
            "anchor": it.anchor,
        }
        for it in items
    ]
    spare = spare if items else 20
    initial += [{"position": len(items) + i, "max_score": 1} for i in range(1, spare + 1)]
    return ItemFormSet(data, initial=initial, prefix="items")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("A CSV or XLSX file."))
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"),
        choices=ENCODING_CHOICES,
        required=False,
        help_text=_("Excel's “CSV UTF-8” is UTF-8. Ignored for XLSX files."),
    )

    clean_file = RegistryImportForm.clean_file

    def uploaded(self) -> UploadedFile:
        file: UploadedFile = self.cleaned_data["file"]
        return file


class ResponsesImportForm(UploadForm):
    layout = forms.ChoiceField(label=_("Layout"), choices=LAYOUT_CHOICES, initial=WIDE)
    answers = forms.ChoiceField(label=_("The cells hold"), choices=ANSWER_CHOICES, initial=RAW)
    field_order = ["file", "layout", "answers", "encoding"]


class BookletForm(forms.ModelForm):
    items = forms.ModelMultipleChoiceField(
        label=_("items"), queryset=Item.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Booklet
        fields = ["code"]

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.assessment = assessment
        field = self.fields["items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = assessment.items.order_by("position")
        if self.instance.pk:
            field.initial = list(self.instance.items.values_list("pk", flat=True))


class ScalingForm(forms.Form):
    model = forms.ChoiceField(label=_("Model"), choices=Scaling.Model.choices)
    base = forms.ModelChoiceField(
        label=_("Link to a base-year scaling"),
        queryset=Scaling.objects.none(),
        required=False,
        empty_label=_("none: this is the base year"),
        help_text=_("Anchor items (the same item code in both tests) carry the base year's scale."),
    )
    link_method = forms.ChoiceField(
        label=_("Linking method"),
        choices=[c for c in Scaling.Link.choices if c[0] != Scaling.Link.NONE],
        initial=Scaling.Link.STOCKING_LORD,
        required=False,
    )

    def __init__(self, *args: Any, candidates: QuerySet[Scaling], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["base"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates
        field.label_from_instance = _base_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("base") and not data.get("link_method"):
            self.add_error("link_method", _("Choose how to link to the base-year scaling."))
        return data


def _base_label(scaling: Scaling) -> str:
    return (
        f"{scaling.assessment.year} · {scaling.assessment.name} · "
        f"{scaling.get_model_display()} · #{scaling.pk}"
    )
