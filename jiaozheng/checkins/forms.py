"""Web forms of face check-in. Forms validate input; services save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiaozheng.checkins.choices import ReviewDecision

WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class EnrolForm(forms.Form):
    photo = forms.ImageField(
        label=_("Photo file"),
        required=False,
        help_text=_("A clear, front-facing photo of the person alone (JPEG or PNG)."),
    )
    captured = forms.CharField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("photo") and not data.get("captured"):
            raise forms.ValidationError(_("Choose a photo file or take a photo with the camera."))
        return data


class PlanForm(forms.Form):
    times = forms.CharField(
        label=_("Daily times"),
        required=False,
        max_length=120,
        help_text=_("Separate several times with commas, e.g. 08:30, 19:30. Leave empty for none."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    random_per_week = forms.IntegerField(
        label=_("Random check-ins a week"), min_value=0, max_value=14, initial=0
    )
    until = forms.DateField(
        label=_("In force until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to keep it until changed."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "times": [
                t.strip() for t in (data.get("times") or "").replace("，", ",").split(",") if t.strip()
            ],
            "weekdays": list(data.get("weekdays") or []),
            "random_per_week": data["random_per_week"],
            "reason": data["reason"],
            "until": data.get("until"),
        }


class AskForm(forms.Form):
    window_minutes = forms.IntegerField(
        label=_("Minutes to answer"), min_value=5, max_value=24 * 60, initial=30
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What you compared and why (e.g. phoned the person, visited, compared the frames)."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)
