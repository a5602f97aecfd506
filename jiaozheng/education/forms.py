"""Web forms of education. Forms validate input; services save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.core.roles import Role
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.education.choices import (
    CancelReason,
    EducationMode,
    EducationStage,
    LecturerKind,
    TopicCategory,
)
from jiaozheng.education.models import Course
from jiaozheng.education.selectors import squadrons_for
from jiaozheng.orgs.models import OrgUnit, User
from jiaozheng.people.choices import OffenceCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
LECTURER_ROLES = [
    Role.SOCIAL_WORKER,
    Role.COUNSELLOR,
    Role.SQUADRON_OFFICER,
    Role.BUREAU_OFFICER,
    Role.BUREAU_ADMIN,
]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name or obj.username}（{obj.get_role_display()}）"


def staff_in_scope(actor: Any, roles: list[str] | None = None) -> QuerySet[User]:
    """Active staff posted in the counties the actor works in (lecturers, organisers)."""
    scope = scope_for(actor)
    qs = User.objects.filter(is_active=True, role__in=roles or LECTURER_ROLES, is_system=False)
    if not scope.unrestricted:
        counties = scope.all_county_ids
        qs = qs.filter(assignments__unit__county_id__in=counties)
    return qs.distinct().order_by("role", "full_name", "username")


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Theme"), max_length=120)
    category = forms.ChoiceField(label=_("Topic category"), choices=TopicCategory.choices)
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none(), required=False)
    mode = forms.ChoiceField(label=_("Format"), choices=EducationMode.choices)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=EducationStage.choices, initial=EducationStage.ROUTINE
    )
    squadrons = UnitMultipleChoiceField(
        label=_("Squadrons"),
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "A session may serve several squadrons; none means the whole county (county staff only)."
        ),
    )
    offence_categories = forms.MultipleChoiceField(
        label=_("Only for offence categories"),
        choices=OffenceCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Education by category: leave empty for everyone."),
    )
    for_juveniles = forms.BooleanField(
        label=_("Juveniles' session"),
        required=False,
        help_text=_("Juveniles are educated apart from adults."),
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Starts at"), widget=TIME)
    end_time = forms.TimeField(label=_("Ends at"), widget=TIME)
    place = forms.CharField(label=pgettext_lazy("education", "Place"), max_length=200, required=False)
    online_link = forms.URLField(
        label=_("Online link"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("For remote sessions: the live-stream or class link."),
    )
    lecturer = UserChoiceField(label=_("Lecturer (account)"), queryset=User.objects.none(), required=False)
    lecturer_name = forms.CharField(
        label=_("Lecturer"), max_length=50, required=False, help_text=_("For lecturers without an account.")
    )
    lecturer_kind = forms.ChoiceField(label=_("Lecturer type"), choices=LecturerKind.choices)
    hours = forms.DecimalField(
        label=_("Hours credited"),
        max_digits=4,
        decimal_places=1,
        required=False,
        min_value=0.5,
        max_value=12,
        help_text=_("Empty: the length of the session in half hours."),
    )
    max_score = forms.DecimalField(
        label=_("Full marks of the quiz"),
        max_digits=5,
        decimal_places=1,
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Only if the session has a quiz or exam."),
    )
    summary = forms.CharField(
        label=_("Record and feedback"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["squadrons"].queryset = squadrons_for(actor=actor)
        self.fields["course"].queryset = (
            scoped(Course, actor).filter(active=True).order_by("category", "title")
        )
        self.fields["lecturer"].queryset = staff_in_scope(actor)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["squadrons"] = list(data["squadrons"])
        return data


class HoldForm(forms.Form):
    summary = forms.CharField(
        label=_("Record and feedback"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was taught, how it went, what to follow up."),
    )


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CancelReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RescheduleForm(forms.Form):
    date = forms.DateField(label=_("New date"), widget=DATE)
    start_time = forms.TimeField(label=_("Starts at"), widget=TIME)
    end_time = forms.TimeField(label=_("Ends at"), widget=TIME)
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *CancelReason.choices], required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class OwnerMixin:
    """An optional owning squadron: empty means shared by the whole county (county staff only)."""

    def _owner(self, actor: Any, editing: bool) -> None:
        field = UnitChoiceField(
            label=_("Squadron"),
            queryset=squadrons_for(actor=actor),
            required=False,
            empty_label=_("— the whole county —"),
            help_text=_("A squadron's own record, or shared by the whole county (county staff only)."),
        )
        scope = scope_for(actor)
        if not scope.unrestricted and not scope.county_ids:
            field.required = True
            field.empty_label = None
        if editing:
            field.disabled = True
        self.fields["squadron"] = field  # type: ignore[attr-defined]


class CourseForm(OwnerMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    category = forms.ChoiceField(label=_("Topic category"), choices=TopicCategory.choices)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=EducationStage.choices, initial=EducationStage.ROUTINE
    )
    default_hours = forms.DecimalField(
        label=pgettext_lazy("education", "Hours"),
        max_digits=4,
        decimal_places=1,
        min_value=0.5,
        max_value=12,
        initial=2,
    )
    lecturer_kind = forms.ChoiceField(label=_("Usual lecturer"), choices=LecturerKind.choices)
    offence_categories = forms.MultipleChoiceField(
        label=_("Suited to offence categories"),
        choices=OffenceCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Used by the plan helper for education by category; empty suits everyone."),
    )
    summary = forms.CharField(
        label=pgettext_lazy("education", "Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owner(actor, editing)


class CountyChoiceForm(forms.Form):
    county = UnitChoiceField(label=_("County"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jiaozheng.education.selectors import counties_for

        self.fields["county"].queryset = counties_for(actor=actor)


class MaterialForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, PowerPoint, Excel, text, JPEG/PNG, MP4 or MP3."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.doc,.docx,.ppt,.pptx,.xls,.xlsx,.txt,.jpg,.jpeg,.png,.mp4,.mp3"}
        ),
    )


class PlanThemeForm(forms.Form):
    theme = forms.CharField(label=_("Theme of the month"), max_length=120)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AdmonitionForm(forms.Form):
    month = forms.CharField(widget=forms.HiddenInput, max_length=7)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class SessionPlanForm(forms.Form):
    """方案: written before the session is held."""

    plan_aims = forms.CharField(label=_("Aims"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    plan_content = forms.CharField(
        label=_("Content"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    plan_method = forms.CharField(
        label=_("Method"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    plan_speaker = forms.CharField(label=_("Speaker"), required=False, max_length=100)
    plan_materials = forms.CharField(
        label=_("Materials and safety arrangements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        label=_("Reflection"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("The social worker's reflection after the session: what worked, what to change."),
    )


class SessionPhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
