"""Psychological assessment: assignments, answers, scored results, flags, reports, norms, external results.

- ``Assessment``: one administration of one scale to one person (online, paper or imported). Its
  ``result`` holds the scorer's full output (``jiaozheng.assessments.scoring``) with the scale version
  and definition hash, so a result can be explained and reproduced later; summary columns (validity,
  screen result, risk, primary score) are copied out for lists and measures.
- ``AnswerEntry``: who entered which answers, when and how (the person online, staff from paper, a
  correction with its reason, an import). Answers are audited here, one row per entry.
- ``RiskFlag``: an item flag (PHQ-9 item 9 → urgent) for the counsellors' list, with its handling.
- ``Report``: a 心理测验与评估分析报告 issued for an assessment, with the norm it used and the
  counsellor's comments; the PDF and DOCX are rendered from it on demand.
- ``LocalNorm``: a norm built from the agency's own valid assessments (``jiaozheng norms build``).
- ``ExternalResult`` / ``ExternalScore``: imported results of other instruments (COPA-PI), stored as
  printed, never rescored.

All rows are psychological data (Domain.PSYCH): visible to the staff of the person's squadron or county
and to the person themselves; reads of results are logged (``access_log("psych", ...)``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.assessments.choices import (
    AssessmentStatus,
    EntryMethod,
    EntryOrigin,
    ExternalVersion,
    FlagSeverity,
    FlagStatus,
    Mode,
    RiskLevel,
    Validity,
)
from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.fields import EncryptedJSONField, EncryptedTextField
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule
from jiaozheng.people.models import person_scope

USER = settings.AUTH_USER_MODEL


class AssessmentBatch(AuditedModel):
    """A batch assignment (e.g. every new entrant of a month) for follow-up of who has answered."""

    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    scale_code = models.CharField(_("scale"), max_length=16)
    label = models.CharField(_("batch"), max_length=120)
    criteria = models.JSONField(default=dict, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    size = models.PositiveIntegerField(default=0)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.PSYCH, county="county", county_wide=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assessment batch")
        verbose_name_plural = _("assessment batches")

    def __str__(self) -> str:
        return self.label


class Assessment(AuditedModel):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="assessments")
    scale_code = models.CharField(_("scale"), max_length=16, db_index=True)
    scale_version = models.CharField(_("scale version"), max_length=40)
    scale_hash = models.CharField(max_length=64)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.ASSIGNED,
        db_index=True,
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    batch = models.ForeignKey(
        AssessmentBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    assigned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    administered_on = models.DateField(_("date of the test"), null=True, blank=True, db_index=True)
    entered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answers = EncryptedJSONField(default=dict, blank=True)
    item_seconds = models.JSONField(default=dict, blank=True)
    current_item = models.PositiveSmallIntegerField(null=True, blank=True)
    shown_at = models.DateTimeField(null=True, blank=True)
    total_seconds = models.FloatField(_("answering time (s)"), null=True, blank=True)
    result = EncryptedJSONField(default=dict, blank=True)
    validity = models.CharField(
        _("validity"), max_length=12, choices=Validity.choices, blank=True, db_index=True
    )
    screen_positive = models.BooleanField(_("screen positive"), null=True, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, blank=True)
    primary_score = models.FloatField(_("main score"), null=True, blank=True)
    urgent = models.BooleanField(_("urgent flag"), default=False, db_index=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    # Answers are audited one entry at a time in AnswerEntry; the timing scratch fields are not audited.
    audit_exclude = ("answers", "item_seconds", "result", "current_item", "shown_at")

    objects = ScopedManager()
    scope_rule = person_scope(Domain.PSYCH)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [
            models.Index(fields=["person", "scale_code", "status"], name="assess_person_scale"),
            models.Index(fields=["status", "administered_on"], name="assess_status_date"),
            models.Index(fields=["person", "status", "administered_on"], name="assess_person_status_date"),
        ]

    def __str__(self) -> str:
        from jiaozheng.assessments.scales import ScaleError, get_scale

        try:
            title = get_scale(self.scale_code).short_title()
        except ScaleError:
            title = self.scale_code
        return f"{title} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (AssessmentStatus.ASSIGNED, AssessmentStatus.IN_PROGRESS)

    @property
    def scale(self):
        from jiaozheng.assessments.scales import get_scale

        return get_scale(self.scale_code)

    @property
    def answered_count(self) -> int:
        return sum(1 for v in self.answers.values() if v is not None)


class AnswerEntry(AuditedModel):
    """Answers entered into an assessment: by whom, when, how, and (for corrections) why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    origin = models.CharField(max_length=12, choices=EntryOrigin.choices)
    answers = EncryptedJSONField(default=dict)
    seconds = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.PSYCH, path="assessment__person")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("answer entry")
        verbose_name_plural = _("answer entries")

    def __str__(self) -> str:
        return f"{self.get_origin_display()} {self.at:%Y-%m-%d %H:%M}"


