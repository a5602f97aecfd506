"""Web forms of community service. Forms validate input; services save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.community.choices import ActivityKind, CancelReason, VenueKind, VolunteerKind
from jiaozheng.community.models import Venue, Volunteer
from jiaozheng.core.roles import Role
from jiaozheng.core.scoping import scoped
from jiaozheng.education.forms import (
    DATE,
    TIME,
    OwnerMixin,
    UnitChoiceField,
    UnitMultipleChoiceField,
    UserChoiceField,
    staff_in_scope,
)
from jiaozheng.education.selectors import squadrons_for
from jiaozheng.orgs.models import OrgUnit, User

ORGANISER_ROLES = [
    Role.SOCIAL_WORKER,
    Role.SQUADRON_OFFICER,
    Role.BUREAU_OFFICER,
    Role.BUREAU_ADMIN,
    Role.COUNSELLOR,
]


class ActivityForm(forms.Form):
    theme = forms.CharField(label=_("Theme"), max_length=120)
    kind = forms.ChoiceField(label=pgettext_lazy("community", "Kind"), choices=ActivityKind.choices)
    squadrons = UnitMultipleChoiceField(
        label=_("Squadrons"),
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "The squadrons whose persons take part; none means the whole county (county staff only)."
        ),
    )
    venue = forms.ModelChoiceField(label=_("Partner venue"), queryset=Venue.objects.none(), required=False)
    place = forms.CharField(
        label=pgettext_lazy("community", "Place"),
        max_length=200,
        required=False,
        help_text=_("If not a partner venue"),
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Starts at"), widget=TIME)
    end_time = forms.TimeField(label=_("Ends at"), widget=TIME)
    hours = forms.DecimalField(
        label=pgettext_lazy("community", "Hours"),
        max_digits=4,
        decimal_places=1,
        required=False,
        min_value=0.5,
        max_value=12,
        help_text=_("Public-welfare hours for each participant; empty: the length of the activity."),
    )
    organiser = UserChoiceField(label=_("Organiser (account)"), queryset=User.objects.none(), required=False)
    organiser_name = forms.CharField(label=_("Organiser"), max_length=50, required=False)
    summary = forms.CharField(
        label=_("Record and feedback"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["squadrons"].queryset = squadrons_for(actor=actor)
        self.fields["venue"].queryset = scoped(Venue, actor).filter(active=True).order_by("kind", "name")
        self.fields["organiser"].queryset = staff_in_scope(actor, ORGANISER_ROLES)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["squadrons"] = list(data["squadrons"])
        return data


class HoldForm(forms.Form):
    summary = forms.CharField(
        label=_("Record and feedback"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done, how it went; upload photos as evidence below."),
    )


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CancelReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class VenueForm(OwnerMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("community", "Name"), max_length=100)
    kind = forms.ChoiceField(label=pgettext_lazy("community", "Kind"), choices=VenueKind.choices)
    township = UnitChoiceField(label=_("Township"), queryset=OrgUnit.objects.none(), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label=_("Partner now"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owner(actor, editing)
        self.fields["township"].queryset = (
            scoped(OrgUnit, actor).filter(kind=OrgUnit.Kind.TOWNSHIP).order_by("path", "sort_order")
        )


class VolunteerForm(OwnerMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("community", "Name"), max_length=50)
    kind = forms.ChoiceField(label=_("Member type"), choices=VolunteerKind.choices)
    organisation = forms.CharField(label=_("Organisation or trade"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    user = UserChoiceField(
        label=_("Staff account"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("For justice officers and social workers with an account."),
    )
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False)
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE, required=False)
    active = forms.BooleanField(label=_("Active member"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owner(actor, editing)
        self.fields["user"].queryset = staff_in_scope(actor, ORGANISER_ROLES)


class PersonsForm(forms.Form):
    persons = forms.ModelMultipleChoiceField(
        label=_("Supervised persons"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    hours = forms.DecimalField(
        label=pgettext_lazy("community", "Hours"),
        max_digits=4,
        decimal_places=1,
        required=False,
        min_value=0.5,
        max_value=12,
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["persons"].queryset = candidates
        self.fields["persons"].label_from_instance = lambda p: f"{p.name}（{p.squadron.name}）"


class MemberForm(forms.Form):
    user = UserChoiceField(label=_("Staff member"), queryset=User.objects.none(), required=False)
    volunteer = forms.ModelChoiceField(
        label=_("Volunteer"), queryset=Volunteer.objects.none(), required=False
    )
    hours = forms.DecimalField(
        label=pgettext_lazy("community", "Hours"),
        max_digits=4,
        decimal_places=1,
        required=False,
        min_value=0.5,
        max_value=12,
    )

    def __init__(self, *args: Any, actor: Any, county_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_in_scope(actor, ORGANISER_ROLES)
        self.fields["volunteer"].queryset = scoped(Volunteer, actor).filter(county_id=county_id, active=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("volunteer")):
            raise forms.ValidationError(_("Choose a staff member or a volunteer."))
        return data


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
