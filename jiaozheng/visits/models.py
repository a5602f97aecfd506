"""Visits and investigations (走访调查): standards as data, visit records, interventions, follow-up tasks,
attachments, hardship help, contract quotas, route plans and overdue warnings.

Writes go through jiaozheng.visits.services, reads through jiaozheng.visits.selectors. Rows that belong to a
person are scoped through the person (``person_scope(Domain.SERVICES)``) and audited (``AuditedModel``).
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.fields import EncryptedTextField
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule
from jiaozheng.people.choices import SupervisionClass
from jiaozheng.people.models import person_scope
from jiaozheng.visits.choices import (
    Entrant,
    FieldVisitTarget,
    HelpKind,
    InterventionKind,
    PeriodUnit,
    QuotaUnit,
    RiskSign,
    TaskStatus,
    VisitMethod,
    VisitOutcome,
    VisitType,
)


class VisitStandard(AuditedModel):
    """One row of a jurisdiction's visit standards: which visits are due how often, for whom.

    A county's active rows replace its province's rows as a whole; with no rows for either, the built-in
    defaults of ``jiaozheng.visits.standards.DEFAULT_STANDARDS`` apply (see docs/visits.md).
    """

    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.CASCADE,
        related_name="visit_standards",
        verbose_name=_("province or county"),
    )
    name = models.CharField(pgettext_lazy("standard", "name"), max_length=100)
    visit_type = models.CharField(_("visit due"), max_length=12, choices=VisitType.choices)
    supervision_class = models.CharField(
        _("supervision class"),
        max_length=12,
        choices=SupervisionClass.choices,
        blank=True,
        help_text=_("Empty: every class"),
    )
    entrant = models.CharField(_("new entrants"), max_length=8, choices=Entrant.choices, default=Entrant.ANY)
    required_count = models.PositiveSmallIntegerField(_("visits required"), default=1)
    period_unit = models.CharField(
        _("period unit"), max_length=8, choices=PeriodUnit.choices, default=PeriodUnit.MONTH
    )
    period_length = models.PositiveSmallIntegerField(_("period length"), default=1)
    counts_types = models.JSONField(
        _("visit kinds that count"), default=list, help_text=_("Visit kinds that satisfy this standard")
    )
    methods = models.JSONField(
        _("methods that count"), default=list, blank=True, help_text=_("Empty: any method")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("in force"), default=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Document or decision that sets this standard")
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.SERVICES, county="unit", county_wide=True)

    class Meta:
        ordering = ["unit", "visit_type", "supervision_class", "id"]
        verbose_name = _("visit standard")
        verbose_name_plural = _("visit standards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(required_count__gte=1) & models.Q(period_length__gte=1),
                name="visitstandard_positive",
                violation_error_message=_("The count and the period must be at least 1."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="visitstandard_validity_order",
                violation_error_message=_("The validity cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.name}"


class Visit(AuditedModel):
    """A visit record (走访记录): one contact with a supervised person, by phone, at the office or in the field."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="visits", verbose_name=_("person")
    )
    visit_type = models.CharField(_("visit kind"), max_length=12, choices=VisitType.choices, db_index=True)
    method = models.CharField(_("method"), max_length=16, choices=VisitMethod.choices)
    field_target = models.CharField(
        _("field-visit target"), max_length=20, choices=FieldVisitTarget.choices, blank=True
    )
    outcome = models.CharField(
        pgettext_lazy("visit", "outcome"),
        max_length=12,
        choices=VisitOutcome.choices,
        default=VisitOutcome.COMPLETED,
    )
    visited_at = models.DateTimeField(_("date and time"))
    visited_on = models.DateField(_("date"), db_index=True, editable=False)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="VisitVisitor",
        related_name="visits_made",
        verbose_name=_("visitors"),
    )
    other_visitors = models.CharField(
        _("other visitors"),
        max_length=200,
        blank=True,
        help_text=_("People without an account who took part (village cadre, police officer)"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    people_met = models.CharField(_("people met"), max_length=300, blank=True)
    thinking = EncryptedTextField(_("thinking and attitude"), blank=True)  # 思想动态
    conduct = EncryptedTextField(_("conduct"), blank=True)  # 现实表现
    family = EncryptedTextField(_("family situation"), blank=True)  # 家庭情况
    work = EncryptedTextField(_("work or study"), blank=True)  # 工作（学习）情况
    risk_signs = models.JSONField(_("risk signs"), default=list, blank=True)
    risk_note = EncryptedTextField(_("risk details"), blank=True)
    summary = EncryptedTextField(_("other remarks"), blank=True)
    latitude = models.FloatField(_("visitor latitude"), null=True, blank=True)
    longitude = models.FloatField(_("visitor longitude"), null=True, blank=True)
    accuracy_m = models.FloatField(_("position accuracy (m)"), null=True, blank=True)
    position_at = models.DateTimeField(_("position captured at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    imported = models.BooleanField(_("imported"), default=False)
    exported_at = models.DateTimeField(_("exported to the provincial system"), null=True, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES)

    class Meta:
        ordering = ["-visited_at", "-id"]
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        indexes = [
            models.Index(fields=["person", "visited_on"], name="visit_person_day"),
            models.Index(fields=["visited_on", "visit_type"], name="visit_day_type"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(method=VisitMethod.FIELD_VISIT) & ~models.Q(field_target=""))
                | (~models.Q(method=VisitMethod.FIELD_VISIT) & models.Q(field_target="")),
                name="visit_field_target",
                violation_error_message=_("A field visit needs its target; other methods have none."),
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="visit_position_range",
                violation_error_message=_("The captured position is out of range."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_visit_type_display()} {self.visited_on:%Y-%m-%d}"

    @property
    def counts(self) -> bool:
        return self.outcome == VisitOutcome.COMPLETED

    @property
    def risk_sign_labels(self) -> list[str]:
        labels = dict(RiskSign.choices)
        return [str(labels.get(code, code)) for code in self.risk_signs or []]


class VisitVisitor(AuditedModel):
    """A staff member who made the visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="visitor_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES, path="visit__person")

    class Meta:
        ordering = ["visit", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "user"], name="visitvisitor_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.visit_id}"


class Intervention(AuditedModel):
    """A measure taken on a visit's findings (训诫, psychological referral, hardship help, talk)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="interventions")
    kind = models.CharField(_("intervention"), max_length=16, choices=InterventionKind.choices)
    note = EncryptedTextField(_("reason and content"))
    decided_on = models.DateField(_("date"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_model = models.CharField(max_length=80, blank=True)  # the record the side effect wrote
    linked_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES, path="visit__person")

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_on:%Y-%m-%d}"


def _attachment_path(instance: VisitAttachment, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    today = timezone.localdate()
    return f"visits/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class VisitAttachment(AuditedModel):
    """A photo or document of a visit (signed record, scene photo). Served only through a scoped view."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES, path="visit__person")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class FollowUpTask(AuditedModel):
    """Something to do after a visit, by a date (revisit, call the employer, deliver help)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="visit_tasks", verbose_name=_("person")
    )
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("visit")
    )
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due on"), db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_tasks",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    result = EncryptedTextField(_("result"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES)

    class Meta:
        ordering = ["status", "due_on", "id"]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on < timezone.localdate()


class HardshipHelp(AuditedModel):
    """Help given to a family in hardship (困难帮扶): what, when, how much, by whom."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="hardship_help", verbose_name=_("person")
    )
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="help_given"
    )
    kind = models.CharField(_("kind of help"), max_length=20, choices=HelpKind.choices)
    given_on = models.DateField(_("given on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    material = models.CharField(_("goods or service"), max_length=200, blank=True)
    given_by = models.CharField(_("given by"), max_length=100, help_text=_("Organisation or person"))
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("hardship help")
        verbose_name_plural = _("hardship help")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="hardshiphelp_amount_positive",
                violation_error_message=_("The amount must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.given_on:%Y-%m-%d}"


class VisitQuota(AuditedModel):
    """A contract's visit quota: e.g. 330 routine visits (人次), 50 focus subjects (人)."""

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        related_name="visit_quotas",
        verbose_name=_("contract"),
    )
    visit_type = models.CharField(_("visit kind"), max_length=12, choices=VisitType.choices)
    unit = models.CharField(_("counted as"), max_length=10, choices=QuotaUnit.choices)
    target = models.PositiveIntegerField(_("target"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.PERFORMANCE, county="contract__counties", multi=True)

    class Meta:
        ordering = ["contract", "visit_type", "unit"]
        verbose_name = _("visit quota")
        verbose_name_plural = _("visit quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "visit_type", "unit"],
                name="visitquota_unique",
                violation_error_message=_("This contract already has this quota."),
            ),
            models.CheckConstraint(
                condition=models.Q(target__gte=1),
                name="visitquota_target_positive",
                violation_error_message=_("The target must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_visit_type_display()} {self.target} {self.get_unit_display()}"


class RoutePlan(AuditedModel):
    """A planned field day of a squadron: the order of focus visits per visiting team and what did not fit."""

    squadron = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("squadron")
    )
    plan_date = models.DateField(_("day"))
    params = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.SERVICES, county="squadron__county", squadron="squadron")

    class Meta:
        ordering = ["-plan_date", "-id"]
        verbose_name = _("route plan")
        verbose_name_plural = _("route plans")

    def __str__(self) -> str:
        return f"{self.squadron} {self.plan_date:%Y-%m-%d}"

    @property
    def planned_count(self) -> int:
        return sum(len(r.get("stops", [])) for r in self.result.get("routes", []))

    @property
    def unplanned_count(self) -> int:
        return len(self.result.get("unplanned", []))


class DueWarning(AuditedModel):
    """An overdue warning sent for one missed window of one standard (sent once per window)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    standard_key = models.CharField(max_length=40)
    visit_type = models.CharField(max_length=12, choices=VisitType.choices)
    window_start = models.DateField()
    window_end = models.DateField()
    warned_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES)

    class Meta:
        ordering = ["-warned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "standard_key", "window_start"], name="duewarning_once_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.visit_type} {self.window_start}–{self.window_end}"
