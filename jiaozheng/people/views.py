"""Caseload pages: list with filters, person page, forms, lifecycle actions, import and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiaozheng.audit.services import access_log
from jiaozheng.core.access import ui_view
from jiaozheng.core.jobs import job_start
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role, role_allows
from jiaozheng.core.scoping import scope_for
from jiaozheng.people import forms as pf
from jiaozheng.people import sealing, services
from jiaozheng.people.choices import CorrectionType, Status, SupervisionClass, ethnicity_label
from jiaozheng.people.exports import persons_xlsx
from jiaozheng.people.imports import PERSONS
from jiaozheng.people.models import CorrectionPlan, Person
from jiaozheng.people.selectors import (
    PersonFilters,
    caseload_counts,
    person_get,
    person_identity_reveal,
    person_list,
    person_timeline,
    squadrons_for,
)

PAGE_SIZE = 30


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def person_list_view(request):
    filters = PersonFilters.from_mapping(request.GET)
    qs = person_list(actor=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/person_list.html",
        {
            "page": page,
            "filters": filters,
            "squadrons": squadrons_for(actor=request.user),
            "classes": SupervisionClass.choices,
            "types": CorrectionType.choices,
            "statuses": Status.choices,
            "can_change": _can_change(request.user),
            "counts": caseload_counts(actor=request.user),
        },
    )


def _can_change(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or role_allows(scope.role, Domain.CASELOAD, CHANGE)


@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def person_export(request):
    filters = PersonFilters.from_mapping(request.GET)
    qs = person_list(actor=request.user, filters=filters)
    access_log("export", detail=f"caseload export, {qs.count()} rows")
    content = persons_xlsx(qs, actor=request.user)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="caseload-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


# Pages of other modules about one person, shown on the person page to the roles those pages admit.
MODULE_LINKS = [
    (gettext_lazy("Location and devices"), "location:person_devices"),
    (gettext_lazy("Zones and travel permits"), "location:person_zones"),
    (gettext_lazy("Face check-in"), "checkins:person"),
    (gettext_lazy("Visits"), "visits:person_visits"),
    (gettext_lazy("Mental-health file"), "assessments:person_file"),
]


def _module_links(user: Any, person: Person) -> list[tuple[Any, str]]:
    from django.urls import NoReverseMatch, resolve

    from jiaozheng.core.access import policy_of, user_allowed

    links = []
    for label, name in MODULE_LINKS:
        try:
            url = reverse(name, args=[person.pk])
        except NoReverseMatch:
            continue
        policy = policy_of(resolve(url).func)
        if policy is not None and user_allowed(user, policy):
            links.append((label, url))
    return links


@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD, obj=("pk", "people.Person"))
def person_detail(request, pk: int):
    person = person_get(actor=request.user, pk=pk)
    tab = request.GET.get("tab", "profile")
    context: dict[str, Any] = {
        "person": person,
        "tab": tab,
        "can_change": _can_change(request.user),
        "ethnicity": ethnicity_label(person.ethnicity, get_language() or "zh-hans"),
        "escalation": services.escalation_status(person),
        "late_suggestion": services.late_report_suggestion(person),
        "team_warnings": services.team_warnings(person),
        "plan": person.plans.filter(active=True).first(),
        "module_links": _module_links(request.user, person),
    }
    if tab == "timeline":
        context["timeline"] = person_timeline(actor=request.user, person=person)
    elif tab == "history":
        context["class_changes"] = person.class_changes.select_related("decided_by")
        context["events"] = person.events.select_related("recorded_by")
    elif tab == "discipline":
        context["discipline"] = person.discipline.select_related("decided_by")
        context["discipline_form"] = pf.DisciplineForm()
    elif tab == "team":
        context["team"] = person.team.all()
        context["team_form"] = pf.TeamMemberForm()
    elif tab == "plan":
        context["plans"] = person.plans.prefetch_related("reviews")
        context["plan_form"] = pf.PlanForm()
        context["review_form"] = pf.PlanReviewForm()
    elif tab == "prohibitions":
        context["prohibitions"] = person.prohibitions.all()
        context["prohibition_form"] = pf.ProhibitionForm()
    else:
        context.update(
            {
                "report_form": pf.ReportForm(),
                "announce_form": pf.AnnounceForm(),
                "class_form": pf.ClassChangeForm(),
                "release_form": pf.ReleaseForm(),
                "terminate_form": pf.TerminateForm(),
                "seal_form": pf.SealForm() if sealing.may_seal(request.user, person) else None,
                "hardship_form": pf.HardshipForm(
                    initial={"hardship": person.is_hardship, "note": person.hardship_note}
                ),
            }
        )
    return render(request, "people/person_detail.html", context)


@require_POST
@ui_view(roles=[Role.BUREAU_ADMIN], domain=Domain.CASELOAD, action=CHANGE, obj=("pk", "people.Person"))
def person_seal(request, pk: int):
    """犯罪记录封存 of a released juvenile: afterwards the person is found only on the sealed-records page."""
    person = person_get(actor=request.user, pk=pk, action=CHANGE)
    form = pf.SealForm(request.POST)
    if form.is_valid():
        try:
            sealing.person_seal(actor=request.user, person=person, basis=form.cleaned_data["basis"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The records have been sealed."))
            return redirect("people:sealed_list")
    else:
        messages.error(request, _("Give the decision or legal basis of the sealing."))
    return redirect("people:person_detail", pk=person.pk)


def _county_staff(actor: Any) -> list[tuple[int, str]]:
    from jiaozheng.orgs.models import User

    return [
        (u.pk, f"{u.get_full_name() or u.username}（{u.get_role_display()}）")
        for u in User.objects.filter(
            is_active=True, assignments__unit__county_id__in=scope_for(actor).county_ids
        )
        .exclude(role=Role.SUBJECT)
        .distinct()
        .order_by("username")
    ]


@ui_view(roles=[Role.BUREAU_ADMIN], domain=Domain.CASELOAD, action=CHANGE)
def sealed_list(request):
    """The county's sealed records: lawful queries granted and revoked, seals lifted."""
    staff = _county_staff(request.user)
    rows = sealing.sealed_list(actor=request.user)
    for row in rows:
        row["grant_form"] = pf.SealedGrantForm(initial={"person": row["person"].pk}, staff=staff)
        row["unseal_form"] = pf.UnsealForm(initial={"person": row["person"].pk})
    return render(request, "people/sealed_list.html", {"rows": rows})


