from django import forms
from django.utils.translation import gettext_lazy as _

from jiaozheng.supervision.choices import Commissioner, Conclusion


class InvestigationForm(forms.Form):
    commissioner = forms.ChoiceField(label=_("Commissioned by"), choices=Commissioner.choices)
    commissioner_name = forms.CharField(label=_("Commissioning authority"), max_length=120)
    reference = forms.CharField(label=_("Commission number"), max_length=64, required=False)
    defendant_name = forms.CharField(label=_("Defendant"), max_length=64)
    commissioned_on = forms.DateField(
        label=_("Commissioned on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    summary_procedure = forms.BooleanField(label=_("Summary (速裁) procedure"), required=False)


class AnswerForm(forms.Form):
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=Conclusion.choices)
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 4}))
    answered_on = forms.DateField(
        label=_("Opinion sent on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class TravelForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    destination = forms.CharField(label=_("Destination"), max_length=120)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    start_on = forms.DateField(label=_("Leaves on"), widget=forms.DateInput(attrs={"type": "date"}))
    end_on = forms.DateField(label=_("Returns by"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class ReleaseForm(forms.Form):
    released_on = forms.DateField(label=_("Released on"), widget=forms.DateInput(attrs={"type": "date"}))
    announced = forms.BooleanField(label=_("Release announced (解矫宣告)"), required=False, initial=True)
    appraisal = forms.CharField(
        label=_("Appraisal"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
