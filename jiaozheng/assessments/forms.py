"""Forms of the assessment pages (validation only; services save)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.assessments.scales import questionnaires


def scale_choices() -> list[tuple[str, str]]:
    return [(code, f"{s.short_title()} {s.title()}") for code, s in questionnaires().items()]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AssignForm(forms.Form):
    scale = forms.ChoiceField(label=_("Scale"), choices=())
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=DateInput(), help_text=_("Empty: the usual time")
    )

    def __init__(self, *args: Any, persons: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["scale"].choices = scale_choices()
        self.fields["person"].queryset = persons
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.name}（{p.case_number}，{p.squadron.name}）"
        )


class BatchForm(forms.Form):
    scale = forms.ChoiceField(label=_("Scale"), choices=())
    intake_month = forms.CharField(
        label=_("New entrants of the month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("Everyone who reported in during this month"),
    )
    squadron = forms.ModelChoiceField(label=_("Squadron"), queryset=None, required=False)
    not_assessed_months = forms.IntegerField(
        label=_("Not assessed for (months)"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("Only persons without a completed assessment of this scale in that time"),
    )
    label = forms.CharField(label=_("Batch name"), max_length=120, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, squadrons: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["scale"].choices = scale_choices()
        self.fields["squadron"].queryset = squadrons

    def clean_intake_month(self) -> str:
        value = (self.cleaned_data.get("intake_month") or "").strip()
        if value and not re.fullmatch(r"\d{4}-\d{2}", value):
            raise forms.ValidationError(_("Write the month as YYYY-MM."))
        return value

    def clean(self):
        data = super().clean()
        if not data.get("intake_month") and not data.get("squadron") and not data.get("not_assessed_months"):
            raise forms.ValidationError(
                _("Choose at least one criterion (month, squadron or not assessed for).")
            )
        return data


class PaperMetaForm(forms.Form):
    administered_on = forms.DateField(
        label=_("Date of the test"), widget=DateInput(), initial=timezone.localdate
    )
    minutes = forms.FloatField(
        label=_("Answering time (minutes)"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_("As noted on the form; empty if not noted (speed is then not checked)"),
    )
    quick = forms.CharField(
        label=_("Or type the answers in one line"),
        required=False,
        max_length=400,
        help_text=_(
            "One digit per item in item order, e.g. 1213...; a dot for a missing answer. Overrides the grid."
        ),
    )


class NewPaperForm(PaperMetaForm):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    scale = forms.ChoiceField(label=_("Scale"), choices=())

    def __init__(self, *args: Any, persons: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["scale"].choices = scale_choices()
        self.fields["person"].queryset = persons
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.name}（{p.case_number}，{p.squadron.name}）"
        )
        self.order_fields(["person", "scale", "administered_on", "minutes", "quick"])


class ReportForm(forms.Form):
    norm_code = forms.ChoiceField(label=_("Norm compared with"), choices=(), required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput(), initial=timezone.localdate)
    counsellor_name = forms.CharField(label=_("Counsellor"), max_length=50)
    comments = forms.CharField(
        label=_("Counsellor's comments"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("Your reading of the result and what you suggest; printed in the report"),
    )

    def __init__(
        self, *args: Any, norms: list[dict[str, Any]] | None = None, scale_code: str = "", **kwargs: Any
    ):
        from jiaozheng.assessments.norms import criterion_referenced
        from jiaozheng.assessments.scales import get_scale

        super().__init__(*args, **kwargs)
        kinds = {"builtin": _("published norm"), "local": _("local norm of this agency")}
        choices: list[tuple[str, Any]] = [
            (n["code"], f"{n['label']}（{kinds.get(n['kind'], '')}）") for n in norms or []
        ]
        if not choices:
            # never a dead end: a cut-off scale is read without a norm, any other scale says it has none
            criterion = bool(scale_code) and criterion_referenced(get_scale(scale_code))
            choices = [
                (
                    "",
                    _("No norm: read against the scale's published cut-offs")
                    if criterion
                    else _("No norm available yet: the report says it makes no norm comparison"),
                )
            ]
            self.fields["norm_code"].help_text = (
                ""
                if criterion
                else _("A local norm can be built under Scales and norms once enough valid results exist.")
            )
        self.fields["norm_code"].choices = choices


class CorrectForm(forms.Form):
    item = forms.IntegerField(label=_("Item number"), min_value=1, max_value=999)
    value = forms.IntegerField(label=_("Correct answer"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class FlagForm(forms.Form):
    action = forms.ChoiceField(
        label=pgettext_lazy("flag handling", "Action"),
        choices=[
            ("acknowledge", _("Contacted the person")),
            ("refer", _("Refer to individual counselling")),
            ("close", _("Close the flag")),
        ],
    )
    note = forms.CharField(
        label=_("What was done"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NormBuildForm(forms.Form):
    scale = forms.ChoiceField(label=_("Scale"), choices=())
    date_from = forms.DateField(label=_("From"), widget=DateInput())
    date_to = forms.DateField(label=_("Until"), widget=DateInput())
    label = forms.CharField(label=_("Name"), max_length=120, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["scale"].choices = scale_choices()


class ExternalImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    keep_file = forms.BooleanField(label=_("Keep a copy of the file"), required=False, initial=True)


def parse_quick(text: str, n_items: int) -> list[int | None]:
    """'1213.5' -> [1, 2, 1, 3, None, 5]; spaces and commas are ignored; raises ValueError."""
    text = re.sub(r"[\s,，]", "", text or "")
    if len(text) != n_items:
        raise ValueError(
            _("The line holds %(got)s answers; the scale has %(n)s items.") % {"got": len(text), "n": n_items}
        )
    out: list[int | None] = []
    for ch in text:
        if ch in ".-·":
            out.append(None)
        elif ch.isdigit():
            out.append(int(ch))
        else:
            raise ValueError(
                _("%(ch)s is not an answer; use digits, and a dot for a missing answer.") % {"ch": ch}
            )
    return out
