"""Supervision procedures (domain.md (b)): the legal steps of a case, each with its deadline.

- ``Investigation`` (调查评估): a commission from a court, procuratorate, police or prison to assess a
  defendant before sentence; the opinion (调查评估意见书) is due within a number of working days
  (``supervision.investigation_working_days``; fewer in 速裁 cases) and a copy goes to the procuratorate.
  The defendant is not yet a supervised person, so the row belongs to the county, not to a Person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule
from jiaozheng.people.models import person_scope
from jiaozheng.supervision.choices import (
    ApprovalLevel,
    Commissioner,
    Conclusion,
    InvestigationStatus,
    PermitKind,
    PermitStatus,
    RelocationStatus,
    Ruling,
    SanctionGround,
    SanctionKind,
    SanctionStatus,
    TravelStatus,
)

USER = settings.AUTH_USER_MODEL


class Investigation(AuditedModel):
    """One 调查评估 commission and its opinion."""

    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    # The 司法所 (squadron) of the defendant's residence that investigates; empty: the county itself.
    squadron = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("squadron"),
    )
    commissioner = models.CharField(_("commissioned by"), max_length=16, choices=Commissioner.choices)
    commissioner_name = models.CharField(_("commissioning authority"), max_length=120)
    reference = models.CharField(_("commission number"), max_length=64, blank=True)
    defendant_name = models.CharField(_("defendant"), max_length=64)
    summary_procedure = models.BooleanField(_("summary (速裁) procedure"), default=False)
    commissioned_on = models.DateField(_("commissioned on"))
    due_on = models.DateField(_("opinion due on"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InvestigationStatus.choices,
        default=InvestigationStatus.REGISTERED,
        db_index=True,
    )
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("investigator"),
    )
    findings = models.TextField(_("findings"), blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=16, choices=Conclusion.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    answered_on = models.DateField(_("opinion sent on"), null=True, blank=True)
    procuratorate_copied_on = models.DateField(_("copy to the procuratorate on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.CASELOAD, county="county", squadron="squadron", county_wide=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("investigation commission")

    def __str__(self) -> str:
        return f"{self.defendant_name} {self.commissioned_on:%Y-%m-%d}"

    def is_late(self, today=None) -> bool:
        today = today or timezone.localdate()
        if self.answered_on is not None:
            return self.answered_on > self.due_on
        return today > self.due_on


class TravelRequest(AuditedModel):
    """外出: a request to leave the city or county, its decision at the right level, and the return report.

    An approved trip is handed to the trip listeners of jiaozheng.core.trips (location makes it the
    permitted zone); supervision does not import location.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="travel_requests")
    destination = models.CharField(_("destination"), max_length=120)
    # 6-digit division code of the destination county: with it, an approved trip becomes location's
    # permitted zone (through jiaozheng.core.trips).
    destination_code = models.CharField(_("destination division code"), max_length=6, blank=True)
    reason = models.TextField(_("reason"))
    start_on = models.DateField(_("leaves on"))
    end_on = models.DateField(_("returns by"))
    level = models.CharField(_("approving level"), max_length=12, choices=ApprovalLevel.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TravelStatus.choices,
        default=TravelStatus.REQUESTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    returned_on = models.DateField(_("reported back on"), null=True, blank=True)
    return_note = models.TextField(_("return report"), blank=True)
    # What the trip listeners made of the approval (core.trips), e.g. ["location.permit=12"].
    zone_refs = models.JSONField(default=list, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.CASELOAD)

    class Meta:
        ordering = ["-start_on", "-id"]
        verbose_name = _("travel request")

    def __str__(self) -> str:
        return f"{self.destination} {self.start_on:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.end_on - self.start_on).days + 1


class Release(AuditedModel):
    """解矫: the 解矫宣告, the 解除社区矫正证明书 (numbered per county and year) and the notices sent.

    The person's status moves to released through ``people.services.person_release``; after that the
    person's file is read-only (people refuses changes to a released person).
    """

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="release")
    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    released_on = models.DateField(_("released on"))
    announced = models.BooleanField(_("release announced"), default=True)
    appraisal = models.TextField(_("appraisal"), blank=True)
    notified_court_on = models.DateField(_("court notified on"), null=True, blank=True)
    notified_procuratorate_on = models.DateField(_("procuratorate notified on"), null=True, blank=True)
    notified_police_on = models.DateField(_("police notified on"), null=True, blank=True)
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager()
    scope_rule = person_scope(Domain.CASELOAD)

    class Meta:
        ordering = ["-released_on", "-id"]
        verbose_name = _("release")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "number"], name="release_number_per_county_year"
            )
        ]

    def __str__(self) -> str:
        return self.number_text

    @property
    def number_text(self) -> str:
        return f"{self.county.name}（{self.year}）矫解字第{self.number:03d}号"


