"""Staff pages of visits and investigations: records, due list, tasks, hardship list, route plans,
standards, quotas, provincial export and import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiaozheng.audit.services import access_log
from jiaozheng.core.access import ui_view
from jiaozheng.core.jobs import job_start
from jiaozheng.core.params import date_param, id_param
from jiaozheng.core.registry import provider
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, role_allows
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, scope_for, scoped
from jiaozheng.orgs.models import OrgUnit
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person
from jiaozheng.visits import forms as vf
from jiaozheng.visits import selectors as sel
from jiaozheng.visits import services
from jiaozheng.visits.choices import (
    DueStatus,
    FieldVisitTarget,
    TaskStatus,
    VisitMethod,
    VisitType,
)
from jiaozheng.visits.models import FollowUpTask, RoutePlan, VisitAttachment, VisitQuota, VisitStandard

PAGE_SIZE = 30
BUREAU = services.BUREAU_ROLES


def _can(user: Any, domain: str = Domain.SERVICES, action: str = CHANGE) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or role_allows(scope.role, domain, action)


def _errors_to_messages(request: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _form_errors_to_messages(request: Any, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


# --- visit records --------------------------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def visits_home(request):
    return redirect("visits:due_list")


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def visit_list(request):
    filters = sel.VisitFilters.from_mapping(request.GET)
    qs = sel.visit_list(actor=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/visit_list.html",
        {
            "page": page,
            "filters": filters,
            "counts": sel.visit_counts(qs),
            "squadrons": sel.squadrons_for(actor=request.user),
            "types": VisitType.choices,
            "methods": VisitMethod.choices,
            "can_change": _can(request.user),
        },
    )


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE)
def visit_pick(request):
    """Choose the person to record a visit for."""
    from jiaozheng.people.selectors import search_q

    q = (request.GET.get("q") or "").strip()[:50]
    persons = scoped(Person, request.user, domain=Domain.SERVICES).filter(status=Status.IN_CORRECTION)
    if q:
        persons = persons.filter(search_q(q))
    persons = persons.select_related("squadron", "township").order_by("squadron__sort_order", "name", "id")
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    due = {}
    if page.object_list:
        for row in sel.due_list(
            actor=request.user, person_ids=[p.pk for p in page.object_list], hydrate=False
        ):
            due.setdefault(row.person_id, []).append(row.item)
    new = sel.new_entrant_ids(page.object_list)
    return render(request, "visits/visit_pick.html", {"page": page, "q": q, "due": due, "new": new})


def _visit_form_staff(person: Person) -> list[Any]:
    return sel.staff_for_squadron(person.squadron)


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE, obj=("pk", "people.Person"))
def visit_new(request, pk: int):
    person = get_scoped_or_404(
        Person.objects.select_related("squadron", "county", "township"),
        request.user,
        CHANGE,
        domain=Domain.SERVICES,
        pk=pk,
    )
    staff = _visit_form_staff(person)
    visit_type = request.GET.get("type") if request.GET.get("type") in VisitType.values else VisitType.ROUTINE
    initial = {
        "visit_type": visit_type,
        "method": VisitMethod.FIELD_VISIT if visit_type != VisitType.ROUTINE else VisitMethod.PHONE_CHECK,
        "field_target": FieldVisitTarget.HOME if visit_type != VisitType.ROUTINE else "",
        "visited_at": timezone.localtime().replace(second=0, microsecond=0),
        "visitors": [u.pk for u in staff if u.pk == request.user.pk],
        "place": person.address if visit_type != VisitType.ROUTINE else "",
        "help_given_by": str(request.user.provider or person.county.bureau_name or ""),
        "task_due_on": timezone.localdate()
        + dt.timedelta(days=rule("visits.task_default_days", person.county)),
    }
    form = vf.VisitForm(
        request.POST or None,
        request.FILES or None,
        staff=staff,
        can_admonish=services.is_officer(request.user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_create(
                actor=request.user, person=person, data=form.visit_input(), uploads=form.uploads()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The visit has been recorded."))
            return redirect("visits:visit_detail", pk=visit.pk)
    due = [
        r.item
        for r in sel.due_list(actor=request.user, person_ids=[person.pk], include_done=True, hydrate=False)
    ]
    return render(
        request,
        "visits/visit_form.html",
        {"form": form, "person": person, "due": due, "title": _("Record a visit")},
    )


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, obj=("pk", "visits.Visit"))
def visit_detail(request, pk: int):
    visit = sel.visit_get(actor=request.user, pk=pk)
    if visit.latitude is not None:
        access_log(
            "location", person=visit.person, obj=visit, detail="visit record with the visitor's position"
        )
    staff = _visit_form_staff(visit.person)
    return render(
        request,
        "visits/visit_detail.html",
        {
            "visit": visit,
            "person": visit.person,
            "visitors": [r.user for r in visit.visitor_rows.select_related("user")],
            "interventions": visit.interventions.select_related("decided_by"),
            "tasks": visit.tasks.select_related("assignee", "done_by"),
            "attachments": visit.attachments.all(),
            "help": visit.help_given.all(),
            "can_change": _can(request.user),
            "can_admonish": services.is_officer(request.user),
            "intervention_form": vf.InterventionForm(),
            "task_form": vf.TaskForm(
                staff=staff,
                initial={
                    "due_on": timezone.localdate()
                    + dt.timedelta(days=rule("visits.task_default_days", visit.person.county))
                },
            ),
            "attachment_form": vf.AttachmentForm(),
            "close_form": vf.TaskCloseForm(),
        },
    )


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE, obj=("pk", "visits.Visit"))
def visit_edit(request, pk: int):
    visit = sel.visit_get(actor=request.user, pk=pk, action=CHANGE)
    person = visit.person
    staff = _visit_form_staff(person)
    initial = {
        f: getattr(visit, f)
        for f in (
            "visit_type",
            "method",
            "field_target",
            "outcome",
            "duration_minutes",
            "other_visitors",
            "place",
            "people_met",
            "thinking",
            "conduct",
            "family",
            "work",
            "risk_signs",
            "risk_note",
            "summary",
        )
    }
    initial["visited_at"] = timezone.localtime(visit.visited_at)
    initial["visitors"] = list(visit.visitor_rows.values_list("user_id", flat=True))
    form = vf.VisitForm(request.POST or None, staff=staff, can_admonish=False, initial=initial)
    for name in list(form.fields):
        if name.startswith(("do_", "help_", "task_")) or name.endswith("_note") and name != "risk_note":
            del form.fields[name]
    for name in ("attachments", "latitude", "longitude", "accuracy_m"):
        form.fields.pop(name, None)
    form.fields["visit_type"].widget.attrs["data-editing"] = "1"
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_update(actor=request.user, visit=visit, data=form.visit_input())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The record has been saved."))
            return redirect("visits:visit_detail", pk=visit.pk)
    return render(
        request,
        "visits/visit_form.html",
        {
            "form": form,
            "person": person,
            "visit": visit,
            "editing": True,
            "title": _("Correct the visit record"),
        },
    )


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE, obj=("pk", "visits.Visit"))
def visit_intervention(request, pk: int):
    visit = sel.visit_get(actor=request.user, pk=pk, action=CHANGE)
    form = vf.InterventionForm(request.POST)
    if form.is_valid():
        try:
            services.intervention_add(
                actor=request.user, visit=visit, item=form.item(), decided_on=form.cleaned_data["decided_on"]
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The intervention has been recorded."))
    else:
        _form_errors_to_messages(request, form)
    return redirect("visits:visit_detail", pk=visit.pk)


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE, obj=("pk", "visits.Visit"))
def visit_task_add(request, pk: int):
    visit = sel.visit_get(actor=request.user, pk=pk, action=CHANGE)
    form = vf.TaskForm(request.POST, staff=_visit_form_staff(visit.person))
    if form.is_valid():
        try:
            services.task_add(
                actor=request.user,
                person=visit.person,
                visit=visit,
                task=services.TaskInput(
                    form.cleaned_data["title"], form.cleaned_data["due_on"], form.cleaned_data.get("assignee")
                ),
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("The follow-up task has been added."))
    else:
        _form_errors_to_messages(request, form)
    return redirect("visits:visit_detail", pk=visit.pk)


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE, obj=("pk", "visits.Visit"))
def visit_attach(request, pk: int):
    visit = sel.visit_get(actor=request.user, pk=pk, action=CHANGE)
    form = vf.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        uploads = [(f.name, f.read()) for f in form.cleaned_data["attachments"]]
        try:
            rows = services.attachments_add(actor=request.user, visit=visit, uploads=uploads)
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("%(n)s files added.") % {"n": len(rows)})
    else:
        _form_errors_to_messages(request, form)
    return redirect("visits:visit_detail", pk=visit.pk)


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, obj=("pk", "visits.VisitAttachment"))
def attachment_download(request, pk: int):
    row = get_scoped_or_404(VisitAttachment.objects.select_related("visit__person"), request.user, pk=pk)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("file missing")
    inline = row.is_image or row.content_type == "application/pdf"
    return FileResponse(
        handle, content_type=row.content_type, as_attachment=not inline, filename=row.original_name
    )


# --- due list, person page, tasks ------------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def due_list(request):
    squadrons = sel.squadrons_for(actor=request.user)
    squadron = request.GET.get("squadron") or ""
    squadron_id = id_param(squadron)
    mine = request.GET.get("mine") == "1"
    status = request.GET.get("status") if request.GET.get("status") in DueStatus.values else ""
    visit_type = request.GET.get("visit_type") if request.GET.get("visit_type") in VisitType.values else ""
    all_rows = sel.due_list(
        actor=request.user, squadron=squadron_id, mine=mine, include_done=True, hydrate=False
    )
    rows = [
        r
        for r in all_rows
        if (not visit_type or r.item.standard.visit_type == visit_type)
        and (r.item.status == status if status else r.item.status != DueStatus.DONE)
    ]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    sel.hydrate_rows(page.object_list, defer=("id_number", "phone", "notes", "sentence"))
    return render(
        request,
        "visits/due_list.html",
        {
            "page": page,
            "summary": sel.due_summary(all_rows),
            "squadrons": squadrons,
            "squadron": squadron_id,
            "mine": mine,
            "status": status,
            "visit_type": visit_type,
            "statuses": DueStatus.choices,
            "types": VisitType.choices,
            "tasks": sel.open_task_counts(actor=request.user),
            "can_change": _can(request.user),
            "today": timezone.localdate(),
        },
    )


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, obj=("pk", "people.Person"))
def person_visits(request, pk: int):
    person = get_scoped_or_404(
        Person.objects.select_related("squadron", "township", "county"),
        request.user,
        domain=Domain.SERVICES,
        pk=pk,
    )
    compliance = sel.person_compliance(actor=request.user, person=person)
    visits = sel.visit_list(actor=request.user, filters=sel.VisitFilters(person=person.pk))
    page = Paginator(visits, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/person_visits.html",
        {
            "person": person,
            "compliance": compliance,
            "page": page,
            "tasks": sel.task_list(actor=request.user, status="").filter(person=person)[:50],
            "help": sel.help_list(actor=request.user, person=person)[:50],
            "can_change": _can(request.user),
            "today": timezone.localdate(),
        },
    )


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def task_list(request):
    status = request.GET.get("status", TaskStatus.OPEN)
    if status not in TaskStatus.values:
        status = ""
    mine = request.GET.get("mine") == "1"
    squadron = request.GET.get("squadron") or ""
    squadron_id = id_param(squadron)
    qs = sel.task_list(actor=request.user, status=status, mine=mine, squadron=squadron_id)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/task_list.html",
        {
            "page": page,
            "status": status,
            "mine": mine,
            "squadron": squadron_id,
            "squadrons": sel.squadrons_for(actor=request.user),
            "statuses": TaskStatus.choices,
            "close_form": vf.TaskCloseForm(),
            "can_change": _can(request.user),
            "today": timezone.localdate(),
        },
    )


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE, obj=("pk", "visits.FollowUpTask"))
def task_close(request, pk: int):
    task = get_scoped_or_404(FollowUpTask, request.user, CHANGE, pk=pk)
    form = vf.TaskCloseForm(request.POST)
    if form.is_valid():
        try:
            services.task_complete(
                actor=request.user,
                task=task,
                result=form.cleaned_data["result"],
                cancel=form.cleaned_data["cancel"],
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("The task has been closed."))
    else:
        _form_errors_to_messages(request, form)
    back = request.POST.get("next") or ""
    if back.startswith("/visits/") and "//" not in back:
        return redirect(back)
    return redirect("visits:task_list")


# --- hardship list --------------------------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def hardship_list(request):
    q = (request.GET.get("q") or "").strip()[:50]
    squadron = request.GET.get("squadron") or ""
    squadron_id = id_param(squadron)
    include_ended = request.GET.get("all") == "1"
    persons = sel.hardship_list(actor=request.user, squadron=squadron_id, q=q, include_ended=include_ended)
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    year = timezone.localdate().year
    help_qs = sel.help_list(actor=request.user)
    if squadron_id:
        help_qs = help_qs.filter(person__squadron_id=squadron_id)
    return render(
        request,
        "visits/hardship_list.html",
        {
            "page": page,
            "q": q,
            "include_ended": include_ended,
            "squadron": squadron_id,
            "squadrons": sel.squadrons_for(actor=request.user),
            "recent": help_qs[:20],
            "totals": sel.help_totals(help_qs.filter(given_on__year=year)),
            "year": year,
            "can_change": _can(request.user),
            "can_unmark": _can(request.user, Domain.CASELOAD),
        },
    )


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE, obj=("pk", "people.Person"))
def hardship_help_new(request, pk: int):
    person = get_scoped_or_404(
        Person.objects.select_related("squadron", "county"),
        request.user,
        CHANGE,
        domain=Domain.SERVICES,
        pk=pk,
    )
    form = vf.HelpForm(
        request.POST or None,
        initial={"given_by": str(request.user.provider or person.county.bureau_name or "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hardship_help_add(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The help has been recorded and %(name)s is on the hardship list.") % {"name": person.name},
            )
            return redirect("visits:hardship_list")
    return render(
        request,
        "visits/help_form.html",
        {"form": form, "person": person, "help": sel.help_list(actor=request.user, person=person)[:20]},
    )


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("pk", "people.Person"))
def hardship_remove(request, pk: int):
    from jiaozheng.people.services import hardship_set

    person = get_scoped_or_404(Person, request.user, CHANGE, pk=pk)
    note = (request.POST.get("note") or "").strip()
    if not note:
        messages.error(request, _("Say why the family is no longer in hardship."))
    else:
        hardship_set(actor=request.user, person=person, hardship=False, note=note)
        messages.success(
            request, _("%(name)s has been removed from the hardship list.") % {"name": person.name}
        )
    return redirect("visits:hardship_list")


# --- route plans ----------------------------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def route_list(request):
    page = Paginator(sel.route_plan_list(actor=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/route_list.html",
        {
            "page": page,
            "squadrons": sel.squadrons_for(actor=request.user),
            "today": timezone.localdate(),
            "can_change": _can(request.user),
        },
    )


def _parse_day(value: str | None, default: dt.date) -> dt.date:
    return date_param(value) or default


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE)
def route_new(request):
    from jiaozheng.core.rules import rule
    from jiaozheng.visits.routing import travel_model_for

    source = request.POST if request.method == "POST" else request.GET
    squadrons = sel.squadrons_for(actor=request.user)
    squadron_id = id_param(source, "squadron")
    if squadron_id is None:
        return render(
            request, "visits/route_pick.html", {"squadrons": squadrons, "today": timezone.localdate()}
        )
    squadron = get_scoped_or_404(squadrons, request.user, pk=squadron_id)
    day = _parse_day(source.get("plan_date"), timezone.localdate() + dt.timedelta(days=1))
    staff = sel.staff_for_squadron(squadron)
    initial = {
        "squadron": squadron.pk,
        "plan_date": day,
        "visitors": [u.pk for u in staff if u.pk == request.user.pk],
        "pairs": True,
        "day_start": rule("visits.route_day_start", squadron),
        "day_minutes": rule("visits.route_day_minutes", squadron),
        "service_minutes": rule("visits.route_service_minutes", squadron),
    }
    form = vf.RoutePlanForm(
        request.POST if request.method == "POST" else None, squadrons=squadrons, staff=staff, initial=initial
    )
    rows = sel.due_list(actor=request.user, today=day, squadron=squadron.pk, visit_type=VisitType.FOCUS)
    if request.method == "POST" and form.is_valid():
        chosen = [i for i in map(id_param, request.POST.getlist("person")) if i is not None]
        windows = {}
        for pk in chosen:
            start, end = request.POST.get(f"from_{pk}", "").strip(), request.POST.get(f"to_{pk}", "").strip()
            if start or end:
                windows[pk] = (start or initial["day_start"], end or "23:59")
        d = form.cleaned_data
        try:
            plan = services.route_plan_create(
                actor=request.user,
                squadron=squadron,
                plan_date=d["plan_date"],
                teams=form.teams(),
                person_ids=chosen,
                windows=windows,
                overrides={
                    "route_day_start": d["day_start"].strftime("%H:%M"),
                    "route_day_minutes": d["day_minutes"],
                    "route_service_minutes": d["service_minutes"],
                },
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The route plan is ready."))
            return redirect("visits:route_detail", pk=plan.pk)
    model, values = travel_model_for(squadron.county)
    return render(
        request,
        "visits/route_form.html",
        {
            "form": form,
            "squadron": squadron,
            "day": day,
            "rows": rows,
            "chosen": {i for i in map(id_param, request.POST.getlist("person")) if i is not None}
            if request.method == "POST"
            else None,
            "posted_windows": {
                r.person.pk: (
                    request.POST.get(f"from_{r.person.pk}", ""),
                    request.POST.get(f"to_{r.person.pk}", ""),
                )
                for r in rows
            }
            if request.method == "POST"
            else {},
            "values": values,
        },
    )


def _plan_context(request: Any, plan: RoutePlan) -> dict[str, Any]:
    person_ids = [s["person_id"] for r in plan.result.get("routes", []) for s in r["stops"]]
    person_ids += [u["person_id"] for u in plan.result.get("unplanned", []) if u.get("lat") is not None]
    for person in Person.objects.filter(pk__in=person_ids).only("pk", "county_id"):
        access_log("location", person=person, obj=plan, detail=f"route plan {plan.pk}: home position")
    colours = [
        "#1f6fd1",
        "#d63b3b",
        "#2c9a4b",
        "#d98a00",
        "#7b3fb5",
        "#0e8a8a",
        "#b5527b",
        "#5a6b7d",
        "#8a6d0e",
        "#3a3a9f",
    ]
    routes = [
        {**r, "colour": colours[i % len(colours)], "n": i + 1}
        for i, r in enumerate(plan.result.get("routes", []))
    ]
    return {
        "plan": plan,
        "routes": routes,
        "unplanned": plan.result.get("unplanned", []),
        "result": plan.result,
        "map_svg": _map_svg(plan, routes),
    }


def _map_svg(plan: RoutePlan, routes: list[dict[str, Any]]) -> dict[str, Any]:
    """A small SVG sketch of the routes (for print and PDF: no tiles, no script)."""
    depot = plan.result.get("depot") or {}
    points = [(depot.get("lon"), depot.get("lat"))] + [
        (s["lon"], s["lat"]) for r in routes for s in r["stops"]
    ]
    points = [p for p in points if p[0] is not None]
    if not points:
        return {}
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    pad = 0.01
    west, east, south, north = min(lons) - pad, max(lons) + pad, min(lats) - pad, max(lats) + pad
    width, height = 640, 400
    scale = min(width / (east - west), height / (north - south))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - west) * scale + (width - (east - west) * scale) / 2, 1), round(
            (north - lat) * scale + (height - (north - south) * scale) / 2, 1
        )

    lines = []
    for r in routes:
        path = (
            [xy(depot["lon"], depot["lat"])]
            + [xy(s["lon"], s["lat"]) for s in r["stops"]]
            + [xy(depot["lon"], depot["lat"])]
        )
        lines.append(
            {
                "colour": r["colour"],
                "points": " ".join(f"{x},{y}" for x, y in path),
                "stops": [{"x": x, "y": y, "n": i + 1} for i, (x, y) in enumerate(path[1:-1])],
            }
        )
    dx, dy = xy(depot["lon"], depot["lat"])
    outline = ""
    county = plan.squadron.county
    if county is not None and (county.boundary_code or county.code):
        from jiaozheng.core.geo import county_feature

        feature = county_feature(county.boundary_code or county.code)
        if feature:
            geometry = feature["geometry"]
            polygons = (
                geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            )
            rings = []
            for polygon in polygons:
                for ring in polygon:
                    pts = [xy(lon, lat) for lon, lat in ring[:: max(1, len(ring) // 400)]]
                    rings.append("M" + " L".join(f"{x},{y}" for x, y in pts) + " Z")
            outline = " ".join(rings)
    return {"width": width, "height": height, "lines": lines, "depot": {"x": dx, "y": dy}, "outline": outline}


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, obj=("pk", "visits.RoutePlan"))
def route_detail(request, pk: int):
    from jiaozheng.core.geo import county_feature

    plan = sel.route_plan_get(actor=request.user, pk=pk)
    context = _plan_context(request, plan)
    county = plan.squadron.county if plan.squadron.county_id else None
    feature = (
        county_feature(county.boundary_code or county.code)
        if county and (county.boundary_code or county.code)
        else None
    )
    context["boundary"] = feature["geometry"] if feature else None
    context["can_change"] = _can(request.user)
    return render(request, "visits/route_detail.html", context)


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, obj=("pk", "visits.RoutePlan"))
def route_pdf(request, pk: int):
    from django.template.loader import render_to_string
    from weasyprint import HTML

    plan = sel.route_plan_get(actor=request.user, pk=pk)
    html = render_to_string("visits/route_sheet_print.html", _plan_context(request, plan), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="route-{plan.plan_date:%Y%m%d}-{plan.pk}.pdf"'
    return response


# --- standards and quotas -------------------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def standards_view(request):
    scope = scope_for(request.user)
    return render(
        request,
        "visits/standards.html",
        {
            "counties": sel.standards_in_force(actor=request.user),
            "can_edit": scope.unrestricted or scope.role in BUREAU,
        },
    )


def _county_for(request: Any, raw: Any) -> OrgUnit:
    county_id = id_param(raw)
    if county_id is None:
        raise Http404("no county")
    return get_scoped_or_404(OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY), request.user, pk=county_id)


@ui_view(roles=BUREAU, domain=Domain.SERVICES, action=CHANGE)
def standard_new(request):
    counties = sel.counties_for(actor=request.user)
    raw = request.POST.get("county") if request.method == "POST" else request.GET.get("county")
    if not raw and counties.count() == 1:
        raw = counties.first().pk
    if not raw:
        return render(
            request,
            "visits/standards.html",
            {"counties": sel.standards_in_force(actor=request.user), "can_edit": True},
        )
    county = _county_for(request, raw)
    form = vf.StandardForm(
        request.POST or None, initial={"counts_types": [VisitType.ROUTINE], "active": True}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.standard_save(actor=request.user, unit=county, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The visit standard has been saved."))
            return redirect("visits:standards")
    return render(request, "visits/standard_form.html", {"form": form, "county": county})


@ui_view(roles=BUREAU, domain=Domain.SERVICES, action=CHANGE, obj=("pk", "visits.VisitStandard"))
def standard_edit(request, pk: int):
    standard = get_scoped_or_404(VisitStandard.objects.select_related("unit"), request.user, CHANGE, pk=pk)
    initial = {f: getattr(standard, f) for f in services.STANDARD_FIELDS}
    form = vf.StandardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.standard_save(actor=request.user, standard=standard, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The visit standard has been saved."))
            return redirect("visits:standards")
    return render(
        request, "visits/standard_form.html", {"form": form, "county": standard.unit, "standard": standard}
    )


@require_POST
@ui_view(roles=BUREAU, domain=Domain.SERVICES, action=CHANGE)
def standards_adopt(request):
    raw = request.POST.get("county")
    if not raw:
        messages.error(request, _("Choose the county."))
        return redirect("visits:standards")
    county = _county_for(request, raw)
    try:
        n = services.standards_adopt(actor=request.user, county=county)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(
            request,
            _("%(n)s standards copied to %(county)s; adjust them below.") % {"n": n, "county": county.name},
        )
    return redirect("visits:standards")


@ui_view(roles=STAFF_ROLES, domain=Domain.PERFORMANCE)
def quotas_view(request):
    scope = scope_for(request.user)
    return render(
        request,
        "visits/quotas.html",
        {
            "contracts": sel.quota_progress(actor=request.user),
            "can_edit": (scope.unrestricted or scope.role in BUREAU)
            and _can(request.user, Domain.PERFORMANCE),
            "today": timezone.localdate(),
        },
    )


@ui_view(roles=BUREAU, domain=Domain.PERFORMANCE, action=CHANGE)
def quota_new(request):
    contracts = provider("contracts.visible")(actor=request.user, domain=Domain.PERFORMANCE).order_by(
        "-start_on", "code"
    )
    form = vf.QuotaForm(
        request.POST or None, contracts=contracts, initial={"contract": request.GET.get("contract")}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.quota_save(
                actor=request.user,
                contract=d["contract"],
                visit_type=d["visit_type"],
                unit=d["unit"],
                target=d["target"],
                note=d.get("note") or "",
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The quota has been saved."))
            return redirect("visits:quotas")
    return render(request, "visits/quota_form.html", {"form": form})


@require_POST
@ui_view(roles=BUREAU, domain=Domain.PERFORMANCE, action=CHANGE, obj=("pk", "visits.VisitQuota"))
def quota_delete(request, pk: int):
    quota = get_scoped_or_404(VisitQuota, request.user, CHANGE, pk=pk)
    services.quota_delete(actor=request.user, quota=quota)
    messages.success(request, _("The quota has been removed."))
    return redirect("visits:quotas")


# --- provincial export and import ------------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def export_view(request):
    from jiaozheng.visits.exports import mapping_for, visits_xlsx

    filters = sel.VisitFilters.from_mapping(request.GET)
    if not filters.start and not filters.end and "start" not in request.GET:
        today = timezone.localdate()
        filters.start, filters.end = today.replace(day=1), today
    qs = sel.visit_list(actor=request.user, filters=filters)
    scope = scope_for(request.user)
    county_ids = sorted(scope.all_county_ids)
    unit = OrgUnit.objects.filter(pk=county_ids[0]).first() if county_ids else None
    mapping = mapping_for(unit)
    if request.GET.get("download") == "1":
        count = qs.count()
        access_log("export", detail=f"provincial visit export ({mapping.key}), {count} records")
        content = visits_xlsx(qs, actor=request.user, mapping=mapping)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        stamp = "_".join(d.strftime("%Y%m%d") for d in (filters.start, filters.end) if d)
        response["Content-Disposition"] = (
            f'attachment; filename="visits-{stamp or timezone.localdate().strftime("%Y%m%d")}.xlsx"'
        )
        return response
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/export.html",
        {
            "filters": filters,
            "page": page,
            "mapping": mapping,
            "squadrons": sel.squadrons_for(actor=request.user),
            "types": VisitType.choices,
            "can_change": _can(request.user),
        },
    )


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE)
def export_mark(request):
    filters = sel.VisitFilters.from_mapping(request.POST)
    if not (filters.start and filters.end):
        messages.error(request, _("Choose the period that was entered into the provincial system."))
        return redirect("visits:export")
    qs = sel.visit_list(actor=request.user, filters=filters).filter(exported_at__isnull=True)
    ids = list(qs.values_list("pk", flat=True)[:20000])
    n = services.visits_mark_exported(actor=request.user, visit_ids=ids)
    messages.success(request, _("%(n)s records marked as entered into the provincial system.") % {"n": n})
    query = "&".join(f"{k}={v}" for k, v in (("start", filters.start), ("end", filters.end)) if v)
    return redirect(f"{reverse('visits:export')}?{query}")


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE)
def import_view(request):
    from jiaozheng.visits.imports import VISITS

    form = vf.ImportForm(request.POST or None, request.FILES or None)
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
                kind="visits.import",
                title=_("Visit records import: %(f)s") % {"f": upload.name[:80]},
                params={"filename": safe_name},
                input_name=safe_name,
                input_bytes=upload.read(),
            )
            return redirect("job_detail", pk=job.pk)
    return render(request, "visits/import.html", {"form": form, "columns": VISITS.columns})


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def import_template(request):
    from jiaozheng.visits.imports import VISITS

    response = HttpResponse(
        VISITS.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="visits-template.xlsx"'
    return response
