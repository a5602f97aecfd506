"""Writes of the face check-in module.

Staff services take the acting user, check the role (``require``) and the row (``get_scoped_or_404``),
validate, and change nothing on error. The periodic work (issuing due check-ins, closing overdue ones,
purging old frames) runs as the system user from Huey (``tasks.py``) and processes in batches.

Submitting frames is split in two: the face analysis (about 100 ms a frame) runs outside any
transaction, so no database lock is held while dlib works; the attempt is then stored in a short
transaction that re-checks the request under a row lock.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import math
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import record_bulk, timeline_add
from jiaozheng.checkins import face
from jiaozheng.checkins.choices import (
    Challenge,
    PhotoSource,
    RequestKind,
    RequestStatus,
    Result,
    ReviewDecision,
)
from jiaozheng.checkins.models import (
    CheckinAttempt,
    CheckinPlan,
    CheckinRequest,
    CheckinReview,
    ReferencePhoto,
    pack_frames,
)
from jiaozheng.checkins.scheduling import schedule_for, slots_on
from jiaozheng.checkins.verification import Outcome, VerifyParams, verify
from jiaozheng.core.errors import Conflict
from jiaozheng.core.registry import provider
from jiaozheng.core.roles import CHANGE, Domain, Role
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, require, scope_for
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person

log = logging.getLogger(__name__)

# Frames the phone may send for one attempt, and their size.
MIN_FRAMES = 3
MAX_FRAMES = 8
MAX_FRAME_BYTES = 600 * 1024
MAX_REFERENCE_BYTES = 8 * 1024 * 1024
REFERENCE_MAX_SIDE = 800  # stored reference image
STORED_FRAME_MAX_SIDE = 480  # stored check-in frames (enough for review)

# Who decides at review: officers, not contracted staff (the decision can lead to discipline).
REVIEW_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_OFFICER, Role.SQUADRON_OFFICER})
# Who sets a person's own check-in plan (a supervision decision).
PLAN_ROLES = REVIEW_ROLES
# Staff who may enrol reference photos and ask for check-ins (the provider installs the app, 定位服务).
ENROL_ROLES = REVIEW_ROLES | {Role.SOCIAL_WORKER}


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _require_staff(actor: Any, roles: frozenset[str]) -> None:
    require(actor, Domain.LOCATION, CHANGE)
    scope = scope_for(actor)
    if not scope.unrestricted and scope.role not in roles:
        raise PermissionDenied(_("Your role may not do this."))


def _locked_person(actor: Any, person: Person, roles: frozenset[str]) -> Person:
    _require_staff(actor, roles)
    visible = get_scoped_or_404(Person, actor, CHANGE, domain=Domain.LOCATION, pk=person.pk)
    return Person.objects.select_for_update().get(pk=visible.pk)


def decode_base64_image(value: str, *, what: str, max_bytes: int) -> bytes:
    """Base64 text (optionally a ``data:image/...;base64,`` URL) -> bytes; ValidationError if not."""
    if not isinstance(value, str) or not value:
        raise ValidationError(_("%(what)s is empty.") % {"what": what})
    if value.startswith("data:"):
        header, _sep, value = value.partition(",")
        if ";base64" not in header:
            raise ValidationError(_("%(what)s is not base64 data.") % {"what": what})
    if len(value) > (max_bytes * 4) // 3 + 8:
        raise ValidationError(
            _("%(what)s is larger than %(kb)s KB.") % {"what": what, "kb": max_bytes // 1024}
        )
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("%(what)s is not valid base64 data.") % {"what": what})


def _image_problem(exc: face.ImageError) -> str:
    return {
        "empty": _("the image is empty"),
        "format": _("not a JPEG or PNG image"),
        "small": _("the image is too small (at least %(n)s pixels on each side)") % {"n": face.MIN_SIDE},
        "large": _("the image is too large"),
    }.get(exc.code, _("the image cannot be read"))


# --- reference photos -------------------------------------------------------------------------------------


@dataclass
class EnrolPreview:
    image: bytes
    descriptor: bytes
    width: int
    height: int
    box: list[int]
    quality: dict[str, Any]
    model_version: str


def analyse_reference(data: bytes, *, unit: Any = None) -> EnrolPreview:
    """Check an image for enrolment: exactly one usable face. ValidationError with the reason otherwise."""
    try:
        rgb = face.decode_image(data, max_bytes=MAX_REFERENCE_BYTES)
    except face.ImageError as exc:
        raise ValidationError(
            {"image": _("The photo cannot be used: %(why)s.") % {"why": _image_problem(exc)}}
        )
    rgb = face.downscale(rgb, REFERENCE_MAX_SIDE)
    params = face.DetectionParams(secondary_min_score=float(rule("checkins.secondary_face_min_score", unit)))
    analysis = face.engine().analyse(rgb, want_descriptor=True, params=params)
    if analysis.status == "no_face":
        raise ValidationError(
            {"image": _("No face was found in the photo. Use a clear, front-facing photo of the person.")}
        )
    if analysis.status == "several_faces":
        raise ValidationError(
            {
                "image": _("The photo shows %(n)s faces. A reference photo must show the person alone.")
                % {"n": 1 + len(analysis.others)}
            }
        )
    assert analysis.face is not None and analysis.descriptor is not None
    min_px = int(rule("checkins.reference_min_face_px", unit))
    if analysis.face.width < min_px:
        raise ValidationError(
            {
                "image": _(
                    "The face is too small (%(px)s pixels wide; at least %(min)s). Move closer or use a "
                    "larger photo."
                )
                % {"px": analysis.face.width, "min": min_px}
            }
        )
    quality = dict(analysis.quality)
    warnings = []
    if quality.get("brightness", 128) < 50:
        warnings.append("dark")
    if quality.get("brightness", 128) > 215:
        warnings.append("bright")
    if quality.get("sharpness", 100) < 20:
        warnings.append("blurred")
    quality["warnings"] = warnings
    quality["ignored_boxes"] = analysis.ignored
    return EnrolPreview(
        image=face.encode_jpeg(rgb, quality=90),
        descriptor=face.descriptor_to_bytes(analysis.descriptor),
        width=int(rgb.shape[1]),
        height=int(rgb.shape[0]),
        box=list(analysis.face.box),
        quality=quality,
        model_version=face.engine().version,
    )


def reference_enrol(
    *, actor: Any, person: Person, image: bytes, source: str = PhotoSource.UPLOAD, note: str = ""
) -> ReferencePhoto:
    """Enrol a reference photo for a person, replacing the one in use (kept in the history)."""
    _require_staff(actor, ENROL_ROLES)
    get_scoped_or_404(Person, actor, CHANGE, domain=Domain.LOCATION, pk=person.pk)
    if source not in PhotoSource.values:
        raise ValidationError({"source": _("Unknown photo source.")})
    preview = analyse_reference(image, unit=person.county_id)  # CPU work outside the transaction
    with transaction.atomic():
        person = _locked_person(actor, person, ENROL_ROLES)
        if person.status in (Status.RELEASED, Status.TERMINATED):
            raise ValidationError(_("This person's correction has ended."))
        now = timezone.now()
        for old in ReferencePhoto.objects.select_for_update().filter(person=person, active=True):
            old.active = False
            old.retired_at = now
            old.save()
        photo = ReferencePhoto.objects.create(
            person=person,
            image=preview.image,
            descriptor=preview.descriptor,
            width=preview.width,
            height=preview.height,
            box=preview.box,
            quality=preview.quality,
            model_version=preview.model_version,
            source=source,
            note=(note or "").strip()[:200],
            enrolled_by=_user(actor),
            enrolled_at=now,
        )
        timeline_add(person, "checkin.reference_enrolled", obj=photo, source=source)
    return photo


# --- personal plans -----------------------------------------------------------------------------------------


def _clean_times(times: list[str]) -> list[str]:
    from jiaozheng.checkins.rules import _hhmm

    clean = sorted({t.strip() for t in times if t and t.strip()})
    bad = [t for t in clean if not _hhmm(t)]
    if bad:
        raise ValidationError(
            {"times": _("Times are written as HH:MM, e.g. 08:30 (not %(bad)s).") % {"bad": ", ".join(bad)}}
        )
    if len(clean) > 12:
        raise ValidationError({"times": _("At most 12 check-ins a day.")})
    return clean


@transaction.atomic
def plan_set(
    *,
    actor: Any,
    person: Person,
    times: list[str],
    weekdays: list[int],
    random_per_week: int,
    reason: str,
    until: dt.date | None = None,
) -> CheckinPlan:
    """Give a person their own check-in schedule (more, fewer or none), with the reason."""
    person = _locked_person(actor, person, PLAN_ROLES)
    times = _clean_times(times)
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        raise ValidationError({"weekdays": _("Weekdays are 0 (Monday) to 6 (Sunday).")})
    if times and not weekdays:
        raise ValidationError({"weekdays": _("Choose the weekdays of the scheduled check-ins.")})
    if not isinstance(random_per_week, int) or not 0 <= random_per_week <= 14:
        raise ValidationError({"random_per_week": _("Random check-ins: 0 to 14 a week.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this person's own plan.")})
    if until is not None and until < timezone.localdate():
        raise ValidationError({"until": _("This date is in the past.")})
    plan = CheckinPlan.objects.filter(person=person).first() or CheckinPlan(person=person)
    plan.times = times
    plan.weekdays = sorted(set(weekdays))
    plan.random_per_week = random_per_week
    plan.reason = reason
    plan.until = until
    plan.set_by = _user(actor)
    plan.set_at = timezone.now()
    plan.save()
    timeline_add(person, "checkin.plan_set", obj=plan, times=", ".join(times) or "—", random=random_per_week)
    return plan


@transaction.atomic
def plan_clear(*, actor: Any, person: Person) -> None:
    """Back to the class defaults."""
    person = _locked_person(actor, person, PLAN_ROLES)
    plan = CheckinPlan.objects.filter(person=person).first()
    if plan is None:
        raise ValidationError(_("This person has no plan of their own."))
    plan.delete()
    timeline_add(person, "checkin.plan_cleared", obj=person)


# --- requests -----------------------------------------------------------------------------------------------


def choose_challenge(unit: Any = None) -> str:
    allowed = [c for c in rule("checkins.liveness_challenges", unit) if c in Challenge.values]
    return secrets.choice(allowed or [Challenge.BLINK])


def _notify_person(requests: list[CheckinRequest]) -> None:
    """Tell each person (their own account, if any) that a check-in is waiting: one message each."""
    from django.urls import reverse

    from jiaozheng.core.models import Notification
    from jiaozheng.core.notify import notify
    from jiaozheng.orgs.models import User

    if not requests:
        return
    accounts = {
        u.person_id: u
        for u in User.objects.filter(person_id__in={r.person_id for r in requests}, is_active=True)
    }
    by_due: dict[str, list[Any]] = defaultdict(list)
    for req in requests:
        if req.person_id in accounts:
            by_due[f"{timezone.localtime(req.due_at):%H:%M}"].append(accounts[req.person_id])
    link = reverse("checkins:mine")
    for due, users in by_due.items():
        notify(
            users,
            title=_("Please check in with your face before %(time)s") % {"time": due},
            body=_("Open the check-in page, allow the camera and location, and follow the instruction."),
            link=link,
            level=Notification.Level.WARNING,
            kind="checkins.request",
        )


def request_create(
    *,
    actor: Any,
    person: Person,
    window_minutes: int | None = None,
    note: str = "",
    challenge: str | None = None,
) -> CheckinRequest:
    """A check-in asked for now by staff (an unannounced spot check, 随机抽查)."""
    with transaction.atomic():
        person = _locked_person(actor, person, ENROL_ROLES)
        if person.status != Status.IN_CORRECTION:
            raise ValidationError(_("Check-ins can only be asked of a person in correction."))
        if not ReferencePhoto.objects.filter(person=person, active=True).exists():
            raise ValidationError(_("Enrol a reference photo before asking for a check-in."))
        window = window_minutes or int(rule("checkins.window_minutes", person.county_id))
        if not 5 <= window <= 24 * 60:
            raise ValidationError({"window_minutes": _("The window is 5 minutes to 24 hours.")})
        if challenge is not None and challenge not in Challenge.values:
            raise ValidationError({"challenge": _("Unknown challenge.")})
        if CheckinRequest.objects.filter(
            person=person, status=RequestStatus.PENDING, due_at__gt=timezone.now()
        ).exists():
            raise ValidationError(_("This person already has a check-in waiting."))
        now = timezone.now()
        req = CheckinRequest.objects.create(
            person=person,
            kind=RequestKind.ON_DEMAND,
            slot=f"D{uuid.uuid4().hex[:16]}",
            challenge=challenge or choose_challenge(person.county_id),
            issued_at=now,
            due_at=now + dt.timedelta(minutes=window),
            created_by=_user(actor),
            note=(note or "").strip()[:200],
        )
        _notify_person([req])
    return req


@transaction.atomic
def request_cancel(*, actor: Any, request: CheckinRequest, reason: str) -> CheckinRequest:
    _require_staff(actor, ENROL_ROLES)
    visible = get_scoped_or_404(CheckinRequest, actor, CHANGE, pk=request.pk)
    req = CheckinRequest.objects.select_for_update().get(pk=visible.pk)
    if req.status != RequestStatus.PENDING:
        raise ValidationError(_("Only a waiting check-in can be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    req.status = RequestStatus.CANCELLED
    req.cancel_reason = reason[:200]
    req.closed_at = timezone.now()
    req.save()
    return req


@dataclass
class IssueReport:
    created: int
    persons: int


def requests_issue_due(
    now: dt.datetime | None = None, *, persons: Any = None, notify_persons: bool = True
) -> IssueReport:
    """Issue the scheduled and random check-ins whose time has come (idempotent; run every few minutes).

    A slot is issued when its time has passed and at least half its window is left; each (person, slot)
    is issued once (unique constraint), so overlapping runs create nothing twice.
    """
    now = now or timezone.now()
    local_today = timezone.localtime(now).date()
    days = [local_today - dt.timedelta(days=1), local_today]
    qs = Person.objects.filter(status=Status.IN_CORRECTION, face_references__active=True)
    if persons is not None:
        qs = qs.filter(pk__in=[getattr(p, "pk", p) for p in persons])
    rows = list(qs.values_list("pk", "county_id", "supervision_class").distinct())
    plans = {p.person_id: p for p in CheckinPlan.objects.filter(person_id__in=[r[0] for r in rows])}
    county_rules: dict[int, tuple[Any, ...]] = {}
    candidates: list[CheckinRequest] = []
    for person_id, county_id, klass in rows:
        if county_id not in county_rules:
            county_rules[county_id] = (
                rule("checkins.schedule_by_class", county_id),
                rule("checkins.random_per_week", county_id),
                rule("checkins.random_hours", county_id),
                int(rule("checkins.window_minutes", county_id)),
                [c for c in rule("checkins.liveness_challenges", county_id) if c in Challenge.values],
            )
        class_rules, random_rules, hours, window, challenges = county_rules[county_id]
        for day in days:
            schedule = schedule_for(klass, plans.get(person_id), day, class_rules, random_rules, hours)
            for slot in slots_on(person_id, day, schedule):
                due = slot.at + dt.timedelta(minutes=window)
                if slot.at <= now and now < slot.at + dt.timedelta(minutes=window / 2):
                    candidates.append(
                        CheckinRequest(
                            person_id=person_id,
                            kind=slot.kind,
                            slot=slot.key,
                            challenge=secrets.choice(challenges or [Challenge.BLINK]),
                            issued_at=now,
                            due_at=due,
                        )
                    )
    if not candidates:
        return IssueReport(0, len(rows))
    existing = set(
        CheckinRequest.objects.filter(
            person_id__in={c.person_id for c in candidates}, slot__in={c.slot for c in candidates}
        ).values_list("person_id", "slot")
    )
    fresh = [c for c in candidates if (c.person_id, c.slot) not in existing]
    if not fresh:
        return IssueReport(0, len(rows))
    with transaction.atomic():
        CheckinRequest.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
        created = list(
            CheckinRequest.objects.filter(
                issued_at=now, slot__in={c.slot for c in fresh}, person_id__in={c.person_id for c in fresh}
            )
        )
        record_bulk(created, verb="checkins.issue")
        if notify_persons:
            _notify_person(created)
    return IssueReport(len(created), len(rows))


# --- alerts ------------------------------------------------------------------------------------------------

# Which alert a closed request raises, and how severe it is.
ALERT_FOR = {
    Result.NO_MATCH: ("device_separation", "high"),
    Result.LIVENESS_FAILED: ("device_separation", "medium"),
    Result.NO_FACE: ("missed_checkin", "medium"),
    Result.SEVERAL_FACES: ("missed_checkin", "medium"),
    "missed": ("missed_checkin", "medium"),
}


def _raise_alert(req: CheckinRequest, key: str, attempt: CheckinAttempt | None) -> Any:
    alert_raise = provider("location.alert_raise")
    alert_type, severity = ALERT_FOR[key]
    local_due = timezone.localtime(req.due_at)
    if key == "missed":
        title = _("Did not check in by %(time)s (%(kind)s)") % {
            "time": f"{local_due:%m-%d %H:%M}",
            "kind": req.get_kind_display(),
        }
    else:
        title = _("Face check-in failed: %(result)s (%(n)s attempts)") % {
            "result": Result(key).label,
            "n": req.attempts_count,
        }
    evidence: dict[str, Any] = {
        "checkin_request": req.pk,
        "kind": req.kind,
        "issued_at": req.issued_at,
        "due_at": req.due_at,
        "attempts": req.attempts_count,
        "result": "" if key == "missed" else key,
    }
    if attempt is not None:
        evidence.update(
            {
                "attempt": attempt.pk,
                "reason": attempt.reason,
                "identity_distance": attempt.identity_distance,
                "threshold": attempt.threshold,
                "liveness": {
                    k: attempt.liveness.get(k)
                    for k in ("challenge", "measure", "change", "required", "passed")
                },
                "model_version": attempt.model_version,
            }
        )
    return alert_raise(
        person=req.person,
        alert_type=alert_type,
        severity=severity,
        title=title,
        evidence=evidence,
        source_obj=req,
        occurred_at=attempt.submitted_at if attempt is not None else req.due_at,
    )


def _close(req: CheckinRequest, status: str, attempt: CheckinAttempt | None, now: dt.datetime) -> None:
    """Close a request in the caller's transaction: status, result, timeline and alert."""
    req.status = status
    req.closed_at = now
    if attempt is not None:
        req.result = attempt.result
        req.distance = attempt.identity_distance
    req.save()
    if status == RequestStatus.COMPLETED:
        timeline_add(req.person, "checkin.completed", obj=req, at=now)
    elif status == RequestStatus.MISSED:
        timeline_add(req.person, "checkin.missed", obj=req, at=req.due_at)
        _raise_alert(req, "missed", None)
    elif status == RequestStatus.FAILED:
        assert attempt is not None
        timeline_add(req.person, "checkin.failed", obj=req, at=now, result=attempt.result)
        _raise_alert(req, attempt.result, attempt)


