"""Forms of the location pages (they validate input; services save)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiaozheng.location.choices import SANCTION_OUTCOMES, STAFF_OUTCOMES, DevicePlatform


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


class EnrolForm(forms.Form):
    platform = forms.ChoiceField(
        label=_("App on the phone"), choices=DevicePlatform.choices, initial=DevicePlatform.TRACCAR_CLIENT
    )
    label = forms.CharField(label=_("Phone model"), max_length=80, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EscalateForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is escalated"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    """The outcome is an explicit choice: radio buttons with none checked. The sanctioning outcome (训诫)
    is offered to officers only and asks for the facts and a confirmation."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, o.label) for o in STAFF_OUTCOMES],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    note = forms.CharField(
        label=_("What was found and done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    facts = forms.CharField(
        label=_("Facts of the violation (admonition only)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the person did, when and where: written into the discipline record."),
    )
    confirm = forms.BooleanField(
        label=_("I confirm these facts justify an admonition (训诫) on the person's record"), required=False
    )

    def __init__(self, *args: Any, officer: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not officer:
            self.fields["outcome"].choices = [
                (o.value, o.label) for o in STAFF_OUTCOMES if o not in SANCTION_OUTCOMES
            ]
            del self.fields["facts"]
            del self.fields["confirm"]


class BulkForm(forms.Form):
    """Acknowledge or resolve many alerts with one note: never a sanctioning outcome."""

    ACTIONS = [("acknowledge", _("Acknowledge")), ("resolve", _("Resolve"))]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        label=_("Outcome (when resolving)"),
        choices=[("", "—")] + [(o.value, o.label) for o in STAFF_OUTCOMES if o not in SANCTION_OUTCOMES],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    ids = forms.TypedMultipleChoiceField(coerce=int, required=True, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ids"].error_messages["required"] = _("Select at least one alert.")
        # any integer is accepted here; the service scopes each id (out of scope: not found)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids") or []
        self.fields["ids"].choices = [(v, v) for v in raw]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "resolve" and not data.get("outcome"):
            self.add_error("outcome", _("Choose the outcome."))
        return data


class TravelPermitForm(forms.Form):
    destination = forms.CharField(label=_("Destination"), max_length=100)
    destination_code = forms.CharField(
        label=_("Division code of the destination"),
        max_length=9,
        required=False,
        help_text=_("6 digits, e.g. 430102 for 长沙市芙蓉区; or give a circle below"),
    )
    start_on = _date_field(_("From"))
    end_on = _date_field(_("Until"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    center_latitude = forms.FloatField(
        label=_("Circle centre latitude"), required=False, min_value=-90, max_value=90
    )
    center_longitude = forms.FloatField(
        label=_("Circle centre longitude"), required=False, min_value=-180, max_value=180
    )
    radius_m = forms.IntegerField(
        label=_("Circle radius (metres)"), required=False, min_value=10, max_value=200_000
    )
    polygon = forms.CharField(
        label=_("Or a polygon (GeoJSON)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        circle = [data.get("center_latitude"), data.get("center_longitude"), data.get("radius_m")]
        zone = None
        if any(v is not None for v in circle):
            if not all(v is not None for v in circle):
                raise forms.ValidationError(_("A circle needs a centre and a radius."))
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

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "destination": d["destination"],
            "destination_code": d.get("destination_code") or "",
            "start_on": d["start_on"],
            "end_on": d["end_on"],
            "reason": d["reason"],
            "zone": d.get("zone"),
        }


WEEKDAYS = [
    (1, _("Mon")),
    (2, _("Tue")),
    (3, _("Wed")),
    (4, _("Thu")),
    (5, _("Fri")),
    (6, _("Sat")),
    (7, _("Sun")),
]


class ScheduleForm(forms.Form):
    """One weekly window of a forbidden zone (e.g. every night 22:00-06:00); "always" clears it."""

    always = forms.BooleanField(label=_("In force at all times"), required=False)
    days = forms.TypedMultipleChoiceField(
        label=_("Days"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    start = forms.TimeField(label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("always"):
            data["schedule"] = None
            return data
        if not data.get("days") or data.get("start") is None or data.get("end") is None:
            raise forms.ValidationError(_("Choose the days and the hours, or 'in force at all times'."))
        data["schedule"] = {
            "weekly": [
                {
                    "days": sorted(data["days"]),
                    "start": data["start"].strftime("%H:%M"),
                    "end": data["end"].strftime("%H:%M"),
                }
            ]
        }
        return data


class InstallImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