class RiskFlag(AuditedModel):
    """An item flag raised by a scored assessment (PHQ-9 item 9 ≥ 1: urgent)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="risk_flags")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=40)
    severity = models.CharField(_("severity"), max_length=8, choices=FlagSeverity.choices)
    label = models.CharField(_("flag"), max_length=200)
    item = models.PositiveSmallIntegerField(_("item"))
    value = models.IntegerField(_("answer"))
    threshold = models.CharField(_("rule"), max_length=40)
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=14, choices=FlagStatus.choices, default=FlagStatus.OPEN, db_index=True
    )
    handled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.PSYCH)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("risk flag")
        verbose_name_plural = _("risk flags")

    def __str__(self) -> str:
        return f"{self.label} #{self.pk}"


class Report(AuditedModel):
    """心理测验与评估分析报告 for one assessment; rendered to PDF/DOCX from this row and the result."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="reports")
    number = models.CharField(_("report number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"), db_index=True)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    norm_code = models.CharField(_("norm"), max_length=60, blank=True)
    norm = models.JSONField(default=dict, blank=True)
    comments = EncryptedTextField(_("counsellor's comments"))
    counsellor_name = models.CharField(_("counsellor"), max_length=50)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    withdrawn_reason = models.CharField(max_length=200, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.PSYCH, path="assessment__person")

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("assessment report")
        verbose_name_plural = _("assessment reports")

    def __str__(self) -> str:
        return self.number


class LocalNorm(AuditedModel):
    """A norm built from the agency's own valid assessments (M and SD per metric, n, date range)."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    scale_code = models.CharField(_("scale"), max_length=16, db_index=True)
    county = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(_("name"), max_length=120)
    n = models.PositiveIntegerField(_("number of assessments"))
    date_from = models.DateField(pgettext_lazy("norm period", "from"))
    date_to = models.DateField(pgettext_lazy("norm period", "until"))
    values = models.JSONField(default=dict)
    criteria = models.JSONField(default=dict, blank=True)
    built_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    built_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(_("in use"), default=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.PSYCH, county="county", county_wide=True)

    class Meta:
        ordering = ["scale_code", "-built_at"]
        verbose_name = _("local norm")
        verbose_name_plural = _("local norms")

    def __str__(self) -> str:
        return self.label


class ExternalResult(AuditedModel):
    """Results of an external instrument (COPA-PI), stored as printed in the source document."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="external_results")
    instrument = models.CharField(_("instrument"), max_length=40, default="COPA-PI")
    version = models.CharField(
        _("version"), max_length=10, choices=ExternalVersion.choices, default=ExternalVersion.UNKNOWN
    )
    administered_on = models.DateField(_("tested on"))
    administering_org = models.CharField(_("tested by (organisation)"), max_length=120)
    source_name = models.CharField(_("source document"), max_length=200)
    source_sha256 = models.CharField(max_length=64)
    source_file = models.FileField(upload_to="assessments/external/%Y/", blank=True)
    entered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    entry_method = models.CharField(_("entry method"), max_length=8, choices=EntryMethod.choices)
    valid_as_printed = models.BooleanField(_("valid (as printed)"), null=True, blank=True)
    validity_indicators = models.JSONField(default=dict, blank=True)
    note = EncryptedTextField(_("note"), blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.PSYCH)

    class Meta:
        ordering = ["-administered_on", "-id"]
        verbose_name = _("external result")
        verbose_name_plural = _("external results")

    def __str__(self) -> str:
        return f"{self.instrument} {self.administered_on}"


class ExternalScore(AuditedModel):
    result = models.ForeignKey(ExternalResult, on_delete=models.CASCADE, related_name="scores")
    order = models.PositiveSmallIntegerField(default=0)
    dimension = models.CharField(_("dimension"), max_length=40)
    raw = models.DecimalField(_("raw score"), max_digits=8, decimal_places=2, null=True, blank=True)
    standard = models.DecimalField(_("standard score"), max_digits=8, decimal_places=2, null=True, blank=True)
    interpretation = EncryptedTextField(_("interpretation (as printed)"), blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.PSYCH, path="result__person")

    class Meta:
        ordering = ["result", "order", "id"]
        verbose_name = _("external score")
        verbose_name_plural = _("external scores")

    def __str__(self) -> str:
        return f"{self.dimension} {self.standard}"
