"""Counselling: referrals, individual cases with confidential notes, group counselling.

- A ``Referral`` asks the counsellors to look at a person (from a visit, an assessment flag or by hand).
  Any staff member who may change SERVICES data can open one (``services.referral_open``).
- A ``CounsellingCase`` (个案) is opened by a counsellor, has goals, sessions and a closure with outcome.
  Its ``CaseNote`` rows hold the confidential notes: encrypted at rest and in the COUNSELLING_NOTES
  domain, which only counsellors may read.
- Group counselling (团体辅导): a ``GroupFormation`` proposal is computed from the eligible persons
  (``jiaozheng.counselling.grouping``), adjusted by the counsellor and confirmed into ``CounsellingGroup``
  rows; ``GroupSession`` rows record the sessions and ``GroupAttendance`` who came.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.fields import EncryptedTextField
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule
from jiaozheng.counselling.choices import (
    CaseOutcome,
    CaseStatus,
    FormationStatus,
    GroupSessionStatus,
    GroupStatus,
    ReferralSource,
    ReferralStatus,
    SessionMode,
)
from jiaozheng.people.models import person_scope

USER = settings.AUTH_USER_MODEL


class Referral(AuditedModel):
    """A request that a counsellor look at a person (转介)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    reason = EncryptedTextField(_("reason"))
    source = models.CharField(_("source"), max_length=16, choices=ReferralSource.choices)
    source_model = models.CharField(max_length=80, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.OPEN, db_index=True
    )
    opened_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(_("decision note"), blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["source_model", "source_id"], name="referral_source")]

    def __str__(self) -> str:
        return f"{_('Referral')} #{self.pk} {self.get_source_display()}"


class CounsellingCase(AuditedModel):
    """个案辅导: an individual counselling case."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="counselling_cases")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    counsellor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="counselling_cases"
    )
    opened_on = models.DateField(_("opened on"), db_index=True)
    opened_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    presenting_problem = EncryptedTextField(_("presenting problem"))
    goals = EncryptedTextField(pgettext_lazy("counselling", "goals"))
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CaseOutcome.choices, blank=True)
    closing_summary = EncryptedTextField(_("closing summary"), blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("individual counselling case")
        verbose_name_plural = _("individual counselling cases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
                violation_error_message=_("A case cannot be closed before it was opened."),
            )
        ]

    def __str__(self) -> str:
        return f"{_('Case')} #{self.pk}"


class CaseSession(AuditedModel):
    """One individual counselling session (date, length, mode and a non-confidential topic)."""

    case = models.ForeignKey(CounsellingCase, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("held on"))
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=50)
    mode = models.CharField(
        _("mode"), max_length=12, choices=SessionMode.choices, default=SessionMode.IN_PERSON
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    attended = models.BooleanField(_("attended"), default=True)
    counsellor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES, path="case__person")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("counselling session")
        verbose_name_plural = _("counselling sessions")

    def __str__(self) -> str:
        return f"{_('Session')} {self.held_on}"


class CaseNote(AuditedModel):
    """A confidential counselling note: encrypted at rest, readable by counsellors only."""

    case = models.ForeignKey(CounsellingCase, on_delete=models.CASCADE, related_name="notes")
    session = models.ForeignKey(
        CaseSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    text = EncryptedTextField(_("note"))
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.COUNSELLING_NOTES, path="case__person")

    class Meta:
        ordering = ["-written_at", "-id"]
        verbose_name = _("confidential note")
        verbose_name_plural = _("confidential notes")

    def __str__(self) -> str:
        return f"{_('Confidential note')} #{self.pk}"


class GroupFormation(AuditedModel):
    """A proposal of counselling groups computed from the eligible persons, adjusted, then confirmed.

    ``params`` holds the settings used (scale, size bounds, strata, weights); ``proposal`` the groups
    (person ids with their features), the waiting list and the explanation of each group's profile.
    """

    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    params = models.JSONField(default=dict)
    proposal = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=FormationStatus.choices, default=FormationStatus.DRAFT
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    # The proposal carries assessment levels: psychological data.
    scope_rule = ScopeRule(domain=Domain.PSYCH, county="county", county_wide=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("group formation")
        verbose_name_plural = _("group formations")

    def __str__(self) -> str:
        return self.title


class CounsellingGroup(AuditedModel):
    """团体辅导 group: people of similar profile who meet for group sessions."""

    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    profile = models.TextField(_("profile"), blank=True)
    profile_data = models.JSONField(default=dict, blank=True)
    formation = models.ForeignKey(
        GroupFormation, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    facilitator = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        _("status"), max_length=8, choices=GroupStatus.choices, default=GroupStatus.ACTIVE, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.SERVICES, county="county", county_wide=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("counselling group")
        verbose_name_plural = _("counselling groups")

    def __str__(self) -> str:
        return self.name


class GroupMember(AuditedModel):
    group = models.ForeignKey(CounsellingGroup, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="group_memberships")
    added_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES)

    class Meta:
        ordering = ["group", "person__name"]
        constraints = [models.UniqueConstraint(fields=["group", "person"], name="group_member_unique")]

    def __str__(self) -> str:
        return f"{self.group} · {self.person_id}"


class GroupSession(AuditedModel):
    """A group counselling session (团体心理辅导 场次)."""

    group = models.ForeignKey(CounsellingGroup, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("date"), db_index=True)
    topic = models.CharField(_("topic"), max_length=200)
    place = models.CharField(_("place"), max_length=120, blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=90)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=GroupSessionStatus.choices,
        default=GroupSessionStatus.PLANNED,
        db_index=True,
    )
    facilitator = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField(_("summary"), blank=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.SERVICES, county="group__county", county_wide=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")

    def __str__(self) -> str:
        return f"{self.group} {self.held_on}"


class GroupAttendance(AuditedModel):
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="group_attendance")
    present = models.BooleanField(_("present"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES)

    class Meta:
        ordering = ["session", "person__name"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="group_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.session} · {self.person_id}"
