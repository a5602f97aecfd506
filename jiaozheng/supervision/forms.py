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
    destination_code = forms.CharField(
        label=_("Destination division code"),
        max_length=6,
        required=False,
        help_text=_("6 digits, e.g. 430102: the approved trip then becomes the permitted zone"),
    )
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


class SanctionForm(forms.Form):
    from jiaozheng.supervision.choices import SanctionGround, SanctionKind

    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    kind = forms.ChoiceField(label=_("Decision proposed"), choices=SanctionKind.choices)
    ground = forms.ChoiceField(label=_("Ground"), choices=SanctionGround.choices)
    days_out = forms.IntegerField(
        label=_("Days late or out of supervision"), required=False, min_value=1, max_value=3660
    )
    occurred_on = forms.DateField(label=_("Facts dated"), widget=forms.DateInput(attrs={"type": "date"}))
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class PermitForm(forms.Form):
    from jiaozheng.supervision.choices import PermitKind

    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    kind = forms.ChoiceField(label=_("Request for"), choices=PermitKind.choices)
    subject = forms.CharField(label=_("Whom or where"), max_length=120)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    start_on = _date(_("From"))
    end_on = _date(_("Until"))

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class RelocationForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    new_address = forms.CharField(label=_("New address"), max_length=200)
    receiving_county = forms.CharField(label=_("Receiving county agency"), max_length=120)
    change_of_execution = forms.BooleanField(
        label=_("Change of the place of execution"), required=False, initial=True
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    planned_on = _date(_("Planned move"))

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class ReexamForm(forms.Form):
    examined_on = _date(_("Examined on"))
    hospital = forms.CharField(label=_("Hospital"), max_length=120)
    conditions_persist = forms.BooleanField(
        label=_("The conditions for execution outside prison persist"), required=False, initial=True
    )
    summary = forms.CharField(label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
