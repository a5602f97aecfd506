"""Supervision pages: 调查评估 commissions (list with late ones marked, register, assign, opinion)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiaozheng.core.access import ui_view
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, role_allows
from jiaozheng.core.scoping import get_scoped_or_404, scope_for
from jiaozheng.supervision import forms as sf
from jiaozheng.supervision import selectors, services
from jiaozheng.supervision.choices import InvestigationStatus
from jiaozheng.supervision.models import Investigation

PAGE_SIZE = 30
# Bureau staff decide; social workers and the contractor's supervisor follow (view only).
VIEW_ROLES = STAFF_ROLES


def _decides(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or role_allows(scope.role, Domain.CASELOAD, CHANGE)


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD)
def investigation_list(request):
    status = request.GET.get("status", "")
    late = request.GET.get("late") == "1"
    qs = selectors.investigation_list(actor=request.user, status=status, late=late)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/investigation_list.html",
        {
            "page": page,
            "status": status,
            "late": late,
            "statuses": InvestigationStatus.choices,
            "today": timezone.localdate(),
            "can_decide": _decides(request.user),
        },
    )


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, action=CHANGE)
def investigation_new(request):
    form = sf.InvestigationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inv = services.investigation_register(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("Commission registered; the opinion is due on %(d)s.") % {"d": inv.due_on}
            )
            return redirect("supervision:investigation_detail", pk=inv.pk)
    return render(
        request, "supervision/form.html", {"form": form, "title": _("Register an investigation commission")}
    )


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, obj=("pk", "supervision.Investigation"))
def investigation_detail(request, pk: int):
    inv = get_scoped_or_404(Investigation.objects.select_related("county", "assignee"), request.user, pk=pk)
    from jiaozheng.orgs.models import User

    staff = []
    if _decides(request.user) and inv.status != InvestigationStatus.ANSWERED:
        staff = [
            u
            for u in User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("username")[:500]
            if inv.county_id in scope_for(u).all_county_ids
        ]
    return render(
        request,
        "supervision/investigation_detail.html",
        {
            "inv": inv,
            "late": inv.is_late(),
            "can_decide": _decides(request.user),
            "staff": staff,
            "answer_form": sf.AnswerForm(),
        },
    )


@require_POST
@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("pk", "supervision.Investigation"))
def investigation_action(request, pk: int, action: str):
    inv = get_scoped_or_404(Investigation, request.user, pk=pk)
    try:
        if action == "assign":
            services.investigation_assign(
                actor=request.user, investigation=inv, assignee=request.POST.get("assignee")
            )
            messages.success(request, _("Investigator assigned."))
        elif action == "answer":
            form = sf.AnswerForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect("supervision:investigation_detail", pk=inv.pk)
            services.investigation_answer(actor=request.user, investigation=inv, **form.cleaned_data)
            messages.success(request, _("Opinion sent; a copy went to the procuratorate."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(reverse("supervision:investigation_detail", kwargs={"pk": inv.pk}))


# --- 外出 ----------------------------------------------------------------------------------------------


def _persons(user: Any):
    from jiaozheng.core.scoping import scoped
    from jiaozheng.people.choices import Status
    from jiaozheng.people.models import Person

    return scoped(Person, user).filter(status=Status.IN_CORRECTION).order_by("name", "id")


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD)
def travel_list(request):
    from jiaozheng.supervision.choices import TravelStatus

    status = request.GET.get("status", "")
    qs = selectors.travel_list(actor=request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/travel_list.html",
        {
            "page": page,
            "status": status,
            "statuses": TravelStatus.choices,
            "can_decide": _decides(request.user),
        },
    )


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, action=CHANGE)
def travel_new(request):
    form = sf.TravelForm(request.POST or None, persons=_persons(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            req = services.travel_request(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Travel request recorded; approved by: %(level)s.") % {"level": req.get_level_display()},
            )
            return redirect("supervision:travel_detail", pk=req.pk)
    return render(request, "supervision/form.html", {"form": form, "title": _("Request to travel")})


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, obj=("pk", "supervision.TravelRequest"))
def travel_detail(request, pk: int):
    from jiaozheng.supervision.models import TravelRequest

    req = get_scoped_or_404(TravelRequest.objects.select_related("person", "decided_by"), request.user, pk=pk)
    return render(
        request,
        "supervision/travel_detail.html",
        {"req": req, "can_decide": _decides(request.user), "today": timezone.localdate()},
    )


@require_POST
@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("pk", "supervision.TravelRequest"))
def travel_action(request, pk: int, action: str):
    import datetime as dt

    from jiaozheng.supervision.models import TravelRequest

    req = get_scoped_or_404(TravelRequest, request.user, pk=pk)
    note = request.POST.get("note", "")
    try:
        if action in ("approve", "refuse"):
            services.travel_decide(actor=request.user, travel=req, approve=action == "approve", note=note)
            messages.success(request, _("Decision recorded."))
        elif action == "return":
            try:
                day = dt.date.fromisoformat(request.POST.get("returned_on", ""))
            except ValueError:
                day = None
            services.travel_return(actor=request.user, travel=req, returned_on=day, note=note)
            messages.success(request, _("Return recorded."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(reverse("supervision:travel_detail", kwargs={"pk": req.pk}))


# --- 解矫 ----------------------------------------------------------------------------------------------


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD)
def release_due(request):
    qs = selectors.release_due_list(actor=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/release_due.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "can_decide": _decides(request.user),
            "released": selectors.release_list(actor=request.user)[:20],
        },
    )


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("pk", "people.Person"))
def release_new(request, pk: int):
    from jiaozheng.people.models import Person

    person = get_scoped_or_404(Person, request.user, pk=pk)
    form = sf.ReleaseForm(request.POST or None, initial={"released_on": person.term_end})
    if request.method == "POST" and form.is_valid():
        try:
            rel = services.release_issue(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("Released; the certificate %(n)s is issued.") % {"n": rel.number_text}
            )
            return redirect("supervision:release_detail", pk=rel.pk)
    return render(
        request,
        "supervision/form.html",
        {"form": form, "title": _("Release from community correction: %(name)s") % {"name": person.name}},
    )


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, obj=("pk", "supervision.Release"))
def release_detail(request, pk: int):
    from jiaozheng.supervision.models import Release

    rel = get_scoped_or_404(Release.objects.select_related("person", "county"), request.user, pk=pk)
    return render(request, "supervision/release_detail.html", {"rel": rel})


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, obj=("pk", "supervision.Release"), samples={"fmt": "pdf"})
def release_certificate(request, pk: int, fmt: str):
    from urllib.parse import quote

    from django.http import Http404, HttpResponse

    from jiaozheng.supervision import documents
    from jiaozheng.supervision.models import Release

    rel = get_scoped_or_404(Release.objects.select_related("person", "county"), request.user, pk=pk)
    if fmt == "docx":
        body = documents.certificate_docx(rel)
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif fmt == "pdf":
        body = documents.certificate_pdf(rel)
        ctype = "application/pdf"
    else:
        raise Http404
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(documents.certificate_filename(rel, fmt))}"
    )
    return response


# --- 未按时报到 ----------------------------------------------------------------------------------------


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD)
def followup_list(request):
    open_only = request.GET.get("all") != "1"
    qs = selectors.followup_list(actor=request.user, open_only=open_only)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/followup_list.html",
        {"page": page, "open_only": open_only, "can_decide": _decides(request.user)},
    )


@require_POST
@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("pk", "supervision.ReportFollowUp"))
def followup_close(request, pk: int):
    from jiaozheng.supervision.models import ReportFollowUp

    task = get_scoped_or_404(ReportFollowUp, request.user, pk=pk)
    try:
        services.report_followup_close(actor=request.user, followup=task, note=request.POST.get("note", ""))
        messages.success(request, _("Follow-up closed."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("supervision:followup_list")


# --- 考核奖惩 ---------------------------------------------------------------------------------------------

from jiaozheng.supervision.sanctions import DECIDING_ROLES, may_decide  # noqa: E402


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD)
def sanction_list(request):
    open_only = request.GET.get("open") == "1"
    qs = selectors.sanction_list(actor=request.user, open_only=open_only)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/sanction_list.html",
        {
            "page": page,
            "open_only": open_only,
            "today": timezone.localdate(),
            "can_propose": _decides(request.user),
        },
    )


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, action=CHANGE)
def sanction_new(request):
    initial = {"person": request.GET.get("person")} if request.GET.get("person", "").isdigit() else None
    form = sf.SanctionForm(request.POST or None, initial=initial, persons=_persons(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            case = services.sanction_propose(actor=request.user, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Findings recorded; the county agency decides."))
            return redirect("supervision:sanction_detail", pk=case.pk)
    return render(request, "supervision/form.html", {"form": form, "title": _("Assessment findings")})


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, obj=("pk", "supervision.SanctionCase"))
def sanction_detail(request, pk: int):
    from jiaozheng.people.services import escalation_status
    from jiaozheng.supervision.choices import PROPOSAL_KINDS, Ruling
    from jiaozheng.supervision.models import SanctionCase

    case = get_scoped_or_404(
        SanctionCase.objects.select_related("person", "proposed_by", "decided_by"), request.user, pk=pk
    )
    return render(
        request,
        "supervision/sanction_detail.html",
        {
            "case": case,
            "is_proposal": case.kind in PROPOSAL_KINDS,
            "can_decide": may_decide(request.user),
            "escalation": escalation_status(case.person),
            "rulings": Ruling.choices,
            "today": timezone.localdate(),
        },
    )


@require_POST
@ui_view(
    roles=DECIDING_ROLES,
    domain=Domain.CASELOAD,
    action=CHANGE,
    obj=("pk", "supervision.SanctionCase"),
    samples={"action": "take"},
)
def sanction_action(request, pk: int, action: str):
    from jiaozheng.supervision.models import SanctionCase

    case = get_scoped_or_404(SanctionCase, request.user, pk=pk)
    note = request.POST.get("note", "")

    try:
        if action in ("take", "refuse"):
            services.sanction_decide(
                actor=request.user,
                case=case,
                take=action == "take",
                note=note,
                decided_on=_post_date(request, "decided_on"),
                authority=request.POST.get("authority", ""),
            )
            messages.success(request, _("Decision recorded."))
        elif action == "ruling":
            services.sanction_ruling(
                actor=request.user,
                case=case,
                ruling=request.POST.get("ruling", ""),
                ruled_on=_post_date(request, "ruled_on"),
                note=note,
            )
            messages.success(request, _("Ruling recorded."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(reverse("supervision:sanction_detail", kwargs={"pk": case.pk}))


# --- 会客 / 进入特定场所, 迁居, re-examinations ----------------------------------------------------------------


def _post_date(request, name: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(request.POST.get(name, ""))
    except ValueError:
        return None


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD)
def approval_list(request):
    open_only = request.GET.get("open") == "1"
    return render(
        request,
        "supervision/approval_list.html",
        {
            "permits": selectors.permit_list(actor=request.user, open_only=open_only)[:100],
            "relocations": selectors.relocation_list(actor=request.user, open_only=open_only)[:100],
            "open_only": open_only,
            "today": timezone.localdate(),
            "can_propose": _decides(request.user),
        },
    )


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, action=CHANGE)
def permit_new(request):
    form = sf.PermitForm(request.POST or None, persons=_persons(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            req = services.permit_request(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Request recorded; the county agency decides."))
            return redirect("supervision:permit_detail", pk=req.pk)
    return render(request, "supervision/form.html", {"form": form, "title": _("Visitor or place request")})


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, obj=("pk", "supervision.PermitRequest"))
def permit_detail(request, pk: int):
    from jiaozheng.supervision.models import PermitRequest

    req = get_scoped_or_404(PermitRequest.objects.select_related("person", "decided_by"), request.user, pk=pk)
    return render(
        request, "supervision/permit_detail.html", {"req": req, "can_decide": may_decide(request.user)}
    )


@require_POST
@ui_view(
    roles=DECIDING_ROLES,
    domain=Domain.CASELOAD,
    action=CHANGE,
    obj=("pk", "supervision.PermitRequest"),
    samples={"action": "approve"},
)
def permit_action(request, pk: int, action: str):
    from jiaozheng.supervision.models import PermitRequest

    req = get_scoped_or_404(PermitRequest, request.user, pk=pk)
    try:
        if action not in ("approve", "refuse"):
            raise ValidationError(_("Unknown action."))
        services.permit_decide(
            actor=request.user, permit=req, approve=action == "approve", note=request.POST.get("note", "")
        )
        messages.success(request, _("Decision recorded."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("supervision:permit_detail", pk=req.pk)


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, action=CHANGE)
def relocation_new(request):
    form = sf.RelocationForm(request.POST or None, persons=_persons(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            rel = services.relocation_request(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Application recorded; consult the receiving county."))
            return redirect("supervision:relocation_detail", pk=rel.pk)
    return render(request, "supervision/form.html", {"form": form, "title": _("Change of residence")})


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, obj=("pk", "supervision.Relocation"))
def relocation_detail(request, pk: int):
    from jiaozheng.supervision.models import Relocation

    rel = get_scoped_or_404(Relocation.objects.select_related("person", "decided_by"), request.user, pk=pk)
    return render(
        request,
        "supervision/relocation_detail.html",
        {
            "rel": rel,
            "can_act": _decides(request.user),
            "can_decide": may_decide(request.user),
            "today": timezone.localdate(),
        },
    )


@require_POST
@ui_view(
    roles=VIEW_ROLES,
    domain=Domain.CASELOAD,
    action=CHANGE,
    obj=("pk", "supervision.Relocation"),
    samples={"action": "consult"},
)
def relocation_action(request, pk: int, action: str):
    from jiaozheng.supervision.models import Relocation

    rel = get_scoped_or_404(Relocation, request.user, pk=pk)
    note = request.POST.get("note", "")
    try:
        if action == "consult":
            services.relocation_consult(
                actor=request.user, relocation=rel, consulted_on=_post_date(request, "on")
            )
        elif action in ("agree", "disagree"):
            services.relocation_reply(
                actor=request.user,
                relocation=rel,
                agrees=action == "agree",
                replied_on=_post_date(request, "on"),
            )
        elif action in ("approve", "refuse"):
            services.relocation_decide(
                actor=request.user, relocation=rel, approve=action == "approve", note=note
            )
        elif action == "files":
            services.relocation_files_sent(
                actor=request.user, relocation=rel, sent_on=_post_date(request, "on")
            )
        elif action == "arrived":
            services.relocation_arrived(
                actor=request.user, relocation=rel, arrived_on=_post_date(request, "on")
            )
        else:
            raise ValidationError(_("Unknown action."))
        messages.success(request, _("Step recorded."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("supervision:relocation_detail", pk=rel.pk)


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD)
def reexam_due(request):
    rows = selectors.reexam_due_list(actor=request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/reexam_due.html",
        {"page": page, "today": timezone.localdate(), "can_record": _decides(request.user)},
    )


@ui_view(roles=VIEW_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("pk", "people.Person"))
def reexam_new(request, pk: int):
    from jiaozheng.people.models import Person

    person = get_scoped_or_404(Person, request.user, pk=pk)
    form = sf.ReexamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reexam_record(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Re-examination recorded."))
            return redirect("supervision:reexam_due")
    return render(
        request,
        "supervision/form.html",
        {"form": form, "title": _("Medical re-examination: %(name)s") % {"name": person.name}},
    )
