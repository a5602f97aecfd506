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

    The permitted zone that location honours (location.TravelPermit) is not written from here (service
    apps do not import each other); an approved trip is the record a location hook can read.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="travel_requests")
    destination = models.CharField(_("destination"), max_length=120)
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
