"""Face check-in pages: the staff board, requests and review, a person's enrolment and plan; the
supervised person's phone pages (the check-in itself runs in the browser and posts to the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiaozheng.checkins import forms as cf
from jiaozheng.checkins import selectors, services
from jiaozheng.checkins.choices import (
    Challenge,
    PhotoSource,
    RequestKind,
    RequestStatus,
    Result,
    TodayStatus,
)
from jiaozheng.checkins.models import CheckinRequest
from jiaozheng.checkins.scheduling import schedule_for
from jiaozheng.core.access import ui_view
from jiaozheng.core.params import id_param
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, scope_for, scoped
from jiaozheng.people.models import Person
from jiaozheng.people.selectors import squadrons_for

PAGE_SIZE = 30
BOARD_ORDER = {
    TodayStatus.PROBLEM: 0,
    TodayStatus.PENDING: 1,
    TodayStatus.DONE: 2,
    TodayStatus.NONE_DUE: 3,
    TodayStatus.NOT_ENROLLED: 4,
}
MEASURE_LABELS = {
    "yaw": gettext_lazy("head turn (nose offset)"),
    "pitch": gettext_lazy("nod (nose drop)"),
    "eyes": gettext_lazy("eye openness"),
    "mouth": gettext_lazy("open-mouth share"),
}
SUBJECT = [Role.SUBJECT]


def _role_in(user: Any, roles: frozenset[str]) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or scope.role in roles


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def _flash_errors(request, exc: ValidationError) -> None:
    for message in _errors(exc):
        messages.error(request, message)


# --- staff: today's board -------------------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.LOCATION)
def board(request):
    """Today's check-ins: totals, the review queue, and each person's status for the day."""
    today = timezone.localdate()
    squadron = request.GET.get("squadron", "")
    wanted = request.GET.get("status", "")
    persons = scoped(Person, request.user, domain=Domain.LOCATION).filter(status="in_correction")
    if id_param(squadron) is not None:
        persons = persons.filter(squadron_id=id_param(squadron))
    status = selectors.checkin_status_today(actor=request.user, on=today, persons=persons)
    # Who needs attention first: problems, then waiting, done, nothing due, not enrolled.
    ordered = list(persons.order_by("squadron__sort_order", "name", "id").values_list("pk", flat=True))
    ordered.sort(key=lambda pk: BOARD_ORDER.get(status[pk].status if pk in status else "", 9))
    if wanted in TodayStatus.values:
        ordered = [pk for pk in ordered if pk in status and status[pk].status == wanted]
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    by_pk = Person.objects.select_related("squadron").in_bulk(list(page))
    rows = [(by_pk[pk], status.get(pk)) for pk in page if pk in by_pk]
    return render(
        request,
        "checkins/board.html",
        {
            "today": today,
            "counts": selectors.checkin_counts_today(actor=request.user, on=today),
            "page": page,
            "rows": rows,
            "squadrons": squadrons_for(actor=request.user),
            "squadron": id_param(squadron),
            "wanted": wanted,
            "statuses": TodayStatus.choices,
        },
    )


# --- staff: requests and review --------------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.LOCATION)
def request_list(request):
    filters = selectors.RequestFilters.from_mapping(request.GET)
    qs = selectors.request_list(actor=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "checkins/request_list.html",
        {
            "page": page,
            "filters": filters,
            "squadrons": squadrons_for(actor=request.user),
            "statuses": RequestStatus.choices,
            "results": Result.choices,
            "kinds": RequestKind.choices,
        },
    )


@ui_view(roles=STAFF_ROLES, domain=Domain.LOCATION, obj=("pk", "checkins.CheckinRequest"))
def request_detail(request, pk: int):
    req = selectors.request_get(actor=request.user, pk=pk)
    attempts = selectors.attempts_for(actor=request.user, request=req)
    for attempt in attempts:
        attempt.measure_label = MEASURE_LABELS.get(attempt.liveness.get("measure", ""), "")
        attempt.why = reason_text(attempt)
    reference = selectors.reference_current(actor=request.user, person=req.person)
    review = selectors.review_for(req)
    can_review = (
        _role_in(request.user, services.REVIEW_ROLES)
        and req.attempts_count > 0
        and req.status != RequestStatus.PENDING
    )
    initial = {"decision": review.decision, "note": review.note} if review else {}
    return render(
        request,
        "checkins/request_detail.html",
        {
            "req": req,
            "person": req.person,
            "attempts": attempts,
            "reference": reference,
            "review": review,
            "can_review": can_review,
            "can_cancel": _role_in(request.user, services.ENROL_ROLES)
            and req.status == RequestStatus.PENDING,
            "review_form": cf.ReviewForm(initial=initial),
            "cancel_form": cf.CancelForm(),
            "attempts_left": services.attempts_left(req),
        },
    )


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.LOCATION, action=CHANGE, obj=("pk", "checkins.CheckinRequest"))
def request_review(request, pk: int):
    req = selectors.request_get(actor=request.user, pk=pk)
    form = cf.ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("checkins:request_detail", pk=req.pk)
    try:
        services.review_record(actor=request.user, request=req, **form.cleaned_data)
    except ValidationError as exc:
        _flash_errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your review has been recorded."))
    return redirect("checkins:request_detail", pk=req.pk)


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.LOCATION, action=CHANGE, obj=("pk", "checkins.CheckinRequest"))
def request_cancel(request, pk: int):
    req = selectors.request_get(actor=request.user, pk=pk)
    form = cf.CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for cancelling."))
        return redirect("checkins:request_detail", pk=req.pk)
    try:
        services.request_cancel(actor=request.user, request=req, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _flash_errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The check-in has been cancelled."))
    return redirect("checkins:request_detail", pk=req.pk)


@ui_view(roles=STAFF_ROLES, domain=Domain.LOCATION, obj=("pk", "checkins.ReferencePhoto"))
def reference_image(request, pk: int):
    _photo, data = selectors.reference_image(actor=request.user, pk=pk)
    return _jpeg(data)


@ui_view(
    roles=STAFF_ROLES, domain=Domain.LOCATION, obj=("pk", "checkins.CheckinAttempt"), samples={"index": "0"}
)
def attempt_frame(request, pk: int, index: int):
    _attempt, data = selectors.attempt_frame(actor=request.user, pk=pk, index=index)
    if data is None:
        raise Http404("no such frame")
    return _jpeg(data)


def _jpeg(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


def reason_text(attempt: Any) -> str:
    """Why the automated check gave its result, in the reader's language (from the stored numbers)."""
    frames = attempt.frames_detail or []
    if attempt.result == Result.SEVERAL_FACES:
        numbers = [str(f["index"] + 1) for f in frames if f.get("status") == "several_faces"]
        return _("Several faces in frame %(frames)s.") % {"frames": ", ".join(numbers)}
    if attempt.result == Result.NO_FACE:
        found = sum(1 for f in frames if f.get("status") == "ok")
        return _("A face was found in %(found)s of %(total)s frames.") % {
            "found": found,
            "total": len(frames),
        }
    if attempt.result == Result.NO_MATCH:
        if attempt.identity_distance is not None and attempt.identity_distance > attempt.threshold:
            return _("The face distance %(d).3f is above the threshold %(t).2f.") % {
                "d": attempt.identity_distance,
                "t": attempt.threshold,
            }
        return _("The frames do not show the same person throughout (%(d).3f between frames).") % {
            "d": attempt.frames_spread or 0
        }
    if attempt.result == Result.LIVENESS_FAILED:
        return _(
            "The frames do not show the movement asked for (%(measure)s changed %(change).3f; %(needed)s needed)."
        ) % {
            "measure": MEASURE_LABELS.get(attempt.liveness.get("measure", ""), ""),
            "change": attempt.liveness.get("change", 0),
            "needed": attempt.liveness.get("required", ""),
        }
    return ""


