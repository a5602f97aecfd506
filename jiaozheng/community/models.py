"""Community service (社区服务 / 公益志愿服务): partner venues, the volunteer team, activities, their
participants and evidence photos.

Writes go through jiaozheng.community.services, reads through jiaozheng.community.selectors. Venues and
the volunteer registry belong to a county (squadron staff see their county's); activities to the squadrons
that organise them (many-to-many, ``multi=True``; none = county-wide); a participation row of a supervised
person is scoped like the person.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.audit.models import AuditedModel
from jiaozheng.community.choices import (
    ActivityKind,
    ActivityStatus,
    CancelReason,
    ParticipantKind,
    ParticipationStatus,
    VenueKind,
    VolunteerKind,
)
from jiaozheng.core.fields import EncryptedTextField, mask_phone
from jiaozheng.core.photos import EvidencePhoto, photo_upload_path
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule


class Venue(AuditedModel):
    """A partner venue with its contact (敬老院、福利院、学校、公园、社区 ...)."""

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
        help_text=_("A squadron's own partner; empty: a partner of the whole county"),
    )
    township = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("township"),
    )
    name = models.CharField(pgettext_lazy("community", "name"), max_length=100)
    kind = models.CharField(pgettext_lazy("community", "kind"), max_length=16, choices=VenueKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("partner now"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.SERVICES, county="county", squadron="squadron", county_wide=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("partner venue")
        verbose_name_plural = _("partner venues")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="community_venue_unique_name",
                violation_error_message=_("The county already has a venue with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Volunteer(AuditedModel):
    """A member of the county's volunteer team who is not a supervised person."""

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
        help_text=_("The squadron this member serves with; empty: the county team"),
    )
    name = models.CharField(pgettext_lazy("community", "name"), max_length=50)
    kind = models.CharField(_("member type"), max_length=16, choices=VolunteerKind.choices)
    organisation = models.CharField(_("organisation or trade"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff account"),
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    active = models.BooleanField(_("active member"), default=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.SERVICES, county="county", squadron="squadron", county_wide=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteer team")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Activity(AuditedModel):
    """A public-welfare activity (公益活动): planned by the social workers, checked by the bureau."""

    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    squadrons = models.ManyToManyField(
        "orgs.OrgUnit",
        related_name="community_activities",
        blank=True,
        verbose_name=_("squadrons"),
        help_text=_("Empty: the whole county"),
    )
    venue = models.ForeignKey(
        Venue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("venue"),
    )
    place = models.CharField(
        pgettext_lazy("community", "place"), max_length=200, blank=True, help_text=_("If not a partner venue")
    )
    theme = models.CharField(_("theme"), max_length=120)
    kind = models.CharField(pgettext_lazy("community", "kind"), max_length=16, choices=ActivityKind.choices)
    date = models.DateField(_("date"), db_index=True)
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Public-welfare hours credited to each participant"),
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organiser (account)"),
    )
    organiser_name = models.CharField(_("organiser"), max_length=50)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PLANNED,
        db_index=True,
    )
    cancel_reason = models.CharField(_("reason"), max_length=12, choices=CancelReason.choices, blank=True)
    cancel_note = models.CharField(_("note"), max_length=200, blank=True)
    summary = models.TextField(_("record and feedback"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
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
        subject="participations__person",
    )

    class Meta:
        ordering = ["-date", "-start_time", "-id"]
        verbose_name = _("community-service activity")
        verbose_name_plural = _("community-service activities")
        indexes = [models.Index(fields=["county", "status", "date"], name="community_act_county_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="community_activity_time_order",
                violation_error_message=_("The activity must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.theme}"

    @property
    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.start_time))

    @property
    def place_label(self) -> str:
        return self.venue.name if self.venue_id else self.place


def _photo_path(instance: models.Model, filename: str) -> str:
    """Kept for the migrations that name it; the models use ``jiaozheng.core.photos.photo_upload_path``."""
    return photo_upload_path(instance, filename)


class ActivityPhoto(EvidencePhoto):
    """Evidence photo of an activity: decoded and re-encoded at upload (no metadata), served by a scoped view."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")

    objects = ScopedManager()
    scope_rule = ScopeRule(
        domain=Domain.SERVICES,
        county="activity__county",
        squadron="activity__squadrons",
        multi=True,
        county_wide=True,
    )

    class Meta:
        ordering = ["activity", "uploaded_at", "id"]
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")


class Participation(AuditedModel):
    """One participant of an activity: a supervised person, a staff member or a volunteer, with hours."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    county = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The activity's county (denormalised)",
    )
    kind = models.CharField(_("participant type"), max_length=16, choices=ParticipantKind.choices)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_participations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="participations"
    )
    name = models.CharField(pgettext_lazy("community", "name"), max_length=50)
    status = models.CharField(
        _("participation"),
        max_length=12,
        choices=ParticipationStatus.choices,
        default=ParticipationStatus.PRESENT,
        db_index=True,
    )
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=Decimal("0"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    # A supervised person's row is seen like the person (their squadron); rows of staff and volunteers
    # (no person) are seen by everyone working in the activity's county.
    scope_rule = ScopeRule(
        domain=Domain.SERVICES,
        county="county",
        squadron="person__squadron",
        person="person",
        juvenile="person__is_juvenile",
        county_wide=True,
    )

    class Meta:
        ordering = ["activity", "kind", "name", "id"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        indexes = [models.Index(fields=["person", "status"], name="community_part_person_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                condition=models.Q(person__isnull=False),
                name="community_part_unique_person",
                violation_error_message=_("This person is already a participant."),
            ),
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=models.Q(user__isnull=False),
                name="community_part_unique_user",
                violation_error_message=_("This staff member is already a participant."),
            ),
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=models.Q(volunteer__isnull=False),
                name="community_part_unique_volunteer",
                violation_error_message=_("This volunteer is already a participant."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="subject", person__isnull=False)
                    | (~models.Q(kind="subject") & models.Q(person__isnull=True))
                ),
                name="community_part_subject_person",
                violation_error_message=_("A supervised person's participation names the person."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.name}"
