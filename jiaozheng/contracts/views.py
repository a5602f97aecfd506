"""Contract pages: list, overview, funds (lines, payments, checks), expenditures with vouchers,
adjustments with their approval, and the funds import. Finance auditors read everything, change nothing."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiaozheng.contracts import selectors, services
from jiaozheng.contracts.access import CONTRACT_ROLES
from jiaozheng.contracts.forms import (
    AdjustmentForm,
    ContractEditForm,
    ContractForm,
    DecisionForm,
    ExpenditureForm,
    FundLineForm,
    ImportForm,
    PaymentForm,
    VoucherArchiveForm,
    VoucherForm,
)
from jiaozheng.contracts.imports import EXPENDITURES, PAYMENTS
from jiaozheng.contracts.models import Adjustment, Contract, Expenditure, FundLine, Payment, Voucher
from jiaozheng.core.access import ui_view
from jiaozheng.core.jobs import job_start
from jiaozheng.core.registry import provider
from jiaozheng.core.roles import CHANGE, VIEW, Domain, Role, role_allows
from jiaozheng.core.scoping import get_scoped_or_404, scope_for, scoped
from jiaozheng.orgs.models import OrgUnit

PAGE_SIZE = 30


def can(user: Any, domain: str, action: str = VIEW) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or role_allows(scope.role, domain, action)


def _errors(request: Any, form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                if form is not None and field in form.fields:
                    form.add_error(field, error)
                else:
                    messages.error(request, error)
    else:
        for error in exc.messages:
            if form is not None:
                form.add_error(None, error)
            else:
                messages.error(request, error)


def _funds_context(request: Any, contract: Contract, tab: str) -> dict[str, Any]:
    return {
        "contract": contract,
        "tab": tab,
        "can_finance": can(request.user, Domain.FINANCE),
        "can_change": can(request.user, Domain.FINANCE, CHANGE)
        and contract_in_change_scope(request.user, contract),
        "can_decide": _can_decide(request.user),
    }


def contract_in_change_scope(user: Any, contract: Contract) -> bool:
    return scoped(Contract, user, CHANGE).filter(pk=contract.pk).exists()


def _can_decide(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or scope.role == Role.BUREAU_ADMIN


# --- list and overview ----------------------------------------------------------------------------------


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE)
def contract_list(request):
    q = (request.GET.get("q") or "").strip()[:50]
    qs = selectors.contract_list(actor=request.user, q=q).prefetch_related("counties")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    show_funds = can(request.user, Domain.FINANCE)
    rows = []
    for contract in page:
        row: dict[str, Any] = {"contract": contract}
        if show_funds:
            summary = selectors.funds_summary(contract)
            row["funds"] = summary
        rows.append(row)
    return render(
        request,
        "contracts/contract_list.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "show_funds": show_funds,
            "can_create": _can_decide(request.user) and can(request.user, Domain.FINANCE, CHANGE),
        },
    )


@ui_view(roles=[Role.BUREAU_ADMIN], domain=Domain.FINANCE, action=CHANGE)
def contract_create(request):
    counties = scoped(OrgUnit, request.user).filter(kind=OrgUnit.Kind.COUNTY)
    scope = scope_for(request.user)
    if not scope.unrestricted:
        counties = counties.filter(pk__in=scope.county_ids)
    form = ContractForm(request.POST or None, counties=counties)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            contract = services.contract_create(actor=request.user, data=data, counties=[data["buyer"]])
        except ValidationError as exc:
            _errors(request, form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The contract has been registered."))
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form, "title": _("Register a contract")})


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, obj=("pk", "contracts.Contract"))
def contract_detail(request, pk: int):
    contract = selectors.contract_get(actor=request.user, pk=pk)
    # the evaluation is the indicators app's (a higher layer): reached through core's providers
    year = provider("indicators.default_year")(contract)
    evaluation = provider("indicators.evaluate")(contract, year)
    progress = provider("indicators.contract_progress")(evaluation, with_squadrons=False)
    context = _funds_context(request, contract, "overview")
    context.update(
        {
            "year": year,
            "evaluation": evaluation,
            "warnings": [p for p in progress if p.level in ("warning", "danger")],
            "funds": evaluation.funds if context["can_finance"] else None,
            "adjustments": selectors.adjustment_list(actor=request.user, contract=contract)[:5]
            if context["can_finance"]
            else [],
            "counties": contract.counties.all(),
        }
    )
    return render(request, "contracts/contract_detail.html", context)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Contract"))
def contract_edit(request, pk: int):
    contract = selectors.contract_get(actor=request.user, pk=pk, action=CHANGE, domain=Domain.FINANCE)
    initial = {
        f: getattr(contract, f) for f in ("name", "budget_amount", "signed_on", "procurement", "notes")
    }
    form = ContractEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(actor=request.user, contract=contract, data=form.cleaned_data)
        except ValidationError as exc:
            _errors(request, form, exc)
        else:
            messages.success(request, _("The contract has been saved."))
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render(
        request,
        "contracts/contract_form.html",
        {"form": form, "contract": contract, "title": _("Edit contract")},
    )


# --- funds ---------------------------------------------------------------------------------------------


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, obj=("pk", "contracts.Contract"))
def funds(request, pk: int):
    contract = selectors.contract_get(actor=request.user, pk=pk, domain=Domain.FINANCE)
    context = _funds_context(request, contract, "funds")
    context.update(
        {
            "summary": selectors.funds_summary(contract),
            "payments": selectors.payment_list(actor=request.user, contract=contract),
            "line_form": FundLineForm(),
            "payment_form": PaymentForm(initial={"payer": contract.buyer.bureau_name}),
        }
    )
    return render(request, "contracts/funds.html", context)


@require_POST
@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Contract"))
def line_add(request, pk: int):
    contract = selectors.contract_get(actor=request.user, pk=pk, action=CHANGE, domain=Domain.FINANCE)
    form = FundLineForm(request.POST)
    if form.is_valid():
        try:
            services.fund_line_save(actor=request.user, contract=contract, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, None, exc)
        else:
            messages.success(request, _("The budget line has been saved."))
    else:
        _form_messages(request, form)
    return redirect("contracts:funds", pk=contract.pk)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.FundLine"))
def line_edit(request, pk: int):
    line = get_scoped_or_404(FundLine.objects.select_related("contract"), request.user, CHANGE, pk=pk)
    form = FundLineForm(
        request.POST or None,
        initial={"category": line.category, "name": line.name, "amount": line.amount, "note": line.note},
    )
    if request.method == "POST":
        if "delete" in request.POST:
            try:
                services.fund_line_delete(actor=request.user, line=line)
            except ValidationError as exc:
                _errors(request, None, exc)
            else:
                messages.success(request, _("The budget line has been deleted."))
                return redirect("contracts:funds", pk=line.contract_id)
        elif form.is_valid():
            try:
                services.fund_line_save(
                    actor=request.user, contract=line.contract, line=line, **form.cleaned_data
                )
            except ValidationError as exc:
                _errors(request, form, exc)
            else:
                messages.success(request, _("The budget line has been saved."))
                return redirect("contracts:funds", pk=line.contract_id)
    return render(
        request,
        "contracts/simple_form.html",
        {"form": form, "contract": line.contract, "title": _("Edit budget line"), "deletable": True},
    )


@require_POST
@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Contract"))
def payment_add(request, pk: int):
    contract = selectors.contract_get(actor=request.user, pk=pk, action=CHANGE, domain=Domain.FINANCE)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.payment_record(actor=request.user, contract=contract, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, None, exc)
        else:
            messages.success(request, _("The payment has been recorded."))
    else:
        _form_messages(request, form)
    return redirect(reverse("contracts:funds", args=[contract.pk]) + "#payments")


@require_POST
@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Payment"))
def payment_delete(request, pk: int):
    payment = get_scoped_or_404(Payment.objects.select_related("contract"), request.user, CHANGE, pk=pk)
    services.payment_delete(actor=request.user, payment=payment)
    messages.success(request, _("The payment has been deleted."))
    return redirect(reverse("contracts:funds", args=[payment.contract_id]) + "#payments")


def _form_messages(request: Any, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


# --- expenditures and vouchers -----------------------------------------------------------------------------


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, obj=("pk", "contracts.Contract"))
def expenditure_list(request, pk: int):
    contract = selectors.contract_get(actor=request.user, pk=pk, domain=Domain.FINANCE)
    filters = {k: (request.GET.get(k) or "")[:20] for k in ("line", "voucher", "period", "month")}
    qs = selectors.expenditure_list(actor=request.user, contract=contract, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    from django.db.models import Sum

    context = _funds_context(request, contract, "expenditures")
    context.update(
        {
            "page": page,
            "filters": filters,
            "lines": FundLine.objects.filter(contract=contract).order_by("sort_order", "id"),
            "total": qs.aggregate(total=Sum("amount"))["total"],
        }
    )
    return render(request, "contracts/expenditure_list.html", context)


def _voucher_uploads(files: list[Any]) -> list[services.VoucherFile]:
    out = []
    for upload in files:
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise ValidationError({"vouchers": _("The file %(name)s is too large.") % {"name": upload.name}})
        out.append(services.VoucherFile(upload.name, upload.read()))
    return out


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Contract"))
def expenditure_create(request, pk: int):
    contract = selectors.contract_get(actor=request.user, pk=pk, action=CHANGE, domain=Domain.FINANCE)
    form = ExpenditureForm(request.POST or None, request.FILES or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = data.pop("vouchers", [])
        try:
            expenditure = services.expenditure_record(
                actor=request.user, contract=contract, vouchers=_voucher_uploads(files), **data
            )
        except ValidationError as exc:
            _errors(request, form, exc)
        else:
            messages.success(request, _("The expenditure has been recorded."))
            return redirect("contracts:expenditure_detail", pk=expenditure.pk)
    return render(
        request,
        "contracts/simple_form.html",
        {"form": form, "contract": contract, "title": _("Record an expenditure"), "multipart": True},
    )


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, obj=("pk", "contracts.Expenditure"))
def expenditure_detail(request, pk: int):
    expenditure = get_scoped_or_404(
        Expenditure.objects.select_related("contract", "line", "recorded_by"), request.user, pk=pk
    )
    contract = expenditure.contract
    context = _funds_context(request, contract, "expenditures")
    edit_form = None
    if context["can_change"]:
        edit_form = ExpenditureForm(
            request.POST or None,
            contract=contract,
            editing=True,
            initial={
                "spent_on": expenditure.spent_on,
                "amount": expenditure.amount,
                "line": expenditure.line_id,
                "description": expenditure.description,
                "payee": expenditure.payee,
                "voucher_no": expenditure.voucher_no,
            },
        )
        if request.method == "POST" and edit_form.is_valid():
            try:
                services.expenditure_update(
                    actor=request.user, expenditure=expenditure, **edit_form.cleaned_data
                )
            except ValidationError as exc:
                _errors(request, edit_form, exc)
            else:
                messages.success(request, _("The expenditure has been saved."))
                return redirect("contracts:expenditure_detail", pk=expenditure.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context.update(
        {
            "expenditure": expenditure,
            "vouchers": expenditure.vouchers.select_related("uploaded_by"),
            "edit_form": edit_form,
            "voucher_form": VoucherForm(),
        }
    )
    return render(request, "contracts/expenditure_detail.html", context)


@require_POST
@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Expenditure"))
def expenditure_delete(request, pk: int):
    expenditure = get_scoped_or_404(
        Expenditure.objects.select_related("contract"), request.user, CHANGE, pk=pk
    )
    services.expenditure_delete(actor=request.user, expenditure=expenditure)
    messages.success(request, _("The expenditure has been deleted."))
    return redirect("contracts:expenditure_list", pk=expenditure.contract_id)


@require_POST
@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Expenditure"))
def voucher_upload(request, pk: int):
    expenditure = get_scoped_or_404(
        Expenditure.objects.select_related("contract"), request.user, CHANGE, pk=pk
    )
    form = VoucherForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            for upload in _voucher_uploads(form.cleaned_data["vouchers"]):
                services.voucher_attach(actor=request.user, expenditure=expenditure, upload=upload)
        except ValidationError as exc:
            _errors(request, None, exc)
        else:
            messages.success(request, _("The vouchers have been attached."))
    else:
        _form_messages(request, form)
    return redirect("contracts:expenditure_detail", pk=expenditure.pk)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, obj=("pk", "contracts.Voucher"))
def voucher_download(request, pk: int):
    voucher = get_scoped_or_404(Voucher, request.user, pk=pk)
    if not voucher.file:
        return render(request, "404.html", status=404)
    return FileResponse(
        voucher.file.open("rb"),
        content_type=voucher.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=voucher.original_name,
    )


@require_POST
@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Voucher"))
def voucher_delete(request, pk: int):
    voucher = get_scoped_or_404(
        Voucher.objects.select_related("expenditure__contract"), request.user, CHANGE, pk=pk
    )
    services.voucher_delete(actor=request.user, voucher=voucher)
    messages.success(request, _("The voucher has been removed."))
    return redirect("contracts:expenditure_detail", pk=voucher.expenditure_id)


# --- adjustments ------------------------------------------------------------------------------------------


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, obj=("pk", "contracts.Contract"))
def adjustment_list(request, pk: int):
    contract = selectors.contract_get(actor=request.user, pk=pk, domain=Domain.FINANCE)
    context = _funds_context(request, contract, "adjustments")
    indicators = contract.indicators.order_by("year", "sort_order", "id")  # indicators.Indicator
    form = None
    if context["can_change"]:
        form = AdjustmentForm(request.POST or None, indicators=indicators)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.adjustment_submit(
                    actor=request.user,
                    contract=contract,
                    kind=data["kind"],
                    title=data["title"],
                    reason=data["reason"],
                    content=data["content"],
                    requested_on=data["requested_on"],
                    new_end_on=data.get("new_end_on"),
                    new_contract_amount=data.get("new_contract_amount"),
                    target_changes=form.target_changes(),
                )
            except ValidationError as exc:
                _errors(request, form, exc)
            else:
                messages.success(request, _("The adjustment has been submitted for approval."))
                return redirect("contracts:adjustment_list", pk=contract.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context.update(
        {"adjustments": selectors.adjustment_list(actor=request.user, contract=contract), "form": form}
    )
    return render(request, "contracts/adjustments.html", context)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, obj=("pk", "contracts.Adjustment"))
def adjustment_detail(request, pk: int):
    adjustment = get_scoped_or_404(
        Adjustment.objects.select_related("contract", "requested_by"), request.user, pk=pk
    )
    context = _funds_context(request, adjustment.contract, "adjustments")
    form = None
    if context["can_decide"] and context["can_change"] and adjustment.status == "pending":
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.adjustment_decide(actor=request.user, adjustment=adjustment, **form.cleaned_data)
            except ValidationError as exc:
                _errors(request, form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The decision has been recorded."))
                return redirect("contracts:adjustment_detail", pk=adjustment.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context.update(
        {
            "adjustment": adjustment,
            "decisions": adjustment.decisions.select_related("decided_by"),
            "form": form,
        }
    )
    return render(request, "contracts/adjustment_detail.html", context)


@require_POST
@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Adjustment"))
def adjustment_withdraw(request, pk: int):
    adjustment = get_scoped_or_404(Adjustment, request.user, CHANGE, pk=pk)
    try:
        services.adjustment_withdraw(actor=request.user, adjustment=adjustment)
    except ValidationError as exc:
        _errors(request, None, exc)
    else:
        messages.success(request, _("The adjustment has been withdrawn."))
    return redirect("contracts:adjustment_detail", pk=adjustment.pk)


# --- import ------------------------------------------------------------------------------------------------


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Contract"))
def funds_import(request, pk: int):
    contract = selectors.contract_get(actor=request.user, pk=pk, action=CHANGE, domain=Domain.FINANCE)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            form.add_error(
                "file", _("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_BYTES // 2**20}
            )
        else:
            safe_name = "upload.xlsx" if upload.name.lower().endswith(".xlsx") else "upload.csv"
            kind = form.cleaned_data["kind"]
            job = job_start(
                actor=request.user,
                kind="contracts.import",
                title=_("Funds import (%(kind)s): %(f)s")
                % {"kind": dict(form.fields["kind"].choices)[kind], "f": upload.name[:80]},
                params={"filename": safe_name, "kind": kind, "contract": contract.pk},
                county=contract.buyer,
                input_name=safe_name,
                input_bytes=upload.read(),
            )
            return redirect("job_detail", pk=job.pk)
    context = _funds_context(request, contract, "import")
    context.update({"form": form, "archive_form": VoucherArchiveForm(), "kinds": [PAYMENTS, EXPENDITURES]})
    return render(request, "contracts/import.html", context)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("pk", "contracts.Contract"))
def vouchers_archive(request, pk: int):
    """Vouchers in bulk: one ZIP of scans named by voucher number, attached in a job with a per-file result."""
    contract = selectors.contract_get(actor=request.user, pk=pk, action=CHANGE, domain=Domain.FINANCE)
    form = VoucherArchiveForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["archive"]
        content = upload.read(settings.MAX_UPLOAD_BYTES + 1)
        if len(content) > settings.MAX_UPLOAD_BYTES:
            form.add_error(
                "archive",
                _(
                    "The file is larger than %(mb)s MB: send the year's scans in several archives (one a month)."
                )
                % {"mb": settings.MAX_UPLOAD_BYTES // 2**20},
            )
        elif not zipfile.is_zipfile(io.BytesIO(content)):
            form.add_error("archive", _("The file is not a ZIP archive."))
        else:
            job = job_start(
                actor=request.user,
                kind="contracts.vouchers_archive",
                title=_("Vouchers from an archive: %(f)s") % {"f": upload.name[:80]},
                params={"contract": contract.pk},
                county=contract.buyer,
                input_name="vouchers.zip",
                input_bytes=content,
            )
            return redirect("job_detail", pk=job.pk)
    context = _funds_context(request, contract, "import")
    context.update({"form": ImportForm(), "archive_form": form, "kinds": [PAYMENTS, EXPENDITURES]})
    return render(request, "contracts/import.html", context, status=400 if form.errors else 200)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.FINANCE, samples={"kind": "payments"})
def import_template(request, kind: str):
    definition = {"payments": PAYMENTS, "expenditures": EXPENDITURES}.get(kind)
    if definition is None:
        return render(request, "404.html", status=404)
    response = HttpResponse(
        definition.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
