"""Location pages: the map (latest positions, zones, a day's track with playback), the alert queue and
workflow, the device list with enrolment, a person's zones (trips, prohibition schedules), the import of
historical installations. Every read of positions is logged by the selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiaozheng.core.access import ui_view
from jiaozheng.core.params import date_param, id_param
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role, role_allows
from jiaozheng.core.scoping import get_scoped_or_404, scope_for, scoped
from jiaozheng.location import forms as lf
from jiaozheng.location import selectors, services, tiles
from jiaozheng.location.choices import (
    AlertSeverity,
    AlertStatus,
    AlertType,
    DeviceStatus,
    FixSource,
    PresenceState,
)
from jiaozheng.location.models import Device, TravelPermit
from jiaozheng.orgs.models import OrgUnit
from jiaozheng.people.models import Person, ProhibitionOrder

OFFICERS = sorted(services.OFFICER_ROLES)
PAGE_SIZE = 30


def _can_change(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or (
        scope.role != "subject" and role_allows(scope.role, Domain.LOCATION, CHANGE)
    )


def _is_officer(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or scope.role in services.OFFICER_ROLES


def _person(request: Any, pk: int, action: str = "view") -> Person:
    return get_scoped_or_404(
        Person.objects.select_related("county", "squadron"),
        request.user,
        action,
        domain=Domain.LOCATION,
        pk=pk,
    )


def _squadrons(user: Any) -> Any:
    return (
        scoped(OrgUnit, user).filter(kind=OrgUnit.Kind.SQUADRON).order_by("county_id", "sort_order", "name")
    )


def _counties(user: Any) -> list[OrgUnit]:
    return list(scoped(OrgUnit, user).filter(kind=OrgUnit.Kind.COUNTY).order_by("sort_order", "name"))


def _messages_from(request: Any, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


def _form_errors(request: Any, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def _as_int(value: Any) -> int | None:
    return id_param(value)


# --- the map -------------------------------------------------------------------------------------------


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES)
def map_view(request):
    person = None
    person_id = _as_int(request.GET.get("person"))
    if person_id:
        person = _person(request, person_id)
    squadron = _as_int(request.GET.get("squadron"))
    day = request.GET.get("date") or timezone.localdate().isoformat()
    positions_url = reverse("location:positions_json") + (f"?squadron={squadron}" if squadron else "")
    config = {
        "urls": {
            "positions": positions_url,
            "boundaries": reverse("location:boundaries_json"),
            "track": reverse("location:track_json", args=[0]),
            "zones": reverse("location:zones_json", args=[0]),
            "devices": reverse("location:person_devices", args=[0]),
            "personZones": reverse("location:person_zones", args=[0]),
            "alerts": reverse("location:alert_list"),
        },
        "focus": {"id": person.pk, "name": person.name} if person else None,
        "basemap": tiles.map_config(),
        "timeZone": settings.TIME_ZONE,
        "labels": {
            "types": {value: str(label) for value, label in AlertType.choices},
            "alerts": _("Alerts"),
            "squadron": _("Squadron"),
            "state": _("State"),
            "fix_time": _("Position at"),
            "last_seen": _("Last report"),
            "accuracy": _("Accuracy"),
            "battery": _("Battery"),
            "show_track": _("Track of the day"),
            "devices": _("Devices"),
            "updated": _("Updated"),
            "fixes": _("fixes"),
            "no_fixes": _("No fixes on this day"),
            "outside": _("outside the permitted area"),
            "forbidden": _("in a forbidden zone"),
            "mock": _("mocked"),
            "approximate": _("cell / Wi-Fi fix"),
            "play": _("Play"),
            "pause": _("Pause"),
        },
    }
    response = render(
        request,
        "location/map.html",
        {
            "squadrons": _squadrons(request.user),
            "squadron": squadron,
            "day": day,
            "states": PresenceState.choices,
            "config": config,
            "basemap": config["basemap"],
            # the server's file system is for the administrators' eyes only
            "basemap_path": tiles.expected_location()
            if scope_for(request.user).unrestricted or scope_for(request.user).role == "bureau_admin"
            else "",
        },
    )
    return tiles.allow_service_images(response, config["basemap"])


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES)
def positions_json(request):
    rows = selectors.latest_positions(actor=request.user, squadron=_as_int(request.GET.get("squadron")))
    return JsonResponse({"positions": rows, "generated_at": timezone.now().isoformat()})


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES)
def boundaries_json(request):
    features = [f for f in (selectors.county_boundary(c) for c in _counties(request.user)) if f]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES, obj=("pk", "people.Person"))
def track_json(request, pk: int):
    person = _person(request, pk)
    day = date_param(request.GET.get("date") or timezone.localdate().isoformat())
    if day is None:
        return JsonResponse({"message": _("Not a date (YYYY-MM-DD).")}, status=400)
    fixes = selectors.person_track(actor=request.user, person=person, day=day)
    return JsonResponse(
        {"person_id": person.pk, "name": person.name, "date": day.isoformat(), "fixes": fixes}
    )


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES, obj=("pk", "people.Person"))
def zones_json(request, pk: int):
    person = _person(request, pk)
    return JsonResponse(selectors.person_zones(actor=request.user, person=person))


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES, samples={"z": "0", "x": "0", "y": "0"})
def basemap_tile(request, z: int, x: int, y: int):
    """One raster tile of the offline base map, read from the archive (see ``tiles``). 404 when no archive
    is installed or it has no such tile; staff with location rights only (the archive may be a map of
    sites the bureau does not publish)."""
    return tiles.tile_response(request, z, x, y)


# --- alerts ----------------------------------------------------------------------------------------------


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES)
def alert_list(request):
    filters = selectors.AlertFilters.from_mapping(request.GET)
    qs = selectors.alert_list(actor=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "location/alert_list.html",
        {
            "page": page,
            "filters": filters,
            "counts": selectors.alert_counts(actor=request.user),
            "types": AlertType.choices,
            "severities": AlertSeverity.choices,
            "statuses": AlertStatus.choices,
            "squadrons": _squadrons(request.user),
            "can_change": _can_change(request.user),
            "bulk_form": lf.BulkForm(),
        },
    )


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES, obj=("pk", "location.Alert"))
def alert_detail(request, pk: int):
    alert = selectors.alert_get(actor=request.user, pk=pk)
    events = list(alert.events.select_related("actor"))
    fixes = selectors.alert_evidence_fixes(alert, actor=request.user)
    source_labels = {
        name.lower(): label for name, label in zip(FixSource.names, FixSource.labels, strict=True)
    }
    for f in fixes:
        f["src_label"] = source_labels.get(str(f.get("src")), f.get("src"))
        try:
            f["local"] = timezone.localtime(dt.datetime.fromisoformat(f["t"])).strftime("%m-%d %H:%M:%S")
        except (KeyError, TypeError, ValueError):
            f["local"] = f.get("t", "")
    zone = alert.evidence.get("zone_geojson")
    boundary = None
    if alert.alert_type == AlertType.GEOFENCE_BREACH:
        boundary = selectors.county_boundary(alert.person.county)
    cause = alert.evidence.get("cause") or ""
    return render(
        request,
        "location/alert_detail.html",
        {
            "alert": alert,
            "person": alert.person,
            "events": events,
            "fixes": fixes,
            "map_data": {"fixes": fixes, "zone": zone, "boundary": boundary},
            "cause_text": selectors.cause_label(cause) if cause else "",
            "can_change": _can_change(request.user) and alert.is_open,
            "is_officer": _is_officer(request.user),
            "ack_form": lf.NoteForm(),
            "escalate_form": lf.EscalateForm(),
            "resolve_form": lf.ResolveForm(officer=_is_officer(request.user)),
            "others": selectors.alert_list(
                actor=request.user, filters=selectors.AlertFilters(status="", person=alert.person_id)
            ).exclude(pk=alert.pk)[:10],
        },
    )


ALERT_ACTIONS = {
    "acknowledge": (
        lf.NoteForm,
        lambda a, al, d: services.alert_acknowledge(actor=a, alert=al, note=d["note"]),
    ),
    "escalate": (
        lf.EscalateForm,
        lambda a, al, d: services.alert_escalate(actor=a, alert=al, note=d["note"]),
    ),
    "resolve": (
        lf.ResolveForm,
        lambda a, al, d: services.alert_resolve(
            actor=a,
            alert=al,
            outcome=d["outcome"],
            note=d["note"],
            facts=d.get("facts") or "",
            confirmed=bool(d.get("confirm")),
        ),
    ),
}


@require_POST
@ui_view(
    domain=Domain.LOCATION,
    action=CHANGE,
    roles=STAFF_ROLES,
    obj=("pk", "location.Alert"),
    samples={"action": "acknowledge"},
)
def alert_action(request, pk: int, action: str):
    alert = selectors.alert_get(actor=request.user, pk=pk, action=CHANGE)
    if action not in ALERT_ACTIONS:
        return render(request, "404.html", status=404)
    form_class, call = ALERT_ACTIONS[action]
    form = form_class(request.POST)  # the resolve form validates every outcome; the service checks the role
    if form.is_valid():
        try:
            call(request.user, alert, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _messages_from(request, exc)
        else:
            messages.success(request, _("The alert has been updated."))
    else:
        _form_errors(request, form)
    return redirect("location:alert_detail", pk=alert.pk)


# --- devices -----------------------------------------------------------------------------------------------


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES)
def device_list(request):
    from jiaozheng.location.sweeps import coverage_on

    squadron = _as_int(request.GET.get("squadron"))
    state = request.GET.get("state") or ""
    q = (request.GET.get("q") or "").strip()[:50]
    rows = selectors.device_rows(actor=request.user, squadron=squadron, q=q)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    shown = [r for r in rows if not state or r.state == state]
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    counties = _counties(request.user)
    today = timezone.localdate()
    live = coverage_on(today, [c.pk for c in counties])
    series = selectors.coverage_series(actor=request.user, days=30)
    coverage = []
    for county in counties:
        figures = live.get(county.pk, {"in_correction": 0, "with_device": 0, "reporting": 0})
        days = [
            {"day": row.day.isoformat(), "rate": row.rate, "reporting": row.reporting, "n": row.in_correction}
            for row in series.get(county.pk, [])
            if row.day < today
        ]
        days.append(
            {
                "day": today.isoformat(),
                "rate": figures["with_device"] / figures["in_correction"]
                if figures["in_correction"]
                else None,
                "reporting": figures["reporting"],
                "n": figures["in_correction"],
            }
        )
        coverage.append({"county": county, "figures": figures, "days": days})
    with_device = sum(1 for r in rows if r.device is not None)
    return render(
        request,
        "location/device_list.html",
        {
            "page": page,
            "counts": counts,
            "silent_total": counts.get(PresenceState.SILENT, 0) + counts.get(PresenceState.SILENT_CAUSE, 0),
            "total": len(rows),
            "with_device": with_device,
            "rate": with_device / len(rows) if rows else None,
            "states": PresenceState.choices,
            "state": state,
            "squadron": squadron,
            "q": q,
            "squadrons": _squadrons(request.user),
            "coverage": coverage,
            "chart": {c["county"].name: c["days"] for c in coverage},
            "can_change": _can_change(request.user),
        },
    )


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES, obj=("pk", "people.Person"))
def person_devices(request, pk: int):
    person = _person(request, pk)
    history = selectors.device_history(actor=request.user, person=person)
    active = next((d for d in history["devices"] if d.status == DeviceStatus.ACTIVE), None)
    return render(
        request,
        "location/person_devices.html",
        {
            "person": person,
            "devices": history["devices"],
            "installs": history["installs"],
            "active": active,
            "enrol_form": lf.EnrolForm(),
            "end_form": lf.ReasonForm(),
            "can_change": _can_change(request.user),
            "tab": "devices",
        },
    )


@require_POST
@ui_view(domain=Domain.LOCATION, action=CHANGE, roles=STAFF_ROLES, obj=("pk", "people.Person"))
def device_enrol(request, pk: int):
    person = _person(request, pk, CHANGE)
    form = lf.EnrolForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("location:person_devices", pk=person.pk)
    try:
        device, token = services.device_enrol(actor=request.user, person=person, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _messages_from(request, exc)
        return redirect("location:person_devices", pk=person.pk)
    response = render(
        request,
        "location/enrol_done.html",
        {
            "person": person,
            "device": device,
            "token": token,
            "server_url": request.build_absolute_uri(reverse("api-v1:location_osmand")),
            "batch_url": request.build_absolute_uri(reverse("api-v1:location_post_fixes")),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@ui_view(domain=Domain.LOCATION, action=CHANGE, roles=STAFF_ROLES, obj=("pk", "location.Device"))
def device_end(request, pk: int):
    device = get_scoped_or_404(Device, request.user, CHANGE, pk=pk)
    form = lf.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.device_end(actor=request.user, device=device, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            _messages_from(request, exc)
        else:
            messages.success(
                request, _("The device has been taken out of use; its identifier no longer works.")
            )
    else:
        _form_errors(request, form)
    return redirect("location:person_devices", pk=device.person_id)


# --- zones: trips and prohibition schedules ---------------------------------------------------------------


def _schedule_text(windows: list[tuple[Any, int, int]]) -> str:
    names = dict(lf.WEEKDAYS)
    parts = []
    for days, start, end in windows:
        day_text = _("every day") if len(days) == 7 else "、".join(str(names[d]) for d in sorted(days))
        parts.append(f"{day_text} {start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}")
    return "；".join(parts)


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES, obj=("pk", "people.Person"))
def person_zones(request, pk: int):
    from jiaozheng.location.fences import parse_schedule
    from jiaozheng.people.choices import ProhibitionKind

    person = _person(request, pk)
    orders = []
    for order in person.prohibitions.filter(kind=ProhibitionKind.AREA).order_by("-start_on"):
        try:
            windows = parse_schedule(order.schedule)
            problem = ""
        except ValueError as exc:
            windows, problem = [], str(exc)
        initial: dict[str, Any] = {"always": not windows}
        if windows:
            days, start, end = windows[0]
            initial.update(
                days=sorted(days),
                start=f"{start // 60:02d}:{start % 60:02d}",
                end=f"{end // 60 % 24:02d}:{end % 60:02d}",
            )
        orders.append(
            {
                "order": order,
                "schedule_text": _schedule_text(windows),
                "problem": problem,
                "form": lf.ScheduleForm(initial=initial),
            }
        )
    return render(
        request,
        "location/person_zones.html",
        {
            "person": person,
            "permits": selectors.travel_permits(actor=request.user, person=person),
            "orders": orders,
            "permit_form": lf.TravelPermitForm(
                initial={
                    "start_on": timezone.localdate(),
                    "end_on": timezone.localdate() + dt.timedelta(days=3),
                }
            ),
            "cancel_form": lf.ReasonForm(),
            "is_officer": _is_officer(request.user),
            "tab": "zones",
        },
    )


@require_POST
@ui_view(domain=Domain.LOCATION, action=CHANGE, roles=OFFICERS, obj=("pk", "people.Person"))
def permit_create(request, pk: int):
    person = _person(request, pk, CHANGE)
    form = lf.TravelPermitForm(request.POST)
    if form.is_valid():
        try:
            services.travel_permit_create(actor=request.user, person=person, **form.service_data())
        except (ValidationError, PermissionDenied) as exc:
            _messages_from(request, exc)
        else:
            messages.success(request, _("The trip has been recorded; the destination is now permitted."))
    else:
        _form_errors(request, form)
    return redirect("location:person_zones", pk=person.pk)


@require_POST
@ui_view(domain=Domain.LOCATION, action=CHANGE, roles=OFFICERS, obj=("pk", "location.TravelPermit"))
def permit_cancel(request, pk: int):
    permit = get_scoped_or_404(TravelPermit, request.user, CHANGE, pk=pk)
    form = lf.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.travel_permit_cancel(
                actor=request.user, permit=permit, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _messages_from(request, exc)
        else:
            messages.success(request, _("The travel permit has been cancelled."))
    else:
        _form_errors(request, form)
    return redirect("location:person_zones", pk=permit.person_id)


@require_POST
@ui_view(domain=Domain.LOCATION, action=CHANGE, roles=OFFICERS, obj=("pk", "people.ProhibitionOrder"))
def prohibition_schedule(request, pk: int):
    order = get_scoped_or_404(ProhibitionOrder, request.user, domain=Domain.LOCATION, pk=pk)
    form = lf.ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.prohibition_schedule_set(
                actor=request.user, order=order, schedule=form.cleaned_data["schedule"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _messages_from(request, exc)
        else:
            messages.success(request, _("The schedule of the forbidden zone has been saved."))
    else:
        _form_errors(request, form)
    return redirect("location:person_zones", pk=order.person_id)


# --- import of historical installations -----------------------------------------------------------------


@ui_view(domain=Domain.LOCATION, action=CHANGE, roles=STAFF_ROLES)
def installs_import(request):
    from django.conf import settings

    from jiaozheng.core.jobs import job_start
    from jiaozheng.location.imports import INSTALLS

    form = lf.InstallImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            form.add_error(
                "file", _("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_BYTES // 2**20}
            )
        else:
            safe_name = "upload.xlsx" if upload.name.lower().endswith(".xlsx") else "upload.csv"
            job = job_start(
                actor=request.user,
                kind="location.import_installs",
                title=_("Import of app installations: %(f)s") % {"f": upload.name[:80]},
                params={"filename": safe_name},
                input_name=safe_name,
                input_bytes=upload.read(),
            )
            return redirect("job_detail", pk=job.pk)
    return render(request, "location/installs_import.html", {"form": form, "columns": INSTALLS.columns})


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES)
def installs_template(request):
    from jiaozheng.location.imports import INSTALLS

    response = HttpResponse(
        INSTALLS.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="location-installs-template.xlsx"'
    return response


# --- the supervised person's own page ------------------------------------------------------------------


@ui_view(domain=Domain.LOCATION, roles=frozenset({Role.SUBJECT}))
def mine(request):
    """我的定位上报: the last report received, what the officer sees, what to do when the phone cannot
    report."""
    return render(request, "location/mine.html", selectors.my_reporting(actor=request.user))


@require_POST
@ui_view(domain=Domain.LOCATION, action=CHANGE, roles=STAFF_ROLES)
def alert_bulk(request):
    """Acknowledge or resolve the selected alerts with one note (never a sanction)."""
    form = lf.BulkForm(request.POST)
    back = request.POST.get("back") or ""
    target = back if back.startswith("/location/alerts/") else reverse("location:alert_list")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(target)
    d = form.cleaned_data
    try:
        result = services.alerts_bulk(
            actor=request.user,
            ids=d["ids"],
            action=d["action"],
            note=d["note"],
            outcome=d.get("outcome") or "",
        )
    except (ValidationError, PermissionDenied) as exc:
        _messages_from(request, exc)
        return redirect(target)
    messages.success(
        request,
        _("%(n)s alerts updated, each with its own record.") % {"n": len(result["done"])}
        + (
            " " + _("%(n)s skipped (not in a state for this action).") % {"n": len(result["skipped"])}
            if result["skipped"]
            else ""
        ),
    )
    return redirect(target)


@ui_view(domain=Domain.LOCATION, roles=STAFF_ROLES)
def digest(request):
    """The morning digest: what happened overnight and what is waiting (also sent at 07:30 as a message)."""
    return render(request, "location/digest.html", selectors.digest(actor=request.user))