# --- staff: one person's check-in settings ------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.LOCATION, obj=("pk", "people.Person"))
def person_page(request, pk: int):
    person = get_scoped_or_404(
        Person.objects.select_related("squadron", "county"), request.user, domain=Domain.LOCATION, pk=pk
    )
    plan = selectors.plan_for(actor=request.user, person=person)
    today = timezone.localdate()
    schedule = schedule_for(
        person.supervision_class,
        plan,
        today,
        rule("checkins.schedule_by_class", person.county_id),
        rule("checkins.random_per_week", person.county_id),
        rule("checkins.random_hours", person.county_id),
    )
    plan_initial = (
        {
            "times": ", ".join(plan.times),
            "weekdays": plan.weekdays,
            "random_per_week": plan.random_per_week,
            "until": plan.until,
            "reason": plan.reason,
        }
        if plan
        else {
            "times": ", ".join(schedule.times),
            "weekdays": list(schedule.weekdays),
            "random_per_week": schedule.random_per_week,
        }
    )
    history = selectors.request_list(actor=request.user, filters=selectors.RequestFilters(person=person.pk))[
        :20
    ]
    return render(
        request,
        "checkins/person.html",
        {
            "person": person,
            "reference": selectors.reference_current(actor=request.user, person=person),
            "references": selectors.reference_history(actor=request.user, person=person),
            "plan": plan,
            "schedule": schedule,
            "weekday_names": dict(cf.WEEKDAYS),
            "history": history,
            "enrol_form": cf.EnrolForm(),
            "plan_form": cf.PlanForm(initial=plan_initial),
            "ask_form": cf.AskForm(
                initial={"window_minutes": rule("checkins.window_minutes", person.county_id)}
            ),
            "waiting": selectors.pending_for_person_staff(actor=request.user, person=person),
            "can_enrol": _role_in(request.user, services.ENROL_ROLES),
            "can_plan": _role_in(request.user, services.PLAN_ROLES),
            "window_minutes": rule("checkins.window_minutes", person.county_id),
        },
    )