@require_POST
@ui_view(roles=[Role.BUREAU_ADMIN], domain=Domain.CASELOAD, action=CHANGE, samples={"action": "grant"})
def sealed_action(request, action: str):
    try:
        if action == "grant":
            form = pf.SealedGrantForm(request.POST, staff=_county_staff(request.user))
            if form.is_valid():
                sealing.sealed_access_grant(actor=request.user, **form.cleaned_data)
                messages.success(request, _("The lawful query has been granted."))
            else:
                messages.error(request, _("Check the lawful query form."))
        elif action == "unseal":
            form = pf.UnsealForm(request.POST)
            if form.is_valid():
                sealing.person_unseal(actor=request.user, **form.cleaned_data)
                messages.success(request, _("The seal has been lifted."))
            else:
                messages.error(request, _("Give the reason for lifting the seal."))
        elif action == "revoke":
            grant = request.POST.get("grant", "")
            if not grant.isdigit() or len(grant) > 18:
                return render(request, "404.html", status=404)
            sealing.sealed_access_revoke(actor=request.user, grant=int(grant))
            messages.success(request, _("The access has been revoked."))
        else:
            return render(request, "404.html", status=404)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("people:sealed_list")


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD, obj=("pk", "people.Person"))
def person_reveal(request, pk: int):
    """Show the full ID number and phone once; the read is logged."""
    person = person_identity_reveal(actor=request.user, pk=pk)
    return JsonResponse({"id_number": person.id_number, "phone": person.phone})


@ui_view(roles=[Role.BUREAU_ADMIN], domain=Domain.CASELOAD, obj=("pk", "people.Person"))
def person_data_export(request, pk: int):
    """Everything held on the person, as JSON, for an access request; the export is logged."""
    from jiaozheng.people.access_request import person_data_export as export

    person, content = export(actor=request.user, pk=pk)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}-data.json"'
    return response


@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE)
def person_create(request):
    form = pf.PersonForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": person.name})
            return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "title": _("Register a person")})


@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("pk", "people.Person"))
def person_edit(request, pk: int):
    person = person_get(actor=request.user, pk=pk, action=CHANGE)
    initial = {f: getattr(person, f) for f in services.EDITABLE_FIELDS}
    form = pf.PersonForm(request.POST or None, actor=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, data=form.service_data())
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The record has been saved."))
            return redirect("people:person_detail", pk=person.pk)
    return render(
        request, "people/person_form.html", {"form": form, "person": person, "title": _("Edit record")}
    )


