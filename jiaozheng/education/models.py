"""Education and study (教育学习): course library, monthly theme plans, sessions and attendance.

Writes go through jiaozheng.education.services, reads through jiaozheng.education.selectors. Every model
is audited (``AuditedModel``) and scoped: courses to their county, theme plans to their squadron, sessions
to the squadrons they serve (many-to-many, ``multi=True``; a session without squadrons is county-wide),
attendance rows to the person (``person_scope``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.photos import EvidencePhoto, photo_upload_path
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule
from jiaozheng.education.choices import (
    AttendanceMethod,
    AttendanceStatus,
    CancelReason,
    EducationMode,
    EducationStage,
    LecturerKind,
    PlanStatus,
    SessionStatus,
    TopicCategory,
    session_format,
)


class Course(AuditedModel):
    """A course of the county's library: topic, suggested length, offence categories it suits."""

    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    squadron = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("squadron"),
        help_text=_("A squadron's own course; empty: the county library shared by every squadron"),
    )
    title = models.CharField(pgettext_lazy("education", "title"), max_length=120)
    category = models.CharField(_("topic category"), max_length=24, choices=TopicCategory.choices)
    stage = models.CharField(
        _("stage"), max_length=12, choices=EducationStage.choices, default=EducationStage.ROUTINE
    )
    summary = models.TextField(pgettext_lazy("education", "summary"), blank=True)
    default_hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    offence_categories = models.JSONField(
        _("suited to offence categories"),
        default=list,
        blank=True,
        help_text=_("Empty: suits everyone"),
    )
    lecturer_kind = models.CharField(
        _("usual lecturer"), max_length=16, choices=LecturerKind.choices, default=LecturerKind.SOCIAL_WORKER
    )
    active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.SERVICES, county="county", squadron="squadron", county_wide=True)

    class Meta:
        ordering = ["category", "title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "title"],
                name="edu_course_unique_title",
                violation_error_message=_("The library already has a course with this title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def offence_labels(self) -> list[str]:
        from jiaozheng.people.choices import OffenceCategory

        return [
            str(OffenceCategory(c).label)
            for c in self.offence_categories or []
            if c in OffenceCategory.values
        ]


def _material_path(instance: CourseMaterial, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"education/materials/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class CourseMaterial(AuditedModel):
    """An attachment of a course (slides, handouts, video). Stored under a random name, served by a
    scoped view only."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(_("file"), upload_to=_material_path)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = ScopeRule(
        domain=Domain.SERVICES, county="course__county", squadron="course__squadron", county_wide=True
    )

    class Meta:
        ordering = ["course", "name"]
        verbose_name = _("course material")
        verbose_name_plural = _("course materials")

    def __str__(self) -> str:
        return self.name


class ThemePlan(AuditedModel):
    """The monthly theme plan of one squadron (每月有计划): the theme and the sessions planned under it."""

    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    squadron = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("squadron")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month"))
    theme = models.CharField(_("theme of the month"), max_length=120)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.SERVICES, county="county", squadron="squadron")

    class Meta:
        ordering = ["-month", "squadron__sort_order"]
        verbose_name = _("monthly theme plan")
        verbose_name_plural = _("monthly theme plans")
        constraints = [
            models.UniqueConstraint(
                fields=["squadron", "month"],
                name="edu_plan_unique_month",
                violation_error_message=_("This squadron already has a plan for this month."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.theme}"


class Session(AuditedModel):
    """An education session (教育学习场次) for one or several squadrons."""

    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    squadrons = models.ManyToManyField(
        "orgs.OrgUnit",
        related_name="education_sessions",
        blank=True,
        verbose_name=_("squadrons"),
        help_text=_("Empty: the whole county"),
    )
    plan = models.ForeignKey(
        ThemePlan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("theme plan"),
    )
    title = models.CharField(_("theme"), max_length=120)
    category = models.CharField(_("topic category"), max_length=24, choices=TopicCategory.choices)
    course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("course"),
    )
    mode = models.CharField(
        pgettext_lazy("education", "format"), max_length=16, choices=EducationMode.choices
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=EducationStage.choices, default=EducationStage.ROUTINE
    )
    offence_categories = models.JSONField(
        _("for offence categories"),
        default=list,
        blank=True,
        help_text=_("Education by category: only persons of these offence categories are on the roster"),
    )
    for_juveniles = models.BooleanField(
        _("juveniles' session"),
        default=False,
        help_text=_("Juveniles are educated apart from adults: only juveniles are on this roster"),
    )
    date = models.DateField(_("date"), db_index=True)
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    place = models.CharField(pgettext_lazy("education", "place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), max_length=300, blank=True)
    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lecturer (account)"),
    )
    lecturer_name = models.CharField(_("lecturer"), max_length=50, blank=True)
    lecturer_kind = models.CharField(
        _("lecturer type"), max_length=16, choices=LecturerKind.choices, default=LecturerKind.SOCIAL_WORKER
    )
    hours = models.DecimalField(
        _("hours credited"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Study hours credited to each person present"),
    )
    max_score = models.DecimalField(
        _("full marks of the quiz"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty: no quiz or exam"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SessionStatus.choices,
        default=SessionStatus.PLANNED,
        db_index=True,
    )
    cancel_reason = models.CharField(_("reason"), max_length=12, choices=CancelReason.choices, blank=True)
    cancel_note = models.CharField(_("note"), max_length=200, blank=True)
    rescheduled_to = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rescheduled_from",
        verbose_name=_("rescheduled to"),
    )
    summary = models.TextField(_("record and feedback"), blank=True)
    # 方案: the plan written before the session is held
    plan_aims = models.TextField(_("aims"), blank=True)
    plan_content = models.TextField(_("content"), blank=True)
    plan_method = models.TextField(_("method"), blank=True)
    plan_speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    plan_materials = models.TextField(_("materials and safety arrangements"), blank=True)
    plan_written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_written_at = models.DateTimeField(null=True, blank=True)
    # 反思/小结: the social worker's reflection after the session
    reflection = models.TextField(_("reflection"), blank=True)
    reflection_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reflection_at = models.DateTimeField(null=True, blank=True)
    held_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager()
    scope_rule = ScopeRule(
        domain=Domain.SERVICES,
        county="county",
        squadron="squadrons",
        multi=True,
        county_wide=True,
        subject="attendances__person",
    )

    class Meta:
        ordering = ["-date", "-start_time", "-id"]
        verbose_name = _("education session")
        verbose_name_plural = _("education sessions")
        indexes = [models.Index(fields=["county", "status", "date"], name="edu_session_county_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="edu_session_time_order",
                violation_error_message=_("The session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    @property
    def offence_labels(self) -> list[str]:
        from jiaozheng.people.choices import OffenceCategory

        return [
            str(OffenceCategory(c).label)
            for c in self.offence_categories or []
            if c in OffenceCategory.values
        ]

    @property
    def format(self) -> str:
        return session_format(self.mode, self.stage)

    def get_format_display(self) -> str:
        from jiaozheng.education.choices import SessionFormat

        return str(SessionFormat(self.format).label)

    @property
    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.start_time))

    @property
    def ends_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.end_time))

    @property
    def is_open(self) -> bool:
        """Planned or held: attendance may be recorded."""
        return self.status in (SessionStatus.PLANNED, SessionStatus.HELD)

    @property
    def place_label(self) -> str:
        return self.place or (str(_("Online")) if self.online_link else "")

    @property
    def has_plan(self) -> bool:
        return bool(self.plan_aims or self.plan_content)


class Attendance(AuditedModel):
    """One person on a session's roster: present, absent or excused, hours credited, quiz score."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    county = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The session's county (denormalised)",
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="education_attendance")
    status = models.CharField(
        _("attendance"),
        max_length=12,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.EXPECTED,
        db_index=True,
    )
    method = models.CharField(
        _("recorded by"), max_length=12, choices=AttendanceMethod.choices, default=AttendanceMethod.ROSTER
    )
    hours = models.DecimalField(_("hours credited"), max_digits=4, decimal_places=1, default=Decimal("0"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)
    outside_county = models.BooleanField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    # Like a person-owned row, but the county is the session's (kept on the row: county figures need no join).
    scope_rule = ScopeRule(
        domain=Domain.SERVICES,
        county="county",
        squadron="person__squadron",
        person="person",
        juvenile="person__is_juvenile",
    )

    class Meta:
        ordering = ["session", "person__name", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        indexes = [models.Index(fields=["person", "status"], name="edu_attendance_person_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                name="edu_attendance_unique",
                violation_error_message=_("This person is already on the roster."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.person.name} · {self.get_status_display()}"

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def _photo_path(instance: models.Model, filename: str) -> str:
    """Kept for the migrations that name it; the models use ``jiaozheng.core.photos.photo_upload_path``."""
    return photo_upload_path(instance, filename)


class SessionPhoto(EvidencePhoto):
    """Evidence photo of a session (留档): decoded and re-encoded at upload (no metadata), served by a scoped
    view only."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="photos")

    objects = ScopedManager()
    scope_rule = ScopeRule(
        domain=Domain.SERVICES,
        county="session__county",
        squadron="session__squadrons",
        multi=True,
        county_wide=True,
    )

    class Meta:
        ordering = ["session", "uploaded_at", "id"]
        verbose_name = _("session photo")
        verbose_name_plural = _("session photos")