def _person_for_change(request, pk: int) -> Person:
    return get_scoped_or_404(Person, request.user, CHANGE, domain=Domain.LOCATION, pk=pk)


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.LOCATION, action=CHANGE, obj=("pk", "people.Person"))
def person_enrol(request, pk: int):
    person = _person_for_change(request, pk)
    form = cf.EnrolForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("checkins:person", pk=person.pk)
    try:
        if form.cleaned_data.get("photo"):
            data = form.cleaned_data["photo"].read()
            source = PhotoSource.UPLOAD
        else:
            data = services.decode_base64_image(
                form.cleaned_data["captured"],
                what=_("The camera photo"),
                max_bytes=services.MAX_REFERENCE_BYTES,
            )
            source = PhotoSource.CAMERA
        photo = services.reference_enrol(
            actor=request.user,
            person=person,
            image=data,
            source=source,
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        warnings = photo.quality.get("warnings") or []
        messages.success(request, _("The reference photo has been enrolled."))
        if warnings:
            messages.warning(
                request,
                _("The photo may be %(what)s: check that it is a good likeness.")
                % {"what": ", ".join(str(QUALITY_WORDS.get(w, w)) for w in warnings)},
            )
    return redirect("checkins:person", pk=person.pk)


QUALITY_WORDS = {"dark": _("dark"), "bright": _("over-exposed"), "blurred": _("blurred")}


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.LOCATION, action=CHANGE, obj=("pk", "people.Person"))
def person_plan(request, pk: int):
    person = _person_for_change(request, pk)
    try:
        if request.POST.get("clear"):
            services.plan_clear(actor=request.user, person=person)
            messages.success(request, _("The class defaults apply again."))
        else:
            form = cf.PlanForm(request.POST)
            if not form.is_valid():
                for field, errors in form.errors.items():
                    for error in errors:
                        label = form.fields[field].label if field in form.fields else ""
                        messages.error(request, f"{label}: {error}" if label else error)
                return redirect("checkins:person", pk=person.pk)
            services.plan_set(actor=request.user, person=person, **form.service_data())
            messages.success(request, _("The check-in plan has been saved."))
    except ValidationError as exc:
        _flash_errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("checkins:person", pk=person.pk)


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.LOCATION, action=CHANGE, obj=("pk", "people.Person"))
def person_ask(request, pk: int):
    person = _person_for_change(request, pk)
    form = cf.AskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The window is 5 minutes to 24 hours."))
        return redirect("checkins:person", pk=person.pk)
    try:
        req = services.request_create(actor=request.user, person=person, **form.cleaned_data)
    except ValidationError as exc:
        _flash_errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("A check-in has been sent to %(name)s, due by %(time)s.")
            % {"name": person.name, "time": f"{timezone.localtime(req.due_at):%H:%M}"},
        )
        return redirect("checkins:request_detail", pk=req.pk)
    return redirect("checkins:person", pk=person.pk)


# --- the supervised person's phone pages ------------------------------------------------------------------


@ui_view(domain=Domain.LOCATION, roles=SUBJECT)
def mine(request):
    """The person's own check-ins: what is waiting now, and the last few."""
    return render(
        request,
        "checkins/mine.html",
        {
            "today": timezone.localtime(),
            "pending": selectors.pending_for_person(actor=request.user),
            "recent": selectors.recent_for_person(actor=request.user),
        },
    )


@ui_view(domain=Domain.LOCATION, roles=SUBJECT, obj=("pk", "checkins.CheckinRequest"))
def mine_checkin(request, pk: int):
    """One check-in: camera, location, the challenge, capture and submit (see static/checkins/checkin.js)."""
    req = get_scoped_or_404(CheckinRequest.objects.select_related("person"), request.user, pk=pk)
    return render(
        request,
        "checkins/mine_checkin.html",
        {
            "req": req,
            "today": timezone.localtime(),
            "challenge_text": Challenge(req.challenge).label,
            "is_open": req.is_open,
            "attempts_left": services.attempts_left(req),
        },
    )
