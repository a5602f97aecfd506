"""Education pages: sessions and attendance, calendar, monthly plans and the plan helper, the course library,
hours and shortfalls, statistics, import and export; the supervised person's phone pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiaozheng.audit.services import access_log
from jiaozheng.core.access import ui_view
from jiaozheng.core.import_pages import import_page
from jiaozheng.core.params import date_param, id_param, int_param
from jiaozheng.core.photos import photo_response
from jiaozheng.core.registry import provider
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role, role_allows
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, scope_for
from jiaozheng.education import forms as ef
from jiaozheng.education import services
from jiaozheng.education.choices import (
    AttendanceStatus,
    EducationMode,
    EducationStage,
    SessionStatus,
    TopicCategory,
)
from jiaozheng.education.exports import hours_xlsx, sessions_xlsx
from jiaozheng.education.hours import month_hours, person_month_hours
from jiaozheng.education.imports import SESSIONS
from jiaozheng.education.models import Attendance, Course, CourseMaterial, SessionPhoto
from jiaozheng.education.planning import plan_helper
from jiaozheng.education.selectors import (
    SessionFilters,
    calendar_weeks,
    counties_for,
    course_list,
    education_stats,
    my_history,
    my_upcoming,
    parse_month,
    plan_get,
    plan_list,
    roster_counts,
    session_attendance,
    session_get,
    session_list,
    session_overview,
    squadrons_for,
    with_roster_counts,
    year_range,
)
from jiaozheng.education.uploads import content_disposition
from jiaozheng.people.models import Person

PAGE_SIZE = 30
VIEW_POLICY: dict[str, Any] = {"roles": STAFF_ROLES, "domain": Domain.SERVICES}
CHANGE_POLICY: dict[str, Any] = {"roles": STAFF_ROLES, "domain": Domain.SERVICES, "action": CHANGE}
SUBJECT_POLICY: dict[str, Any] = {"roles": [Role.SUBJECT], "domain": Domain.SERVICES}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_change(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or (
        scope.role != Role.SUBJECT and role_allows(scope.role, Domain.SERVICES, CHANGE)
    )


def can_change_shared(user: Any, obj: Any) -> bool:
    """County-wide records (no squadron) are changed by county staff only."""
    try:
        services.check_shared_change(user, obj)
    except PermissionDenied:
        return False
    return True


def can_approve(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or scope.role in services.APPROVER_ROLES


def apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def flash_errors(request: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def form_errors(request: Any, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _is_htmx(request: Any) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- sessions ---------------------------------------------------------------------------------------------


@ui_view(**VIEW_POLICY)
def session_list_view(request):
    filters = SessionFilters.from_mapping(request.GET)
    qs = session_list(actor=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_roster_counts(page.object_list)
    return render(
        request,
        "education/session_list.html",
        {
            "page": page,
            "filters": filters,
            "squadrons": squadrons_for(actor=request.user),
            "statuses": SessionStatus.choices,
            "modes": EducationMode.choices,
            "stages": EducationStage.choices,
            "categories": TopicCategory.choices,
            "overview": session_overview(actor=request.user),
            "can_change": can_change(request.user),
        },
    )


@ui_view(**VIEW_POLICY)
def session_export(request):
    filters = SessionFilters.from_mapping(request.GET)
    qs = session_list(actor=request.user, filters=filters)
    content = sessions_xlsx(qs, actor=request.user)
    access_log("export", detail=f"education sessions export, {qs.count()} sessions")
    return xlsx_response(content, f"education-sessions-{timezone.localdate():%Y%m%d}.xlsx")


def _initial_from_query(request: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "start_time": dt.time(9, 0),
        "end_time": dt.time(11, 0),
        "mode": EducationMode.CENTRALISED,
        "lecturer_kind": "social_worker",
    }
    day = date_param(request.GET, "date")
    if day:
        initial["date"] = day
    squadron = id_param(request.GET, "squadron")
    if squadron is not None:
        initial["squadrons"] = [squadron]
    return initial


@ui_view(**CHANGE_POLICY)
def session_create(request):
    form = ef.SessionForm(request.POST or None, actor=request.user, initial=_initial_from_query(request))
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The session has been planned; %(n)s persons are on its roster.")
                % {"n": session.attendances.count()},
            )
            return redirect("education:session_detail", pk=session.pk)
    return render(request, "education/session_form.html", {"form": form, "title": _("Plan a session")})


@ui_view(**CHANGE_POLICY, obj=("pk", "education.Session"))
def session_edit(request, pk: int):
    session = session_get(actor=request.user, pk=pk, action=CHANGE)
    initial = {f: getattr(session, f) for f in services.SESSION_FIELDS if f != "plan"}
    initial["squadrons"] = list(session.squadrons.all())
    form = ef.SessionForm(request.POST or None, actor=request.user, initial=initial)
    if session.status == SessionStatus.HELD:
        for name in (
            "mode",
            "stage",
            "date",
            "start_time",
            "end_time",
            "squadrons",
            "offence_categories",
            "for_juveniles",
            "online_link",
        ):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if session.status == SessionStatus.HELD:
            data = {k: v for k, v in data.items() if k in services.HELD_EDITABLE}
        try:
            services.session_update(actor=request.user, session=session, data=data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The session has been saved."))
            return redirect("education:session_detail", pk=session.pk)
    return render(
        request,
        "education/session_form.html",
        {"form": form, "session": session, "title": _("Edit the session")},
    )


@ui_view(**VIEW_POLICY, obj=("pk", "education.Session"))
def session_detail(request, pk: int):
    session = session_get(actor=request.user, pk=pk)
    rows = list(session_attendance(actor=request.user, session=session))
    now = timezone.now()
    return render(
        request,
        "education/session_detail.html",
        {
            "session": session,
            "squadrons": list(session.squadrons.all()),
            "rows": rows,
            "counts": roster_counts(session),
            "can_change": can_change(request.user),
            "started": session.starts_at <= now,
            "hold_form": ef.HoldForm(initial={"summary": session.summary}),
            "plan_form": ef.SessionPlanForm(
                initial={name: getattr(session, name) for name in services.PLAN_FIELDS}
            ),
            "reflection_form": ef.ReflectionForm(initial={"reflection": session.reflection}),
            "photo_form": ef.SessionPhotoForm(),
            "photos": list(session.photos.all()),
            "cancel_form": ef.CancelForm(),
            "reschedule_form": ef.RescheduleForm(
                initial={"start_time": session.start_time, "end_time": session.end_time}
            ),
            "rescheduled_from": getattr(session, "rescheduled_from", None),
            "window": services.checkin_window(session) if session.mode == EducationMode.REMOTE else None,
        },
    )


SESSION_ACTIONS = {"hold", "cancel", "reschedule", "roster", "mark_all", "plan", "reflect", "photo"}


@require_POST
@ui_view(**CHANGE_POLICY, obj=("pk", "education.Session"), samples={"action": "roster"})
def session_action(request, pk: int, action: str):
    session = session_get(actor=request.user, pk=pk, action=CHANGE)
    if action not in SESSION_ACTIONS:
        return render(request, "404.html", status=404)
    target = session
    try:
        if action == "hold":
            form = ef.HoldForm(request.POST)
            if form.is_valid():
                services.session_hold(
                    actor=request.user, session=session, summary=form.cleaned_data["summary"]
                )
                messages.success(
                    request, _("The session has been recorded as held. Mark the attendance below.")
                )
            else:
                form_errors(request, form)
        elif action == "cancel":
            form = ef.CancelForm(request.POST)
            if form.is_valid():
                services.session_cancel(actor=request.user, session=session, **form.cleaned_data)
                messages.success(request, _("The session has been cancelled; it does not count as held."))
            else:
                form_errors(request, form)
        elif action == "reschedule":
            form = ef.RescheduleForm(request.POST)
            if form.is_valid():
                target = services.session_reschedule(actor=request.user, session=session, **form.cleaned_data)
                messages.success(
                    request, _("The session has been moved to %(date)s.") % {"date": target.date.isoformat()}
                )
            else:
                form_errors(request, form)
        elif action == "roster":
            added = services.session_roster_refresh(actor=request.user, session=session)
            messages.success(request, _("%(n)s persons added to the roster.") % {"n": added})
        elif action == "plan":
            form = ef.SessionPlanForm(request.POST)
            if form.is_valid():
                services.session_plan_save(actor=request.user, session=session, data=form.cleaned_data)
                messages.success(request, _("The plan has been saved."))
            else:
                form_errors(request, form)
        elif action == "reflect":
            form = ef.ReflectionForm(request.POST)
            if form.is_valid():
                services.session_reflect(
                    actor=request.user, session=session, text=form.cleaned_data["reflection"]
                )
                messages.success(request, _("The reflection has been saved."))
            else:
                form_errors(request, form)
        elif action == "photo":
            form = ef.SessionPhotoForm(request.POST, request.FILES)
            if form.is_valid():
                services.session_photo_add(
                    actor=request.user,
                    session=session,
                    upload=form.cleaned_data["image"],
                    caption=form.cleaned_data["caption"],
                )
                messages.success(request, _("The photo has been added."))
            else:
                form_errors(request, form)
        elif action == "mark_all":
            marked = services.attendance_mark_all_present(actor=request.user, session=session)
            messages.success(request, _("%(n)s persons marked present.") % {"n": marked})
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("education:session_detail", pk=target.pk)


@ui_view(**VIEW_POLICY, obj=("pk", "education.Session"))
def session_signin(request, pk: int):
    """The sign-in sheet (签到表) as a PDF: blank before the session, filled after."""
    from jiaozheng.education.signin import signin_filename, signin_pdf

    session = session_get(actor=request.user, pk=pk)
    rows = session_attendance(actor=request.user, session=session)
    response = HttpResponse(signin_pdf(session, rows), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{signin_filename(session)}"'
    return response


@ui_view(**VIEW_POLICY, obj=("pk", "education.SessionPhoto"), samples={"size": "thumb"})
def session_photo_view(request, pk: int, size: str):
    return photo_response(request, get_scoped_or_404(SessionPhoto, request.user, pk=pk), size)


def _row_response(request: Any, row: Attendance, error: str = "") -> HttpResponse:
    row = Attendance.objects.select_related("session", "person", "person__squadron").get(pk=row.pk)
    return render(
        request,
        "education/_attendance_row.html",
        {
            "row": row,
            "session": row.session,
            "can_change": True,
            "error": error,
            "started": row.session.starts_at <= timezone.now(),
        },
    )


@require_POST
@ui_view(**CHANGE_POLICY, obj=("pk", "education.Attendance"))
def attendance_mark(request, pk: int):
    row = get_scoped_or_404(Attendance, request.user, CHANGE, pk=pk)
    status = request.POST.get("status", "")
    error = ""
    try:
        row = services.attendance_mark(
            actor=request.user, attendance=row, status=status, note=request.POST.get("note")
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if _is_htmx(request):
        return _row_response(request, row, error)
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('education:session_detail', args=[row.session_id])}#att-{row.pk}")


@require_POST
@ui_view(**CHANGE_POLICY, obj=("pk", "education.Attendance"))
def attendance_score(request, pk: int):
    row = get_scoped_or_404(Attendance, request.user, CHANGE, pk=pk)
    error = ""
    try:
        row = services.attendance_score(actor=request.user, attendance=row, score=request.POST.get("score"))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if _is_htmx(request):
        return _row_response(request, row, error)
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('education:session_detail', args=[row.session_id])}#att-{row.pk}")


@require_POST
@ui_view(**VIEW_POLICY, obj=("pk", "education.Attendance"))
def attendance_position(request, pk: int):
    """The position a person sent with a phone check-in: shown on request, and the read is logged."""
    row = get_scoped_or_404(Attendance.objects.select_related("person"), request.user, pk=pk)
    if not row.has_position:
        return JsonResponse({"position": None})
    access_log("location", person=row.person, obj=row, detail="education check-in position shown")
    return JsonResponse(
        {
            "latitude": round(row.latitude, 6),
            "longitude": round(row.longitude, 6),
            "accuracy_m": row.accuracy_m,
            "outside_county": row.outside_county,
        }
    )


# --- calendar ----------------------------------------------------------------------------------------------


@ui_view(**VIEW_POLICY)
def calendar_view(request):
    month = parse_month(request.GET.get("month"))
    squadron = request.GET.get("squadron")
    squadron_id = id_param(squadron)
    weeks = calendar_weeks(actor=request.user, month=month, squadron=squadron_id)
    previous = services.month_start(month - dt.timedelta(days=1))
    following = services.month_start(month + dt.timedelta(days=32))
    return render(
        request,
        "education/calendar.html",
        {
            "weeks": weeks,
            "month": month,
            "previous": previous,
            "following": following,
            "squadrons": squadrons_for(actor=request.user),
            "squadron": squadron_id,
            "can_change": can_change(request.user),
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        },
    )


# --- monthly plans and the plan helper ------------------------------------------------------------------------


@ui_view(**VIEW_POLICY)
def plan_list_view(request):
    month = parse_month(request.GET.get("month"))
    rows = plan_list(actor=request.user, month=month)
    any_county = rows[0]["squadron"].county_id if rows else None
    return render(
        request,
        "education/plan_list.html",
        {
            "rows": rows,
            "month": month,
            "previous": services.month_start(month - dt.timedelta(days=1)),
            "following": services.month_start(month + dt.timedelta(days=32)),
            "minimum": rule("education.sessions_per_month_min", any_county),
            "maximum": rule("education.sessions_per_month_max", any_county),
            "can_change": can_change(request.user),
        },
    )


@ui_view(**CHANGE_POLICY)
def plan_helper_view(request):
    squadrons = list(squadrons_for(actor=request.user))
    source = request.POST if request.method == "POST" else request.GET
    squadron_value = source.get("squadron") or (str(squadrons[0].pk) if len(squadrons) == 1 else "")
    month = parse_month(
        source.get("month"), default=services.month_start(timezone.localdate() + dt.timedelta(days=20))
    )
    advice = None
    if id_param(squadron_value) is not None:
        advice = plan_helper(actor=request.user, squadron=id_param(squadron_value), month=month)
    if request.method == "POST" and advice is not None:
        chosen = request.POST.getlist("take")
        items = []
        for index, proposal in enumerate(advice.proposals):
            if str(index) not in chosen:
                continue
            data = proposal.as_data()
            title = (request.POST.get(f"title_{index}") or "").strip()
            if title:
                data["title"] = title
            day = request.POST.get(f"date_{index}")
            try:
                if day:
                    data["date"] = dt.date.fromisoformat(day)
            except ValueError:
                messages.error(request, _("Session %(n)s: the date is not valid.") % {"n": index + 1})
                continue
            items.append(data)
        theme = request.POST.get("theme") or advice.theme
        try:
            plan, created = services.plan_apply(
                actor=request.user, squadron=advice.squadron, month=month, theme=theme, items=items
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(
                request,
                _("The plan of %(squadron)s for %(month)s has %(n)s new sessions.")
                % {"squadron": plan.squadron.name, "month": f"{plan.month:%Y-%m}", "n": len(created)},
            )
            return redirect("education:plan_detail", pk=plan.pk)
    return render(
        request,
        "education/plan_helper.html",
        {"squadrons": squadrons, "squadron": squadron_value, "month": month, "advice": advice},
    )


@ui_view(**VIEW_POLICY, obj=("pk", "education.ThemePlan"))
def plan_detail(request, pk: int):
    plan = plan_get(actor=request.user, pk=pk)
    sessions = with_roster_counts(
        session_list(
            actor=request.user,
            filters=SessionFilters(
                squadron=plan.squadron_id, date_from=plan.month, date_to=services.month_end(plan.month)
            ),
        )
    )
    return render(
        request,
        "education/plan_detail.html",
        {
            "plan": plan,
            "sessions": sessions,
            "form": ef.PlanThemeForm(initial={"theme": plan.theme, "notes": plan.notes}),
            "can_change": can_change(request.user),
            "can_approve": can_approve(request.user),
            "minimum": rule("education.sessions_per_month_min", plan.county_id),
            "maximum": rule("education.sessions_per_month_max", plan.county_id),
            "held": sum(1 for s in sessions if s.status == SessionStatus.HELD),
            "open": sum(1 for s in sessions if s.status in (SessionStatus.HELD, SessionStatus.PLANNED)),
        },
    )


@require_POST
@ui_view(**CHANGE_POLICY, obj=("pk", "education.ThemePlan"), samples={"action": "theme"})
def plan_action(request, pk: int, action: str):
    plan = plan_get(actor=request.user, pk=pk, action=CHANGE)
    try:
        if action == "theme":
            form = ef.PlanThemeForm(request.POST)
            if form.is_valid():
                services.plan_save(
                    actor=request.user,
                    squadron=plan.squadron,
                    month=plan.month,
                    plan=plan,
                    **form.cleaned_data,
                )
                messages.success(request, _("The plan has been saved."))
            else:
                form_errors(request, form)
        elif action == "approve":
            services.plan_approve(actor=request.user, plan=plan)
            messages.success(request, _("The plan has been approved."))
        else:
            return render(request, "404.html", status=404)
    except ValidationError as exc:
        flash_errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("education:plan_detail", pk=plan.pk)


# --- course library ------------------------------------------------------------------------------------


@ui_view(**VIEW_POLICY)
def course_list_view(request):
    category = request.GET.get("category") or ""
    q = (request.GET.get("q") or "").strip()[:50]
    show = request.GET.get("show") or "active"
    qs = course_list(actor=request.user, category=category, q=q, active=None if show == "all" else True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "education/course_list.html",
        {
            "page": page,
            "category": category,
            "q": q,
            "show": show,
            "categories": TopicCategory.choices,
            "can_change": can_change(request.user),
        },
    )


def owner_county(request: Any, form: Any, county_form: Any) -> Any:
    """The county of a new county-level record: the chosen squadron's, the only one, or the chosen one."""
    squadron = form.cleaned_data.get("squadron")
    if squadron is not None:
        return squadron.county_id
    counties = list(counties_for(actor=request.user))
    if len(counties) == 1:
        return counties[0]
    if county_form.is_valid():
        return county_form.cleaned_data["county"]
    return None


