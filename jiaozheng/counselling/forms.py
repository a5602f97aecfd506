"""Forms of the counselling pages (validation only; services save)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.counselling.choices import CaseOutcome, SessionMode


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _person_field(persons: Any) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(label=_("Person"), queryset=persons)
    field.label_from_instance = lambda p: f"{p.name}（{p.case_number}，{p.squadron.name}）"
    return field


class ReferralForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, persons: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["person"] = _person_field(persons)
        self.order_fields(["person", "reason"])


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("Why not taken up"), max_length=500)


class CaseForm(forms.Form):
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput(), initial=timezone.localdate)
    presenting_problem = forms.CharField(
        label=_("Presenting problem"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    goals = forms.CharField(
        label=pgettext_lazy("counselling", "Goals"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args: Any, persons: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["person"] = _person_field(persons)
        self.order_fields(["person", "opened_on", "presenting_problem", "goals"])


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput(), initial=timezone.localdate)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=5, max_value=480, initial=50)
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices)
    attended = forms.BooleanField(label=_("The person came"), required=False, initial=True)
    topic = forms.CharField(label=_("Topic (not confidential)"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Confidential note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        help_text=_("Encrypted; only counsellors can read it"),
    )


class GoalsForm(forms.Form):
    goals = forms.CharField(
        label=pgettext_lazy("counselling", "Goals"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput(), initial=timezone.localdate)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseOutcome.choices)
    summary = forms.CharField(
        label=_("Closing summary"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class FormationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    scale = forms.ChoiceField(label=_("Results of the scale"), choices=())
    months = forms.IntegerField(
        label=_("Results of the last (months)"), min_value=1, max_value=60, initial=12
    )
    offence_stratum = forms.BooleanField(
        label=_("Keep offence groups apart"),
        required=False,
        help_text=_("Gender is always kept apart, and minors from adults"),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        from jiaozheng.assessments.forms import scale_choices

        super().__init__(*args, **kwargs)
        self.fields["scale"].choices = scale_choices()


class GroupSessionForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=15, max_value=480, initial=90)
    planned = forms.BooleanField(label=_("Only plan it (attendance later)"), required=False)
    summary = forms.CharField(
        label=pgettext_lazy("group session", "Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
