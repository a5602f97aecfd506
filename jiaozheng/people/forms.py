"""Web forms of the caseload. Forms validate input; services save."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jiaozheng.orgs.models import OrgUnit
from jiaozheng.people.choices import (
    CorrectionType,
    DisciplineKind,
    Education,
    Employment,
    Gender,
    OffenceCategory,
    ProhibitionKind,
    RiskLevel,
    SupervisionClass,
    TeamRole,
    TerminationReason,
    ethnicity_choices,
)
from jiaozheng.people.selectors import squadrons_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: Any, required: bool = True, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, **kw)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    birth_date = _date_field(_("Date of birth"))
    ethnicity = forms.ChoiceField(label=_("Ethnicity"))
    id_number = forms.CharField(label=_("ID number"), max_length=18, min_length=18)
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, required=False)
    education = forms.ChoiceField(label=_("Education"), choices=Education.choices)
    employment = forms.ChoiceField(label=_("Employment"), choices=Employment.choices)
    employer = forms.CharField(label=_("Employer or school"), max_length=120, required=False)
    address = forms.CharField(label=_("Home address"), max_length=200)
    squadron = UnitChoiceField(label=_("Squadron"), queryset=OrgUnit.objects.none())
    township = UnitChoiceField(label=_("Township"), queryset=OrgUnit.objects.none(), required=False)
    village = UnitChoiceField(label=_("Village / community"), queryset=OrgUnit.objects.none(), required=False)
    home_latitude = forms.FloatField(label=_("Home latitude"), required=False, min_value=-90, max_value=90)
    home_longitude = forms.FloatField(
        label=_("Home longitude"), required=False, min_value=-180, max_value=180
    )
    correction_type = forms.ChoiceField(label=_("Correction type"), choices=CorrectionType.choices)
    offence_category = forms.ChoiceField(label=_("Offence category"), choices=OffenceCategory.choices)
    offence = forms.CharField(label=_("Offence (charge)"), max_length=100, required=False)
    sentence = forms.CharField(label=_("Original sentence"), max_length=200, required=False)
    deciding_authority = forms.CharField(label=_("Deciding authority"), max_length=100, required=False)
    judgment_effective_on = _date_field(_("Judgment effective on"), required=False)
    term_start = _date_field(_("Correction term start"))
    term_end = _date_field(_("Correction term end"))
    intake_on = _date_field(
        _("Reported / taken in on"),
        required=False,
        help_text=_("Leave empty if the person has not reported yet"),
    )
    supervision_class = forms.ChoiceField(
        label=_("Supervision class"), choices=SupervisionClass.choices, initial=SupervisionClass.STRICT
    )
    risk_level = forms.ChoiceField(
        label=_("Assessed risk"), choices=[("", "—"), *RiskLevel.choices], required=False
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, actor: Any, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = ethnicity_choices(get_language() or "zh-hans")
        squadrons = squadrons_for(actor=actor)
        self.fields["squadron"].queryset = squadrons
        units = OrgUnit.objects.filter(county_id__in=squadrons.values("county_id"))
        self.fields["township"].queryset = units.filter(kind=OrgUnit.Kind.TOWNSHIP, squadron__in=squadrons)
        self.fields["village"].queryset = units.filter(kind=OrgUnit.Kind.VILLAGE, squadron__in=squadrons)
        if editing:
            # class and intake change through their own actions, with reasons and dates
            del self.fields["supervision_class"]
            del self.fields["intake_on"]

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"].strip().upper()

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["risk_level"] = data.get("risk_level") or ""
        return data


class ReportForm(forms.Form):
    reported_on = _date_field(_("Reported on"), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnnounceForm(forms.Form):
    announced_on = _date_field(_("Announced on"), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ClassChangeForm(forms.Form):
    to_class = forms.ChoiceField(label=_("New class"), choices=SupervisionClass.choices)
    effective_on = _date_field(_("Effective on"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReleaseForm(forms.Form):
    released_on = _date_field(_("Released on"), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SealForm(forms.Form):
    basis = forms.CharField(
        label=_("Decision or legal basis"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("After sealing, the person and all their records leave every list and page."),
    )


class SealedGrantForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    granted_to = forms.TypedChoiceField(label=_("Account that may read"), coerce=int, choices=())
    authority = forms.CharField(label=_("Requesting authority"), max_length=120)
    basis = forms.CharField(
        label=_("Legal basis and purpose"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    days = forms.IntegerField(label=_("Days of access"), min_value=1, max_value=30, initial=3)

    def __init__(self, *args: Any, staff: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["granted_to"].choices = list(staff or [])


class UnsealForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for lifting the seal"), max_length=2000)


class TerminateForm(forms.Form):
    terminated_on = _date_field(_("Terminated on"), initial=timezone.localdate)
    reason = forms.ChoiceField(label=_("Reason"), choices=TerminationReason.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)


class PlanForm(forms.Form):
    made_on = _date_field(_("Made on"), initial=timezone.localdate)
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("Measures"), widget=forms.Textarea(attrs={"rows": 4}))
    next_review_on = _date_field(
        _("Next review"), required=False, help_text=_("Empty: the rule's default interval")
    )


class PlanReviewForm(forms.Form):
    reviewed_on = _date_field(_("Reviewed on"), initial=timezone.localdate)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    next_review_on = _date_field(_("Next review"))


class ProhibitionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProhibitionKind.choices)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 2}))
    start_on = _date_field(_("From"))
    end_on = _date_field(_("Until"))
    center_latitude = forms.FloatField(
        label=_("Zone centre latitude"), required=False, min_value=-90, max_value=90
    )
    center_longitude = forms.FloatField(
        label=_("Zone centre longitude"), required=False, min_value=-180, max_value=180
    )
    radius_m = forms.IntegerField(
        label=_("Zone radius (metres)"), required=False, min_value=10, max_value=50000
    )
    polygon = forms.CharField(
        label=_("Or a zone polygon (GeoJSON)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        circle = [data.get("center_latitude"), data.get("center_longitude"), data.get("radius_m")]
        zone = None
        if any(v is not None for v in circle):
            if not all(v is not None for v in circle):
                raise forms.ValidationError(_("A circular zone needs a centre and a radius."))
            zone = {"type": "Circle", "center": [circle[1], circle[0]], "radius_m": circle[2]}
        if data.get("polygon"):
            if zone is not None:
                raise forms.ValidationError(_("Give a circle or a polygon, not both."))
            try:
                zone = json.loads(data["polygon"])
            except ValueError:
                raise forms.ValidationError(_("The polygon is not valid GeoJSON."))
        data["zone"] = zone
        return data


class DisciplineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DisciplineKind.choices)
    decided_on = _date_field(_("Decided on"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class HardshipForm(forms.Form):
    hardship = forms.BooleanField(label=_("Family in hardship"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