def needs_county_choice(request: Any) -> bool:
    scope = scope_for(request.user)
    return (scope.unrestricted or len(scope.county_ids) > 1) and counties_for(actor=request.user).count() > 1


@ui_view(**CHANGE_POLICY)
def course_create(request):
    county_form = ef.CountyChoiceForm(request.POST or None, actor=request.user)
    form = ef.CourseForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        county = owner_county(request, form, county_form)
        if county is not None:
            try:
                course = services.course_create(actor=request.user, county=county, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The course has been added to the library."))
                return redirect("education:course_detail", pk=course.pk)
    return render(
        request,
        "education/course_form.html",
        {
            "form": form,
            "county_form": county_form if needs_county_choice(request) else None,
            "title": _("Add a course"),
        },
    )


@ui_view(**VIEW_POLICY, obj=("pk", "education.Course"))
def course_detail(request, pk: int):
    course = get_scoped_or_404(Course.objects.select_related("county"), request.user, pk=pk)
    sessions = session_list(actor=request.user).filter(course=course)[:20]
    return render(
        request,
        "education/course_detail.html",
        {
            "course": course,
            "materials": course.materials.all(),
            "sessions": sessions,
            "material_form": ef.MaterialForm(),
            "can_change": can_change(request.user) and can_change_shared(request.user, course),
        },
    )


@ui_view(**CHANGE_POLICY, obj=("pk", "education.Course"))
def course_edit(request, pk: int):
    course = get_scoped_or_404(Course, request.user, CHANGE, pk=pk)
    initial = {f: getattr(course, f) for f in services.COURSE_FIELDS}
    initial["squadron"] = course.squadron_id
    form = ef.CourseForm(request.POST or None, initial=initial, actor=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(actor=request.user, course=course, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The course has been saved."))
            return redirect("education:course_detail", pk=course.pk)
    return render(
        request, "education/course_form.html", {"form": form, "course": course, "title": _("Edit the course")}
    )


@require_POST
@ui_view(**CHANGE_POLICY, obj=("pk", "education.Course"))
def material_upload(request, pk: int):
    course = get_scoped_or_404(Course, request.user, CHANGE, pk=pk)
    form = ef.MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            material = services.material_add(
                actor=request.user, course=course, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(name)s has been attached.") % {"name": material.name})
    else:
        form_errors(request, form)
    return redirect("education:course_detail", pk=course.pk)


@ui_view(**VIEW_POLICY, obj=("pk", "education.CourseMaterial"))
def material_download(request, pk: int):
    material = get_scoped_or_404(CourseMaterial, request.user, pk=pk)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        return render(request, "404.html", status=404)
    response = FileResponse(handle, content_type=material.content_type)
    inline = material.content_type.startswith(("image/", "application/pdf", "video/", "audio/"))
    response["Content-Disposition"] = content_disposition(material.name, inline=inline)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
    return response


@require_POST
@ui_view(**CHANGE_POLICY, obj=("pk", "education.CourseMaterial"))
def material_delete(request, pk: int):
    material = get_scoped_or_404(CourseMaterial, request.user, CHANGE, pk=pk)
    course_id = material.course_id
    try:
        services.material_delete(actor=request.user, material=material)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The material has been removed."))
    return redirect("education:course_detail", pk=course_id)


# --- hours and shortfalls -----------------------------------------------------------------------------------


def _hours_params(request: Any) -> tuple[dt.date, int | None, bool]:
    default = services.month_start(services.month_start(timezone.localdate()) - dt.timedelta(days=1))
    month = parse_month(request.GET.get("month"), default=default)
    squadron = request.GET.get("squadron")
    squadron_id = id_param(squadron)
    everyone = request.GET.get("show") == "all"
    return month, squadron_id, everyone


@ui_view(**VIEW_POLICY)
def hours_view(request):
    month, squadron, everyone = _hours_params(request)
    report = month_hours(actor=request.user, month=month, squadron=squadron)
    rows = report.rows if everyone else report.short_rows
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    summary: dict[int, dict[str, Any]] = {}
    if squadron is None:
        for row in report.rows:
            item = summary.setdefault(
                row.person.squadron_id,
                {"squadron": row.person.squadron, "persons": 0, "study": 0, "service": 0, "flag": 0},
            )
            item["persons"] += 1
            item["study"] += row.study_short > 0
            item["service"] += row.service_short > 0
            item["flag"] += row.absences_flag
    scope = scope_for(request.user)
    return render(
        request,
        "education/hours.html",
        {
            "report": report,
            "page": page,
            "summary": list(summary.values()),
            "month": month,
            "squadron": squadron,
            "everyone": everyone,
            "squadrons": squadrons_for(actor=request.user),
            "previous": services.month_start(month - dt.timedelta(days=1)),
            "following": services.month_start(month + dt.timedelta(days=32)),
            "can_admonish": scope.unrestricted or role_allows(scope.role, Domain.CASELOAD, CHANGE),
            "admonition_form": ef.AdmonitionForm(initial={"month": f"{month:%Y-%m}"}),
        },
    )


@ui_view(**VIEW_POLICY)
def hours_export(request):
    month, squadron, everyone = _hours_params(request)
    report = month_hours(actor=request.user, month=month, squadron=squadron)
    access_log("export", detail=f"education hours export {month:%Y-%m}, {len(report.rows)} persons")
    return xlsx_response(hours_xlsx(report, everyone=everyone), f"hours-{month:%Y-%m}.xlsx")


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("pk", "people.Person"))
def hours_admonish(request, pk: int):
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=pk)
    form = ef.AdmonitionForm(request.POST)
    month = parse_month(request.POST.get("month"))
    if form.is_valid():
        try:
            services.absence_admonition(
                actor=request.user, person=person, month=month, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("An admonition has been recorded for %(name)s.") % {"name": person.name}
            )
    else:
        form_errors(request, form)
    return redirect(f"{reverse('education:hours')}?month={month:%Y-%m}&squadron={person.squadron_id}")


# --- statistics ------------------------------------------------------------------------------------------


@ui_view(**VIEW_POLICY)
def stats_view(request):
    today = timezone.localdate()
    year_text = request.GET.get("year") or ""
    year = int_param(year_text, minimum=2000, maximum=2100) or today.year
    start, end = year_range(year)
    counties = list(counties_for(actor=request.user))
    county_text = request.GET.get("county") or ""
    county = id_param(county_text)
    stats = education_stats(actor=request.user, start=start, end=end, county=county)
    community = provider("community.stats")(actor=request.user, start=start, end=end, county=county)
    target_county = county or (counties[0].pk if len(counties) == 1 else None)
    target = rule("education.sessions_per_year", target_county)
    elapsed = min(12, max(0, (today.month - 1) if year == today.year else (12 if year < today.year else 0)))
    return render(
        request,
        "education/stats.html",
        {
            "stats": stats,
            "community": community,
            "year": year,
            "years": list(range(today.year, 2019, -1)),
            "counties": counties,
            "county": county,
            "target": target,
            "pace": round(target * elapsed / 12),
            "elapsed": elapsed,
            "community_target": rule("community.activities_per_year", target_county),
            "held_to_last_month": sum(
                m["held"] for m in stats.months if m["month"] < services.month_start(today)
            ),
            "community_to_last_month": sum(
                m["held"] for m in community.months if m["label"] < f"{services.month_start(today):%Y-%m}"
            ),
            "community_pace": round(rule("community.activities_per_year", target_county) * elapsed / 12),
            "show_target": target_county is not None,
            "show_pace": target_county is not None and year == today.year and 0 < elapsed < 12,
        },
    )


# --- import ------------------------------------------------------------------------------------------------


@ui_view(**CHANGE_POLICY)
def import_view(request):
    return import_page(request, "education_sessions", template_url=reverse("education:import_template"))


@ui_view(**VIEW_POLICY)
def import_template(request):
    return xlsx_response(SESSIONS.template_xlsx(), "education-sessions-template.xlsx")


# --- the supervised person's phone pages -------------------------------------------------------------------


@ui_view(**SUBJECT_POLICY)
def me_view(request):
    my_participations = provider("community.my_participations")
    person = request.user.person
    today = timezone.localdate()
    return render(
        request,
        "education/me.html",
        {
            "person": person,
            "upcoming": my_upcoming(actor=request.user),
            "history": my_history(actor=request.user, limit=8),
            "hours": person_month_hours(actor=request.user, person=person, month=today),
            "activities": list(my_participations(actor=request.user, upcoming=True)[:5]),
            "today": today,
        },
    )


@ui_view(**SUBJECT_POLICY, obj=("pk", "education.Session"))
def me_session(request, pk: int):
    session = session_get(actor=request.user, pk=pk)
    row = Attendance.objects.filter(session=session, person_id=request.user.person_id).first()
    opens, closes = services.checkin_window(session)
    now = timezone.now()
    return render(
        request,
        "education/me_session.html",
        {
            "session": session,
            "row": row,
            "opens": opens,
            "closes": closes,
            "can_check_in": (
                session.mode == EducationMode.REMOTE
                and session.is_open
                and opens <= now <= closes
                and row is not None
                and row.status != AttendanceStatus.PRESENT
            ),
            "too_early": now < opens,
        },
    )


@require_POST
@ui_view(**SUBJECT_POLICY, obj=("pk", "education.Session"))
def me_checkin(request, pk: int):
    session = session_get(actor=request.user, pk=pk)
    try:
        services.checkin_self(
            actor=request.user,
            session=session,
            latitude=request.POST.get("latitude"),
            longitude=request.POST.get("longitude"),
            accuracy_m=request.POST.get("accuracy"),
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("You have checked in. Thank you."))
    return redirect("education:me_session", pk=session.pk)
