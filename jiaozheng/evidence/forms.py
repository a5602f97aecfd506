"""Forms of the monthly hand-over. Forms validate input; services save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SubmitForm(forms.Form):
    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"], widget=forms.TextInput(attrs={"type": "month"})
    )
    plan = forms.CharField(
        label=_("Plan of the month"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    summary = forms.CharField(
        label=_("Summary of the month"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )


class ReviewForm(forms.Form):
    remarks = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
