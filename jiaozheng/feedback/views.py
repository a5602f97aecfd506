"""Pages of participant feedback (the person's phone) and satisfaction (staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.core.access import ui_view
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role
from jiaozheng.core.scoping import scope_for
from jiaozheng.feedback import selectors as sel
from jiaozheng.feedback import services
from jiaozheng.feedback.forms import BuyerEvaluationForm, QuestionnaireForm
from jiaozheng.feedback.questionnaire import questionnaire_for
from jiaozheng.orgs.models import OrgUnit

BUREAU = sorted(services.BUREAU_ROLES)


def _messages_of(exc: ValidationError) -> list[str]:
    return list(exc.messages)


# --- the supervised person's phone ---------------------------------------------------------------------


@ui_view(any_user=True, roles=[Role.SUBJECT])
def mine(request):
    return render(
        request,
        "feedback/mine.html",
        {
            "pending": sel.pending_for_subject(actor=request.user),
            "done": list(sel.my_responses(actor=request.user)[:20]),
        },
    )


def _pending_by_token(request, token: str):
    for row in sel.pending_for_subject(actor=request.user):
        if row.token == token:
            return row
    return None


@ui_view(any_user=True, roles=[Role.SUBJECT])
def answer(request):
    """The questionnaire for one pending activity (``?a=kind:id``); anything else goes back to the list."""
    token = (request.POST.get("a") if request.method == "POST" else request.GET.get("a")) or ""
    row = _pending_by_token(request, token[:80])
    if row is None:
        if request.method == "POST" and token:
            # Tell the person why (already answered, window closed, not attended) without naming anything.
            kind, _sep, raw_id = token[:80].partition(":")
            try:
                services.feedback_submit(
                    actor=request.user,
                    kind=kind,
                    activity_id=int(raw_id) if raw_id.isdigit() and len(raw_id) < 19 else -1,
                    answers={},
                )
            except ValidationError as exc:
                for message in _messages_of(exc)[:1]:
                    messages.error(request, message)
        else:
            messages.info(request, _("This activity is not waiting for your feedback."))
        return redirect("feedback:mine")
    questionnaire = questionnaire_for(row.ref.county_id)
    errors: dict[str, Any] = {}
    chosen: dict[str, int] = {}
    comment = ""
    if request.method == "POST":
        for key, _text in questionnaire.items:
            raw = request.POST.get(key, "")
            if raw.isdigit() and len(raw) < 3:
                chosen[key] = int(raw)
        comment = request.POST.get("comment", "")[:2000]
        try:
            services.feedback_submit(
                actor=request.user, kind=row.ref.kind, activity_id=row.ref.id, answers=chosen, comment=comment
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, _("Thank you. Your feedback was received."))
            return redirect("feedback:mine")
    return render(
        request,
        "feedback/answer.html",
        {
            "row": row,
            "questionnaire": questionnaire,
            "errors": errors,
            "general_errors": errors.get("__all__", []),
            "chosen": chosen,
            "comment": comment,
            "items": [(key, text, errors.get(key)) for key, text in questionnaire.items],
        },
    )


# --- staff ---------------------------------------------------------------------------------------------


def _period(request) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    raw = (request.GET.get("month") or "")[:7]
    try:
        year, month = (int(p) for p in raw.split("-"))
        start = dt.date(year, month, 1)
    except (ValueError, TypeError):
        start = today.replace(day=1)
    if not dt.date(2000, 1, 1) <= start <= dt.date(2100, 12, 1):
        start = today.replace(day=1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end, start.strftime("%Y-%m")


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def stats(request):
    start, end, month = _period(request)
    kind = request.GET.get("kind") or ""
    kinds = [(s.kind, s.label) for s in sel.activity_sources().values()]
    if kind not in dict(kinds):
        kind = ""
    rows = sel.activity_stats(actor=request.user, start=start, end=end, kind=kind)
    return render(
        request,
        "feedback/stats.html",
        {"rows": rows, "totals": sel.totals(rows), "month": month, "kind": kind, "kinds": kinds},
    )


def _can_sign(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or scope.role in services.BUREAU_ROLES


def _counties(user: Any) -> list[OrgUnit]:
    scope = scope_for(user)
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY)
    if not scope.unrestricted:
        qs = qs.filter(pk__in=scope.county_ids)
    return list(qs.order_by("name"))


@ui_view(domain=Domain.PERFORMANCE)
def buyer_list(request):
    return render(
        request,
        "feedback/buyer_list.html",
        {"rows": sel.buyer_evaluations(actor=request.user)[:100], "can_sign": _can_sign(request.user)},
    )


@ui_view(domain=Domain.PERFORMANCE, action=CHANGE, roles=BUREAU)
def buyer_new(request):
    counties = _counties(request.user)
    providers = {}
    for county in counties:
        for provider in services.providers_of_county(county):
            providers[provider.pk] = provider
    form = BuyerEvaluationForm(request.POST or None)
    form.fields["county"].choices = [(c.pk, c.name) for c in counties]
    form.fields["provider"].choices = [(p.pk, str(p)) for p in providers.values()]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.buyer_evaluation_sign(
                actor=request.user,
                county_id=data["county"],
                provider_id=data["provider"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                score=data["score"],
                signer_title=data["signer_title"],
                comments=data["comments"],
            )
        except ValidationError as exc:
            for field, errs in (
                exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            ).items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, _("The evaluation was signed."))
            return redirect("feedback:buyer_list")
    return render(request, "feedback/buyer_form.html", {"form": form})


@ui_view(domain=Domain.PERFORMANCE, action=CHANGE, roles=BUREAU)
def questionnaire_edit(request):
    counties = _counties(request.user)
    county = counties[0] if counties else None
    if county is None:
        messages.error(request, _("Your account is not posted to a county."))
        return redirect("home")
    current = questionnaire_for(county.pk)
    initial = {"items": "\n".join(text for _k, text in current.items), "open_question": current.open_question}
    form = QuestionnaireForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_save(
                actor=request.user,
                county_id=county.pk,
                items=form.cleaned_data["items"].splitlines(),
                open_question=form.cleaned_data["open_question"],
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, _("The questionnaire was saved; new feedback uses it."))
            return redirect("feedback:questionnaire")
    return render(
        request, "feedback/questionnaire.html", {"form": form, "county": county, "scale": current.scale}
    )
