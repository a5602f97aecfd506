"""Participant feedback after activities, and the buyer's signed satisfaction evaluation.

- ``FeedbackResponse``: a supervised person's answers to the short questionnaire after an activity they
  attended (an education session, a community-service activity, a group counselling session). Staff see
  only aggregates per activity and per period, never one person's answers; feedback is never part of any
  sanction. The answers and the comment are encrypted; the mean score stays queryable for the figures.
- ``CountyQuestionnaire``: a county's wording of the questionnaire (the scale stays fixed).
- ``BuyerEvaluation``: 购买方满意度, an evaluation entered and signed by a bureau role once per period.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.fields import EncryptedTextField
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule
from jiaozheng.people.models import person_scope


class CountyQuestionnaire(AuditedModel):
    county = models.OneToOneField("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    items = models.JSONField(_("items"), default=list)  # [{"key": "overall", "text": "..."}]
    open_question = models.CharField(_("open question"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.PERFORMANCE, county="county", county_wide=True)

    class Meta:
        verbose_name = _("feedback questionnaire")
        verbose_name_plural = _("feedback questionnaires")

    def __str__(self) -> str:
        return str(_("Feedback questionnaire"))


class FeedbackResponse(AuditedModel):
    activity_kind = models.CharField(max_length=40)
    activity_id = models.PositiveBigIntegerField()
    activity_date = models.DateField(db_index=True)
    activity_title = models.CharField(max_length=200, blank=True)
    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="feedback_responses")
    questionnaire_version = models.CharField(max_length=20)
    answers_data = EncryptedTextField(blank=True)  # JSON {"overall": 5, ...}
    comment = EncryptedTextField(_("comment"), blank=True)
    mean_score = models.DecimalField(max_digits=3, decimal_places=2)
    satisfied = models.BooleanField()
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.SERVICES)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity_kind", "activity_id", "person"], name="feedback_once_per_person"
            )
        ]
        indexes = [models.Index(fields=["activity_kind", "activity_id"], name="feedback_activity")]
        verbose_name = _("activity feedback")
        verbose_name_plural = _("activity feedback")

    def __str__(self) -> str:
        return f"{self.activity_title} {self.activity_date}"

    @property
    def answers(self) -> dict[str, Any]:
        return json.loads(self.answers_data) if self.answers_data else {}


class BuyerEvaluation(AuditedModel):
    """购买方满意度: the buyer's evaluation of the provider for one period, signed by a bureau role."""

    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("orgs.ServiceProvider", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    score = models.DecimalField(_("satisfaction score"), max_digits=4, decimal_places=1)
    comments = models.TextField(_("comments"), blank=True)
    signer_title = models.CharField(_("signer's post"), max_length=60)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField(_("signed on"), default=timezone.localdate)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.PERFORMANCE, county="county", county_wide=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("buyer's satisfaction evaluation")
        verbose_name_plural = _("buyer's satisfaction evaluations")

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d} ~ {self.period_end:%Y-%m-%d}"
