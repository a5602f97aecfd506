"""The caseload registry: persons under community correction and their records.

Writes go through jiaozheng.people.services; reads through jiaozheng.people.selectors. Every model here
is scoped through the person's county and squadron (``person_scope``) and audited (``AuditedModel``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.fields import EncryptedTextField, mask_id_number, mask_phone
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopedQuerySet, ScopeRule
from jiaozheng.people.choices import (
    OFFENCE_GROUP,
    CorrectionType,
    DisciplineKind,
    Education,
    Employment,
    EventKind,
    Gender,
    OffenceCategory,
    ProhibitionKind,
    RiskLevel,
    Status,
    SupervisionClass,
    TeamRole,
    TerminationReason,
)


def person_scope(domain: str = Domain.CASELOAD, path: str = "person", **extra: Any) -> ScopeRule:
    """The scope rule of a model that belongs to one person through ``path``."""
    return ScopeRule(
        domain=domain,
        county=f"{path}__county",
        squadron=f"{path}__squadron",
        person=path,
        juvenile=f"{path}__is_juvenile",
        **extra,
    )


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class PersonQuerySet(ScopedQuerySet["Person"]):
    def in_correction(self) -> PersonQuerySet:
        return self.filter(status=Status.IN_CORRECTION)

    def new_entrants(self, on: dt.date | None = None, months: int | None = None) -> PersonQuerySet:
        """In correction and reported within the new-entrant period (rule people.new_entrant_months)."""
        from jiaozheng.core.rules import rule

        on = on or timezone.localdate()
        months = months if months is not None else rule("people.new_entrant_months")
        since = add_months(on, -months)
        return self.filter(status=Status.IN_CORRECTION, intake_on__gt=since, intake_on__lte=on)


class Person(AuditedModel):
    """社区矫正对象: a person under community correction."""

    case_number = models.CharField(_("case number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=4, default="01")
    id_number = EncryptedTextField(_("ID number"))
    id_index = models.CharField(max_length=64, db_index=True, editable=False, default="")
    id_tail = models.CharField(max_length=4, db_index=True, editable=False, default="")
    phone = EncryptedTextField(_("mobile phone"), blank=True, default="")
    phone_index = models.CharField(max_length=64, db_index=True, editable=False, default="")
    phone_tail = models.CharField(max_length=4, db_index=True, editable=False, default="")
    education = models.CharField(_("education"), max_length=24, choices=Education.choices)
    employment = models.CharField(_("employment"), max_length=24, choices=Employment.choices)
    employer = models.CharField(_("employer or school"), max_length=120, blank=True)
    address = models.CharField(_("home address"), max_length=200)
    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    squadron = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="persons", verbose_name=_("squadron")
    )
    township = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("township"),
    )
    village = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village / community"),
    )
    home_latitude = models.FloatField(_("home latitude"), null=True, blank=True)
    home_longitude = models.FloatField(_("home longitude"), null=True, blank=True)
    correction_type = models.CharField(
        _("correction type"), max_length=32, choices=CorrectionType.choices, db_index=True
    )
    offence_category = models.CharField(_("offence category"), max_length=24, choices=OffenceCategory.choices)
    offence = models.CharField(_("offence (charge)"), max_length=100, blank=True)
    sentence = models.CharField(_("original sentence"), max_length=200, blank=True)
    deciding_authority = models.CharField(_("deciding authority"), max_length=100, blank=True)
    judgment_effective_on = models.DateField(_("judgment effective on"), null=True, blank=True)
    term_start = models.DateField(_("correction term start"))
    term_end = models.DateField(_("correction term end"))
    intake_on = models.DateField(_("reported / taken in on"), null=True, blank=True, db_index=True)
    announced_on = models.DateField(_("admission announced on"), null=True, blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.CharField(
        _("termination reason"), max_length=16, blank=True, choices=TerminationReason.choices
    )
    supervision_class = models.CharField(
        _("supervision class"),
        max_length=12,
        choices=SupervisionClass.choices,
        default=SupervisionClass.STRICT,
        db_index=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    risk_level = models.CharField(_("assessed risk"), max_length=8, choices=RiskLevel.choices, blank=True)
    is_juvenile = models.BooleanField(_("juvenile"), default=False, db_index=True)
    # 犯罪记录封存 (刑事诉讼法 art. 286): after release a juvenile's records are sealed; scoping hides them
    # from every role (core.scoping), apart from a lawful query's time-limited grant (SealedRecordAccess).
    records_sealed = models.BooleanField(_("records sealed"), default=False, db_index=True)
    sealed_on = models.DateField(_("sealed on"), null=True, blank=True)
    is_hardship = models.BooleanField(_("family in hardship"), default=False, db_index=True)
    hardship_note = models.CharField(_("hardship note"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager.from_queryset(PersonQuerySet)()
    scope_rule = ScopeRule(
        domain=Domain.CASELOAD, county="county", squadron="squadron", person="pk", juvenile="is_juvenile"
    )

    class Meta:
        ordering = ["squadron__sort_order", "name", "id"]
        verbose_name = _("supervised person")
        verbose_name_plural = _("supervised persons")
        indexes = [
            models.Index(fields=["county", "status"], name="person_county_status"),
            models.Index(fields=["squadron", "status"], name="person_squadron_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")),
                name="person_term_order",
                violation_error_message=_("The term cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.case_number}）"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def offence_group(self) -> str:
        return OFFENCE_GROUP.get(self.offence_category, "other")

    def age_on(self, day: dt.date | None = None) -> int:
        day = day or timezone.localdate()
        return (
            day.year
            - self.birth_date.year
            - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
        )

    @property
    def age(self) -> int:
        return self.age_on()

    def is_new_entrant(self, on: dt.date | None = None) -> bool:
        from jiaozheng.core.rules import rule

        if self.status != Status.IN_CORRECTION or self.intake_on is None:
            return False
        on = on or timezone.localdate()
        return add_months(on, -rule("people.new_entrant_months", self.county_id)) < self.intake_on <= on

    @property
    def new_entrant(self) -> bool:
        return self.is_new_entrant()

    # The one rule for service records (education, community service, assessments, counselling, visits,
    # hardship help, app installs), in imports, forms and the API alike: a record of a person is dated
    # within the person's period of correction (docs/imports.md, "Records and the term").
    TERM_FIELDS = ("judgment_effective_on", "term_start", "intake_on", "term_end", "status",
                   "released_on", "terminated_on")  # fmt: skip

    def correction_period(self) -> tuple[dt.date, dt.date]:
        """From the earliest of the judgment's effective date, the term start and the intake, to the day
        correction ended: the release or termination once recorded, otherwise the end of the term."""
        start = min(d for d in (self.judgment_effective_on, self.term_start, self.intake_on) if d)
        if self.status == Status.RELEASED and self.released_on:
            end = self.released_on
        elif self.status == Status.TERMINATED and self.terminated_on:
            end = self.terminated_on
        else:
            end = self.term_end
        return start, max(start, end)

    def outside_correction(self, day: dt.date) -> str:
        """Why a service record dated ``day`` is refused, naming the person's actual period; "" if it fits."""
        from django.utils.translation import gettext

        start, end = self.correction_period()
        if start <= day <= end:
            return ""
        return gettext("%(date)s lies outside %(name)s's period of correction (%(start)s to %(end)s).") % {
            "date": day.isoformat(),
            "name": self.name,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }

    def report_deadline(self) -> dt.date | None:
        """报到 deadline: days after the judgment took effect (L art. 21: 10 days)."""
        from jiaozheng.core.rules import rule

        if self.judgment_effective_on is None:
            return None
        return self.judgment_effective_on + dt.timedelta(
            days=rule("people.report_deadline_days", self.county_id)
        )

    @property
    def reported_late_days(self) -> int:
        """Days by which the report came (or, if still pending, is) later than the deadline; 0 if on time."""
        deadline = self.report_deadline()
        if deadline is None:
            return 0
        day = self.intake_on or timezone.localdate()
        return max(0, (day - deadline).days)