@dataclass
class ExpireReport:
    missed: int
    failed: int


def requests_expire_overdue(now: dt.datetime | None = None, *, batch: int = 500) -> ExpireReport:
    """Close waiting requests whose window has passed: missed (nothing sent) or failed (attempts without a
    match; the last attempt's result decides). A person no longer in correction has theirs cancelled.
    Each request in its own short transaction; one that cannot be closed is logged and skipped."""
    now = now or timezone.now()
    missed = failed = 0
    skipped: set[int] = set()
    while True:
        ids = list(
            CheckinRequest.objects.filter(status=RequestStatus.PENDING, due_at__lte=now)
            .exclude(pk__in=skipped)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        for pk in ids:
            try:
                with transaction.atomic():
                    req = (
                        CheckinRequest.objects.select_for_update()
                        .select_related("person")
                        .filter(pk=pk, status=RequestStatus.PENDING)
                        .first()
                    )
                    if req is None:
                        continue
                    last = req.attempts.order_by("-number").first()
                    if req.person.status != Status.IN_CORRECTION:
                        req.status = RequestStatus.CANCELLED
                        req.cancel_reason = _("The person is no longer in correction.")
                        req.closed_at = now
                        req.save()
                    elif last is None:
                        _close(req, RequestStatus.MISSED, None, now)
                        missed += 1
                    else:
                        _close(req, RequestStatus.FAILED, last, now)
                        failed += 1
            except Exception:  # one bad row must not stop the sweep; it is retried on the next run
                log.exception("check-in request %s could not be closed", pk)
                skipped.add(pk)
    return ExpireReport(missed, failed)


# --- the person's submission ----------------------------------------------------------------------------------


@dataclass
class Position:
    latitude: float
    longitude: float
    accuracy: float | None = None


def _check_position(position: Position | None) -> Position | None:
    if position is None:
        return None
    values = [position.latitude, position.longitude] + (
        [position.accuracy] if position.accuracy is not None else []
    )
    if any(
        not isinstance(v, (int, float)) or isinstance(v, bool) or math.isnan(v) or math.isinf(v)
        for v in values
    ):
        raise ValidationError({"position": _("The position holds an invalid number.")})
    if not -90 <= position.latitude <= 90 or not -180 <= position.longitude <= 180:
        raise ValidationError({"position": _("The position is outside valid coordinates.")})
    if position.accuracy is not None and not 0 <= position.accuracy <= 100_000:
        raise ValidationError({"position": _("The accuracy must be 0 to 100,000 metres.")})
    return position


def _own_request(actor: Any, request_id: int) -> CheckinRequest:
    """The supervised person's own request (404 for anyone else's)."""
    scope = scope_for(actor)
    if scope.role != Role.SUBJECT and not scope.unrestricted:
        raise PermissionDenied(_("Only the supervised person checks in."))
    require(actor, Domain.LOCATION, CHANGE)
    return get_scoped_or_404(CheckinRequest.objects.select_related("person"), actor, CHANGE, pk=request_id)


def _check_open(req: CheckinRequest, now: dt.datetime) -> None:
    if req.status != RequestStatus.PENDING:
        raise Conflict(
            _("This check-in is already closed (%(status)s).") % {"status": req.get_status_display()}
        )
    if now < req.issued_at:
        raise Conflict(_("This check-in has not started yet."))
    if now >= req.due_at:
        raise Conflict(_("The time for this check-in has passed."))
    if req.attempts_count >= int(rule("checkins.max_attempts", req.person.county_id)):
        raise Conflict(_("No attempts are left for this check-in."))


def attempt_submit(
    *,
    actor: Any,
    request_id: int,
    frames: list[str] | list[bytes],
    position: Position | None = None,
    user_agent: str = "",
    now: dt.datetime | None = None,
) -> CheckinAttempt:
    """The person sends the frames of one attempt. Verification runs here, offline, with dlib.

    Frames are base64 text (or bytes) of JPEG/PNG images in capture order. Bad input raises
    ValidationError and stores nothing; a closed or expired request raises Conflict (HTTP 409).
    ``now`` is the submission time (default: the clock; the demo replays past days with it).
    """
    req = _own_request(actor, request_id)
    _check_open(req, now or timezone.now())
    reference = ReferencePhoto.objects.filter(person_id=req.person_id, active=True).defer("image").first()
    if reference is None:
        raise Conflict(_("No reference photo is enrolled for you yet. Please contact your officer."))
    if not isinstance(frames, list) or not MIN_FRAMES <= len(frames) <= MAX_FRAMES:
        raise ValidationError(
            {"frames": _("Send %(min)s to %(max)s frames.") % {"min": MIN_FRAMES, "max": MAX_FRAMES}}
        )
    position = _check_position(position)
    images = []
    for index, frame in enumerate(frames, start=1):
        what = _("Frame %(n)s") % {"n": index}
        try:
            data = (
                frame
                if isinstance(frame, bytes)
                else decode_base64_image(frame, what=what, max_bytes=MAX_FRAME_BYTES)  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            raise ValidationError({"frames": exc.messages})
        try:
            images.append(face.decode_image(data, max_bytes=MAX_FRAME_BYTES))
        except face.ImageError as exc:
            raise ValidationError({"frames": f"{what}: {_image_problem(exc)}"})
    params = VerifyParams.for_unit(req.person.county_id)
    outcome = verify(face.descriptor_from_bytes(reference.descriptor), images, req.challenge, params)
    stored = pack_frames(
        [face.encode_jpeg(img, max_side=STORED_FRAME_MAX_SIDE, quality=80) for img in images]
    )
    return _store_attempt(req.pk, outcome, stored, len(images), position, user_agent, now)


@transaction.atomic
def _store_attempt(
    request_pk: int,
    outcome: Outcome,
    frames: bytes,
    count: int,
    position: Position | None,
    user_agent: str,
    now: dt.datetime | None,
) -> CheckinAttempt:
    req = CheckinRequest.objects.select_for_update().select_related("person").get(pk=request_pk)
    now = now or timezone.now()
    _check_open(req, now)  # may have closed while the frames were analysed
    req.attempts_count += 1
    attempt = CheckinAttempt.objects.create(
        request=req,
        number=req.attempts_count,
        submitted_at=now,
        result=outcome.result,
        reason=outcome.reason[:300],
        identity_distance=outcome.identity_distance,
        max_distance=outcome.max_distance,
        frames_spread=outcome.frames_spread,
        threshold=outcome.threshold,
        liveness_passed=outcome.liveness_passed,
        liveness=outcome.liveness,
        frames_detail=outcome.frames,
        frames=frames,
        frame_count=count,
        latitude=position.latitude if position else None,
        longitude=position.longitude if position else None,
        accuracy=position.accuracy if position else None,
        model_version=outcome.model_version[:160],
        processing_ms=outcome.processing_ms,
        user_agent=(user_agent or "")[:200],
    )
    if outcome.result == Result.MATCH:
        _close(req, RequestStatus.COMPLETED, attempt, now)
    elif req.attempts_count >= int(rule("checkins.max_attempts", req.person.county_id)):
        _close(req, RequestStatus.FAILED, attempt, now)
    else:
        req.save()
    attempt.request = req
    return attempt


def attempts_left(req: CheckinRequest) -> int:
    if req.status != RequestStatus.PENDING:
        return 0
    return max(0, int(rule("checkins.max_attempts", req.person.county_id)) - req.attempts_count)


# --- review -----------------------------------------------------------------------------------------------


@transaction.atomic
def review_record(*, actor: Any, request: CheckinRequest, decision: str, note: str) -> CheckinReview:
    """The officer's own identity decision. The automated result stays as it was."""
    _require_staff(actor, REVIEW_ROLES)
    visible = get_scoped_or_404(CheckinRequest, actor, CHANGE, pk=request.pk)
    req = CheckinRequest.objects.select_for_update().select_related("person").get(pk=visible.pk)
    if req.attempts_count == 0:
        raise ValidationError(_("There is nothing to review: no frames were submitted."))
    if req.status == RequestStatus.PENDING:
        raise ValidationError(_("Wait until the check-in is closed before reviewing it."))
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": _("Choose: the person themself, or not the person.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what you looked at and why you decided so.")})
    review = CheckinReview.objects.filter(request=req).first() or CheckinReview(request=req)
    review.decision = decision
    review.note = note
    review.reviewed_by = _user(actor)
    review.reviewed_at = timezone.now()
    review.save()
    timeline_add(req.person, "checkin.reviewed", obj=req, decision=decision)
    return review


# --- retention ----------------------------------------------------------------------------------------------


def frames_purge_expired(now: dt.datetime | None = None, *, batch: int = 1000) -> int:
    """Delete captured frames older than each county's retention period; results and distances stay."""
    from jiaozheng.audit.models import AuditEntry
    from jiaozheng.orgs.models import OrgUnit

    now = now or timezone.now()
    purged = 0
    for county_id in OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY).values_list("pk", flat=True):
        cutoff = now - dt.timedelta(days=int(rule("checkins.frame_retention_days", county_id)))
        while True:
            old = list(
                CheckinAttempt.objects.filter(
                    request__person__county_id=county_id,
                    submitted_at__lt=cutoff,
                    frames_purged_at__isnull=True,
                    frames__isnull=False,
                )
                .select_related("request")
                .defer("frames")[:batch]
            )
            if not old:
                break
            with transaction.atomic():
                CheckinAttempt.objects.filter(pk__in=[a.pk for a in old]).update(
                    frames=None, frames_purged_at=now
                )
                for attempt in old:
                    attempt.frames = None  # set, so the audit snapshot does not load the deferred blob
                    attempt.frames_purged_at = now
                record_bulk(old, action=AuditEntry.Action.UPDATE, verb="checkins.frames_purged")
            purged += len(old)
    return purged
