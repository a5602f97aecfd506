"""Statuses and kinds of the face check-in module (English identifiers, translatable labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestKind(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RANDOM = "random", _("Random")
    ON_DEMAND = "on_demand", _("Requested by staff")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the person")
    COMPLETED = "completed", _("Checked in")  # the automated check matched
    FAILED = "failed", pgettext_lazy("checkin status", "Failed")  # attempts ended without a match
    MISSED = "missed", _("Missed")  # nothing submitted within the window
    CANCELLED = "cancelled", _("Cancelled")


class Result(models.TextChoices):
    """The automated result of one attempt (never changed by a person; see ReviewDecision)."""

    MATCH = "match", _("Match")
    NO_MATCH = "no_match", _("No match")
    NO_FACE = "no_face", _("No face")
    SEVERAL_FACES = "several_faces", _("Several faces")
    LIVENESS_FAILED = "liveness_failed", _("Liveness failed")


class ReviewDecision(models.TextChoices):
    """The officer's decision at review, stored apart from the automated result."""

    MATCH = "match", _("Confirmed: the person themself")
    NO_MATCH = "no_match", _("Not the person")


class Challenge(models.TextChoices):
    TURN_LEFT = "turn_left", _("Turn your head slowly to your left")
    TURN_RIGHT = "turn_right", _("Turn your head slowly to your right")
    BLINK = "blink", _("Blink your eyes")
    OPEN_MOUTH = "open_mouth", _("Open your mouth wide")
    NOD = "nod", _("Nod your head")


class PhotoSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    CAMERA = "camera", _("Camera on the staff page")
    TEST_IMAGE = "test_image", _("Test image (not a photo of the person)")


class TodayStatus(models.TextChoices):
    """A person's check-in status for one day (dashboards)."""

    NOT_ENROLLED = "not_enrolled", _("No reference photo")
    NONE_DUE = "none_due", _("No check-in due")
    PENDING = "pending", _("Pending")
    DONE = "done", _("All checked in")
    PROBLEM = "problem", _("Missed or failed")