class ReportFollowUp(AuditedModel):
    """未按时报到: a task raised when a person has not reported by the deadline (L art. 21: search at once).

    Closed by the officer with a note, or by itself when the person's report is recorded in people."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="report_followups")
    deadline = models.DateField(_("report deadline"))
    raised_at = models.DateTimeField(default=timezone.now)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note = models.TextField(_("action taken"), blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.CASELOAD)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("missed report")
        constraints = [models.UniqueConstraint(fields=["person", "deadline"], name="report_followup_once")]


class CountyDecision(AuditedModel):
    """A person's procedure that the county agency decides, at the level a rule names: who decided, in which
    role, on which day and why. Each procedure names the due date of its open step (``due_on``); it is late
    once that day has passed."""

    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_role = models.CharField(_("deciding role"), max_length=24, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.CASELOAD)

    class Meta:
        abstract = True

    @property
    def due_on(self):
        return None

    def is_late(self, today=None) -> bool:
        due = self.due_on
        return due is not None and (today or timezone.localdate()) > due


class SanctionCase(CountyDecision):
    """考核奖惩: the 司法所's findings, the county's decision (表扬, 训诫, 警告 or a proposal to the court or
    deciding authority) with the deciding role, and for a proposal the ruling within its window.

    A 表扬/训诫/警告 decided here is written to the person's discipline record through people
    (``discipline_add``), so the counters there stay the single count."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="sanction_cases")
    kind = models.CharField(_("kind"), max_length=16, choices=SanctionKind.choices)
    ground = models.CharField(_("ground"), max_length=24, choices=SanctionGround.choices)
    facts = models.TextField(_("facts"))
    occurred_on = models.DateField(_("facts dated"))
    days_out = models.PositiveIntegerField(_("days late or out of supervision"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SanctionStatus.choices,
        default=SanctionStatus.PROPOSED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposed_on = models.DateField(_("findings sent on"), default=timezone.localdate)
    decision_due_on = models.DateField(_("decision due on"), db_index=True)
    discipline_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Proposals: sent to the court / deciding authority, copied to the procuratorate, ruling awaited.
    authority = models.CharField(_("sent to"), max_length=120, blank=True)
    ruling_due_on = models.DateField(_("ruling due on"), null=True, blank=True, db_index=True)
    procuratorate_copied_on = models.DateField(_("copy to the procuratorate on"), null=True, blank=True)
    ruling = models.CharField(_("ruling"), max_length=12, choices=Ruling.choices, blank=True)
    ruled_on = models.DateField(_("ruled on"), null=True, blank=True)
    ruling_note = models.TextField(_("ruling note"), blank=True)

    class Meta:
        ordering = ["-proposed_on", "-id"]
        verbose_name = _("sanction case")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on:%Y-%m-%d}"

    @property
    def due_on(self):
        if self.status == SanctionStatus.PROPOSED:
            return self.decision_due_on
        if self.status == SanctionStatus.SUBMITTED:
            return self.ruling_due_on
        return None


class PermitRequest(CountyDecision):
    """会客 / 进入特定场所: a request, the county's decision (with the deciding role), due in working days."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="permit_requests")
    kind = models.CharField(_("kind"), max_length=16, choices=PermitKind.choices)
    subject = models.CharField(_("whom or where"), max_length=120)
    reason = models.TextField(_("reason"))
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PermitStatus.choices,
        default=PermitStatus.REQUESTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    decision_due_on = models.DateField(_("decision due on"), db_index=True)

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("visitor or place request")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}"

    @property
    def due_on(self):
        return self.decision_due_on if self.status == PermitStatus.REQUESTED else None


class Relocation(CountyDecision):
    """迁居 / 变更执行地: application, consultation of the receiving county and its reply, the decision,
    the file hand-over and the person's arrival report, each with its due date."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="relocations")
    new_address = models.CharField(_("new address"), max_length=200)
    receiving_county = models.CharField(_("receiving county agency"), max_length=120)
    change_of_execution = models.BooleanField(_("change of the place of execution"), default=True)
    reason = models.TextField(_("reason"))
    planned_on = models.DateField(_("planned move"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RelocationStatus.choices,
        default=RelocationStatus.REQUESTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_on = models.DateField(_("applied on"))
    consult_due_on = models.DateField(_("consultation due on"))
    consulted_on = models.DateField(_("consulted on"), null=True, blank=True)
    reply_due_on = models.DateField(_("reply due on"), null=True, blank=True)
    replied_on = models.DateField(_("reply received on"), null=True, blank=True)
    receiving_agrees = models.BooleanField(_("receiving county agrees"), null=True, blank=True)
    files_due_on = models.DateField(_("files due on"), null=True, blank=True)
    files_sent_on = models.DateField(_("files sent on"), null=True, blank=True)
    arrival_due_on = models.DateField(_("arrival report due on"), null=True, blank=True)
    arrived_on = models.DateField(_("reported to the new county on"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("change of residence")

    def __str__(self) -> str:
        return f"{self.receiving_county} {self.planned_on:%Y-%m-%d}"

    @property
    def due_on(self):
        """The due date of the open step (the earliest one still open), or None when closed."""
        s = RelocationStatus
        if self.status == s.REQUESTED:
            return self.consult_due_on
        if self.status == s.CONSULTED:
            return self.reply_due_on
        if self.status == s.APPROVED:
            open_steps = [
                d
                for d, done in (
                    (self.files_due_on, self.files_sent_on),
                    (self.arrival_due_on, self.arrived_on),
                )
                if d and not done
            ]
            return min(open_steps) if open_steps else None
        return None


class Reexamination(AuditedModel):
    """暂予监外执行 (保外就医): a medical re-examination the person submitted. The next one is due
    ``supervision.reexam_interval_months`` after the latest (or after intake when there is none)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="reexaminations")
    examined_on = models.DateField(_("examined on"))
    hospital = models.CharField(_("hospital"), max_length=120)
    conditions_persist = models.BooleanField(
        _("the conditions for execution outside prison persist"), default=True
    )
    summary = models.TextField(_("result"), blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager()
    scope_rule = person_scope(Domain.CASELOAD)

    class Meta:
        ordering = ["-examined_on", "-id"]
        verbose_name = _("medical re-examination")

    def __str__(self) -> str:
        return f"{self.hospital} {self.examined_on:%Y-%m-%d}"
