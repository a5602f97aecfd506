"""Writes for contracts and funds.

Every service takes the acting user, checks the role (FINANCE change) and the row (the contract within
the actor's scope, 404 otherwise), validates, and writes inside one transaction; the audit entries are
written by ``AuditedModel`` in the same transaction. A ``ValidationError`` changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import record_action, record_bulk
from jiaozheng.contracts.choices import AdjustmentKind, AdjustmentStatus, Decision, FundCategory
from jiaozheng.contracts.models import (
    Adjustment,
    AdjustmentDecision,
    Contract,
    Expenditure,
    FundLine,
    Payment,
    Voucher,
)
from jiaozheng.core.roles import CHANGE, Domain, Role
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, require, scope_for, scoped
from jiaozheng.core.uploads import image_pixels_problem, zip_expansion_problem

MAX_AMOUNT = Decimal("100000000")  # one hundred million yuan: above this an entry is surely a typo


def _contract_for_change(actor: Any, contract: Contract) -> Contract:
    require(actor, Domain.FINANCE, CHANGE)
    visible = get_scoped_or_404(Contract, actor, CHANGE, pk=contract.pk)
    return Contract.objects.select_for_update().get(pk=visible.pk)


def _amount(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan.")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("The amount is implausibly large.")})
    return amount


# --- contracts -----------------------------------------------------------------------------------------

CONTRACT_FIELDS = (
    "code",
    "name",
    "buyer",
    "provider",
    "start_on",
    "end_on",
    "budget_amount",
    "contract_amount",
    "signed_on",
    "procurement",
    "notes",
)


@transaction.atomic
def contract_create(*, actor: Any, data: dict[str, Any], counties: Iterable[Any] = ()) -> Contract:
    """A new contract bought by a county bureau the actor administers."""
    require(actor, Domain.FINANCE, CHANGE)
    scope = scope_for(actor)
    if not scope.unrestricted and scope.role != Role.BUREAU_ADMIN:
        raise PermissionDenied(_("Only the buyer's bureau administrator registers contracts."))
    counties = list(counties) or [data.get("buyer")]
    for county in counties:
        if county is None or (not scope.unrestricted and county.pk not in scope.county_ids):
            raise ValidationError({"counties": _("You can only register contracts for your own county.")})
    contract = Contract(**{k: v for k, v in data.items() if k in CONTRACT_FIELDS})
    contract.budget_amount = _amount(contract.budget_amount, "budget_amount", allow_zero=True)
    contract.contract_amount = _amount(contract.contract_amount, "contract_amount", allow_zero=True)
    _check_contract(contract)
    _check_overlap(contract, counties)
    contract.full_clean()
    contract.save()
    contract.counties.set(counties)
    return contract


def _check_overlap(contract: Contract, counties: list[Any]) -> None:
    """One provider serves one county under one contract at a time: a contract-year overlapping
    another of the same provider for the same county is refused (its figures would be counted twice)."""
    if contract.provider_id is None or contract.start_on is None or contract.end_on is None:
        return
    clash = (
        Contract.objects.filter(
            provider_id=contract.provider_id,
            counties__in=[c.pk for c in counties if c is not None],
            start_on__lte=contract.end_on,
            end_on__gte=contract.start_on,
        )
        .exclude(pk=contract.pk)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "start_on": _(
                    "The period overlaps contract %(code)s (%(start)s to %(end)s) of the same provider "
                    "for the same county."
                )
                % {"code": clash.code, "start": clash.start_on, "end": clash.end_on}
            }
        )


def _check_contract(contract: Contract) -> None:
    errors: dict[str, str] = {}
    if contract.budget_amount and contract.contract_amount > contract.budget_amount:
        errors["contract_amount"] = _("The contract price cannot exceed the budget.")
    if contract.signed_on and contract.signed_on > contract.end_on:
        errors["signed_on"] = _("The contract cannot be signed after its period ends.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contract_update(*, actor: Any, contract: Contract, data: dict[str, Any]) -> Contract:
    """Edit the contract's descriptive fields. The price and period change only through an approved
    adjustment, so that the change keeps its approval record."""
    contract = _contract_for_change(actor, contract)
    for key in ("name", "signed_on", "procurement", "notes", "budget_amount"):
        if key in data:
            setattr(contract, key, data[key])
    contract.budget_amount = _amount(contract.budget_amount, "budget_amount", allow_zero=True)
    _check_contract(contract)
    contract.full_clean()
    contract.save()
    return contract


# --- budget lines ----------------------------------------------------------------------------------------


@transaction.atomic
def fund_line_save(
    *,
    actor: Any,
    contract: Contract,
    category: str,
    name: str,
    amount: Any,
    note: str = "",
    sort_order: int | None = None,
    line: FundLine | None = None,
) -> FundLine:
    contract = _contract_for_change(actor, contract)
    if category not in FundCategory.values:
        raise ValidationError({"category": _("Unknown category.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the line.")})
    if line is None:
        line = FundLine(contract=contract)
        if sort_order is None:
            sort_order = FundLine.objects.filter(contract=contract).count()
    elif line.contract_id != contract.pk:
        raise ValidationError(_("The line belongs to another contract."))
    line.category = category
    line.name = name
    line.amount = _amount(amount, "amount", allow_zero=True)
    line.note = (note or "").strip()
    if sort_order is not None:
        line.sort_order = sort_order
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def fund_line_delete(*, actor: Any, line: FundLine) -> None:
    contract = _contract_for_change(actor, line.contract)
    line = FundLine.objects.get(pk=line.pk, contract=contract)
    if line.expenditures.exists():
        raise ValidationError(_("Expenditures are mapped to this line: map them elsewhere first."))
    line.delete()


# --- payments --------------------------------------------------------------------------------------------


def payment_build(
    *,
    contract: Contract,
    paid_on: dt.date,
    amount: Any,
    payer: str = "",
    reference: str = "",
    note: str = "",
    actor: Any = None,
) -> Payment:
    """A validated, unsaved payment (used by the form service and the import)."""
    if paid_on is None:
        raise ValidationError({"paid_on": _("Give the date of the payment.")})
    if contract.signed_on and paid_on < contract.signed_on:
        raise ValidationError({"paid_on": _("The payment is dated before the contract was signed.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment cannot be dated in the future.")})
    payment = Payment(
        contract=contract,
        paid_on=paid_on,
        amount=_amount(amount, "amount"),
        payer=(payer or contract.buyer.bureau_name or contract.buyer.name).strip()[:100],
        reference=(reference or "").strip()[:60],
        note=(note or "").strip()[:200],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    payment.full_clean()
    return payment


@transaction.atomic
def payment_record(*, actor: Any, contract: Contract, **fields: Any) -> Payment:
    contract = _contract_for_change(actor, contract)
    payment = payment_build(contract=contract, actor=actor, **fields)
    paid = sum(Payment.objects.filter(contract=contract).values_list("amount", flat=True), Decimal(0))
    if contract.contract_amount and paid + payment.amount > contract.contract_amount:
        raise ValidationError(
            {
                "amount": _("Payments would exceed the contract price (already received ¥%(paid)s).")
                % {"paid": f"{paid:,.2f}"}
            }
        )
    payment.save()
    return payment


@transaction.atomic
def payment_delete(*, actor: Any, payment: Payment) -> None:
    contract = _contract_for_change(actor, payment.contract)
    Payment.objects.get(pk=payment.pk, contract=contract).delete()


@transaction.atomic
def payments_bulk_record(*, actor: Any, payments: list[Payment]) -> int:
    """Imported payments: one insert, one audit append. Totals per contract are checked first."""
    totals: dict[int, Decimal] = {}
    for payment in payments:
        totals[payment.contract_id] = totals.get(payment.contract_id, Decimal(0)) + payment.amount
    for contract_id, added in totals.items():
        contract = _contract_for_change(actor, Contract(pk=contract_id))
        paid = sum(Payment.objects.filter(contract=contract).values_list("amount", flat=True), Decimal(0))
        if contract.contract_amount and paid + added > contract.contract_amount:
            raise ValidationError(
                _("Payments to %(code)s would exceed its contract price (¥%(price)s).")
                % {"code": contract.code, "price": f"{contract.contract_amount:,.2f}"}
            )
    created = Payment.objects.bulk_create(payments)
    record_bulk(created, verb="contracts.payment_imported")
    return len(created)


# --- expenditures and vouchers -----------------------------------------------------------------------------

VOUCHER_TYPES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}


@dataclass(frozen=True)
class VoucherFile:
    name: str
    content: bytes


def voucher_check(name: str, content: bytes, contract: Contract | None = None) -> tuple[str, str]:
    """The content type and extension of an acceptable voucher; ValidationError otherwise.

    Accepted: PDF, JPEG and PNG scans, recognised by their content (not their name), not empty and not
    larger than the rule ``contracts.voucher_max_mb``.
    """
    limit_mb = rule("contracts.voucher_max_mb", contract.buyer if contract is not None else None)
    if not content:
        raise ValidationError({"vouchers": _("The file %(name)s is empty.") % {"name": name}})
    if len(content) > limit_mb * 1024 * 1024:
        raise ValidationError(
            {"vouchers": _("The file %(name)s is larger than %(mb)s MB.") % {"name": name, "mb": limit_mb}}
        )
    for magic, (content_type, ext) in VOUCHER_TYPES.items():
        if content.startswith(magic):
            if content_type == "application/pdf" and b"%%EOF" not in content[-2048:]:
                raise ValidationError(
                    {"vouchers": _("The PDF file %(name)s is incomplete.") % {"name": name}}
                )
            if content_type.startswith("image/"):
                problem = image_pixels_problem(content)
                if problem:
                    raise ValidationError({"vouchers": f"{name}: {problem}"})
            return content_type, ext
    raise ValidationError({"vouchers": _("%(name)s is not a PDF, JPEG or PNG scan.") % {"name": name}})


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "voucher"
    return "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')[:200] or "voucher"


def _attach(actor: Any, expenditure: Expenditure, upload: VoucherFile) -> Voucher:
    content_type, ext = voucher_check(upload.name, upload.content, expenditure.contract)
    digest = hashlib.sha256(upload.content).hexdigest()
    if Voucher.objects.filter(expenditure=expenditure, sha256=digest).exists():
        raise ValidationError({"vouchers": _("This file is already attached.")})
    voucher = Voucher(
        expenditure=expenditure,
        original_name=_safe_name(upload.name),
        content_type=content_type,
        size=len(upload.content),
        sha256=digest,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    voucher.file.save(f"{digest[:16]}{ext}", ContentFile(upload.content), save=False)
    voucher.save()
    return voucher


def expenditure_build(
    *,
    contract: Contract,
    spent_on: dt.date,
    amount: Any,
    description: str,
    line: FundLine | None = None,
    payee: str = "",
    voucher_no: str = "",
    actor: Any = None,
) -> Expenditure:
    if line is not None and line.contract_id != contract.pk:
        raise ValidationError({"line": _("The budget line belongs to another contract.")})
    if spent_on is None:
        raise ValidationError({"spent_on": _("Give the date of the expenditure.")})
    if spent_on > timezone.localdate():
        raise ValidationError({"spent_on": _("An expenditure cannot be dated in the future.")})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what the money was spent on.")})
    expenditure = Expenditure(
        contract=contract,
        line=line,
        spent_on=spent_on,
        amount=_amount(amount, "amount"),
        payee=(payee or "").strip()[:100],
        description=description[:200],
        voucher_no=(voucher_no or "").strip()[:40],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    expenditure.full_clean(validate_constraints=False)
    if (
        expenditure.voucher_no
        and Expenditure.objects.filter(contract=contract, voucher_no=expenditure.voucher_no)
        .exclude(pk=expenditure.pk)
        .exists()
    ):
        raise ValidationError(
            {"voucher_no": _("Voucher number %(no)s is already recorded.") % {"no": expenditure.voucher_no}}
        )
    return expenditure


@transaction.atomic
def expenditure_record(
    *, actor: Any, contract: Contract, vouchers: Iterable[VoucherFile] = (), **fields: Any
) -> Expenditure:
    contract = _contract_for_change(actor, contract)
    expenditure = expenditure_build(contract=contract, actor=actor, **fields)
    expenditure.save()
    for upload in vouchers:
        _attach(actor, expenditure, upload)
    return expenditure


@transaction.atomic
def expenditure_update(*, actor: Any, expenditure: Expenditure, **fields: Any) -> Expenditure:
    """Correct an expenditure or map it to a line (the fix for an "unmapped" flag)."""
    contract = _contract_for_change(actor, expenditure.contract)
    current = Expenditure.objects.select_for_update().get(pk=expenditure.pk, contract=contract)
    data = {
        "line": current.line,
        "spent_on": current.spent_on,
        "amount": current.amount,
        "description": current.description,
        "payee": current.payee,
        "voucher_no": current.voucher_no,
    }
    data.update(fields)
    checked = expenditure_build(contract=contract, actor=actor, **data)
    for key in data:
        setattr(current, key, getattr(checked, key))
    current.save()
    return current


@transaction.atomic
def voucher_attach(*, actor: Any, expenditure: Expenditure, upload: VoucherFile) -> Voucher:
    contract = _contract_for_change(actor, expenditure.contract)
    current = Expenditure.objects.get(pk=expenditure.pk, contract=contract)
    return _attach(actor, current, upload)


# --- vouchers in bulk: one archive of scans named by voucher number -----------------------------------------

# "记-2020-015.pdf", and the further pages of one voucher: "记-2020-015_2.jpg", "记-2020-015 (2).jpg", "（2）"
_PAGE_SUFFIX = re.compile(r"^(?P<number>.+?)(?:_\d{1,3}| ?[(（]\d{1,3}[)）])$")


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as the person who packed it wrote it: archives made on Chinese Windows store names
    in GBK without saying so (Python then reads them as cp437)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _voucher_number(stem: str, numbers: dict[str, Expenditure]) -> str:
    stem = stem.strip()
    if stem in numbers:
        return stem
    match = _PAGE_SUFFIX.match(stem)
    if match and match.group("number").strip() in numbers:
        return match.group("number").strip()
    return ""


def vouchers_attach_archive(
    *, actor: Any, contract: Contract, content: bytes, progress: Any = None
) -> dict[str, Any]:
    """Attach every scan of a ZIP archive to the contract's expenditure whose voucher number (记账凭证号) is the
    file's name, each file on its own: a refused file (no such voucher number, not a scan, attached already)
    is reported and the others are kept. Returns the per-file results and a summary message."""
    require(actor, Domain.FINANCE, CHANGE)
    contract = get_scoped_or_404(Contract, actor, CHANGE, pk=contract.pk)
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise ValidationError({"archive": _("The file is not a ZIP archive.")})
    problem = zip_expansion_problem(content)
    if problem:
        raise ValidationError({"archive": problem})
    numbers = {e.voucher_no: e for e in Expenditure.objects.filter(contract=contract).exclude(voucher_no="")}
    rows: list[dict[str, Any]] = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not info.filename.rsplit("/", 1)[-1].startswith(".")
        ]
        if not members:
            raise ValidationError({"archive": _("The archive holds no files.")})
        if progress is not None:
            progress(0, len(members))
        for done, info in enumerate(members, 1):
            name = _member_name(info)
            base = name.rsplit("/", 1)[-1]
            number = _voucher_number(base.rsplit(".", 1)[0] if "." in base else base, numbers)
            row: dict[str, Any] = {"file": name, "voucher_no": number, "ok": False}
            if not number:
                row["message"] = _("No expenditure of this contract has the voucher number %(n)s.") % {
                    "n": base.rsplit(".", 1)[0]
                }
            else:
                expenditure = numbers[number]
                try:
                    with transaction.atomic():
                        _attach(actor, expenditure, VoucherFile(base, archive.read(info)))
                except ValidationError as exc:
                    row["message"] = " ".join(exc.messages)
                else:
                    row.update(
                        ok=True,
                        expenditure=expenditure.pk,
                        message=_("Attached to the expenditure of %(date)s, %(amount)s yuan, %(what)s.")
                        % {
                            "date": expenditure.spent_on.isoformat(),
                            "amount": expenditure.amount,
                            "what": expenditure.description[:60],
                        },
                    )
            rows.append(row)
            if progress is not None:
                progress(done, len(members))
    attached = sum(1 for r in rows if r["ok"])
    record_action(
        contract, "contracts.vouchers_archive", {"attached": attached, "refused": len(rows) - attached}
    )
    return {
        "files": rows,
        "attached": attached,
        "refused": len(rows) - attached,
        "message": _("%(ok)s of %(n)s files attached to their expenditures; %(refused)s refused.")
        % {"ok": attached, "n": len(rows), "refused": len(rows) - attached},
    }


@transaction.atomic
def voucher_delete(*, actor: Any, voucher: Voucher) -> None:
    contract = _contract_for_change(actor, voucher.expenditure.contract)
    row = Voucher.objects.get(pk=voucher.pk, expenditure__contract=contract)
    stored = row.file.name
    row.delete()
    if stored:
        transaction.on_commit(lambda: row.file.storage.delete(stored))


@transaction.atomic
def expenditure_delete(*, actor: Any, expenditure: Expenditure) -> None:
    contract = _contract_for_change(actor, expenditure.contract)
    row = Expenditure.objects.get(pk=expenditure.pk, contract=contract)
    names = [v.file.name for v in row.vouchers.all() if v.file]
    storage = Voucher._meta.get_field("file").storage
    row.delete()

    def remove_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)


@transaction.atomic
def expenditures_bulk_record(*, actor: Any, expenditures: list[Expenditure]) -> int:
    for contract_id in {e.contract_id for e in expenditures}:
        _contract_for_change(actor, Contract(pk=contract_id))
    created = Expenditure.objects.bulk_create(expenditures)
    record_bulk(created, verb="contracts.expenditure_imported")
    return len(created)


# --- adjustments -------------------------------------------------------------------------------------------


@transaction.atomic
def adjustment_submit(
    *,
    actor: Any,
    contract: Contract,
    kind: str,
    title: str,
    reason: str,
    content: str,
    requested_on: dt.date,
    new_end_on: dt.date | None = None,
    new_contract_amount: Any = None,
    target_changes: Iterable[tuple[Any, Any]] = (),
) -> Adjustment:
    """Ask for an adjustment. ``target_changes`` holds (indicator, new target) pairs of this contract."""
    contract = _contract_for_change(actor, contract)
    errors: dict[str, str] = {}
    if kind not in AdjustmentKind.values:
        errors["kind"] = _("Unknown kind of adjustment.")
    if not (title or "").strip():
        errors["title"] = _("Give the adjustment a title.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the adjustment.")
    if not (content or "").strip():
        errors["content"] = _("Say what changes.")
    if requested_on is None or requested_on > timezone.localdate():
        errors["requested_on"] = _("Give the date of the request (not in the future).")
    if new_end_on is not None and new_end_on < contract.start_on:
        errors["new_end_on"] = _("The period cannot end before it starts.")
    amount = None
    if new_contract_amount not in (None, ""):
        try:
            amount = _amount(new_contract_amount, "new_contract_amount")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        else:
            if contract.budget_amount and amount > contract.budget_amount:
                errors["new_contract_amount"] = _("The contract price cannot exceed the budget.")
    changes = []
    for indicator, new_target in target_changes:
        if indicator.contract_id != contract.pk:
            errors["target_changes"] = _("An indicator belongs to another contract.")
            continue
        try:
            value = Decimal(str(new_target))
        except InvalidOperation:
            errors["target_changes"] = _("A new target is not a number.")
            continue
        if value < 0:
            errors["target_changes"] = _("A target cannot be negative.")
            continue
        changes.append(
            {
                "indicator": indicator.pk,
                "code": indicator.code,
                "name": indicator.name,
                "year": indicator.year,
                "from": None if indicator.target is None else str(indicator.target.normalize()),
                "to": str(value.normalize()),
            }
        )
    if errors:
        raise ValidationError(errors)
    adjustment = Adjustment(
        contract=contract,
        kind=kind,
        title=title.strip(),
        reason=reason.strip(),
        content=content.strip(),
        requested_on=requested_on,
        requested_by=actor if getattr(actor, "pk", None) else None,
        new_end_on=new_end_on,
        new_contract_amount=amount,
        target_changes=changes,
    )
    adjustment.full_clean()
    adjustment.save()
    return adjustment


@transaction.atomic
def adjustment_decide(
    *,
    actor: Any,
    adjustment: Adjustment,
    decision: str,
    decided_on: dt.date,
    approver: str,
    opinion: str,
    document_no: str = "",
) -> AdjustmentDecision:
    """The buyer's decision on a pending adjustment; approval applies the changes it carries.

    Only the buyer bureau's administrator decides: the provider cannot approve its own request.
    """
    require(actor, Domain.FINANCE, CHANGE)
    scope = scope_for(actor)
    if not scope.unrestricted and scope.role != Role.BUREAU_ADMIN:
        raise PermissionDenied(_("Only the buyer bureau decides on contract adjustments."))
    visible = get_scoped_or_404(Adjustment, actor, CHANGE, pk=adjustment.pk)
    current = Adjustment.objects.select_for_update().select_related("contract").get(pk=visible.pk)
    errors: dict[str, str] = {}
    if current.status != AdjustmentStatus.PENDING:
        raise ValidationError(_("This adjustment has already been decided or withdrawn."))
    if decision not in Decision.values:
        errors["decision"] = _("Choose approve or reject.")
    if decided_on is None or decided_on > timezone.localdate():
        errors["decided_on"] = _("Give the date of the decision (not in the future).")
    elif decided_on < current.requested_on:
        errors["decided_on"] = _("The decision cannot come before the request.")
    if not (approver or "").strip():
        errors["approver"] = _("Name who approved (name and post).")
    if not (opinion or "").strip():
        errors["opinion"] = _("Write the opinion.")
    if errors:
        raise ValidationError(errors)
    record = AdjustmentDecision(
        adjustment=current,
        decision=decision,
        decided_on=decided_on,
        decided_by=actor if getattr(actor, "pk", None) else None,
        approver=approver.strip(),
        document_no=(document_no or "").strip(),
        opinion=opinion.strip(),
    )
    record.full_clean()
    record.save()
    if decision == Decision.APPROVE:
        _apply(current)
        current.status = AdjustmentStatus.APPROVED
        current.applied_at = timezone.now()
    else:
        current.status = AdjustmentStatus.REJECTED
    current.save()
    return record


def _apply(adjustment: Adjustment) -> None:
    contract = Contract.objects.select_for_update().get(pk=adjustment.contract_id)
    previous: dict[str, Any] = {}
    if adjustment.new_end_on is not None:
        previous["end_on"] = contract.end_on.isoformat()
        contract.end_on = adjustment.new_end_on
    if adjustment.new_contract_amount is not None:
        previous["contract_amount"] = str(contract.contract_amount)
        contract.contract_amount = adjustment.new_contract_amount
    if previous:
        contract.full_clean()
        contract.save()
    targets = []
    for change in adjustment.target_changes:
        indicator = contract.indicators.filter(pk=change["indicator"]).first()  # indicators.Indicator
        if indicator is None:
            raise ValidationError(
                _("Indicator %(code)s no longer exists; the adjustment cannot be applied.")
                % {"code": change["code"]}
            )
        targets.append(
            {"indicator": indicator.pk, "target": None if indicator.target is None else str(indicator.target)}
        )
        indicator.target = Decimal(change["to"])
        indicator.save()
    if targets:
        previous["targets"] = targets
    adjustment.previous = previous
    record_action(adjustment, "contracts.adjustment_applied", previous)


@transaction.atomic
def adjustment_withdraw(*, actor: Any, adjustment: Adjustment) -> Adjustment:
    require(actor, Domain.FINANCE, CHANGE)
    visible = get_scoped_or_404(Adjustment, actor, CHANGE, pk=adjustment.pk)
    current = Adjustment.objects.select_for_update().get(pk=visible.pk)
    if current.status != AdjustmentStatus.PENDING:
        raise ValidationError(_("Only a pending adjustment can be withdrawn."))
    current.status = AdjustmentStatus.WITHDRAWN
    current.save()
    return current


def fund_lines_for(*, actor: Any, contract: Contract) -> list[FundLine]:
    return list(scoped(FundLine, actor).filter(contract=contract).order_by("sort_order", "id"))
