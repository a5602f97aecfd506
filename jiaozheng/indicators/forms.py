"""Forms of the indicator, plan, report-text and report-generation pages (validation only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.measures import all_measures
from jiaozheng.indicators.choices import (
    Band,
    Direction,
    IndicatorGroup,
    IndicatorKind,
    RateDisplay,
    ReportFormat,
    ReportKind,
)


def measure_choices(blank: str) -> list[tuple[str, Any]]:
    """The registered measures by their names, grouped by the module that computes them (the codes are the
    engine's, not an officer's)."""
    from django.apps import apps

    groups: dict[str, list[tuple[str, str]]] = {}
    for code, measure in all_measures().items():
        prefix = code.split(".", 1)[0]
        label = MEASURE_GROUP_APPS.get(prefix, prefix)
        try:
            group = str(apps.get_app_config(label).verbose_name)
        except LookupError:
            group = str(_("Other measures"))
        groups.setdefault(group, []).append((code, str(measure.label)))
    return [("", blank)] + list(groups.items())


# Measure code prefixes that are not the label of the app that registers them.
MEASURE_GROUP_APPS = {"caseload": "people"}


class IndicatorForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Short identifier, e.g. education"))
    name = forms.CharField(label=_("Indicator"), max_length=100)
    group = forms.ChoiceField(label=_("Group"), choices=IndicatorGroup.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=IndicatorKind.choices)
    measure_code = forms.ChoiceField(label=_("Measure"), required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=12, decimal_places=4)
    unit = forms.CharField(
        label=_("Unit"),
        max_length=20,
        required=False,
        help_text=_("场次, 人, 人次, or the percent sign for rates"),
    )
    weight = forms.DecimalField(label=_("Weight (points)"), max_digits=6, decimal_places=2, min_value=0)
    rate_display = forms.ChoiceField(label=_("Rate over 100 %"), choices=RateDisplay.choices)
    rate_label = forms.CharField(label=_("Rate name"), max_length=30, required=False)
    coverage_measure_code = forms.ChoiceField(label=_("Coverage measure"), required=False)
    description = forms.CharField(
        label=_("Definition"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    manual_actual = forms.DecimalField(
        label=_("Actual value (entered)"),
        required=False,
        max_digits=12,
        decimal_places=4,
        help_text=_("Only for indicators no measure computes, e.g. a survey result"),
    )
    manual_source = forms.CharField(label=_("Source of the entered value"), max_length=200, required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure_code"].choices = measure_choices(str(_("— none: assessed or entered —")))
        self.fields["coverage_measure_code"].choices = measure_choices("—")


class AssessForm(forms.Form):
    band = forms.ChoiceField(label=_("Assessment"), choices=[("", "—")] + list(Band.choices), required=False)
    band_percent = forms.IntegerField(
        label=_("Share of the weight (%)"), required=False, min_value=0, max_value=100
    )
    assessment_note = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deviation_reason = forms.CharField(
        label=_("Reason for the shortfall"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    corrective_measure = forms.CharField(
        label=_("Corrective measure"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, qualitative: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not qualitative:
            for name in ("band", "band_percent", "assessment_note"):
                del self.fields[name]


class PlanForm(forms.Form):
    def __init__(self, *args: Any, months: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.months = months
        for month in months:
            self.fields[f"m{month}"] = forms.DecimalField(
                label=_("Month %(m)s") % {"m": month},
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
            )

    def monthly(self) -> dict[int, Any]:
        return {m: self.cleaned_data.get(f"m{m}") for m in self.months}


class NarrativeForm(forms.Form):
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 10}))


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices)
    format = forms.ChoiceField(choices=ReportFormat.choices)
    year = forms.IntegerField(min_value=2000, max_value=2100)
    month = forms.IntegerField(min_value=0, max_value=12, required=False)