ACTIONS = {
    # action: (form class, service call, success message, tab to return to)
    "report": (
        pf.ReportForm,
        lambda a, p, d: services.person_report(actor=a, person=p, **d),
        _("The report has been recorded."),
        "profile",
    ),
    "announce": (
        pf.AnnounceForm,
        lambda a, p, d: services.person_announce(actor=a, person=p, **d),
        _("The admission announcement has been recorded."),
        "profile",
    ),
    "class": (
        pf.ClassChangeForm,
        lambda a, p, d: services.class_change(actor=a, person=p, **d),
        _("The supervision class has been changed."),
        "history",
    ),
    "release": (
        pf.ReleaseForm,
        lambda a, p, d: services.person_release(actor=a, person=p, **d),
        _("The release has been recorded."),
        "profile",
    ),
    "terminate": (
        pf.TerminateForm,
        lambda a, p, d: services.person_terminate(actor=a, person=p, **d),
        _("The termination has been recorded."),
        "profile",
    ),
    "team": (
        pf.TeamMemberForm,
        lambda a, p, d: services.team_member_add(actor=a, person=p, **d),
        _("The team member has been added."),
        "team",
    ),
    "plan": (
        pf.PlanForm,
        lambda a, p, d: services.plan_create(actor=a, person=p, **d),
        _("The correction plan has been saved."),
        "plan",
    ),
    "prohibition": (
        pf.ProhibitionForm,
        lambda a, p, d: services.prohibition_add(
            actor=a,
            person=p,
            kind=d["kind"],
            content=d["content"],
            start_on=d["start_on"],
            end_on=d["end_on"],
            zone=d.get("zone"),
        ),
        _("The prohibition order has been recorded."),
        "prohibitions",
    ),
    "discipline": (
        pf.DisciplineForm,
        lambda a, p, d: services.discipline_add(actor=a, person=p, **d),
        _("The discipline record has been saved."),
        "discipline",
    ),
    "hardship": (
        pf.HardshipForm,
        lambda a, p, d: services.hardship_set(actor=a, person=p, **d),
        _("Saved."),
        "profile",
    ),
}


@require_POST
@ui_view(
    roles=STAFF_ROLES,
    domain=Domain.CASELOAD,
    action=CHANGE,
    obj=("pk", "people.Person"),
    samples={"action": "report"},
)
def person_action(request, pk: int, action: str):
    person = person_get(actor=request.user, pk=pk, action=CHANGE)
    if action not in ACTIONS:
        return render(request, "404.html", status=404)
    form_class, call, done, tab = ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("center_latitude", "center_longitude", "radius_m", "polygon")
        }
        try:
            call(request.user, person, data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
    return redirect(f"{reverse('people:person_detail', args=[person.pk])}?tab={tab}")


@require_POST
@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("pk", "people.CorrectionPlan"))
def plan_review(request, pk: int):
    from jiaozheng.core.scoping import get_scoped_or_404

    plan = get_scoped_or_404(CorrectionPlan, request.user, CHANGE, pk=pk)
    form = pf.PlanReviewForm(request.POST)
    if form.is_valid():
        try:
            services.plan_review(actor=request.user, plan=plan, **form.cleaned_data)
            messages.success(request, _("The review has been recorded."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    else:
        messages.error(request, _("Check the review form."))
    return redirect(f"{reverse('people:person_detail', args=[plan.person_id])}?tab=plan")


@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE)
def person_import(request):
    form = pf.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        from django.conf import settings

        from jiaozheng.core.validators import file_name_problem

        if problem := file_name_problem(upload.name):
            form.add_error("file", problem)
        elif upload.size > settings.MAX_UPLOAD_BYTES:
            form.add_error(
                "file", _("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_BYTES // 2**20}
            )
        else:
            safe_name = "upload.xlsx" if upload.name.lower().endswith(".xlsx") else "upload.csv"
            job = job_start(
                actor=request.user,
                kind="people.import",
                title=_("Caseload import: %(f)s") % {"f": upload.name[:80]},
                params={"filename": safe_name},
                input_name=safe_name,
                input_bytes=upload.read(),
            )
            return redirect("job_detail", pk=job.pk)
    return render(request, "people/person_import.html", {"form": form, "columns": PERSONS.columns})


@ui_view(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def import_template(request):
    response = HttpResponse(
        PERSONS.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="caseload-template.xlsx"'
    return response
