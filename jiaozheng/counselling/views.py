"""Counselling pages: referrals, individual cases with confidential notes, group formation, groups and
their sessions with attendance."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiaozheng.audit.services import access_log
from jiaozheng.core.access import ui_view
from jiaozheng.core.import_pages import import_page, import_template_response
from jiaozheng.core.params import id_param
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role, role_allows
from jiaozheng.core.scoping import get_scoped_or_404, scope_for, scoped
from jiaozheng.counselling import forms as cf
from jiaozheng.counselling import selectors, services
from jiaozheng.counselling.choices import CaseStatus, FormationStatus, GroupStatus, ReferralStatus
from jiaozheng.counselling.models import (
    CaseNote,
    CounsellingCase,
    CounsellingGroup,
    GroupFormation,
    GroupSession,
    Referral,
)
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person

PAGE_SIZE = 30
# Group pages are county-level: counsellors run the groups; bureau staff, squadron officers and the
# contractor's supervisor oversee them.
GROUP_ROLES = [
    Role.COUNSELLOR,
    Role.BUREAU_ADMIN,
    Role.BUREAU_OFFICER,
    Role.SQUADRON_OFFICER,
    Role.SUPERVISOR,
]


def _is_counsellor(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or role_allows(scope.role, Domain.COUNSELLING_NOTES, CHANGE)


def _can_refer(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or (
        scope.role != Role.SUBJECT and role_allows(scope.role, Domain.SERVICES, CHANGE)
    )


def _persons(user: Any):
    return (
        scoped(Person, user)
        .filter(status=Status.IN_CORRECTION)
        .select_related("squadron")
        .order_by("name", "id")
    )


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _messages(request: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- referrals ------------------------------------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def referral_list_view(request):
    status = request.GET.get("status", ReferralStatus.OPEN)
    qs = selectors.referral_list(actor=request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "counselling/referral_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ReferralStatus.choices,
            "is_counsellor": _is_counsellor(request.user),
            "can_refer": _can_refer(request.user),
            "decline_form": cf.DeclineForm(),
        },
    )


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE)
def referral_new(request):
    person_id = id_param(request.GET, "person")
    initial = {"person": person_id} if person_id is not None else {}
    form = cf.ReferralForm(request.POST or None, persons=_persons(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_open(
                actor=request.user,
                person=form.cleaned_data["person"],
                reason=form.cleaned_data["reason"],
                source="manual",
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The person has been referred; the counsellors have been told."))
            return redirect("counselling:referral_list")
    return render(
        request, "counselling/form.html", {"form": form, "title": _("Refer a person to counselling")}
    )


@require_POST
@ui_view(
    roles=[Role.COUNSELLOR],
    domain=Domain.COUNSELLING_NOTES,
    action=CHANGE,
    obj=("pk", "counselling.Referral"),
)
def referral_decline(request, pk: int):
    referral = get_scoped_or_404(Referral, request.user, pk=pk)
    form = cf.DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.referral_decline(actor=request.user, referral=referral, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _messages(request, exc)
        else:
            messages.success(request, _("The referral has been declined."))
    else:
        messages.error(request, _("Give the reason."))
    return redirect("counselling:referral_list")


# --- individual cases ------------------------------------------------------------------------------------------


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def case_list(request):
    status = request.GET.get("status", CaseStatus.OPEN)
    qs = selectors.case_list(
        actor=request.user,
        status=status if status in CaseStatus.values else "",
        q=request.GET.get("q", "").strip()[:50],
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "counselling/case_list.html",
        {
            "page": page,
            "status": status,
            "statuses": CaseStatus.choices,
            "q": request.GET.get("q", ""),
            "is_counsellor": _is_counsellor(request.user),
        },
    )


@ui_view(roles=[Role.COUNSELLOR], domain=Domain.COUNSELLING_NOTES, action=CHANGE)
def case_new(request):
    referral = None
    initial: dict[str, Any] = {}
    if id_param(request.GET, "referral") is not None:
        referral = get_scoped_or_404(Referral, request.user, pk=id_param(request.GET, "referral"))
        initial = {"person": referral.person_id, "presenting_problem": referral.reason}
    elif id_param(request.GET, "person") is not None:
        initial = {"person": id_param(request.GET, "person")}
    form = cf.CaseForm(request.POST or None, persons=_persons(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The case has been opened."))
            return redirect("counselling:case_detail", pk=case.pk)
    return render(
        request,
        "counselling/form.html",
        {"form": form, "title": _("Open an individual case"), "referral": referral},
    )


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES, obj=("pk", "counselling.CounsellingCase"))
def case_detail(request, pk: int):
    case = get_scoped_or_404(
        CounsellingCase.objects.select_related("person", "person__squadron", "counsellor", "referral"),
        request.user,
        pk=pk,
    )
    notes = None
    notes_count = CaseNote.objects.filter(case=case).count()
    if scope_for(request.user).unrestricted or role_allows(
        scope_for(request.user).role, Domain.COUNSELLING_NOTES
    ):
        notes = list(scoped(CaseNote, request.user).filter(case=case).select_related("author", "session"))
        if notes:
            access_log(
                "counselling", person=case.person, obj=case, detail=f"{len(notes)} confidential notes read"
            )
    counsellor = _is_counsellor(request.user)
    return render(
        request,
        "counselling/case_detail.html",
        {
            "case": case,
            "sessions": case.sessions.select_related("counsellor"),
            "notes": notes,
            "notes_count": notes_count,
            "is_counsellor": counsellor,
            "session_form": cf.SessionForm() if counsellor else None,
            "goals_form": cf.GoalsForm(initial={"goals": case.goals}) if counsellor else None,
            "close_form": cf.CloseForm() if counsellor else None,
        },
    )


CASE_ACTIONS = {
    "session": (
        cf.SessionForm,
        lambda a, c, d: services.case_session_add(actor=a, case=c, **d),
        _("The session has been recorded."),
    ),
    "goals": (
        cf.GoalsForm,
        lambda a, c, d: services.case_update_goals(actor=a, case=c, **d),
        _("The goals have been saved."),
    ),
    "close": (
        cf.CloseForm,
        lambda a, c, d: services.case_close(actor=a, case=c, **d),
        _("The case has been closed."),
    ),
}


@require_POST
@ui_view(
    roles=[Role.COUNSELLOR],
    domain=Domain.COUNSELLING_NOTES,
    action=CHANGE,
    obj=("pk", "counselling.CounsellingCase"),
    samples={"action": "session"},
)
def case_action(request, pk: int, action: str):
    case = get_scoped_or_404(CounsellingCase, request.user, pk=pk)
    if action not in CASE_ACTIONS:
        return render(request, "404.html", status=404)
    form_class, call, done = CASE_ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(request.user, case, form.cleaned_data)
        except ValidationError as exc:
            _messages(request, exc)
        else:
            messages.success(request, done)
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label}：{error}" if field in form.fields else error
                )
    return redirect("counselling:case_detail", pk=case.pk)


# --- groups ----------------------------------------------------------------------------------------------------


@ui_view(roles=GROUP_ROLES, domain=Domain.SERVICES)
def group_list(request):
    status = request.GET.get("status", GroupStatus.ACTIVE)
    groups = selectors.group_list(actor=request.user, status=status if status in GroupStatus.values else "")
    formations = (
        scoped(GroupFormation, request.user).filter(status=FormationStatus.DRAFT).order_by("-created_at")[:10]
        if _is_counsellor(request.user)
        else []
    )
    sessions = scoped(GroupSession, request.user).select_related("group").order_by("-held_on", "-id")[:15]
    return render(
        request,
        "counselling/group_list.html",
        {
            "groups": groups,
            "status": status,
            "statuses": GroupStatus.choices,
            "formations": formations,
            "sessions": sessions,
            "is_counsellor": _is_counsellor(request.user),
        },
    )


@ui_view(roles=[Role.COUNSELLOR], domain=Domain.PSYCH, action=CHANGE)
def formation_new(request):
    from jiaozheng.assessments.views import _county_of

    form = cf.FormationForm(request.POST or None, initial={"scale": "scl90", "months": 12})
    if request.method == "POST" and form.is_valid():
        county = _county_of(request.user, None)
        if county is None:
            form.add_error(None, _("You work in several counties; form groups per county."))
        else:
            try:
                formation = services.formation_propose(
                    actor=request.user,
                    county=county,
                    scale_code=form.cleaned_data["scale"],
                    months=form.cleaned_data["months"],
                    offence_stratum=form.cleaned_data["offence_stratum"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect("counselling:formation_detail", pk=formation.pk)
    return render(
        request,
        "counselling/form.html",
        {
            "form": form,
            "title": _("Propose counselling groups"),
            "intro": _(
                "The system proposes groups of similar people from the latest results; you can move people between groups before confirming."
            ),
        },
    )


def stratum_text(key: list[str]) -> str:
    """["adult", "male", "traffic+property"] -> 成年人 · 男 · 交通类、财产类 (in the reader's language)."""
    from jiaozheng.people.choices import Gender, OffenceGroup

    parts = [str(_("Juvenile")) if key[0] == "juvenile" else str(_("Adult"))]
    if len(key) > 1:
        parts.append(str(Gender(key[1]).label) if key[1] in Gender.values else key[1])
    if len(key) > 2:
        parts.append(
            "、".join(
                str(OffenceGroup(o).label) if o in OffenceGroup.values else o for o in key[2].split("+")
            )
        )
    return " · ".join(parts)


@ui_view(roles=[Role.COUNSELLOR], domain=Domain.PSYCH, obj=("pk", "counselling.GroupFormation"))
def formation_detail(request, pk: int):
    from jiaozheng.assessments.scales import ScaleError, get_scale

    formation = get_scoped_or_404(GroupFormation, request.user, pk=pk)
    proposal = formation.proposal
    access_log("psych", obj=formation, detail="group formation proposal (assessment levels)")
    people = proposal.get("candidates", {})
    try:
        scale = get_scale(formation.params.get("scale", "scl90"))
        metric = scale.metric_label(scale.primary_metric)
        factor_label = scale.subscale_label
    except ScaleError:
        metric, factor_label = "", (lambda n: n)
    groups = []
    all_groups = proposal.get("groups", [])
    for group in all_groups:
        members = [people[str(pid)] for pid in group["members"]]
        for m in members:
            m["factor_labels"] = "、".join(factor_label(f) for f in m.get("factors", []))
        targets = [
            g["number"]
            for g in all_groups
            if g["number"] != group["number"] and g["stratum"][:2] == group["stratum"][:2]
        ]
        groups.append(
            {
                **group,
                "people": members,
                "text": services.explain(group, proposal),
                "targets": targets,
                "stratum_text": stratum_text(group["stratum"]),
            }
        )
    waiting = []
    for entry in proposal.get("waitlist", []):
        person = people.get(str(entry["person_id"]), {})
        targets = [g["number"] for g in all_groups if g["stratum"][:2] == list(entry.get("stratum", []))[:2]]
        waiting.append({**entry, **person, "targets": targets})
    merges = [
        {
            **m,
            "from_text": stratum_text(m["from"]),
            "into_text": stratum_text(m["into"]) if m.get("into") else "",
        }
        for m in proposal.get("merges", [])
    ]
    return render(
        request,
        "counselling/formation_detail.html",
        {
            "formation": formation,
            "groups": groups,
            "waiting": waiting,
            "individual": proposal.get("individual", []),
            "merges": merges,
            "adjustments": proposal.get("adjustments", []),
            "metric": metric,
            "draft": formation.status == FormationStatus.DRAFT,
        },
    )


@require_POST
@ui_view(
    roles=[Role.COUNSELLOR],
    domain=Domain.PSYCH,
    action=CHANGE,
    obj=("pk", "counselling.GroupFormation"),
    samples={"action": "move"},
)
def formation_action(request, pk: int, action: str):
    formation = get_scoped_or_404(GroupFormation, request.user, pk=pk)
    try:
        if action == "move":
            person = request.POST.get("person", "")
            target = request.POST.get("target", "")
            if id_param(person) is None or not target:
                raise ValidationError(_("Choose the person and where to move them."))
            services.formation_move(
                actor=request.user, formation=formation, person_id=id_param(person), target=target
            )
            messages.success(request, _("Moved."))
        elif action == "confirm":
            groups = services.formation_confirm(actor=request.user, formation=formation)
            messages.success(request, _("%(n)s groups have been created.") % {"n": len(groups)})
            return redirect("counselling:group_list")
        elif action == "discard":
            services.formation_discard(actor=request.user, formation=formation)
            messages.success(request, _("The proposal has been discarded."))
            return redirect("counselling:group_list")
        else:
            return render(request, "404.html", status=404)
    except ValidationError as exc:
        _messages(request, exc)
    return redirect("counselling:formation_detail", pk=formation.pk)


@ui_view(roles=GROUP_ROLES, domain=Domain.SERVICES, obj=("pk", "counselling.CounsellingGroup"))
def group_detail(request, pk: int):
    group = get_scoped_or_404(
        CounsellingGroup.objects.select_related("county", "facilitator"), request.user, pk=pk
    )
    from jiaozheng.counselling.models import GroupMember

    # members are listed within the viewer's own scope (a squadron officer sees their own persons)
    members = list(
        scoped(GroupMember, request.user)
        .filter(group=group)
        .select_related("person", "person__squadron")
        .order_by("left_on", "person__name")
    )
    hidden = group.members.filter(left_on__isnull=True).count() - sum(1 for m in members if m.left_on is None)
    sessions = list(group.sessions.select_related("facilitator").prefetch_related("attendance"))
    for s in sessions:
        s.present_n = sum(1 for a in s.attendance.all() if a.present)
        s.present_ids = {a.person_id for a in s.attendance.all() if a.present}
    counsellor = _is_counsellor(request.user)
    return render(
        request,
        "counselling/group_detail.html",
        {
            "group": group,
            "members": members,
            "hidden_members": hidden,
            "active_members": [m for m in members if m.left_on is None],
            "sessions": sessions,
            "is_counsellor": counsellor,
            "session_form": cf.GroupSessionForm()
            if counsellor and group.status == GroupStatus.ACTIVE
            else None,
            "persons": _persons(request.user).filter(county=group.county) if counsellor else [],
        },
    )


@require_POST
@ui_view(
    roles=[Role.COUNSELLOR],
    domain=Domain.COUNSELLING_NOTES,
    action=CHANGE,
    obj=("pk", "counselling.CounsellingGroup"),
    samples={"action": "session"},
)
def group_action(request, pk: int, action: str):
    group = get_scoped_or_404(CounsellingGroup, request.user, pk=pk)
    try:
        if action == "session":
            form = cf.GroupSessionForm(request.POST)
            if not form.is_valid():
                raise ValidationError(
                    [
                        f"{form.fields[f].label}：{e}"
                        for f, errs in form.errors.items()
                        if f in form.fields
                        for e in errs
                    ]
                    or [_("Check the form.")]
                )
            services.group_session_record(
                actor=request.user,
                group=group,
                present_ids=request.POST.getlist("present"),
                **form.cleaned_data,
            )
            messages.success(request, _("The session has been recorded."))
        elif action == "add":
            person = get_scoped_or_404(Person, request.user, pk=request.POST.get("person") or 0)
            services.group_member_add(actor=request.user, group=group, person=person)
            messages.success(request, _("%(name)s has joined the group.") % {"name": person.name})
        elif action == "remove":
            services.group_member_remove(
                actor=request.user, group=group, person_id=int(request.POST.get("person") or 0)
            )
            messages.success(request, _("The member has left the group."))
        elif action == "close":
            services.group_close(actor=request.user, group=group)
            messages.success(request, _("The group has been closed."))
        else:
            return render(request, "404.html", status=404)
    except ValidationError as exc:
        _messages(request, exc)
    except ValueError:
        messages.error(request, _("Choose a person."))
    return redirect("counselling:group_detail", pk=group.pk)


@require_POST
@ui_view(
    roles=[Role.COUNSELLOR],
    domain=Domain.COUNSELLING_NOTES,
    action=CHANGE,
    obj=("pk", "counselling.GroupSession"),
)
def session_attendance(request, pk: int):
    session = get_scoped_or_404(GroupSession, request.user, pk=pk)
    try:
        services.group_session_attendance(
            actor=request.user,
            session=session,
            present_ids=request.POST.getlist("present"),
            summary=request.POST.get("summary", ""),
        )
        messages.success(request, _("The attendance has been recorded."))
    except ValidationError as exc:
        _messages(request, exc)
    except ValueError:
        messages.error(request, _("Tick who was present."))
    return redirect(f"{reverse('counselling:group_detail', args=[session.group_id])}#session-{session.pk}")


# --- import of past records (the shared import page) -------------------------------------------------------

IMPORT_ROLES = [Role.COUNSELLOR, Role.BUREAU_ADMIN]  # the kinds' own checks: docs/imports.md

KINDS = {"cases": "counselling_cases", "groups": "group_sessions"}


@ui_view(any_staff=True, roles=IMPORT_ROLES)
def import_view(request, what: str):
    if what not in KINDS:
        raise Http404
    return import_page(request, KINDS[what], template_url=reverse("counselling:import_template", args=[what]))


@ui_view(any_staff=True, roles=IMPORT_ROLES, samples={"what": "cases"})
def import_template(request, what: str):
    if what not in KINDS:
        raise Http404
    return import_template_response(KINDS[what])
