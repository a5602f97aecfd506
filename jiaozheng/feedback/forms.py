from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BuyerEvaluationForm(forms.Form):
    county = forms.TypedChoiceField(label=_("County"), coerce=int)
    provider = forms.TypedChoiceField(label=_("Service provider"), coerce=int)
    period_start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"}))
    score = forms.DecimalField(
        label=_("Satisfaction score (0-100)"), min_value=0, max_value=100, decimal_places=1
    )
    signer_title = forms.CharField(label=_("Signer's post"), max_length=60)
    comments = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    confirm = forms.BooleanField(
        label=_("I sign this evaluation on behalf of the bureau; it cannot be changed afterwards."),
        required=True,
    )


class QuestionnaireForm(forms.Form):
    items = forms.CharField(
        label=_("Questions, one a line (answered on the five-point satisfaction scale)"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    open_question = forms.CharField(
        label=_("Open question (optional answer)"), required=False, max_length=200
    )
