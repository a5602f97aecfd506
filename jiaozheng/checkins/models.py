"""Face check-in: reference photos, check-in requests, the automated attempts, and the officer's review.

The automated result of each attempt (``CheckinAttempt.result`` with its distances, liveness measures and
model version) and the officer's decision (``CheckinReview.decision``) live in different tables and are
never merged (anchors.md §1.6, HMPPS eSupervision's autoIdCheck / manualIdCheck). An automated
"no match" is a prompt for review, not a finding.

Every model is scoped through its person in the LOCATION data domain and audited. Face images and
descriptors are stored encrypted (``EncryptedBinaryField``) and left out of audit snapshots.
"""

from __future__ import annotations

import struct

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.models import AuditedModel
from jiaozheng.checkins.choices import (
    Challenge,
    PhotoSource,
    RequestKind,
    RequestStatus,
    Result,
    ReviewDecision,
)
from jiaozheng.core.fields import EncryptedBinaryField
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager
from jiaozheng.people.models import person_scope


class ReferencePhoto(AuditedModel):
    """The enrolled photo a person's check-ins are compared with; one active at a time."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="face_references", verbose_name=_("person")
    )
    image = EncryptedBinaryField(_("image (JPEG)"))
    descriptor = EncryptedBinaryField(_("face descriptor (128 numbers)"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    box = models.JSONField(_("face box [left, top, right, bottom]"))
    quality = models.JSONField(_("quality"), default=dict)
    model_version = models.CharField(_("model version"), max_length=160)
    source = models.CharField(_("source"), max_length=16, choices=PhotoSource.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    retired_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.LOCATION)
    audit_exclude = ("image", "descriptor")

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        verbose_name = _("reference photo")
        verbose_name_plural = _("reference photos")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(active=True),
                name="checkins_one_active_reference",
                violation_error_message=_("A person has one reference photo in use at a time."),
            )
        ]

    def __str__(self) -> str:
        return f"{_('Reference photo')} {self.enrolled_at:%Y-%m-%d}"

    @property
    def is_test_image(self) -> bool:
        return self.source == PhotoSource.TEST_IMAGE


class CheckinPlan(AuditedModel):
    """A person's own check-in schedule, replacing the class defaults (rules) while in force."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="checkin_plan", verbose_name=_("person")
    )
    times = models.JSONField(_("daily times"), default=list, blank=True)
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)
    random_per_week = models.PositiveSmallIntegerField(_("random check-ins per week"), default=0)
    reason = models.TextField(_("reason"))
    until = models.DateField(_("in force until"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.LOCATION)

    class Meta:
        verbose_name = _("personal check-in plan")
        verbose_name_plural = _("personal check-in plans")

    def __str__(self) -> str:
        return f"{_('Check-in plan')}: {', '.join(self.times) or '—'}"

    def in_force(self, day) -> bool:
        return self.until is None or day <= self.until


class CheckinRequest(AuditedModel):
    """One request to check in: scheduled, random or asked for by staff, with a due window."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="checkin_requests", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    slot = models.CharField(_("slot"), max_length=40)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    challenge = models.CharField(_("liveness challenge"), max_length=16, choices=Challenge.choices)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    due_at = models.DateTimeField(_("due by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    attempts_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The automated outcome once the request is closed (copied from the deciding attempt).
    result = models.CharField(_("automated result"), max_length=16, choices=Result.choices, blank=True)
    distance = models.FloatField(_("face distance"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.LOCATION)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("check-in request")
        verbose_name_plural = _("check-in requests")
        constraints = [
            models.UniqueConstraint(fields=["person", "slot"], name="checkins_request_slot_once"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="checkins_req_status_due"),
            models.Index(fields=["person", "-issued_at"], name="checkins_req_person_issued"),
            models.Index(fields=["issued_at"], name="checkins_req_issued"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.issued_at):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return self.status == RequestStatus.PENDING and self.issued_at <= now < self.due_at


class CheckinAttempt(AuditedModel):
    """One submission of frames and its automated result. Written once by the verification pipeline."""

    request = models.ForeignKey(CheckinRequest, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    result = models.CharField(_("automated result"), max_length=16, choices=Result.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    identity_distance = models.FloatField(_("face distance (median of frames)"), null=True, blank=True)
    max_distance = models.FloatField(_("largest frame distance"), null=True, blank=True)
    frames_spread = models.FloatField(_("largest distance between frames"), null=True, blank=True)
    threshold = models.FloatField(_("threshold in force"))
    liveness_passed = models.BooleanField(_("liveness passed"), null=True)
    liveness = models.JSONField(_("liveness measures"), default=dict)
    frames_detail = models.JSONField(_("frames"), default=list)
    frames = EncryptedBinaryField(_("captured frames"), null=True, blank=True)
    frame_count = models.PositiveSmallIntegerField(_("frames"), default=0)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    accuracy = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    model_version = models.CharField(_("model version"), max_length=160)
    processing_ms = models.PositiveIntegerField(_("processing time (ms)"), default=0)
    user_agent = models.CharField(max_length=200, blank=True)
    frames_purged_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.LOCATION, path="request__person")
    audit_exclude = ("frames",)

    class Meta:
        ordering = ["request_id", "number"]
        verbose_name = _("check-in attempt")
        verbose_name_plural = _("check-in attempts")
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="checkins_attempt_number_once"),
        ]

    def __str__(self) -> str:
        return f"{_('Attempt')} {self.number}: {self.get_result_display()}"

    @property
    def person_id(self) -> int:
        return self.request.person_id

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class CheckinReview(AuditedModel):
    """The officer's identity decision at review; the automated result is not touched."""

    request = models.OneToOneField(CheckinRequest, on_delete=models.CASCADE, related_name="review")
    decision = models.CharField(_("review decision"), max_length=12, choices=ReviewDecision.choices)
    note = models.TextField(_("note"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.LOCATION, path="request__person")

    class Meta:
        verbose_name = _("check-in review")
        verbose_name_plural = _("check-in reviews")

    def __str__(self) -> str:
        return f"{_('Review')}: {self.get_decision_display()}"


# --- packing several JPEG frames into one encrypted value ----------------------------------------------

_MAGIC = b"JZF1"


def pack_frames(frames: list[bytes]) -> bytes:
    out = [_MAGIC, struct.pack("<H", len(frames))]
    for frame in frames:
        out.append(struct.pack("<I", len(frame)))
        out.append(frame)
    return b"".join(out)


def unpack_frames(data: bytes | None) -> list[bytes]:
    if not data:
        return []
    data = bytes(data)
    if data[:4] != _MAGIC:
        raise ValueError("not a packed frame set")
    (count,) = struct.unpack_from("<H", data, 4)
    offset, frames = 6, []
    for _index in range(count):
        (length,) = struct.unpack_from("<I", data, offset)
        offset += 4
        frames.append(data[offset : offset + length])
        offset += length
    return frames
