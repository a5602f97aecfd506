"""Pages of the monthly hand-over (provider submits, bureau acknowledges or returns) and of the evidence pack
(generated as a background job, downloaded by the bureau and the auditors)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiaozheng.contracts.access import CONTRACT_ROLES
from jiaozheng.contracts.selectors import contract_get, contract_list
from jiaozheng.core.access import ui_view
from jiaozheng.core.jobs import job_start
from jiaozheng.core.params import int_param
from jiaozheng.core.roles import CHANGE, Domain
from jiaozheng.core.scoping import get_scoped_or_404, scope_for
from jiaozheng.evidence import services
from jiaozheng.evidence.forms import ReviewForm, SubmitForm
from jiaozheng.evidence.models import EvidencePack, MonthlySubmission
from jiaozheng.evidence.pack import evidence_domains
from jiaozheng.evidence.selectors import months_of, packs, submissions

POLICY: dict[str, Any] = {"roles": CONTRACT_ROLES, "domain": Domain.PERFORMANCE}


def _role(request: Any) -> str | None:
    return scope_for(request.user).role


def _flash(request: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@ui_view(**POLICY)
def index(request):
    return render(request, "evidence/index.html", {"contracts": list(contract_list(actor=request.user)[:50])})


@ui_view(**POLICY, obj=("pk", "contracts.Contract"))
def contract_view(request, pk: int):
    contract = contract_get(actor=request.user, pk=pk)
    rows = list(submissions(actor=request.user, contract=contract))
    latest: dict[Any, MonthlySubmission] = {}
    for row in rows:
        latest.setdefault(row.month, row)
    months = [
        {"month": m, "latest": latest.get(m), "versions": [r for r in rows if r.month == m]}
        for m in months_of(contract, timezone.localdate())
    ]
    role = _role(request)
    unrestricted = scope_for(request.user).unrestricted
    can_pack = unrestricted or role in services.PACK_ROLES
    mine = set(evidence_domains(request.user))
    return render(
        request,
        "evidence/contract.html",
        {
            "contract": contract,
            "months": months,
            "can_submit": role in services.PROVIDER_ROLES,
            "can_review": unrestricted or role in services.BUREAU_ROLES,
            "can_pack": can_pack,
            "submit_form": SubmitForm(),
            "review_form": ReviewForm(),
            "years": contract.years(),
            "packs": [p for p in packs(actor=request.user, contract=contract) if set(p.domains) <= mine]
            if can_pack
            else [],
        },
    )


@require_POST
@ui_view(**POLICY, action=CHANGE, obj=("pk", "contracts.Contract"))
def submit(request, pk: int):
    contract = contract_get(actor=request.user, pk=pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("evidence:contract", pk=contract.pk)
    try:
        row = services.submission_submit(actor=request.user, contract=contract, **form.cleaned_data)
    except ValidationError as exc:
        _flash(request, exc)
    except PermissionDenied:
        messages.error(request, _("Only the provider's staff hand over a month."))
    else:
        messages.success(
            request,
            _("%(month)s has been handed over to the bureau (version %(v)s).")
            % {"month": f"{row.month:%Y-%m}", "v": row.version},
        )
    return redirect("evidence:contract", pk=contract.pk)


@require_POST
@ui_view(**POLICY, action=CHANGE, obj=("pk", "evidence.MonthlySubmission"), samples={"action": "acknowledge"})
def review(request, pk: int, action: str):
    row = get_scoped_or_404(MonthlySubmission, request.user, pk=pk)
    if action not in ("acknowledge", "return"):
        raise Http404
    form = ReviewForm(request.POST)
    remarks = form.cleaned_data["remarks"] if form.is_valid() else ""
    try:
        if action == "acknowledge":
            services.submission_acknowledge(actor=request.user, submission=row, remarks=remarks)
            messages.success(request, _("The month has been acknowledged; it is now read-only."))
        else:
            services.submission_return(actor=request.user, submission=row, remarks=remarks)
            messages.success(request, _("The month has been returned to the provider."))
    except ValidationError as exc:
        _flash(request, exc)
    except PermissionDenied:
        messages.error(request, _("Only the bureau acknowledges or returns a month."))
    return redirect("evidence:contract", pk=row.contract_id)


@require_POST
@ui_view(roles=services.PACK_ROLES, domain=Domain.PERFORMANCE, obj=("pk", "contracts.Contract"))
def pack_start(request, pk: int):
    contract = contract_get(actor=request.user, pk=pk)
    year = int_param(request.POST, "year")
    try:
        year = services.pack_check(actor=request.user, contract=contract, year=year)
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("evidence:contract", pk=contract.pk)
    except PermissionDenied:
        messages.error(request, _("Evidence packs are made for the bureau and the auditors."))
        return redirect("evidence:contract", pk=contract.pk)
    job = job_start(
        actor=request.user,
        kind="evidence.pack",
        title=_("Evidence pack %(code)s %(year)s") % {"code": contract.code, "year": year},
        params={"contract": contract.pk, "year": year},
    )
    return redirect("job_detail", pk=job.pk)


@ui_view(roles=services.PACK_ROLES, domain=Domain.PERFORMANCE, obj=("pk", "evidence.EvidencePack"))
def pack_download(request, pk: int):
    pack = get_scoped_or_404(EvidencePack, request.user, pk=pk)
    role = _role(request)
    if not (scope_for(request.user).unrestricted or role in services.PACK_ROLES):
        raise PermissionDenied("evidence packs are for the bureau and the auditors")
    if not set(pack.domains) <= set(evidence_domains(request.user)) or not pack.file:
        raise Http404  # a pack holding records this role may not see is not revealed
    services.pack_opened(actor=request.user, pack=pack)
    return FileResponse(pack.file.open("rb"), as_attachment=True, filename=pack.file.name.rsplit("/", 1)[-1])