class LifecycleEvent(AuditedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = person_scope()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("lifecycle event")
        verbose_name_plural = _("lifecycle events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class ClassChange(AuditedModel):
    """A change of supervision class, with its reason (分类管理调整)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="class_changes")
    from_class = models.CharField(_("from"), max_length=12, choices=SupervisionClass.choices, blank=True)
    to_class = models.CharField(_("to"), max_length=12, choices=SupervisionClass.choices)
    effective_on = models.DateField(_("effective on"))
    reason = EncryptedTextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_rule = person_scope()

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("class change")
        verbose_name_plural = _("class changes")

    def __str__(self) -> str:
        return f"{self.get_from_class_display() or '—'} → {self.get_to_class_display()}"


class TeamMember(AuditedModel):
    """A member of the person's correction team (矫正小组)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=24, choices=TeamRole.choices)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_memberships",
    )
    since = models.DateField(_("since"), default=timezone.localdate)
    until = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope()

    class Meta:
        ordering = ["role", "name"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class CorrectionPlan(AuditedModel):
    """个别化矫正方案 (L art. 24): the individual plan, reviewed on schedule."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="plans")
    made_on = models.DateField(_("made on"))
    goals = models.TextField(_("goals"))
    measures = models.TextField(_("measures"))
    next_review_on = models.DateField(_("next review"))
    active = models.BooleanField(_("in force"), default=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_rule = person_scope()

    class Meta:
        ordering = ["-made_on", "-id"]
        verbose_name = _("correction plan")
        verbose_name_plural = _("correction plans")

    def __str__(self) -> str:
        return f"{_('Correction plan')} {self.made_on}"

    @property
    def review_overdue(self) -> bool:
        return self.active and self.next_review_on < timezone.localdate()


class PlanReview(AuditedModel):
    plan = models.ForeignKey(CorrectionPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    findings = models.TextField(_("findings"))
    next_review_on = models.DateField(_("next review"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_rule = person_scope(path="plan__person")

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{_('Review')} {self.reviewed_on}"


class ProhibitionOrder(AuditedModel):
    """禁止令: the court's prohibition. Area prohibitions may carry a zone the location module enforces."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="prohibitions")
    kind = models.CharField(_("kind"), max_length=12, choices=ProhibitionKind.choices)
    content = models.TextField(_("content"))
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"))
    zone = models.JSONField(
        _("zone (GeoJSON)"), null=True, blank=True, help_text=_("Polygon or circle for area prohibitions")
    )
    schedule = models.JSONField(_("weekly schedule"), null=True, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope()

    class Meta:
        ordering = ["-start_on", "-id"]
        verbose_name = _("prohibition order")
        verbose_name_plural = _("prohibition orders")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.content[:30]}"

    def in_force(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.start_on <= day <= self.end_on


class Discipline(AuditedModel):
    """考核奖惩 record: commendation, admonition, warning, proposed police penalty (L art. 28)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by staff")
        VISIT = "visit", _("Visit finding")
        ALERT = "alert", _("Location or check-in alert")
        LIFECYCLE = "lifecycle", _("Lifecycle (late report)")
        EDUCATION = "education", _("Education attendance")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="discipline")
    kind = models.CharField(_("kind"), max_length=16, choices=DisciplineKind.choices)
    reason = EncryptedTextField(_("reason"))
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    source_model = models.CharField(max_length=80, blank=True)
    source_id = models.CharField(max_length=64, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope()

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("discipline record")
        verbose_name_plural = _("discipline records")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_on}"


class SealedRecordAccess(AuditedModel):
    """A lawful query of sealed records (依法查询): one named user may read one sealed person's records
    until ``expires_at``. Granted by the county's bureau administrator, with the requesting authority and
    the legal basis; every grant and revocation is audited, and each read through it is a logged read."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sealed_access")
    granted_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authority = models.CharField(_("requesting authority"), max_length=120)
    basis = models.TextField(_("legal basis and purpose"))
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("access until"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    # no juvenile path: the grants of sealed persons stay visible to the county's administrators
    scope_rule = ScopeRule(domain=Domain.ADMIN, county="person__county")

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("lawful query of sealed records")

    def __str__(self) -> str:
        return f"{self.authority} {self.granted_at:%Y-%m-%d}"
