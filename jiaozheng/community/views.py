"""Community-service pages: activities with participants and photos, partner venues, the volunteer team,
import and export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from jiaozheng.audit.services import access_log
from jiaozheng.community import forms as cf
from jiaozheng.community import services
from jiaozheng.community.choices import (
    ActivityKind,
    ActivityStatus,
    ParticipantKind,
    VenueKind,
    VolunteerKind,
)
from jiaozheng.community.exports import activities_xlsx
from jiaozheng.community.imports import ACTIVITIES
from jiaozheng.community.models import ActivityPhoto, Participation, Venue, Volunteer
from jiaozheng.community.selectors import (
    ActivityFilters,
    activity_get,
    activity_list,
    activity_overview,
    activity_participants,
    activity_photos,
    participant_counts,
    team_summary,
    venue_list,
    volunteer_list,
    with_participant_counts,
)
from jiaozheng.core.access import ui_view
from jiaozheng.core.import_pages import import_page
from jiaozheng.core.params import date_param
from jiaozheng.core.photos import photo_response
from jiaozheng.core.roles import CHANGE
from jiaozheng.core.scoping import get_scoped_or_404
from jiaozheng.education.forms import CountyChoiceForm
from jiaozheng.education.selectors import squadrons_for
from jiaozheng.education.views import (
    CHANGE_POLICY,
    PAGE_SIZE,
    VIEW_POLICY,
    apply_errors,
    can_approve,
    can_change,
    flash_errors,
    form_errors,
    needs_county_choice,
    owner_county,
    xlsx_response,
)


def _is_htmx(request: Any) -> bool:
    return request.headers.get("HX-Request") == "true"


@ui_view(**VIEW_POLICY)
def activity_list_view(request):
    filters = ActivityFilters.from_mapping(request.GET)
    page = Paginator(activity_list(actor=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = with_participant_counts(page.object_list)
    return render(
        request,
        "community/activity_list.html",
        {
            "page": page,
            "filters": filters,
            "squadrons": squadrons_for(actor=request.user),
            "statuses": ActivityStatus.choices,
            "kinds": ActivityKind.choices,
            "overview": activity_overview(actor=request.user),
            "can_change": can_change(request.user),
        },
    )


@ui_view(**VIEW_POLICY)
def activity_export(request):
    filters = ActivityFilters.from_mapping(request.GET)
    qs = activity_list(actor=request.user, filters=filters)
    access_log("export", detail=f"community activities export, {qs.count()} activities")
    return xlsx_response(
        activities_xlsx(qs, actor=request.user), f"community-activities-{timezone.localdate():%Y%m%d}.xlsx"
    )


@ui_view(**CHANGE_POLICY)
def activity_create(request):
    initial: dict[str, Any] = {"start_time": dt.time(8, 30), "end_time": dt.time(11, 30)}
    if date_param(request.GET, "date"):
        initial["date"] = date_param(request.GET, "date")
    form = cf.ActivityForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The activity has been planned. Add the participants below."))
            return redirect("community:activity_detail", pk=activity.pk)
    return render(request, "community/activity_form.html", {"form": form, "title": _("Plan an activity")})


@ui_view(**CHANGE_POLICY, obj=("pk", "community.Activity"))
def activity_edit(request, pk: int):
    activity = activity_get(actor=request.user, pk=pk, action=CHANGE)
    initial = {f: getattr(activity, f) for f in services.ACTIVITY_FIELDS}
    initial["squadrons"] = list(activity.squadrons.all())
    form = cf.ActivityForm(request.POST or None, actor=request.user, initial=initial)
    if activity.status == ActivityStatus.HELD:
        for name in ("date", "start_time", "end_time", "squadrons"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if activity.status == ActivityStatus.HELD:
            data = {k: v for k, v in data.items() if k in services.HELD_EDITABLE}
        try:
            services.activity_update(actor=request.user, activity=activity, data=data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The activity has been saved."))
            return redirect("community:activity_detail", pk=activity.pk)
    return render(
        request,
        "community/activity_form.html",
        {"form": form, "activity": activity, "title": _("Edit the activity")},
    )


@ui_view(**VIEW_POLICY, obj=("pk", "community.Activity"))
def activity_detail(request, pk: int):
    activity = activity_get(actor=request.user, pk=pk)
    editable = can_change(request.user) and activity.status != ActivityStatus.CANCELLED
    context: dict[str, Any] = {
        "activity": activity,
        "squadrons": list(activity.squadrons.all()),
        "rows": list(activity_participants(actor=request.user, activity=activity)),
        "photos": list(activity_photos(actor=request.user, activity=activity)),
        "counts": participant_counts(activity),
        "can_change": editable,
        "can_approve": can_approve(request.user)
        and activity.approved_at is None
        and activity.status != ActivityStatus.CANCELLED,
        "started": activity.starts_at <= timezone.now(),
        "hold_form": cf.HoldForm(initial={"summary": activity.summary}),
        "cancel_form": cf.CancelForm(),
        "photo_form": cf.PhotoForm(),
    }
    if editable:
        candidates = services.candidates_for(actor=request.user, activity=activity)
        context["persons_form"] = cf.PersonsForm(candidates=candidates, initial={"hours": activity.hours})
        context["n_candidates"] = candidates.count()
        context["member_form"] = cf.MemberForm(actor=request.user, county_id=activity.county_id)
    return render(request, "community/activity_detail.html", context)


@require_POST
@ui_view(**CHANGE_POLICY, obj=("pk", "community.Activity"), samples={"action": "approve"})
def activity_action(request, pk: int, action: str):
    activity = activity_get(actor=request.user, pk=pk, action=CHANGE)
    try:
        if action == "hold":
            form = cf.HoldForm(request.POST)
            if form.is_valid():
                services.activity_hold(
                    actor=request.user, activity=activity, summary=form.cleaned_data["summary"]
                )
                messages.success(request, _("The activity has been recorded as held. Mark who took part."))
            else:
                form_errors(request, form)
        elif action == "cancel":
            form = cf.CancelForm(request.POST)
            if form.is_valid():
                services.activity_cancel(actor=request.user, activity=activity, **form.cleaned_data)
                messages.success(request, _("The activity has been cancelled; it does not count as held."))
            else:
                form_errors(request, form)
        elif action == "approve":
            services.activity_approve(actor=request.user, activity=activity)
            messages.success(request, _("The activity has been approved."))
        elif action == "persons":
            form = cf.PersonsForm(
                request.POST, candidates=services.candidates_for(actor=request.user, activity=activity)
            )
            if form.is_valid():
                rows = services.participants_add_persons(
                    actor=request.user,
                    activity=activity,
                    persons=form.cleaned_data["persons"],
                    hours=form.cleaned_data["hours"],
                )
                messages.success(request, _("%(n)s persons added.") % {"n": len(rows)})
            else:
                form_errors(request, form)
        elif action == "member":
            form = cf.MemberForm(request.POST, actor=request.user, county_id=activity.county_id)
            if form.is_valid():
                services.participant_add_member(actor=request.user, activity=activity, **form.cleaned_data)
                messages.success(request, pgettext("community", "The team member has been added."))
            else:
                form_errors(request, form)
        elif action == "photo":
            form = cf.PhotoForm(request.POST, request.FILES)
            if form.is_valid():
                services.photo_add(
                    actor=request.user,
                    activity=activity,
                    upload=form.cleaned_data["image"],
                    caption=form.cleaned_data["caption"],
                )
                messages.success(request, _("The photo has been added."))
            else:
                form_errors(request, form)
        else:
            return render(request, "404.html", status=404)
    except ValidationError as exc:
        flash_errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("community:activity_detail", pk=activity.pk)


@require_POST
@ui_view(**CHANGE_POLICY, obj=("pk", "community.Participation"))
def participation_mark(request, pk: int):
    row = get_scoped_or_404(Participation, request.user, CHANGE, pk=pk)
    error = ""
    try:
        row = services.participation_mark(
            actor=request.user,
            participation=row,
            status=request.POST.get("status", ""),
            hours=request.POST.get("hours"),
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if _is_htmx(request):
        row = Participation.objects.select_related("activity", "person", "person__squadron").get(pk=row.pk)
        return render(
            request,
            "community/_participant_row.html",
            {
                "row": row,
                "activity": row.activity,
                "can_change": True,
                "error": error,
                "started": row.activity.starts_at <= timezone.now(),
            },
        )
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('community:activity_detail', args=[row.activity_id])}#part-{row.pk}")


@require_POST
@ui_view(**CHANGE_POLICY, obj=("pk", "community.Participation"))
def participation_remove(request, pk: int):
    row = get_scoped_or_404(Participation, request.user, CHANGE, pk=pk)
    activity_id = row.activity_id
    try:
        services.participation_remove(actor=request.user, participation=row)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("%(name)s has been removed.") % {"name": row.name})
    return redirect("community:activity_detail", pk=activity_id)


@ui_view(**VIEW_POLICY, obj=("pk", "community.ActivityPhoto"), samples={"size": "thumb"})
def photo_view(request, pk: int, size: str):
    return photo_response(request, get_scoped_or_404(ActivityPhoto, request.user, pk=pk), size)


@require_POST
@ui_view(**CHANGE_POLICY, obj=("pk", "community.ActivityPhoto"))
def photo_delete(request, pk: int):
    photo = get_scoped_or_404(ActivityPhoto, request.user, CHANGE, pk=pk)
    activity_id = photo.activity_id
    services.photo_delete(actor=request.user, photo=photo)
    messages.success(request, _("The photo has been removed."))
    return redirect("community:activity_detail", pk=activity_id)


# --- venues -------------------------------------------------------------------------------------------------


@ui_view(**VIEW_POLICY)
def venue_list_view(request):
    kind = request.GET.get("kind") or ""
    q = (request.GET.get("q") or "").strip()[:50]
    show = request.GET.get("show") or "active"
    venues = venue_list(actor=request.user, kind=kind, q=q, active=None if show == "all" else True)
    return render(
        request,
        "community/venue_list.html",
        {
            "venues": venues,
            "kind": kind,
            "q": q,
            "show": show,
            "kinds": VenueKind.choices,
            "can_change": can_change(request.user),
        },
    )


@ui_view(**CHANGE_POLICY)
def venue_create(request):
    county_form = CountyChoiceForm(request.POST or None, actor=request.user)
    form = cf.VenueForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        county = owner_county(request, form, county_form)
        if county is not None:
            try:
                services.venue_create(actor=request.user, county=county, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The venue has been saved."))
                return redirect("community:venue_list")
    many = needs_county_choice(request)
    return render(
        request,
        "community/simple_form.html",
        {
            "form": form,
            "county_form": county_form if many else None,
            "title": _("Add a partner venue"),
            "back": reverse("community:venue_list"),
        },
    )


@ui_view(**CHANGE_POLICY, obj=("pk", "community.Venue"))
def venue_edit(request, pk: int):
    venue = get_scoped_or_404(Venue, request.user, CHANGE, pk=pk)
    initial = {f: getattr(venue, f) for f in services.VENUE_FIELDS}
    initial["squadron"] = venue.squadron_id
    form = cf.VenueForm(request.POST or None, actor=request.user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_update(actor=request.user, venue=venue, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The venue has been saved."))
            return redirect("community:venue_list")
    return render(
        request,
        "community/simple_form.html",
        {
            "form": form,
            "title": _("Edit the venue") + f"：{venue.name}",
            "back": reverse("community:venue_list"),
        },
    )


# --- the volunteer team -----------------------------------------------------------------------------------


@ui_view(**VIEW_POLICY)
def volunteer_list_view(request):
    kind = request.GET.get("kind") or ""
    q = (request.GET.get("q") or "").strip()[:50]
    show = request.GET.get("show") or "active"
    since = timezone.localdate() - dt.timedelta(days=365)
    return render(
        request,
        "community/volunteer_list.html",
        {
            "volunteers": volunteer_list(
                actor=request.user, kind=kind, q=q, active=None if show == "all" else True
            ),
            "summary": team_summary(actor=request.user, since=since),
            "kind": kind,
            "q": q,
            "show": show,
            "kinds": VolunteerKind.choices,
            "can_change": can_change(request.user),
            "subject_kind": ParticipantKind.SUBJECT,
        },
    )


@ui_view(**CHANGE_POLICY)
def volunteer_create(request):
    county_form = CountyChoiceForm(request.POST or None, actor=request.user)
    form = cf.VolunteerForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        county = owner_county(request, form, county_form)
        if county is not None:
            try:
                services.volunteer_create(actor=request.user, county=county, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The member has been added to the team."))
                return redirect("community:volunteer_list")
    many = needs_county_choice(request)
    return render(
        request,
        "community/simple_form.html",
        {
            "form": form,
            "county_form": county_form if many else None,
            "title": _("Add a team member"),
            "back": reverse("community:volunteer_list"),
        },
    )


@ui_view(**CHANGE_POLICY, obj=("pk", "community.Volunteer"))
def volunteer_edit(request, pk: int):
    volunteer = get_scoped_or_404(Volunteer, request.user, CHANGE, pk=pk)
    initial = {f: getattr(volunteer, f) for f in services.VOLUNTEER_FIELDS}
    initial["squadron"] = volunteer.squadron_id
    form = cf.VolunteerForm(request.POST or None, actor=request.user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(actor=request.user, volunteer=volunteer, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The member has been saved."))
            return redirect("community:volunteer_list")
    return render(
        request,
        "community/simple_form.html",
        {
            "form": form,
            "title": _("Edit the team member") + f"：{volunteer.name}",
            "back": reverse("community:volunteer_list"),
        },
    )


# --- import ------------------------------------------------------------------------------------------------


@ui_view(**CHANGE_POLICY)
def import_view(request):
    return import_page(request, "community_activities", template_url=reverse("community:import_template"))


@ui_view(**VIEW_POLICY)
def import_template(request):
    return xlsx_response(ACTIVITIES.template_xlsx(), "community-activities-template.xlsx")
