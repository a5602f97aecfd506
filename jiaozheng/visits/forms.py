"""Web forms of the visits module. Forms validate input; services save."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.orgs.models import OrgUnit
from jiaozheng.people.choices import SupervisionClass
from jiaozheng.visits.choices import (
    Entrant,
    FieldVisitTarget,
    HelpKind,
    InterventionKind,
    PeriodUnit,
    QuotaUnit,
    RiskSign,
    VisitMethod,
    VisitOutcome,
    VisitType,
)
from jiaozheng.visits.services import InterventionInput, TaskInput, VisitInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = {"rows": 2}


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.get_role_display()}）"


class StaffOneField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.get_role_display()}）"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class VisitForm(forms.Form):
    """A visit record: the visit, findings, interventions, one follow-up task and attachments."""

    visit_type = forms.ChoiceField(label=_("Kind of visit"), choices=VisitType.choices)
    method = forms.ChoiceField(label=_("Method"), choices=VisitMethod.choices)
    field_target = forms.ChoiceField(
        label=_("Field-visit target"),
        choices=[("", "—"), *FieldVisitTarget.choices],
        required=False,
        help_text=_("Only for field visits"),
    )
    outcome = forms.ChoiceField(
        label=pgettext_lazy("visit", "Outcome"), choices=VisitOutcome.choices, initial=VisitOutcome.COMPLETED
    )
    visited_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=1, max_value=1440
    )
    visitors = StaffChoiceField(
        label=_("Visitors"), queryset=None, widget=forms.CheckboxSelectMultiple, required=True
    )
    other_visitors = forms.CharField(
        label=_("Other visitors"),
        max_length=200,
        required=False,
        help_text=_("Village cadre, police officer… without an account"),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    people_met = forms.CharField(label=_("People met"), max_length=300, required=False)
    thinking = forms.CharField(
        label=_("Thinking and attitude"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    conduct = forms.CharField(label=_("Conduct"), required=False, widget=forms.Textarea(attrs=TEXT))
    family = forms.CharField(label=_("Family situation"), required=False, widget=forms.Textarea(attrs=TEXT))
    work = forms.CharField(label=_("Work or study"), required=False, widget=forms.Textarea(attrs=TEXT))
    risk_signs = forms.MultipleChoiceField(
        label=_("Risk signs"), choices=RiskSign.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    risk_note = forms.CharField(label=_("Risk details"), required=False, widget=forms.Textarea(attrs=TEXT))
    summary = forms.CharField(label=_("Other remarks"), required=False, widget=forms.Textarea(attrs=TEXT))
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    accuracy_m = forms.FloatField(required=False, min_value=0, max_value=100000, widget=forms.HiddenInput)
    # interventions
    do_admonition = forms.BooleanField(label=_("Admonition (训诫)"), required=False)
    admonition_note = forms.CharField(
        label=_("Reason for the admonition"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    do_referral = forms.BooleanField(label=_("Psychological referral"), required=False)
    referral_note = forms.CharField(
        label=_("Reason for the referral"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    do_talk = forms.BooleanField(label=_("Individual education talk"), required=False)
    talk_note = forms.CharField(
        label=_("Content of the talk"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    do_help = forms.BooleanField(label=_("Hardship help"), required=False)
    help_kind = forms.ChoiceField(
        label=_("Kind of help"), choices=[("", "—"), *HelpKind.choices], required=False
    )
    help_amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    help_material = forms.CharField(label=_("Goods or service"), max_length=200, required=False)
    help_given_by = forms.CharField(label=_("Given by"), max_length=100, required=False)
    help_note = forms.CharField(
        label=_("Family situation and help"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    # follow-up
    task_title = forms.CharField(label=_("Follow-up task"), max_length=200, required=False)
    task_due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)
    task_assignee = StaffOneField(label=_("Assigned to"), queryset=None, required=False)
    attachments = MultipleFileField(label=_("Photos and documents"), required=False)

    INTERVENTION_FIELDS = ("admonition", "referral", "talk", "help")

    def __init__(self, *args: Any, staff: list[Any], can_admonish: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jiaozheng.orgs.models import User

        ids = [u.pk for u in staff]
        self.fields["visitors"].queryset = User.objects.filter(pk__in=ids).order_by("role", "full_name")
        self.fields["task_assignee"].queryset = User.objects.filter(pk__in=ids).order_by("role", "full_name")
        self.can_admonish = can_admonish
        if not can_admonish:
            self.fields["do_admonition"].disabled = True
            self.fields["do_admonition"].help_text = _("Decided by the bureau's or squadron's officers")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("method") == VisitMethod.FIELD_VISIT and not data.get("field_target"):
            self.add_error("field_target", _("Say where the field visit took place."))
        notes = {
            "admonition": "admonition_note",
            "referral": "referral_note",
            "talk": "talk_note",
            "help": "help_note",
        }
        for key, note in notes.items():
            if data.get(f"do_{key}") and not (data.get(note) or "").strip():
                self.add_error(note, _("Give the reason and content of the intervention."))
        if data.get("do_help"):
            if not data.get("help_kind"):
                self.add_error("help_kind", _("Choose the kind of help."))
            if not (data.get("help_given_by") or "").strip():
                self.add_error("help_given_by", _("Say who gave the help."))
            if data.get("help_amount") is None and not (data.get("help_material") or "").strip():
                self.add_error("help_material", _("Give the amount or describe the goods or service."))
        if (data.get("task_title") or "").strip() and not data.get("task_due_on"):
            self.add_error("task_due_on", _("Give the due date of the follow-up task."))
        return data

    def visit_input(self) -> VisitInput:
        d = self.cleaned_data
        interventions = []
        if d.get("do_admonition"):
            interventions.append(InterventionInput(InterventionKind.ADMONITION, d["admonition_note"]))
        if d.get("do_referral"):
            interventions.append(InterventionInput(InterventionKind.PSYCH_REFERRAL, d["referral_note"]))
        if d.get("do_talk"):
            interventions.append(InterventionInput(InterventionKind.EDUCATION_TALK, d["talk_note"]))
        if d.get("do_help"):
            interventions.append(
                InterventionInput(
                    InterventionKind.HARDSHIP_HELP,
                    d["help_note"],
                    help_kind=d["help_kind"],
                    amount=d.get("help_amount"),
                    material=d.get("help_material") or "",
                    given_by=d.get("help_given_by") or "",
                )
            )
        tasks = []
        if (d.get("task_title") or "").strip():
            tasks.append(TaskInput(d["task_title"], d["task_due_on"], d.get("task_assignee")))
        return VisitInput(
            visit_type=d["visit_type"],
            method=d["method"],
            field_target=d.get("field_target") or "",
            outcome=d["outcome"],
            visited_at=d["visited_at"],
            duration_minutes=d.get("duration_minutes"),
            visitors=list(d["visitors"]),
            other_visitors=d.get("other_visitors") or "",
            place=d.get("place") or "",
            people_met=d.get("people_met") or "",
            thinking=d.get("thinking") or "",
            conduct=d.get("conduct") or "",
            family=d.get("family") or "",
            work=d.get("work") or "",
            risk_signs=list(d.get("risk_signs") or []),
            risk_note=d.get("risk_note") or "",
            summary=d.get("summary") or "",
            latitude=d.get("latitude"),
            longitude=d.get("longitude"),
            accuracy_m=d.get("accuracy_m"),
            interventions=interventions,
            tasks=tasks,
        )

    def uploads(self) -> list[tuple[str, bytes]]:
        return [(f.name, f.read()) for f in self.cleaned_data.get("attachments") or []]


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Intervention"), choices=InterventionKind.choices)
    note = forms.CharField(label=_("Reason and content"), widget=forms.Textarea(attrs=TEXT))
    decided_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    help_kind = forms.ChoiceField(
        label=_("Kind of help"), choices=[("", "—"), *HelpKind.choices], required=False
    )
    help_amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    help_material = forms.CharField(label=_("Goods or service"), max_length=200, required=False)
    help_given_by = forms.CharField(label=_("Given by"), max_length=100, required=False)

    def item(self) -> InterventionInput:
        d = self.cleaned_data
        return InterventionInput(
            d["kind"],
            d["note"],
            help_kind=d.get("help_kind") or "",
            amount=d.get("help_amount"),
            material=d.get("help_material") or "",
            given_by=d.get("help_given_by") or "",
        )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Follow-up task"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    assignee = StaffOneField(label=_("Assigned to"), queryset=None, required=False)

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jiaozheng.orgs.models import User

        self.fields["assignee"].queryset = User.objects.filter(pk__in=[u.pk for u in staff])


class TaskCloseForm(forms.Form):
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs=TEXT), max_length=5000)
    cancel = forms.BooleanField(label=_("Cancel the task instead"), required=False)


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("Photos and documents"))


class HelpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of help"), choices=HelpKind.choices)
    given_on = forms.DateField(label=_("Given on"), widget=DATE, initial=timezone.localdate)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    material = forms.CharField(label=_("Goods or service"), max_length=200, required=False)
    given_by = forms.CharField(label=_("Given by"), max_length=100)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXT))


class StandardForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("standard", "Name"), max_length=100)
    visit_type = forms.ChoiceField(label=_("Visit due"), choices=VisitType.choices)
    supervision_class = forms.ChoiceField(
        label=_("Supervision class"),
        choices=[("", _("Every class")), *SupervisionClass.choices],
        required=False,
    )
    entrant = forms.ChoiceField(label=_("New entrants"), choices=Entrant.choices, initial=Entrant.ANY)
    required_count = forms.IntegerField(label=_("Visits required"), min_value=1, max_value=31, initial=1)
    period_length = forms.IntegerField(label=_("Every"), min_value=1, max_value=366, initial=1)
    period_unit = forms.ChoiceField(label=_("Period unit"), choices=PeriodUnit.choices)
    counts_types = forms.MultipleChoiceField(
        label=_("Visit kinds that count"), choices=VisitType.choices, widget=forms.CheckboxSelectMultiple
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods that count"),
        choices=VisitMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: any method"),
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    active = forms.BooleanField(label=_("In force"), required=False, initial=True)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXT))


class QuotaForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None)
    visit_type = forms.ChoiceField(label=_("Kind of visit"), choices=VisitType.choices)
    unit = forms.ChoiceField(label=_("Counted as"), choices=QuotaUnit.choices)
    target = forms.IntegerField(label=_("Target"), min_value=1, max_value=1_000_000)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts


class RoutePlanForm(forms.Form):
    squadron = forms.ModelChoiceField(label=_("Squadron"), queryset=OrgUnit.objects.none())
    plan_date = forms.DateField(label=_("Day"), widget=DATE)
    visitors = StaffChoiceField(
        label=_("Visitors"), queryset=None, widget=forms.CheckboxSelectMultiple, required=True
    )
    pairs = forms.BooleanField(
        label=_("Visit in pairs"), required=False, initial=True, help_text=_("Two visitors travel together")
    )
    day_start = forms.TimeField(
        label=_("Leave the office at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    day_minutes = forms.IntegerField(label=_("Workday (minutes)"), min_value=60, max_value=900)
    service_minutes = forms.IntegerField(label=_("Minutes per visit"), min_value=5, max_value=240)

    def __init__(self, *args: Any, squadrons: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jiaozheng.orgs.models import User

        self.fields["squadron"].queryset = squadrons
        self.fields["squadron"].label_from_instance = lambda obj: obj.name
        self.fields["visitors"].queryset = User.objects.filter(pk__in=[u.pk for u in staff]).order_by(
            "role", "full_name"
        )

    def clean_plan_date(self) -> dt.date:
        value = self.cleaned_data["plan_date"]
        today = timezone.localdate()
        if value < today:
            raise forms.ValidationError(_("Plan today or a later day."))
        return value

    def teams(self) -> list[list[Any]]:
        visitors = list(self.cleaned_data["visitors"])
        if self.cleaned_data.get("pairs") and len(visitors) > 1:
            return [visitors[i : i + 2] for i in range(0, len(visitors), 2)]
        return [[v] for v in visitors]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
